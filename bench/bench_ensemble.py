"""How much do independent runs disagree? Each run's accuracy, and that of every pair's and all
runs' averaged probabilities, on one split, in one process.

    python bench/bench_ensemble.py --runs default,RUN2,RUN3 [--data fer2013] [--split PublicTest] [--tta 10crop] [--json OUT]

An ensemble of runs is the ceiling of what averaging can buy a single run (a longer weight
average, SWA, more test-time views): if averaging three 80-minute runs gains little over one,
a single run's shortfall is bias, not variance, and the way up is a better-fitting model or a
longer schedule, not more averaging. Predictions come from (and go to) each run's cache.
"""

import argparse
import itertools

import numpy as np
from report import emit

from fer_core.data import load_dataset
from fer_core.evaluate import report
from fer_core.handle.predictions import predict_split
from fer_core.handle.store import load_model
from fer_core.inference import TTA_MODES
from fer_core.precision import PRECISIONS


def accuracy(probs: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy of (averaged) probabilities, scored as `fer eval` scores."""
    return round(report(labels, probs.argmax(1))["accuracy"], 4)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", required=True, help="comma-separated run ids ('default': the shipped model)")
    ap.add_argument("--data", default="fer2013")
    ap.add_argument("--split", default="PublicTest")
    ap.add_argument("--tta", default="10crop", choices=TTA_MODES)
    ap.add_argument("--precision", default="auto", choices=PRECISIONS)
    ap.add_argument("--json")
    a = ap.parse_args()
    ds = load_dataset(a.data)
    runs = a.runs.split(",")
    preds = {r: predict_split(load_model(r, precision=a.precision), ds, a.split, tta=a.tta) for r in runs}
    labels = preds[runs[0]].labels
    singles = {r: accuracy(p.probs, labels) for r, p in preds.items()}
    groups = [g for k in range(2, len(runs) + 1) for g in itertools.combinations(runs, k)]
    rows = [
        {
            "runs": list(g),
            "accuracy": accuracy(sum(preds[r].probs for r in g), labels),
            "best_single": max(singles[r] for r in g),
            "agreement": round(float(np.mean([(preds[x].pred == preds[y].pred).mean() for x, y in itertools.combinations(g, 2)])), 4),
        }
        for g in groups
    ]
    emit({"data": a.data, "split": a.split, "tta": a.tta, "singles": singles, "ensembles": rows}, a.json)
    print(f"\n{a.data}/{a.split}, {a.tta} TTA, {len(labels)} faces")
    for r, acc in singles.items():
        print(f"{acc:7.2%}  {r}")
    for row in rows:
        gain = row["accuracy"] - row["best_single"]
        names = " + ".join(row["runs"])
        print(f"{row['accuracy']:7.2%}  average of {names} ({gain * 100:+.2f} points over its best; agree on {row['agreement']:.1%})")


if __name__ == "__main__":
    main()
