"""Explain: what the CNN looks at. Six saliency methods side by side for one face, the same
maps from a randomised model (the sanity check), and occlusion you can move around."""

import streamlit as st
from explain_figures import big, overlay, probability_bars
from face_input import pick_face
from links import ExplainLink
from models import pick_model

from fer_core.explain import METHODS, TITLES, heat
from fer_core.explain.occlusion import OCCLUSION_PRESETS
from fer_core.handle.store import face_model, face_model_note
from fer_core.labels import FERPLUS_CLASSES

st.title("Explain")
st.caption("Which pixels drive the model's answer? Pick a face; every map shows relevance for one class, brighter = more.")

model = pick_model("ex_model", wanted=ExplainLink.from_params(st.query_params).model, first=(start := face_model()))
if model is None:
    st.stop()
if st.session_state.ex_model == start:  # the page's own choice: say why
    st.caption(face_model_note(start))
face, what, true = pick_face()
if face is None:
    st.stop()
st.query_params["model"] = st.session_state.ex_model

probs = model.face_probs(face)
pred = int(probs.argmax())
c = st.columns([2, 2, 2, 3])
classes = model.classes
options = [-1, *range(len(classes))]  # -1: whatever the model predicts
choice = c[0].selectbox(
    "Explain the class", options, key="ex_target", format_func=lambda k: f"predicted ({classes[pred]})" if k == -1 else classes[k]
)
target = None if choice == -1 else choice
layers = model.conv_layers()
layer = c[1].selectbox("Grad-CAM layer", layers, index=len(layers) - 1, key="ex_layer")
alpha = c[2].slider("Map opacity", 0.0, 1.0, 0.6, 0.05, key="ex_alpha")
SANITY_HELP = "Adebayo et al. (2018): a map that looks alike with random weights says nothing about the model."
sanity = c[3].toggle("Sanity check: also a randomised model", key="ex_sanity", help=SANITY_HELP)

seen = model.sees(face)  # histogram-equalised when the model was trained on equalised faces
seen_note = " · equalised, as the model sees it" if model.preprocessing.equalize else ""
left, right = st.columns([1, 3])
with left:
    st.image(big(seen, 224), caption=what + seen_note, width="stretch")
    verdict = "" if true is None else (" ✓" if true == pred else f" ✗ (true: {FERPLUS_CLASSES[true]})")
    st.markdown(f"**Model: {classes[pred]} {probs[pred]:.0%}**{verdict}")
    st.plotly_chart(probability_bars(probs), width="stretch", config={"displayModeBar": False}, key="ex_probs")


def draw_maps(handle, label: str) -> None:
    cols = st.columns(3)
    for i, method in enumerate(METHODS):
        e = handle.explain(face, method, target=target, layer=layer)
        cols[i % 3].image(overlay(seen, heat(e.map), alpha), caption=f"{TITLES[method]}{label}", width="stretch")


with right:
    st.markdown(f"**Relevance for _{classes[pred if target is None else target]}_**")
    with st.spinner("Computing six maps..."):
        draw_maps(model, "")
    if sanity:
        st.markdown("**The same, from a randomised copy of the model** (if these look alike, the map shows the face, not the model)")
        draw_maps(model.randomized(), " · random weights")

st.divider()
st.subheader("Occlusion: cover part of the face")
st.caption("A grey square hides part of the face; watch the probabilities move. Presets put it on the eyes, the nose or the mouth.")
PATCH_KEYS = ("oc_top", "oc_left", "oc_h", "oc_w")
for key, v in zip(PATCH_KEYS, OCCLUSION_PRESETS["eyes"], strict=True):
    st.session_state.setdefault(key, v)


def set_patch(name: str) -> None:
    st.session_state.update(zip(PATCH_KEYS, OCCLUSION_PRESETS[name], strict=True))


b = st.columns(6)
for i, name in enumerate(OCCLUSION_PRESETS):
    b[i].button(f"Cover the {name}", key=f"oc_{name}", on_click=set_patch, args=(name,), width="stretch")
s = st.columns(4)
h = s[2].slider("Height", 2, 48, key="oc_h")
w = s[3].slider("Width", 2, 48, key="oc_w")
top = s[0].slider("Top", 0, 47, key="oc_top")
left_ = s[1].slider("Left", 0, 47, key="oc_left")
covered = model.occlude(face, (top, left_, h, w))
after = covered.probs
o = st.columns([1, 3])
o[0].image(big(covered.face, 224), caption="covered face", width="stretch")
o[1].plotly_chart(
    probability_bars(after, probs, names=("covered", "original")), width="stretch", config={"displayModeBar": False}, key="oc_probs"
)
k = int(after.argmax())
change = "fell" if after[pred] < probs[pred] else "rose"
o[1].markdown(
    f"Covered: **{classes[k]} {after[k]:.0%}** (was {classes[pred]} {probs[pred]:.0%}); "
    f"{classes[pred]} {change} by {abs(after[pred] - probs[pred]):.0%}."
)
