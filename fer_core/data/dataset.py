"""The in-memory data set and its compact file format.

One file per data set: safetensors with three tensors (four with FER+ votes) and JSON metadata.
  pixels (N, 48, 48) uint8, labels (N,) uint8 in 0..6, splits (N,) uint8 in 0..2,
  and, when imported with them, votes (N, 10) uint8: FER+'s ten annotators (data/ferplus.py);
  a photo set (data/photo_import.py) adds each face's source photo: photo_bytes (M,) uint8, the
  photos as JPEG one after another, photo_spans (N, 2) int64 (offset, length) and boxes (N, 4) int32
  (x, y, w, h in that photo), with the photos' names in the metadata.
Images are stored in a canonical order (split, label, image digest), so the same
faces give byte-identical arrays and the same content hash whatever format they
came from. Loading is a memory copy: all of FER2013 (83 MB) loads in well under a second.
"""

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

from fer_core.atomic import atomic_path
from fer_core.data.ferplus import VOTE_COLUMNS
from fer_core.label_sources import TRUTHS, own_truth
from fer_core.labels import IMAGE_SIZE, SPLITS

FORMAT_VERSION = "1"
NO_LABEL = 255  # `labels` of a face without a class (a FER+-labelled face without a majority)
NO_MAJORITY_NAME = "no majority"


@dataclass(frozen=True)
class PhotoSources:
    """Where each face of a photo set came from: its photo (JPEG bytes), its box, the photo's name."""

    photo_bytes: np.ndarray  # (M,) uint8: every photo's JPEG, one after another
    spans: np.ndarray  # (N, 2) int64: each face's photo as (offset, length) in photo_bytes
    boxes: np.ndarray  # (N, 4) int32: x, y, w, h of the face in its photo
    names: tuple[str, ...]  # (N,) the photo's path in the imported folder

    def photo(self, i: int) -> np.ndarray:
        """Face i's source photo, RGB (H, W, 3) uint8."""
        import cv2

        start, length = (int(v) for v in self.spans[i])
        bgr = cv2.imdecode(self.photo_bytes[start : start + length], cv2.IMREAD_COLOR)
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def reordered(self, order: np.ndarray) -> "PhotoSources":
        return PhotoSources(self.photo_bytes, self.spans[order], self.boxes[order], tuple(self.names[i] for i in order))


@dataclass
class FaceDataset:
    """Faces with labels and split ids. `meta` holds provenance (source, format, skipped)."""

    name: str
    pixels: np.ndarray  # (N, 48, 48) uint8
    labels: np.ndarray  # (N,) uint8, class index
    splits: np.ndarray  # (N,) uint8, split index
    meta: dict = field(default_factory=dict)
    votes: np.ndarray | None = None  # (N, 10) uint8 FER+ votes over ferplus.VOTE_COLUMNS, or None
    photos: PhotoSources | None = None  # a photo set's source photos and boxes, else None

    def __post_init__(self):
        n = len(self.labels)
        classes = len(self.classes)
        if self.pixels.shape != (n, IMAGE_SIZE, IMAGE_SIZE) or self.pixels.dtype != np.uint8:
            raise ValueError(f"pixels must be uint8 (N, 48, 48), got {self.pixels.dtype} {self.pixels.shape}")
        if self.splits.shape != (n,):
            raise ValueError("labels and splits must have the same length")
        labelled = self.labels[self.labels != NO_LABEL] if self.label_source == "ferplus" else self.labels
        if n and ((len(labelled) and labelled.max() >= classes) or self.splits.max() >= len(SPLITS)):
            raise ValueError("label or split id out of range")
        if self.votes is not None and (self.votes.shape != (n, 10) or self.votes.dtype != np.uint8):
            raise ValueError(f"votes must be uint8 (N, 10), got {self.votes.dtype} {self.votes.shape}")
        if self.photos is not None and (self.photos.spans.shape != (n, 2) or self.photos.boxes.shape != (n, 4) or len(self.photos.names) != n):
            raise ValueError("a photo set needs one photo span, box and name per face")

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def label_source(self) -> str:
        """'fer2013': `labels` are FER2013's; 'ferplus': the data set came without them (the FERPlus
        folders), and `labels` are the FER+ majority of its votes (NO_LABEL where there is none)."""
        return self.meta.get("labels", "fer2013")

    @property
    def has_fer2013_labels(self) -> bool:
        return self.label_source == "fer2013"

    @property
    def classes(self) -> tuple[str, ...]:
        """The names of `labels`: FER2013's seven, or FER+'s eight for a data set labelled by its votes."""
        return TRUTHS[own_truth(self.label_source)].classes

    @property
    def hash(self) -> str:
        return self.meta.get("hash") or content_hash(self.pixels, self.labels, self.splits, self.votes)

    def split_indices(self, split: str | int) -> np.ndarray:
        sid = SPLITS.index(split) if isinstance(split, str) else split
        return np.flatnonzero(self.splits == sid)

    def counts(self) -> dict[str, dict[str, int]]:
        """Per split (only those present), per class (and "no majority", for a data set labelled by
        its FER+ votes): number of images."""
        names = (*self.classes, NO_MAJORITY_NAME) if self.label_source == "ferplus" else self.classes
        table = np.zeros((len(SPLITS), len(names)), dtype=np.int64)
        np.add.at(table, (self.splits, np.minimum(self.labels, len(names) - 1)), 1)
        return {SPLITS[s]: {c: int(table[s, k]) for k, c in enumerate(names)} for s in range(len(SPLITS)) if table[s].sum()}


def image_digests(pixels: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(N, 16) uint8 digest of each image with its label: the canonical sort key."""
    out = np.empty((len(labels), 16), dtype=np.uint8)
    for i in range(len(labels)):
        h = hashlib.blake2b(pixels[i].tobytes(), digest_size=16, key=bytes([int(labels[i])]))
        out[i] = np.frombuffer(h.digest(), dtype=np.uint8)
    return out


def canonical_order(pixels: np.ndarray, labels: np.ndarray, splits: np.ndarray) -> np.ndarray:
    """Permutation that sorts images by (split, label, digest): independent of input order."""
    digests = image_digests(pixels, labels)
    keys = [digests[:, j] for j in range(15, -1, -1)] + [labels, splits]
    return np.lexsort(keys)


def content_hash(pixels: np.ndarray, labels: np.ndarray, splits: np.ndarray, votes: np.ndarray | None = None) -> str:
    """Short hash of the content (of arrays already in canonical order); votes count when present,
    so a data set without them keeps the hash it always had."""
    h = hashlib.sha256()
    for a in (pixels, labels, splits) if votes is None else (pixels, labels, splits, votes):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


def make_dataset(name: str, pixels, labels, splits, meta: dict | None = None, votes=None, photos: PhotoSources | None = None) -> FaceDataset:
    """Build a data set in canonical order with its content hash filled in."""
    pixels = np.asarray(pixels, dtype=np.uint8).reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
    labels = np.asarray(labels, dtype=np.uint8)
    splits = np.asarray(splits, dtype=np.uint8)
    order = canonical_order(pixels, labels, splits)
    pixels, labels, splits = pixels[order], labels[order], splits[order]
    votes = None if votes is None else np.ascontiguousarray(np.asarray(votes, dtype=np.uint8)[order])
    meta = dict(meta or {})
    meta["hash"] = content_hash(pixels, labels, splits, votes)
    if votes is not None:
        meta["votes"] = list(VOTE_COLUMNS)
    photos = None if photos is None else photos.reordered(order)
    return FaceDataset(name, np.ascontiguousarray(pixels), labels, splits, meta, votes, photos)


def write_dataset_file(ds: FaceDataset, path: Path) -> None:
    """Write atomically: a crash or error leaves any previous file untouched."""
    meta = dict(ds.meta, name=ds.name, format_version=FORMAT_VERSION, counts=ds.counts(), n=len(ds))
    meta.setdefault("created", time.strftime("%Y-%m-%dT%H:%M:%S"))
    tensors = {"pixels": ds.pixels, "labels": ds.labels, "splits": ds.splits}
    if ds.votes is not None:
        tensors["votes"] = ds.votes
    if ds.photos is not None:
        tensors |= {"photo_bytes": ds.photos.photo_bytes, "photo_spans": ds.photos.spans, "boxes": ds.photos.boxes}
        meta["photo_names"] = list(ds.photos.names)
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"fer_lab": json.dumps(meta)})


def read_meta(path: Path) -> dict:
    """Only the header: cheap enough to list many data sets."""
    try:
        with safe_open(str(path), framework="numpy") as f:
            raw = (f.metadata() or {}).get("fer_lab")
    except Exception as exc:  # safetensors raises several types for a bad header
        raise ValueError(f"{path}: not a FER Lab data-set file ({exc})") from exc
    if raw is None:
        raise ValueError(f"{path}: not a FER Lab data-set file (no fer_lab metadata)")
    return json.loads(raw)


def read_dataset_file(path: Path) -> FaceDataset:
    meta = read_meta(path)
    arrays = load_file(str(path))
    photos = None
    if "photo_bytes" in arrays:
        photos = PhotoSources(arrays["photo_bytes"], arrays["photo_spans"], arrays["boxes"], tuple(meta.pop("photo_names", ())))
    try:
        return FaceDataset(meta["name"], arrays["pixels"], arrays["labels"], arrays["splits"], meta, arrays.get("votes"), photos)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{path}: damaged data-set file ({exc})") from exc
