"""Loading and caching models for every page: one loaded copy per model and weights file, shared
by sessions, and the model picker. Pages get a `LoadedModel` (the model handle) and call it."""

import streamlit as st

from fer_core.handle.loaded import LoadedModel
from fer_core.handle.store import SHIPPED, load_model, model_choices, resolve_run


@st.cache_resource(max_entries=6, show_spinner="Loading the model...")
def cached_model(ref: str, stamp: float) -> LoadedModel:
    """One loaded copy per model and weights file version (`stamp`: the file's mtime)."""
    return load_model(ref)


def get_model(ref: str) -> LoadedModel:
    return cached_model(ref, resolve_run(ref).weights_path("best").stat().st_mtime)


def model_label(ref: str) -> str:
    return f"{ref} ({SHIPPED[ref]})" if ref in SHIPPED else ref


def pick_model(key: str, label: str = "Model", container=st, wanted: str | None = None, first: str | None = None) -> LoadedModel | None:
    """A model select box over the shipped models and the finished runs; None (with a hint) when
    there is none. `wanted` (e.g. from a link) is selected when it is among them; else `first`
    when the page has not picked one yet."""
    choices = model_choices()
    if not choices:
        st.info("No trained model yet. Train one on the **Train** page (a few minutes on the demo faces), then come back.")
        return None
    if wanted in choices and not st.session_state.get(f"{key}_link_read"):
        st.session_state[key], st.session_state[f"{key}_link_read"] = wanted, True
    if st.session_state.get(key) not in choices:
        start = first if first in choices else choices[0]
        if st.session_state.get(key):
            st.warning(f"Model {st.session_state[key]!r} is not here (or not finished); showing {model_label(start)}.")
        st.session_state[key] = start
    ref = container.selectbox(label, choices, key=key, format_func=model_label)
    return get_model(ref)
