"""Images in and out of the face pipeline: reading a photo (path or bytes), grayscale, and drawing
boxes and labels on a copy."""

import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from fer_core.labels import IMAGE_SIZE


def read_image(source: str | Path | bytes, name: str | None = None) -> np.ndarray:
    """A photo (path or bytes) as RGB (H, W, 3) uint8; a 48x48 image, a FER-style face, as gray (48, 48).
    Anything unreadable: ValueError naming the file."""
    name = name or str(source)
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as im:
            im = ImageOps.exif_transpose(im)  # a phone's photo upright, as its owner sees it
            return np.array(im.convert("L") if im.size == (IMAGE_SIZE, IMAGE_SIZE) else im.convert("RGB"))
    except FileNotFoundError:
        raise
    except (UnidentifiedImageError, OSError) as exc:
        raw = source if isinstance(source, bytes) else Path(source).read_bytes()[:4096]
        raise ValueError(f"{name} is {what_file(raw, exc)}, not a photo FER Lab can read. Accepted: a PNG or JPEG photo.") from None


# The first bytes of formats people upload by mistake, and what to call them.
SIGNATURES = {
    b"\x89PNG": "a damaged PNG image",
    b"\xff\xd8\xff": "a damaged JPEG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive",
    b"\x1f\x8b": "a gzip archive",
    b"RIFF": "a RIFF file (video or sound)",
}


def what_file(head: bytes, exc: Exception) -> str:
    """What a file that is no readable image is, from its first bytes, in words (never Python's repr)."""
    if not head:
        return "an empty file"
    for magic, what in SIGNATURES.items():
        if head.startswith(magic):
            return what
    if isinstance(exc, UnidentifiedImageError):
        control = sum(b < 9 or 13 < b < 32 for b in head[:1024])  # text has none but tabs and line ends
        return "a text file" if control == 0 else "a file of an unknown format"
    return "a damaged or truncated image"  # PIL knew the format but could not decode it


def to_gray(image: np.ndarray) -> np.ndarray:
    """RGB (H, W, 3), RGBA or gray (H, W) -> gray uint8 (H, W)."""
    image = np.asarray(image)
    if image.ndim == 2:
        return image.astype(np.uint8, copy=False)
    code = cv2.COLOR_RGBA2GRAY if image.shape[2] == 4 else cv2.COLOR_RGB2GRAY
    return cv2.cvtColor(image.astype(np.uint8, copy=False), code)


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


def draw_faces(image: np.ndarray, faces: list, aligned: bool = False, colour=(46, 158, 68)) -> np.ndarray:
    """A copy of the image with each face's five landmarks (eyes, nose tip, mouth corners) and its
    detector box, or with `aligned`, the square the face was cut from (turned with the face)."""
    out = draw_boxes(image, [] if aligned else [f.box for f in faces if f.landmarks is not None], colour=colour)
    thick = max(2, out.shape[1] // 320)
    for f in faces:
        if f.landmarks is None:
            continue
        if aligned:
            cv2.polylines(out, [np.round(f.frame.corners()).astype(np.int32)], True, colour, thick, cv2.LINE_AA)
        for x, y in f.landmarks:
            cv2.circle(out, (int(round(x)), int(round(y))), thick + 1, (230, 73, 128), -1, cv2.LINE_AA)
    return out


def crop_with_landmarks(face) -> np.ndarray:
    """The face's aligned crop (RGB) with its five landmarks where alignment put them."""
    out = cv2.cvtColor(face.crop, cv2.COLOR_GRAY2RGB)
    if face.landmarks is None:
        return out
    zoom = face.crop.shape[0] / IMAGE_SIZE
    for x, y in cv2.transform(face.landmarks[None], face.frame.matrix)[0] * zoom:
        cv2.circle(out, (int(round(x)), int(round(y))), max(2, out.shape[0] // 60), (230, 73, 128), -1, cv2.LINE_AA)
    return out
