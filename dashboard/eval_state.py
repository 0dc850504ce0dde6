"""Evaluate page state: cached predictions, and the page's session state mirrored to and from
its link (`links.EvaluateView`)."""

from collections import OrderedDict
from urllib.parse import urlencode

import streamlit as st
from links import EvaluateView
from ui import asked_first

from fer_core.estimate import Clock, prediction_estimate
from fer_core.evaluate import Predictions
from fer_core.handle.loaded import LoadedModel
from fer_core.handle.predictions import cached_predictions, predict_split


@st.cache_resource
def _memo() -> OrderedDict:
    return OrderedDict()  # shared by sessions: the predictions of recent (model, data, split, tta)


def get_predictions(model: LoadedModel, ds, split: str, tta: str) -> Predictions:
    """From memory, else the run's disk cache, else computed with a progress bar (then cached)."""
    key = (model.run_id, model.digest, ds.name, ds.hash, split, tta)
    memo = _memo()
    if key in memo:
        memo.move_to_end(key)
        return memo[key]
    if (preds := cached_predictions(model, ds, split, tta)) is None:
        n = len(ds.split_indices(split))
        if st.session_state.get("ev_score_go_for") != key:  # the first evaluation of this model on these faces
            what = f"Scoring **{model.run_id}** on the {n:,} {split} faces of {ds.name}"
            if not asked_first(prediction_estimate(model, n, tta), what, "Score them", "ev_score_go", key):
                st.stop()
        bar, clock = st.progress(0.0, f"Predicting every {split} face with {model.run_id}..."), Clock()
        preds = predict_split(model, ds, split, tta, progress=lambda f: bar.progress(f, f"Predicting {split}: {f:.0%}{clock.left(f)}"))
        bar.empty()
    memo[key] = preds
    while len(memo) > 8:
        memo.popitem(last=False)
    return preds


def read_url_once() -> bool:
    """On a session's first run of the page, take its state from the URL (a shared link); True then."""
    if st.session_state.get("ev_url_read"):
        return False
    st.session_state.ev_url_read = True
    v = EvaluateView.from_params(st.query_params)
    for key, value in (("ev_model", v.model), ("ev_data", v.data), ("ev_split", v.split), ("ev_other", v.other)):
        if value:
            st.session_state[key] = value
    st.session_state.update(ev_tta=v.tta, ev_cell=v.cell, ev_face=v.face, ev_view="walk" if v.walk else "matrix", ev_guess=v.guess)
    st.session_state.ev_disputed = v.disputed
    if "truth" in st.query_params:  # else the page scores the model against the labels it learned
        st.session_state.ev_truth = v.truth
    return True


def current_view() -> EvaluateView:
    s = st.session_state
    return EvaluateView(
        model=s.get("ev_model"),
        data=s.get("ev_data"),
        split=s.get("ev_split"),
        tta=s.get("ev_tta") or "none",
        cell=s.get("ev_cell"),
        face=s.get("ev_face"),
        walk=s.get("ev_view") == "walk",
        guess=bool(s.get("ev_guess")),
        other=s.get("ev_other") if s.get("ev_other") not in (None, "—") else None,
        truth=s.get("ev_truth") or "fer2013",
        disputed=bool(s.get("ev_disputed")),
    )


def write_url() -> str:
    """Mirror the view into the address bar; returns the full link to share (a lesson's deck: its name)."""
    base = (st.context.url or "").split("?")[0]
    if st.session_state.get("ev_view") == "lesson" and (lesson := st.session_state.get("ev_lesson")):
        st.query_params.from_dict({"lesson": lesson})
        return f"{base}?{urlencode({'lesson': lesson})}"
    view = current_view()
    st.query_params.from_dict(view.params())
    return base + view.query()
