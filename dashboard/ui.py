"""Helpers shared by pages: cached loading, the data-set picker, and why a camera is missing."""

from urllib.parse import urlparse

import streamlit as st

from fer_core.data import FaceDataset, default_dataset, list_datasets, load_dataset
from fer_core.estimate import duration


@st.cache_resource(max_entries=3, show_spinner="Loading data set...")
def cached_dataset(name: str, content_hash: str) -> FaceDataset:
    """One copy per (name, content) across sessions; a re-import changes the hash."""
    return load_dataset(name)


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def asked_first(estimate, what: str, button: str, key: str, token) -> bool:
    """Long work is said before it starts: with an estimate past `estimate.LONG_S`, show `what` and
    it (`Estimate.text()`) and a button, and return False until that button is pressed for `token`
    (the work's identity: another model or layer asks again); True at once for short work."""
    go = f"{key}_for"
    if st.session_state.get(go) == token or not estimate.long:
        return True
    st.info(f"{what}: {estimate.text()}. It is done once, then kept.")
    st.button(
        f"{button} (about {duration(estimate.seconds)})", type="primary", key=key, on_click=st.session_state.update, args=({go: token},)
    )
    return False


def camera_blocked(page_url: str | None = None) -> str | None:
    """Why the browser will not give this page (`page_url`, default the session's) a camera, or
    None: browsers allow one only on a secure origin (https, or localhost), so a student on
    `http://<teacher's machine>:8501` has none."""
    url = urlparse(page_url if page_url is not None else st.context.url or "")
    host = url.hostname or ""
    if url.scheme == "https" or host in LOCAL_HOSTS or host.endswith(".localhost") or not host:
        return None
    return (
        f"**No camera here, and this is why:** browsers give a page the camera only over **https** (or on the machine itself, "
        f"as localhost), and this page came over plain **http** from `{host}`. Ask your teacher to serve FER Lab over https "
        "(README, *FER Lab for a class*: `fer class cert`, then `make serve`), then open the **https://** address."
    )


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
        st.session_state[key] = default_dataset(infos)
    name = st.selectbox(label, names, key=key)
    info = infos[names.index(name)]
    return info, cached_dataset(info.name, info.hash)
