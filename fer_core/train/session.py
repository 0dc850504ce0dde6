"""Starting, stopping and resuming runs, in this process (CLI) or in a detached worker
process (dashboard: closing the tab or re-running the page never kills training).

One run trains per device at a time: a second start waits, marked 'queued', on the
device lock in the checkpoints dir.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import torch

from fer_core.data import list_datasets
from fer_core.paths import checkpoints_dir
from fer_core.train.config import TrainConfig, run_id
from fer_core.train.engine import NonFiniteLoss, Trainer, TrainResult, resolve_device
from fer_core.train.runs import FileLock, Run, RunError


def prepare_run(cfg: TrainConfig) -> tuple[Run, str]:
    """The run for `cfg`, created if new. Returns (run, state): state is 'new', or the
    existing run's status ('finished' means: cached, nothing to train)."""
    info = next((d for d in list_datasets() if d.name == cfg.data), None)
    if info is None:
        raise ValueError(f"no data set named {cfg.data!r}: import one or run `fer data synth`")
    cfg = cfg.resolved()
    run = Run.at(run_id(cfg, info.hash))
    if (run.dir / "status.json").exists():
        return run, run.status()["status"]
    run.dir.mkdir(parents=True, exist_ok=True)
    run.write_config(cfg, info.hash)
    return run, "new"


def _device_lock(device: torch.device) -> FileLock:
    return FileLock(checkpoints_dir() / f".device-{device.type}.lock", blocking=False)


def _wait_for_device(run: Run, lock: FileLock, poll: float = 0.5) -> bool:
    """Acquire the device lock, staying 'queued' meanwhile. False if stopped while waiting."""
    while True:
        try:
            lock.__enter__()
            return True
        except RunError:
            if run.stop_requested():
                return False
            time.sleep(poll)


def train_in_process(run: Run, resume: bool = False, callbacks: list[Callable[[str, dict], None]] | None = None) -> TrainResult | None:
    """Train `run` here, holding its lock. Status moves queued -> running -> finished,
    stopped or failed (with the message). Ctrl-C asks for a clean stop."""
    cfg = run.config()
    with FileLock(run.dir / "lock"):
        for stale in run.dir.glob(".*.tmp"):  # left by a killed trainer; we hold the lock now
            stale.unlink(missing_ok=True)
        if not resume:  # a fresh start (e.g. of a run that failed before its first epoch) forgets old points
            for old in ("metrics.jsonl", "state.pt"):
                (run.dir / old).unlink(missing_ok=True)
        run.set_status("queued", pid=os.getpid(), message="waiting for the device")
        device_lock = _device_lock(resolve_device(cfg.device))
        if not _wait_for_device(run, device_lock):
            run.clear_stop()
            run.set_status("stopped", message="stopped while queued")
            return None
        previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, lambda *_: run.request_stop())
        try:
            run.set_status("running", pid=os.getpid(), message="")
            result = Trainer(run, cfg, callbacks).fit(resume=resume)
        except NonFiniteLoss as exc:
            run.set_status("failed", message=str(exc))
            raise
        except Exception as exc:
            run.set_status("failed", message=f"{type(exc).__name__}: {exc}")
            raise
        finally:
            signal.signal(signal.SIGINT, previous)
            device_lock.__exit__()
        run.clear_stop()
        msg = f"best val acc {result.best_val_acc:.4f}" if result.best_val_acc >= 0 else ""
        run.set_status(result.status, message=msg)
        return result


def launch(run: Run, resume: bool = False, wait: float = 15.0) -> None:
    """Train `run` in a detached worker process; returns once it has taken the run."""
    if run.trainer_alive():
        raise RunError(f"run {run.id} is already training")
    run.clear_stop()
    cmd = [sys.executable, "-m", "fer_core.train.worker", run.id] + (["--resume"] if resume else [])
    with open(run.dir / "train.log", "ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=os.environ.copy())
    deadline = time.time() + wait
    while time.time() < deadline:
        if run.trainer_alive():
            return
        if proc.poll() is not None:
            tail = (run.dir / "train.log").read_text(errors="replace")[-800:]
            raise RunError(f"run {run.id}: the trainer exited at once:\n{tail}")
        time.sleep(0.1)
    raise RunError(f"run {run.id}: the trainer did not start within {wait:.0f} s (see {run.dir / 'train.log'})")


def stop(run: Run) -> None:
    """Ask the trainer to stop at the next step boundary (it saves a resume state)."""
    if not run.trainer_alive():
        raise RunError(f"run {run.id} is not training (status: {run.status()['status']})")
    run.request_stop()
