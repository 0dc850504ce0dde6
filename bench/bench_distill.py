"""Lever F for real faces (issue 42): one network taught by an ensemble (knowledge distillation,
Hinton et al. 2015). The best prediction-time combinations of docs/RESULTS.md (several FER+ models
and `default` averaged, with flip or 10-crop and a balanced prior) meet the real-face target, but
cost 4-20 forward passes a face, too many for the live Webcam. This fine-tunes the shipped `ferplus`
on the Training faces with the ensemble's (prior-adjusted) probabilities as soft targets, so one
single-pass network can carry what the ensemble knows.

    python bench/bench_distill.py --members RUN,RUN --default-weight 0.2 --tau 0.4 [--alpha 1]
        [--epochs 6 --lr 0.01 --seed 3] [--data fer2013]

Teacher, per Training face (flip TTA, each model's cached predictions):
    p7 = (1 - w) * mean(FER+ members)[:7] + w * default ; contempt = (1 - w) * mean(members)[7]
    target = softmax(log p - tau * log prior), the prior over the seven emotions as bench_realfaces
    balances it (contempt is left unadjusted: its 0.5% prior would swamp it), then
    alpha * target + (1 - alpha) * the FER+ vote distribution.
The run is an ordinary run of the `ferplus` recipe (labels "votes", the engine's soft-target path)
whose training targets are replaced; `distilled.json` in its folder says by what. Score it with
`bench/bench_realfaces.py --runs RUN --only-runs`.
"""

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_realfaces import adjusted, ensemble_prior, priors  # noqa: E402

from fer_core.atomic import atomic_path  # noqa: E402
from fer_core.data import load_dataset  # noqa: E402
from fer_core.data.ferplus import vote_targets  # noqa: E402
from fer_core.handle.predictions import predict_split  # noqa: E402
from fer_core.handle.store import load_model  # noqa: E402
from fer_core.labels import CLASSES  # noqa: E402
from fer_core.train import engine  # noqa: E402
from fer_core.train.recipes import get_recipe  # noqa: E402
from fer_core.train.session import Plan, prepare_run, train_in_process  # noqa: E402

SEVEN = len(CLASSES)


def teacher(ds, members: list[str], w: float, tau: float) -> np.ndarray:
    """(N_train, 8) the ensemble's prior-adjusted probabilities on the Training faces (flip TTA)."""
    plus = np.mean([predict_split(load_model(m), ds, "Training", "flip").probs for m in members], 0)  # (N, 8)
    fer = predict_split(load_model("default"), ds, "Training", "flip").probs  # (N, 7)
    p = np.concatenate([(1 - w) * plus[:, :SEVEN] + w * fer, (1 - w) * plus[:, SEVEN:]], 1)
    logits = adjusted(p, np.append(ensemble_prior(priors(ds)), 1.0), tau)  # contempt's "prior" 1: unadjusted
    e = np.exp(logits - logits.max(1, keepdims=True))
    return (e / e.sum(1, keepdims=True)).astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", required=True, help="comma-separated FER+ models (run ids, or ferplus)")
    ap.add_argument("--default-weight", type=float, default=0.2)
    ap.add_argument("--tau", type=float, default=0.4)
    ap.add_argument("--alpha", type=float, default=1.0, help="the teacher's share of the target; the rest is the FER+ votes")
    ap.add_argument("--data", default="fer2013")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=3)
    a = ap.parse_args()
    ds = load_dataset(a.data)
    rows = ds.split_indices("Training")
    taught = teacher(ds, a.members.split(","), a.default_weight, a.tau)  # (N_train, 8), rows in split order
    cfg = replace(get_recipe("ferplus").config, data=a.data, init="ferplus", epochs=a.epochs, lr=a.lr, seed=a.seed)
    own = engine.labelled_rows

    def distilled_rows(c, d):
        tr, y_tr, t_tr, va, y_va = own(c, d)
        votes, _ = vote_targets(d.votes[tr], t_tr.shape[1])
        target = a.alpha * taught[np.searchsorted(rows, tr)] + (1 - a.alpha) * votes  # (N, 8)
        return tr, target.argmax(1), target.astype(np.float32), va, y_va

    engine.labelled_rows = distilled_rows
    run, plan = prepare_run(cfg)
    spec = {
        "teacher_members": a.members.split(","),
        "default_weight": a.default_weight,
        "tau": a.tau,
        "alpha": a.alpha,
        "teacher_tta": "flip",
    }
    with atomic_path(run.dir / "distilled.json") as tmp:
        tmp.write_text(json.dumps(spec, indent=1))
    print(run.id, plan, flush=True)
    if plan is not Plan.CACHED:
        train_in_process(run, resume=plan is Plan.RESUME)
    print(run.id, "done", flush=True)


if __name__ == "__main__":
    main()
