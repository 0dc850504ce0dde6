"""FER Lab's entry point and router: `streamlit run dashboard/Home.py`."""

from pathlib import Path

import streamlit as st
from auth import require_sign_in
from nav import HOME, PAGES

from fer_core.data import ensure_demo, list_datasets

# A local icon: a ":material/..:" favicon would be fetched from a font CDN (the app must work offline).
st.set_page_config(page_title="FER Lab", page_icon=str(Path(__file__).parent / "assets" / "icon.png"), layout="wide")


def first_launch() -> None:
    """With no data set at all, draw the offline demo faces so every page has data."""
    if list_datasets():
        return
    bar = st.progress(0.0, "First launch: drawing the offline demo faces...")
    try:
        made = ensure_demo(progress=lambda f, msg: bar.progress(min(f, 1.0), msg))
    except FileExistsError:  # another tab drew them at the same moment
        made = None
    bar.empty()
    if made:
        st.toast(f"Drew {made.n:,} demo faces: every page works now, offline.", icon=":material/auto_awesome:")


require_sign_in()  # a class server: every page asks for sign-in first (off on a laptop)
first_launch()
nav = st.navigation(
    [st.Page(p.path, title=p.title, icon=p.icon, default=p is HOME, url_path=None if p is HOME else p.url_path) for p in PAGES]
)
nav.run()
