"""A lesson, saved (issue 44): faces picked during a walkthrough are saved by name with the model,
data, split and truth; the lesson reopens from Evaluate (or its link) as a deck; only a teacher
saves or deletes one, and it carries their name."""

import pytest

from fer_core.access import Refused, User
from fer_core.lessons import Lesson, delete_lesson, list_lessons, load_lesson, save_lesson
from fer_core.paths import checkpoints_dir
from tests.test_app import _app

TESS = User("tess@school.org", "Tess", "teacher")
AMY = User("amy@school.org", "Amy", "student")


def test_a_teacher_picks_faces_in_a_walkthrough_and_saves_them_as_a_lesson(voted):
    at = _app("app_pages/evaluate.py")
    at.segmented_control(key="ev_truth").set_value("ferplus").run()
    at.button(key="ev_pair_0").click().run()
    at.button(key="ev_walk").click().run()
    picked = []
    for _ in range(3):
        picked.append(at.session_state.ev_face)
        at.button(key="lesson_pick").click().run()
        at.button(key="walk_next").click().run()
    at.button(key="walk_prev").click().run()
    at.button(key="lesson_pick").click().run()  # the third face, removed again
    picked.pop()
    at.text_input(key="lesson_name").set_value("Week 3: sad or neutral?").run()
    at.button(key="lesson_save").click().run()
    assert not at.exception, at.exception
    assert "Saved lesson **Week 3: sad or neutral?**: 2 faces" in at.success[0].value
    (lesson,) = list_lessons()
    assert lesson.faces == tuple(picked) and (lesson.model, lesson.data, lesson.split, lesson.truth) == (
        voted.id,
        "voted",
        "PublicTest",
        "ferplus",
    )
    assert (checkpoints_dir() / "lessons" / "week-3-sad-or-neutral.json").is_file()  # beside the runs

    deck = _app("app_pages/evaluate.py")  # next week: a new session
    deck.selectbox(key="ev_lesson_choice").set_value(lesson.name).run()
    deck.button(key="ev_lesson_open").click().run()
    assert not deck.exception, deck.exception
    heading = " ".join(m.value for m in deck.markdown)
    assert "Face 1 of 2" in heading and "Lesson: Week 3: sad or neutral?" in heading
    assert deck.session_state.ev_face == picked[0] and deck.toggle(key="ev_guess").value  # guess first
    assert deck.query_params.get("lesson") in ("Week 3: sad or neutral?", ["Week 3: sad or neutral?"])
    deck.button(key="walk_next").click().run()
    assert deck.session_state.ev_face == picked[1]

    linked = _app()
    linked.query_params["lesson"] = lesson.name
    linked.switch_page("app_pages/evaluate.py").run()
    assert not linked.exception and linked.session_state.ev_face == picked[0]
    assert "Lesson: Week 3" in " ".join(m.value for m in linked.markdown)


def test_only_a_teacher_saves_or_deletes_a_lesson_and_it_is_theirs(data_dir, capsys):
    from fer_core.cli import main

    lesson = Lesson("Angry faces", "default", "fer2013", "abc", "PublicTest", "fer2013", (5, 2, 9))
    with pytest.raises(Refused, match="only a teacher"):
        save_lesson(lesson, AMY)
    save_lesson(lesson, TESS)
    saved = load_lesson("Angry faces")
    assert (saved.owner, saved.owner_name, saved.faces) == ("tess@school.org", "Tess", (5, 2, 9))
    with pytest.raises(FileExistsError, match="choose another name"):
        save_lesson(lesson, TESS)
    with pytest.raises(ValueError, match="at least one face"):
        save_lesson(Lesson("Empty", "default", "fer2013", "abc", "PublicTest", "fer2013", ()), TESS)
    with pytest.raises(ValueError, match="a lesson's name"):
        save_lesson(Lesson("../../etc", "default", "fer2013", "abc", "PublicTest", "fer2013", (1,)), TESS)
    assert main(["lessons", "list"]) == 0 and "Angry faces: 3 faces, default on fer2013/PublicTest" in capsys.readouterr().out
    with pytest.raises(Refused):
        delete_lesson("Angry faces", AMY)
    delete_lesson("Angry faces", TESS)
    assert list_lessons() == []
