"""Finding faces: OpenCV Zoo's YuNet (`cv2.FaceDetectorYN`, the ONNX file vendored beside this
module with its MIT licence). For each face it gives a box, five landmarks (both eyes, the nose tip,
both mouth corners) and a score; `align.py` frames the face by the landmarks.

YuNet was trained on faces of about 10 to 300 px. It searches the image at its own size (up to
DETECT_WIDTH wide), where small faces of a group photo are found, and an image wider than
LARGE_FACE_WIDTH is searched again at that width, where a face too large for the first pass is
found; the two passes' boxes are merged. A 640x480 webcam frame takes one pass.
"""

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

MODEL = Path(__file__).resolve().parent / "yunet" / "face_detection_yunet_2026may.onnx"
MODEL_SHA256 = "ebafce4e3c118d6554634be5c27ab333b4c047a9a8c3faf1d7cf93101c22f0f0"
# Group scenes of 3-6 people with faces of 30-110 px in a 960x640 photo: 72 of 76 faces found at
# the photo's own size (bench/bench_detection.py); searched at 640 wide, 52, at 320, 20 (measured
# once while choosing it, score threshold 0.75).
DETECT_WIDTH = 1280  # a wider image is searched on a copy this wide
LARGE_FACE_WIDTH = 320  # the second pass, for faces too large for the first
# A webcam frame is searched once, at this width: 3 ms against 9 at 640, and a person in front of a
# laptop stays far above the smallest face (bench/bench_webcam.py: every face of every frame found).
LIVE_WIDTH = 320
# The lowest-scoring real face of those scenes scored 0.77 (FER2013 faces: median 0.91); the
# highest false box on their backgrounds, the project's textures and random scenes 0.60. 0.7 sits
# between (bench/bench_detection.py).
SCORE_THRESHOLD = 0.7
# The smallest face kept, its box's shorter side in px. FER2013 faces pasted small and found: the
# shipped model read 61% of those found at 24-31 px right (75% of the same faces whole), 2 of the
# 4 below 24 (bench/bench_detection.py, right_by_box_size).
MIN_FACE = 24
NMS_THRESHOLD = 0.3  # YuNet's own suppression of overlapping boxes
MAX_FACES = 16
_local = threading.local()  # a FaceDetectorYN is not safe to share between threads: one per thread


@dataclass(frozen=True)
class Found:
    """One face as the detector gives it, in the original image's pixels."""

    box: tuple[int, int, int, int]  # x, y, w, h
    landmarks: np.ndarray  # (5, 2) float32: right eye, left eye, nose tip, right and left mouth corner
    score: float

    @property
    def eyes(self) -> tuple[np.ndarray, np.ndarray]:
        """The subject's right eye (on the image's left for a face looking at the camera) and left eye."""
        return self.landmarks[0], self.landmarks[1]


def model_sha256() -> str:
    return hashlib.sha256(MODEL.read_bytes()).hexdigest()


def _detector() -> cv2.FaceDetectorYN:
    if not hasattr(_local, "yunet"):
        if not MODEL.exists():
            raise RuntimeError(f"the face detector {MODEL} is missing: reinstall FER Lab from its repository")
        _local.yunet = cv2.FaceDetectorYN.create(str(MODEL), "", (DETECT_WIDTH, DETECT_WIDTH), SCORE_THRESHOLD, NMS_THRESHOLD, 5000)
    return _local.yunet


def search(gray: np.ndarray, width: int, score_threshold: float) -> list[np.ndarray]:
    """YuNet on a copy of `gray` at most `width` wide: (15,) rows scaled back to `gray`'s pixels."""
    height, full = gray.shape
    scale = min(1.0, width / full)
    small = cv2.resize(gray, (round(full * scale), round(height * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else gray
    det = _detector()
    det.setInputSize((small.shape[1], small.shape[0]))
    det.setScoreThreshold(score_threshold)
    _, rows = det.detect(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))  # (N, 15) float32 or None
    return [] if rows is None else [np.concatenate([r[:14] / scale, r[14:]]) for r in finite_rows(rows)]


def finite_rows(rows: np.ndarray) -> np.ndarray:
    """YuNet's (N, 15) rows whose numbers are all finite: on some real photos it gives a box
    coordinate of inf or nan, which no box can be made of (it crashed the crop before)."""
    return rows[np.isfinite(rows).all(axis=1)]


def _iou(a, b) -> float:
    ax, ay, aw, ah = a[:4]
    bx, by, bw, bh = b[:4]
    iw, ih = max(0.0, min(ax + aw, bx + bw) - max(ax, bx)), max(0.0, min(ay + ah, by + bh) - max(ay, by))
    return iw * ih / (aw * ah + bw * bh - iw * ih)


def find_faces(
    gray: np.ndarray, min_face: int = MIN_FACE, score_threshold: float = SCORE_THRESHOLD, width: int = DETECT_WIDTH
) -> list[Found]:
    """Every face in a (H, W) uint8 image scoring at least `score_threshold` whose box is at least
    `min_face` px on its shorter side, largest first (at most MAX_FACES). `width`: the first pass's
    (LIVE_WIDTH for webcam frames, one pass)."""
    rows = search(gray, width, score_threshold)
    if gray.shape[1] > 2 * LARGE_FACE_WIDTH and width > LARGE_FACE_WIDTH:
        rows += search(gray, LARGE_FACE_WIDTH, score_threshold)
    kept: list[np.ndarray] = []
    for r in sorted(rows, key=lambda r: -r[14]):  # surest first; the same face from the other pass is dropped
        if min(r[2], r[3]) >= min_face and all(_iou(r, k) <= NMS_THRESHOLD for k in kept):
            kept.append(r)
    found = [Found(tuple(int(round(v)) for v in r[:4]), r[4:14].reshape(5, 2).astype(np.float32), float(r[14])) for r in kept]
    found.sort(key=lambda f: (-f.box[2] * f.box[3], f.box[0], f.box[1]))  # largest first; ties in a fixed order
    return found[:MAX_FACES]
