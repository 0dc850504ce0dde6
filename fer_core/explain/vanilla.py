"""Vanilla gradient saliency (Simonyan et al., 2014): |d score / d pixel|, the homework's method."""

import torch


def vanilla(net, x: torch.Tensor, target: int, layer=None) -> torch.Tensor:
    """(1, 1, 48, 48) -> (48, 48) absolute input gradient of the target logit."""
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(net(x)[0, target], x)
    return grad.abs()[0, 0]
