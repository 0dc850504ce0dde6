"""Every link and hand-off between pages, built and parsed in one place.

- Evaluate's view as URL parameters (`EvaluateView`): model, data, split, tta (flip | 10crop; an
  old `tta=1` reads as flip), cell=<true>-<pred> (class names), face=<data-set row>, view=walk,
  guess=1, other=<model B to compare>. A teacher's lesson is a list of such links.
- A data-set face to explain (`ExplainLink`): `explain?model=..&data=..&row=..`, from Evaluate's
  gallery, also what the Explain page keeps in its own address bar.
- A face handed from the Webcam page to Explain (`send_face` / `sent_face`): a 48x48 crop in the
  session, since a webcam face has no data-set row.
"""

from dataclasses import asdict, dataclass, replace
from urllib.parse import urlencode

import numpy as np
import streamlit as st

from fer_core.inference import TTA_MODES
from fer_core.label_sources import TRUTHS
from fer_core.labels import FERPLUS_CLASSES, SPLITS

EXPLAIN_PAGE = "app_pages/explain.py"
_SENT_FACE = "links_sent_face"


def cell_param(cell: tuple[int, int] | None) -> str | None:
    return f"{FERPLUS_CLASSES[cell[0]]}-{FERPLUS_CLASSES[cell[1]]}" if cell else None


def parse_cell(text: str | None) -> tuple[int, int] | None:
    parts = (text or "").lower().split("-")
    if len(parts) == 2 and all(p in FERPLUS_CLASSES for p in parts):
        return FERPLUS_CLASSES.index(parts[0]), FERPLUS_CLASSES.index(parts[1])
    return None


def _row(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


@dataclass(frozen=True)
class EvaluateView:
    """What the Evaluate page shows, as a link can carry it."""

    model: str | None = None
    data: str | None = None
    split: str | None = None
    tta: str = "none"
    cell: tuple[int, int] | None = None  # (true, predicted) class indices
    face: int | None = None  # data-set row, within the cell
    walk: bool = False  # the classroom walkthrough, not the matrix
    guess: bool = False  # walkthrough labels hidden until revealed
    other: str | None = None  # model B of the comparison
    truth: str = "fer2013"  # a key of fer_core.label_sources.TRUTHS
    disputed: bool = False  # only the faces the annotators dispute

    @classmethod
    def from_params(cls, q) -> "EvaluateView":
        tta = {"1": "flip"}.get(q.get("tta"), q.get("tta"))  # tta=1 in links made before 10-crop
        cell = parse_cell(q.get("cell"))
        return cls(
            model=q.get("model") or None,
            data=q.get("data") or None,
            split=q.get("split") if q.get("split") in SPLITS else None,
            tta=tta if tta in TTA_MODES else "none",
            cell=cell,
            face=_row(q.get("face")) if cell else None,
            walk=q.get("view") == "walk" and cell is not None,
            guess=q.get("guess") == "1",
            other=q.get("other") or None,
            truth=q.get("truth") if q.get("truth") in TRUTHS else "fer2013",
            disputed=q.get("disputed") == "1",
        )

    def params(self) -> dict[str, str]:
        p = {
            "model": self.model,
            "data": self.data,
            "split": self.split,
            "tta": None if self.tta == "none" else self.tta,
            "cell": cell_param(self.cell),
            "face": str(self.face) if self.face is not None and self.cell else None,
            "view": "walk" if self.walk else None,
            "guess": "1" if self.guess else None,
            "other": self.other,
            "truth": None if self.truth == "fer2013" else self.truth,
            "disputed": "1" if self.disputed else None,
        }
        return {k: v for k, v in p.items() if v is not None}

    def query(self, **changes) -> str:
        """'?..' for this view with `changes` (e.g. face=row, walk=True)."""
        return "?" + urlencode(replace(self, **changes).params())

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ExplainLink:
    """A data-set face on the Explain page."""

    model: str | None = None
    data: str | None = None
    row: int | None = None

    @classmethod
    def from_params(cls, q) -> "ExplainLink":
        return cls(q.get("model") or None, q.get("data") or None, _row(q.get("row")))

    def params(self) -> dict[str, str]:
        p = {"model": self.model, "data": self.data, "row": None if self.row is None else str(self.row)}
        return {k: v for k, v in p.items() if v is not None}

    def href(self) -> str:
        """Relative to a page's address: `explain?model=..&data=..&row=..`."""
        return "explain?" + urlencode(self.params())


def send_face(face48: np.ndarray, model: str | None = None) -> None:
    """Hand a 48x48 face to the Explain page and go there (from the Webcam page), with the model
    that labelled it selected there."""
    st.session_state[_SENT_FACE] = np.array(face48, np.uint8, copy=True)
    st.switch_page(EXPLAIN_PAGE, query_params=ExplainLink(model).params())


def sent_face() -> np.ndarray | None:
    """The face another page handed over, until `clear_sent_face`."""
    return st.session_state.get(_SENT_FACE)


def clear_sent_face() -> None:
    st.session_state.pop(_SENT_FACE, None)
