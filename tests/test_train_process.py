"""The detached trainer process: kill -9 leaves a loadable checkpoint; a busy device queues."""

import json
import os
import signal
import time

import pytest

from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.models import build_model
from fer_core.paths import checkpoints_dir
from fer_core.train import Run, TrainConfig, launch, prepare_run, stop
from fer_core.train.runs import STALE_TEMP_S, FileLock

pytestmark = pytest.mark.slow


@pytest.fixture
def run(data_dir):
    save_dataset(synth_dataset("demo", n=1400))
    r, _ = prepare_run(TrainConfig(data="demo", arch="small", epochs=50, batch_size=32, device="cpu"))
    yield r
    if r.trainer_alive():  # a failed test must not leave a detached trainer running
        os.kill(int((r.dir / "lock").read_text()), signal.SIGKILL)


def _wait(cond, timeout=60.0):
    deadline = time.time() + timeout
    while not cond():
        assert time.time() < deadline, "timed out"
        time.sleep(0.1)


def test_kill_9_leaves_a_loadable_last_checkpoint_and_an_interrupted_status(run):
    launch(run)
    _wait(lambda: (run.dir / "last.safetensors").exists() and (run.dir / "state.pt").exists())
    pid = json.loads((run.dir / "status.json").read_text())["pid"]
    os.kill(pid, signal.SIGKILL)
    _wait(lambda: not run.trainer_alive(), 10)
    st = run.status()
    assert st.status == "failed" and "interrupted" in st.message
    build_model(run.config().model).load_state_dict(run.load_weights("last"))
    saved = run.load_state()
    assert saved["epoch"] >= 1  # the resume state is whole too
    # Resumed, it continues from that state: the points logged after it are dropped, not repeated.
    launch(run, resume=True)
    _wait(lambda: sum(m["kind"] == "epoch" for m in run.metrics()) > saved["epoch"])
    stop(run)
    _wait(lambda: run.status().status == "stopped")
    steps = [m["step"] for m in run.metrics() if m["kind"] == "step"]
    assert steps == sorted(steps) and len(steps) == len(set(steps))
    epochs = [m["epoch"] for m in run.metrics() if m["kind"] == "epoch"]
    assert epochs == list(range(1, len(epochs) + 1))


def test_stop_and_resume_through_the_worker(run):
    launch(run)
    _wait(lambda: run.status().status == "running" and run.metrics())
    stop(run)
    _wait(lambda: run.status().status == "stopped")
    done = max(m["step"] for m in run.metrics())
    left = run.dir / ".last.safetensors.x1.tmp"
    left.write_bytes(b"half")  # as a kill -9 mid-write leaves it, a while ago
    then = time.time() - STALE_TEMP_S - 5
    os.utime(left, (then, then))
    launch(run, resume=True)
    _wait(lambda: max(m["step"] for m in run.metrics()) > done)
    assert not (run.dir / ".last.safetensors.x1.tmp").exists()  # swept (the trainer's own temp files come and go)
    stop(run)
    _wait(lambda: run.status().status == "stopped")


def test_a_second_run_on_a_busy_device_is_queued(run):
    with FileLock(checkpoints_dir() / ".device-cpu.lock"):
        launch(run)
        _wait(lambda: (run.dir / "status.json").exists() and run.status().status == "queued")
        time.sleep(1)
        assert run.status().status == "queued"
        stop(run)
        _wait(lambda: run.status().status == "stopped")
    assert "while queued" in Run.at(run.id).status().message
