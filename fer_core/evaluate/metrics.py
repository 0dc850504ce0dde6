"""Accuracy, per-class precision/recall/F1 (scikit-learn), the confusion matrix, and the
most confused pairs said in words."""

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support

from fer_core.labels import CLASSES, NUM_CLASSES


def confusion(labels: np.ndarray, pred: np.ndarray, n: int = NUM_CLASSES) -> np.ndarray:
    """(n, n) int64 counts: rows are the true class, columns the predicted one."""
    return np.bincount(labels.astype(np.int64) * n + pred.astype(np.int64), minlength=n * n).reshape(n, n)


def row_normalised(cm: np.ndarray) -> np.ndarray:
    """Each row divided by its total (a class with no faces stays 0)."""
    totals = cm.sum(1, keepdims=True)
    return np.divide(cm, totals, out=np.zeros(cm.shape, float), where=totals > 0)


def report(labels: np.ndarray, pred: np.ndarray, classes: tuple[str, ...] = CLASSES) -> dict:
    """The numbers `fer eval --json` prints: accuracy, macro_f1, per_class, confusion_matrix, over
    a model's `classes`."""
    ks, n = list(range(len(classes))), len(classes)
    if not len(labels):  # a filter left no face: nothing to score, and sklearn refuses empty input
        zero = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
        per_class = {c: dict(zero) for c in classes}
        return {"n": 0, "accuracy": 0.0, "macro_f1": 0.0, "per_class": per_class, "confusion_matrix": confusion(labels, pred, n).tolist()}
    p, r, f, s = precision_recall_fscore_support(labels, pred, labels=ks, zero_division=0)
    return {
        "n": int(len(labels)),
        "accuracy": float((labels == pred).mean()) if len(labels) else 0.0,
        "macro_f1": float(f1_score(labels, pred, labels=ks, average="macro", zero_division=0)),
        "per_class": {classes[k]: {"precision": float(p[k]), "recall": float(r[k]), "f1": float(f[k]), "support": int(s[k])} for k in ks},
        "confusion_matrix": confusion(labels, pred, n).tolist(),
    }


@dataclass(frozen=True)
class ConfusedPair:
    true: int
    pred: int
    count: int
    total: int  # faces of the true class
    rate: float  # share of them given this wrong label

    def sentence(self, classes: tuple[str, ...] = CLASSES) -> str:
        return f"{classes[self.true]} is taken for {classes[self.pred]} in {self.rate:.0%} of cases ({self.count} of {self.total})"


def confused_pairs(cm: np.ndarray, top: int = 5) -> list[ConfusedPair]:
    """The off-diagonal cells with the highest row rate (ties: more faces first)."""
    rates = row_normalised(cm)
    cells = [(t, p) for t in range(len(cm)) for p in range(len(cm)) if t != p and cm[t, p] > 0]
    cells.sort(key=lambda tp: (-rates[tp], -cm[tp]))
    return [ConfusedPair(t, p, int(cm[t, p]), int(cm[t].sum()), float(rates[t, p])) for t, p in cells[:top]]
