"""Cross-page links: built and parsed in one module, and old links still open."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "dashboard"))

from links import EvaluateView, ExplainLink  # noqa: E402


def test_an_evaluate_view_survives_its_link():
    view = EvaluateView(model="default", data="demo", split="PublicTest", tta="10crop", cell=(2, 4), face=17, walk=True, guess=True)
    q = view.params()
    assert q == {
        "model": "default",
        "data": "demo",
        "split": "PublicTest",
        "tta": "10crop",
        "cell": "fear-sad",
        "face": "17",
        "view": "walk",
        "guess": "1",
    }
    assert EvaluateView.from_params(q) == view


def test_old_and_bad_parameters_read_safely():
    assert EvaluateView.from_params({"tta": "1"}).tta == "flip"  # links made before 10-crop
    bad = EvaluateView.from_params({"tta": "7crop", "split": "Nope", "cell": "happy-x", "face": "3", "view": "walk"})
    assert bad == EvaluateView()  # no cell: no face and no walkthrough either


def test_walk_from_a_face_changes_only_that():
    view = EvaluateView(model="m", data="d", split="PublicTest", cell=(0, 6))
    assert EvaluateView.from_params(dict(p.split("=") for p in view.query(face=5, walk=True)[1:].split("&"))) == EvaluateView(
        model="m", data="d", split="PublicTest", cell=(0, 6), face=5, walk=True
    )


def test_explain_link():
    link = ExplainLink("default", "fer2013", 5784)
    assert link.href() == "explain?model=default&data=fer2013&row=5784"
    assert ExplainLink.from_params(link.params()) == link and ExplainLink.from_params({"row": "x"}) == ExplainLink()


def test_the_camera_pages_say_why_plain_http_from_another_machine_has_no_camera():
    from ui import camera_blocked

    for ok in ("http://localhost:8501/webcam", "http://127.0.0.1:8501/", "https://fer.school.org:8501/webcam", ""):
        assert camera_blocked(ok) is None
    why = camera_blocked("http://fer.school.org:8501/webcam")
    assert "over plain **http** from `fer.school.org`" in why and "fer class cert" in why
