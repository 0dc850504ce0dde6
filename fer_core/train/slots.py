"""The local device queues, which train_in_process waits in: one per device. A CPU machine
trains one run at a time; on CUDA each GPU index is its own queue of `runs_per_gpu` slots.
A slot is a lock file in the checkpoints dir, held by the trainer process while it trains (the OS frees it if it dies)."""

import time
from pathlib import Path

import torch

from fer_core.paths import checkpoints_dir
from fer_core.train.runs import FileLock, Run, RunError


def device_slots(device: torch.device, runs_per_gpu: int = 1, gpu_count: int | None = None) -> list[tuple[torch.device, Path]]:
    """(device, lock path) of every slot a run asking for `device` may take, in the order tried.
    `cuda` without an index may take any GPU; `cuda:1` only that one."""
    root = checkpoints_dir()
    if device.type != "cuda":
        return [(torch.device(device.type), root / f".device-{device.type}.lock")]
    count = torch.cuda.device_count() if gpu_count is None else gpu_count
    indices = [device.index] if device.index is not None else range(count)
    # slot-major order: a second run goes to an idle GPU before sharing a busy one
    return [(torch.device("cuda", i), root / f".device-cuda{i}-{k}.lock") for k in range(runs_per_gpu) for i in indices]


def try_slots(slots: list[tuple[torch.device, Path]]) -> tuple[torch.device, FileLock] | None:
    """The first free slot, locked; None when all are taken."""
    for device, path in slots:
        lock = FileLock(path, blocking=False)
        try:
            lock.__enter__()
        except RunError:
            continue
        return device, lock
    return None


def wait_for_slot(run: Run, slots: list[tuple[torch.device, Path]], poll: float = 0.5) -> tuple[torch.device, FileLock] | None:
    """A slot, waiting (the run stays 'queued') until one is free; None if stopped meanwhile."""
    while True:
        taken = try_slots(slots)
        if taken is not None:
            return taken
        if run.stop_requested():
            return None
        time.sleep(poll)
