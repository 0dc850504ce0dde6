"""Explanations of one face: six saliency methods over a small shared base, the sanity check
with a randomised model, and interactive occlusion. Results are cached per model, face,
method, target and layer."""

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from fer_core.explain.base import Preprocessed, conv_layers, eval_mode, randomized, to_input
from fer_core.explain.gradcam import gradcam
from fer_core.explain.guided import guided
from fer_core.explain.integrated import integrated
from fer_core.explain.occlusion import occlude, occlusion
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
_CACHE: OrderedDict = OrderedDict()
CACHE_SIZE = 256


@dataclass(frozen=True)
class Explanation:
    method: str
    target: int  # the class explained
    map: np.ndarray  # (48, 48) float32, >= 0: larger = more relevant
    probs: np.ndarray  # (7,) the model's probabilities for the face


def _key(model_id: str, face: np.ndarray, *rest) -> tuple:
    return (model_id, hashlib.sha1(np.ascontiguousarray(face).tobytes()).hexdigest(), *rest)


def probabilities(model: torch.nn.Module, face: np.ndarray, normalization: str, stats=(0.5, 0.25)) -> np.ndarray:
    """(48, 48) uint8 -> (7,) probabilities."""
    net = Preprocessed(model, normalization, stats)
    with eval_mode(model), torch.no_grad():
        return torch.softmax(net(to_input(face)), 1)[0].numpy()


def explain(
    model: torch.nn.Module,
    face: np.ndarray,
    method: str,
    normalization: str,
    stats=(0.5, 0.25),
    target: int | None = None,
    layer: str | None = None,
    model_id: str | None = None,
) -> Explanation:
    """Explain `face` (48, 48) uint8 for `target` (default: the predicted class).
    `model_id` (a weights digest) turns on the cache; the model and the face are left unchanged."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; one of {', '.join(METHODS)}")
    # The key holds the target as asked (None: the predicted class, fixed for a model and face),
    # so a cache hit costs no forward pass.
    key = _key(model_id, face, method, target, layer, normalization) if model_id else None
    if key and key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    probs = probabilities(model, face, normalization, stats)
    target = int(probs.argmax()) if target is None else int(target)
    net = Preprocessed(model, normalization, stats)
    with eval_mode(model):
        attr = METHODS[method](net, to_input(face), target, layer)
    result = Explanation(method, target, attr.float().numpy().astype(np.float32), probs)
    if key:
        _CACHE[key] = result
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def occlusion_probs(model: torch.nn.Module, face: np.ndarray, normalization: str, patch: tuple[int, int, int, int], stats=(0.5, 0.25)):
    """Probabilities (7,) with a grey patch (top, left, height, width) on the face: the interactive occlusion."""
    net = Preprocessed(model, normalization, stats)
    with eval_mode(model), torch.no_grad():
        return torch.softmax(net(occlude(to_input(face), *patch)), 1)[0].numpy()


def heat(m: np.ndarray, percentile: float = 99.0) -> np.ndarray:
    """A map scaled to [0, 1] for display, clipped at a high percentile so one pixel cannot wash it out."""
    top = np.percentile(m, percentile)
    return np.clip(m / top, 0, 1) if top > 0 else np.zeros_like(m)


__all__ = ["METHODS", "TITLES", "Explanation", "conv_layers", "explain", "heat", "occlusion_probs", "probabilities", "randomized"]
