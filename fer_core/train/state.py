"""Everything that changes while a run trains, in one object that saves and restores itself
(state.pt), so a stopped run resumes exactly where it was."""

import copy
from dataclasses import dataclass

import torch

from fer_core.models import build_model
from fer_core.train.config import TrainConfig
from fer_core.train.optim import build_optimizer, build_scheduler, step_scheduler


class EMA:
    """Exponential moving average of the whole state (weights and batch-norm statistics,
    as timm's ModelEmaV2): the averaged model is usually better than the last one. The
    decay warms up as min(decay, (1 + n) / (10 + n)) so early, random weights do not linger
    in short runs."""

    def __init__(self, model: torch.nn.Module, decay: float):
        self.decay, self.updates = decay, 0
        self.model = copy.deepcopy(model).requires_grad_(False)
        # state_dict tensors share storage with the live ones and are updated in place, so
        # the pairs are collected once; one fused lerp per step keeps the cost negligible.
        pairs = list(zip(self.model.state_dict().values(), model.state_dict().values()))
        self._float = ([e for e, v in pairs if e.dtype.is_floating_point], [v for e, v in pairs if e.dtype.is_floating_point])
        self._other = [(e, v) for e, v in pairs if not e.dtype.is_floating_point]  # num_batches_tracked

    @torch.no_grad()
    def update(self) -> None:
        self.updates += 1
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        torch._foreach_lerp_(self._float[0], self._float[1], 1 - d)
        for e, v in self._other:
            e.copy_(v)


@dataclass
class TrainingState:
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: object  # a torch LR scheduler, or None
    ema: EMA | None
    shuffle_gen: torch.Generator  # the epoch's face order
    aug_gen: torch.Generator  # augmentation draws, on the training device
    epoch: int = 0  # epochs finished
    step: int = 0  # steps done in the current epoch
    best: float = -1.0  # best validation accuracy so far
    perm: torch.Tensor | None = None  # (N,) the current epoch's face order
    loss_sum: float = 0.0  # running sums over the current epoch
    correct: float = 0.0
    seen: float = 0.0
    last_val_acc: float = -1.0

    @classmethod
    def create(cls, cfg: TrainConfig, device: torch.device, steps_per_epoch: int) -> "TrainingState":
        """A fresh state (call after seeding torch: the weights' initialisation draws from it)."""
        model = build_model(cfg.model).to(device, memory_format=torch.channels_last)
        opt = build_optimizer(model, cfg)
        return cls(
            model=model,
            optimizer=opt,
            scheduler=build_scheduler(opt, cfg, steps_per_epoch),
            ema=EMA(model, cfg.ema) if cfg.ema else None,
            shuffle_gen=torch.Generator().manual_seed(cfg.seed),
            aug_gen=torch.Generator(device=device).manual_seed(cfg.seed + 1),
        )

    def start_from(self, weights: dict[str, torch.Tensor]) -> None:
        """Fine-tune: the model and its weight average begin at `weights` (the optimiser's state is fresh)."""
        self.model.load_state_dict(weights)
        if self.ema:
            self.ema.model.load_state_dict(weights)

    # --- the loop's moves ---------------------------------------------------
    @property
    def eval_model(self) -> torch.nn.Module:
        """What is validated and saved: the exponential average when EMA is on, else the model itself."""
        return self.ema.model if self.ema else self.model

    @property
    def lr(self) -> float:
        return self.optimizer.param_groups[0]["lr"]

    def begin_epoch(self, n_train: int) -> None:
        if self.perm is None:
            self.perm = torch.randperm(n_train, generator=self.shuffle_gen)

    def optimizer_step(self, loss: torch.Tensor, cfg: TrainConfig) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        step_scheduler(self.scheduler, cfg, per_step=True)
        if self.ema:
            self.ema.update()
        self.step += 1

    def add(self, loss: float, correct: float, n: int) -> None:
        self.loss_sum += loss * n
        self.correct += correct
        self.seen += n

    @property
    def mean_loss(self) -> float:
        return self.loss_sum / max(self.seen, 1)

    @property
    def mean_acc(self) -> float:
        return self.correct / max(self.seen, 1)

    def end_epoch(self, cfg: TrainConfig, val_loss: float) -> None:
        step_scheduler(self.scheduler, cfg, per_step=False, val_loss=val_loss)
        self.epoch, self.step, self.perm = self.epoch + 1, 0, None

    def reset_sums(self) -> None:
        self.loss_sum = self.correct = self.seen = 0.0

    # --- save and restore (the keys of state.pt) -------------------------------
    def snapshot(self) -> dict:
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else {},
            "ema": self.ema.model.state_dict() if self.ema else {},
            "ema_updates": self.ema.updates if self.ema else 0,
            "shuffle_gen": self.shuffle_gen.get_state(),
            "aug_gen": self.aug_gen.get_state().cpu(),
            "torch_rng": torch.get_rng_state(),
            "epoch": self.epoch,
            "step": self.step,
            "best": self.best,
            "perm": self.perm,
            "sums": torch.tensor([self.loss_sum, self.correct, self.seen], dtype=torch.float64),
        }

    def load(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        if self.ema:
            self.ema.model.load_state_dict(state["ema"])
            self.ema.updates = int(state["ema_updates"])
        self.shuffle_gen.set_state(state["shuffle_gen"])
        self.aug_gen.set_state(state["aug_gen"].to(self.aug_gen.get_state().device))
        torch.set_rng_state(state["torch_rng"])
        self.epoch, self.step, self.best, self.perm = state["epoch"], state["step"], state["best"], state["perm"]
        self.loss_sum, self.correct, self.seen = state["sums"].tolist()  # the stopped epoch's running sums
