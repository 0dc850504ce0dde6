"""The training loop. The data set lives on the device as uint8; each batch is indexed,
augmented and normalised there as one tensor (no per-image Python, no DataLoader).
Validation is a separate pass. The trainer alone writes the run's metrics log.

Everything that changes while training lives in one `TrainingState` (the model, optimiser,
schedule, weight average, random generators and the position in the data), which saves and
restores itself, so stop + resume gives the same result as one uninterrupted run."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from fer_core.augment import augment_batch
from fer_core.data import load_dataset
from fer_core.data.ferplus import majority, vote_targets
from fer_core.inference import inference_copy, predict_logits
from fer_core.label_sources import LEARNED, TRUTHS, own_truth
from fer_core.normalize import Preprocessing, dataset_stats
from fer_core.precision import use_bf16
from fer_core.train.config import TrainConfig
from fer_core.train.runs import Run, RunStatus
from fer_core.train.shipped import resolve_run
from fer_core.train.state import TrainingState

Callbacks = list[Callable[[str, dict], None]]  # each gets (event, record): 'step' and 'epoch' points


class NonFiniteLoss(RuntimeError):
    pass


@dataclass
class TrainResult:
    status: RunStatus  # finished | stopped
    best_val_acc: float
    epochs_done: int


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' asked for, but no CUDA GPU is available")
    return torch.device(name)


def class_weights(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Inverse-frequency weights with mean 1 (rare classes count more)."""
    counts = torch.bincount(labels, minlength=num_classes).float().clamp(min=1)
    w = counts.sum() / counts
    return w / w.mean()


def epoch_steps(n_train: int, batch_size: int) -> int:
    """Full batches only: a ragged last batch of one face would break batch norm."""
    return max(n_train // batch_size, 1)


def labelled_rows(cfg: TrainConfig, ds) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """(training rows, their classes, their vote distributions (N, C) or None, validation rows,
    their classes) as `cfg.labels` asks, for the model's C classes. With FER+ labels, faces without
    a label to learn or to score against are left out: no majority (or, for a 7-class model,
    contempt's), or no vote left (vote_targets)."""
    tr, va = ds.split_indices(cfg.train_split), ds.split_indices(cfg.val_split)
    n = cfg.resolved().model.num_classes
    learned = LEARNED[cfg.labels]
    if learned.needs_fer2013 and not ds.has_fer2013_labels:
        instead = "train with labels 'votes' or 'majority'" if ds.votes is not None else "train on a FER2013 data set"
        raise ValueError(f"data set {cfg.data!r} has no FER2013 labels ({TRUTHS[own_truth(ds.label_source)].title} only): {instead}")
    if learned.needs_votes and ds.votes is None:
        raise ValueError(f"labels {cfg.labels!r} need FER+ votes: import {cfg.data!r} with `--ferplus fer2013new.csv`")
    if cfg.labels == "fer2013":
        return tr, ds.labels[tr], None, va, ds.labels[va]
    maj_va = majority(ds.votes[va])
    if cfg.labels == "votes":
        targets, keep = vote_targets(ds.votes[tr], n)
        t_tr = targets[keep]
        y_tr = t_tr.argmax(1)  # for class weights and the running training accuracy
    else:
        y_tr, t_tr = majority(ds.votes[tr]), None
        keep = (y_tr >= 0) & (y_tr < n)
        y_tr = y_tr[keep]
    scored = (maj_va >= 0) & (maj_va < n)
    return tr[keep], y_tr, t_tr, va[scored], maj_va[scored]


def init_weights(cfg: TrainConfig) -> dict[str, torch.Tensor]:
    """The best weights of model `cfg.init` (a run id or a shipped model), checked to be this run's
    architecture and classes."""
    source = resolve_run(cfg.init)
    if (theirs := source.config().resolved().model) != cfg.model:
        raise ValueError(
            f"cannot start from {cfg.init!r}: it is a {theirs.name} with {theirs.num_classes} classes, "
            f"this run a {cfg.model.name} with {cfg.model.num_classes}"
        )
    return source.load_weights("best")


def total_steps(cfg: TrainConfig, n_train: int) -> int:
    return cfg.epochs * epoch_steps(n_train, cfg.batch_size)


@dataclass
class _Data:
    x_tr: torch.Tensor  # (N, 1, 48, 48) uint8 on the device
    y_tr: torch.Tensor  # (N,) int64
    x_va: torch.Tensor
    y_va: torch.Tensor
    preprocessing: Preprocessing  # with the Training split's statistics
    t_tr: torch.Tensor | None = None  # (N, C) float32 soft targets (labels "votes"), else None

    def targets(self, idx: torch.Tensor) -> torch.Tensor:
        """What the loss compares with: class ids (B,), or vote distributions (B, C)."""
        return self.y_tr[idx] if self.t_tr is None else self.t_tr[idx]

    def augmented(self, idx: torch.Tensor, augment, generator: torch.Generator) -> torch.Tensor:
        """Training faces `idx`, randomly transformed: (B, 1, S, S) floats in [0, 1]."""
        return augment_batch(self.x_tr[idx].float().div_(255), augment, generator)

    def model_input(self, xb: torch.Tensor) -> torch.Tensor:
        """Faces in [0, 1] -> what the model takes: normalised, channels_last."""
        return self.preprocessing(xb).contiguous(memory_format=torch.channels_last)


class Trainer:
    """Trains one run. `callbacks` get (event, record) for 'step' and 'epoch' events."""

    def __init__(self, run: Run, cfg: TrainConfig, callbacks: Callbacks | None = None, device: torch.device | None = None):
        """`device`: the one the executor assigned (a GPU index); else the config's."""
        self.run, self.cfg = run, cfg.resolved()
        self.callbacks = list(callbacks or [])
        self.device = device or resolve_device(cfg.device)
        self.bf16 = use_bf16(cfg.precision, self.device)

    def _emit(self, event: str, record: dict) -> None:
        for cb in self.callbacks:
            cb(event, record)

    def _data(self) -> _Data:
        cfg = self.cfg
        ds = load_dataset(cfg.data)
        if self.run.data_hash() and ds.hash != self.run.data_hash():
            raise ValueError(f"data set {cfg.data!r} changed since run {self.run.id} was made (content hash differs); start a new run")
        tr, y_tr, t_tr, va, y_va = labelled_rows(cfg, ds)
        if not len(tr) or not len(va):
            raise ValueError(f"data set {cfg.data!r} has no {cfg.train_split} or {cfg.val_split} faces to learn from")

        def to(a):
            return torch.from_numpy(np.ascontiguousarray(a)).to(self.device)

        # Training faces are prepared (equalised, if asked) once, here, and augmented from that;
        # validation faces go in as they are, since predict_logits prepares what it is given.
        prep = Preprocessing(equalize=cfg.equalize)
        x_tr = prep.prepare(ds.pixels[tr])
        return _Data(
            to(x_tr).unsqueeze(1),
            to(y_tr).long(),
            to(ds.pixels[va]).unsqueeze(1),
            to(y_va).long(),
            Preprocessing(cfg.normalization, dataset_stats(x_tr), equalize=cfg.equalize),
            None if t_tr is None else to(t_tr).float(),
        )

    def fit(self, resume: bool = False) -> TrainResult:
        cfg = self.cfg
        if reason := cfg.retired_reason():
            raise ValueError(f"run {self.run.id}: {reason}")
        torch.manual_seed(cfg.seed)
        data = self._data()
        # Inference on other data (webcam, another data set) needs the Training split's statistics.
        self.run.write_norm_stats(data.preprocessing.stats)
        steps = epoch_steps(len(data.x_tr), cfg.batch_size)
        state = TrainingState.create(cfg, self.device, steps)
        records = []
        if cfg.init and not (resume and self.run.resumable):
            state.start_from(init_weights(cfg))
        if resume and (saved := self.run.load_state()):
            state.load(saved)
            # A trainer killed mid-epoch (its node lost) logged points past its last saved state:
            # drop them, so the resumed run's points continue from the state, each step once.
            reached = state.epoch * steps + state.step
            records = [r for r in self.run.metrics() if r.get("step", 0) <= reached]
        clock = _Clock(records[-1]["elapsed"] if records else 0.0)
        weight = class_weights(data.y_tr.cpu(), cfg.model.num_classes).to(self.device) if cfg.class_weights else None
        while state.epoch < cfg.epochs:
            if not self._train_epoch(state, data, steps, weight, records, clock):
                self.run.write_metrics(records)
                self.run.save_state(state.snapshot())
                return TrainResult(RunStatus.STOPPED, state.best, state.epoch)
            rec = self._validate(state, data, steps, records, clock)
            self._checkpoint(state, records)
            self._emit("epoch", rec)
            if self.run.stop_requested() and state.epoch < cfg.epochs:
                return TrainResult(RunStatus.STOPPED, state.best, state.epoch)
        return TrainResult(RunStatus.FINISHED, state.best, state.epoch)

    def _train_epoch(self, state: TrainingState, data: _Data, steps: int, weight, records: list, clock: "_Clock") -> bool:
        """Train to the end of the epoch; False if a stop was asked for first."""
        cfg, dev = self.cfg, self.device
        state.begin_epoch(len(data.x_tr))
        window = _Window()
        while state.step < steps:
            idx = state.perm[state.step * cfg.batch_size : (state.step + 1) * cfg.batch_size].to(dev)
            xb = data.augmented(idx, cfg.augment, state.aug_gen)  # (B, 1, 48, 48) in [0, 1]
            yb = data.targets(idx)  # (B,) classes, or (B, C) vote distributions
            xb = data.model_input(xb)
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=self.bf16):
                logits = state.model(xb)
            loss = F.cross_entropy(logits.float(), yb, weight=weight, label_smoothing=cfg.label_smoothing)
            if not torch.isfinite(loss):
                raise NonFiniteLoss(
                    f"the loss became {loss.item()} at epoch {state.epoch + 1}, step {state.step + 1}: try a lower learning rate"
                )
            state.optimizer_step(loss, cfg)
            state.add(loss.item(), (logits.argmax(1) == data.y_tr[idx]).sum().item(), len(yb))
            window.seen += len(yb)
            if state.step % cfg.log_every == 0 or state.step == steps:
                rec = self._step_record(state, steps, window, clock)
                records.append(rec)
                if clock.due_write():  # live curves, without rewriting the log every step
                    self.run.write_metrics(records)
                self._emit("step", rec)
            if self.run.stop_requested() and state.step < steps:
                return False
        return True

    def _step_record(self, state: TrainingState, steps: int, window: "_Window", clock: "_Clock") -> dict:
        cfg, done = self.cfg, state.epoch * steps + state.step
        return {
            "kind": "step",
            "epoch": state.epoch + state.step / steps,
            "step": done,
            "train_loss": state.mean_loss,
            "train_acc": state.mean_acc,
            "lr": state.lr,
            "images_per_s": window.rate(),
            "elapsed": clock.elapsed(),
            "progress": done / (cfg.epochs * steps),
        }

    def _validate(self, state: TrainingState, data: _Data, steps: int, records: list, clock: "_Clock") -> dict:
        """Validation pass with the weight average (if on); steps a plateau schedule; ends the epoch."""
        cfg = self.cfg
        batch = 64 if self.device.type == "cpu" else 512  # small batches stay in a CPU's cache
        # Batch norm folded in and the training precision: on 2 CPU cores with bf16 this cuts the
        # validation of vgg10-gap (3,589 faces, flip) from 13.0 s to 5.6 s, a tenth of its epoch.
        model = inference_copy(state.eval_model)
        logits = predict_logits(model, data.x_va, data.preprocessing, batch=batch, tta=cfg.val_tta, bf16=self.bf16)
        val_loss = F.cross_entropy(logits, data.y_va).item()
        val_acc = (logits.argmax(1) == data.y_va).float().mean().item()
        state.end_epoch(cfg, val_loss)
        rec = {
            "kind": "epoch",
            "epoch": state.epoch,
            "step": state.epoch * steps,
            "train_loss": state.mean_loss,
            "train_acc": state.mean_acc,
            "val_loss": val_loss,
            "val_acc": val_acc,
            "lr": state.lr,
            "elapsed": clock.elapsed(),
            "progress": state.epoch / cfg.epochs,
        }
        records.append(rec)
        state.reset_sums()  # the next epoch starts afresh (and so does a resume)
        state.last_val_acc = val_acc
        return rec

    def _checkpoint(self, state: TrainingState, records: list) -> None:
        """After an epoch: last (and best) weights, the metrics log and the resume state."""
        self.run.save_weights("last", state.eval_model)
        if state.last_val_acc > state.best:
            state.best = state.last_val_acc
            self.run.save_weights("best", state.eval_model)
        self.run.write_metrics(records)
        self.run.save_state(state.snapshot())


class _Clock:
    """Training time summed over resumes, and when the live metrics file is due a rewrite."""

    def __init__(self, before: float):
        self.before, self.t0 = before, time.perf_counter()
        self.last_write = self.t0

    def elapsed(self) -> float:
        return self.before + time.perf_counter() - self.t0

    def due_write(self, every: float = 0.5) -> bool:
        now = time.perf_counter()
        if now - self.last_write > every:
            self.last_write = now
            return True
        return False


class _Window:
    """Images per second since the last logged point."""

    def __init__(self):
        self.t, self.seen = time.perf_counter(), 0

    def rate(self) -> float:
        now = time.perf_counter()
        rate = self.seen / max(now - self.t, 1e-9)
        self.t, self.seen = now, 0
        return rate
