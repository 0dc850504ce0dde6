"""Run directories: config, status, metrics log, weights and resume state, each written
atomically; a lock so two trainers never write one run; interrupted runs detected.

    <checkpoints>/<run id>/
      config.json     TrainConfig (model resolved), data-set hash, run id
      status.json     queued | running | finished | stopped | failed, message, progress
      metrics.jsonl   one JSON record per line: step and epoch points
      best.safetensors / last.safetensors   model weights (EMA weights when EMA is on)
      state.pt        resume state: optimizer, scheduler, RNG states (weights_only load)
      lock            held (flock) by the trainer while it lives
      stop            present = a stop was requested
"""

import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from fer_core.atomic import atomic_path, write_json, write_text
from fer_core.paths import checkpoints_dir
from fer_core.train.config import TrainConfig

ACTIVE = ("queued", "running")
STATUSES = (*ACTIVE, "finished", "stopped", "failed")


class RunError(Exception):
    """A run that is missing, damaged or busy; the message names the run and the file."""


@dataclass
class Run:
    id: str
    dir: Path

    @classmethod
    def at(cls, run_id: str) -> "Run":
        return cls(run_id, checkpoints_dir() / run_id)

    # --- files -------------------------------------------------------------
    def _read_json(self, name: str) -> dict:
        path = self.dir / name
        if not path.exists():
            raise RunError(f"run {self.id}: {name} is missing ({path})")
        try:
            return json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RunError(f"run {self.id}: {name} is damaged ({exc})") from exc

    def config(self) -> TrainConfig:
        raw = self._read_json("config.json")
        try:
            return TrainConfig.from_json(raw["train"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RunError(f"run {self.id}: config.json is not a valid run config ({exc})") from exc

    def data_hash(self) -> str:
        return self._read_json("config.json").get("data_hash", "")

    def write_config(self, cfg: TrainConfig, data_hash: str) -> None:
        write_json(self.dir / "config.json", {"run_id": self.id, "data_hash": data_hash, "train": cfg.to_json()})

    def status(self) -> dict:
        """The status, with a dead trainer's 'running' corrected to 'failed'."""
        st = self._read_json("status.json")
        if st.get("status") in ACTIVE and not self.trainer_alive():
            st = {**st, "status": "failed", "message": "interrupted: the trainer process ended without finishing"}
            self.set_status(**st)
        return st

    def set_status(self, status: str, **extra) -> None:
        assert status in STATUSES, status
        write_json(self.dir / "status.json", {**extra, "status": status, "updated": time.time()})

    def metrics(self) -> list[dict]:
        path = self.dir / "metrics.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def write_metrics(self, records: list[dict]) -> None:
        write_text(self.dir / "metrics.jsonl", "".join(json.dumps(r) + "\n" for r in records))

    def save_weights(self, which: str, model: torch.nn.Module) -> None:
        state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        with atomic_path(self.dir / f"{which}.safetensors") as tmp:
            save_file(state, str(tmp))

    def load_weights(self, which: str = "best") -> dict[str, torch.Tensor]:
        path = self.dir / f"{which}.safetensors"
        if not path.exists():
            raise RunError(f"run {self.id}: no {which} weights yet ({path})")
        try:
            return load_file(str(path))
        except Exception as exc:  # safetensors raises several types on damage
            raise RunError(f"run {self.id}: {path.name} is damaged ({exc})") from exc

    def save_state(self, state: dict) -> None:
        with atomic_path(self.dir / "state.pt") as tmp:
            torch.save(state, tmp)

    @property
    def resumable(self) -> bool:
        """A resume state exists (a new run, or one that failed before its first epoch, has none)."""
        return (self.dir / "state.pt").exists()

    def load_state(self) -> dict | None:
        path = self.dir / "state.pt"
        if not path.exists():
            return None
        try:
            return torch.load(path, weights_only=True, map_location="cpu")
        except Exception as exc:
            raise RunError(f"run {self.id}: state.pt is damaged ({exc})") from exc

    # --- stop requests and locks --------------------------------------------
    def request_stop(self) -> None:
        write_text(self.dir / "stop", str(time.time()))

    def stop_requested(self) -> bool:
        return (self.dir / "stop").exists()

    def clear_stop(self) -> None:
        (self.dir / "stop").unlink(missing_ok=True)

    def trainer_alive(self) -> bool:
        """True while some process holds this run's lock."""
        path = self.dir / "lock"
        if not path.exists():
            return False
        with open(path) as f:
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


def list_runs() -> list[Run]:
    """Every run directory (with a config.json), newest first."""
    root = checkpoints_dir()
    if not root.is_dir():
        return []
    runs = [Run(p.name, p) for p in root.iterdir() if (p / "config.json").exists()]
    return sorted(runs, key=lambda r: (r.dir / "config.json").stat().st_mtime, reverse=True)


def summary(run: Run) -> dict:
    """What `fer runs list --json` shows for one run."""
    st = run.status() if (run.dir / "status.json").exists() else {"status": "queued"}
    metrics = run.metrics()
    epochs = [m for m in metrics if m.get("kind") == "epoch"]
    steps = [m for m in metrics if m.get("kind") == "step"]
    best = max(epochs, key=lambda m: m["val_acc"], default=None)
    last = metrics[-1] if metrics else {}
    progress = last.get("progress", 0.0)
    elapsed = last.get("elapsed", 0.0)
    return {
        "id": run.id,
        "status": st["status"],
        "message": st.get("message", ""),
        "progress": 1.0 if st["status"] == "finished" else progress,
        "config": run.config().to_json(),
        "best": {k: best[k] for k in ("epoch", "val_acc", "val_loss")} if best else None,
        "epochs_done": len(epochs),
        "epoch": last.get("epoch", 0),
        "elapsed": elapsed,
        "eta_s": elapsed * (1 - progress) / progress if 0 < progress < 1 and st["status"] == "running" else None,
        "images_per_s": steps[-1]["images_per_s"] if steps else None,
    }
