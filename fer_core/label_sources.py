"""Where a face's true label comes from: the one table (issue 42).

A label source is what a face is scored against and what a model learns from. Each row says what a
data set must hold for it, which classes it has, how pages name it, and the truth it scores against.
The engine (training targets), `evaluate.truth` (scoring), the CLI's `--labels` choices and the pages'
truth pickers all read this table; adding a source is its row, its reader in `truth`, and, if it can
be learned, its targets in `train.engine.labelled_rows`.

What `FaceDataset.labels` holds is the data set's own label source, `meta["labels"]`
(`FaceDataset.label_source`): FER2013's label (a challenge CSV or image folders), the FER+ majority
(the FERPlus folders, which carry no FER2013 label), or a photo's folder (a photo set).
"""

from dataclasses import dataclass

from fer_core.labels import CLASSES, FERPLUS_CLASSES


@dataclass(frozen=True)
class Truth:
    """Something a prediction is scored against."""

    name: str  # `fer eval --labels`, a lesson's and a link's truth
    title: str  # how pages name it
    classes: tuple[str, ...]
    needs_votes: bool  # read from the FER+ votes; otherwise from the data set's own labels
    help: str


TRUTHS: dict[str, Truth] = {
    t.name: t
    for t in (
        Truth("fer2013", "FER2013 label", CLASSES, False, "the label FER2013 gives the face (one annotator)"),
        Truth("ferplus", "FER+ majority", FERPLUS_CLASSES, True, "the emotion most of FER+'s ten annotators chose"),
        Truth("photos", "Photo's label", FERPLUS_CLASSES, False, "the emotion folder the photo was imported from"),
    )
}


@dataclass(frozen=True)
class Learned:
    """What a model can learn (`TrainConfig.labels`), and the truth it is validated and carded against."""

    name: str
    truth: str  # a key of TRUTHS
    needs_votes: bool
    needs_fer2013: bool  # FER2013's own label (absent from the FERPlus folders and photo sets)
    # ("both", the votes with 30% of FER2013's label mixed in, was measured and left in issue 42:
    # -1.3 points of FER+ PublicTest, no gain on real photos; docs/RESULTS.md)
    help: str


LEARNED: dict[str, Learned] = {
    r.name: r
    for r in (
        Learned("fer2013", "fer2013", False, True, "FER2013's labels"),
        Learned("majority", "ferplus", True, False, "the FER+ majority of ten annotators (faces without one left out)"),
        Learned("votes", "ferplus", True, False, "the FER+ vote distribution"),
    )
}


def own_truth(label_source: str) -> str:
    """The truth a data set's own `labels` are (FaceDataset.label_source names it: FER2013's, the FER+
    majority, or a photo's folder)."""
    if label_source not in TRUTHS:
        raise ValueError(f"unknown label source {label_source!r}; one of {', '.join(TRUTHS)}")
    return label_source


def truths_of(ds) -> list[str]:
    """The truths data set `ds` can be scored against, its own first."""
    own = own_truth(ds.label_source)
    return [own, *(["ferplus"] if ds.votes is not None and own != "ferplus" else [])]


def model_truth(learned: str) -> str:
    """The truth a model that learned `learned` (TrainConfig.labels) is scored against by default."""
    return LEARNED[learned].truth


def default_truth(ds, learned: str) -> str:
    """What Evaluate and `fer eval` score a model that learned `learned` against on data set `ds`
    unless told otherwise: what it learned where `ds` has it, else `ds`'s own labels (a photo
    set's folders; FER2013's labels where a FER+ model meets a data set without votes)."""
    truths, mine = truths_of(ds), model_truth(learned)
    return mine if mine in truths else truths[0]


def truth_problem(ds, name: str) -> str:
    """Why data set `ds` cannot be scored against truth `name`, with what to do; "" when it can."""
    if name not in TRUTHS:
        return f"labels must be one of {', '.join(TRUTHS)}, not {name!r}"
    if name in truths_of(ds):
        return ""
    if TRUTHS[name].needs_votes:
        return f"data set {ds.name!r} has no FER+ votes: import it with `fer data import fer2013.csv --ferplus fer2013new.csv`"
    if name == "fer2013" and ds.label_source == "ferplus":
        return (
            f"FER2013's labels are unavailable for data set {ds.name!r}: it came from the FERPlus folders, which carry only the "
            "ten votes; score against the FER+ majority (`--labels ferplus`)"
        )
    have = " or ".join(truths_of(ds))
    return f"data set {ds.name!r} has no {TRUTHS[name].title}: score it against {have} (`--labels {truths_of(ds)[0]}`)"
