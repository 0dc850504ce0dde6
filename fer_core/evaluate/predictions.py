"""One model's class probabilities for every face of a split: what evaluation scores. They are
computed and cached with the run by the model handle (handle/predictions.py)."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Predictions:
    """One model's output on one split. Positions 0..N-1 index these arrays; `indices` maps
    them to rows of the data set."""

    run_id: str
    data: str
    data_hash: str
    split: str
    tta: str  # fer_core.inference.TTA_MODES
    indices: np.ndarray  # (N,) int64 rows of the data set
    labels: np.ndarray  # (N,) int64 true class
    probs: np.ndarray  # (N, C) float32, C the model's classes (7 or 8)

    @property
    def num_classes(self) -> int:
        return self.probs.shape[1]

    @property
    def pred(self) -> np.ndarray:
        return self.probs.argmax(1)

    @property
    def correct(self) -> np.ndarray:
        return self.pred == self.labels

    def cell(self, true: int, pred: int) -> np.ndarray:
        """Positions of the faces with this (true, predicted) pair, the model's most confident
        first: on the diagonal its confidence in the right answer, elsewhere in the wrong one."""
        pos = np.flatnonzero((self.labels == true) & (self.pred == pred))
        return pos[np.argsort(-self.probs[pos, pred], kind="stable")]
