"""Filters: what a conv layer's filters respond to -- gradient-ascent images, the data-set faces
that excite each filter most, the filters' outputs for one face, and the first layer's kernels."""

import numpy as np
import streamlit as st
from explain_figures import big, signed_grid, stretch
from models import pick_model
from ui import asked_first, cached_dataset, pick_dataset

from fer_core.estimate import Clock, ascent_estimate
from fer_core.explain.filters import ascent_options
from fer_core.labels import SPLITS
from fer_core.previews import montage

st.title("Filters")
c = st.columns([3, 2])
model = pick_model("fl_model", container=c[0])
if model is None:
    st.stop()
layers = model.conv_layers()
layer = c[1].selectbox("Conv layer", layers, index=len(layers) - 1, key="fl_layer", help="Names as in the Architecture page's layer table.")


@st.cache_resource
def _ascents() -> dict:
    return {}  # (run, weights digest, layer) -> AscentResult, shared by sessions


def ascent(model, layer: str):
    """Cached per model (weights digest) and layer; computed once with a progress bar. A long one
    (never drawn here for this model and layer) says how long first and waits for a click: None."""
    memo = _ascents()
    if (key := (model.run_id, model.digest, layer)) not in memo:
        if not model.ascent_cached(layer) and st.session_state.get("fl_ascent_go_for") != key:
            with st.spinner("Timing one step of gradient ascent..."):
                est = ascent_estimate(model, layer)
            if not asked_first(est, f"Gradient ascent for every filter of {layer}", "Draw them", "fl_ascent_go", key):
                return None
        bar, clock = st.progress(0.0, f"Gradient ascent for every filter of {layer} (one batch)..."), Clock()
        step = lambda f: bar.progress(f, f"Gradient ascent for every filter of {layer}: {f:.0%}{clock.left(f)}")  # noqa: E731
        memo[key] = model.gradient_ascent(layer, progress=step)
        bar.empty()
        while len(memo) > 16:
            memo.pop(next(iter(memo)))
    return memo[key]


@st.cache_data(max_entries=8, show_spinner="Finding the faces that excite each filter...")
def strongest(_model, digest: str, layer: str, data: str, data_hash: str, split: str, k: int):
    """Keyed by the weights digest (`_model`, the handle, is not hashed)."""
    ds = cached_dataset(data, data_hash)
    rows = ds.split_indices(split)[:4000]  # enough faces to find each filter's favourites, fast
    return rows[_model.top_faces(layer, ds.pixels[rows], k=k)]


names = ["Gradient ascent", "Strongest faces", "Feature maps", "First-layer kernels"]
tabs = st.tabs(names, key="fl_tab", on_change="rerun")  # only the open tab computes
for key in ("fl_data", "fl_fm_data"):  # the faces the model was trained on, by default
    st.session_state.setdefault(key, model.cfg.data)
st.session_state.setdefault("fl_split", "PublicTest")
if tabs[0].open or tabs[1].open:
    with tabs[0] if tabs[0].open else tabs[1]:
        res = ascent(model, layer)
else:
    res = None


def ascent_tab():
    st.caption(
        "Each image is optimised so that one filter responds as strongly as it can (mean over its map), all filters "
        "of the layer together in one batch, starting from a nearly blank grey face (for each filter the least "
        f"exciting of {ascent_options()['starts']} drawn ones); the filters that have not yet "
        f"risen {ascent_options()['until_rise']:g}-fold go on alone for more steps. Regularisers: the image is drawn "
        "in a 1/f-weighted Fourier basis (a frequency penalty against pixel noise), random jitter and L2 decay. "
        "Contrast is stretched for display."
    )
    cols = st.slider("Columns", 4, 16, 8, key="fl_cols")
    order = np.argsort(-res.reached)
    st.image(
        montage(stretch(res.images[order]), cols=cols, scale=2),
        width="stretch",
        caption=f"{len(order)} filters of {layer}, strongest first",
    )
    with st.expander("Reached activation per filter"):
        st.caption("rise = reached / |start|, blank for a filter silent (0) on its start image; steps = the gradient steps its image took.")
        st.dataframe(
            {
                "filter": order,
                "start": res.start[order].round(3),
                "reached": res.reached[order].round(3),
                "rise": np.where(res.start[order] != 0, res.rise[order], np.nan).round(1),
                "steps": res.steps[order],
            },
            hide_index=True,
        )


def strongest_tab():
    info, ds = pick_dataset(key="fl_data")
    if ds is not None:
        split = st.selectbox("Split", [s for s in SPLITS if sum(info.counts.get(s, {}).values())], key="fl_split")
        top = strongest(model, model.digest, layer, info.name, info.hash, split, 5)  # (C, 5) rows
        n = st.slider("Filters shown", 4, len(top), min(16, len(top)), key="fl_n")
        st.caption(f"Each row: a filter of {layer}, then the five {split} faces with its highest mean activation.")
        for f in range(n):
            r = st.columns([1, 5])
            r[0].image(big(stretch(res.images[f : f + 1])[0], 96), caption=f"filter {f}")
            r[1].image(montage(ds.pixels[top[f]], cols=5, scale=2), width=480)


def feature_maps_tab():
    info2, ds2 = pick_dataset(key="fl_fm_data")
    if ds2 is not None:
        row = st.number_input("Face (data-set row)", 0, len(ds2) - 1, key="fl_row")
        maps = model.feature_maps(layer, ds2.pixels[row])  # (C, H, W)
        a, b = st.columns([1, 5])
        a.image(big(ds2.pixels[row], 160), caption=f"row #{row}")
        grid = montage(signed_grid(maps), cols=16, scale=max(1, 96 // maps.shape[-1]))
        b.image(grid, width="stretch", caption=f"{maps.shape[0]} feature maps of {layer}, {maps.shape[1]}x{maps.shape[2]} each (grey = 0)")


def kernels_tab():
    k = model.first_layer_kernels()
    st.image(
        montage(signed_grid(k), cols=16, scale=12),
        width=min(900, 16 * 12 * k.shape[-1]),
        caption=f"{k.shape[0]} kernels of {layers[0]}, {k.shape[1]}x{k.shape[2]} (grey = 0, white = positive weight)",
    )


for tab, draw in zip(tabs, (ascent_tab, strongest_tab, feature_maps_tab, kernels_tab), strict=True):
    with tab:
        if tab.open and (res is not None or draw in (feature_maps_tab, kernels_tab)):
            draw()
