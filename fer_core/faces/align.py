"""Framing a found face the way FER2013 frames its faces: rotate so the eyes are level, then cut
a square whose size follows the eye-to-eye and eye-to-mouth distances and whose centre follows the
eyes and the mouth, so that the face sits in its 48x48 square as FER2013's faces sit in theirs.

FER2013's framing, measured by running the detector on FER2013 faces (2,877 of 3,000 Training
faces, each padded and upscaled 4x; `python bench/bench_framing.py`), medians in 48-px units:
the eyes 17.0 apart, the mouth's centre 17.5 below the eyes' centre, and the point halfway between
the eyes' centre and the mouth's centre at (23.9, 27.0); the eyes are level (median roll 0 deg)."""

from dataclasses import dataclass

import cv2
import numpy as np

from fer_core.faces.detect import Found, search
from fer_core.labels import IMAGE_SIZE

EYE_DISTANCE = 17.0  # px between the eyes in a 48x48 FER2013 face (median)
EYE_TO_MOUTH = 17.5  # px from the eyes' centre to the mouth's centre (median)
FACE_CENTRE = (23.9, 27.0)  # where the point halfway between the eyes' and the mouth's centres sits
CROP_MAX = 192  # the aligned crop shown on the pages is at most this many px a side
# YuNet's landmarks hardly follow a head tilted in the image plane (the astronaut portrait turned by
# 20 deg read as 2), but its score is highest where the face is upright. So each face's patch is
# searched again turned by each of TURNS, then by FINE either side of the best, and the landmarks
# are read where the score was highest (tests/test_faces.py: turns of -20..15 deg come out level).
TURNS = (-30.0, -15.0, 0.0, 15.0, 30.0)
FINE = 7.5
PATCH = 96  # px a side of the searched patch: 0.7 ms a search here
# Webcam frames search 64 px patches: 0.5 ms a search, two faces' alignment 5 ms less a frame, for
# a turn read less closely (median error 5.6 deg against 2.8 on the turned portraits).
LIVE_PATCH = 64
PATCH_SCORE = 0.3  # a patch holds one face, centred: a low score still reads its landmarks


@dataclass(frozen=True)
class Framing:
    """Where a face's aligned square lies in the original image."""

    matrix: np.ndarray  # (2, 3) affine: original image -> the 48x48 face
    side: float  # the square's side in original-image px
    angle: float  # degrees the face was rotated to level its eyes

    def corners(self) -> np.ndarray:
        """(4, 2) the square's corners in the original image (top-left, top-right, bottom-right, bottom-left)."""
        back = cv2.invertAffineTransform(self.matrix)
        square = np.array([[0, 0], [IMAGE_SIZE, 0], [IMAGE_SIZE, IMAGE_SIZE], [0, IMAGE_SIZE]], np.float32)
        return square @ back[:, :2].T + back[:, 2]


def _turned(gray: np.ndarray, found: Found, turn: float, size: int) -> tuple[float, np.ndarray] | None:
    """(score, landmarks in `gray`'s pixels) of the face searched in its patch turned by `turn`."""
    x, y, w, h = found.box
    centre = (x + w / 2, y + h / 2)
    m = cv2.getRotationMatrix2D(centre, turn, size / (1.8 * max(w, h)))  # the face about half the patch
    m[:, 2] += np.asarray((size / 2, size / 2)) - centre
    patch = cv2.warpAffine(gray, m, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    rows = search(patch, size, PATCH_SCORE)
    if not rows:
        return None
    best = max(rows, key=lambda r: r[14])
    back = cv2.invertAffineTransform(m)
    return float(best[14]), (best[4:14].reshape(5, 2) @ back[:, :2].T + back[:, 2]).astype(np.float32)


def upright(gray: np.ndarray, found: Found, patch: int = PATCH) -> Found:
    """`found` with its landmarks read from its patch (`patch` px a side) turned upright (see TURNS)."""
    tries = {t: r for t in TURNS if (r := _turned(gray, found, t, patch))}
    if not tries:
        return found
    best = max(tries, key=lambda t: tries[t][0])
    tries |= {t: r for t in (best - FINE, best + FINE) if (r := _turned(gray, found, t, patch))}
    best = max(tries, key=lambda t: tries[t][0])
    return Found(found.box, tries[best][1], found.score)


def framing(found: Found) -> Framing:
    """The affine map that levels the eyes and frames the face as FER2013 does."""
    right_eye, left_eye = found.eyes
    eyes = (right_eye + left_eye) / 2
    mouth = (found.landmarks[3] + found.landmarks[4]) / 2
    dx, dy = left_eye - right_eye
    angle = float(np.degrees(np.arctan2(dy, dx)))  # image y points down: positive = the left eye lower
    # The two distances disagree when the head turns (the eyes close up) or nods (eyes and mouth
    # close up); their mean keeps the size steady in either case.
    side = IMAGE_SIZE * (np.hypot(dx, dy) / EYE_DISTANCE + np.linalg.norm(mouth - eyes) / EYE_TO_MOUTH) / 2
    centre = (eyes + mouth) / 2
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, IMAGE_SIZE / side)
    matrix[:, 2] += np.asarray(FACE_CENTRE) - centre  # the face's centre to FER2013's
    return Framing(matrix.astype(np.float32), float(side), angle)


def aligned_crop(gray: np.ndarray, frame: Framing) -> tuple[np.ndarray, np.ndarray]:
    """The aligned square at up to CROP_MAX px (for the pages) and at 48x48 (the model's input),
    both uint8; parts outside the image repeat its edge."""
    side = int(np.clip(round(frame.side), IMAGE_SIZE, CROP_MAX))
    matrix = np.vstack([frame.matrix * (side / IMAGE_SIZE), [0, 0, 1]]).astype(np.float32)  # original -> side x side
    shrink = side / frame.side
    if shrink < 0.5:  # a warp samples, it does not average: shrink a large face by area first
        gray = cv2.resize(gray, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
        matrix = matrix @ np.diag([1 / shrink, 1 / shrink, 1]).astype(np.float32)
    crop = cv2.warpAffine(gray, matrix[:2], (side, side), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    face48 = cv2.resize(crop, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_AREA) if side != IMAGE_SIZE else crop
    return crop, face48
