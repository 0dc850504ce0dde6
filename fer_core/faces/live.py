"""Prediction on the faces of an image or a video frame: faces (YuNet, aligned by the eyes) ->
48x48 faces -> the model in one batch -> boxes drawn (`fer predict`, bench/bench_webcam.py). The
Webcam page runs the same pipeline in the student's browser (dashboard/static/webcam/faces.js)."""

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from fer_core.faces import Face, detect_faces, draw_boxes
from fer_core.faces.pipeline import MAX_LABELLED
from fer_core.handle.loaded import LoadedModel
from fer_core.labels import classes_for


@dataclass(frozen=True)
class FacePrediction:
    box: tuple[int, int, int, int]
    probs: np.ndarray  # (C,): the model's classes
    face48: np.ndarray  # (48, 48) uint8: what the model saw

    @property
    def label(self) -> str:
        k = int(self.probs.argmax())
        return f"{classes_for(len(self.probs))[k]} {self.probs[k]:.0%}"


def predict_faces(model: LoadedModel, image: np.ndarray, max_faces: int = MAX_LABELLED, live: bool = False) -> list[FacePrediction]:
    """Every face of an RGB or gray image, largest first, with the model's probabilities; `live`:
    a video frame, searched faster (`pipeline.detect_faces`)."""
    faces: list[Face] = detect_faces(image, max_faces=max_faces, live=live).faces
    if not faces:
        return []
    probs = model.probs(np.stack([f.face48 for f in faces]))  # one batch for all faces: (F, C)
    return [FacePrediction(f.box, p, f.face48) for f, p in zip(faces, probs, strict=True)]


def annotate(image: np.ndarray, preds: list[FacePrediction]) -> np.ndarray:
    return draw_boxes(image, [p.box for p in preds], [p.label for p in preds])


@contextmanager
def one_torch_thread():
    """One intra-op thread for the calling thread only (OpenMP's thread count is per thread), then
    back. A few 48x48 faces gain nothing from a second thread, and when the browser's video codecs
    share the cores a two-thread team waits on its busy half: with one core busy a frame took ~45
    instead of ~250 ms, and the same ~31 ms when quiet (bench/bench_webcam.py --busy-core)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
