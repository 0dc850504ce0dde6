"""Presets a user picks: the homework reports' seed CNNs, `tiny` and `small` for quick work,
`vgg-fer` from the literature, and the networks of the quick and shipped recipes."""

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


def _vgg8_gap_lite() -> ModelConfig:
    # Two convs at 12 and at 6 px, narrow at 48 and 24 px: 0.62 M
    # parameters, 42 M multiply-adds, ~0.85x seed-4conv's training speed on 2 CPU cores. The quick
    # recipe's network: its 15 epochs scored 65.2% single-pass on FER2013's original pixels, 0.85
    # points above seed-4conv's 18, in a little less time (two seeds each; docs/RESULTS.md). Narrow early stages because a 3x3 conv of
    # few channels on a big map is memory-bound on a CPU: halving them cost little accuracy.
    return _vgg_gap("vgg8-gap-lite", deep_convs=2, widths=(16, 32, 96, 192))


def _vgg10_gap_fast() -> ModelConfig:
    # The shipped recipe's network: three convs at 12 and at 6 px on a cheap stem (16, 32x2), 1.8 M
    # parameters, 109 M multiply-adds. A 3x3 conv of few channels on a big map is memory-bound on a
    # CPU, so the narrow stem trains ~1.3x faster than full width (32, 64x2) at the same accuracy
    # (the retired vgg10-gap; docs/history/BENCHMARKS.md).
    return _vgg_gap("vgg10-gap-fast", deep_convs=3, widths=(16, 32, 128, 256))


def _tiny() -> ModelConfig:
    # For the synthetic demo faces and quick studies: a quarter of `small`'s parameters and
    # about 2.5x its training speed on 2 CPU cores, so the demo homework study fits 2 minutes.
    return ModelConfig(
        "tiny",
        stages=(StageConfig(16), StageConfig(32), StageConfig(48, dropout=0.1), StageConfig(64, dropout=0.1)),  # 64*3*3
        fc=(FCConfig(64, dropout=0.3),),
    )


PRESETS: dict[str, ModelConfig] = {
    m.name: m for m in (_seed_4conv(), _seed_vgg3(), _seed_6conv(), _tiny(), _small(), _vgg_fer(), _vgg8_gap_lite(), _vgg10_gap_fast())
}
# One line each, for pickers and `fer train --help`.
PRESET_SUMMARIES = {
    "seed-4conv": "the homework's 4 conv (32 5x5, 64, 128, 128) + BN + LeakyReLU(0.2) + pool; FC 1152-256-7",
    "seed-vgg3": "the homework's 3 stages x 3 convs (32 5x5, 128, 512), LeakyReLU then BN; FC 18432-512-7",
    "seed-6conv": "the homework's 6 conv 3x3 + BN + ReLU with pools; FC 4608-1024-7",
    "tiny": "16/32/48/64 channels, 84 k params: for the demo faces and quick studies",
    "small": "32/64/96/128 channels, a compact net that trains well on a laptop CPU",
    "vgg-fer": "VGG of Khaireddin & Chen (2021): 64/128/256/512, 2 convs a stage; FC 4096-4096-7",
    "vgg8-gap-lite": "7 conv 3x3 (16, 32x2, 96x2, 192x2), global average pool, 0.62 M params: the quick recipe's network",
    "vgg10-gap-fast": "9 conv 3x3 (16, 32x2, 128x3, 256x3), global average pool, 1.8 M params: the shipped model's network",
}
# Presets that were experiments, retired in issue 36. A run made with one still loads, evaluates
# and explains, with its id unchanged: its config holds the whole model. Their definitions live on
# in bench/retired_presets.py, their results in docs/RESULTS.md and docs/history/.
RETIRED_PRESETS = {
    "fast-4conv": "seed-4conv pooled before batch norm: +0.4 points for 22 epochs, below vgg8-gap-lite",
    "vgg8-gap": "superseded by vgg10-gap-fast (level with 10-crop, 0.8 points below it single pass)",
    "vgg10-gap": "superseded by vgg10-gap-fast (the same accuracy, ~1.3x slower to train)",
    "vgg8-gap-fast": "level with vgg8-gap, superseded by vgg10-gap-fast",
    "vgg8-grid": "a layout-keeping head: level single pass, 0.7 points behind with flip TTA",
}


def get_preset(name: str) -> ModelConfig:
    if name in RETIRED_PRESETS:
        raise ValueError(f"preset {name!r} was retired ({RETIRED_PRESETS[name]}); its runs still load. Presets: {', '.join(PRESETS)}")
    if name not in PRESETS:
        raise ValueError(f"unknown architecture {name!r}; presets: {', '.join(PRESETS)}")
    return PRESETS[name]
