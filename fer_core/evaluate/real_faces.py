"""A model on a photo set (issue 42): the figures the real-face target is set in, shared by the model
card, `fer eval` and bench/bench_realfaces.py. Over FER2013's seven emotions: photos labelled
contempt are left out (a seven-class model has no such class), and a prediction of contempt counts
as wrong."""

import numpy as np

from fer_core.data.dataset import FaceDataset
from fer_core.data.photo_import import photo_summary
from fer_core.evaluate.predictions import Predictions
from fer_core.labels import CLASSES

SEVEN = len(CLASSES)


def seven_emotion_scores(probs: np.ndarray, labels: np.ndarray) -> dict:
    """Probabilities (N, C >= 7) against labels (N,) of FER+'s classes -> accuracy, macro recall and
    per-class recall (%, over the emotions the photos have) over the seven emotions."""
    kept = labels < SEVEN
    pred, labels = probs[kept].argmax(1), labels[kept]
    recall = {c: round(float((pred[labels == k] == k).mean()) * 100, 1) for k, c in enumerate(CLASSES) if (labels == k).any()}
    return {
        "faces": int(kept.sum()),
        "accuracy": round(float((pred == labels).mean()) * 100, 1) if len(labels) else 0.0,
        "macro_recall": round(float(np.mean(list(recall.values()))), 1) if recall else 0.0,
        "recall": recall,
    }


def real_face_report(preds: Predictions, ds: FaceDataset) -> dict:
    """A model's predictions on photo set `ds`: seven_emotion_scores, the faces found from how many photos."""
    if ds.label_source != "photos":
        raise ValueError(f"data set {ds.name!r} is not a photo set (import a folder of `<emotion>/*.jpg` photos)")
    return {
        "data": ds.name,
        "found": photo_summary(ds.meta),
        "tta": preds.tta,
        **seven_emotion_scores(preds.probs, ds.labels[preds.indices].astype(np.int64)),
    }
