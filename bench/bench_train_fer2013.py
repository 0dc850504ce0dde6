"""Train seed-4conv on FER2013 with the default recipe on this machine's CPU; report
PublicTest accuracy against wall-clock time (issue 3 target: >= 63% in <= 10 min, 2 cores).

    python bench/bench_train_fer2013.py [--epochs N (default: the recipe's)] [--data fer2013] [--json OUT.json]

Needs a data set named `fer2013` (import ../shared/fer2013 with `fer data import`, or pass
--csv to have it imported from ../shared/fer2013/fer2013.py into a temporary data dir).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import emit

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=None, help="default: the recipe's (TrainConfig().epochs)")
    ap.add_argument("--arch", default="seed-4conv")
    ap.add_argument("--data", default="fer2013")
    ap.add_argument("--from-shared", action="store_true", help="import ../shared/fer2013 into a temp data dir first")
    ap.add_argument("--json")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    os.environ["FER_CHECKPOINTS_DIR"] = str(Path(tmp) / "checkpoints")  # always a fresh run, never the cache
    if a.from_shared:
        os.environ["FER_DATA_DIR"] = str(Path(tmp) / "data")
        csv = Path(tmp) / "fer2013.csv"
        subprocess.run([sys.executable, str(ROOT.parent / "shared/fer2013/fer2013.py"), "csv", str(csv)], check=True, capture_output=True)
        from fer_core.data.importer import import_source

        import_source(csv, a.data)

    import torch

    from fer_core.precision import use_bf16
    from fer_core.train import TrainConfig, prepare_run, train_in_process

    cfg = TrainConfig(data=a.data, arch=a.arch, **({"epochs": a.epochs} if a.epochs else {}))
    run, _ = prepare_run(cfg)
    t0 = time.perf_counter()
    train_in_process(run)
    wall = time.perf_counter() - t0
    epochs = [m for m in run.metrics() if m["kind"] == "epoch"]
    steps = [m for m in run.metrics() if m["kind"] == "step"]
    best = max(epochs, key=lambda m: m["val_acc"])
    res = {
        "arch": a.arch,
        "epochs": cfg.epochs,
        "threads": torch.get_num_threads(),
        "cpu_cores": os.cpu_count(),
        "bf16": use_bf16(cfg.precision, torch.device("cpu")),
        "wall_seconds": round(wall, 1),
        "best_public_test_acc": round(best["val_acc"], 4),
        "best_epoch": best["epoch"],
        "final_public_test_acc": round(epochs[-1]["val_acc"], 4),
        "median_train_images_per_s": round(sorted(s["images_per_s"] for s in steps)[len(steps) // 2]),
        "curve": [{"epoch": m["epoch"], "seconds": round(m["elapsed"], 1), "val_acc": round(m["val_acc"], 4)} for m in epochs],
        "target_met": best["val_acc"] >= 0.63 and wall <= 600,
    }
    emit(res, a.json)
    print(f"\n{a.arch} on FER2013, default recipe, {cfg.epochs} epochs on {res['threads']} CPU threads")
    print(f"{'epoch':>5} {'seconds':>8} {'PublicTest acc':>15}")
    for c in res["curve"]:
        print(f"{c['epoch']:>5} {c['seconds']:>8.1f} {c['val_acc']:>15.4f}")
    print(
        f"best {res['best_public_test_acc']:.4f} at epoch {res['best_epoch']}; wall {res['wall_seconds']:.0f} s; "
        f"target (>= 0.63 in <= 600 s): {'met' if res['target_met'] else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
