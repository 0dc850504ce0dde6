"""`fer eval [RUN] --data NAME --split SPLIT [--tta] [--json]`."""

import json
import sys

import numpy as np

from fer_core.cli.progress import Bar
from fer_core.data import load_dataset
from fer_core.evaluate import confused_pairs
from fer_core.evaluate.real_faces import seven_emotion_scores
from fer_core.evaluate.truth import LABELS, check_truth, scored_report
from fer_core.handle.predictions import predict_split
from fer_core.handle.store import DEFAULT, load_model
from fer_core.inference import TTA_LABELS, TTA_MODES
from fer_core.label_sources import TRUTHS, default_truth
from fer_core.labels import SPLITS
from fer_core.precision import PRECISIONS


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="accuracy, macro-F1, per-class metrics and the confusion matrix of a model")
    p.add_argument("run", nargs="?", default=DEFAULT, help="a run id, or 'default' for the shipped model (the default)")
    p.add_argument("--data", required=True, help="data set name (`fer data list`)")
    p.add_argument("--split", default="PublicTest", choices=SPLITS)
    p.add_argument(
        "--tta",
        nargs="?",
        const="flip",
        default="none",
        choices=TTA_MODES,
        help="test-time augmentation: flip (the default when --tta is given alone) or 10crop",
    )
    p.add_argument(
        "--precision",
        default="auto",
        choices=PRECISIONS,
        help="arithmetic of the predictions: auto (bf16 where the CPU has it natively, else fp32; the app's choice)",
    )
    p.add_argument(
        "--labels",
        choices=LABELS,
        help="the truth: "
        + "; ".join(f"{t.name}: {t.help}" for t in TRUTHS.values())
        + " (default: a photo set's own labels, else what the model learned; faces without one are counted apart)",
    )
    p.add_argument("--json", action="store_true", help="print JSON: accuracy, macro_f1, per_class, confusion_matrix")
    p.set_defaults(func=run_eval)


def _truth_words(rep: dict) -> str:
    return {"ferplus": "the FER+ majority of ten votes", "fer2013": "FER2013's labels", "photos": "the photos' labels"}[rep["labels"]]


def run_eval(a) -> int:
    model = load_model(a.run, precision=a.precision)
    ds = load_dataset(a.data)
    if a.labels is None:
        a.labels = default_truth(ds, model.cfg.labels)  # the Evaluate page's rule
    try:
        check_truth(ds, a.labels)  # before the predictions, which take a while
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    bar = None if a.json else Bar(f"eval {a.split}")
    try:
        preds = predict_split(model, ds, a.split, a.tta, progress=(lambda f: bar(f, "")) if bar else None)
    finally:
        if bar:
            bar.close()
    rep = scored_report(preds, ds, a.labels)
    rep = {"run": model.run_id, "data": ds.name, "split": a.split, "tta": a.tta, "arithmetic": model.arithmetic, **rep}
    if a.labels == "photos":  # the real-face figures: over FER2013's seven emotions (evaluate.real_faces)
        rep["seven_emotions"] = seven_emotion_scores(preds.probs, ds.labels[preds.indices].astype(np.int64))
    if a.json:
        print(json.dumps(rep, indent=2))
        return 0
    tta = "" if a.tta == "none" else f", {TTA_LABELS[a.tta]}"
    print(f"{model.run_id} on {ds.name}/{a.split} ({model.arithmetic}{tta}): {rep['n']} faces, against {_truth_words(rep)}")
    if a.labels == "ferplus":
        contempt = (
            f", {rep['contempt_majority']} whose majority is contempt (not a class of this model)" if rep["contempt_majority"] else ""
        )
        print(
            f"counted apart: {rep['no_majority']} faces without a majority{contempt or ''}; "
            f"one annotator agrees with the others' majority {rep['annotators']['agreement']:.1%} of the time"
        )
    print(f"accuracy {rep['accuracy']:.4f}   macro-F1 {rep['macro_f1']:.4f}")
    if seven := rep.get("seven_emotions"):
        over = f"over FER2013's seven emotions ({seven['faces']} faces)"
        print(f"{over}: accuracy {seven['accuracy']:.1f}%   macro recall {seven['macro_recall']:.1f}")
    print()
    print(f"{'class':<10}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
    for name, m in rep["per_class"].items():
        print(f"{name:<10}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}{m['support']:>9}")
    print("\nconfusion matrix (rows: true, columns: predicted)")
    print(" " * 10 + "".join(f"{c[:7]:>8}" for c in model.classes))
    for name, row in zip(model.classes, rep["confusion_matrix"], strict=True):
        print(f"{name:<10}" + "".join(f"{v:>8}" for v in row))
    pairs = confused_pairs(np.array(rep["confusion_matrix"]), top=3)
    if pairs:
        print("\nmost confused: " + "; ".join(p.sentence(model.classes) for p in pairs))
    return 0
