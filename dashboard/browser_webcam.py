"""The Webcam page's live view as a Streamlit component (Components v2: it runs in the page
itself, where getUserMedia and module workers work, with no iframe): dashboard/static/webcam/
holds its JavaScript. The app serves, from its own origin, onnxruntime-web (fetched at set-up,
`ort_web.py`), the face detector and the chosen model, exported to ONNX on first use and kept by
run id and weights digest."""

from pathlib import Path

import numpy as np
import streamlit as st
from ort_web import STATIC, installed

from fer_core.faces.browser import browser_settings, served_detector
from fer_core.handle.export import export_onnx, export_path, prune_exports
from fer_core.handle.loaded import LoadedModel
from fer_core.handle.store import model_choices
from fer_core.labels import IMAGE_SIZE

MODELS = STATIC / "models"  # git-ignored: what the browser loads
# Loads webcam.js from the app's static files (an inline module cannot import by relative path).
LOADER = """export default function (component) {
  const base = new URL(component.data.base, window.location.origin).href;
  const mounted = import(base + "webcam/webcam.js").then((m) => m.mount(component, base));
  return () => mounted.then((stop) => stop());
}"""
COMPONENT = st.components.v2.component("fer_webcam", js=LOADER, css=(STATIC / "webcam" / "webcam.css").read_text())


def static_url(path: Path) -> str:
    """`path` under dashboard/static as the browser asks for it (behind any server.baseUrlPath)."""
    prefix = st.get_option("server.baseUrlPath").strip("/")
    return f"/{prefix + '/' if prefix else ''}app/static/{path.relative_to(STATIC).as_posix()}"


def served_model(model: LoadedModel) -> Path:
    """`model` as ONNX for the browser: exported (and checked against PyTorch) once per weights;
    then the exports no model can ask for any more (older weights, deleted runs) are removed."""
    target = export_path(model, MODELS)
    if not target.exists():
        with st.spinner(f"Preparing {model.run_id} for your browser (an ONNX export, once for these weights)..."):
            export_onnx(model, target)
        prune_exports(MODELS, target, model_choices())
    return target


def live_webcam(model: LoadedModel, smoothing: int, cam: bool, key: str = "webcam") -> np.ndarray | None:
    """Mount the live view; returns the 48x48 face the student sent to Explain, or None."""
    if not installed():
        st.error(
            "The in-browser runtime (onnxruntime-web) is missing from dashboard/static/ort. Start the app with "
            "`make run`, which fetches it once, or run `python dashboard/ort_web.py`.",
            icon=":material/error:",
        )
        return None
    try:
        model_file = served_model(model)
    except ValueError as e:  # a graph that does not match the model is refused by name, nothing written
        st.error(f"{model.run_id} cannot run in the browser: {e}", icon=":material/error:")
        return None
    data = {
        "base": static_url(STATIC) + "/",
        "detector": static_url(served_detector(MODELS)),
        "model": static_url(model_file),
        "model_name": model.run_id,
        "classes": list(model.classes),
        "cfg": browser_settings(),
        "smoothing": smoothing,
        "cam": cam,
    }
    result = COMPONENT(data=data, key=key, on_explain_change=lambda: None)
    face = result.get("explain") if result else None
    return None if face is None else np.asarray(face, np.uint8).reshape(IMAGE_SIZE, IMAGE_SIZE)
