"""Nothing lost in one click (issue 44): a shipped model is listed once and never deleted from the
app; every delete says what will go and asks first; the CLI unships only behind --unship."""

import shutil

import pytest

from fer_core.classroom import delete_run_as
from fer_core.cli import main
from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.handle.store import has_default, model_choices
from fer_core.paths import checkpoints_dir
from fer_core.train import RunError
from tests.fixtures import shipped_copy, untrained_run
from tests.test_app import _app


@pytest.fixture
def shipped_among_runs(data_dir, monkeypatch):
    """Two shipped models inside checkpoints/, as on a fresh clone, and one run of the user's."""
    save_dataset(synth_dataset("demo", n=140))
    monkeypatch.setenv("FER_DEFAULT_MODEL_DIR", str(checkpoints_dir() / "default"))
    for seed, name in enumerate(("default", "ferplus")):
        source = untrained_run("demo", seed=seed)
        shipped_copy(source, name)
        shutil.rmtree(source.dir)  # shipped, not a run of the user's
    return untrained_run("demo", seed=2)


def test_each_model_is_offered_once_in_every_picker(shipped_among_runs):
    assert model_choices() == ["default", "ferplus", shipped_among_runs.id]
    for page, key in (("evaluate", "ev_model"), ("explain", "ex_model")):  # every picker is models.pick_model over model_choices
        options = _app(f"app_pages/{page}.py").selectbox(key=key).options
        assert len(options) == len(set(options)) == 3, (page, options)
    runs = _app("app_pages/train.py").selectbox(key="train_run").options
    assert sorted(runs) == sorted(["default · shipped FER2013 model", "ferplus · shipped FER+ model, 8 emotions", shipped_among_runs.id])


def test_a_shipped_model_cannot_be_deleted_from_the_app(shipped_among_runs):
    from fer_core.access import LOCAL
    from fer_core.train import Run

    at = _app("app_pages/train.py")
    at.selectbox(key="train_run").set_value("ferplus").run()
    delete = at.button(key="train_delete")
    assert delete.disabled and "fer runs delete ferplus --unship" in delete.help
    with pytest.raises(RunError, match="the app never deletes it"):
        delete_run_as(LOCAL, Run.at("ferplus"))
    assert has_default("ferplus")


def test_delete_says_what_will_go_and_asks_first(shipped_among_runs):
    run = shipped_among_runs
    at = _app("app_pages/train.py")
    at.selectbox(key="train_run").set_value(run.id).run()
    at.button(key="train_delete").click().run()
    assert run.dir.is_dir()  # one click removes nothing
    said = at.warning[0].value
    for words in (run.id, "small on demo", "0 of 1 epochs", "MB of weights", "no recorded owner", "cannot be undone"):
        assert words in said, (words, said)
    at.button(key="train_delete_no").click().run()
    assert run.dir.is_dir() and not at.warning
    at.button(key="train_delete").click().run()
    at.button(key="train_delete_yes").click().run()
    assert not at.exception, at.exception
    assert not run.dir.exists() and f"Deleted run {run.id}." in at.success[0].value


def test_the_cli_unships_a_model_only_when_told_to(shipped_among_runs, capsys):
    assert main(["runs", "delete", "ferplus"]) == 2
    assert "--unship" in capsys.readouterr().err and has_default("ferplus")
    assert main(["runs", "delete", "ferplus", "--unship"]) == 0
    assert "deleted: Run ferplus" in capsys.readouterr().out and not has_default("ferplus")
    assert main(["runs", "delete", shipped_among_runs.id]) == 0 and not shipped_among_runs.dir.exists()
