"""Kaggle-style image folders (or zips of them): `train/<class>/*`, `test/<class>/*`.

Class folder names are case-insensitive. Test images named `PublicTest_*` or
`PrivateTest_*` keep that split; other test images become PublicTest. Images that
are not 48x48 grayscale are converted (centre square crop, area resize).
"""

from pathlib import PurePosixPath

import cv2
import numpy as np

from fer_core.data.collect import Collected, Progress
from fer_core.data.errors import DataImportError
from fer_core.data.sources import Entry
from fer_core.labels import CLASSES, IMAGE_SIZE, PRIVATE_TEST, PUBLIC_TEST, TRAINING, class_index

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
SPLIT_FOLDERS = {"train": TRAINING, "training": TRAINING, "test": PUBLIC_TEST}
FOLDER_HELP = "expected `train/<class>/*.png|jpg` and/or `test/<class>/*` folders, or labelled photos in `<emotion>/*.jpg` folders"


def find_root(paths: list[str]) -> str | None:
    """The shallowest folder that holds `train/` or `test/` (a zip often wraps one folder)."""
    roots = set()
    for p in paths:
        parts = PurePosixPath(p).parts
        depth = next((d for d, part in enumerate(parts[:-1]) if part.lower() in SPLIT_FOLDERS), None)
        if depth is not None:
            roots.add(parts[:depth])
    if not roots:
        return None
    return "/".join(min(roots, key=lambda r: (len(r), r)))


def to_face(image: np.ndarray) -> tuple[np.ndarray, bool]:
    """(48, 48) uint8 from a decoded grayscale image; True when it had to be converted."""
    h, w = image.shape[:2]
    if (h, w) == (IMAGE_SIZE, IMAGE_SIZE):
        return image, False
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    square = image[top : top + side, left : left + side]
    interp = cv2.INTER_AREA if side > IMAGE_SIZE else cv2.INTER_LINEAR
    return cv2.resize(square, (IMAGE_SIZE, IMAGE_SIZE), interpolation=interp), True


def decode(data: bytes) -> tuple[np.ndarray | None, bool]:
    """Decode any image to 48x48 gray; (None, False) if it cannot be read."""
    buf = np.frombuffer(data, dtype=np.uint8)
    image = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if buf.size else None
    if image is None:
        return None, False
    colour = image.ndim == 3 or image.dtype != np.uint8
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = cv2.cvtColor(image, code)
    if image.dtype != np.uint8:  # 16-bit PNGs
        image = cv2.convertScaleAbs(image, alpha=255.0 / max(float(image.max()), 1.0))
    face, resized = to_face(image)
    return face, colour or resized


def split_of(split_folder: int, filename: str) -> int:
    if split_folder == TRAINING:
        return TRAINING
    low = filename.lower()
    return PRIVATE_TEST if low.startswith("privatetest") else PUBLIC_TEST


def read_images(entries: list[Entry], label: str, progress: Progress | None = None) -> Collected:
    """Decode every image under train/ and test/; bad entries are counted, never fatal here."""
    out = Collected(format="image-folder")
    if not entries:
        raise DataImportError(label, f"the folder holds no images; {FOLDER_HELP}")
    root = find_root([e.path for e in entries])
    if root is None:
        raise DataImportError(label, f"not a recognised data set: no CSV and no train/ or test/ folder; {FOLDER_HELP}")
    prefix = f"{root}/" if root else ""
    chosen = [e for e in entries if e.path.startswith(prefix)]
    bad_folders: set[str] = set()
    for n, entry in enumerate(chosen):
        parts = PurePosixPath(entry.path[len(prefix) :]).parts
        if not parts or parts[0].lower() not in SPLIT_FOLDERS:
            continue  # READMEs and other files beside train/ and test/
        where = entry.path
        if len(parts) < 3:
            out.reject(where, "image is not inside a class folder (expected train/<class>/<image>)")
            continue
        cls = class_index(parts[1])
        if cls is None:
            folder = f"{prefix}{parts[0]}/{parts[1]}"
            if folder in bad_folders:
                out.bad += 1  # quoted once per folder, counted per image
            else:
                bad_folders.add(folder)
                out.reject(folder, f"unknown class folder {parts[1]!r} (expected one of: {', '.join(CLASSES)})")
            continue
        if not parts[-1].lower().endswith(IMAGE_SUFFIXES):
            out.reject(where, "not an image (expected .png or .jpg)")
            continue
        face, converted = decode(entry.read())
        if face is None:
            out.reject(where, "unreadable image (cannot be decoded)")
            continue
        out.converted += converted
        out.add(face, cls, split_of(SPLIT_FOLDERS[parts[0].lower()], parts[-1]))
        if progress and n % 1000 == 0:
            progress(n / len(chosen), f"decoded {len(out.labels):,} images")
    if not out.labels and not out.bad:
        raise DataImportError(label, f"the folder holds no images; {FOLDER_HELP}")
    return out
