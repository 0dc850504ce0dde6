"""Accumulates parsed faces and the problems met on the way, for any importer."""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from fer_core.data.errors import MAX_LISTED, Problem
from fer_core.labels import NUM_PIXELS

UNSPLIT = 255  # split id of a face whose source has no split column (assigned later)

Progress = Callable[[float, str], None]  # (fraction 0..1, message)


@dataclass
class Collected:
    pixels: list[np.ndarray] = field(default_factory=list)  # each (2304,) uint8
    labels: list[int] = field(default_factory=list)
    splits: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the first few, quoted in messages
    bad: int = 0  # every bad row or entry, counted
    converted: int = 0  # images resized or made grayscale
    format: str = ""
    rows: list[int] = field(default_factory=list)  # a CSV's data row (0-based) of each face, for joining votes
    n_rows: int = 0  # a CSV's data rows, good and bad
    votes: np.ndarray | None = None  # (N, 10) uint8 FER+ votes read with the faces (the FERPlus folders)
    photos: object = None  # a photo folder's source photos and boxes (dataset.PhotoSources)
    no_face: list[Problem] = field(default_factory=list)  # a photo folder's photos without a face, each with why
    several: list[Problem] = field(default_factory=list)  # ... and those with several faces (the largest kept)

    def add(self, pixels: np.ndarray, label: int, split: int, row: int | None = None) -> None:
        self.pixels.append(pixels.reshape(NUM_PIXELS).astype(np.uint8, copy=False))
        self.labels.append(label)
        self.splits.append(split)
        if row is not None:
            self.rows.append(row)

    def reject(self, where: str, message: str) -> None:
        self.bad += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(Problem(where, message))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(N, 2304) uint8, (N,) uint8 labels, (N,) uint8 splits (UNSPLIT where unknown)."""
        if not self.pixels:
            return np.zeros((0, NUM_PIXELS), np.uint8), np.zeros(0, np.uint8), np.zeros(0, np.uint8)
        return np.stack(self.pixels), np.array(self.labels, np.uint8), np.array(self.splits, np.uint8)
