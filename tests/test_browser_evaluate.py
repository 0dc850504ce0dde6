"""Real browser: click an off-diagonal cell of the confusion matrix, find exactly that cell's
faces, walk through them in guess-first mode and reveal a label; the link reopens the face."""

import numpy as np
import pytest

from fer_core.data import load_dataset
from fer_core.data.importer import import_source
from fer_core.handle.predictions import predict_split
from fer_core.handle.store import load_model
from fer_core.labels import CLASSES
from tests.browser import ARTIFACTS, browser_page, demo_for_browser, streamlit_server, wait_idle
from tests.fixtures import untrained_run
from tests.photos import labelled_photo_folder

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server(data_dir, tmp_path):
    demo_for_browser(1400)
    run = untrained_run("demo", seed=4)
    import_source(labelled_photo_folder(tmp_path / "photos"), "mine")  # a photo set beside it (issue 42)
    with streamlit_server() as url:
        yield url, run


def test_click_a_cell_see_its_faces_and_walk_through_them(server):
    url, run = server
    preds = predict_split(load_model(run.id), load_dataset("demo"), "PublicTest")
    counts = np.array([[len(preds.cell(t, p)) for p in range(7)] for t in range(7)])
    off = [(counts[t, p], t, p) for t in range(7) for p in range(7) if t != p and 2 <= counts[t, p] <= 24]
    n, t, p = max(off)  # an off-diagonal cell whose faces fit on one gallery page
    expected_rows = {int(r) for r in preds.indices[preds.cell(t, p)]}
    with browser_page(height=1500) as page:
        page.goto(f"{url}/evaluate")
        page.get_by_role("heading", name="Evaluate").wait_for(timeout=30_000)
        points = page.locator(".js-plotly-plot .scatterlayer .trace").first.locator(".point")
        points.first.wait_for(timeout=30_000)
        wait_idle(page)
        points.nth(t * 7 + p).click(force=True)  # markers are laid out row by row: true t, predicted p
        page.get_by_text(f"True {CLASSES[t]}, predicted {CLASSES[p]}: {n} faces").wait_for(timeout=15_000)
        page.wait_for_function(f"document.querySelectorAll('.fc[data-row]').length === {n}", timeout=15_000)
        rows = {int(x) for x in page.eval_on_selector_all(".fc[data-row]", "els => els.map(e => e.dataset.row)")}
        assert rows == expected_rows
        wait_idle(page)
        page.screenshot(path=str(ARTIFACTS / "evaluate-cell.png"), full_page=True)

        page.get_by_role("button", name="Walk through these faces").click()
        page.get_by_text(f"Face 1 of {n}").wait_for(timeout=15_000)
        page.get_by_text("Guess first").click()
        page.get_by_text("labels hidden").wait_for(timeout=15_000)
        wait_idle(page)
        page.get_by_role("button", name="Next").click()
        page.get_by_text(f"Face 2 of {n}").wait_for(timeout=15_000)
        wait_idle(page)  # the header changes first; the rest of the rerun follows
        assert page.get_by_text("True:").count() == 0
        page.get_by_role("button", name="Reveal").click()
        page.get_by_text("True:").wait_for(timeout=15_000)
        assert CLASSES[t] in page.locator(".wk-label").first.inner_text()
        wait_idle(page)
        page.screenshot(path=str(ARTIFACTS / "evaluate-walkthrough.png"))
        link = page.locator("code").last.inner_text()
        assert "view=walk" in link and f"cell={CLASSES[t]}-{CLASSES[p]}" in link

        other = page.context.browser.new_page()  # the copied link, in a new tab
        other.goto(link)
        other.get_by_text(f"Face 2 of {n}").wait_for(timeout=30_000)
        assert [u for u in page.requests if not u.startswith(url) and not u.startswith("data:")] == []

        # A photo set: a cell's faces open beside the photos they came from, their boxes drawn.
        mine = predict_split(load_model(run.id), load_dataset("mine"), "PublicTest")
        t, p = int(mine.labels[0]), int(mine.pred[0])
        page.goto(f"{url}/evaluate?model={run.id}&data=mine&split=PublicTest&cell={CLASSES[t]}-{CLASSES[p]}")
        page.get_by_text("Truth: Photo's label").wait_for(timeout=30_000)
        page.wait_for_function(f"document.querySelectorAll('.fc img.src').length === {len(mine.cell(t, p))}", timeout=15_000)
        names = page.eval_on_selector_all(".fc .src-name", "els => els.map(e => e.textContent)")
        assert set(names) <= set(load_dataset("mine").photos.names) and names
        wait_idle(page)
        page.screenshot(path=str(ARTIFACTS / "evaluate-photo-set.png"), full_page=True)
