"""Input normalisation choices, the homework's comparison: none, per-image, data-set mean/std;
histogram equalisation, an optional step before it; and `Preprocessing`, a model's
equalisation and normalisation with the statistics it was trained with."""

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
import torch


class Normalization(StrEnum):
    NONE = "none"  # pixels / 255, in [0, 1]
    PER_IMAGE = "per_image"  # each face to zero mean, unit std: removes lighting and contrast
    DATASET = "dataset"  # one mean/std from the Training split for every face


# Used only by `dataset` normalisation; a run records its Training split's own (norm_stats.json).
# These stand in where no statistics apply (none, per_image) and in previews without a data set.
PLACEHOLDER_STATS = (0.5, 0.25)


def dataset_stats(pixels: np.ndarray) -> tuple[float, float]:
    """Mean and std of pixels / 255 (pass the Training split only: no test leakage)."""
    x = pixels.astype(np.float64) / 255.0
    return float(x.mean()), float(x.std())


def normalize(x: torch.Tensor, mode: Normalization | str, stats: tuple[float, float] = PLACEHOLDER_STATS) -> torch.Tensor:
    """uint8 or [0,1] float faces (B, 1, H, W) -> normalised float32 (B, 1, H, W); input untouched."""
    mode = Normalization(mode)
    x = x.float() / 255.0 if x.dtype == torch.uint8 else x.float()
    if mode is Normalization.PER_IMAGE:
        mean = x.mean(dim=(-2, -1), keepdim=True)
        std = x.std(dim=(-2, -1), keepdim=True)
        return (x - mean) / (std + 1e-6)
    if mode is Normalization.DATASET:
        return (x - stats[0]) / stats[1]
    return x


def equalize(faces: np.ndarray) -> np.ndarray:
    """uint8 faces (..., H, W) -> each face histogram-equalised on its own (cv2.equalizeHist),
    as a new array: its grey levels spread so that their histogram is about flat."""
    faces = np.ascontiguousarray(faces, dtype=np.uint8)
    flat = faces.reshape(-1, *faces.shape[-2:])  # (N, H, W)
    out = np.empty_like(flat)
    for i, face in enumerate(flat):  # ~10 us a 48x48 face: a whole FER2013 split in well under a second
        out[i] = cv2.equalizeHist(face)
    return out.reshape(faces.shape)


@dataclass(frozen=True)
class Preprocessing:
    """How a model wants its faces: whether each is histogram-equalised first, the normalisation it
    was trained with and, for `dataset`, the Training split's statistics. `prepare` equalises whole
    uint8 faces (before any test-time view is cut); calling it normalises a batch."""

    normalization: Normalization | str = Normalization.PER_IMAGE
    stats: tuple[float, float] = PLACEHOLDER_STATS
    equalize: bool = False

    def __post_init__(self):
        object.__setattr__(self, "normalization", Normalization(self.normalization))  # raises on an unknown choice

    def prepare(self, faces):
        """uint8 faces (..., 48, 48), numpy or torch on any device -> the faces the model is fed, of
        the same kind: equalised when it was trained on equalised faces, else the faces themselves."""
        if not self.equalize:
            return faces
        if isinstance(faces, torch.Tensor):
            return torch.from_numpy(equalize(faces.cpu().numpy())).to(faces.device)
        return equalize(faces)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """uint8 or [0, 1] float faces (B, 1, H, W), already prepared -> float32 input for the network."""
        return normalize(x, self.normalization, self.stats)
