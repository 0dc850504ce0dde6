"""How FER2013 frames its faces, and how well alignment levels a turned face (issue 35).

1. The detector on FER2013 Training faces, each padded by half its size (edge pixels repeated) and
   upscaled 4x: where the eyes and the mouth sit in the 48x48 face (medians in 48-px units), the
   numbers `fer_core/faces/align.py` frames every found face by.
2. The project's three portraits turned in the image plane by -30..30 deg in 5 deg steps: the turn
   alignment measures against the turn made (the error also holds each person's own head roll).

    python bench/bench_framing.py [--data fer2013] [--faces 3000] [--json OUT.json]
"""

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
from report import emit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fer_core.faces import face_from_photo, read_image  # noqa: E402
from fer_core.faces.detect import find_faces  # noqa: E402
from tests.photos import PEOPLE, photo_path  # noqa: E402

UP, PAD = 4, 24


def upscaled(face: np.ndarray) -> np.ndarray:
    """A 48x48 FER2013 face padded by half its size (edge pixels repeated) and upscaled UP times,
    large enough for the detector: (384, 384) uint8."""
    padded = cv2.copyMakeBorder(face, PAD, PAD, PAD, PAD, cv2.BORDER_REPLICATE)
    return cv2.resize(padded, None, fx=UP, fy=UP, interpolation=cv2.INTER_CUBIC)


def fer_framing(pixels: np.ndarray) -> dict:
    rows = []
    for face in pixels:
        big = upscaled(face)
        found = find_faces(big, min_face=0, score_threshold=0.5)
        if found:
            rows.append(found[0].landmarks / UP - PAD)  # (5, 2) in the 48x48 face
    pts = np.stack(rows)
    eyes, mouth = pts[:, :2].mean(1), pts[:, 3:].mean(1)
    median = lambda a: [round(float(v), 2) for v in np.atleast_1d(np.median(a, axis=0))]  # noqa: E731
    roll = np.degrees(np.arctan2(pts[:, 1, 1] - pts[:, 0, 1], pts[:, 1, 0] - pts[:, 0, 0]))
    return {
        "faces": len(pixels),
        "found": len(rows),
        "eye_distance": median(np.linalg.norm(pts[:, 1] - pts[:, 0], axis=1)),
        "eye_to_mouth": median(np.linalg.norm(mouth - eyes, axis=1)),
        "eyes_centre": median(eyes),
        "mouth_centre": median(mouth),
        "face_centre": median((eyes + mouth) / 2),
        "roll_deg_p10_p50_p90": [round(float(v), 1) for v in np.percentile(roll, [10, 50, 90])],
    }


def turned() -> dict:
    errors = []
    for key in PEOPLE:
        image = read_image(photo_path(*key))
        h, w = image.shape[:2]
        for turn in range(-30, 31, 5):
            moved = cv2.warpAffine(image, cv2.getRotationMatrix2D((w / 2, h / 2), turn, 1.0), (w, h), borderMode=cv2.BORDER_REFLECT)
            face, _ = face_from_photo(moved)
            errors.append(abs(face.frame.angle + turn))
    median, p90 = np.percentile(errors, [50, 90])
    return {"faces": len(errors), "error_deg_median": round(float(median), 1), "error_deg_p90": round(float(p90), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="fer2013")
    ap.add_argument("--faces", type=int, default=3000)
    ap.add_argument("--json")
    a = ap.parse_args()
    from fer_core.data import load_dataset

    ds = load_dataset(a.data)
    rows = np.random.default_rng(0).choice(ds.split_indices("Training"), a.faces, replace=False)
    emit({"fer2013_framing": fer_framing(ds.pixels[rows]), "turned_portraits": turned()}, a.json)


if __name__ == "__main__":
    main()
