"""Labelled photos as a data set (issue 42): `FOLDER/<emotion>/*.jpg|png`, photos of any size.

Each photo goes through the face pipeline the webcam and Explain use (YuNet, eyes level, framed as
FER2013, 48x48: fer_core.faces), and the data set keeps, beside each face, its source photo and its
box (data.dataset.PhotoSources). A photo without a face is no bad entry: it is counted and listed
with the reason, never silently dropped; one with several faces keeps its largest and is listed too.
A photo set is a test set: every face is PublicTest, scored against its folder's emotion (truth
`photos`, label_sources).
"""

from pathlib import PurePosixPath

import cv2
import numpy as np
from PIL import Image

from fer_core.data.collect import Collected, Progress
from fer_core.data.dataset import PhotoSources
from fer_core.data.errors import DataImportError, Problem
from fer_core.faces import NoFaceFound, face_from_photo, read_image
from fer_core.labels import FERPLUS_CLASSES, PUBLIC_TEST

FORMAT = "photo-folder"
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
# Folder names people give emotions (several public sets use the nouns), each to FER+'s class name.
SYNONYMS = {
    **{c: c for c in FERPLUS_CLASSES},
    "anger": "angry",
    "disgusted": "disgust",
    "fearful": "fear",
    "afraid": "fear",
    "happiness": "happy",
    "joy": "happy",
    "sadness": "sad",
    "surprised": "surprise",
    "neutrality": "neutral",
    "calm": "neutral",
    "contemptuous": "contempt",
}
MAX_PHOTO_BYTES = 40 * 2**20  # one photo's file: a phone's largest JPEG is a few MB
MAX_PHOTO_PIXELS = 50_000_000  # after decoding; PIL refuses twice its own limit (a decompression bomb) first
KEPT_SIDE = 640  # a kept source photo's longer side at most: enough to see the face and its box
PHOTO_HELP = f"expected `<emotion>/<photo>` folders, the emotion one of {', '.join(FERPLUS_CLASSES)} (or anger, happiness, sadness...)"


def photo_class(folder: str) -> int | None:
    """FER+'s class index of an emotion folder's name (case-insensitive, synonyms accepted), or None."""
    name = SYNONYMS.get(folder.strip().lower())
    return None if name is None else FERPLUS_CLASSES.index(name)


def find_photo_root(paths: list[str]) -> str | None:
    """The folder whose subfolders are emotions ("" for the top), or None when no photo's parent
    folder names an emotion. A zip often wraps everything in one folder."""
    roots = {}
    for p in paths:
        parts = PurePosixPath(p).parts
        if len(parts) >= 2 and parts[-1].lower().endswith(PHOTO_SUFFIXES) and photo_class(parts[-2]) is not None:
            root = "/".join(parts[:-2])
            roots[root] = roots.get(root, 0) + 1
    if not roots:
        return None
    return max(roots, key=lambda r: (roots[r], -len(r)))


def unused_photos(meta: dict) -> list[tuple[str, str]]:
    """A photo set's photos that gave no face, then those that gave several, as (photo, why)."""
    return [tuple(u) for u in (*meta.get("photos_without_face", []), *meta.get("photos_with_several_faces", []))]


def photo_summary(meta: dict) -> str:
    """'1,069 faces from 1,100 photos: 31 without a face, 2 with several faces (the largest kept)',
    from a photo set's metadata (what `import_source` records)."""
    no_face, several = meta.get("photos_without_face", []), meta.get("photos_with_several_faces", [])
    parts = [f"{len(no_face):,} without a face"] if no_face else []
    parts += [f"{len(several):,} with several faces (the largest kept)"] if several else []
    return f"{meta.get('faces', 0):,} faces from {meta.get('photos', 0):,} photos" + (f": {', '.join(parts)}" if parts else "")


def _kept_photo(rgb: np.ndarray) -> tuple[bytes, float]:
    """The photo as stored beside its face: JPEG, its longer side at most KEPT_SIDE; and the scale."""
    h, w = rgb.shape[:2]
    scale = min(1.0, KEPT_SIDE / max(h, w))
    if scale < 1:
        rgb = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return buf.tobytes(), scale


def read_photos(entries, label: str, progress: Progress | None = None) -> Collected:
    """Every photo under `<emotion>/` through the face pipeline. Unreadable or oversized photos and
    unknown emotion folders are bad entries (the caller refuses them unless skipped); photos without
    a face, or with several, are listed in `no_face` and `several`; `photos` keeps the sources."""
    root = find_photo_root([e.path for e in entries])
    if root is None:
        raise DataImportError(label, f"no photos in emotion folders; {PHOTO_HELP}")
    prefix = f"{root}/" if root else ""
    chosen = [e for e in entries if e.path.startswith(prefix) and len(PurePosixPath(e.path[len(prefix) :]).parts) == 2]
    out = Collected(format=FORMAT)
    blob, spans, boxes, names = bytearray(), [], [], []
    bad_folders: set[str] = set()
    photos = 0
    for n, entry in enumerate(chosen):
        folder, filename = PurePosixPath(entry.path[len(prefix) :]).parts
        cls = photo_class(folder)
        if cls is None:
            if folder not in bad_folders:
                bad_folders.add(folder)
                out.reject(prefix + folder, f"unknown emotion folder {folder!r}; {PHOTO_HELP}")
            else:
                out.bad += 1  # quoted once per folder, counted per photo
            continue
        if not filename.lower().endswith(PHOTO_SUFFIXES):
            continue  # notes, licences and thumbs beside the photos
        photos += 1
        data = entry.read()
        if len(data) > MAX_PHOTO_BYTES:
            out.reject(entry.path, f"the file is {len(data) / 2**20:.0f} MB (over {MAX_PHOTO_BYTES // 2**20} MB): not a photo to import")
            continue
        try:
            rgb = read_image(data, entry.path)
        except ValueError as exc:  # names the file and what it is
            out.reject(entry.path, str(exc).removeprefix(f"{entry.path} is ").split(", not a photo")[0])
            continue
        except Image.DecompressionBombError:
            out.reject(entry.path, "the image is too large to decode (a decompression bomb?)")
            continue
        if rgb.shape[0] * rgb.shape[1] > MAX_PHOTO_PIXELS:
            out.reject(entry.path, f"{rgb.shape[1]}x{rgb.shape[0]} px is over {MAX_PHOTO_PIXELS:,} pixels")
            continue
        try:
            face, det = face_from_photo(rgb, entry.path)
        except NoFaceFound:
            out.no_face.append(Problem(entry.path, f"no face found ({rgb.shape[1]}x{rgb.shape[0]} px)"))
            continue
        if len(det.faces) > 1:
            out.several.append(Problem(entry.path, f"{len(det.faces)} faces; the largest kept"))
        kept, scale = _kept_photo(rgb if rgb.ndim == 3 else cv2.cvtColor(rgb, cv2.COLOR_GRAY2RGB))
        spans.append((len(blob), len(kept)))
        blob += kept
        boxes.append([round(v * scale) for v in face.box])
        names.append(entry.path)
        out.add(face.face48, cls, PUBLIC_TEST)
        if progress and n % 20 == 0:
            progress(n / len(chosen), f"found {len(out.labels):,} of {photos:,} photos' faces")
    if not photos and not out.bad:
        raise DataImportError(label, f"the emotion folders hold no photos; {PHOTO_HELP}")
    out.photos = PhotoSources(
        np.frombuffer(bytes(blob), np.uint8).copy(),
        np.array(spans, np.int64).reshape(-1, 2),
        np.array(boxes, np.int32).reshape(-1, 4),
        tuple(names),
    )
    out.n_rows = photos
    return out
