"""The face pipeline FER Lab had until issue 35 (OpenCV's Haar cascade on a downscaled frame, an eye
check, a square crop grown by 10%), kept here only as the `before` of bench/bench_detection.py and
bench/bench_webcam.py. The product uses YuNet, aligned by the eyes (fer_core/faces/)."""

import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fer_core.faces import to_gray  # noqa: E402
from fer_core.labels import IMAGE_SIZE  # noqa: E402

DETECT_WIDTH = 320  # Haar on a full 640x480 frame costs ~33 ms here; on 320 wide ~4x less
MARGIN = 0.1  # FER2013 crops show a little forehead and chin around the Haar box
# Measured on FER2013 faces pasted on photos and textures: no false box reached a level weight of
# 5.5 without an eye; true faces have a median of 6.3 (docs/history/BENCHMARKS.md).
STRONG_WEIGHT = 6.0
EYE_SIDE = 128  # a candidate's box is resized to this for the eye search
EYE_SCALE_STEP = 1.03  # finer than 1.05: 166 vs 162 of 172 pasted demo faces verified, no more false boxes (docs/history/BENCHMARKS.md)
MAX_OVERLAP = 0.3  # intersection over union above which two boxes are one face
_local = threading.local()  # CascadeClassifier is not safe to share between threads


@dataclass(frozen=True)
class HaarFace:
    box: tuple[int, int, int, int]  # x, y, w, h of the square crop in the original image
    crop: np.ndarray  # (h, w) uint8 grayscale square crop
    face48: np.ndarray  # (48, 48) uint8: the model's input
    weight: float = float("inf")  # the face cascade's level weight (its confidence); inf for a given face
    eyes: int | None = None  # eyes found in the upper part of the box; None: the cascade's weight alone verified it


def _load(name: str) -> cv2.CascadeClassifier:
    if not hasattr(_local, name):
        path = cv2.data.haarcascades + name
        cascade = cv2.CascadeClassifier(path)
        if cascade.empty():
            raise RuntimeError(f"OpenCV could not load its Haar cascade ({path}); install opencv-python-headless<5")
        setattr(_local, name, cascade)
    return getattr(_local, name)


def _cascade() -> cv2.CascadeClassifier:
    return _load("haarcascade_frontalface_default.xml")


def count_eyes(gray: np.ndarray, box: tuple[int, int, int, int]) -> int:
    """Eyes the eye cascade finds in the upper 60% of `box` (x, y, w, h) of a gray image, at full
    resolution (not histogram-equalised: equalising lost the eyes of ordinary portraits)."""
    x, y, w, h = box
    crop = cv2.resize(gray[y : y + h, x : x + w], (EYE_SIDE, EYE_SIDE), interpolation=cv2.INTER_AREA)
    top = crop[: int(EYE_SIDE * 0.6)]
    eye = _load("haarcascade_eye.xml")
    # An eye spans a tenth to a third of the face's width: larger windows only cost time (same decisions, measured).
    found = eye.detectMultiScale(top, EYE_SCALE_STEP, 2, minSize=(EYE_SIDE // 10,) * 2, maxSize=(EYE_SIDE // 3,) * 2)
    return len(np.asarray(found).reshape(-1, 4))


def _iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw, ih = max(0, min(ax + aw, bx + bw) - max(ax, bx)), max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    return inter / (aw * ah + bw * bh - inter)


def candidates(gray: np.ndarray, min_size: int = 40) -> list[tuple[tuple[int, int, int, int], float]]:
    """The face cascade's boxes (x, y, w, h) in `gray`'s pixels with their level weights, unverified.
    Runs on a copy at most DETECT_WIDTH wide, histogram-equalised (Haar is sensitive to exposure)."""
    height, width = gray.shape
    scale = min(1.0, DETECT_WIDTH / width)
    small = cv2.resize(gray, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else gray
    small = cv2.equalizeHist(small)
    boxes, _, weights = _cascade().detectMultiScale3(
        small, scaleFactor=1.1, minNeighbors=5, minSize=(max(12, round(min_size * scale)),) * 2, outputRejectLevels=True
    )
    return [
        (tuple(int(round(v / scale)) for v in b), float(w))
        for b, w in zip(np.asarray(boxes).reshape(-1, 4), np.asarray(weights).reshape(-1))
    ]


def square_box(x: int, y: int, w: int, h: int, width: int, height: int, margin: float = MARGIN) -> tuple[int, int, int, int]:
    """A square around the detection, grown by `margin`, kept inside the image."""
    side = int(round(max(w, h) * (1 + 2 * margin)))
    side = min(side, width, height)
    cx, cy = x + w / 2, y + h / 2
    left = int(np.clip(round(cx - side / 2), 0, width - side))
    top = int(np.clip(round(cy - side / 2), 0, height - side))
    return left, top, side, side


def haar_faces(image: np.ndarray, max_faces: int = 8, min_size: int = 40) -> list[HaarFace]:
    """All verified faces, largest first. `image`: RGB or gray uint8. No face -> an empty list."""
    gray = to_gray(image)
    height, width = gray.shape
    kept: list[tuple[tuple[int, int, int, int], float, int | None]] = []
    for box, weight in sorted(candidates(gray, min_size), key=lambda c: -c[1]):  # surest first
        if any(_iou(box, k[0]) > MAX_OVERLAP for k in kept):
            continue  # the same face at another scale
        eyes = None if weight >= STRONG_WEIGHT else count_eyes(gray, box)  # a sure candidate needs no eye search
        if eyes is None or eyes:
            kept.append((box, weight, eyes))
    kept.sort(key=lambda k: (-k[0][2] * k[0][3], k[0][0], k[0][1]))  # largest first; ties in a fixed order
    faces = []
    for (x, y, w, h), weight, eyes in kept[:max_faces]:
        bx, by, side, _ = square_box(x, y, w, h, width, height)
        crop = gray[by : by + side, bx : bx + side]  # the crop keeps the original pixels
        face48 = cv2.resize(crop, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_AREA)
        faces.append(HaarFace((bx, by, side, side), crop, face48, weight, eyes))
    return faces
