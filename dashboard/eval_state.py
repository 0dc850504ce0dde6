"""Evaluate page state: cached models and predictions, and the URL that reopens a view.

URL parameters (`st.query_params`): model, data, split, tta=1, cell=<true>-<pred> (class
names), face=<data-set row>, view=walk, guess=1. A teacher's lesson is a list of such links.
"""

from collections import OrderedDict
from urllib.parse import urlencode

import streamlit as st

from fer_core.evaluate import Predictions, predict_split
from fer_core.labels import CLASSES, SPLITS
from fer_core.model_store import DEFAULT, LoadedModel, load_model, resolve_run


@st.cache_resource(max_entries=6, show_spinner="Loading the model...")
def cached_model(ref: str, stamp: float) -> LoadedModel:
    """One loaded copy per model and weights file version (`stamp`: its mtime)."""
    return load_model(ref)


def get_model(ref: str) -> LoadedModel:
    run = resolve_run(ref)
    return cached_model(ref, (run.dir / "best.safetensors").stat().st_mtime)


@st.cache_resource
def _memo() -> OrderedDict:
    return OrderedDict()  # shared by sessions: the predictions of recent (model, data, split, tta)


def get_predictions(model: LoadedModel, ds, split: str, tta: bool) -> Predictions:
    """From memory, else the run's disk cache, else computed with a progress bar (then cached)."""
    key = (model.run_id, model.digest, ds.name, ds.hash, split, tta)
    memo = _memo()
    if key in memo:
        memo.move_to_end(key)
        return memo[key]
    bar = st.progress(0.0, f"Predicting every {split} face with {model.run_id}...")
    preds = predict_split(model, ds, split, tta, progress=lambda f: bar.progress(f, f"Predicting {split}: {f:.0%}"))
    bar.empty()
    memo[key] = preds
    while len(memo) > 8:
        memo.popitem(last=False)
    return preds


def model_label(ref: str) -> str:
    return "default (shipped FER2013 model)" if ref == DEFAULT else ref


def cell_param(cell: tuple[int, int] | None) -> str | None:
    return f"{CLASSES[cell[0]]}-{CLASSES[cell[1]]}" if cell else None


def parse_cell(text: str | None) -> tuple[int, int] | None:
    parts = (text or "").lower().split("-")
    if len(parts) == 2 and all(p in CLASSES for p in parts):
        return CLASSES.index(parts[0]), CLASSES.index(parts[1])
    return None


def read_url_once() -> None:
    """On a session's first run of the page, take its state from the URL (a shared link)."""
    if st.session_state.get("ev_url_read"):
        return
    st.session_state.ev_url_read = True
    q = st.query_params
    for param, key in (("model", "ev_model"), ("data", "ev_data")):
        if q.get(param):
            st.session_state[key] = q[param]
    if q.get("split") in SPLITS:
        st.session_state.ev_split = q["split"]
    st.session_state.ev_tta = q.get("tta") == "1"
    st.session_state.ev_cell = parse_cell(q.get("cell"))
    face = q.get("face", "")
    st.session_state.ev_face = int(face) if face.isdigit() else None
    st.session_state.ev_view = "walk" if q.get("view") == "walk" and st.session_state.ev_cell else "matrix"
    st.session_state.ev_guess = q.get("guess") == "1"


def url_params(**extra) -> dict[str, str]:
    """The current view as URL parameters; `extra` overrides (None drops a key)."""
    s = st.session_state
    params = {
        "model": s.get("ev_model"), "data": s.get("ev_data"), "split": s.get("ev_split"),
        "tta": "1" if s.get("ev_tta") else None, "cell": cell_param(s.get("ev_cell")),
        "face": str(s["ev_face"]) if s.get("ev_face") is not None and s.get("ev_cell") else None,
        "view": "walk" if s.get("ev_view") == "walk" else None, "guess": "1" if s.get("ev_guess") else None,
    }  # fmt: skip
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def write_url() -> str:
    """Mirror the view into the address bar; returns the full link to share."""
    params = url_params()
    st.query_params.from_dict(params)
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{urlencode(params)}"
