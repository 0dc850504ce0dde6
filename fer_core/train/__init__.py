"""Training: config, engine and its state, run directories (the cache), sessions."""

from fer_core.train.config import TrainConfig, run_id
from fer_core.train.engine import NonFiniteLoss, Trainer, TrainResult
from fer_core.train.run_summary import RunSummary, list_runs, summary
from fer_core.train.runs import Run, RunError, RunStatus
from fer_core.train.session import Plan, Started, launch, prepare_run, stop, train_in_process

__all__ = [
    "NonFiniteLoss",
    "Plan",
    "Run",
    "RunError",
    "RunStatus",
    "RunSummary",
    "Started",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "launch",
    "list_runs",
    "prepare_run",
    "run_id",
    "stop",
    "summary",
    "train_in_process",
]
