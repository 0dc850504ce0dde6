"""The homework's three derivations, written out and checked against autograd in float64:
the conv output size, the batch-norm backward pass, and d(softmax cross-entropy)/dz."""

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from fer_core.models.layers import out_size


@dataclass(frozen=True)
class Check:
    """The largest absolute difference between a formula and autograd, per quantity."""

    name: str
    errors: dict[str, float]
    cases: list[dict] = field(default_factory=list)

    @property
    def max_error(self) -> float:
        return max(self.errors.values())


def check_conv_output_size(trials: int = 200, seed: int = 0) -> Check:
    """floor((W + 2p - k) / s) + 1 against the shape a real nn.Conv2d produces."""
    g = torch.Generator().manual_seed(seed)
    cases, worst = [], 0
    for _ in range(trials):
        k, s, p = (int(torch.randint(lo, hi, (1,), generator=g)) for lo, hi in ((1, 8), (1, 4), (0, 4)))
        w, h = (int(torch.randint(k, 64, (1,), generator=g)) for _ in range(2))
        y = torch.nn.Conv2d(1, 1, k, stride=s, padding=p)(torch.zeros(1, 1, h, w))
        got, want = tuple(y.shape[-2:]), (out_size(h, k, s, p), out_size(w, k, s, p))
        worst = max(worst, abs(got[0] - want[0]), abs(got[1] - want[1]))
        cases.append({"W": w, "H": h, "k": k, "s": s, "p": p, "formula": want, "conv2d": got})
    return Check("conv output size", {"shape": float(worst)}, cases)


def batchnorm_forward(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-5):
    """x (m, d) -> y, and the cache the backward pass needs (training-mode statistics)."""
    mu = x.mean(0)
    var = ((x - mu) ** 2).mean(0)  # biased, as batch norm uses in training
    x_hat = (x - mu) / torch.sqrt(var + eps)
    return gamma * x_hat + beta, (x, x_hat, mu, var, gamma, eps)


def batchnorm_backward(dy: torch.Tensor, cache) -> dict[str, torch.Tensor]:
    """The chain rule by hand (Ioffe & Szegedy, 2015), one line per derivative."""
    x, x_hat, mu, var, gamma, eps = cache
    m = x.shape[0]
    inv_std = 1.0 / torch.sqrt(var + eps)
    dx_hat = dy * gamma
    dvar = (dx_hat * (x - mu) * -0.5 * inv_std**3).sum(0)
    dmu = (-dx_hat * inv_std).sum(0) + dvar * (-2.0 * (x - mu)).sum(0) / m
    dx = dx_hat * inv_std + dvar * 2.0 * (x - mu) / m + dmu / m
    return {"x_hat": dx_hat, "var": dvar, "mu": dmu, "x": dx, "gamma": (dy * x_hat).sum(0), "beta": dy.sum(0)}


def check_batchnorm(m: int = 16, d: int = 8, seed: int = 0) -> Check:
    """Every batch-norm derivative against autograd's gradient for that tensor."""
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(m, d, generator=g, dtype=torch.float64) * 3 + 1).requires_grad_()
    gamma = torch.randn(d, generator=g, dtype=torch.float64).requires_grad_()
    beta = torch.randn(d, generator=g, dtype=torch.float64).requires_grad_()
    dy = torch.randn(m, d, generator=g, dtype=torch.float64)
    y, cache = batchnorm_forward(x, gamma, beta)
    for t in cache[1:4]:
        t.retain_grad()  # autograd's dL/d(x_hat), dL/d(mu), dL/d(var) for the intermediates
    (y * dy).sum().backward()  # L = sum(y * dy), so dL/dy = dy
    ours = batchnorm_backward(dy, tuple(t.detach() if torch.is_tensor(t) else t for t in cache))
    auto = {"x_hat": cache[1].grad, "mu": cache[2].grad, "var": cache[3].grad, "x": x.grad, "gamma": gamma.grad, "beta": beta.grad}
    # the library's own batch norm agrees with the hand-written forward pass too
    ref = F.batch_norm(x.detach(), None, None, gamma.detach(), beta.detach(), training=True, eps=1e-5)
    errors = {f"dL/d{k}": float((ours[k] - auto[k]).abs().max()) for k in auto}
    errors["forward vs F.batch_norm"] = float((y.detach() - ref).abs().max())
    return Check("batch norm", errors)


def check_softmax_cross_entropy(batch: int = 8, classes: int = 7, seed: int = 0) -> Check:
    """dL/dz = y_hat - y for L = -sum_i y_i log softmax(z)_i (per example, summed over the batch)."""
    g = torch.Generator().manual_seed(seed)
    z = (torch.randn(batch, classes, generator=g, dtype=torch.float64) * 4).requires_grad_()
    target = torch.randint(0, classes, (batch,), generator=g)
    F.cross_entropy(z, target, reduction="sum").backward()
    y_hat = torch.softmax(z.detach(), dim=1)
    y = F.one_hot(target, classes).to(torch.float64)
    return Check("softmax cross-entropy", {"dL/dz": float((y_hat - y - z.grad).abs().max())})
