"""The shipped models on real photographs (issue 42): ../shared/realfaces written as a folder by its
own script (`realfaces.py folder`), each photo through the product's face pipeline (YuNet, eyes
level, framed as FER2013, 48x48: fer_core.faces.face_from_photo), scored over FER2013's seven
emotions. Beside it, in the same run, the levers that need no training, each also scored on
FER2013's PublicTest against the FER+ majority (the guard: it must stay >= 88%):

- flip TTA;
- a balanced class prior: logit adjustment at prediction, logits - tau * log(training prior)
  (Menon et al. 2021), with the prior of the labels each model learned;
- the two shipped models' probabilities averaged over the seven emotions.

    python bench/bench_realfaces.py [--data fer2013] [--realfaces ../shared/realfaces] [--json OUT]

`--data` is a data set with FER+ votes (`fer data import fer2013.csv --ferplus fer2013new.csv`).
"""

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
from report import emit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fer_core.data import load_dataset  # noqa: E402
from fer_core.data.ferplus import majority  # noqa: E402
from fer_core.evaluate.real_faces import seven_emotion_scores  # noqa: E402
from fer_core.faces import NoFaceFound, face_from_photo, read_image, to_gray  # noqa: E402
from fer_core.faces.detect import DETECT_WIDTH, MIN_FACE, SCORE_THRESHOLD, search  # noqa: E402
from fer_core.handle.predictions import predict_split  # noqa: E402
from fer_core.handle.store import load_model  # noqa: E402
from fer_core.labels import CLASSES  # noqa: E402

SEVEN = len(CLASSES)


def why_missed(image: np.ndarray) -> str:
    """Why the pipeline found no face in a photo: what YuNet sees at a low score, and whether the
    photo upscaled twice would have one (a film still of 26-200 px)."""
    gray = to_gray(image)
    h, w = gray.shape
    rows = search(gray, DETECT_WIDTH, 0.3)
    best = max((float(r[14]) for r in rows), default=0.0)
    side = max((min(r[2], r[3]) for r in rows if r[14] == best), default=0.0)
    big = cv2.resize(gray, (2 * w, 2 * h), interpolation=cv2.INTER_CUBIC)
    upscaled = any(r[14] >= SCORE_THRESHOLD for r in search(big, DETECT_WIDTH, SCORE_THRESHOLD))
    if best >= SCORE_THRESHOLD:
        reason = f"a box of {side:.0f} px, under the {MIN_FACE} px kept"
    elif best >= 0.3:
        reason = f"best score {best:.2f}, under {SCORE_THRESHOLD}"
    else:
        reason = "nothing above 0.3"
    return f"{w}x{h}: {reason}" + ("; found upscaled 2x" if upscaled else "")


def photo_faces(folder: Path) -> tuple[np.ndarray, np.ndarray, Counter, dict]:
    """(N, 48, 48) faces and (N,) labels of the photos labelled with one of the seven emotions
    whose face was found; the misses per emotion; what the pipeline did, in counts (and, under
    "names", each face's photo)."""
    faces, labels, missed, several, reasons, names = [], [], Counter(), 0, {}, []
    photos = sorted(p for p in folder.glob("*/*") if p.is_file())
    start = time.perf_counter()
    for path in photos:
        emotion = path.parent.name
        if emotion not in CLASSES:
            continue  # contempt: not one of the seven
        try:
            face, det = face_from_photo(read_image(path), path.name)
        except NoFaceFound:
            missed[emotion] += 1
            reasons[f"{emotion}/{path.name}"] = why_missed(read_image(path))
            continue
        several += len(det.faces) > 1
        faces.append(face.face48)
        labels.append(CLASSES.index(emotion))
        names.append(path.name)
    seconds = time.perf_counter() - start
    info = {"photos": len(photos), "seven_emotion_photos": len(labels) + sum(missed.values()), "several_faces": several}
    info["pipeline_ms_per_photo"] = round(1000 * seconds / max(1, len(photos)), 1)
    info["missed"] = reasons
    info["names"] = names
    return np.stack(faces), np.array(labels), missed, info


def scores(probs: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy, macro recall and per-class recall over the seven emotions (the product's definition)."""
    out = seven_emotion_scores(probs, labels)
    return {k: out[k] for k in ("accuracy", "macro_recall", "recall")}


def adjusted(probs: np.ndarray, prior: np.ndarray, tau: float) -> np.ndarray:
    """Logit adjustment: log p - tau * log prior (the softmax's normaliser does not change the argmax)."""
    return np.log(np.clip(probs, 1e-12, 1)) - tau * np.log(prior)


def priors(train) -> dict[str, np.ndarray]:
    """Each shipped model's training prior: FER2013's labels (7) and the FER+ majority (8)."""
    rows = train.split_indices("Training")
    fer = np.bincount(train.labels[rows], minlength=SEVEN) / len(rows)
    top = majority(train.votes[rows])
    plus = np.bincount(top[top >= 0], minlength=8)[:8]
    return {"default": fer, "ferplus": plus / plus.sum()}


def ensemble_prior(prior: dict[str, np.ndarray]) -> np.ndarray:
    """(7,) the two shipped models' training priors over the seven emotions, averaged: the prior an
    average of the two models' probabilities is balanced against."""
    return (prior["default"] + prior["ferplus"][:SEVEN] / prior["ferplus"][:SEVEN].sum()) / 2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="fer2013")
    ap.add_argument("--realfaces", default=str(ROOT.parent / "shared" / "realfaces"))
    ap.add_argument("--json")
    ap.add_argument(
        "--runs",
        nargs="*",
        default=[],
        help="runs to score beside the shipped models (trained levers), each with the prior of the labels it learned",
    )
    ap.add_argument(
        "--only-runs", action="store_true", help="score only the shipped models single and flip, then the runs (no prediction-time levers)"
    )
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "photos"
        subprocess.run([sys.executable, str(Path(a.realfaces) / "realfaces.py"), "folder", str(out)], check=True, capture_output=True)
        faces, labels, missed, info = photo_faces(out)
    ds = load_dataset(a.data)
    top = majority(ds.votes[ds.split_indices("PublicTest")])
    prior = priors(ds)
    models = {name: load_model(name) for name in ("default", "ferplus", *a.runs)}
    for run in a.runs:  # a run learned FER2013's labels (7 classes) or FER+'s (the majority's prior)
        prior[run] = prior["default"] if models[run].num_classes == SEVEN else prior["ferplus"]
    real, public = {}, {}
    for tta in ("none", "flip"):
        for name, m in models.items():
            real[(name, tta)] = m.probs(faces, tta)
            public[(name, tta)] = predict_split(m, ds, "PublicTest", tta).probs
    keep = (top >= 0) & (top < SEVEN)  # the FER+ majority over the seven emotions, as both models can score it

    def row(what: str, real_probs: np.ndarray, public_probs: np.ndarray) -> dict:
        plus = public_probs if public_probs.shape[1] == 8 else np.pad(public_probs, ((0, 0), (0, 1)), constant_values=-np.inf)
        guard = (plus.argmax(1) == top)[top >= 0].mean() * 100  # the card's figure: every face with a majority
        return {"lever": what, **scores(real_probs, labels), "ferplus_publictest_majority": round(float(guard), 2)}

    rows = []
    for tta in ("none", "flip"):
        for name in models:
            rows.append(row(f"{name}, {tta}", real[(name, tta)], public[(name, tta)]))
            if a.only_runs and name not in a.runs:
                continue
            for tau in (0.25, 0.5) if name in a.runs else (0.25, 0.5, 1.0):
                p = prior[name]
                rows.append(
                    row(
                        f"{name}, {tta}, balanced prior tau={tau}",
                        adjusted(real[(name, tta)], p, tau),
                        adjusted(public[(name, tta)], p, tau),
                    )
                )
        for w in () if a.only_runs else (0.5, 0.7):
            mix = lambda d, fer=w, t=tta: (1 - fer) * d[("default", t)][:, :SEVEN] + fer * d[("ferplus", t)][:, :SEVEN]  # noqa: E731
            rows.append(row(f"ensemble ferplus {w:.0%} + default, {tta}", mix(real), mix(public)))
            both = ensemble_prior(prior)
            for tau in (0.25, 0.5, 1.0):
                rows.append(
                    row(
                        f"ensemble ferplus {w:.0%} + default, {tta}, balanced prior tau={tau}",
                        adjusted(mix(real), both, tau),
                        adjusted(mix(public), both, tau),
                    )
                )
    faces_found = {c: f"{int((labels == k).sum())} of {int((labels == k).sum()) + missed[c]}" for k, c in enumerate(CLASSES)}
    emit(
        {
            "photos": {k: v for k, v in info.items() if k != "names"},
            "faces_found": int(len(labels)),
            "faces_found_per_emotion": faces_found,
            "ferplus_publictest_faces_with_majority": int((top >= 0).sum()),
            "seven_emotion_majority_faces": int(keep.sum()),
            "levers": rows,
        },
        a.json,
    )


if __name__ == "__main__":
    main()
