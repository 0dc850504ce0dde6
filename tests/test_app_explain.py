"""AppTest of the Explain and Filters pages on a (test) model."""

import pytest

from fer_core.data import load_dataset, save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.explain import METHODS
from fer_core.labels import CLASSES, SPLITS
from tests.fixtures import untrained_run
from tests.test_app import _app, _count


@pytest.fixture
def run(data_dir):
    save_dataset(synth_dataset("demo", n=210))
    return untrained_run("demo", arch="small")


def _images(at) -> int:
    return _count(at._tree, "image")


def test_explain_page_draws_six_maps_and_the_sanity_check(run):
    at = _app("app_pages/explain.py")
    assert not at.exception, at.exception
    base = _images(at)
    assert base >= len(METHODS) + 2  # the face, six maps, the covered face
    at.toggle(key="ex_sanity").set_value(True).run()
    assert not at.exception, at.exception
    assert _images(at) == base + len(METHODS)
    at.button(key="oc_mouth").click().run()
    assert (at.slider(key="oc_top").value, at.slider(key="oc_h").value) == (31, 12)
    assert any("Covered:" in m.value for m in at.markdown)


def test_explain_page_opens_the_face_a_link_names(run):
    at = _app()
    at.switch_page("app_pages/explain.py")
    at.query_params.update(model=run.id, data="demo", row="5")
    at.run()
    assert not at.exception, at.exception
    ds = load_dataset("demo")
    assert at.selectbox(key="ex_class").value == CLASSES[ds.labels[5]]
    assert at.selectbox(key="ex_split").value == SPLITS[ds.splits[5]]
    assert at.query_params["row"] == "5"  # the page shows row 5 (it writes back the row it shows)


def test_explain_page_says_what_to_do_without_a_model(data_dir):
    save_dataset(synth_dataset("demo", n=70))
    at = _app("app_pages/explain.py")
    assert "No trained model yet" in at.info[0].value


def test_filters_page_draws_a_layer_grid_and_each_tab(run):
    at = _app("app_pages/filters.py")
    assert not at.exception, at.exception
    assert any("filters of" in c.value for c in at.caption)
    for tab in ("Strongest faces", "Feature maps", "First-layer kernels"):
        at.session_state["fl_tab"] = tab
        at.run()
        assert not at.exception, (tab, at.exception)
        assert _images(at) >= 1
