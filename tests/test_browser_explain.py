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
        said = "() => ['strongest first', 'Draw them'].some(t => document.body.innerText.includes(t))"
        page.wait_for_function(said, timeout=120_000)
        if page.get_by_role("button", name="Draw them").count():  # on a slow or busy machine it says how long first
            page.get_by_role("button", name="Draw them").click()
        page.get_by_text("strongest first").wait_for(timeout=120_000)
        wait_idle(page, 60_000)
        _wait_images(page, "filters of stage4.conv1", 1)
        page.screenshot(path=str(ARTIFACTS / "filters.png"))
        assert [u for u in page.requests if not u.startswith(url) and not u.startswith("data:")] == []


def test_an_uploaded_photo_shows_each_step_and_the_aligned_face(server):
    """A real portrait, turned 20 degrees, uploaded on the Explain page: detect (box and landmarks),
    align (the turned square), crop and 48x48 are shown, and the maps are drawn for that face."""
    import cv2
    import numpy as np

    from fer_core.faces import read_image
    from tests.photos import photo_path

    path = photo_path("skimage", "data/astronaut.png")
    if path is None:
        pytest.skip("scikit-image is not installed (requirements-dev.txt installs it)")
    turned = cv2.warpAffine(read_image(path), cv2.getRotationMatrix2D((256, 256), -20, 1.0), (512, 512), borderMode=cv2.BORDER_REFLECT)
    photo = ARTIFACTS / "astronaut-turned.png"
    cv2.imwrite(str(photo), cv2.cvtColor(np.ascontiguousarray(turned), cv2.COLOR_RGB2BGR))
    url, run = server
    with browser_page(height=1600) as page:
        page.goto(f"{url}/explain?model={run.id}")
        page.get_by_text("Occlusion: cover part of the face").wait_for(timeout=60_000)
        wait_idle(page)
        page.get_by_text("Upload a photo").click()
        wait_idle(page)
        page.locator("input[type=file]").set_input_files(str(photo))
        for caption in ("1. detect", "2. align", "3. crop", "4. 48x48"):
            _wait_images(page, caption, 1)
        _wait_images(page, TITLES[next(iter(METHODS))], 1)  # the maps are of the uploaded face
        page.get_by_text("2. align").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "explain-upload.png"))
        # A text file named .png: what it is and what is accepted, never Python's internals
        notes = ARTIFACTS / "notes.png"
        notes.write_text("emotion,pixels,Usage\n0,1 2 3,Training\n")
        page.locator("input[type=file]").set_input_files(str(notes))
        page.get_by_text("notes.png is a text file, not a photo FER Lab can read. Accepted: a PNG or JPEG photo.").wait_for(timeout=30_000)
        assert page.get_by_text("BytesIO").count() == 0
        page.screenshot(path=str(ARTIFACTS / "explain-text-upload.png"))
