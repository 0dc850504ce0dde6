"""The training engine and its run directories, on small demo faces (CPU)."""

import json

import pytest
import torch

from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.models import build_model
from fer_core.train import NonFiniteLoss, Run, RunError, TrainConfig, prepare_run, train_in_process
from fer_core.train.runs import FileLock

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(data_dir):
    save_dataset(synth_dataset("demo", n=1400))


def _cfg(**kw) -> TrainConfig:
    return TrainConfig(**{"data": "demo", "arch": "small", "epochs": 2, "batch_size": 32, "log_every": 5, **kw})


def test_a_run_on_demo_faces_beats_chance_and_writes_its_files(demo):
    run, state = prepare_run(_cfg(epochs=3))
    assert state == "new"
    result = train_in_process(run)
    assert result.status == "finished" and result.best_val_acc > 0.4  # majority class ~25%
    assert run.status().status == "finished"
    recs = run.metrics()
    steps = [r for r in recs if r["kind"] == "step"]
    assert len([r for r in recs if r["kind"] == "epoch"]) == 3 and len(steps) >= 3
    assert {"train_loss", "train_acc", "lr", "images_per_s", "elapsed"} <= set(steps[0])
    model = build_model(run.config().model)
    model.load_state_dict(run.load_weights("best"))
    saved = json.loads((run.dir / "config.json").read_text())
    assert saved["train"]["model"]["name"] == "small" and saved["data_hash"]


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_weight_averaging_gives_a_working_model(demo, precision):
    """EMA of weights and batch-norm statistics together (weights alone break the model), in
    either arithmetic (bf16 runs on any CPU, emulated where it is not native: on a CPU without it
    the small preset took 79 s here, the tiny one 27 s)."""
    run, _ = prepare_run(_cfg(epochs=3, ema=0.99, precision=precision, arch="tiny", batch_size=64))
    assert train_in_process(run).best_val_acc > 0.4


def test_a_run_that_used_a_retired_option_is_refused_before_it_trains(demo):
    run, _ = prepare_run(_cfg(epochs=1))
    saved = json.loads(run.config_path.read_text())
    saved["train"]["mixup"] = 0.2  # as a run made before issue 36 with mixup on holds it
    run.config_path.write_text(json.dumps(saved))
    with pytest.raises(ValueError, match="retired: mixup = 0.2"):
        train_in_process(run)
    assert not run.metrics() and run.load_state() is None  # not a step was taken


def test_identical_request_hits_the_cache(demo):
    run, _ = prepare_run(_cfg(epochs=1))
    train_in_process(run)
    again, state = prepare_run(_cfg(epochs=1, device="cpu", precision="fp32", log_every=99))  # not part of the identity
    assert again.id == run.id and state == "cached"
    assert prepare_run(_cfg(epochs=1, lr=1e-3))[0].id != run.id


def _stop_at(run: Run, step: int):
    return lambda event, rec: run.request_stop() if event == "step" and rec["step"] == step else None


# mid-epoch 1, at the first epoch's end, and in epoch 2 (35 steps an epoch)
@pytest.mark.parametrize("stop_step", [5, 35, 50])
def test_stop_then_resume_equals_an_uninterrupted_run(demo, tmp_path, monkeypatch, stop_step):
    cfg = _cfg(ema=0.9)
    monkeypatch.setenv("FER_CHECKPOINTS_DIR", str(tmp_path / "a"))
    whole, _ = prepare_run(cfg)
    train_in_process(whole)
    monkeypatch.setenv("FER_CHECKPOINTS_DIR", str(tmp_path / "b"))
    split, _ = prepare_run(cfg)
    first = train_in_process(split, callbacks=[_stop_at(split, stop_step)])
    assert first.status == "stopped" and split.status().status == "stopped"
    assert train_in_process(split, resume=True).status == "finished"
    a, b = whole.load_weights("last"), split.load_weights("last")
    assert all(torch.equal(a[k], b[k]) for k in a)
    keys = ("train_loss", "train_acc", "val_loss", "val_acc", "lr")
    per_epoch = lambda r: [[m[k] for k in keys] for m in r.metrics() if m["kind"] == "epoch"]  # noqa: E731
    assert per_epoch(whole) == per_epoch(split)


def test_non_finite_loss_fails_the_run_with_a_clear_message(demo):
    run, _ = prepare_run(_cfg(optimizer="sgd", lr=1e12, scheduler="none", label_smoothing=0.0))
    with pytest.raises(NonFiniteLoss, match="lower learning rate"):
        train_in_process(run)
    st = run.status()
    assert st.status == "failed" and "the loss became" in st.message


def test_two_trainers_never_write_one_run(demo):
    run, _ = prepare_run(_cfg())
    with FileLock(run.dir / "lock"), pytest.raises(RunError, match="another trainer"):
        train_in_process(run)


def test_missing_or_damaged_run_files_give_clear_errors(demo):
    run, _ = prepare_run(_cfg(epochs=1))
    train_in_process(run)
    (run.dir / "best.safetensors").write_bytes(b"garbage")
    with pytest.raises(RunError, match="best.safetensors is damaged"):
        run.load_weights("best")
    (run.dir / "status.json").write_text("{not json")
    with pytest.raises(RunError, match="status.json is damaged"):
        run.status()
    (run.dir / "config.json").unlink()
    with pytest.raises(RunError, match=f"run {run.id}: config.json is missing"):
        run.config()


def test_a_changed_data_set_is_refused_on_resume(demo):
    run, _ = prepare_run(_cfg())
    save_dataset(synth_dataset("demo", n=1400, seed=9), replace=True)
    with pytest.raises(ValueError, match="changed since run"):
        train_in_process(run)
    assert run.status().status == "failed"


def test_a_dead_trainer_is_reported_as_interrupted(demo):
    run, _ = prepare_run(_cfg())
    run.set_status("running", pid=999999)  # as left by a killed process: no lock holder
    st = run.status()
    assert st.status == "failed" and "interrupted" in st.message
