"""Two models on the same split: where their predictions differ."""

from dataclasses import dataclass

import numpy as np

from fer_core.evaluate.metrics import confusion
from fer_core.evaluate.predictions import Predictions


@dataclass(frozen=True)
class Comparison:
    a: Predictions
    b: Predictions
    agreement: np.ndarray  # (2, 2): rows A right / A wrong, columns B right / B wrong
    changes: np.ndarray  # (C, C), C the larger model's classes: A's prediction (rows) -> B's (columns), faces where they differ only
    a_only: np.ndarray  # positions A gets right and B wrong, B's most confident mistakes first
    b_only: np.ndarray  # positions B gets right and A wrong, A's most confident mistakes first


def compare(a: Predictions, b: Predictions) -> Comparison:
    """Both must be on the same data set content and split."""
    if (a.data_hash, a.split) != (b.data_hash, b.split) or not np.array_equal(a.indices, b.indices):
        raise ValueError(f"cannot compare: {a.data}/{a.split} and {b.data}/{b.split} are not the same faces")
    ra, rb = a.correct, b.correct
    agreement = np.array([[np.sum(ra & rb), np.sum(ra & ~rb)], [np.sum(~ra & rb), np.sum(~ra & ~rb)]])
    differ = a.pred != b.pred
    changes = confusion(a.pred[differ], b.pred[differ], max(a.num_classes, b.num_classes))

    def ranked(mask: np.ndarray, loser: Predictions) -> np.ndarray:
        pos = np.flatnonzero(mask)
        return pos[np.argsort(-loser.probs[pos, loser.pred[pos]], kind="stable")]

    return Comparison(a, b, agreement, changes, ranked(ra & ~rb, b), ranked(rb & ~ra, a))
