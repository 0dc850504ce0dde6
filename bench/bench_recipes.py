"""Time to accuracy (issue 14): PublicTest accuracy against training wall clock for named recipes,
trained by `fer train` on this machine, one after another, and read back from each run's metrics
(every epoch records its accuracy and the training time so far). Prints, per recipe, the curve and
the time to reach each threshold, with the CPU named.

    python bench/bench_recipes.py [--recipes old-default,quick] [--seeds 0,1] [--data fer2013] [--reuse] [--json OUT.json]

With several seeds each recipe trains once per seed (`--seed S`), one after another, and the seed
means of the best validation accuracy and of the best weights' single-pass PublicTest accuracy
(fp32, as `fer eval --precision fp32` gives it) are printed beside each seed's figures.

Without --reuse every recipe trains afresh in a temporary checkpoints dir; with --reuse finished
runs in FER_CHECKPOINTS_DIR (or checkpoints/) are read, as `fer train` would find them cached.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from report import emit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Each recipe: `fer train` arguments after `--data NAME`. The product's recipes (fer_core.train.recipes)
# and the old default they replaced; the experiments that were measured here before issue 36 (vgg8-gap,
# SWA, mixup, crops, vgg8-grid, ...) used presets and options since retired: their rows stay in
# docs/RESULTS.md and docs/history/BENCHMARKS.md, their definitions in bench/retired_presets.py.
RECIPES = {
    "old-default": ["--arch", "seed-4conv", "--epochs", "18"],  # the default recipe until issue 34
    "quick": ["--recipe", "quick"],  # vgg8-gap-lite, 15 epochs
    "shipped": ["--recipe", "shipped"],  # vgg10-gap-fast, 80 epochs, SGD, strong augmentation
}
THRESHOLDS = (0.60, 0.63, 0.65, 0.68, 0.70)


def curve(run_dir: Path) -> list[dict]:
    from fer_core.train import Run

    return [
        {"epoch": m["epoch"], "minutes": round(m["elapsed"] / 60, 2), "val_acc": round(m["val_acc"], 4)}
        for m in Run(run_dir.name, run_dir).metrics()
        if m.get("kind") == "epoch"
    ]


def single_pass(run, data: str) -> float:
    """The best weights' PublicTest accuracy, one pass, fp32 (the figure part 1 asks for)."""
    from fer_core.data import load_dataset
    from fer_core.evaluate import report
    from fer_core.handle.predictions import predict_split
    from fer_core.handle.store import load_model

    preds = predict_split(load_model(run, precision="fp32"), load_dataset(data), "PublicTest", "none", use_cache=False)
    return round(report(preds.labels, preds.pred)["accuracy"], 4)


def mean(xs: list[float], digits: int = 4) -> float:
    return round(sum(xs) / len(xs), digits)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recipes", default=",".join(RECIPES))
    ap.add_argument("--seeds", default="0", help="comma-separated seeds; each recipe trains once per seed")
    ap.add_argument("--data", default="fer2013")
    ap.add_argument("--reuse", action="store_true", help="read finished identical runs instead of training afresh")
    ap.add_argument("--json")
    a = ap.parse_args()
    if not a.reuse:
        os.environ["FER_CHECKPOINTS_DIR"] = str(Path(tempfile.mkdtemp()) / "checkpoints")
    import torch

    from fer_core.cli import main as fer
    from fer_core.cli.train import add_train_options, config_from_args
    from fer_core.precision import cpu_description
    from fer_core.train import prepare_run
    from fer_core.train.runs import RunStatus

    result = {"cpu": cpu_description(), "threads": torch.get_num_threads(), "data": a.data, "recipes": {}}
    train_options = argparse.ArgumentParser()  # `fer train`'s own options, to find each run as it would
    add_train_options(train_options)
    for name in a.recipes.split(","):
        per_seed = {}
        for seed in (int(x) for x in a.seeds.split(",")):
            args = ["train", "--data", a.data, *RECIPES[name], "--seed", str(seed)]
            if fer(args) != 0:
                raise SystemExit(f"recipe {name}: `fer {' '.join(args)}` failed")
            run, plan = prepare_run(config_from_args(train_options.parse_args(args[1:])))
            assert run.status().status is RunStatus.FINISHED, plan
            points = curve(run.dir)
            reached = {f"{t:.0%}": next((pt["minutes"] for pt in points if pt["val_acc"] >= t), None) for t in THRESHOLDS}
            per_seed[seed] = {
                "command": "fer " + " ".join(args),
                "run": run.id,
                "best": max(pt["val_acc"] for pt in points),
                "single_pass_fp32": single_pass(run, a.data),
                "minutes": points[-1]["minutes"],
                "minutes_to": reached,
                "curve": points,
            }
        runs = list(per_seed.values())
        result["recipes"][name] = {
            "seeds": per_seed,
            "mean_best": mean([r["best"] for r in runs]),
            "mean_single_pass_fp32": mean([r["single_pass_fp32"] for r in runs]),
            "mean_minutes": mean([r["minutes"] for r in runs], digits=2),
        }
    emit(result, a.json)


if __name__ == "__main__":
    main()
