"""The statistics of a study: a mean with its standard error over seeds, the difference of two
variants with a 95% confidence interval (Welch's t, unequal variances), and a verdict in words."""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as st

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    mean: float
    se: float  # standard error of the mean; nan with one seed
    n: int

    def text(self, scale: float = 100.0, digits: int = 1) -> str:
        """'63.1 ± 0.4' (points, by default); the ± is one standard error."""
        if math.isnan(self.se):
            return f"{self.mean * scale:.{digits}f}"
        return f"{self.mean * scale:.{digits}f} ± {self.se * scale:.{digits}f}"


@dataclass(frozen=True)
class Difference:
    diff: float  # mean(b) - mean(a)
    low: float  # the 95% interval
    high: float
    df: float  # Welch-Satterthwaite degrees of freedom

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    @property
    def clear(self) -> bool:
        """The interval excludes zero: more than seed noise."""
        return self.low > 0 or self.high < 0


def estimate(values) -> Estimate:
    v = np.asarray(values, dtype=np.float64)
    if not len(v):
        raise ValueError("no values to estimate from")
    se = float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else float("nan")
    return Estimate(float(v.mean()), se, len(v))


def difference(a, b, level: float = LEVEL) -> Difference:
    """mean(b) - mean(a) with a `level` confidence interval (Welch); nan bounds with one seed a side."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    diff = float(b.mean() - a.mean())
    if len(a) < 2 or len(b) < 2:
        return Difference(diff, float("nan"), float("nan"), float("nan"))
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return Difference(diff, diff, diff, float("inf"))
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(st.t.ppf(0.5 + level / 2, df)) * se
    return Difference(diff, diff - half, diff + half, float(df))


def verdict(name: str, d: Difference, scale: float = 100.0) -> str:
    """'augmentation: +6.1 ± 0.9 points, clearly more than seed noise' (± is the 95% interval's half-width)."""
    if math.isnan(d.low):
        return f"{name}: {d.diff * scale:+.1f} points (one seed: no interval; run more seeds to tell it from noise)"
    what = "clearly more than seed noise" if d.clear else "not distinguishable from noise"
    return f"{name}: {d.diff * scale:+.1f} ± {d.half_width * scale:.1f} points, {what}"
