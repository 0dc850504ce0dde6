"""Presets that reproduce the homework reports' CNNs, plus a CPU-friendly default."""

from dataclasses import replace

from fer_core.models.config import FCConfig, ModelConfig, StageConfig


def _seed_4conv() -> ModelConfig:
    act = dict(activation="leaky_relu", negative_slope=0.2)
    return ModelConfig(
        "seed-4conv",
        stages=(
            StageConfig(32, kernel=5, **act),  # 48 -> 24
            StageConfig(64, **act),  # -> 12
            StageConfig(128, **act),  # -> 6
            StageConfig(128, **act),  # -> 3: 128*3*3 = 1152
        ),
        fc=(FCConfig(256, dropout=0.5, **act),),
    )


def _fast_4conv() -> ModelConfig:
    # seed-4conv with each stage pooled right after its conv, before batch norm and activation
    # (airbench's order; StageConfig.pool_first): nearly the same function, 1.25x its bare training
    # step; 22 epochs scored +0.7 points over its 18 (two seeds) in 7% more time (docs/history/BENCHMARKS.md).
    seed = _seed_4conv()
    return replace(seed, name="fast-4conv", stages=tuple(replace(s, pool_first=True) for s in seed.stages))


def _seed_vgg3() -> ModelConfig:
    act = dict(activation="leaky_relu", negative_slope=0.05, bn_after_activation=True, convs=3, dropout=0.1)
    return ModelConfig(
        "seed-vgg3",
        stages=(StageConfig(32, kernel=5, **act), StageConfig(128, **act), StageConfig(512, **act)),  # 512*6*6 = 18432
        fc=(FCConfig(512, batch_norm=True, bn_after_activation=True),),
    )


def _seed_6conv() -> ModelConfig:
    return ModelConfig(
        "seed-6conv",
        stages=(StageConfig(32, convs=2), StageConfig(64, convs=2), StageConfig(128, convs=2)),  # 128*6*6 = 4608
        fc=(FCConfig(1024, dropout=0.5),),
    )


def _vgg_fer() -> ModelConfig:
    # Khaireddin & Chen (2021), "Facial Emotion Recognition: State of the Art Performance on FER2013"
    return ModelConfig(
        "vgg-fer",
        stages=tuple(StageConfig(c, convs=2) for c in (64, 128, 256, 512)),  # 512*3*3 = 4608
        fc=(FCConfig(4096, dropout=0.2), FCConfig(4096, dropout=0.2)),
    )


def _small() -> ModelConfig:
    return ModelConfig(
        "small",
        stages=(StageConfig(32), StageConfig(64), StageConfig(96, dropout=0.1), StageConfig(128, dropout=0.1)),  # 128*3*3
        fc=(FCConfig(128, dropout=0.3),),
    )


def _vgg_gap(name: str, deep_convs: int, widths: tuple[int, int, int, int] = (32, 64, 128, 256)) -> ModelConfig:
    """VGG-style 3x3 convs, deepest where the maps are small (one conv at 48 px, two at 24, then
    `deep_convs` at 12 and at 6 px), then global average pooling instead of a wide FC layer."""
    w48, w24, w12, w6 = widths
    return ModelConfig(
        name,
        stages=(
            StageConfig(w48),  # 48 -> 24
            StageConfig(w24, convs=2),  # -> 12
            StageConfig(w12, convs=deep_convs),  # -> 6
            StageConfig(w6, convs=deep_convs, pool="none"),  # 6x6, averaged by the head
        ),
        head="gap",
        head_dropout=0.3,
    )


def _vgg10_gap() -> ModelConfig:
    # The stronger preset: 9 convs, 1.9 M parameters, 139 M multiply-adds per face (docs/history/BENCHMARKS.md).
    return _vgg_gap("vgg10-gap", deep_convs=3)


def _vgg8_gap() -> ModelConfig:
    # Two convs (not three) in each of the last two stages: 1.2 M parameters and 96 M multiply-adds
    # per face, ~1.2x vgg10-gap's training speed on 2 CPU cores, so 90 minutes buy more epochs.
    return _vgg_gap("vgg8-gap", deep_convs=2)


def _vgg8_gap_lite() -> ModelConfig:
    # vgg8-gap's layout, narrow at 48 and 24 px and three-quarter width at 12 and 6 px: 0.62 M
    # parameters, 42 M multiply-adds, ~0.85x seed-4conv's training speed on 2 CPU cores. The quick
    # recipe's network: its 15 epochs scored 65.2% single-pass on FER2013's original pixels, 0.85
    # points above seed-4conv's 18, in a little less time (two seeds each; docs/RESULTS.md). Narrow early stages because a 3x3 conv of
    # few channels on a big map is memory-bound on a CPU: halving them cost little accuracy.
    return _vgg_gap("vgg8-gap-lite", deep_convs=2, widths=(16, 32, 96, 192))


def _vgg8_gap_fast() -> ModelConfig:
    # vgg8-gap with half its filters at 48 and 24 px (16, 32x2) and full width at 12 and 6 px: a 3x3
    # conv of few channels on a big map is memory-bound on a CPU, so this trains 1.45x faster on 2
    # cores (bare bf16 step, bench/bench_presets.py) with 7% fewer parameters and 30% fewer
    # multiply-adds. Its 100 epochs in 77 minutes scored level with vgg8-gap's 74 in 80, not above
    # (69.35% against 69.57% with 10-crop TTA, one seed each; docs/history/BENCHMARKS.md).
    return _vgg_gap("vgg8-gap-fast", deep_convs=2, widths=(16, 32, 128, 256))


def _vgg10_gap_fast() -> ModelConfig:
    # vgg10-gap's depth (three convs at 12 and at 6 px) on vgg8-gap-fast's cheap stem (16, 32x2):
    # 1.8 M parameters, 109 M multiply-adds, 0.95x vgg8-gap's training speed on 2 CPU cores (vgg10-gap:
    # 0.73x). Its 80 epochs in 82 minutes scored level with vgg8-gap's 74 in 80 with 10-crop TTA
    # (69.55% against 69.57%) and 0.8 points above it single-pass (one seed each; docs/history/BENCHMARKS.md).
    return _vgg_gap("vgg10-gap-fast", deep_convs=3, widths=(16, 32, 128, 256))


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


def _tiny() -> ModelConfig:
    # For the synthetic demo faces and quick studies: a quarter of `small`'s parameters and
    # about 2.5x its training speed on 2 CPU cores, so the demo homework study fits 2 minutes.
    return ModelConfig(
        "tiny",
        stages=(StageConfig(16), StageConfig(32), StageConfig(48, dropout=0.1), StageConfig(64, dropout=0.1)),  # 64*3*3
        fc=(FCConfig(64, dropout=0.3),),
    )


PRESETS: dict[str, ModelConfig] = {
    m.name: m
    for m in (_small(), _seed_4conv(), _fast_4conv(), _seed_vgg3(), _seed_6conv(), _vgg_fer())
    + (_vgg10_gap(), _vgg10_gap_fast(), _vgg8_gap(), _vgg8_gap_fast(), _vgg8_gap_lite(), _vgg8_grid(), _tiny())
}


def get_preset(name: str) -> ModelConfig:
    if name not in PRESETS:
        raise ValueError(f"unknown architecture {name!r}; presets: {', '.join(PRESETS)}")
    return PRESETS[name]
