"""Lessons on the Evaluate page (fer_core.lessons): picking faces during a walkthrough and saving
them by name, and reopening a saved lesson as a deck (also from a link: `evaluate?lesson=NAME`)."""

import numpy as np
import streamlit as st
from auth import current_user, refusal

from fer_core.access import Refused
from fer_core.lessons import Lesson, list_lessons, load_lesson, save_lesson

PICKED = "ev_lesson_pick"


def _toggle(row: int) -> None:
    picked = st.session_state.setdefault(PICKED, [])
    picked.remove(row) if row in picked else picked.append(row)


def pick_box(row: int, view, ds) -> None:
    """In the walkthrough: add or remove this face, and save the faces picked as a named lesson (a
    teacher's; a student does not see it)."""
    if not current_user().is_teacher:
        return
    picked = st.session_state.setdefault(PICKED, [])
    with st.container(border=True):
        c = st.columns([2, 3, 2], vertical_alignment="bottom")
        here = row in picked
        c[0].button(
            "Remove this face from the lesson" if here else "Add this face to the lesson",
            icon=":material/remove:" if here else ":material/add:",
            key="lesson_pick",
            on_click=_toggle,
            args=(row,),
            width="stretch",
        )
        name = c[1].text_input(f"Lesson name ({len(picked)} face{'s' * (len(picked) != 1)} picked, in order)", key="lesson_name")
        if c[2].button("Save lesson", key="lesson_save", disabled=not picked, width="stretch", icon=":material/save:"):
            lesson = Lesson(name, view.model, ds.name, ds.hash, view.split, view.truth, tuple(picked), view.tta)
            try:
                save_lesson(lesson, current_user())
            except (ValueError, FileExistsError, Refused) as exc:
                refusal(exc)
            else:
                st.session_state[PICKED] = []
                st.success(f"Saved lesson **{name.strip()}**: {len(lesson.faces)} faces. Reopen it from Evaluate's Lessons.")


def open_lesson(name: str) -> None:
    """Point the page at the lesson's model, data, split and truth, and show its deck."""
    try:
        lesson = load_lesson(name)
    except (FileNotFoundError, ValueError) as exc:
        st.session_state.ev_lesson_error = str(exc)
        return
    s = st.session_state
    s.update(ev_model=lesson.model, ev_data=lesson.data, ev_split=lesson.split, ev_tta=lesson.tta, ev_truth_model=lesson.model)
    s.update(ev_truth=lesson.truth, ev_disputed=False, ev_cell=None, ev_view="lesson", ev_lesson=lesson.name)
    s.update(ev_face=lesson.faces[0], ev_guess=True, ev_revealed=False)


def lessons_picker() -> None:
    """Evaluate's Lessons: every saved lesson, opened as a deck with one click."""
    if msg := st.session_state.pop("ev_lesson_error", None):
        st.error(msg)
    lessons = list_lessons()
    if not lessons:
        return
    with st.expander(f"Lessons ({len(lessons)})", icon=":material/school:"):
        names = [lesson.name for lesson in lessons]
        about = {
            x.name: f"{x.name} · {len(x.faces)} faces · {x.model} on {x.data}/{x.split}"
            + (f" · by {x.owner_name or x.owner}" if x.owner else "")
            + f" · {x.created}"
            for x in lessons
        }
        c = st.columns([4, 1], vertical_alignment="bottom")
        chosen = c[0].selectbox("Lesson", names, key="ev_lesson_choice", format_func=about.get)
        c[1].button("Open as a deck", key="ev_lesson_open", on_click=open_lesson, args=(chosen,), type="primary", width="stretch")


def deck_positions(preds, ds) -> tuple[np.ndarray, str]:
    """The open lesson's faces as positions in `preds` (in the lesson's order), and its heading;
    faces the current predictions do not hold (another split, no majority) are said, not hidden."""
    lesson = load_lesson(st.session_state.ev_lesson)
    where = {int(r): i for i, r in enumerate(preds.indices)}
    positions = np.array([where[r] for r in lesson.faces if r in where], dtype=np.int64)
    missing = len(lesson.faces) - len(positions)
    if lesson.data_hash != ds.hash:
        st.warning(f"Data set {ds.name} has changed since this lesson was saved: its rows may now be other faces.")
    if missing:
        st.warning(f"{missing} of the lesson's faces cannot be shown with this model, split and truth.")
    by = f" · by {lesson.owner_name or lesson.owner}" if lesson.owner else ""
    return positions, f"Lesson: {lesson.name}{by} · {lesson.model} on {lesson.data}/{lesson.split}"
