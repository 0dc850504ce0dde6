"""The training loop. The data set lives on the device as uint8; each batch is indexed,
augmented and normalised there as one tensor (no per-image Python, no DataLoader).
Validation is a separate pass. The trainer alone writes the run's metrics log. Everything random draws from generators whose states go
into the resume state, so stop + resume gives the same result as one uninterrupted run."""

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from fer_core.atomic import write_json
from fer_core.augment import augment_batch
from fer_core.data import load_dataset
from fer_core.inference import predict_logits
from fer_core.labels import NUM_CLASSES
from fer_core.models import build_model
from fer_core.normalize import dataset_stats, normalize
from fer_core.precision import use_bf16
from fer_core.train.config import TrainConfig
from fer_core.train.optim import build_optimizer, build_scheduler, step_scheduler
from fer_core.train.runs import Run


class NonFiniteLoss(RuntimeError):
    pass


@dataclass
class TrainResult:
    status: str  # finished | stopped
    best_val_acc: float
    epochs_done: int


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' asked for, but no CUDA GPU is available")
    return torch.device(name)


def class_weights(labels: torch.Tensor) -> torch.Tensor:
    """Inverse-frequency weights with mean 1 (rare classes count more)."""
    counts = torch.bincount(labels, minlength=NUM_CLASSES).float().clamp(min=1)
    w = counts.sum() / counts
    return w / w.mean()


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


class Trainer:
    """Trains one run. `callbacks` get (event, record) for 'step' and 'epoch' events."""

    def __init__(self, run: Run, cfg: TrainConfig, callbacks: list[Callable[[str, dict], None]] | None = None):
        self.run, self.cfg = run, cfg.resolved()
        self.callbacks = list(callbacks or [])
        self.device = resolve_device(cfg.device)

    def _emit(self, event: str, record: dict) -> None:
        for cb in self.callbacks:
            cb(event, record)

    def _data(self):
        ds = load_dataset(self.cfg.data)
        if self.run.data_hash() and ds.hash != self.run.data_hash():
            raise ValueError(f"data set {self.cfg.data!r} changed since run {self.run.id} was made (content hash differs); start a new run")
        tr, va = ds.split_indices(self.cfg.train_split), ds.split_indices(self.cfg.val_split)
        if not len(tr) or not len(va):
            raise ValueError(f"data set {self.cfg.data!r} has no {self.cfg.train_split} or {self.cfg.val_split} faces")
        to = lambda a: torch.from_numpy(np.ascontiguousarray(a)).to(self.device)  # noqa: E731
        x_tr, y_tr = to(ds.pixels[tr]).unsqueeze(1), to(ds.labels[tr]).long()  # (N, 1, 48, 48) uint8
        x_va, y_va = to(ds.pixels[va]).unsqueeze(1), to(ds.labels[va]).long()
        return x_tr, y_tr, x_va, y_va, dataset_stats(ds.pixels[tr])

    def fit(self, resume: bool = False) -> TrainResult:
        cfg, dev = self.cfg, self.device
        torch.manual_seed(cfg.seed)
        x_tr, y_tr, x_va, y_va, stats = self._data()
        # Inference on other data (webcam, another data set) needs the Training split's statistics.
        write_json(self.run.dir / "norm_stats.json", {"mean": stats[0], "std": stats[1]})
        model = build_model(cfg.model).to(dev, memory_format=torch.channels_last)
        steps_per_epoch = epoch_steps(len(x_tr), cfg.batch_size)
        opt = build_optimizer(model, cfg)
        sched = build_scheduler(opt, cfg, steps_per_epoch)
        ema = EMA(model, cfg.ema) if cfg.ema else None
        bf16 = use_bf16(cfg.precision, dev)
        weight = class_weights(y_tr.cpu()).to(dev) if cfg.class_weights else None
        shuffle_gen = torch.Generator().manual_seed(cfg.seed)
        aug_gen = torch.Generator(device=dev).manual_seed(cfg.seed + 1)
        records, epoch, step, best, perm, sums = [], 0, 0, -1.0, None, None

        state = self.run.load_state() if resume else None
        if state:
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["optimizer"])
            if sched is not None:
                sched.load_state_dict(state["scheduler"])
            if ema:
                ema.model.load_state_dict(state["ema"])
                ema.updates = int(state["ema_updates"])
            shuffle_gen.set_state(state["shuffle_gen"])
            aug_gen.set_state(state["aug_gen"].to(aug_gen.get_state().device))
            torch.set_rng_state(state["torch_rng"])
            epoch, step, best, perm = state["epoch"], state["step"], state["best"], state["perm"]
            sums = state["sums"].tolist()  # the stopped epoch's running loss, correct, seen
            records = self.run.metrics()
        elapsed0 = records[-1]["elapsed"] if records else 0.0
        t0 = last_write = time.perf_counter()

        def snapshot():
            return {
                "model": model.state_dict(), "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict() if sched is not None else {},
                "ema": ema.model.state_dict() if ema else {}, "ema_updates": ema.updates if ema else 0,
                "shuffle_gen": shuffle_gen.get_state(), "aug_gen": aug_gen.get_state().cpu(), "torch_rng": torch.get_rng_state(),
                "epoch": epoch, "step": step, "best": best, "perm": perm,
                "sums": torch.tensor([run_loss, run_correct, run_seen], dtype=torch.float64),
            }  # fmt: skip

        def elapsed():
            return elapsed0 + time.perf_counter() - t0

        model.train()
        while epoch < cfg.epochs:
            if perm is None:
                perm = torch.randperm(len(x_tr), generator=shuffle_gen)
            run_loss, run_correct, run_seen = sums or (0.0, 0.0, 0.0)
            sums = None
            t_window, seen_window = time.perf_counter(), 0
            while step < steps_per_epoch:
                idx = perm[step * cfg.batch_size : (step + 1) * cfg.batch_size].to(dev)
                xb = x_tr[idx].float().div_(255)  # (B, 1, 48, 48) in [0, 1]
                xb = augment_batch(xb, cfg.augment, aug_gen)
                xb = normalize(xb, cfg.normalization, stats).contiguous(memory_format=torch.channels_last)
                yb = y_tr[idx]
                with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16):
                    logits = model(xb)
                loss = F.cross_entropy(logits.float(), yb, weight=weight, label_smoothing=cfg.label_smoothing)
                if not torch.isfinite(loss):
                    raise NonFiniteLoss(f"the loss became {loss.item()} at epoch {epoch + 1}, step {step + 1}: try a lower learning rate")
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                step_scheduler(sched, cfg, per_step=True)
                if ema:
                    ema.update()
                step += 1
                n = len(yb)
                run_loss += loss.item() * n
                run_correct += (logits.argmax(1) == yb).sum().item()
                run_seen += n
                seen_window += n
                if step % cfg.log_every == 0 or step == steps_per_epoch:
                    now = time.perf_counter()
                    rec = {
                        "kind": "step", "epoch": epoch + step / steps_per_epoch, "step": epoch * steps_per_epoch + step,
                        "train_loss": run_loss / run_seen, "train_acc": run_correct / run_seen,
                        "lr": opt.param_groups[0]["lr"], "images_per_s": seen_window / max(now - t_window, 1e-9),
                        "elapsed": elapsed(), "progress": (epoch * steps_per_epoch + step) / (cfg.epochs * steps_per_epoch),
                    }  # fmt: skip
                    t_window, seen_window = now, 0
                    records.append(rec)
                    if now - last_write > 0.5:  # live curves, without rewriting the log every step
                        self.run.write_metrics(records)
                        last_write = now
                    self._emit("step", rec)
                if self.run.stop_requested() and step < steps_per_epoch:
                    self.run.write_metrics(records)
                    self.run.save_state(snapshot())
                    return TrainResult("stopped", best, epoch)
            eval_model = ema.model if ema else model
            vb = 64 if dev.type == "cpu" else 512  # small batches stay in a CPU's cache
            logits = predict_logits(eval_model, x_va, cfg.normalization, stats, batch=vb, tta=cfg.val_tta)
            val_loss = F.cross_entropy(logits, y_va).item()
            val_acc = (logits.argmax(1) == y_va).float().mean().item()
            step_scheduler(sched, cfg, per_step=False, val_loss=val_loss)
            epoch, step, perm = epoch + 1, 0, None
            rec = {
                "kind": "epoch", "epoch": epoch, "step": epoch * steps_per_epoch,
                "train_loss": run_loss / max(run_seen, 1), "train_acc": run_correct / max(run_seen, 1),
                "val_loss": val_loss, "val_acc": val_acc, "lr": opt.param_groups[0]["lr"],
                "elapsed": elapsed(), "progress": epoch / cfg.epochs,
            }  # fmt: skip
            records.append(rec)
            run_loss = run_correct = run_seen = 0.0  # the next epoch starts afresh (and so does a resume)
            self.run.save_weights("last", eval_model)
            if val_acc > best:
                best = val_acc
                self.run.save_weights("best", eval_model)
            self.run.write_metrics(records)
            self.run.save_state(snapshot())
            self._emit("epoch", rec)
            if self.run.stop_requested() and epoch < cfg.epochs:
                return TrainResult("stopped", best, epoch)
        return TrainResult("finished", best, epoch)


def epoch_steps(n_train: int, batch_size: int) -> int:
    """Full batches only: a ragged last batch of one face would break batch norm."""
    return max(n_train // batch_size, 1)


def total_steps(cfg: TrainConfig, n_train: int) -> int:
    return cfg.epochs * epoch_steps(n_train, cfg.batch_size)
