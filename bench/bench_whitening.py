"""A lever from cifar10-airbench, re-checked on FER2013's original pixels (issue 34): fast-4conv's
first conv (32 filters, 5x5) frozen to the top 16 principal directions of 5x5 patches of normalised
Training faces, whitened (scaled by 1/sqrt(eigenvalue)), with their negatives; every batch norm's
scale frozen at 1. Trained like `fer train --arch fast-4conv --epochs 22`, one seed after another,
in a temporary checkpoints dir (the runs' ids are those of the plain recipe, which they are not).
Compare with bench_recipes.py's fast-22 on the same machine.

    python bench/bench_whitening.py [--data fer2013] [--seeds 0,1] [--epochs 22] [--json OUT.json]
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
from report import emit
from retired_presets import RETIRED

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PATCHES_FROM = 5000  # Training faces whose 5x5 patches give the principal directions
DIRECTIONS = 16  # x2 with the negatives: the first conv's 32 filters


def whitening_filters(pixels: torch.Tensor, k: int, n: int) -> torch.Tensor:
    """uint8 faces (N, 48, 48) -> (2n, 1, k, k): the top n principal directions of their k x k
    patches after per-image normalisation, each divided by sqrt(its eigenvalue), and their negatives."""
    from fer_core.normalize import normalize

    x = normalize(pixels[:, None], "per_image")  # (N, 1, 48, 48)
    patches = F.unfold(x, k).transpose(1, 2).reshape(-1, k * k).double()  # (N * 44 * 44, k * k)
    patches = patches - patches.mean(0)
    eigval, eigvec = torch.linalg.eigh(patches.T @ patches / len(patches))  # ascending
    top = eigvec[:, -n:].T / (eigval[-n:, None] + 1e-4).sqrt()  # (n, k * k)
    w = top.reshape(n, 1, k, k).float()
    return torch.cat([w, -w]), float(eigval[-n:].sum() / eigval.sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="fer2013")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--epochs", type=int, default=22, help="22: fast-4conv's epochs in the default's time")
    ap.add_argument("--json")
    a = ap.parse_args()
    os.environ["FER_CHECKPOINTS_DIR"] = str(Path(tempfile.mkdtemp()) / "checkpoints")

    from bench_recipes import curve, mean, single_pass

    import fer_core.train.state as state_module
    from fer_core.data import load_dataset
    from fer_core.precision import cpu_description
    from fer_core.train import TrainConfig, prepare_run, train_in_process

    ds = load_dataset(a.data)
    train = torch.from_numpy(ds.pixels[ds.split_indices("Training")][:PATCHES_FROM])
    filters, share = whitening_filters(train, 5, DIRECTIONS)
    plain_build = state_module.build_model

    def whitened_build(cfg):
        """The model as built, then its first conv frozen to the whitening filters and every
        batch norm's scale frozen at 1: before the optimiser and the EMA copy see it."""
        model = plain_build(cfg)
        conv = model.stage1.conv1
        assert conv.weight.shape == filters.shape, conv.weight.shape
        with torch.no_grad():
            conv.weight.copy_(filters)
            if conv.bias is not None:
                conv.bias.zero_()
        for p in conv.parameters():
            p.requires_grad_(False)
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d) and m.weight is not None:
                m.weight.data.fill_(1.0)
                m.weight.requires_grad_(False)
        return model

    state_module.build_model = whitened_build
    result = {"cpu": cpu_description(), "threads": torch.get_num_threads(), "data": a.data, "variance_kept": round(share, 4), "seeds": {}}
    for seed in (int(s) for s in a.seeds.split(",")):
        run, _ = prepare_run(TrainConfig(data=a.data, arch="fast-4conv", model=RETIRED["fast-4conv"], epochs=a.epochs, seed=seed))
        train_in_process(run)
        points = curve(run.dir)
        result["seeds"][seed] = {
            "best": max(p["val_acc"] for p in points),
            "single_pass_fp32": single_pass(run, a.data),
            "minutes": points[-1]["minutes"],
            "frozen_first_conv_kept": bool(torch.allclose(run.load_weights("best")["stage1.conv1.weight"], filters, atol=1e-5)),
        }
    runs = list(result["seeds"].values())
    result["mean_single_pass_fp32"] = mean([r["single_pass_fp32"] for r in runs])
    result["mean_minutes"] = mean([r["minutes"] for r in runs], digits=2)
    emit(result, a.json)


if __name__ == "__main__":
    main()
