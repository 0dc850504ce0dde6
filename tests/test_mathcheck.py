import pytest
import torch

from fer_core import mathcheck
from fer_core.mathcheck import batchnorm_backward, batchnorm_forward, check_batchnorm, check_conv_output_size, check_softmax_cross_entropy


@pytest.mark.parametrize("seed", range(5))
def test_conv_output_size_formula_matches_conv2d(seed):
    check = check_conv_output_size(trials=100, seed=seed)
    assert check.max_error == 0 and len(check.cases) == 100


@pytest.mark.parametrize(("m", "d", "seed"), [(2, 1, 0), (16, 8, 1), (64, 3, 2), (5, 32, 3)])
def test_batchnorm_derivatives_match_autograd_in_float64(m, d, seed):
    check = check_batchnorm(m, d, seed)
    assert set(check.errors) >= {"dL/dx_hat", "dL/dvar", "dL/dmu", "dL/dx", "dL/dgamma", "dL/dbeta"}
    assert check.max_error < 1e-10, check.errors


@pytest.mark.parametrize(("batch", "classes", "seed"), [(1, 2, 0), (8, 7, 1), (32, 7, 2)])
def test_softmax_cross_entropy_gradient_is_yhat_minus_y(batch, classes, seed):
    assert check_softmax_cross_entropy(batch, classes, seed).max_error < 1e-12


def test_a_wrong_formula_is_caught(monkeypatch):
    """The check can fail: drop the dvar term from dL/dmu and the error shows up."""

    def wrong(dy, cache):
        out = batchnorm_backward(dy, cache)
        x, _, mu, var, _, eps = cache
        out["x"] = dy * cache[4] / torch.sqrt(var + eps)  # forgets the mean and variance paths
        return out

    monkeypatch.setattr(mathcheck, "batchnorm_backward", wrong)
    assert check_batchnorm().errors["dL/dx"] > 1e-3


def test_forward_does_not_touch_its_inputs():
    x = torch.randn(4, 3, dtype=torch.float64)
    before = x.clone()
    batchnorm_forward(x, torch.ones(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64))
    assert torch.equal(x, before)
