"""The presets retired from the product in issue 36 (fer_core.models.RETIRED_PRESETS says why), kept
so that a bench can re-measure them: `TrainConfig(arch=NAME, model=RETIRED[NAME])` is the request a
run made with the preset was, with the same run id."""

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fer_core.models import ModelConfig  # noqa: E402
from fer_core.models.presets import _seed_4conv, _vgg_gap  # noqa: E402


def _fast_4conv() -> ModelConfig:
    # seed-4conv with each stage pooled right after its conv, before batch norm and activation
    # (airbench's order; StageConfig.pool_first): nearly the same function, 1.25x its bare training
    # step; 22 epochs scored +0.7 points over its 18 (two seeds) in 7% more time (docs/history/BENCHMARKS.md).
    seed = _seed_4conv()
    return replace(seed, name="fast-4conv", stages=tuple(replace(s, pool_first=True) for s in seed.stages))


def _vgg10_gap() -> ModelConfig:
    # The stronger preset: 9 convs, 1.9 M parameters, 139 M multiply-adds per face (docs/history/BENCHMARKS.md).
    return _vgg_gap("vgg10-gap", deep_convs=3)


def _vgg8_gap() -> ModelConfig:
    # Two convs (not three) in each of the last two stages: 1.2 M parameters and 96 M multiply-adds
    # per face, ~1.2x vgg10-gap's training speed on 2 CPU cores, so 90 minutes buy more epochs.
    return _vgg_gap("vgg8-gap", deep_convs=2)


def _vgg8_gap_fast() -> ModelConfig:
    # vgg8-gap with half its filters at 48 and 24 px (16, 32x2) and full width at 12 and 6 px: a 3x3
    # conv of few channels on a big map is memory-bound on a CPU, so this trains 1.45x faster on 2
    # cores (bare bf16 step, bench/bench_presets.py) with 7% fewer parameters and 30% fewer
    # multiply-adds. Its 100 epochs in 77 minutes scored level with vgg8-gap's 74 in 80, not above
    # (69.35% against 69.57% with 10-crop TTA, one seed each; docs/history/BENCHMARKS.md).
    return _vgg_gap("vgg8-gap-fast", deep_convs=2, widths=(16, 32, 128, 256))


def _vgg8_grid() -> ModelConfig:
    # vgg8-gap's convs, but the last 6x6 maps are average-pooled to 3x3 and flattened (2,304
    # inputs to the output layer) instead of averaged to one vector: FER2013's faces are
    # aligned, so where a feature fires (brows above, mouth below) is evidence a global
    # average throws away. Same multiply-adds, 14 k more parameters. On the 74-epoch recipe it led
    # while the learning rate was high, then overfit as it annealed: level single-pass, 0.7 points
    # behind with flip TTA (one seed; docs/history/BENCHMARKS.md). Kept as the GAP head's counterpart.
    gap = _vgg8_gap()
    last = replace(gap.stages[-1], pool="avg")  # 6x6 -> 3x3: 256*3*3 = 2304
    return replace(gap, name="vgg8-grid", stages=(*gap.stages[:-1], last), head="flatten")


RETIRED: dict[str, ModelConfig] = {m.name: m for m in (_fast_4conv(), _vgg10_gap(), _vgg8_gap(), _vgg8_gap_fast(), _vgg8_grid())}
