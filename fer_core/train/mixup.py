"""Mixup (Zhang et al. 2018): a batch is blended with a shuffled copy of itself, and the loss
with it. The draw is a function of (seed, epoch, step), so it needs no saved state and a
resumed run blends exactly as an uninterrupted one."""

import numpy as np
import torch
import torch.nn.functional as F


def mixup_draw(alpha: float, seed: int, epoch: int, step: int, batch: int) -> tuple[float, np.ndarray]:
    """(lam, order) for one step: lam ~ Beta(alpha, alpha) folded to >= 0.5, so each blended face
    stays mostly its own (its label is the one the training accuracy counts); order pairs it."""
    rng = np.random.default_rng([seed, epoch, step])
    lam = float(rng.beta(alpha, alpha))
    return max(lam, 1.0 - lam), rng.permutation(batch)


def mix_batch(x: torch.Tensor, lam: float, order: torch.Tensor) -> torch.Tensor:
    """lam * x + (1 - lam) * x[order], a new tensor (x is not changed). x: (B, 1, H, W)."""
    return x.mul(lam).add_(x[order], alpha=1.0 - lam)


def mixed_cross_entropy(logits, y, lam: float, order, **kwargs) -> torch.Tensor:
    """The blend's loss: lam of the first face's label and 1 - lam of its partner's."""
    return lam * F.cross_entropy(logits, y, **kwargs) + (1.0 - lam) * F.cross_entropy(logits, y[order], **kwargs)
