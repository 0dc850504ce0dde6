"""Explain: what the CNN looks at. Six saliency methods side by side for one face, the same
maps from a randomised model (the sanity check), and occlusion you can move around."""

import numpy as np
import streamlit as st
from eval_state import get_model, model_label
from explain_figures import big, overlay, probability_bars
from face_input import pick_face

from fer_core.explain import METHODS, TITLES, conv_layers, explain, heat, occlusion_probs, probabilities, randomized
from fer_core.explain.base import to_input
from fer_core.explain.occlusion import occlude
from fer_core.labels import CLASSES
from fer_core.model_store import model_choices

st.title("Explain")
st.caption("Which pixels drive the model's answer? Pick a face; every map shows relevance for one class, brighter = more.")

choices = model_choices()
if not choices:
    st.info("No trained model yet. Train one on the **Train** page, then come back.")
    st.stop()
if st.query_params.get("model") in choices and not st.session_state.get("ex_model"):
    st.session_state.ex_model = st.query_params["model"]
ref = st.selectbox("Model", choices, key="ex_model", format_func=model_label)
model = get_model(ref)
face, what, true = pick_face()
if face is None:
    st.stop()
st.query_params["model"] = ref


@st.cache_resource(max_entries=4)
def random_copy(run_id: str, digest: str):
    return randomized(model.model, seed=0)


probs = probabilities(model.model, face, model.normalization, model.stats)
pred = int(probs.argmax())
c = st.columns([2, 2, 2, 3])
options = [-1, *range(len(CLASSES))]  # -1: whatever the model predicts
choice = c[0].selectbox("Explain the class", options, key="ex_target",
                        format_func=lambda k: f"predicted ({CLASSES[pred]})" if k == -1 else CLASSES[k])  # fmt: skip
target = None if choice == -1 else choice
layers = conv_layers(model.model)
layer = c[1].selectbox("Grad-CAM layer", layers, index=len(layers) - 1, key="ex_layer")
alpha = c[2].slider("Map opacity", 0.0, 1.0, 0.6, 0.05, key="ex_alpha")
sanity = c[3].toggle("Sanity check: also a randomised model", key="ex_sanity",
                     help="Adebayo et al. (2018): a map that looks alike with random weights says nothing about the model.")  # fmt: skip

left, right = st.columns([1, 3])
with left:
    st.image(big(face, 224), caption=what, width="stretch")
    verdict = "" if true is None else (" ✓" if true == pred else f" ✗ (true: {CLASSES[true]})")
    st.markdown(f"**Model: {CLASSES[pred]} {probs[pred]:.0%}**{verdict}")
    st.plotly_chart(probability_bars(probs), width="stretch", config={"displayModeBar": False}, key="ex_probs")


def draw_maps(net, model_id: str, label: str) -> None:
    cols = st.columns(3)
    for i, method in enumerate(METHODS):
        e = explain(net, face, method, model.normalization, model.stats, target=target, layer=layer, model_id=model_id)
        cols[i % 3].image(overlay(face, heat(e.map), alpha), caption=f"{TITLES[method]}{label}", width="stretch")


with right:
    tgt = CLASSES[pred if target is None else target]
    st.markdown(f"**Relevance for _{tgt}_**")
    with st.spinner("Computing six maps..."):
        draw_maps(model.model, model.digest, "")
    if sanity:
        st.markdown("**The same, from a randomised copy of the model** (if these look alike, the map shows the face, not the model)")
        draw_maps(random_copy(model.run_id, model.digest), model.digest + "-random", " · random weights")

st.divider()
st.subheader("Occlusion: cover part of the face")
st.caption("A grey square hides part of the face; watch the probabilities move. Presets put it on the eyes or the mouth.")
PRESETS = {"eyes": (12, 6, 12, 36), "nose": (20, 17, 12, 14), "mouth": (31, 12, 12, 24)}  # top, left, height, width
for key, v in zip(("oc_top", "oc_left", "oc_h", "oc_w"), PRESETS["eyes"], strict=True):
    st.session_state.setdefault(key, v)


def set_patch(name: str) -> None:
    st.session_state.update(zip(("oc_top", "oc_left", "oc_h", "oc_w"), PRESETS[name], strict=True))


b = st.columns(6)
for i, name in enumerate(PRESETS):
    b[i].button(f"Cover the {name}", key=f"oc_{name}", on_click=set_patch, args=(name,), width="stretch")
s = st.columns(4)
h = s[2].slider("Height", 2, 48, key="oc_h")
w = s[3].slider("Width", 2, 48, key="oc_w")
top = s[0].slider("Top", 0, 47, key="oc_top")
left_ = s[1].slider("Left", 0, 47, key="oc_left")
patch = (top, left_, h, w)
covered = (occlude(to_input(face), *patch)[0, 0].numpy() * 255).astype(np.uint8)
after = occlusion_probs(model.model, face, model.normalization, patch, model.stats)
o = st.columns([1, 3])
o[0].image(big(covered, 224), caption="covered face", width="stretch")
o[1].plotly_chart(
    probability_bars(after, probs, names=("covered", "original")), width="stretch", config={"displayModeBar": False}, key="oc_probs"
)
k = int(after.argmax())
o[1].markdown(f"Covered: **{CLASSES[k]} {after[k]:.0%}** (was {CLASSES[pred]} {probs[pred]:.0%}); "
              f"{CLASSES[pred]} {'fell' if after[pred] < probs[pred] else 'rose'} by {abs(after[pred] - probs[pred]):.0%}.")  # fmt: skip
