"""The run layout: Run names every file, status reads never write, one start decision, summaries."""

import argparse
import os
import re
import time

import pytest

from fer_core.cli.train import add_train_options, config_from_args
from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.train import Plan, RunStatus, TrainConfig, prepare_run, summary
from fer_core.train import runs as runs_module
from fer_core.train.runs import STALE_TEMP_S, FileLock, Run


@pytest.fixture
def demo(data_dir):
    save_dataset(synth_dataset("demo", n=140))


def _cfg(**kw) -> TrainConfig:
    return TrainConfig(data="demo", arch="small", epochs=1, **kw)


def test_every_path_of_a_run_is_in_its_directory_and_in_the_layout_docstring():
    run = Run("r", runs_module.checkpoints_dir() / "r")
    paths = [getattr(run, name) for name in dir(Run) if name.endswith("_path") and isinstance(getattr(Run, name), property)]
    paths += [run.weights_path(w) for w in runs_module.WEIGHTS] + [run.eval_cache_path("demo", "PublicTest", "").parent]
    documented = set(re.findall(r"^\s+([\w.]+/?)\s", runs_module.__doc__, re.M))
    assert all(p.parent == run.dir for p in paths)
    for p in paths:
        assert (p.name + ("/" if p.name == "eval" else "")) in documented, f"{p.name} is not in the layout docstring"
    with pytest.raises(ValueError, match="best or last"):
        run.weights_path("worst")


def test_reading_the_status_of_a_dead_trainer_writes_nothing(demo):
    run, _ = prepare_run(_cfg())
    run.set_status(RunStatus.RUNNING, pid=999999)  # as a killed trainer leaves it: no lock holder
    before = run.status_path.read_bytes()
    st = run.status()
    assert st.status is RunStatus.FAILED and "interrupted" in st.message
    assert run.status_path.read_bytes() == before  # reading is not writing
    assert summary(run).status is RunStatus.FAILED


def test_one_decision_new_busy_resume_cached(demo):
    run, plan = prepare_run(_cfg())
    assert plan is Plan.NEW and run.config_path.exists()
    with FileLock(run.lock_path):  # a trainer holds it
        run.set_status(RunStatus.RUNNING)
        assert prepare_run(_cfg())[1] is Plan.BUSY
    run.set_status(RunStatus.STOPPED)
    assert prepare_run(_cfg())[1] is Plan.NEW  # stopped before its first epoch: nothing to resume from
    run.save_state({"epoch": 0})
    assert prepare_run(_cfg())[1] is Plan.RESUME
    run.set_status(RunStatus.FINISHED)
    assert prepare_run(_cfg()) == (run, Plan.CACHED)


def test_summary_is_a_typed_value_with_its_json(demo):
    run, _ = prepare_run(_cfg())
    run.set_status(RunStatus.STOPPED, "by hand")
    run.write_metrics([{"kind": "epoch", "epoch": 1, "val_acc": 0.5, "val_loss": 1.2, "progress": 0.5, "elapsed": 10.0}])
    s = summary(run)
    assert s.status is RunStatus.STOPPED and not s.active and s.best == {"epoch": 1, "val_acc": 0.5, "val_loss": 1.2}
    j = s.to_json()
    assert j["status"] == "stopped" and j["config"]["arch"] == "small" and j["progress"] == 0.5


def test_fer_train_defaults_are_the_config_defaults():
    p = argparse.ArgumentParser()
    add_train_options(p)
    assert config_from_args(p.parse_args([])) == TrainConfig()
    cfg = config_from_args(p.parse_args(["--erase", "--no", "flip", "--val-tta", "10crop", "--shift", "4"]))
    assert cfg.augment.erase_p > 0 and not cfg.augment.flip and cfg.val_tta == "10crop" and cfg.augment.shift == 4
    with pytest.raises(SystemExit):
        p.parse_args(["--optimizer", "lion"])


def test_stale_temp_files_go_but_a_live_writers_stays(tmp_path):
    """A trainer taking a run's lock clears temp files a killed writer left, but not one another
    process (an app queueing the same run, without the lock) is about to rename over its target."""
    run = Run("r", tmp_path / "r")
    run.dir.mkdir(parents=True)
    old, live = run.dir / ".state.pt.abc.tmp", run.dir / ".status.json.def.tmp"
    old.write_text("x"), live.write_text("y")
    then = time.time() - STALE_TEMP_S - 5
    os.utime(old, (then, then))
    run.remove_stale_temp_files()
    assert not old.exists() and live.read_text() == "y"
