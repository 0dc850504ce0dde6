"""Occlusion (Zeiler and Fergus, 2014), Captum: how much the target probability falls when an
8x8 grey patch covers each place. Also the interactive version: one patch, all probabilities,
with presets that cover the eyes, the nose or the mouth of an aligned 48x48 FER face."""

import torch
from captum.attr import Occlusion

PATCH, STRIDE = 8, 4
GREY = 0.5
# (top, left, height, width) in pixels of a 48x48 face: FER2013 faces are centred and aligned,
# so these land on the same features from face to face.
OCCLUSION_PRESETS: dict[str, tuple[int, int, int, int]] = {"eyes": (12, 6, 12, 36), "nose": (20, 17, 12, 14), "mouth": (31, 12, 12, 24)}


def occlusion(net, x: torch.Tensor, target: int, layer=None) -> torch.Tensor:
    prob = lambda inp: torch.softmax(net(inp), 1)  # noqa: E731  (a drop in probability reads better than in logits)
    attr = Occlusion(prob).attribute(
        x, sliding_window_shapes=(1, PATCH, PATCH), strides=(1, STRIDE, STRIDE), baselines=GREY, target=target, perturbations_per_eval=128
    )
    return attr.detach().clamp(min=0)[0, 0]


def occlude(x: torch.Tensor, top: int, left: int, height: int, width: int) -> torch.Tensor:
    """A copy of faces (B, 1, 48, 48) in [0, 1] with a grey height x width patch at (top, left)."""
    out = x.clone()
    out[..., top : top + height, left : left + width] = GREY
    return out
