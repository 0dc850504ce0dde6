"""The FERPlus generator's folders (or a zip of them): `FER2013Train/`, `FER2013Valid/` and
`FER2013Test/` (Training, PublicTest, PrivateTest), each a header-less `label.csv`
(`name,"(0, 0, 48, 48)",<ten votes>`) beside its PNGs. Rows FER+ calls not-a-face have no image.

These carry FER+'s votes and no FER2013 label, so a data set read from them is labelled with the FER+
majority (labels.FERPLUS_CLASSES; NO_LABEL where no emotion has more than half of the votes) and
says so (`FaceDataset.label_source`): nothing can be scored against FER2013's labels there."""

import csv
import io
from pathlib import PurePosixPath

import numpy as np

from fer_core.data.collect import Collected, Progress
from fer_core.data.dataset import NO_LABEL
from fer_core.data.errors import DataImportError
from fer_core.data.ferplus import VOTE_COLUMNS, VOTERS, majority
from fer_core.data.image_import import decode
from fer_core.data.sources import Entry
from fer_core.labels import PRIVATE_TEST, PUBLIC_TEST, TRAINING

FOLDERS = {"fer2013train": TRAINING, "fer2013valid": PUBLIC_TEST, "fer2013test": PRIVATE_TEST}
FORMAT = "ferplus-folders"


def label_files(entries: list[Entry]) -> dict[str, Entry]:
    """The `<FER2013Split>/label.csv` entries, by their folder's path; empty when this is not the layout."""
    out = {}
    for e in entries:
        p = PurePosixPath(e.path)
        if p.name.lower() == "label.csv" and len(p.parts) >= 2 and p.parts[-2].lower() in FOLDERS:
            out[str(p.parent)] = e
    return out


def _rows(entry: Entry) -> list[tuple[int, list[str]]]:
    """(line number, fields) of every non-empty line of a label.csv."""
    try:
        text = entry.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataImportError(entry.path, f"not a text CSV (binary content near byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    try:
        return [(reader.line_num, row) for row in reader if row]
    except csv.Error as exc:
        raise DataImportError(entry.path, f"line {reader.line_num}: malformed CSV ({exc})") from exc


def _votes(fields: list[str]) -> list[int] | str:
    """Ten vote counts, or what is wrong with them."""
    if len(fields) != 12:
        return f"expected 12 fields (name, box and ten votes over {', '.join(VOTE_COLUMNS)}), found {len(fields)}"
    try:
        counts = [int(v) for v in fields[2:]]
    except ValueError:
        return f"a vote is not an integer: {','.join(fields[2:])[:60]!r}"
    if min(counts) < 0 or not 1 <= sum(counts) <= VOTERS:
        return f"votes must be counts of at most {VOTERS} annotators, got {counts}"
    return counts


def read_ferplus_folders(entries: list[Entry], files: dict[str, Entry], label: str, progress: Progress | None = None) -> Collected:
    """Every face a label.csv names, with its votes; a bad row or a missing or unreadable PNG is a
    problem naming the file and line (the importer refuses them unless told to skip)."""
    out = Collected(format=FORMAT)
    by_path = {e.path: e for e in entries}
    todo = [(folder, line, row) for folder, entry in sorted(files.items()) for line, row in _rows(entry)]
    if not todo:
        raise DataImportError(label, "the FERPlus label.csv files list no faces")
    votes = []
    for n, (folder, line, row) in enumerate(todo):
        where = f"{folder}/label.csv line {line}"
        counts = _votes(row)
        if isinstance(counts, str):
            out.reject(where, counts)
            continue
        image = by_path.get(f"{folder}/{row[0].strip()}")
        if image is None:
            out.reject(where, f"{row[0].strip()!r} is missing from {folder}/")
            continue
        face, converted = decode(image.read())
        if face is None:
            out.reject(where, f"{row[0].strip()!r} cannot be decoded as an image")
            continue
        out.converted += converted
        out.add(face, NO_LABEL, FOLDERS[PurePosixPath(folder).name.lower()])
        votes.append(counts)
        if progress and n % 1000 == 0:
            progress(n / len(todo), f"decoded {len(out.labels):,} images")
    out.votes = np.array(votes, np.uint8).reshape(-1, len(VOTE_COLUMNS))
    # the class a face is shown and trained under: the FER+ majority (FER2013's label is not there)
    out.labels = [int(k) if k >= 0 else NO_LABEL for k in majority(out.votes)]
    return out
