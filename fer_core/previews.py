"""Pictures and tables for the Data page: sample grids, histograms, and what each
normalisation and augmentation does to the same faces."""

import numpy as np
import torch

from fer_core.augment import TRANSFORMS, AugmentConfig, augment_batch
from fer_core.data.dataset import FaceDataset
from fer_core.labels import SPLITS, TRAINING
from fer_core.normalize import Normalization, Preprocessing, dataset_stats, normalize

DISPLAY_Z = 2.5  # standardised values in [-2.5, 2.5] are shown as black..white


def sample_indices(ds: FaceDataset, split: str, label: int | None, k: int, seed: int) -> np.ndarray:
    """Up to k random indices of one split (and class), reproducible by seed."""
    mask = ds.splits == SPLITS.index(split)
    if label is not None:
        mask &= ds.labels == label
    idx = np.flatnonzero(mask)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(idx, size=min(k, len(idx)), replace=False)) if len(idx) else idx


def montage(images: np.ndarray, cols: int, scale: int = 2, gap: int = 2, fill: int = 255) -> np.ndarray:
    """(N, H, W) uint8 -> one grid image, upscaled by `scale` with crisp pixels."""
    n, h, w = images.shape
    rows = max(1, -(-n // cols))
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), fill, np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = img
    return np.kron(out, np.ones((scale, scale), np.uint8)) if scale > 1 else out


def intensity_histogram(ds: FaceDataset, split: str | None = None) -> np.ndarray:
    """(C, 256) pixel-value counts per class of the data set (of one split, or all); faces without
    a class (data.dataset.NO_LABEL) are in none of the rows."""
    mask = np.ones(len(ds), bool) if split is None else ds.splits == SPLITS.index(split)
    hist = np.zeros((len(ds.classes), 256), np.int64)
    for c in range(len(ds.classes)):
        sel = ds.pixels[mask & (ds.labels == c)]
        hist[c] = np.bincount(sel.ravel(), minlength=256)
    return hist


def pixel_stats(hist: np.ndarray) -> tuple[float, float]:
    """Mean and std of pixels / 255 from a (.., 256) histogram: no float copy of the images."""
    counts = hist.reshape(-1, 256).sum(0).astype(np.float64)
    values = np.arange(256) / 255.0
    n = counts.sum() or 1.0
    mean = float((counts * values).sum() / n)
    return mean, float(np.sqrt((counts * (values - mean) ** 2).sum() / n))


def normalization_preview(ds: FaceDataset, indices: np.ndarray, equalized: bool = False) -> dict[str, dict]:
    """For each normalisation: display images (N, 48, 48) uint8 and value statistics; with
    `equalized`, of the faces histogram-equalised first, as a model trained with it sees them."""
    prep = Preprocessing(equalize=equalized)
    faces = torch.from_numpy(prep.prepare(ds.pixels[indices])).unsqueeze(1)  # (N, 1, 48, 48) uint8
    train = ds.pixels[ds.splits == TRAINING]
    stats = dataset_stats(prep.prepare(train if len(train) else ds.pixels))  # as training computes them
    out = {}
    for mode in Normalization:
        z = normalize(faces, mode, stats)[:, 0].numpy()  # (N, 48, 48) float32
        shown = z if mode is Normalization.NONE else (z + DISPLAY_Z) / (2 * DISPLAY_Z)
        out[mode.value] = {
            "images": (np.clip(shown, 0, 1) * 255).round().astype(np.uint8),
            "face_means": z.mean(axis=(1, 2)),
            "face_stds": z.std(axis=(1, 2)),
            "min": float(z.min()),
            "max": float(z.max()),
        }
    return out


def augmentation_preview(face: np.ndarray, cfg: AugmentConfig, n: int = 8, seed: int = 0) -> dict[str, np.ndarray]:
    """Each transform alone, then all together, applied n times to one (48, 48) face."""
    x = torch.from_numpy(face).float().div(255).expand(n, 1, *face.shape).contiguous()  # (n, 1, 48, 48)
    out = {}
    for i, name in enumerate((*TRANSFORMS.values(), "all")):
        g = torch.Generator().manual_seed(seed * 100 + i)
        one = cfg if name == "all" else cfg.only(name)
        y = augment_batch(x, one, g)[:, 0]
        out[name] = (y.clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    return out
