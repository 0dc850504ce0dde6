"""AppTest smoke tests of every page, and the Data page's import flow."""

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fer_core.augment import TRANSFORMS
from fer_core.data import list_datasets, save_dataset
from fer_core.data.synth import synth_dataset
from tests.fixtures import challenge_csv_text, untrained_run, write_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "dashboard"))
from nav import PAGES  # noqa: E402

HOME = str(Path(__file__).resolve().parent.parent / "dashboard" / "Home.py")
DATA_TABS = ["Classes", "Faces", "Pixels", "Normalisation", "Augmentation", "Import"]


@pytest.fixture
def demo(data_dir):
    save_dataset(synth_dataset("demo", n=210))


def _app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(HOME, default_timeout=60)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


def _count(node, kind: str) -> int:
    return sum((getattr(c, "type", None) == kind) + _count(c, kind) for c in getattr(node, "children", {}).values())


def _import_by_path(src: Path) -> AppTest:
    """Open Data's Import tab, give a path, press Import."""
    at = _app("app_pages/data.py")
    at.session_state["data_tab"] = "Import"
    at.run()
    at.radio(key="import_from").set_value("A path on this machine").run()
    at.text_input(key="import_path").set_value(str(src)).run()
    at.button(key="import_go").click().run()
    return at


def test_first_launch_draws_the_demo_faces(data_dir):
    assert list_datasets() == []
    _app()
    (demo,) = list_datasets()
    assert demo.name == "demo" and demo.format == "synthetic" and 6900 <= demo.n <= 7100


def test_home_summarises_data_and_links_every_page(demo):
    at = _app()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Data sets"] == "1" and metrics["Faces"] == "210" and metrics["Trained models"] == "0"
    assert "FER Lab" in at.title[0].value
    assert "Bring FER2013" in " ".join(m.value for m in at.markdown)
    assert _count(at._tree, "page_link") == len(PAGES) - 1  # every page but Home itself


def test_home_says_where_runs_train(demo):
    captions = " ".join(c.value for c in _app().caption)
    assert "Runs train on this machine (" in captions and "FER_RAY_ADDRESS" in captions


def test_home_names_an_unreachable_cluster_and_carries_on(demo, monkeypatch):
    pytest.importorskip("ray")
    monkeypatch.setenv("FER_RAY_ADDRESS", "127.0.0.1:9")
    at = _app()
    assert "cannot reach the Ray head at 127.0.0.1:9" in at.error[0].value
    assert {m.label: m.value for m in at.metric}["Data sets"] == "1"  # the rest of Home still works


@pytest.mark.parametrize("tab", DATA_TABS)
def test_data_page_renders_every_tab(demo, tab):
    at = _app("app_pages/data.py")
    at.session_state["data_tab"] = tab
    at.run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Faces"] == "210"
    expected = {
        "Classes": ("plotly_chart", 1),
        "Faces": ("image", 7),
        "Pixels": ("plotly_chart", 1),
        "Normalisation": ("image", 3),
        "Augmentation": ("image", len(TRANSFORMS) + 2),  # the original, each transform alone, all together
        "Import": ("radio", 1),
    }[tab]
    assert _count(at._tree, expected[0]) == expected[1]


def test_import_by_path_adds_and_selects_the_data_set(demo, tmp_path, faces):
    src = write_text(tmp_path / "class.csv", challenge_csv_text(*faces))
    at = _import_by_path(src)
    assert not at.exception, at.exception
    assert "Imported 42 faces as **class**" in at.success[0].value
    assert at.selectbox(key="dataset").value == "class"
    assert {d.name for d in list_datasets()} == {"demo", "class"}


def test_refused_import_shows_the_reason_and_writes_nothing(demo, tmp_path):
    src = write_text(tmp_path / "broken.csv", "emotion,pixels,Usage\n3,1 2 3,Training\n")
    at = _import_by_path(src)
    assert "nothing was written" in at.error[0].value
    assert "broken.csv" in at.code[0].value and "line 2" in at.code[0].value
    assert [d.name for d in list_datasets()] == ["demo"]


@pytest.mark.parametrize("tab", ["Classes", "Faces", "Pixels", "Augmentation", "Votes"])  # the tabs that read its classes
def test_data_page_renders_the_tabs_of_a_data_set_from_the_ferplus_folders(data_dir, tmp_path, tab):
    """Votes only: the classes are FER+'s eight (by the majority), and FER2013's label is unavailable."""
    from fer_core.data.importer import import_source
    from tests.fixtures import write_folder
    from tests.test_import_ferplus_folders import _layout

    import_source(write_folder(tmp_path / "FERPlus", _layout(90)[0]), "folders")
    at = _app("app_pages/data.py")
    at.session_state["data_tab"] = tab
    at.run()
    assert not at.exception, at.exception
    if tab == "Faces":
        assert "**contempt** ·" in " ".join(m.value for m in at.markdown)
    if tab == "Votes":
        assert {m.label: m.value for m in at.metric}["FER2013 = majority"] == "unavailable"


def test_explain_starts_with_the_shipped_fer_plus_model_and_names_it(data_dir, tmp_path, monkeypatch):
    """(The Webcam page's picker is the same call, `pick_model(first=face_model())`; it is seen in Chromium.)"""
    from tests.fixtures import save_voted_demo, shipped_copy, untrained_run

    save_voted_demo(210, least=3)
    monkeypatch.setenv("FER_DEFAULT_MODEL_DIR", str(tmp_path / "default"))
    shipped_copy(untrained_run("voted"), "default")
    shipped_copy(untrained_run("voted", labels="votes"), "ferplus")
    box = _app("app_pages/explain.py").selectbox(key="ex_model")
    assert box.value == "ferplus" and "ferplus (shipped FER+ model, 8 emotions)" in box.options
    assert _app("app_pages/evaluate.py").selectbox(key="ev_model").value == "default"


def test_the_webcam_page_says_how_to_fetch_a_missing_in_browser_runtime(demo, monkeypatch, tmp_path):
    """Without dashboard/static/ort (a clone not set up by `make run`), the page says what to run."""
    import ort_web

    run = untrained_run("demo")
    monkeypatch.setattr(ort_web, "STAMP", tmp_path / "no-such-stamp")  # as if never fetched
    at = _app("app_pages/webcam.py")
    assert any("python dashboard/ort_web.py" in e.value for e in at.error)
    assert not list((ort_web.STATIC / "models").glob(f"*{run.id}*"))  # and nothing is exported for a page that cannot run
