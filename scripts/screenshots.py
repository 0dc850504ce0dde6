"""`make screenshots`: drive the real app in Chromium over the demo faces and the shipped
default model, and write one PNG per page to docs/screenshots/ for the README gallery.

Only the generated demo faces appear in the pictures: FER2013 images are never committed.
"""

import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    os.environ.update(FER_DATA_DIR=str(tmp / "data"), FER_CHECKPOINTS_DIR=str(tmp / "checkpoints"))
    from fer_core.data import ensure_demo, load_dataset
    from fer_core.train import TrainConfig, prepare_run, train_in_process
    from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_idle
    from tests.videos import detectable_faces, make_frames, write_y4m

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_demo()
    print("training a small model on the demo faces for the Train and Evaluate pictures...")
    run, _ = prepare_run(TrainConfig(data="demo", arch="small", epochs=4))
    train_in_process(run)
    ds = load_dataset("demo")
    frames, _ = make_frames(detectable_faces(ds.pixels[ds.split_indices("PublicTest")], 3), 60)
    video = write_y4m(frames, tmp / "faces.y4m")
    env = {k: os.environ[k] for k in ("FER_DATA_DIR", "FER_CHECKPOINTS_DIR")}
    fake = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    with streamlit_server(env) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + fake)
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        ctx.grant_permissions(["camera"])
        page = ctx.new_page()

        def shot(name: str, path: str, ready: str, full: bool = True, act=None) -> None:
            page.goto(f"{url}/{path}")
            page.get_by_text(ready).first.wait_for(timeout=180_000)
            wait_idle(page, 180_000)
            if act:
                act()
                wait_idle(page, 180_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
            print("wrote", OUT / f"{name}.png")

        shot("home", "", "What to do next", full=False)
        shot("data", "data", "Show as share of each split", full=False)
        shot("train", "train", "Best validation accuracy", full=False)

        def click_cell():
            pts = page.locator(".js-plotly-plot .scatterlayer .trace").first.locator(".point")
            pts.nth(4 * 7 + 6).click(force=True)  # true sad, predicted neutral
            page.wait_for_selector(".fc", timeout=30_000)

        page.set_viewport_size({"width": 1400, "height": 1500})
        shot("evaluate", f"evaluate?model={run.id}&data=demo", "Most confused", full=False, act=click_cell)
        page.set_viewport_size({"width": 1400, "height": 1000})
        shot(
            "walkthrough",
            f"evaluate?model={run.id}&data=demo&cell=sad-neutral&view=walk&guess=1",
            "Face 1 of",
            full=False,
            act=lambda: page.get_by_role("button", name="Reveal").click(),
        )
        page.set_viewport_size({"width": 1400, "height": 1300})
        shot("explain", "explain?data=demo&row=6038", "Occlusion: cover", full=False)
        shot("filters", "filters", "strongest first", full=False)

        def start_camera():  # in the browser, with where the model looks
            page.get_by_text("What it looks at").click()
            wait_idle(page)
            page.get_by_role("button", name="Start the camera").click()
            page.get_by_text("Steady emotion").wait_for(timeout=90_000)
            page.wait_for_timeout(4000)

        shot("webcam", "webcam", "Start the camera", full=False, act=start_camera)

        def run_study():  # "Does augmentation help?" (the first question) on the demo faces, to its verdict
            page.get_by_role("button", name="Run the study").click()
            page.get_by_text("finished ·").first.wait_for(timeout=600_000)
            page.get_by_text("Verdicts").first.wait_for(timeout=60_000)

        page.set_viewport_size({"width": 1400, "height": 1600})
        shot("study", "study", "Run the study", full=False, act=run_study)

        def upload_photo():  # a real portrait (issue 17): one box, on the face; not committed (tests/artifacts)
            from tests.photos import photo_path

            page.get_by_text("Upload a photo").first.click()
            wait_idle(page, 60_000)
            page.locator("input[type=file]").first.set_input_files(str(photo_path("skimage", "data/astronaut.png")))
            page.get_by_text("2. align").first.wait_for(timeout=60_000)

        page.set_viewport_size({"width": 1400, "height": 1300})
        page.goto(f"{url}/explain")
        page.get_by_text("Face from").first.wait_for(timeout=60_000)
        wait_idle(page, 60_000)
        upload_photo()
        wait_idle(page, 120_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "explain_photo.png"), full_page=False)
        print("wrote", ARTIFACTS / "explain_photo.png")
        page.set_viewport_size({"width": 1400, "height": 1000})
        shot("architecture", "architecture", "Conv output-size calculator", full=False)
        shot("math", "math", "Check the output size numerically", full=False)
        browser.close()


if __name__ == "__main__":
    main()
