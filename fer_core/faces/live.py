"""Live prediction for the webcam: each frame -> faces (YuNet, aligned by the eyes) -> 48x48 faces ->
the model in one batch -> boxes drawn. The frame callback runs in another thread, so what the
page shows is handed over through `LiveState` under a lock (never st.* in the callback).
"""

import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch

from fer_core.faces import Face, detect_faces, draw_boxes
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


def predict_faces(model: LoadedModel, image: np.ndarray, max_faces: int = 8, live: bool = False) -> list[FacePrediction]:
    """Every face of an RGB or gray image, largest first, with the model's probabilities; `live`:
    a video frame, searched faster (`pipeline.detect_faces`)."""
    faces: list[Face] = detect_faces(image, max_faces=max_faces, live=live).faces
    if not faces:
        return []
    probs = model.probs(np.stack([f.face48 for f in faces]))  # one batch for all faces: (F, C)
    return [FacePrediction(f.box, p, f.face48) for f, p in zip(faces, probs, strict=True)]


def annotate(image: np.ndarray, preds: list[FacePrediction]) -> np.ndarray:
    return draw_boxes(image, [p.box for p in preds], [p.label for p in preds])


@dataclass
class LiveState:
    """Shared between the frame thread (writes) and the page (reads)."""

    smoothing: int = 8  # frames averaged for the steady emotion
    lock: threading.Lock = field(default_factory=threading.Lock)
    latest: list[FacePrediction] = field(default_factory=list)
    history: deque = field(default_factory=lambda: deque(maxlen=8))
    frames: int = 0
    frame_ms: deque = field(default_factory=lambda: deque(maxlen=30))

    def push(self, preds: list[FacePrediction], ms: float) -> None:
        with self.lock:
            self.latest = preds
            if preds:  # the largest face's probabilities feed the smoothed emotion
                if self.history.maxlen != self.smoothing:
                    self.history = deque(self.history, maxlen=self.smoothing)
                self.history.append(preds[0].probs)
            self.frames += 1
            self.frame_ms.append(ms)

    def snapshot(self) -> dict:
        """A consistent copy for the page: faces, smoothed probabilities, timing."""
        with self.lock:
            smoothed = np.mean(self.history, axis=0) if self.history else None
            ms = float(np.median(self.frame_ms)) if self.frame_ms else None
            return {"faces": list(self.latest), "smoothed": smoothed, "frames": self.frames, "ms": ms}


class FrameProcessor:
    """The callable the webcam stream calls per frame: RGB (H, W, 3) -> annotated RGB."""

    def __init__(self, model: LoadedModel, state: LiveState):
        self.model, self.state = model, state

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        t0 = time.perf_counter()
        with one_torch_thread():
            preds = predict_faces(self.model, rgb, live=True)
        out = annotate(rgb, preds)
        self.state.push(preds, (time.perf_counter() - t0) * 1000)
        return out


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
