"""Run directories: the one place that knows a run's files. Each is written atomically; a lock
keeps two trainers off one run; a dead trainer's run reads as failed (interrupted).

    <checkpoints>/<run id>/
      config.json        TrainConfig (model resolved), data-set hash, run id
      status.json        queued | running | finished | stopped | failed, message, pid, time,
                         where it trains (executor, node, host, device) and every place it trained
      metrics.jsonl      one JSON record per line: step and epoch points
      best.safetensors   model weights of the best epoch (EMA weights when EMA is on)
      last.safetensors   ... of the last finished epoch
      state.pt           resume state: weights, optimizer, scheduler, RNG states (weights_only load)
      norm_stats.json    the Training split's pixel mean and std (for `dataset` normalisation)
      train.log          stdout and stderr of a detached trainer
      lock               held (flock) by the trainer while it lives
      stop               present = a stop was requested
      eval/              cached predictions, `<data>-<split>[-tta|-10crop].safetensors`
      filters/           cached gradient-ascent images, `<layer>.safetensors` (shipped with the default)
"""

import contextlib
import fcntl
import json
import os
import socket
import time
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from fer_core.atomic import atomic_path, write_json, write_text
from fer_core.paths import checkpoints_dir
from fer_core.train.config import TrainConfig

WEIGHTS = ("best", "last")
# A temp file older than this was left by a killed writer; a live one exists for milliseconds.
STALE_TEMP_S = 60.0
SHIPPED_FILES = ("config.json", "status.json", "metrics.jsonl", "best.safetensors", "norm_stats.json")  # what a shipped model keeps


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"

    @property
    def active(self) -> bool:
        """A trainer holds (or waits for) the run."""
        return self in (RunStatus.QUEUED, RunStatus.RUNNING)


class RunError(Exception):
    """A run that is missing, damaged or busy; the message names the run and the file."""


@dataclass(frozen=True)
class StatusRecord:
    status: RunStatus
    message: str = ""
    pid: int | None = None
    updated: float = 0.0
    where: dict | None = None  # {"executor", "node", "host", "device"} of the latest trainer
    trained_on: tuple = ()  # every `where` the run has trained at, oldest first
    queued_by: dict | None = None  # {"host", "pid"} of the process that queued it on a cluster


def _process_alive(owner: dict | None) -> bool:
    """Whether the process that queued a run on a cluster still runs (it owns the pending task).
    One on another host cannot be checked from here: taken to be alive."""
    if not owner:
        return False
    if owner.get("host") != socket.gethostname():
        return True
    try:
        os.kill(int(owner["pid"]), 0)
    except (OSError, ValueError, KeyError):
        return False
    return True


@dataclass
class Run:
    id: str
    dir: Path

    @classmethod
    def at(cls, run_id: str) -> "Run":
        return cls(run_id, checkpoints_dir() / run_id)

    # --- paths: every file of a run is named here and nowhere else ----------
    @property
    def config_path(self) -> Path:
        return self.dir / "config.json"

    @property
    def status_path(self) -> Path:
        return self.dir / "status.json"

    @property
    def metrics_path(self) -> Path:
        return self.dir / "metrics.jsonl"

    @property
    def state_path(self) -> Path:
        return self.dir / "state.pt"

    @property
    def norm_stats_path(self) -> Path:
        return self.dir / "norm_stats.json"

    @property
    def log_path(self) -> Path:
        return self.dir / "train.log"

    @property
    def lock_path(self) -> Path:
        return self.dir / "lock"

    @property
    def stop_path(self) -> Path:
        return self.dir / "stop"

    def weights_path(self, which: str = "best") -> Path:
        if which not in WEIGHTS:
            raise ValueError(f"weights are {' or '.join(WEIGHTS)}, not {which!r}")
        return self.dir / f"{which}.safetensors"

    def eval_cache_path(self, data: str, split: str, suffix: str) -> Path:
        return self.dir / "eval" / f"{data}-{split}{suffix}.safetensors"

    def filters_cache_path(self, layer: str) -> Path:
        return self.dir / "filters" / f"{layer}.safetensors"

    @property
    def exists(self) -> bool:
        return self.config_path.exists()

    # --- config -------------------------------------------------------------
    def _read_json(self, path: Path) -> dict:
        if not path.exists():
            raise RunError(f"run {self.id}: {path.name} is missing ({path})")
        try:
            return json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RunError(f"run {self.id}: {path.name} is damaged ({exc})") from exc

    def config(self) -> TrainConfig:
        raw = self._read_json(self.config_path)
        try:
            return TrainConfig.from_json(raw["train"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RunError(f"run {self.id}: config.json is not a valid run config ({exc})") from exc

    def data_hash(self) -> str:
        return self._read_json(self.config_path).get("data_hash", "")

    def write_config(self, cfg: TrainConfig, data_hash: str) -> None:
        write_json(self.config_path, {"run_id": self.id, "data_hash": data_hash, "train": cfg.to_json()})

    # --- status -------------------------------------------------------------
    @property
    def has_status(self) -> bool:
        return self.status_path.exists()

    def status(self) -> StatusRecord:
        """The status; a 'running' or 'queued' run whose trainer is gone reads as failed
        (interrupted). Reading never writes: the trainer, or the next start, writes status."""
        raw = self._read_json(self.status_path)
        try:
            rec = StatusRecord(
                RunStatus(raw["status"]),
                raw.get("message", ""),
                raw.get("pid"),
                float(raw.get("updated", 0.0)),
                raw.get("where"),
                tuple(raw.get("trained_on", ())),
                raw.get("queued_by"),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise RunError(f"run {self.id}: status.json is damaged ({exc!r})") from exc
        if rec.status.active and not self.trainer_alive():
            if rec.status is RunStatus.QUEUED and _process_alive(rec.queued_by):
                return rec  # waiting on the cluster for resources: no trainer process yet
            return replace(rec, status=RunStatus.FAILED, message="interrupted: the trainer process ended without finishing")
        return rec

    def set_status(
        self, status: RunStatus | str, message: str = "", pid: int | None = None, where: dict | None = None, queued_by: dict | None = None
    ) -> None:
        """Write status.json; a new `where` joins `trained_on`, which every later write keeps."""
        try:
            old = self._read_json(self.status_path) if self.has_status else {}
        except RunError:  # a damaged status is replaced, not kept
            old = {}
        trained_on = list(old.get("trained_on", []))
        if where and (not trained_on or trained_on[-1] != where):
            trained_on.append(where)
        rec = {"status": str(RunStatus(status)), "message": message, "pid": pid, "updated": time.time()}
        rec |= {"where": where or old.get("where"), "trained_on": trained_on, "queued_by": queued_by}
        write_json(self.status_path, rec)

    # --- metrics, weights, resume state ---------------------------------------
    def metrics(self) -> list[dict]:
        if not self.metrics_path.exists():
            return []
        return [json.loads(line) for line in self.metrics_path.read_text().splitlines() if line.strip()]

    def write_metrics(self, records: list[dict]) -> None:
        write_text(self.metrics_path, "".join(json.dumps(r) + "\n" for r in records))

    def has_weights(self, which: str = "best") -> bool:
        return self.weights_path(which).exists()

    def save_weights(self, which: str, model: torch.nn.Module) -> None:
        state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        with atomic_path(self.weights_path(which)) as tmp:
            save_file(state, str(tmp))

    def load_weights(self, which: str = "best") -> dict[str, torch.Tensor]:
        path = self.weights_path(which)
        if not path.exists():
            raise RunError(f"run {self.id}: no {which} weights yet ({path})")
        try:
            return load_file(str(path))
        except Exception as exc:  # safetensors raises several types on damage
            raise RunError(f"run {self.id}: {path.name} is damaged ({exc})") from exc

    def save_state(self, state: dict) -> None:
        with atomic_path(self.state_path) as tmp:
            torch.save(state, tmp)

    @property
    def resumable(self) -> bool:
        """A resume state exists (a new run, or one that failed before its first epoch, has none)."""
        return self.state_path.exists()

    def load_state(self) -> dict | None:
        if not self.state_path.exists():
            return None
        try:
            return torch.load(self.state_path, weights_only=True, map_location="cpu")
        except Exception as exc:
            raise RunError(f"run {self.id}: state.pt is damaged ({exc})") from exc

    def forget_progress(self) -> None:
        """A fresh start (e.g. of a run that failed before its first epoch) drops old points and state."""
        for path in (self.metrics_path, self.state_path):
            path.unlink(missing_ok=True)

    def write_norm_stats(self, stats: tuple[float, float]) -> None:
        write_json(self.norm_stats_path, {"mean": stats[0], "std": stats[1]})

    def norm_stats(self) -> tuple[float, float] | None:
        """The Training split's statistics, or None for runs made before they were recorded."""
        if not self.norm_stats_path.exists():
            return None
        d = self._read_json(self.norm_stats_path)
        return float(d["mean"]), float(d["std"])

    def log_tail(self, chars: int = 800) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    # --- stop requests and locks --------------------------------------------
    def request_stop(self) -> None:
        write_text(self.stop_path, str(time.time()))

    def stop_requested(self) -> bool:
        return self.stop_path.exists()

    def clear_stop(self) -> None:
        self.stop_path.unlink(missing_ok=True)

    def remove_stale_temp_files(self) -> None:
        """Temp files a killed trainer left (call while holding the lock). Only old ones: another
        process (an app queueing the same run) may be between writing its temp file and renaming
        it, without the lock; deleting that one would fail its write."""
        now = time.time()
        for stale in self.dir.glob(".*.tmp"):
            with contextlib.suppress(FileNotFoundError):  # its writer may rename it meanwhile
                if now - stale.stat().st_mtime > STALE_TEMP_S:
                    stale.unlink()

    def trainer_alive(self) -> bool:
        """True while some process holds this run's lock."""
        if not self.lock_path.exists():
            return False
        with open(self.lock_path) as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(f, fcntl.LOCK_UN)
            return False


class FileLock:
    """An exclusive flock held for a `with` block; released by the OS if the process dies."""

    def __init__(self, path: Path, blocking: bool = False):
        self.path, self.blocking, self.fd = path, blocking, None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | (0 if self.blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(self.fd)
            raise RunError(f"{self.path.parent.name}: another trainer holds {self.path.name}") from None
        os.ftruncate(self.fd, 0)
        os.write(self.fd, str(os.getpid()).encode())
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
