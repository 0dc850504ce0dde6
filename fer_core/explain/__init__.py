"""Explanations of one face: six saliency methods, one file each over a small shared base
(`base.Preprocessed`: the network with its preprocessing in front). The model handle
(`fer_core.handle.loaded.LoadedModel`) is what pages and the CLI call: it adds the cache, the
probabilities, the randomised sanity-check copy and occlusion."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fer_core.explain.base import Preprocessed, conv_layers, eval_mode, to_input
from fer_core.explain.gradcam import gradcam
from fer_core.explain.guided import guided
from fer_core.explain.integrated import integrated
from fer_core.explain.occlusion import occlusion
from fer_core.explain.smoothgrad import smoothgrad
from fer_core.explain.vanilla import vanilla

METHODS: dict[str, Callable] = {
    "saliency": vanilla,
    "smoothgrad": smoothgrad,
    "guided-backprop": guided,
    "integrated-gradients": integrated,
    "grad-cam": gradcam,
    "occlusion": occlusion,
}
TITLES = {
    "saliency": "Vanilla gradient",
    "smoothgrad": "SmoothGrad",
    "guided-backprop": "Guided backprop",
    "integrated-gradients": "Integrated gradients",
    "grad-cam": "Grad-CAM",
    "occlusion": "Occlusion",
}


@dataclass(frozen=True)
class Explanation:
    method: str
    target: int  # the class explained
    map: np.ndarray  # (48, 48) float32, >= 0: larger = more relevant
    probs: np.ndarray  # (7,) the model's probabilities for the face


def check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; one of {', '.join(METHODS)}")
    return method


def attribution(net: Preprocessed, face: np.ndarray, method: str, target: int, layer: str | None = None) -> np.ndarray:
    """(48, 48) float32 relevance of each pixel of `face` (48, 48) uint8 for class `target`.
    The network runs in eval mode and comes back in the mode it had; the face is not touched."""
    with eval_mode(net):
        attr = METHODS[check_method(method)](net, to_input(face), int(target), layer)
    return attr.float().numpy().astype(np.float32)


def heat(m: np.ndarray, percentile: float = 99.0) -> np.ndarray:
    """A map scaled to [0, 1] for display, clipped at a high percentile so one pixel cannot wash it out."""
    top = np.percentile(m, percentile)
    return np.clip(m / top, 0, 1) if top > 0 else np.zeros_like(m)


__all__ = ["METHODS", "TITLES", "Explanation", "Preprocessed", "attribution", "check_method", "conv_layers", "heat"]
