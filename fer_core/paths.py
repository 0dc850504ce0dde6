"""Where FER Lab keeps its files. Environment variables override the defaults so
tests and scripts never touch a user's data or runs."""

import os
import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATASET_SUFFIX = ".fer.safetensors"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def data_dir() -> Path:
    """Directory of imported data sets (`FER_DATA_DIR`, default `data/`)."""
    return Path(os.environ.get("FER_DATA_DIR") or PROJECT_ROOT / "data")


def checkpoints_dir() -> Path:
    """Directory of training runs (`FER_CHECKPOINTS_DIR`, default `checkpoints/`)."""
    return Path(os.environ.get("FER_CHECKPOINTS_DIR") or PROJECT_ROOT / "checkpoints")


def dataset_path(name: str) -> Path:
    return data_dir() / f"{check_name(name)}{DATASET_SUFFIX}"


def check_name(name: str) -> str:
    """A data-set name must be a safe file stem: letters, digits, `_ . -`, at most 64."""
    if not _NAME_RE.match(name) or name.endswith("."):
        raise ValueError(
            f"invalid data-set name {name!r}: use letters, digits, '_', '-' or '.', starting with a letter or digit (at most 64 characters)"
        )
    return name


def name_from_source(source: str | os.PathLike) -> str:
    """Default data-set name from a source path: `fer2013.csv.gz` -> `fer2013`."""
    stem = Path(source).name
    for ext in (".gz", ".xz", ".zip", ".csv"):
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or "dataset"
    if not stem[0].isalnum():
        stem = "d" + stem
    return stem[:64]


def size_on_disk(path: str | os.PathLike) -> int:
    """Bytes of a file, or of every file under a folder."""
    path = Path(path)
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size
