"""`import_source`: any supported source -> one data-set file, or a clear refusal.

Nothing is written unless the whole import succeeds (the file is renamed into place
at the end), so a failed import leaves every existing data set as it was.
"""

import contextlib
import csv
import lzma
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fer_core.data.collect import UNSPLIT, Collected, Progress
from fer_core.data.csv_import import find_columns, read_csv
from fer_core.data.dataset import make_dataset
from fer_core.data.errors import DataImportError, Problem
from fer_core.data.ferplus import join_votes, read_votes
from fer_core.data.ferplus_folders import FORMAT as FERPLUS_FOLDERS
from fer_core.data.ferplus_folders import label_files, read_ferplus_folders
from fer_core.data.image_import import find_root, read_images
from fer_core.data.photo_import import FORMAT as PHOTO_FOLDER
from fer_core.data.photo_import import find_photo_root, photo_summary, read_photos
from fer_core.data.sources import (
    CSV_SUFFIXES,
    check_zip,
    folder_entries,
    is_ignored,
    open_csv_file,
    TextSource,
    open_zip_csv,
    sniff,
    zip_entries,
)
from fer_core.data.store import save_dataset
from fer_core.estimate import import_rate_key, record
from fer_core.paths import size_on_disk
from fer_core.labels import NUM_CLASSES, PUBLIC_TEST, TRAINING
from fer_core.paths import check_name, dataset_path, name_from_source

READ_ERRORS = (EOFError, OSError, lzma.LZMAError, zipfile.BadZipFile, zlib.error)


@dataclass(frozen=True)
class ImportReport:
    name: str
    path: Path
    n: int
    counts: dict
    format: str
    skipped: int
    converted: int
    hash: str
    seconds: float
    problems: tuple[Problem, ...]  # the first few skipped rows, when --skip-bad was used
    kind: str = "rows"  # what a bad one is called: rows (CSV) or entries (images)
    warnings: tuple[str, ...] = ()  # accepted, but worth saying: a split left empty
    note: str = ""  # a photo set's faces from its photos (photo_import.photo_summary)
    unused: tuple[Problem, ...] = ()  # a photo set's photos without a face or with several, each with why

    @property
    def skipped_text(self) -> str:
        """'1 bad row', '3 bad entries': what was skipped, in words."""
        return counted(self.skipped, f"bad {self.kind}")


def counted(n: int, plural: str) -> str:
    """'1 bad row', '2 bad rows', '1 bad entry': `plural` names several."""
    one = plural.removesuffix("ies") + "y" if plural.endswith("ies") else plural.removesuffix("s")
    return f"{n:,} {one if n == 1 else plural}"


def empty_splits(counts: dict) -> tuple[str, ...]:
    """A warning for each of Training and PublicTest that holds no face (training and validation
    need both; PrivateTest may be absent, as FER2013's is when held back)."""
    return tuple(
        f"{split} is empty: {'training' if split == 'Training' else 'validation and Evaluate'} will have no faces from this data set"
        for split in ("Training", "PublicTest")
        if not sum(counts.get(split, {}).values())
    )


def photo_note(meta: dict) -> str:
    """What a photo set's import says: its faces from its photos, the photos without one, and that it is for testing."""
    return f"{photo_summary(meta)}. A photo set is a test set: every face is PublicTest, scored against its folder's emotion."


def stratified_split(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Training/PublicTest ids with `fraction` of every class in PublicTest (seeded)."""
    rng = np.random.default_rng(seed)
    splits = np.full(len(labels), TRAINING, dtype=np.uint8)
    for c in range(NUM_CLASSES):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        k = int(round(len(idx) * fraction))
        if len(idx) >= 2 and fraction > 0:
            k = min(max(k, 1), len(idx) - 1)  # every class on both sides when it can be
        splits[idx[:k]] = PUBLIC_TEST
    return splits


def _zip_csv_member(z: zipfile.ZipFile, infos, label: str):
    """The CSV member to import from a zip, or None if it holds no CSV data set."""
    scored = []
    for info in infos:
        if info.filename.lower().endswith(CSV_SUFFIXES) and not is_ignored(info.filename) and info.file_size:
            src = open_zip_csv(z, info, label)
            try:
                header = next(csv.reader(src.stream), [])
            except (UnicodeDecodeError, csv.Error, *READ_ERRORS):
                header = []
            finally:
                src.stream.close()
            cols = find_columns(header)
            scored.append((0 if cols is None else 1 + (cols["split"] is not None), info))
    best = max((s for s, _ in scored), default=0)
    top = [i for s, i in scored if s == best]
    if best == 0:
        return top[0] if top and not any("/" in i.filename for i in infos) else None
    if len(top) > 1:
        names = ", ".join(i.filename for i in top)
        raise DataImportError(label, f"the zip holds several CSV data sets ({names}); import one of them on its own")
    return top[0]


def read_source(path: Path, progress: Progress | None) -> Collected:
    """Parse any supported source into faces and problems (nothing written)."""
    label = path.name
    kind = sniff(path)
    if kind == "empty":
        raise DataImportError(label, "the file is empty")
    if kind == "dir":
        entries = folder_entries(path)
        if files := label_files(entries):
            return read_ferplus_folders(entries, files, label, progress)
        return _read_image_folders(entries, label, progress)
    if kind in ("gz", "xz", "plain"):
        with open_csv_file(path, kind) as src:
            return read_csv(src, progress)
    with zipfile.ZipFile(path) as z:
        infos = check_zip(z, label)
        entries = zip_entries(z, infos, label)
        if files := label_files(entries):
            return read_ferplus_folders(entries, files, label, progress)
        member = _zip_csv_member(z, infos, label)
        if member is not None:
            return read_csv(open_zip_csv(z, member, label), progress)
        return _read_image_folders(entries, label, progress)


def _read_image_folders(entries, label: str, progress: Progress | None) -> Collected:
    """`train/<class>/` and `test/<class>/` faces (Kaggle's layout), or `<emotion>/` photos (a photo set)."""
    if find_root([e.path for e in entries]) is None and find_photo_root([e.path for e in entries]) is not None:
        return read_photos(entries, label, progress)
    return read_images(entries, label, progress)


def _votes(ferplus: str | Path, label: str | None, got: Collected, splits: np.ndarray) -> np.ndarray:
    """The votes of every collected face, from a FER+ votes CSV joined to the faces' CSV by row."""
    path = Path(ferplus)
    label = label or path.name
    if got.format != "challenge-csv":
        raise DataImportError(label, "FER+ votes join a challenge CSV (fer2013.csv) row by row; import them with that file")
    if not path.is_file():
        raise DataImportError(label, "no such file")
    kind = sniff(path)
    if kind not in ("gz", "xz", "plain"):
        raise DataImportError(label, "expected fer2013new.csv (plain, .gz or .xz)")
    try:
        with open_csv_file(path, kind) as src:
            src = TextSource(label, src.stream, src.position)
            usages, votes = read_votes(src)
    except READ_ERRORS as exc:
        raise DataImportError(label, f"cannot read the file ({exc})") from exc
    return join_votes(label, usages, votes, np.array(got.rows, np.int64), splits, got.n_rows)


def import_source(
    source: str | Path,
    name: str | None = None,
    *,
    skip_bad: bool = False,
    replace: bool = False,
    val_fraction: float = 0.1,
    seed: int = 0,
    source_label: str | None = None,
    progress: Progress | None = None,
    ferplus: str | Path | None = None,
    ferplus_label: str | None = None,
) -> ImportReport:
    """Import a CSV, image folder or zip as data set `name` (default: from the file name).

    Bad rows refuse the import (listing the first few) unless `skip_bad`. Raises
    DataImportError with the file and row or entry named; writes nothing on failure.
    `ferplus`: FER+'s `fer2013new.csv` for the same rows of a challenge CSV; every face keeps its
    ten votes (refused when the two files do not have the same rows in the same order).
    """
    start = time.perf_counter()
    path = Path(source)
    label = source_label or path.name
    if not path.exists():
        raise DataImportError(str(source), "no such file or folder")
    name = check_name(name or name_from_source(source_label or path))
    if dataset_path(name).exists() and not replace:
        raise DataImportError(label, f"a data set named {name!r} already exists; choose another name or replace it")
    try:
        got = read_source(path, progress)
    except DataImportError as exc:
        if source_label and exc.source.startswith(path.name):  # quote the user's name, not a temp file's
            exc = DataImportError(source_label + exc.source[len(path.name) :], exc.summary, exc.problems, exc.total_bad)
        raise exc from None
    except READ_ERRORS as exc:
        raise DataImportError(label, f"cannot read the file ({exc})") from exc
    kind = "entries" if got.format in ("image-folder", PHOTO_FOLDER) else "rows"
    if not got.labels:
        raise DataImportError(label, f"no valid faces ({counted(got.bad, 'bad ' + kind)})", got.problems, got.bad)
    if got.bad and not skip_bad:
        raise DataImportError(
            label,
            f"{counted(got.bad, 'bad ' + kind)}; nothing imported (skip {'it' if got.bad == 1 else 'them'} to import the other {len(got.labels):,})",
            got.problems,
            got.bad,
        )
    if progress:
        progress(1.0, "writing the data set")
    pixels, labels, splits = got.arrays()
    if ferplus is not None and got.votes is not None:
        raise DataImportError(label, "the FERPlus folders carry their own votes; import them without a votes file")
    votes = _votes(ferplus, ferplus_label, got, splits) if ferplus is not None else got.votes
    unsplit = splits == UNSPLIT
    if unsplit.any():
        splits[unsplit] = stratified_split(labels[unsplit], val_fraction, seed)
    meta = {"source": label, "format": got.format, "skipped": got.bad, "converted": got.converted}
    if unsplit.any():
        meta["split_rule"] = f"stratified, {val_fraction:.0%} PublicTest, seed {seed}"
    if ferplus is not None:
        meta["votes_source"] = ferplus_label or Path(ferplus).name
    if got.format == FERPLUS_FOLDERS:
        meta["labels"] = "ferplus"  # FaceDataset.label_source: no FER2013 label, the FER+ majority instead
    if got.format == PHOTO_FOLDER:
        meta |= {
            "labels": "photos",  # FaceDataset.label_source: each face's photo's emotion folder
            "photos": got.n_rows,
            "faces": len(labels),
            "photos_without_face": [[p.where, p.message] for p in got.no_face],
            "photos_with_several_faces": [[p.where, p.message] for p in got.several],
        }
    ds = make_dataset(name, pixels, labels, splits, meta, votes, got.photos)
    path_out = save_dataset(ds, replace=replace)
    with contextlib.suppress(OSError):  # the rate the next import's estimate uses
        record(import_rate_key(path), size_on_disk(path) / (time.perf_counter() - start))
    return ImportReport(
        name=name,
        path=path_out,
        n=len(ds),
        counts=ds.counts(),
        format=got.format,
        skipped=got.bad,
        converted=got.converted,
        hash=ds.hash,
        seconds=time.perf_counter() - start,
        problems=tuple(got.problems),
        kind=kind,
        warnings=() if got.format == PHOTO_FOLDER else empty_splits(ds.counts()),
        note=photo_note(meta) if got.format == PHOTO_FOLDER else "",
        unused=(*got.no_face, *got.several),
    )
