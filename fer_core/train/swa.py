"""Stochastic weight averaging (Izmailov et al. 2018, "Averaging Weights Leads to Wider Optima").

The last `swa_epochs` of a run train at a constant learning rate, and the weights at the end of
each of those epochs are averaged with equal weight. Averaging the points a constant-rate SGD
visits approximates an ensemble of them in one network: three independent vgg8-gap runs averaged
at the output scored about a point above their mean on FER2013 (docs/BENCHMARKS.md), and SWA is
the way to earn part of that inside one run's time. The average's batch-norm statistics are not
the average of the snapshots' (the averaged weights' activations differ from every snapshot's),
so they are recomputed on training faces.
"""

import copy
from collections.abc import Iterable

import torch
from torch import nn

# Training faces whose activations give the averaged model's batch-norm statistics. 4,096 faces are
# 0.6 M samples per channel even at the last 6x6 maps, and cost ~3 s on 2 CPU cores per epoch.
BN_FACES = 4096


class WeightAverage:
    """Equal-weight running average of a model's parameters; `count` snapshots so far."""

    def __init__(self, model: nn.Module):
        self.model = copy.deepcopy(model).requires_grad_(False)
        self.count = 0

    @torch.no_grad()
    def add(self, model: nn.Module) -> None:
        """Fold `model`'s current parameters into the average (the first one is copied)."""
        self.count += 1
        avg, cur = list(self.model.parameters()), list(model.parameters())
        torch._foreach_lerp_(avg, cur, 1.0 / self.count)  # avg += (cur - avg) / n


@torch.no_grad()
def recompute_batch_norm(model: nn.Module, batches: Iterable[torch.Tensor]) -> None:
    """Reset every batch-norm layer's running statistics and recompute them as the plain average
    over `batches` (normalised input batches), as torch.optim.swa_utils.update_bn
    does; the model's train/eval mode and each layer's momentum are left as they were."""
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    momenta = [m.momentum for m in norms]
    was_training = model.training
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average over the batches, not an exponential one
    model.train()
    for xb in batches:
        model(xb)
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    model.train(was_training)
