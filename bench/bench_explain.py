"""Explanation speed (issues 5 and 14) on this machine's CPU, seed-4conv or a run: all six
methods for one face (target <= 1.5 s), the cached repeat, and gradient ascent of the Filters
page's default layer, the last conv (target <= 10 s), against a naive ascent (full model, weight
gradients on, every filter 48 steps) measured in the same run.

    python bench/bench_explain.py [--run RUN] [--json OUT.json]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from report import emit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fer_core.explain import METHODS  # noqa: E402
from fer_core.explain.base import Preprocessed, conv_block_output  # noqa: E402
from fer_core.handle.loaded import LoadedModel  # noqa: E402
from fer_core.models import build_model, get_preset  # noqa: E402
from fer_core.normalize import Preprocessing  # noqa: E402
from fer_core.precision import use_bf16  # noqa: E402

NAIVE_STEPS = 48  # every filter: the step count of the ascent before issue 14 (as many as its textbook loop)


def naive_ascent(model, layer: str, steps: int) -> None:
    """The textbook loop: whole model, 48 px, parameters still requiring grad."""
    net = Preprocessed(model, Preprocessing("per_image"))
    store = {}
    h = conv_block_output(model, layer).register_forward_hook(lambda m, i, o: store.__setitem__("o", o))
    channels = model.get_submodule(layer).out_channels
    x = torch.zeros(channels, 1, 48, 48).normal_(0, 0.1).requires_grad_(True)
    opt = torch.optim.Adam([x], lr=0.08)
    idx = torch.arange(channels)
    model.eval()
    for _ in range(steps):
        net(torch.sigmoid(x))
        loss = -store["o"][idx, idx].mean() + 1e-3 * (x**2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            x.copy_(F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="reflect"), 3, 1))
    h.remove()


def rise_stats(res) -> dict:
    """How far each filter's mean activation rose from its start, as a multiple of |start|."""
    rise = res.rise
    return {
        "ascent_rise_median": float(np.median(rise)),
        "ascent_rise_min": float(rise.min()),
        "ascent_share_tenfold": float((rise >= 10).mean()),
        "ascent_reached_median": float(np.median(res.reached)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", help="a run id (default: seed-4conv with seeded weights: speed does not depend on them)")
    ap.add_argument("--json")
    a = ap.parse_args()
    if a.run:
        from fer_core.handle.store import load_model

        handle = load_model(a.run)
    else:
        torch.manual_seed(0)
        handle = LoadedModel(build_model(get_preset("seed-4conv")), Preprocessing("per_image"))
    model = handle.network.model
    rng = np.random.default_rng(0)
    faces = rng.integers(0, 256, (5, 48, 48), dtype=np.uint8)
    handle.explain(faces[0], "saliency")  # warm-up (first autograd call)
    per_method = {m: [] for m in METHODS}
    totals = []
    for face in faces[1:]:  # each face once: no cache hit is timed here
        t_face = time.perf_counter()
        for m in METHODS:
            t0 = time.perf_counter()
            handle.explain(face, m)
            per_method[m].append(time.perf_counter() - t0)
        totals.append(time.perf_counter() - t_face)
    for m in METHODS:  # fill the cache, then time the cached path
        handle.explain(faces[0], m)
    t0 = time.perf_counter()
    for m in METHODS:
        handle.explain(faces[0], m)
    cached = time.perf_counter() - t0

    layer = handle.conv_layers()[-1]  # the Filters page's default
    t0 = time.perf_counter()
    res = handle.gradient_ascent(layer, use_cache=False)  # computed, not read from the run's filters/
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive_ascent(model, layer, steps=NAIVE_STEPS)
    naive = time.perf_counter() - t0
    emit(
        {
            "threads": torch.get_num_threads(),
            "model": handle.run_id,
            "arch": handle.cfg.arch if handle.cfg else "seed-4conv",
            "six_methods_s_median": statistics.median(totals),
            "per_method_s": {m: statistics.median(v) for m, v in per_method.items()},
            "six_methods_cached_s": cached,
            "six_methods_target_s": 1.5,
            "ascent_layer": layer,
            "ascent_filters": int(res.images.shape[0]),
            "ascent_bf16": use_bf16("auto", torch.device("cpu")),
            "ascent_s": ours,
            "ascent_steps_min_max": [int(res.steps.min()), int(res.steps.max())],
            "ascent_filters_went_on": int((res.steps > res.steps.min()).sum()),
            "ascent_naive_48_steps_s": naive,
            "ascent_speedup": naive / ours,
            "ascent_target_s": 10.0,
            **rise_stats(res),
        },
        a.json,
    )


if __name__ == "__main__":
    main()
