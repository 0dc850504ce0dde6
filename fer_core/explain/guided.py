"""Guided backpropagation (Springenberg et al., 2015): only positive gradients pass back through
each activation. Captum's GuidedBackprop overrides nn.ReLU only; the presets use LeakyReLU too,
so the rule is applied here with backward hooks on every activation (released afterwards)."""

import torch
from torch import nn

ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.GELU)


def guided(net, x: torch.Tensor, target: int, layer=None) -> torch.Tensor:
    hooks = [
        m.register_full_backward_hook(lambda mod, gin, gout: (gin[0].clamp(min=0),)) for m in net.modules() if isinstance(m, ACTIVATIONS)
    ]
    try:
        x = x.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(net(x)[0, target], x)
    finally:
        for h in hooks:
            h.remove()
    return grad.abs()[0, 0]
