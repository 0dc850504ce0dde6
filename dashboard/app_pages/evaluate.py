"""Evaluate: a model on a split -> metrics, a clickable confusion matrix, the faces of a cell,
the classroom walkthrough, and a comparison of two models."""

import numpy as np
import pandas as pd
import streamlit as st
from eval_figures import change_matrix, confusion_scatter, gallery_html, source_photo_html
from eval_state import current_view, get_predictions, read_url_once, write_url
from explain_figures import overlay
from lesson_view import deck_positions, lessons_picker, open_lesson
from links import ExplainLink
from models import get_model, model_label, pick_model
from ui import pick_dataset
from walkthrough import walkthrough

from fer_core.evaluate import compare, confused_pairs, report
from fer_core.evaluate.truth import backed_mistakes, rescored, scorable, truth
from fer_core.explain import TITLES, heat
from fer_core.handle.store import model_choices
from fer_core.inference import TTA_LABELS, TTA_MODES
from fer_core.label_sources import TRUTHS, default_truth, truths_of
from fer_core.labels import FERPLUS_CLASSES, SPLITS

PAGE = 24  # faces per gallery page

st.title("Evaluate")
if read_url_once() and (name := st.query_params.get("lesson")):
    open_lesson(name)  # a lesson's link: its model, data and truth, as a deck

c = st.columns([3, 2, 2, 1.6], vertical_alignment="bottom")
model = pick_model("ev_model", container=c[0])
if model is None:
    st.page_link("app_pages/train.py", label="Go to Train", icon=":material/model_training:")
    st.stop()
ref = st.session_state.ev_model
with c[1]:
    info, ds = pick_dataset(key="ev_data")
if ds is None:
    st.stop()
splits = [s for s in SPLITS if sum(info.counts.get(s, {}).values())]
if st.session_state.get("ev_split") not in splits:
    st.session_state.ev_split = "PublicTest" if "PublicTest" in splits else splits[0]
split = c[2].selectbox("Split", splits, key="ev_split")
if st.session_state.get("ev_tta") not in TTA_MODES:
    st.session_state.ev_tta = "none"
TTA_HELP = "Average each face's prediction over views: flip = with its mirror image; 10-crop = five shifted crops and their mirrors."
tta = c[3].selectbox("Test-time augmentation", TTA_MODES, key="ev_tta", format_func=TTA_LABELS.get, help=TTA_HELP)
if model.trained_on(info.name, info.hash, split):
    st.warning(
        f"**{model.run_id} trained on these very faces** ({split} of {info.name}): its accuracy here says how well it learned "
        "them, not how it does on faces it has never seen. Pick PublicTest for that.",
        icon=":material/warning:",
    )
raw = get_predictions(model, ds, split, tta)
truths = truths_of(ds)  # the data set's own labels first (label_sources)
only_disputed, votes = False, ds.votes
if st.session_state.get("ev_truth") not in truths:
    st.session_state.ev_truth = truths[0]
v = st.columns([2, 2, 3], vertical_alignment="center") if len(truths) > 1 or votes is not None else [st] * 3
if len(truths) > 1:
    # a model is first scored against the labels it learned: on the page's first run (unless a
    # link chose the truth) and whenever another model is picked
    if st.session_state.get("ev_truth_model") != ref:
        if st.session_state.get("ev_truth_model") is not None or "truth" not in st.query_params:
            st.session_state.ev_truth = default_truth(ds, model.cfg.labels)  # `fer eval`'s rule
        st.session_state.ev_truth_model = ref
    truth_help = "; ".join(f"{TRUTHS[t].title}: {TRUTHS[t].help}" for t in truths)
    labels = v[0].segmented_control("Truth", truths, key="ev_truth", format_func=lambda t: TRUTHS[t].title, help=truth_help) or truths[0]
else:
    labels = truths[0]
    v[0].markdown(f"**Truth:** {TRUTHS[labels].title}", help=TRUTHS[labels].help)
if ds.has_fer2013_labels and votes is not None:
    backed, mistakes = backed_mistakes(raw, ds)
    v[2].info(
        f"**{backed:,}** of the model's {mistakes:,} mistakes by FER2013's labels are faces where most annotators agree with the model."
    )
elif votes is not None:
    v[2].info(f"FER2013's labels are unavailable for **{ds.name}**: it came from the FERPlus folders, which carry only the ten votes.")
if votes is not None:
    disputed_help = "no emotion has more than half of the votes" + (", or FER2013's label got 3 or fewer" if ds.has_fer2013_labels else "")
    only_disputed = v[1].toggle("Only disputed faces", key="ev_disputed", help=disputed_help)
if apart := int((~scorable(truth(ds, raw.indices, labels), model.num_classes)).sum()):
    if labels == "ferplus":
        contempt = " (or with contempt's, not a class of this model)" if model.num_classes < len(FERPLUS_CLASSES) else ""
        st.caption(f"Scored against the FER+ majority: {apart:,} faces without one{contempt} are left out.")
    else:
        st.caption(
            f"Scored against the {TRUTHS[labels].title}: {apart:,} faces labelled contempt, not a class of this model, are left out."
        )
preds = rescored(raw, ds, labels, only_disputed)
rep = report(preds.labels, preds.pred, model.classes)
cm = np.array(rep["confusion_matrix"])
cell = st.session_state.get("ev_cell")
if cell is not None and max(cell) >= model.num_classes:  # a cell of another model's classes (a link, a switch)
    cell = st.session_state.ev_cell = None


def open_cell(t: int, p: int) -> None:
    st.session_state.ev_cell, st.session_state.ev_face, st.session_state.ev_gallery_n = (t, p), None, PAGE


def on_matrix_click() -> None:
    points = st.session_state.ev_matrix.selection.points
    if points and points[0].get("x") in model.classes and points[0].get("y") in model.classes:
        open_cell(model.classes.index(points[0]["y"]), model.classes.index(points[0]["x"]))


def saliency_beside(model, face, pred: int) -> None:
    """The walkthrough's explanation: the homework's gradient saliency and Grad-CAM for the predicted class."""
    for method in ("saliency", "grad-cam"):
        e = model.explain(face, method, target=pred)
        st.image(overlay(face, heat(e.map), 0.6, size=288), caption=f"{TITLES[method]} for {model.classes[pred]}", width=288)


def start_walk() -> None:
    st.session_state.ev_view, st.session_state.ev_revealed = "walk", False


explain_face = lambda row, pred: saliency_beside(model, ds.pixels[row], pred)  # noqa: E731
if st.session_state.get("ev_view") == "walk" and cell is not None:
    walkthrough(ds, preds, cell, write_url(), explain=explain_face, votes=votes, view=current_view())
    st.stop()
if st.session_state.get("ev_view") == "lesson" and st.session_state.get("ev_lesson"):
    positions, heading = deck_positions(preds, ds)
    walkthrough(ds, preds, None, write_url(), explain=explain_face, votes=votes, positions=positions, heading=heading)
    st.stop()
lessons_picker()

m = st.columns(4)
m[0].metric("Accuracy", f"{rep['accuracy']:.1%}")
m[1].metric("Macro-F1", f"{rep['macro_f1']:.3f}")
m[2].metric("Faces", f"{rep['n']:,}")
m[3].metric("Model", model.cfg.arch, help=f"run {model.run_id} · trained on {model.cfg.data} · predicts in {model.arithmetic}")

left, right = st.columns([5, 4])
with left:
    normalised = st.segmented_control("Show", ["counts", "row %"], default="counts", key="ev_norm") == "row %"
    st.plotly_chart(
        confusion_scatter(cm, normalised, cell),
        key="ev_matrix",
        on_select=on_matrix_click,
        selection_mode="points",
        width="content",
        config={"displayModeBar": False},
    )
    st.caption("Rows: true class; columns: predicted. Click a cell to see its faces.")
with right:
    st.subheader("Most confused")
    for i, pair in enumerate(confused_pairs(cm, top=5)):
        st.button(
            pair.sentence(model.classes),
            key=f"ev_pair_{i}",
            on_click=open_cell,
            args=(pair.true, pair.pred),
            icon=":material/arrow_outward:",
        )
    st.subheader("Per class")
    table = pd.DataFrame(rep["per_class"]).T
    table["support"] = table["support"].astype(int)
    st.dataframe(table.style.format({"precision": "{:.3f}", "recall": "{:.3f}", "f1": "{:.3f}"}), width="stretch")

write_url()  # the address bar follows the view (matrix, cell), so a reload or a shared link reopens it
if cell is not None:
    t, p = cell
    positions = preds.cell(t, p)
    kind = "right" if t == p else "mistakes"
    st.subheader(f"True {model.classes[t]}, predicted {model.classes[p]}: {len(positions)} faces")
    if len(positions):
        g = st.columns([3, 2, 2])
        g[0].caption(f"Most confident {kind} first. Green bar: the true class; red: the model's wrong answer.")
        g[1].button("Walk through these faces", icon=":material/co_present:", type="primary", on_click=start_walk, key="ev_walk")
        shown = positions[: st.session_state.get("ev_gallery_n", PAGE)]
        rows = preds.indices[shown]
        view = current_view()
        links = [{"walk from here": view.query(face=int(r), walk=True), "explain": ExplainLink(ref, ds.name, int(r)).href()} for r in rows]
        photos = [source_photo_html(ds, int(r), 160) for r in rows] if ds.photos is not None else None
        st.html(
            gallery_html(
                ds.pixels[rows], preds.probs[shown], preds.labels[shown], rows, links, None if votes is None else votes[rows], photos
            )
        )
        if len(shown) < len(positions):
            st.button(
                f"Show {min(PAGE, len(positions) - len(shown))} more ({len(positions) - len(shown)} left)",
                key="ev_more",
                on_click=lambda: st.session_state.update(ev_gallery_n=len(shown) + PAGE),
            )

st.divider()
st.subheader("Compare with another model")
others = [r for r in model_choices() if r != ref]
if not others:
    st.caption("Train a second model (say, without augmentation) to compare the two on the same faces.")
    st.stop()
if st.session_state.get("ev_other") not in ["—", *others]:
    st.session_state.ev_other = "—"
other = st.selectbox("Model B", ["—", *others], key="ev_other", format_func=lambda r: r if r == "—" else model_label(r))
if other == "—":
    st.stop()
model_b = get_model(other)
common = min(model.num_classes, model_b.num_classes)  # the faces both can be scored on
comp = compare(*(rescored(p, ds, labels, only_disputed, common) for p in (raw, get_predictions(model_b, ds, split, tta))))
rep_a, rep_b = (report(p.labels, p.pred, m.classes) for p, m in ((comp.a, model), (comp.b, model_b)))
left_out = (
    " · faces whose FER+ majority is contempt left out: one model has no such class" if len(comp.a.indices) < len(preds.indices) else ""
)
st.caption(f"A: **{model_label(ref)}** · B: **{model_label(other)}** · {ds.name}/{split}{left_out}")
k = st.columns(4)
k[0].metric("A accuracy", f"{rep_a['accuracy']:.1%}")
k[1].metric("B accuracy", f"{rep_b['accuracy']:.1%}", delta=f"{100 * (rep_b['accuracy'] - rep_a['accuracy']):+.1f} pts")
k[2].metric("Only A right", int(comp.agreement[0, 1]))
k[3].metric("Only B right", int(comp.agreement[1, 0]))
st.caption(
    f"Both right on {comp.agreement[0, 0]:,} faces, both wrong on {comp.agreement[1, 1]:,}; "
    f"they give different answers on {int(comp.changes.sum()):,} faces, counted below."
)
st.plotly_chart(change_matrix(comp.changes, "A", "B"), width="stretch", config={"displayModeBar": False})
tabs = st.tabs([f"A right, B wrong ({len(comp.a_only)})", f"B right, A wrong ({len(comp.b_only)})"])
for tab, pos, loser in ((tabs[0], comp.a_only, comp.b), (tabs[1], comp.b_only, comp.a)):
    with tab:
        shown = pos[:PAGE]
        rows = comp.a.indices[shown]  # the compared faces (the same for both)
        who = "B" if loser is comp.b else "A"
        st.caption(f"Bars: the probabilities of the model that got it wrong ({who}); its most confident mistakes first.")
        ballots = None if votes is None else votes[rows]
        st.html(gallery_html(ds.pixels[rows], loser.probs[shown], loser.labels[shown], rows, [{} for _ in rows], ballots))
