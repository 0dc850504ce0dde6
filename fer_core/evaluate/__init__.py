"""Evaluation: predictions per split scored (truth, metrics), confused pairs, comparisons. The
predictions themselves come from the model handle (handle/predictions.py)."""

from fer_core.evaluate.compare import Comparison, compare
from fer_core.evaluate.metrics import ConfusedPair, confused_pairs, confusion, report, row_normalised
from fer_core.evaluate.predictions import Predictions

__all__ = [
    "Comparison",
    "ConfusedPair",
    "Predictions",
    "compare",
    "confused_pairs",
    "confusion",
    "report",
    "row_normalised",
]
