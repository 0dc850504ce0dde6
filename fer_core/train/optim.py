"""Optimisers and learning-rate schedules from a TrainConfig."""

import torch

from fer_core.train.config import TrainConfig


def build_optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    # No weight decay on biases and norm parameters (1-D tensors): decaying them only hurts.
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    # foreach: one kernel per op over all tensors; on a CPU torch defaults to a Python loop per
    # tensor, which cost 2.2 ms of a 50 ms seed-4conv step (1.1 ms with foreach).
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=cfg.lr, momentum=cfg.momentum, nesterov=True, foreach=True)
    return torch.optim.AdamW(groups, lr=cfg.lr, foreach=True)


ONECYCLE_DIV = 25.0  # OneCycleLR's default: the warm-up starts at lr / 25


def build_scheduler(opt: torch.optim.Optimizer, cfg: TrainConfig, steps_per_epoch: int):
    """The schedule spans the whole run; past its end the rate stays where it ended."""
    total = cfg.epochs * steps_per_epoch
    if cfg.scheduler == "onecycle":
        # OneCycleLR ends at lr / div / final_div, near zero
        return torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=cfg.lr, total_steps=total, pct_start=0.25, div_factor=ONECYCLE_DIV, final_div_factor=1e4
        )
    if cfg.scheduler == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total, eta_min=0.0)
    if cfg.scheduler == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    return None


def step_scheduler(sched, cfg: TrainConfig, per_step: bool, val_loss: float | None = None) -> None:
    """One-cycle and cosine step every batch; plateau steps once per epoch on the val loss."""
    if sched is None:
        return
    if cfg.scheduler == "plateau":
        if not per_step:
            sched.step(val_loss)
    elif per_step and sched.last_epoch < _length(sched):  # past its end the rate stays where it ended
        sched.step()


def _length(sched) -> int:
    return sched.total_steps if isinstance(sched, torch.optim.lr_scheduler.OneCycleLR) else sched.T_max
