"""AppTest of the Evaluate page: metrics, a cell opened from the confused-pairs list, the
walkthrough in guess-first mode, the URL that reopens it, and the comparison."""

import numpy as np
import pytest

from fer_core.data import load_dataset, save_dataset
from fer_core.data.ferplus import majority
from fer_core.data.synth import synth_dataset
from fer_core.handle.predictions import predict_split
from fer_core.handle.store import load_model
from fer_core.labels import CLASSES, FERPLUS_CLASSES
from tests.fixtures import untrained_run
from tests.test_app import _app, _count


@pytest.fixture
def runs(data_dir):
    save_dataset(synth_dataset("demo", n=350))
    return untrained_run("demo", seed=1), untrained_run("demo", seed=2)


def _texts(at) -> str:
    return " ".join(m.value for m in [*at.markdown, *at.subheader, *at.caption])


def test_evaluate_page_without_models_says_what_to_do(data_dir):
    save_dataset(synth_dataset("demo", n=140))
    at = _app("app_pages/evaluate.py")
    assert "No trained model yet" in at.info[0].value


def test_metrics_then_a_cell_then_the_walkthrough(runs):
    at = _app("app_pages/evaluate.py")
    model = at.selectbox(key="ev_model").value
    preds = predict_split(load_model(model), load_dataset("demo"), "PublicTest")
    assert at.metric[0].value == f"{(preds.pred == preds.labels).mean():.1%}"
    assert _count(at._tree, "plotly_chart") == 1
    at.button(key="ev_pair_0").click().run()  # the most confused pair
    assert not at.exception, at.exception
    head = next(s.value for s in at.subheader if s.value.startswith("True "))
    t, p = (head.split(",")[0].split()[1], head.split("predicted ")[1].split(":")[0])
    n = len(preds.cell(CLASSES.index(t), CLASSES.index(p)))
    assert head.endswith(f"{n} faces")
    at.button(key="ev_walk").click().run()
    at.toggle(key="ev_guess").set_value(True).run()
    assert "labels hidden" in _texts(at) and f"Face 1 of {n}" in _texts(at)
    at.button(key="walk_reveal").click().run()
    assert f"true {t}, predicted {p}" in _texts(at)
    if n > 1:
        at.button(key="walk_next").click().run()
        assert f"Face 2 of {n}" in _texts(at) and "labels hidden" in _texts(at)  # a new face hides its labels again
    q = at.query_params
    assert (q["cell"], q["view"], q["guess"], q["model"]) == (f"{t}-{p}", "walk", "1", model)


def test_the_url_reopens_the_same_face(runs):
    ds = load_dataset("demo")
    preds = predict_split(load_model(runs[1].id), ds, "PublicTest")
    t, p = np.unravel_index(np.argmax([len(preds.cell(a, b)) for a in range(7) for b in range(7)]), (7, 7))
    rows = preds.indices[preds.cell(t, p)]
    at = _app()
    at.switch_page("app_pages/evaluate.py")
    for k, v in dict(
        model=runs[1].id, data="demo", split="PublicTest", cell=f"{CLASSES[t]}-{CLASSES[p]}", face=str(rows[-1]), view="walk"
    ).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    assert f"Face {len(rows)} of {len(rows)}" in _texts(at) and f"#{rows[-1]}" in _texts(at)


def test_compare_two_models(runs):
    at = _app("app_pages/evaluate.py")
    other = [r.id for r in runs if r.id != at.selectbox(key="ev_model").value][0]
    at.selectbox(key="ev_other").set_value(other).run()
    assert not at.exception, at.exception
    assert _count(at._tree, "plotly_chart") == 2
    assert any(m.label == "Only A right" for m in at.metric)


def test_the_truth_can_be_the_fer_plus_majority_and_every_face_shows_its_votes(voted):
    from fer_core.evaluate.truth import backed_mistakes, rescored

    at = _app("app_pages/evaluate.py")
    ds = load_dataset("voted")
    raw = predict_split(load_model(voted.id), ds, "PublicTest")
    n, m = backed_mistakes(raw, ds)
    assert f"**{n:,}** of the model's {m:,} mistakes by FER2013's labels" in at.info[0].value
    assert {x.label: x.value for x in at.metric}["Faces"] == f"{len(raw.indices):,}"
    at.segmented_control(key="ev_truth").set_value("ferplus").run()
    assert not at.exception, at.exception
    kept = rescored(raw, ds, "ferplus")
    assert {x.label: x.value for x in at.metric}["Faces"] == f"{len(kept.indices):,}" and len(kept.indices) < len(raw.indices)
    assert at.metric[0].value == f"{(kept.pred == kept.labels).mean():.1%}"
    at.button(key="ev_pair_0").click().run()
    assert at.query_params.get("truth") in ("ferplus", ["ferplus"])  # a lesson link reopens the same truth
    gallery = " ".join(h.proto.body for h in at.get("html"))
    assert "votes: " in gallery and 'class="vb"' in gallery
    at.button(key="ev_walk").click().run()  # the walkthrough, labels shown: the ten votes with them
    shown = " ".join(h.proto.body for h in at.get("html"))
    assert not at.exception and "The ten annotators" in shown
    row = at.session_state.ev_face
    top = int(majority(ds.votes[[row]])[0])
    both = f"FER2013's label <b>{FERPLUS_CLASSES[ds.labels[row]]}</b> · FER+ majority <b>{FERPLUS_CLASSES[top] if top >= 0 else 'none'}</b>"
    assert both in shown  # side by side at Reveal (FER2013's 'neutral' is often the annotators' 'sad')
    at.button(key="walk_back").click().run()
    at.toggle(key="ev_disputed").set_value(True).run()
    assert not at.exception, at.exception
    disputed = rescored(raw, ds, "ferplus", only_disputed=True)
    assert {x.label: x.value for x in at.metric}["Faces"] == f"{len(disputed.indices):,}" and len(disputed.indices) < len(kept.indices)


def test_disputed_faces_and_mistakes_the_annotators_back():
    from fer_core.data.dataset import make_dataset
    from fer_core.evaluate import Predictions
    from fer_core.evaluate.truth import backed_mistakes, disputed

    votes = np.zeros((3, 10), np.uint8)
    votes[0, [0, 4]] = 7, 3  # neutral 7, anger 3: FER2013 says angry (3 votes): disputed
    votes[1, [1, 0]] = 9, 1  # happiness 9: FER2013 says happy: clear
    votes[2, [0, 3, 6]] = 4, 3, 3  # no majority: disputed
    labels = np.array([CLASSES.index("angry"), CLASSES.index("happy"), CLASSES.index("sad")])
    ds = make_dataset("v", np.arange(3)[:, None, None].repeat(48, 1).repeat(48, 2), labels, [0, 0, 0], votes=votes)
    order = [int(np.flatnonzero(ds.pixels[:, 0, 0] == i)[0]) for i in range(3)]  # rows of faces 0, 1, 2
    assert disputed(ds, np.array(order)).tolist() == [True, False, True]
    probs = np.eye(7, dtype=np.float32)[[CLASSES.index("neutral"), CLASSES.index("happy"), CLASSES.index("fear")]]
    preds = Predictions("r", "v", ds.hash, "Training", "none", np.array(order), labels, probs)
    assert backed_mistakes(preds, ds) == (1, 2)  # face 0: wrong by FER2013, the annotators' neutral; face 2: wrong, no majority


def test_an_eight_class_fer_plus_model_is_scored_on_contempt_and_compared_on_the_faces_both_can_score(voted):
    from fer_core.evaluate.truth import rescored

    eight = untrained_run("voted", seed=3, labels="votes")
    at = _app("app_pages/evaluate.py")
    at.selectbox(key="ev_model").set_value(eight.id).run()
    assert not at.exception, at.exception
    assert at.segmented_control(key="ev_truth").value == "ferplus"  # what it learned is what it is first scored on
    ds = load_dataset("voted")
    kept = rescored(predict_split(load_model(eight.id), ds, "PublicTest"), ds, "ferplus")
    assert (kept.labels == 7).any() and {x.label: x.value for x in at.metric}["Faces"] == f"{len(kept.indices):,}"
    assert "contempt" in at.dataframe[0].value.index  # per class: the eighth emotion
    at.selectbox(key="ev_other").set_value(voted.id).run()  # a 7-class model
    assert not at.exception, at.exception
    assert "contempt left out" in " ".join(c.value for c in at.caption)


def test_a_data_set_from_the_ferplus_folders_says_fer2013_truth_is_unavailable(data_dir, tmp_path):
    from fer_core.data.importer import import_source
    from tests.fixtures import write_folder
    from tests.test_import_ferplus_folders import _layout

    import_source(write_folder(tmp_path / "FERPlus", _layout(40)[0]), "folders")
    run = untrained_run("folders", labels="majority")
    at = _app("app_pages/evaluate.py")
    at.selectbox(key="ev_model").set_value(run.id).run()
    at.selectbox(key="ev_data").set_value("folders").run()
    assert not at.exception, at.exception
    assert any("FER2013's labels are unavailable for **folders**" in i.value for i in at.info)
    assert "Scored against the FER+ majority" in " ".join(c.value for c in at.caption)


def test_scoring_a_model_on_the_split_it_trained_on_says_so(runs):
    """83.8% on Training was once shown with no word that the model had learned those faces."""
    at = _app("app_pages/evaluate.py")
    assert not any("trained on these very faces" in w.value for w in at.warning)  # PublicTest: new faces
    at.selectbox(key="ev_split").set_value("Training").run()
    assert not at.exception, at.exception
    assert any(
        f"{runs[0].id} trained on these very faces" in w.value or f"{runs[1].id} trained on these very faces" in w.value for w in at.warning
    )
    save_dataset(synth_dataset("other", n=140, seed=5))  # another data set's Training split: faces it never saw
    at.run()
    at.selectbox(key="ev_data").set_value("other").run()
    at.selectbox(key="ev_split").set_value("Training").run()
    assert not any("trained on these very faces" in w.value for w in at.warning)


def test_a_photo_set_is_scored_against_its_labels_and_its_faces_open_beside_their_photos(data_dir, tmp_path):
    """Issue 42: a folder of labelled photos, imported, on Evaluate: the truth is the photos' labels,
    and a cell's faces and the walkthrough show the photo each face came from, its box drawn."""
    from fer_core.data.importer import import_source
    from tests.photos import labelled_photo_folder

    save_dataset(synth_dataset("demo", n=140))
    run = untrained_run("demo", seed=1)
    import_source(labelled_photo_folder(tmp_path / "photos"), "mine")
    at = _app("app_pages/evaluate.py")
    at.selectbox(key="ev_data").set_value("mine").run()
    assert not at.exception, at.exception
    assert "**Truth:** Photo's label" in _texts(at)
    assert at.metric[2].value == "3"  # faces
    preds = predict_split(load_model(run.id), load_dataset("mine"), "PublicTest")
    t, p = int(preds.labels[0]), int(preds.pred[0])
    at.session_state.ev_cell = (t, p)
    at.run()
    gallery = next(h.proto.body for h in at.get("html") if 'class="fg"' in h.proto.body)
    assert gallery.count('class="src"') == len(preds.cell(t, p)) and "data:image/jpeg;base64," in gallery
    at.button(key="ev_walk").click().run()
    at.toggle(key="ev_guess").set_value(True).run()
    shown = " ".join(h.proto.body for h in at.get("html"))
    assert "The photo it came from" in shown and "/" not in shown.split("The photo it came from")[1].split('alt="')[1].split('"')[0]
    at.button(key="walk_reveal").click().run()
    shown = " ".join(h.proto.body for h in at.get("html"))
    assert any(f">{name}<" in shown for name in load_dataset("mine").photos.names)  # named once revealed
