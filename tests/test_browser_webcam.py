"""Real browser with a fake camera: Chromium plays a generated .y4m of faces on the Webcam
page; after START, labelled boxes appear in the returned video and the live panel counts the faces."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from fer_core.data import load_dataset
from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, demo_for_browser, streamlit_server, wait_idle
from tests.fixtures import untrained_run
from tests.videos import detectable_faces, make_frames, write_y4m

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Share of the returned video's pixels in the box colour (46, 158, 68), read from a canvas.
GREEN = """(v) => { const c = document.createElement('canvas'); c.width = v.videoWidth; c.height = v.videoHeight;
  if (!c.width) return 0; const g = c.getContext('2d'); g.drawImage(v, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 46) < 30 && Math.abs(d[i + 1] - 158) < 30 && Math.abs(d[i + 2] - 68) < 30) n++;
  return n / (c.width * c.height); }"""


@pytest.fixture
def server(data_dir, tmp_path):
    demo_for_browser(700)
    untrained_run("demo", arch="small")
    ds = load_dataset("demo")
    frames, _ = make_frames(detectable_faces(ds.pixels[ds.split_indices("PublicTest")], 2), 30, seed=2)
    video = write_y4m(frames, tmp_path / "faces.y4m")
    with streamlit_server() as url:
        yield url, video


def test_fake_camera_shows_labelled_boxes(server):
    url, video = server
    fake = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + fake)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1200})
            context.grant_permissions(["camera"])
            page = context.new_page()
            requests = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(f"{url}/webcam")
            page.get_by_role("heading", name="Webcam").wait_for(timeout=30_000)
            wait_idle(page)
            component = page.frame_locator("iframe[title*='streamlit_webrtc']")
            # Once in CI a START click did nothing (the component still said START): press it again, as a user would.
            for attempt in range(2):
                component.get_by_role("button", name="START").click()
                try:
                    component.get_by_role("button", name="STOP").wait_for(timeout=20_000)
                    break
                except PlaywrightTimeout:
                    page.screenshot(path=str(ARTIFACTS / f"webcam-start-{attempt}.png"))
            page.get_by_text("Detected 2 faces").wait_for(timeout=90_000)
            v = component.locator("video").first
            v.wait_for(timeout=30_000)
            page.wait_for_function(
                f"() => {{ const f = [...document.querySelectorAll('iframe')].find(i => (i.title || '').includes('streamlit_webrtc'));"
                f" const v = f && f.contentDocument.querySelector('video'); return v && ({GREEN})(v) > 0.002; }}",
                timeout=60_000,
            )
            page.screenshot(path=str(ARTIFACTS / "webcam.png"))
            assert page.get_by_text("Steady emotion:").count() == 1
            assert [u for u in requests if not u.startswith(url) and not u.startswith("data:") and not u.startswith("blob:")] == []
        finally:
            browser.close()
