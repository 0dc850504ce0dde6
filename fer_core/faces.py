"""The face pipeline shared by photos, snapshots and the webcam: detect (OpenCV Haar cascade,
on a downscaled frame), square crop, grayscale, 48x48 -- the preprocessing FER2013 faces had.

Every step is returned so the pages can show it ("what the model sees").
"""

import io
import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from fer_core.labels import IMAGE_SIZE

DETECT_WIDTH = 320  # Haar on a full 640x480 frame costs ~33 ms here; on 320 wide ~4x less
MARGIN = 0.1  # FER2013 crops show a little forehead and chin around the Haar box
_local = threading.local()  # CascadeClassifier is not safe to share between threads


class NoFaceFound(ValueError):
    """The image has no face the detector can find; the message says what to try."""


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]  # x, y, w, h of the square crop in the original image
    crop: np.ndarray  # (h, w) uint8 grayscale square crop
    face48: np.ndarray  # (48, 48) uint8: the model's input


@dataclass(frozen=True)
class Detection:
    gray: np.ndarray  # (H, W) uint8, the whole image in grayscale
    faces: list[Face] = field(default_factory=list)


def _cascade() -> cv2.CascadeClassifier:
    if not hasattr(_local, "cascade"):
        path = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
        _local.cascade = cv2.CascadeClassifier(path)
        if _local.cascade.empty():
            raise RuntimeError(f"OpenCV could not load its Haar cascade ({path}); install opencv-python-headless<5")
    return _local.cascade


def read_image(source: str | Path | bytes, name: str | None = None) -> np.ndarray:
    """A photo (path or bytes) as RGB (H, W, 3) uint8; a 48x48 image, a FER-style face, as gray (48, 48).
    Anything unreadable: ValueError naming the file."""
    name = name or str(source)
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as im:
            return np.array(im.convert("L") if im.size == (IMAGE_SIZE, IMAGE_SIZE) else im.convert("RGB"))
    except FileNotFoundError:
        raise
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(f"{name}: not an image FER Lab can read (PNG or JPEG): {exc}") from exc


def to_gray(image: np.ndarray) -> np.ndarray:
    """RGB (H, W, 3), RGBA or gray (H, W) -> gray uint8 (H, W)."""
    image = np.asarray(image)
    if image.ndim == 2:
        return image.astype(np.uint8, copy=False)
    code = cv2.COLOR_RGBA2GRAY if image.shape[2] == 4 else cv2.COLOR_RGB2GRAY
    return cv2.cvtColor(image.astype(np.uint8, copy=False), code)


def square_box(x: int, y: int, w: int, h: int, width: int, height: int, margin: float = MARGIN) -> tuple[int, int, int, int]:
    """A square around the detection, grown by `margin`, kept inside the image."""
    side = int(round(max(w, h) * (1 + 2 * margin)))
    side = min(side, width, height)
    cx, cy = x + w / 2, y + h / 2
    left = int(np.clip(round(cx - side / 2), 0, width - side))
    top = int(np.clip(round(cy - side / 2), 0, height - side))
    return left, top, side, side


def detect_faces(image: np.ndarray, max_faces: int = 8, min_size: int = 40) -> Detection:
    """All faces, largest first. `image`: RGB or gray uint8. No face -> an empty list."""
    gray = to_gray(image)
    height, width = gray.shape
    scale = min(1.0, DETECT_WIDTH / width)
    small = cv2.resize(gray, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else gray
    small = cv2.equalizeHist(small)  # Haar is sensitive to exposure; the crop itself keeps the original pixels
    found = _cascade().detectMultiScale(small, scaleFactor=1.1, minNeighbors=5, minSize=(max(12, round(min_size * scale)),) * 2)
    boxes = [tuple(int(round(v / scale)) for v in b) for b in np.asarray(found).reshape(-1, 4)]
    boxes.sort(key=lambda b: (-b[2] * b[3], b[0], b[1]))  # largest first; ties in a fixed order
    faces = []
    for x, y, w, h in boxes[:max_faces]:
        bx, by, side, _ = square_box(x, y, w, h, width, height)
        crop = gray[by : by + side, bx : bx + side]
        face48 = cv2.resize(crop, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_AREA)
        faces.append(Face((bx, by, side, side), crop, face48))
    return Detection(gray, faces)


def face_from_photo(image: np.ndarray, source: str = "the photo") -> tuple[Face, Detection]:
    """The largest face of a photo, or NoFaceFound with a message a user can act on."""
    image = np.asarray(image)
    if image.ndim == 2 and image.shape == (IMAGE_SIZE, IMAGE_SIZE):  # already a FER-style face: use it whole
        face = Face((0, 0, IMAGE_SIZE, IMAGE_SIZE), image.astype(np.uint8), image.astype(np.uint8))
        return face, Detection(image.astype(np.uint8), [face])
    det = detect_faces(image)
    if not det.faces:
        raise NoFaceFound(
            f"No face found in {source}. Try a photo where one face looks at the camera, "
            "is well lit and fills at least a fifth of the picture."
        )
    return det.faces[0], det


def draw_boxes(
    image: np.ndarray, boxes: list[tuple[int, int, int, int]], labels: list[str] | None = None, colour=(46, 158, 68)
) -> np.ndarray:
    """A copy of the RGB image with a box (x, y, w, h) and, if given, a label for each."""
    out = np.ascontiguousarray(image.copy() if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB))
    thick = max(2, out.shape[1] // 320)
    for i, (x, y, w, h) in enumerate(boxes):
        cv2.rectangle(out, (x, y), (x + w, y + h), colour, thick)
        if labels:
            text = labels[i]
            scale = max(0.5, out.shape[1] / 1000)
            (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
            ty = max(th + base, y)
            cv2.rectangle(out, (x, ty - th - base - 2), (x + tw + 4, ty), colour, -1)
            cv2.putText(out, text, (x + 2, ty - base), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thick, cv2.LINE_AA)
    return out
