"""Integrated gradients (Sundararajan et al., 2017), Captum, from a black face to this one."""

import torch
from captum.attr import IntegratedGradients

STEPS = 32


def integrated(net, x: torch.Tensor, target: int, layer=None) -> torch.Tensor:
    attr = IntegratedGradients(net).attribute(x, baselines=torch.zeros_like(x), target=target, n_steps=STEPS, internal_batch_size=STEPS)
    return attr.detach().abs()[0, 0]
