"""What a prediction is scored against (label_sources.TRUTHS): FER2013's label, the FER+ majority of
the face's ten votes (`--labels ferplus`), or a photo's folder (`--labels photos`). Faces without a
truth (no majority) are counted apart, and so, for a model of FER2013's seven classes, are faces
whose truth is contempt."""

from dataclasses import replace

import numpy as np

from fer_core.data.dataset import FaceDataset
from fer_core.data.ferplus import CLASS_COLUMN, NO_MAJORITY, annotator_agreement, majority
from fer_core.evaluate.metrics import report
from fer_core.evaluate.predictions import Predictions
from fer_core.label_sources import TRUTHS, truth_problem
from fer_core.labels import CONTEMPT, classes_for

LABELS = tuple(TRUTHS)


def check_truth(ds: FaceDataset, labels: str) -> None:
    """ValueError, saying what to do, when data set `ds` cannot be scored against `labels`."""
    if problem := truth_problem(ds, labels):
        raise ValueError(problem)


def truth(ds: FaceDataset, rows: np.ndarray, labels: str = "fer2013") -> np.ndarray:
    """(N,) the true class of data-set rows `rows`: the data set's own label, or with `ferplus` the
    votes' majority (of labels.FERPLUS_CLASSES; ferplus.NO_MAJORITY where there is none)."""
    check_truth(ds, labels)
    return majority(ds.votes[rows]) if TRUTHS[labels].needs_votes else ds.labels[rows].astype(np.int64)


def scorable(true: np.ndarray, num_classes: int) -> np.ndarray:
    """(N,) bool: faces whose truth a model of `num_classes` classes can be scored against (not
    without a majority; for a 7-class model, not contempt's)."""
    return (true >= 0) & (true < num_classes)


def scored_report(preds: Predictions, ds: FaceDataset, labels: str = "fer2013") -> dict:
    """`metrics.report` against the chosen truth, with the faces counted apart and, for FER+, the
    annotators' own agreement with the majority on the same faces."""
    true = truth(ds, preds.indices, labels)
    kept = scorable(true, preds.num_classes)
    out = {"labels": labels, **report(true[kept], preds.pred[kept], classes_for(preds.num_classes))}
    if labels == "ferplus":
        out["faces"] = int(len(true))
        out["no_majority"] = int((true == NO_MAJORITY).sum())
        # counted apart by a 7-class model only; an 8-class one scores them, so n = faces - both always
        out["contempt_majority"] = int((true == CONTEMPT).sum()) if preds.num_classes <= CONTEMPT else 0
        out["annotators"] = annotator_agreement(ds.votes[preds.indices])
    return out


def rescored(
    preds: Predictions, ds: FaceDataset, labels: str = "fer2013", only_disputed: bool = False, num_classes: int | None = None
) -> Predictions:
    """`preds` against the chosen truth: every face's true class replaced, and the faces without
    one to score against dropped; with `only_disputed`, only the faces `disputed` finds. With
    `num_classes`, only faces a model of that many classes can be scored on (to compare a 7-class
    model with an 8-class one on the same faces)."""
    true = truth(ds, preds.indices, labels)
    keep = scorable(true, min(preds.num_classes, num_classes or preds.num_classes))
    if only_disputed:
        keep &= disputed(ds, preds.indices)
    return replace(preds, indices=preds.indices[keep], labels=true[keep], probs=preds.probs[keep])


def disputed(ds: FaceDataset, rows: np.ndarray) -> np.ndarray:
    """(N,) bool: faces the annotators dispute: no emotion has more than half of their emotion
    votes, or FER2013's label got three or fewer of the ten votes."""
    check_truth(ds, "ferplus")
    votes = ds.votes[rows]
    if not ds.has_fer2013_labels:
        return majority(votes) == NO_MAJORITY
    label_votes = votes[np.arange(len(rows)), np.array(CLASS_COLUMN)[ds.labels[rows]]]
    return (majority(votes) == NO_MAJORITY) | (label_votes <= 3)


def backed_mistakes(preds: Predictions, ds: FaceDataset) -> tuple[int, int]:
    """(n, m): of the model's m mistakes against FER2013's labels, the n faces where most
    annotators agree with the model."""
    check_truth(ds, "ferplus")
    check_truth(ds, "fer2013")
    labels = ds.labels[preds.indices].astype(np.int64)
    wrong = preds.pred != labels
    return int((majority(ds.votes[preds.indices])[wrong] == preds.pred[wrong]).sum()), int(wrong.sum())
