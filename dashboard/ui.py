"""Helpers shared by pages: cached loading and the data-set picker."""

import streamlit as st

from fer_core.data import FaceDataset, list_datasets, load_dataset


@st.cache_resource(max_entries=3, show_spinner="Loading data set...")
def cached_dataset(name: str, content_hash: str) -> FaceDataset:
    """One copy per (name, content) across sessions; a re-import changes the hash."""
    return load_dataset(name)


def pick_dataset(key: str = "dataset", label: str = "Data set"):
    """Select box over the data sets; returns (DatasetInfo, FaceDataset) or (None, None)."""
    infos = list_datasets()
    if not infos:
        st.info("No data set yet. Import one below, or run `fer data synth` for the demo faces.")
        return None, None
    names = [d.name for d in infos]
    # A page that just made a data set asks for it here: the widget's key can only be
    # set before the widget exists.
    if (pending := st.session_state.pop(f"{key}_pending", None)) in names:
        st.session_state[key] = pending
    if st.session_state.get(key) not in names:
        st.session_state[key] = "fer2013" if "fer2013" in names else names[0]
    name = st.selectbox(label, names, key=key)
    info = infos[names.index(name)]
    return info, cached_dataset(info.name, info.hash)
