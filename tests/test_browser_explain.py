"""Real browser: the Explain page draws all six maps for a data-set face (and the randomised
model's), and the Filters page draws a layer's gradient-ascent grid."""

import pytest

from fer_core.explain import METHODS, TITLES
from tests.browser import ARTIFACTS, browser_page, demo_for_browser, streamlit_server, wait_idle
from tests.fixtures import untrained_run

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server(data_dir):
    demo_for_browser(280)
    run = untrained_run("demo", arch="seed-4conv")
    with streamlit_server() as url:
        yield url, run


COUNT = """(cap) => [...document.querySelectorAll('[data-testid="stImage"]')]
    .filter(d => d.innerText.includes(cap) && d.querySelector('img') && d.querySelector('img').naturalWidth > 0).length"""


def _wait_images(page, caption: str, n: int) -> None:
    """Until exactly n images captioned `caption` have loaded."""
    page.wait_for_function(f"({COUNT})({caption!r}) === {n}", timeout=60_000)


def test_explain_draws_every_map_and_filters_draw_a_grid(server):
    url, run = server
    with browser_page(height=1800) as page:
        page.goto(f"{url}/explain?model={run.id}&data=demo&row=3")
        page.get_by_text("Occlusion: cover part of the face").wait_for(timeout=60_000)
        wait_idle(page)
        for m in METHODS:
            _wait_images(page, TITLES[m], 1)
        page.get_by_text("Sanity check").click()
        page.get_by_text("randomised copy of the model").wait_for(timeout=60_000)
        wait_idle(page)
        _wait_images(page, "random weights", len(METHODS))
        page.screenshot(path=str(ARTIFACTS / "explain.png"), full_page=True)

        page.goto(f"{url}/filters?model={run.id}")
        page.get_by_text("strongest first").wait_for(timeout=120_000)
        wait_idle(page, 60_000)
        _wait_images(page, "filters of stage4.conv1", 1)
        page.screenshot(path=str(ARTIFACTS / "filters.png"))
        assert [u for u in page.requests if not u.startswith(url) and not u.startswith("data:")] == []
