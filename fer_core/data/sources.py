"""Open whatever the user has: a CSV (plain, .gz, .xz, or inside a .zip), an image
folder, or a zip of one. Kinds are told by content (magic bytes), not by name.

Zip entries are read in memory and never extracted, but unsafe names (`..`, absolute
paths) and out-of-proportion sizes (zip bombs) are refused before anything is read.
"""

import gzip
import io
import lzma
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fer_core.data.errors import DataImportError

# Zip-bomb limits: FER2013's CSV deflates about 3-4x and PNGs barely at all, so a
# large entry that inflates more than 100x is not a data set.
MAX_RATIO = 100
RATIO_CHECK_ABOVE = 10 * 2**20  # small entries may compress well (blank images)
MAX_TOTAL_BYTES = 4 * 2**30
MAX_ENTRIES = 500_000

CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.xz", ".txt")
IGNORED_PARTS = ("__MACOSX",)


@dataclass
class TextSource:
    """A CSV opened as text, with a 0..1 read-position probe for progress bars."""

    label: str  # the name to quote in error messages
    stream: io.TextIOBase
    position: Callable[[], float]


@dataclass(frozen=True)
class Entry:
    """One file of an image folder or zip: its posix path relative to the top, and a reader."""

    path: str
    read: Callable[[], bytes]


class _CountingReader(io.RawIOBase):
    """Counts bytes passed through, so progress can be reported on streams without tell()."""

    def __init__(self, inner):
        self.inner, self.count = inner, 0

    def readable(self):
        return True

    def readinto(self, buf):
        data = self.inner.read(len(buf))
        buf[: len(data)] = data
        self.count += len(data)
        return len(data)


def sniff(path: Path) -> str:
    """'dir', 'zip', 'gz', 'xz', 'empty' or 'plain', from the first bytes."""
    if path.is_dir():
        return "dir"
    if path.stat().st_size == 0:
        return "empty"
    with open(path, "rb") as f:
        head = f.read(6)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gz"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    return "plain"


def _text(binary, label: str, position) -> TextSource:
    stream = io.TextIOWrapper(io.BufferedReader(binary, 1 << 20), encoding="utf-8-sig", newline="")
    return TextSource(label, stream, position)


@contextmanager
def open_csv_file(path: Path, kind: str) -> Iterator[TextSource]:
    """A plain, gzip or xz CSV file as text."""
    size = max(path.stat().st_size, 1)
    with open(path, "rb") as raw:
        inner = {"gz": lambda: gzip.GzipFile(fileobj=raw), "xz": lambda: lzma.LZMAFile(raw)}.get(kind, lambda: raw)()
        counting = _CountingReader(inner)
        # For compressed files the outer position tracks progress; plain files count bytes.
        yield _text(counting, path.name, lambda: min(raw.tell() / size, 1.0))


def safe_member_name(name: str, archive: str) -> str:
    """The entry's posix path, or a DataImportError if it could escape the archive."""
    norm = name.replace("\\", "/")
    parts = PurePosixPath(norm).parts
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":") or ".." in parts:
        raise DataImportError(archive, f"unsafe entry {name!r} in zip (absolute path or '..'); refusing the archive")
    return norm


def check_zip(z: zipfile.ZipFile, archive: str) -> list[zipfile.ZipInfo]:
    """Validate every entry's name and size before reading any; return the file entries."""
    infos = z.infolist()
    if not infos:
        raise DataImportError(archive, "the zip is empty")
    if len(infos) > MAX_ENTRIES:
        raise DataImportError(archive, f"the zip has {len(infos)} entries (more than {MAX_ENTRIES}); refusing it")
    total = 0
    for info in infos:
        safe_member_name(info.filename, archive)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_ABOVE and ratio > MAX_RATIO:
            raise DataImportError(
                archive,
                f"entry {info.filename!r} would inflate {info.compress_size:,} bytes to {info.file_size:,} "
                f"({ratio:.0f}x): out of proportion for a data set (zip bomb?); refusing the archive",
            )
    if total > MAX_TOTAL_BYTES:
        raise DataImportError(archive, f"the zip would inflate to {total:,} bytes (over {MAX_TOTAL_BYTES:,}); refusing it")
    return [i for i in infos if not i.is_dir()]


def open_zip_csv(z: zipfile.ZipFile, info: zipfile.ZipInfo, archive: str) -> TextSource:
    """A CSV member of a zip (itself plain, .gz or .xz) as text."""
    label = f"{archive}:{info.filename}"
    if info.file_size == 0:
        raise DataImportError(label, "the file is empty")
    member = z.open(info)
    counting = _CountingReader(member)
    size = max(info.file_size, 1)
    name = info.filename.lower()
    inner = counting
    if name.endswith(".gz"):
        inner = gzip.GzipFile(fileobj=counting)
    elif name.endswith(".xz"):
        inner = lzma.LZMAFile(counting)
    return _text(inner if inner is counting else _CountingReader(inner), label, lambda: min(counting.count / size, 1.0))


def is_ignored(path: str) -> bool:
    """Hidden files and macOS zip debris are not data."""
    return any(p.startswith(".") or p in IGNORED_PARTS for p in PurePosixPath(path).parts)


def zip_entries(z: zipfile.ZipFile, infos: list[zipfile.ZipInfo], archive: str) -> list[Entry]:
    return [
        Entry(safe_member_name(i.filename, archive), (lambda i=i: z.read(i)))
        for i in infos
        if not is_ignored(i.filename)
    ]


def folder_entries(root: Path) -> list[Entry]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not is_ignored(d))
        for fn in sorted(filenames):
            full = Path(dirpath) / fn
            rel = full.relative_to(root).as_posix()
            if not is_ignored(rel):
                out.append(Entry(rel, full.read_bytes))
    return out
