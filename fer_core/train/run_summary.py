"""Listing run directories, and the one-record summary of a run that `fer runs list --json`
and the Train page show (status, progress, best epoch, speed, where it trains)."""

from dataclasses import asdict, dataclass

from fer_core.paths import checkpoints_dir
from fer_core.train.runs import Run, RunStatus, StatusRecord


def list_runs() -> list[Run]:
    """Every run directory (with a config.json), newest first."""
    root = checkpoints_dir()
    if not root.is_dir():
        return []
    runs = [Run(p.name, p) for p in root.iterdir() if (p / "config.json").exists()]
    return sorted(runs, key=lambda r: r.config_path.stat().st_mtime, reverse=True)


@dataclass(frozen=True)
class RunSummary:
    """What `fer runs list --json` and the Train page show for one run."""

    id: str
    status: RunStatus
    message: str
    progress: float  # 0..1
    config: dict
    best: dict | None  # {"epoch", "val_acc", "val_loss"} of the best epoch
    epochs_done: int
    epoch: float  # fractional, from the latest point
    elapsed: float  # seconds of training, summed over resumes
    eta_s: float | None
    images_per_s: float | None
    where: dict | None = None  # executor, node, host and device of the latest trainer
    trained_on: tuple = ()

    @property
    def active(self) -> bool:
        return self.status.active

    def to_json(self) -> dict:
        return {**asdict(self), "status": str(self.status)}


def summary(run: Run) -> RunSummary:
    st = run.status() if run.has_status else StatusRecord(RunStatus.QUEUED)
    metrics = run.metrics()
    epochs = [m for m in metrics if m.get("kind") == "epoch"]
    steps = [m for m in metrics if m.get("kind") == "step"]
    best = max(epochs, key=lambda m: m["val_acc"], default=None)
    last = metrics[-1] if metrics else {}
    progress, elapsed = last.get("progress", 0.0), last.get("elapsed", 0.0)
    running = st.status is RunStatus.RUNNING
    return RunSummary(
        id=run.id,
        status=st.status,
        message=st.message,
        progress=1.0 if st.status is RunStatus.FINISHED else progress,
        config=run.config().to_json(),
        best={k: best[k] for k in ("epoch", "val_acc", "val_loss")} if best else None,
        epochs_done=len(epochs),
        epoch=last.get("epoch", 0),
        elapsed=elapsed,
        eta_s=elapsed * (1 - progress) / progress if 0 < progress < 1 and running else None,
        images_per_s=steps[-1]["images_per_s"] if steps else None,
        where=st.where,
        trained_on=st.trained_on,
    )
