"""Classroom walkthrough: one face of the selected cell at a time, large, with big buttons
and a guess-first mode that hides the labels until the teacher reveals them."""

import numpy as np
import streamlit as st
from eval_figures import GALLERY_CSS, face_png, prob_bars, source_photo_html, vote_bar
from lesson_view import pick_box

from fer_core.data.ferplus import majority
from fer_core.evaluate import Predictions
from fer_core.labels import FERPLUS_CLASSES

BIG_BUTTONS = """<style>
div[class*="st-key-walk_"] button {min-height:3.6rem}
div[class*="st-key-walk_"] button p {font-size:1.35rem !important}
.wk-label{font-size:1.6rem;margin:.2rem 0}
.wk-hidden{font-size:1.6rem;color:#868e96;margin:1rem 0}
</style>"""


def _step(delta: int, n: int, rows: np.ndarray) -> None:
    pos = int(np.flatnonzero(rows == st.session_state.ev_face)[0]) if st.session_state.ev_face in rows else 0
    st.session_state.ev_face = int(rows[(pos + delta) % n])
    st.session_state.ev_revealed = False


def _reveal() -> None:
    st.session_state.ev_revealed = True


def _leave() -> None:
    st.session_state.ev_view = "matrix"


def both_truths(ds, row: int) -> str:
    """FER2013's label and the FER+ majority side by side, for a face with votes (they often differ:
    #31886 is neutral in FER2013, sad to most annotators)."""
    top = int(majority(ds.votes[[row]])[0])
    fer = FERPLUS_CLASSES[ds.labels[row]] if ds.has_fer2013_labels else None
    plus = FERPLUS_CLASSES[top] if top >= 0 else "none"
    differ = fer is not None and fer != plus
    style = "color:#e8590c" if differ else "color:#495057"
    said = (
        " <b>(they disagree)</b>"
        if differ and top >= 0
        else (" (no emotion has more than half of the votes)" if top < 0 else " (they agree)" if fer else "")
    )
    fer_part = f"FER2013's label <b>{fer}</b> · " if fer else ""
    return f'<div class="wk-truths" style="font-size:1.1rem;{style}">{fer_part}FER+ majority <b>{plus}</b>{said}</div>'


def walkthrough(ds, preds: Predictions, cell, link: str, explain=None, votes=None, positions=None, heading: str = "", view=None) -> None:
    """Render the walkthrough of `cell` (or of `positions` in `preds`, a lesson's faces, under
    `heading`); `explain(row)` may draw a saliency map beside the face; `votes` (the data set's FER+
    votes, or None) are shown with the labels at Reveal; with `view` (the page's EvaluateView) a
    teacher can pick faces for a lesson."""
    st.html(BIG_BUTTONS)
    positions = preds.cell(*cell) if positions is None else positions
    rows = preds.indices[positions]
    n = len(rows)
    guess = st.session_state.get("ev_guess", False)
    top = st.columns([2, 2, 3])
    top[0].button("Back to the matrix", icon=":material/grid_view:", on_click=_leave, key="walk_back")
    top[1].toggle("Guess first", key="ev_guess", help="Hide the true and predicted labels until you press Reveal.")
    if n == 0:
        st.info("This cell has no faces.")
        return
    if st.session_state.get("ev_face") not in rows:
        st.session_state.ev_face = int(rows[0])
    k = int(np.flatnonzero(rows == st.session_state.ev_face)[0])
    pos, row = positions[k], int(rows[k])
    revealed = not guess or st.session_state.get("ev_revealed", False)
    true, pred = int(preds.labels[pos]), int(preds.pred[pos])
    cell_name = heading or (f"true {FERPLUS_CLASSES[cell[0]]}, predicted {FERPLUS_CLASSES[cell[1]]}" if revealed else "labels hidden")
    top[2].markdown(f"### Face {k + 1} of {n}\n{cell_name} · data-set row #{row}")

    cols = st.columns([3, 2]) if explain is None else st.columns([3, 3, 2])
    left, right = cols[0], cols[-1]
    photo = source_photo_html(ds, row, 384, named=revealed)  # a photo set: the photo the face came from, its box drawn
    left.html(
        f'<img src="{face_png(ds.pixels[row], 384)}" style="width:100%;max-width:384px;border-radius:8px" alt="face {row}">'
        + (
            f'{GALLERY_CSS}<div class="fc" style="max-width:384px;margin-top:8px"><b>The photo it came from</b>{photo}</div>'
            if photo
            else ""
        )
    )
    with right:
        if revealed:
            conf = preds.probs[pos, pred]
            verdict = "right" if true == pred else "wrong"
            st.html(
                f'<div class="wk-label">True: <b style="color:#2f9e44">{FERPLUS_CLASSES[true]}</b></div>'
                f'<div class="wk-label">Model: <b style="color:{"#2f9e44" if true == pred else "#e03131"}">{FERPLUS_CLASSES[pred]}</b>'
                f" {conf:.0%} ({verdict})</div>"
                + (both_truths(ds, row) if votes is not None else "")
                + GALLERY_CSS
                + f'<div class="fc wk" style="font-size:15px">{prob_bars(preds.probs[pos], true, pred)}'
                + (f"<b>The ten annotators</b>{vote_bar(votes[row])}" if votes is not None else "")
                + "</div>"
            )
        else:
            st.html('<div class="wk-hidden">What emotion is this face showing?<br>Decide as a class, then press <b>Reveal</b>.</div>')
    if explain is not None:
        with cols[1]:
            if revealed:
                explain(row, pred)
            else:
                st.caption("The saliency map appears with the labels.")
    b = st.columns(3)
    b[0].button("Previous", icon=":material/arrow_back:", width="stretch", on_click=_step, args=(-1, n, rows), key="walk_prev")
    b[1].button(
        "Reveal", icon=":material/visibility:", width="stretch", type="primary", on_click=_reveal, disabled=revealed, key="walk_reveal"
    )
    b[2].button("Next", icon=":material/arrow_forward:", width="stretch", on_click=_step, args=(1, n, rows), key="walk_next")
    if view is not None:
        pick_box(row, view, ds)
    st.caption(
        "Link to this face (model, data, split, cell, face and mode): paste it into a lesson plan."
        if not heading
        else "Link to this lesson:"
    )
    st.code(link, language=None)
