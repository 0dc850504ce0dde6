"""Images of explanations: heat-map overlays, contrast stretching, signed grids (used by the
pages and by `fer explain` / `fer filters`)."""

import cv2
import numpy as np


def overlay(face: np.ndarray, heat: np.ndarray, alpha: float, size: int = 192) -> np.ndarray:
    """A (48, 48) face with a [0, 1] heat map over it (inferno colours), as RGB size x size."""
    face_big = cv2.resize(face, (size, size), interpolation=cv2.INTER_CUBIC)
    heat_big = cv2.resize(heat.astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC).clip(0, 1)
    coloured = cv2.cvtColor(cv2.applyColorMap((heat_big * 255).astype(np.uint8), cv2.COLORMAP_INFERNO), cv2.COLOR_BGR2RGB)
    base = cv2.cvtColor(face_big, cv2.COLOR_GRAY2RGB).astype(np.float32)
    return (base * (1 - alpha) + coloured.astype(np.float32) * alpha).round().astype(np.uint8)


def big(face: np.ndarray, size: int = 192) -> np.ndarray:
    return cv2.resize(face, (size, size), interpolation=cv2.INTER_CUBIC)


def stretch(images: np.ndarray) -> np.ndarray:
    """Each image's contrast stretched to 0..255 (gradient-ascent images are low-contrast)."""
    x = images.astype(np.float32)
    lo = x.min(axis=(-2, -1), keepdims=True)
    hi = x.max(axis=(-2, -1), keepdims=True)
    return ((x - lo) / np.maximum(hi - lo, 1e-6) * 255).astype(np.uint8)


def signed_grid(maps: np.ndarray) -> np.ndarray:
    """Kernels or feature maps (C, h, w) -> uint8 with 0 at mid-grey, each scaled by its own max |value|."""
    m = maps / np.maximum(np.abs(maps).max(axis=(-2, -1), keepdims=True), 1e-8)
    return ((m + 1) * 127.5).clip(0, 255).astype(np.uint8)
