"""The Webcam page in Chromium with a fake camera (issue 35): a 640x480, 30 frames/s video of two
FER2013 PublicTest faces (or demo faces) plays as the camera, the shipped model classifies them, and
the page's own live caption ("N frames · X ms per frame") is read twice, 20 s apart: frames the
page processed per second, and its median time per frame (detection + alignment + model).
Target: >= 25 frames/s with two faces on 2 CPU cores.

    python bench/bench_webcam_browser.py [--data fer2013] [--seconds 20] [--json OUT.json]
"""

import argparse
import re
import sys
import time
from pathlib import Path

from report import app_dirs, emit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CAPTION = re.compile(r"(\d+) frames · (\d+) ms per frame")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="fer2013", help="data set whose PublicTest faces play (demo faces if absent)")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--json")
    a = ap.parse_args()
    tmp = app_dirs()
    from playwright.sync_api import sync_playwright

    from fer_core.data import ensure_demo, list_datasets, load_dataset
    from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_idle
    from tests.videos import detectable_faces, make_frames, write_y4m

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ensure_demo()
    ds = load_dataset(a.data if a.data in {d.name for d in list_datasets()} else "demo")
    frames, _ = make_frames(detectable_faces(ds.pixels[ds.split_indices("PublicTest")], 2), 90)
    video = write_y4m(frames, tmp / "faces.y4m", fps=30)
    fake = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + fake)
        context = browser.new_context(viewport={"width": 1400, "height": 1200})
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.goto(f"{url}/webcam")
        page.get_by_role("heading", name="Webcam").wait_for(timeout=60_000)
        wait_idle(page)
        page.frame_locator("iframe[title*='streamlit_webrtc']").get_by_role("button", name="START").click()
        page.get_by_text("Detected 2 faces").wait_for(timeout=120_000)
        page.wait_for_timeout(5000)  # past the call's warm-up

        def read() -> tuple[float, int, int]:
            m = CAPTION.search(page.get_by_text(CAPTION).first.inner_text())
            return time.perf_counter(), int(m.group(1)), int(m.group(2))

        t0, n0, _ = read()
        page.wait_for_timeout(a.seconds * 1000)
        t1, n1, ms = read()
        page.screenshot(path=str(ARTIFACTS / "bench-webcam-browser.png"))
        browser.close()
    fps = (n1 - n0) / (t1 - t0)
    emit(
        {
            "data": ds.name,
            "camera_fps": 30,
            "faces": 2,
            "processed_frames_per_s": round(fps, 1),
            "ms_per_frame_median": ms,
            "capacity_frames_per_s": round(1000 / ms, 1) if ms else None,
            "meets_target": fps >= 25,
        },
        a.json,
    )


if __name__ == "__main__":
    main()
