"""The face pipeline shared by photos, snapshots and the webcam: find (YuNet), align by the eyes,
crop, grayscale, 48x48 -- the framing FER2013's faces have. Every step is returned, so the pages
can show it ("what the model sees")."""

from dataclasses import dataclass, field

import numpy as np

from fer_core.faces.align import LIVE_PATCH, PATCH, Framing, aligned_crop, framing, upright
from fer_core.faces.detect import DETECT_WIDTH, LIVE_WIDTH, Found, find_faces
from fer_core.faces.images import to_gray
from fer_core.labels import IMAGE_SIZE

MAX_LABELLED = 8  # the faces of one image or frame that are aligned and labelled, largest first (of detect.MAX_FACES found)


class NoFaceFound(ValueError):
    """The image has no face the detector can find; the message says what to try."""


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]  # x, y, w, h: the detector's box in the original image
    crop: np.ndarray  # (s, s) uint8: the aligned square, s <= align.CROP_MAX
    face48: np.ndarray  # (48, 48) uint8: the model's input
    landmarks: np.ndarray | None = None  # (5, 2) eyes, nose tip, mouth corners in the original image
    score: float = 1.0  # the detector's score; 1 for a face given whole
    frame: Framing | None = None  # the aligned square in the original image; None for a face given whole


@dataclass(frozen=True)
class Detection:
    gray: np.ndarray  # (H, W) uint8, the whole image in grayscale
    faces: list[Face] = field(default_factory=list)


def _face(gray: np.ndarray, found: Found, live: bool = False) -> Face:
    found = upright(gray, found, LIVE_PATCH if live else PATCH)
    frame = framing(found)
    crop, face48 = aligned_crop(gray, frame)
    return Face(found.box, crop, face48, found.landmarks, found.score, frame)


def detect_faces(image: np.ndarray, max_faces: int = MAX_LABELLED, live: bool = False) -> Detection:
    """Every face of an RGB or gray uint8 image, largest first, aligned. No face -> an empty list.
    `live`: a webcam frame, searched faster (detect.LIVE_WIDTH, align.LIVE_PATCH)."""
    gray = to_gray(image)
    found = find_faces(gray, width=LIVE_WIDTH if live else DETECT_WIDTH)
    return Detection(gray, [_face(gray, f, live) for f in found[:max_faces]])


def face_from_photo(image: np.ndarray, source: str = "the photo") -> tuple[Face, Detection]:
    """The largest face of a photo, or NoFaceFound with a message a user can act on."""
    image = np.asarray(image)
    if image.ndim == 2 and image.shape == (IMAGE_SIZE, IMAGE_SIZE):  # already a FER-style face: use it whole
        face = Face((0, 0, IMAGE_SIZE, IMAGE_SIZE), image.astype(np.uint8), image.astype(np.uint8))
        return face, Detection(image.astype(np.uint8), [face])
    det = detect_faces(image)
    if not det.faces:
        raise NoFaceFound(
            f"No face found in {source}. Try a photo where the face is well lit, not covered, and at least {2 * IMAGE_SIZE} px tall."
        )
    return det.faces[0], det
