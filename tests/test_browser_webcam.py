"""The Webcam's in-browser pipeline (dashboard/static/webcam/faces.js, onnxruntime-web) against the
Python pipeline it copies (issue 43): on recorded frames of two moving faces, Chromium and Python
find the same faces in the same boxes, crop the same 48x48 faces and give the same labels with
the shipped FER+ model. The live page itself is driven in tests/test_browser_class.py."""

import functools
import http.server
import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from fer_core.data import load_dataset
from fer_core.faces import detect_faces
from fer_core.faces.browser import browser_settings, served_detector
from fer_core.handle.export import export_onnx
from fer_core.handle.store import load_model
from fer_core.train.runs import Run
from tests.browser import ARTIFACTS, browser_page, demo_for_browser
from tests.videos import detectable_faces, make_frames

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "dashboard" / "static"

# In the page: onnxruntime-web and faces.js as the Webcam loads them, then every frame through them.
RUN_FRAMES = """async ([n, w, h, cfg]) => {
  const all = new Uint8Array(await (await fetch('/frames.rgb')).arrayBuffer());  // n frames (h, w, 3)
  const ort = await import('/ort/ort.wasm.min.mjs');
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = 1;
  const F = await import('/webcam/faces.js');
  const yunet = await ort.InferenceSession.create('/models/yunet.onnx');
  const cnn = await ort.InferenceSession.create('/models/model.onnx');
  const detector = async (input, n, ph, pw) => {
    const out = await yunet.run({input: new ort.Tensor('float32', input, [n, 3, ph, pw])});
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data]));
  };
  const results = [];
  for (let k = 0; k < n; k++) {
    const rgb = all.subarray(k * w * h * 3, (k + 1) * w * h * 3);
    const rgba = new Uint8ClampedArray(w * h * 4).fill(255);
    for (let i = 0; i < w * h; i++) rgba.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]], 4 * i);
    const {faces} = await F.detectFaces(detector, F.toGray(rgba, w, h), cfg);
    let probs = [];
    if (faces.length) {
      const batch = new Uint8Array(faces.length * 2304);
      faces.forEach((f, i) => batch.set(f.face48.data, i * 2304));
      probs = Array.from((await cnn.run({faces: new ort.Tensor('uint8', batch, [faces.length, 48, 48])})).probs.data);
    }
    results.push(faces.map((f, i) => ({box: f.box, face48: Array.from(f.face48.data), probs: probs.slice(i * 8, (i + 1) * 8)})));
  }
  return results;
}"""


def require_ort_web() -> None:
    from dashboard.ort_web import installed

    if not installed():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("onnxruntime-web is missing from dashboard/static/ort: `make test` fetches it (python dashboard/ort_web.py)")
        pytest.skip("onnxruntime-web not fetched: python dashboard/ort_web.py")


class Static(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript", ".wasm": "application/wasm"}

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def static_server(tmp_path):
    """The app's static files (the runtime and faces.js) and a folder for the models and frames, served on a free port."""
    require_ort_web()
    root = tmp_path / "static"
    (root / "models").mkdir(parents=True)
    for name in ("ort", "webcam"):
        (root / name).symlink_to(STATIC / name)
    served_detector(root / "models").rename(root / "models" / "yunet.onnx")  # as the Webcam serves it
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Static, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", root / "models"
    finally:
        server.shutdown()


def test_the_browser_finds_crops_and_labels_the_faces_python_does(static_server):
    url, models = static_server
    demo_for_browser(700)
    ds = load_dataset("demo")
    frames, _ = make_frames(detectable_faces(ds.pixels[ds.split_indices("PublicTest")], 2), 16, seed=2)
    frames = np.concatenate([frames, np.full((1, 480, 640, 3), 90, np.uint8)])  # and a frame with no face
    model = load_model(Run("ferplus", ROOT / "checkpoints" / "ferplus"), precision="fp32")
    export_onnx(model, models / "model.onnx")
    (models.parent / "frames.rgb").write_bytes(np.ascontiguousarray(frames).tobytes())
    with browser_page() as page:
        page.set_default_timeout(120_000)
        page.goto(f"{url}/webcam/faces.js")
        browser = page.evaluate(RUN_FRAMES, [len(frames), 640, 480, browser_settings()])

    faces = same_box = same_label = 0
    pixel_diff = []
    for frame, js in zip(frames, browser, strict=True):
        py = detect_faces(frame, live=True).faces
        assert len(js) == len(py)  # the same faces found in every frame
        probs = model.probs(np.stack([f.face48 for f in py])) if py else []
        for f, p, j in zip(py, probs, js, strict=True):
            faces += 1
            same_box += list(f.box) == j["box"]
            same_label += int(p.argmax()) == int(np.argmax(j["probs"]))
            pixel_diff.append(np.abs(f.face48.astype(int) - np.reshape(j["face48"], (48, 48))).mean())
            assert np.abs(p - j["probs"]).max() < 0.05
    figures = {
        "frames": len(frames),
        "faces": faces,
        "same_box": same_box / faces,
        "same_label": same_label / faces,
        "face48_mean_abs_diff": float(np.mean(pixel_diff)),
    }
    (ARTIFACTS / "webcam-parity.json").write_text(json.dumps(figures, indent=1))
    assert faces == 32 and figures["same_box"] == 1.0
    assert figures["same_label"] >= 0.95  # the bar; the two differ by rounding at most
    assert figures["face48_mean_abs_diff"] < 0.05  # OpenCV's fixed-point warp and area resize, copied
