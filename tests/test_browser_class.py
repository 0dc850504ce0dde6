"""FER Lab served to a class (issue 37), in Chromium: the class-server command (`fer class serve`'s)
over https with the test's own certificate, sign-in through a local OpenID provider the test
starts (oidc-provider-mock), a teacher and two students.

- Ben, a student, runs the Webcam page over https with the fake camera (a generated .y4m of two
  faces): his browser finds and labels both faces frame after frame (no WebRTC call: no frame
  goes to the server), draws the boxes and, on a switch, where the model looks; the face he
  sends to Explain arrives there; the page asks nothing of any other machine. (This is the
  Webcam page's browser test; tests/test_browser_webcam.py checks its pipeline against Python's.)
- Amy, a student, sees Ben's training run with Stop disabled; a crafted click (sent from the
  browser console, as a student could) does not stop it.
- Tess, the teacher, has Stop enabled, and the same crafted click from her stops the run: the
  crafted message is a real click, so Amy's was refused (by Streamlit, which drops clicks on a
  widget it rendered disabled, and behind it by fer_core.classroom's own check: tests/test_access.py)."""

import json
import os
import urllib.request

import oidc_provider_mock
import pytest
from playwright.sync_api import sync_playwright

from fer_core.access import User, write_owner
from fer_core.class_server import make_certificate, serve_command, write_secrets
from fer_core.data import load_dataset
from fer_core.labels import CLASSES
from fer_core.train import RunStatus, TrainConfig, prepare_run
from fer_core.train.runs import FileLock
from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, demo_for_browser, free_port, streamlit_server, wait_idle
from tests.fixtures import untrained_run
from tests.videos import detectable_faces, make_frames, write_y4m

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TESS, AMY, BEN = (
    User("tess@school.org", "Tess", "teacher"),
    User("amy@school.org", "Amy", "student"),
    User("ben@school.org", "Ben", "student"),
)
# What a student can do from the browser console to a button the page shows disabled (whose own
# click handler does nothing): send the button's click to the server through the page's widget
# manager, the same message a real click sends.
CRAFTED_CLICK = """(sel) => { const b = document.querySelector(sel);
  let f = b[Object.keys(b).find(k => k.startsWith('__reactFiber'))];
  while (f && !(f.memoizedProps && f.memoizedProps.widgetMgr && f.memoizedProps.element)) f = f.return;
  const p = f.memoizedProps;
  p.widgetMgr.setTriggerValue(p.element.id, {formId: p.element.formId, fragmentId: p.fragmentId, fromUser: true}); }"""


@pytest.fixture
def school(data_dir, tmp_path):
    """(app URL, issuer URL, fake video, Ben's run): the class server and its sign-in provider."""
    demo_for_browser(700)
    untrained_run("demo", arch="vgg8-gap-lite")  # a model for the Webcam page (average pooling: it has a live map)
    ds = load_dataset("demo")
    frames, _ = make_frames(detectable_faces(ds.pixels[ds.split_indices("PublicTest")], 2), 30, seed=2)
    video = write_y4m(frames, tmp_path / "faces.y4m")
    with oidc_provider_mock.run_server_in_thread() as provider:
        issuer = f"http://localhost:{provider.server_port}"
        for u in (TESS, AMY, BEN):
            body = json.dumps({"email": u.email, "name": u.name}).encode()
            request = urllib.request.Request(
                f"{issuer}/users/{u.email}", data=body, method="PUT", headers={"Content-Type": "application/json"}
            )
            assert urllib.request.urlopen(request).status == 204
        cert = make_certificate(tmp_path / "tls", ["localhost"], ["127.0.0.1"])
        port = free_port()
        secrets = write_secrets(
            issuer, "fer-lab", "class-secret", [TESS.email], "localhost", port, 1, tmp_path / "secrets.toml", allow_loopback=True
        )
        env = {k: os.environ[k] for k in ("FER_DATA_DIR", "FER_CHECKPOINTS_DIR", "FER_DEFAULT_MODEL_DIR")}
        with streamlit_server(env=env, cmd=serve_command(cert.cert, cert.key, port, "127.0.0.1", secrets), port=port) as url:
            # Ben's run, training: its trainer stands in as this process holding the run's lock
            run, _ = prepare_run(TrainConfig(data="demo", arch="tiny", epochs=40, seed=7))
            write_owner(run.dir, BEN)
            with FileLock(run.lock_path):
                run.set_status(RunStatus.RUNNING, pid=os.getpid())
                yield url, issuer, video, run


NO_WEBRTC = """window.__peerConnections = 0; const P = window.RTCPeerConnection;
window.RTCPeerConnection = function (...a) { window.__peerConnections++; return new P(...a); };"""
# Share of a canvas's pixels in the box colour (46, 158, 68)
GREEN_IN_CANVAS = """(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 0; i < d.length; i += 4)
    if (Math.abs(d[i] - 46) < 30 && Math.abs(d[i + 1] - 158) < 30 && Math.abs(d[i + 2] - 68) < 30 && d[i + 3] > 200) n++;
  return n / (c.width * c.height); }"""
# ... and in the map's see-through colours (the boxes and labels are opaque; the map at most 170/255)
MAP_IN_CANVAS = """(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 40 && d[i + 3] < 200) n++;
  return n / (c.width * c.height); }"""


def _sign_in(browser, url: str, issuer: str, who: User):
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 1100})  # the self-signed certificate
    context.grant_permissions(["camera"], origin=url)
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{issuer}/**", timeout=30_000)
    page.locator("input[name=sub]").first.fill(who.email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=30_000)
    page.get_by_text(f"Signed in as {who.name}").wait_for(timeout=30_000)
    return page


def _train_page(page, url: str, run_id: str):
    page.goto(f"{url}/train")
    page.get_by_role("heading", name="Train", exact=True).wait_for(timeout=30_000)
    page.locator(".st-key-train_run [data-testid=stSelectbox]").wait_for(timeout=30_000)  # widgets render after the page
    wait_idle(page)
    assert run_id in page.locator(".st-key-train_run input").input_value()  # the run shown is Ben's
    return page.locator(".st-key-train_stop button")


def test_a_teacher_and_two_students_over_https(school):
    url, issuer, video, run = school
    fake = ["--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + fake)
        try:
            # From another address of this machine, sign-in cannot come back signed in: the page says so, and where to go
            elsewhere = browser.new_context(ignore_https_errors=True)
            lost = elsewhere.new_page()
            lost.goto(url.replace("localhost", "127.0.0.1"))
            lost.get_by_text(f"Sign-in returns to {url}/, not to this address").wait_for(timeout=30_000)
            lost.screenshot(path=str(ARTIFACTS / "class-other-address.png"))
            elsewhere.close()

            # Ben runs the Webcam page over https with the fake camera: the faces are found and labelled in his browser
            ben = _sign_in(browser, url, issuer, BEN)
            ben.add_init_script(NO_WEBRTC)
            requests = []
            ben.on("request", lambda r: requests.append(r.url))
            ben.goto(f"{url}/webcam")
            ben.get_by_role("heading", name="Webcam").wait_for(timeout=30_000)
            wait_idle(ben, 90_000)  # the model's ONNX export, once
            assert ben.get_by_text("No camera here").count() == 0
            ben.get_by_role("button", name="Start the camera").click()
            ben.get_by_text("Detected 2 faces").wait_for(timeout=90_000)
            stats = ben.locator(".stats")
            assert stats.get_attribute("data-path") == "browser"
            first = int(stats.get_attribute("data-frames"))
            ben.wait_for_timeout(2000)
            assert int(stats.get_attribute("data-frames")) > first  # live: frame after frame
            labels = json.loads(stats.get_attribute("data-labels"))
            assert len(labels) == 2 and all(label.split()[0] in CLASSES for label in labels)
            overlay = ben.locator("canvas.overlay")
            assert overlay.evaluate(GREEN_IN_CANVAS) > 0.002  # the boxes drawn over the video
            assert overlay.evaluate(MAP_IN_CANVAS) < 0.02  # the boxes' and labels' anti-aliased edges only (~0.006)
            ben.get_by_text("What it looks at").click()  # the class activation map, live over each face
            for _ in range(30):
                if overlay.evaluate(MAP_IN_CANVAS) > 0.04:  # two faces' maps: ~0.1
                    break
                ben.wait_for_timeout(1000)
            assert overlay.evaluate(MAP_IN_CANVAS) > 0.04, overlay.evaluate(MAP_IN_CANVAS)
            ben.screenshot(path=str(ARTIFACTS / "class-webcam-ben.png"))
            assert ben.get_by_text("Steady emotion:").count() == 1
            assert ben.evaluate("window.__peerConnections") == 0  # no frame went to the server
            ben.get_by_role("button", name="Explain this face").click()  # the one thing sent back: a face, on request
            ben.get_by_text("The face sent from the Webcam page").wait_for(timeout=60_000)
            assert "model=vgg8-gap-lite-demo-" in ben.url  # Explain opens on the model that labelled it
            assert [u for u in requests if not u.startswith((url, "data:", "blob:"))] == []
            ben.context.close()

            # Amy cannot stop Ben's run: not from the page, not by a crafted click
            amy = _sign_in(browser, url, issuer, AMY)
            stop = _train_page(amy, url, run.id)
            assert stop.is_disabled()
            amy.evaluate(CRAFTED_CLICK, ".st-key-train_stop button")
            amy.wait_for_timeout(4000)  # the live view reruns every 1.5 s: any effect would be there by now
            wait_idle(amy)
            amy.screenshot(path=str(ARTIFACTS / "class-amy-train.png"))
            assert not run.stop_requested() and run.status().status is RunStatus.RUNNING
            amy.context.close()

            # Tess, the teacher, can; and the same crafted click from her stops it (the message is real)
            tess = _sign_in(browser, url, issuer, TESS)
            stop = _train_page(tess, url, run.id)
            assert stop.is_enabled()
            tess.evaluate(CRAFTED_CLICK, ".st-key-train_stop button")
            tess.get_by_text("Stopping at the next step").wait_for(timeout=30_000)
            assert run.stop_requested()
        finally:
            browser.close()
