"""Evaluation: cached predictions per run and split, metrics, confused pairs, comparisons."""

from fer_core.evaluate.compare import Comparison, compare
from fer_core.evaluate.metrics import ConfusedPair, confused_pairs, confusion, report, row_normalised
from fer_core.evaluate.predictions import Predictions, cache_path, predict_split

__all__ = [
    "Comparison",
    "ConfusedPair",
    "Predictions",
    "cache_path",
    "compare",
    "confused_pairs",
    "confusion",
    "predict_split",
    "report",
    "row_normalised",
]
