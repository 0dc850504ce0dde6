"""Starting, stopping and resuming runs, in this process (CLI) or in a detached worker
process (dashboard: closing the tab or re-running the page never kills training).

`prepare_run(cfg)` is the one decision for a request: a finished identical run is cached,
an active one is busy, a stopped or failed one resumes from its last state, else a new run
(`fer_core.executor.start_or_resume` carries it out for the app; the CLI trains in process).
Where a run trains is the executor's choice (fer_core.executor): here, the local executor's
device queues (a second start waits, marked 'queued', for a free slot), or a Ray node that
assigned the device itself.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from enum import StrEnum

import torch

from fer_core.data import list_datasets
from fer_core.train.config import TrainConfig, run_id
from fer_core.train.engine import Callbacks, NonFiniteLoss, Trainer, TrainResult, resolve_device
from fer_core.train.executor_settings import ExecutorSettings
from fer_core.train.run_summary import summary
from fer_core.train.runs import FileLock, Run, RunError, RunStatus
from fer_core.train.slots import device_slots, wait_for_slot


class Plan(StrEnum):
    CACHED = "cached"  # an identical run finished: nothing to train
    BUSY = "busy"  # an identical run is queued or training now
    RESUME = "resume"  # it stopped or failed after an epoch: continue from its state
    NEW = "new"  # train from the start


@dataclass(frozen=True)
class Started:
    run: Run
    plan: Plan


def prepare_run(cfg: TrainConfig) -> tuple[Run, Plan]:
    """The run for `cfg` (its directory and config.json made if new) and what to do with it."""
    info = next((d for d in list_datasets() if d.name == cfg.data), None)
    if info is None:
        raise ValueError(f"no data set named {cfg.data!r}: import one or run `fer data synth`")
    cfg = cfg.resolved()
    run = Run.at(run_id(cfg, info.hash))
    if not run.has_status:
        run.dir.mkdir(parents=True, exist_ok=True)
        run.write_config(cfg, info.hash)
        return run, Plan.NEW
    status = run.status().status
    if status is RunStatus.FINISHED:
        return run, Plan.CACHED
    if status.active:
        return run, Plan.BUSY
    return run, Plan.RESUME if run.resumable else Plan.NEW


def train_in_process(
    run: Run,
    resume: bool = False,
    callbacks: Callbacks | None = None,
    device: torch.device | None = None,
    where: dict | None = None,
) -> TrainResult | None:
    """Train `run` here, holding its lock. Status moves queued -> running -> finished,
    stopped or failed (with the message). Ctrl-C asks for a clean stop.
    `device` given (a cluster node's): train on it at once; else wait for a local device slot.
    `where` names the executor and node for the run's record."""
    cfg = run.config()
    with FileLock(run.lock_path):
        if run.has_status and run.status().status is RunStatus.FINISHED:  # another process finished it first
            done = summary(run)
            return TrainResult(RunStatus.FINISHED, done.best["val_acc"] if done.best else -1.0, done.epochs_done)
        run.remove_stale_temp_files()  # left by a killed trainer; we hold the lock now
        if not resume:
            run.forget_progress()
        slot_lock = None
        if device is None:
            run.set_status(RunStatus.QUEUED, "waiting for the device", pid=os.getpid())
            slot = wait_for_slot(run, device_slots(resolve_device(cfg.device), ExecutorSettings.from_env().runs_per_gpu))
            if slot is None:
                run.clear_stop()
                run.set_status(RunStatus.STOPPED, "stopped while queued")
                return None
            device, slot_lock = slot
        where = {"executor": "local", "node": "", "host": socket.gethostname(), **(where or {}), "device": str(device)}
        previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, lambda *_: run.request_stop())
        try:
            run.set_status(RunStatus.RUNNING, pid=os.getpid(), where=where)
            result = Trainer(run, cfg, callbacks, device=device).fit(resume=resume)
        except NonFiniteLoss as exc:
            run.set_status(RunStatus.FAILED, str(exc), where=where)
            raise
        except Exception as exc:
            run.set_status(RunStatus.FAILED, f"{type(exc).__name__}: {exc}", where=where)
            raise
        finally:
            signal.signal(signal.SIGINT, previous)
            if slot_lock is not None:
                slot_lock.__exit__()
        run.clear_stop()
        run.set_status(result.status, f"best val acc {result.best_val_acc:.4f}" if result.best_val_acc >= 0 else "", where=where)
        return result


def launch(run: Run, resume: bool = False, wait: float = 15.0) -> None:
    """Train `run` in a detached worker process; returns once it has taken the run."""
    if run.trainer_alive():
        raise RunError(f"run {run.id} is already training")
    run.clear_stop()
    cmd = [sys.executable, "-m", "fer_core.train.worker", run.id] + (["--resume"] if resume else [])
    with open(run.log_path, "ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=os.environ.copy())
    deadline = time.time() + wait
    while time.time() < deadline:
        if run.trainer_alive():
            return
        if proc.poll() is not None:
            raise RunError(f"run {run.id}: the trainer exited at once:\n{run.log_tail()}")
        time.sleep(0.1)
    raise RunError(f"run {run.id}: the trainer did not start within {wait:.0f} s (see {run.log_path})")


def stop(run: Run) -> None:
    """Ask the trainer to stop at the next step boundary (it saves a resume state); a run still
    queued on a cluster stops when its task starts."""
    status = run.status().status
    if not run.trainer_alive() and status is not RunStatus.QUEUED:
        raise RunError(f"run {run.id} is not training (status: {status})")
    run.request_stop()
