"""Study statistics against direct computations."""

import math

import numpy as np
import pytest
from scipy import stats

from fer_core.study.stats import difference, estimate, verdict


def test_estimate_is_the_mean_and_its_standard_error():
    v = [0.61, 0.63, 0.62, 0.66]
    e = estimate(v)
    assert e.mean == pytest.approx(np.mean(v)) and e.n == 4
    assert e.se == pytest.approx(np.std(v, ddof=1) / 2)
    assert e.text() == f"{np.mean(v) * 100:.1f} ± {np.std(v, ddof=1) / 2 * 100:.1f}"
    assert math.isnan(estimate([0.5]).se) and estimate([0.5]).text() == "50.0"


def test_difference_matches_welchs_t_test():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0.60, 0.01, 3), rng.normal(0.66, 0.02, 4)
    d = difference(a, b)
    res = stats.ttest_ind(b, a, equal_var=False)
    ci = res.confidence_interval(0.95)
    assert d.diff == pytest.approx(b.mean() - a.mean())
    assert (d.low, d.high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert d.clear == (res.pvalue < 0.05)


def test_verdicts_in_words():
    clear = difference([0.55, 0.56, 0.555], [0.66, 0.665, 0.67])
    assert verdict("augmentation", clear).startswith("augmentation: +11.0 ± ") and "clearly more than seed noise" in verdict(
        "augmentation", clear
    )
    noise = difference([0.60, 0.62, 0.61], [0.61, 0.60, 0.625])
    assert "not distinguishable from noise" in verdict("weight averaging", noise)
    assert "one seed" in verdict("x", difference([0.6], [0.7]))
