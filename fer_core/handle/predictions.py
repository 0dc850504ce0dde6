"""Class probabilities for every face of a split (evaluate.Predictions), computed once with the
model handle and cached with the run.

Cache: `<run dir>/eval/<data>-<split>[-tta|-10crop].safetensors`, with the data set's content hash,
the weights' digest and the arithmetic (bf16 or fp32) in its metadata: a re-imported data set, new
weights or the other precision miss it.
"""

import contextlib
import time
from collections.abc import Callable

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from fer_core.atomic import atomic_path
from fer_core.data import FaceDataset
from fer_core.estimate import prediction_rate_key, record
from fer_core.evaluate.predictions import Predictions
from fer_core.handle.loaded import LoadedModel
from fer_core.inference import check_tta
from fer_core.labels import SPLITS

CHUNK = 512  # faces per forward pass; also the progress granularity


def cache_path(model: LoadedModel, data: str, split: str, tta: str):
    """Where this model's predictions are cached, or None for a model with no run directory."""
    suffix = {"none": "", "flip": "-tta"}.get(tta, f"-{tta}")  # flip kept its old name
    return model.run.eval_cache_path(data, split, suffix) if model.run else None


def _load_cached(path, model: LoadedModel, ds: FaceDataset, split: str, tta: str) -> Predictions | None:
    if path is None or not path.exists():
        return None
    try:
        with safe_open(str(path), "pt") as f:
            meta = f.metadata() or {}
        if meta.get("data_hash") != ds.hash or meta.get("weights") != model.digest:
            return None  # stale: the data set or the weights changed
        if meta.get("precision", "fp32") != model.arithmetic:  # caches before the field were fp32
            return None  # computed in the other arithmetic: rounding could flip a prediction
        t = load_file(str(path))
    except (OSError, SafetensorError, ValueError):
        return None  # damaged: recompute and overwrite
    indices = t["indices"].numpy()
    return Predictions(model.run_id, ds.name, ds.hash, split, tta, indices, ds.labels[indices].astype(np.int64), t["probs"].numpy())


def cached_predictions(model: LoadedModel, ds: FaceDataset, split: str, tta: str = "none") -> Predictions | None:
    """The predictions from the run's cache when they are current, else None (computing them is
    the first evaluation of this model on this data set, which the page estimates first)."""
    return _load_cached(cache_path(model, ds.name, split, tta), model, ds, split, tta)


def predict_split(
    model: LoadedModel,
    ds: FaceDataset,
    split: str,
    tta: str = "none",
    progress: Callable[[float], None] | None = None,
    use_cache: bool = True,
) -> Predictions:
    """Probabilities for every face of `split`, from the cache when it is current."""
    check_tta(tta)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; one of {', '.join(SPLITS)}")
    if use_cache and (hit := cached_predictions(model, ds, split, tta)) is not None:
        if progress:
            progress(1.0)
        return hit
    path = cache_path(model, ds.name, split, tta)
    indices = ds.split_indices(split).astype(np.int64)
    if not len(indices):
        raise ValueError(f"data set {ds.name!r} has no {split} faces")
    probs = np.empty((len(indices), model.num_classes), np.float32)
    began = time.perf_counter()
    for start in range(0, len(indices), CHUNK):
        rows = indices[start : start + CHUNK]
        probs[start : start + len(rows)] = model.probs(ds.pixels[rows], tta)  # (B, C)
        if progress:
            progress(min(1.0, (start + len(rows)) / len(indices)))
    if len(indices) >= CHUNK:  # enough faces for a rate the next estimate can use
        record(prediction_rate_key(model, tta), len(indices) / (time.perf_counter() - began))
    meta = {
        "data_hash": ds.hash,
        "weights": model.digest,
        "run_id": model.run_id,
        "split": split,
        "tta": tta,
        "precision": model.arithmetic,
    }
    if path is not None:
        with contextlib.suppress(OSError), atomic_path(path) as tmp:  # a read-only model directory: correct, just not cached
            save_file({"indices": torch.from_numpy(indices), "probs": torch.from_numpy(probs)}, str(tmp), metadata=meta)
    return Predictions(model.run_id, ds.name, ds.hash, split, tta, indices, ds.labels[indices].astype(np.int64), probs)
