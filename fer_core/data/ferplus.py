"""FER+ votes (Barsoum et al. 2016, `fer2013new.csv`, MIT): ten annotators labelled every FER2013
image again. One row per `fer2013.csv` row, in the same order: `Usage,Image name` and ten counts
over VOTE_COLUMNS. Rows are joined to the faces by position, never by the image name (it is empty
on the rows every annotator called not-a-face, and its number drifts after each of them).

A data set keeps the ten votes of every face, unknown and not-a-face included; `majority` reads
the label most annotators agree on."""

import csv

import numpy as np

from fer_core.data.errors import DataImportError
from fer_core.data.sources import TextSource
from fer_core.labels import CLASSES, FERPLUS_CLASSES, split_index

VOTE_COLUMNS = ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt", "unknown", "NF")
EMOTION_VOTES = 8  # the first eight columns are emotions; then unknown and NF (not a face)
# Each FER+ emotion column as a class of labels.FERPLUS_CLASSES (FER2013's seven, then contempt).
COLUMN_CLASS = tuple(FERPLUS_CLASSES.index(c) for c in ("neutral", "happy", "surprise", "sad", "angry", "disgust", "fear", "contempt"))
CLASS_COLUMN = tuple(COLUMN_CLASS.index(k) for k in range(len(FERPLUS_CLASSES)))  # each class's vote column
VOTERS = 10
NO_MAJORITY = -1  # `majority` for a face where no emotion has more than half of the votes


def read_votes(src: TextSource) -> tuple[list[str], np.ndarray]:
    """Every row's Usage (as written) and its votes (M, 10) uint8; any bad row refuses the file,
    naming its line."""
    reader = csv.reader(src.stream)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if header[2:12] != [c.lower() for c in VOTE_COLUMNS] or header[:1] != ["usage"]:
            raise DataImportError(src.label, f"not a FER+ votes file: expected the header Usage,Image name,{','.join(VOTE_COLUMNS)}")
        usages, votes = [], []
        for row in reader:
            if not row:
                continue
            where = f"line {reader.line_num}"
            if len(row) != 12:
                raise DataImportError(src.label, f"{where}: expected 12 fields (Usage, Image name and ten votes), found {len(row)}")
            try:
                counts = [int(v) for v in row[2:]]
            except ValueError:
                raise DataImportError(src.label, f"{where}: a vote is not an integer: {','.join(row[2:])[:60]!r}") from None
            if min(counts) < 0 or not 1 <= sum(counts) <= VOTERS:
                raise DataImportError(src.label, f"{where}: votes must be counts of at most {VOTERS} annotators, got {counts}")
            usages.append(row[0].strip())
            votes.append(counts)
    except UnicodeDecodeError as exc:
        raise DataImportError(src.label, f"not a text CSV (binary content near byte {exc.start})") from exc
    except csv.Error as exc:
        raise DataImportError(src.label, f"line {reader.line_num}: malformed CSV ({exc})") from exc
    return usages, np.array(votes, np.uint8).reshape(-1, len(VOTE_COLUMNS))


def join_votes(label: str, usages: list[str], votes: np.ndarray, rows: np.ndarray, splits: np.ndarray, n_rows: int) -> np.ndarray:
    """The votes of the faces read from data rows `rows` (0-based, in file order) of a CSV with
    `n_rows` data rows, checked against it: the same number of rows, and the same Usage row by row.
    Returns (N, 10) uint8 aligned with `rows`."""
    if len(usages) != n_rows:
        raise DataImportError(label, f"{len(usages):,} vote rows for {n_rows:,} rows of faces: the two files must have the same rows")
    split_ids = [split_index(u) for u in usages]
    wrong = np.flatnonzero(np.array([s if s is not None else 255 for s in split_ids], np.int64)[rows] != splits)
    if len(wrong):
        i = int(rows[wrong[0]])
        raise DataImportError(label, f"line {i + 2}: Usage {usages[i]!r} where the faces' row {i + 1} says another split; the files are out of step")
    return votes[rows]


def majority(votes: np.ndarray) -> np.ndarray:
    """(N,) int64: the class (of labels.FERPLUS_CLASSES; contempt is labels.CONTEMPT) that more
    than half of a face's emotion votes chose, NO_MAJORITY where no emotion has more than half."""
    emotions = votes[:, :EMOTION_VOTES].astype(np.int64)  # unknown and not-a-face are not emotions
    has = emotions.max(1) * 2 > emotions.sum(1)
    return np.where(has, np.array(COLUMN_CLASS)[emotions.argmax(1)], NO_MAJORITY)


def annotator_agreement(votes: np.ndarray) -> dict:
    """A human baseline: how often one annotator's emotion agrees with the majority of the other
    annotators of the same face (leave one out), over every emotion vote whose face keeps a
    majority without it. Unknown and not-a-face votes are not emotions and are left out."""
    emotions = votes[:, :EMOTION_VOTES].astype(np.int64)  # (N, 8)
    agree = counted = 0
    for c in range(EMOTION_VOTES):
        voters = emotions[:, c]  # annotators of each face who chose emotion c
        rest = emotions.copy()
        rest[:, c] -= 1  # one of them left out
        has = (voters > 0) & (rest.max(1) * 2 > rest.sum(1))
        agree += int((voters * (has & (rest.argmax(1) == c))).sum())
        counted += int((voters * has).sum())
    return {"votes": counted, "agreement": agree / counted if counted else 0.0}


def top_share(votes: np.ndarray) -> np.ndarray:
    """(N,) int: how many of a face's annotators chose its most chosen emotion (0..10)."""
    return votes[:, :EMOTION_VOTES].max(1).astype(np.int64)


def vote_confusion(votes: np.ndarray) -> np.ndarray:
    """(8, 8) float: for faces whose majority is emotion a (row, over the FER+ emotion columns), the
    share of the other emotion votes that went to emotion b: which emotions annotators confuse."""
    emotions = votes[:, :EMOTION_VOTES].astype(np.float64)
    top = emotions.argmax(1)
    has = emotions.max(1) * 2 > emotions.sum(1)
    out = np.zeros((EMOTION_VOTES, EMOTION_VOTES))
    for a in range(EMOTION_VOTES):
        others = emotions[has & (top == a)].sum(0)
        others[a] = 0
        out[a] = others / others.sum() if others.sum() else 0
    return out


def not_a_face(votes: np.ndarray) -> np.ndarray:
    """(N,) bool: most annotators said the image is not a face."""
    return votes[:, 9].astype(np.int64) * 2 > VOTERS


def most_disputed(votes: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """Up to k of data-set rows `rows`, faces by their votes, whose most chosen emotion has the
    smallest share of the emotion votes (ties: fewer votes for it first, then row order)."""
    v = votes[rows].astype(np.int64)
    emotions = v[:, :EMOTION_VOTES]
    share = emotions.max(1) / np.maximum(emotions.sum(1), 1)
    face = ~not_a_face(votes[rows]) & (emotions.sum(1) > 0)
    order = np.lexsort((rows, emotions.max(1), share))
    return rows[order[face[order]][:k]]


def describe(votes_row: np.ndarray) -> str:
    """One face's votes in words, largest first: '4 neutral · 3 sadness · 3 NF'."""
    parts = sorted(((int(n), c) for n, c in zip(votes_row, VOTE_COLUMNS, strict=True) if n), key=lambda p: -p[0])
    return " · ".join(f"{n} {c}" for n, c in parts)


def vote_targets(votes: np.ndarray, num_classes: int = len(FERPLUS_CLASSES)) -> tuple[np.ndarray, np.ndarray]:
    """Barsoum et al.'s best training target: the distribution of a face's emotion votes over the
    first `num_classes` classes, with unknown and not-a-face dropped and a lone stray vote (one
    annotator alone on an emotion) ignored; a 7-class model leaves contempt out. Returns
    ((N, num_classes) float32 rows summing to 1, (N,) bool: the faces that keep a vote)."""
    emotions = votes[:, :EMOTION_VOTES].astype(np.float32)
    emotions[emotions == 1] = 0  # a lone stray vote
    target = np.zeros((len(votes), num_classes), np.float32)
    for col, k in enumerate(COLUMN_CLASS):
        if k < num_classes:
            target[:, k] += emotions[:, col]
    total = target.sum(1)
    kept = total > 0
    target[kept] /= total[kept, None]
    return target, kept


def vote_summary(votes: np.ndarray, labels: np.ndarray) -> dict:
    """What the Data page shows of some faces' votes (N, 10) and their FER2013 labels (N,): counts,
    how often there is a clear majority and FER2013's label is it, the human baseline, how many
    faces each share of agreement has, and which emotions annotators confuse."""
    maj = majority(votes)
    clear = maj >= 0
    return {
        "faces": len(votes),
        "not_a_face": int(not_a_face(votes).sum()),
        "clear_majority": float(clear.mean()) if len(votes) else 0.0,
        "label_is_majority": float((maj[clear] == labels[clear]).mean()) if clear.any() else 0.0,
        "annotators": annotator_agreement(votes),
        "faces_by_top_votes": np.bincount(top_share(votes), minlength=VOTERS + 1)[1:],  # (10,): 1..10 of the ten
        "confusion": vote_confusion(votes),
    }
