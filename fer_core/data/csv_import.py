"""CSV importers: the challenge's `emotion,pixels,Usage` and the course's `label,feature`.

Header names are matched case-insensitively with surrounding spaces ignored (the
Kaggle `icml_face_data.csv` has `emotion, Usage, pixels`). A CSV without a split
column gets its split assigned later (stratified, seeded).
"""

import csv
import sys
import warnings

import numpy as np

from fer_core.data.collect import UNSPLIT, Collected, Progress
from fer_core.data.errors import DataImportError
from fer_core.data.sources import TextSource
from fer_core.labels import CLASSES, NUM_PIXELS, class_index, split_index

LABEL_COLUMNS = ("emotion", "label", "labels", "class")
PIXEL_COLUMNS = ("pixels", "pixel", "feature", "features", "image")
SPLIT_COLUMNS = ("usage", "split")
FORMAT_HELP = "expected a CSV with a header `emotion,pixels,Usage` (challenge) or `label,feature` (course)"

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a pixels field is ~9 KB; a bad file may hold more


def find_columns(header: list[str]) -> dict[str, int] | None:
    """Positions of the label, pixel and (optional) split columns, or None."""
    names = [h.strip().lower() for h in header]

    def pos(options):
        return next((names.index(o) for o in options if o in names), None)

    cols = {"label": pos(LABEL_COLUMNS), "pixels": pos(PIXEL_COLUMNS), "split": pos(SPLIT_COLUMNS)}
    if cols["label"] is None or cols["pixels"] is None:
        return None
    return cols


def parse_label(text: str) -> int | None:
    text = text.strip()
    if text.lstrip("-").isdigit():
        value = int(text)
        return value if 0 <= value < len(CLASSES) else None
    return class_index(text)


def parse_pixels(text: str) -> tuple[np.ndarray | None, str]:
    """(48*48,) uint8 pixels, or None with the reason."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            values = np.fromstring(text, dtype=np.int32, sep=" ")
    except ValueError:
        bad = next((t for t in text.split() if not t.lstrip("-").isdigit()), text[:20])
        return None, f"non-numeric pixel value {bad[:20]!r}"
    if values.size != NUM_PIXELS:
        return None, f"expected {NUM_PIXELS} pixels (48x48), found {values.size}"
    if values.min() < 0 or values.max() > 255:
        return None, "pixel value out of range 0..255"
    return values.astype(np.uint8), ""


def read_csv(src: TextSource, progress: Progress | None = None) -> Collected:
    """Parse every row; bad rows are counted with their line number, never fatal here."""
    out = Collected()
    reader = csv.reader(src.stream)
    try:
        header = next(reader, None)
        if header is None:
            raise DataImportError(src.label, "the file is empty")
        cols = find_columns(header)
        if cols is None:
            shown = ",".join(h.strip() for h in header)[:80]
            raise DataImportError(src.label, f"not a recognised data set: header is {shown!r}; {FORMAT_HELP}")
        out.format = "challenge-csv" if cols["split"] is not None else "course-csv"
        width = len(header)
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            data_row, out.n_rows = out.n_rows, out.n_rows + 1
            where = f"line {reader.line_num}"
            if len(row) != width:
                out.reject(where, f"expected {width} fields, found {len(row)}")
                continue
            label = parse_label(row[cols["label"]])
            if label is None:
                out.reject(where, f"unknown label {row[cols['label']].strip()[:20]!r} (expected 0..6 or a class name)")
                continue
            split = UNSPLIT
            if cols["split"] is not None:
                split = split_index(row[cols["split"]])
                if split is None:
                    out.reject(where, f"unknown Usage {row[cols['split']].strip()[:20]!r} (expected Training, PublicTest or PrivateTest)")
                    continue
            pixels, why = parse_pixels(row[cols["pixels"]])
            if pixels is None:
                out.reject(where, why)
                continue
            out.add(pixels, label, split, data_row)
            if progress and len(out.labels) % 2000 == 0:
                progress(src.position(), f"read {len(out.labels):,} faces")
    except UnicodeDecodeError as exc:
        raise DataImportError(src.label, f"not a text CSV (binary content near byte {exc.start}); {FORMAT_HELP}") from exc
    except csv.Error as exc:
        raise DataImportError(src.label, f"line {reader.line_num}: malformed CSV ({exc})") from exc
    return out
