"""What a study can vary: a factor is one training setting with 2-4 values, each value a change
to the base TrainConfig. Parsed from `NAME=V1,V2` (the CLI's --vary, the page's builder)."""

from collections.abc import Callable
from dataclasses import dataclass, replace

from fer_core.augment import AugmentConfig
from fer_core.models import PRESETS
from fer_core.normalize import Normalization
from fer_core.train.config import MIXUP_MAX, OPTIMIZERS, TrainConfig

MIN_VALUES, MAX_VALUES, MAX_FACTORS = 2, 4, 2
AUGMENT_ONLY = {"shift": "shift", "flip": "flip", "rotate": "rotate_deg", "scale": "scale", "erase": "erase_p"}


def _augment(cfg: TrainConfig, value: str) -> TrainConfig:
    """off | on (the base's augmentation, or every transform if the base has none) | one transform alone."""
    if value == "off":
        return replace(cfg, augment=AugmentConfig.off())
    if value == "on":
        return cfg if cfg.augment != AugmentConfig.off() else replace(cfg, augment=AugmentConfig())
    return replace(cfg, augment=AugmentConfig.all_on().only(AUGMENT_ONLY[value]))


def _number(kind: type, low: float, high: float):
    def parse(text: str):
        value = kind(text)
        if not low <= value <= high:
            raise ValueError(f"{text} is outside {low}..{high}")
        return value

    return parse


@dataclass(frozen=True)
class Factor:
    name: str
    title: str  # how the page and the report name it
    choices: tuple[str, ...] | None  # the allowed values, or None for numbers
    parse: Callable[[str], object]
    apply: Callable[[TrainConfig, object], TrainConfig]


FACTORS: dict[str, Factor] = {
    f.name: f
    for f in (
        Factor("normalization", "normalisation", tuple(str(n) for n in Normalization), str, lambda c, v: replace(c, normalization=v)),
        Factor("augment", "augmentation", ("off", "on", *AUGMENT_ONLY), str, _augment),
        Factor("equalize", "histogram equalisation", ("off", "on"), str, lambda c, v: replace(c, equalize=v == "on")),
        Factor("label_smoothing", "label smoothing", None, _number(float, 0.0, 0.5), lambda c, v: replace(c, label_smoothing=v)),
        Factor("mixup", "mixup (Beta alpha, 0 = off)", None, _number(float, 0.0, MIXUP_MAX), lambda c, v: replace(c, mixup=v)),
        Factor("ema", "weight averaging (EMA decay, 0 = off)", None, _number(float, 0.0, 0.9999), lambda c, v: replace(c, ema=v)),
        Factor("optimizer", "optimiser", OPTIMIZERS, str, lambda c, v: replace(c, optimizer=v)),
        Factor("arch", "architecture preset", tuple(PRESETS), str, lambda c, v: replace(c, arch=v, model=None)),
        Factor("epochs", "epochs", None, _number(int, 1, 500), lambda c, v: replace(c, epochs=v)),
    )
}


@dataclass(frozen=True)
class Vary:
    """One factor of a study and its values (as typed, e.g. 'per_image')."""

    factor: str
    values: tuple[str, ...]

    def apply(self, cfg: TrainConfig, value: str) -> TrainConfig:
        f = FACTORS[self.factor]
        return f.apply(cfg, f.parse(value))


def parse_vary(text: str) -> Vary:
    """'normalization=none,per_image' -> Vary; a clear message naming what is wrong otherwise."""
    name, sep, rest = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep:
        raise ValueError(f"--vary {text!r}: write NAME=VALUE1,VALUE2 (e.g. augment=off,on)")
    if name not in FACTORS:
        raise ValueError(f"--vary {text!r}: unknown setting {name!r}; one of {', '.join(FACTORS)}")
    values = tuple(v.strip() for v in rest.split(",") if v.strip())
    factor = FACTORS[name]
    if len(set(values)) != len(values):
        raise ValueError(f"--vary {text!r}: a value is repeated")
    if not MIN_VALUES <= len(values) <= MAX_VALUES:
        raise ValueError(f"--vary {text!r}: a factor needs {MIN_VALUES} to {MAX_VALUES} values, got {len(values)}")
    for v in values:
        if factor.choices is not None and v not in factor.choices:
            raise ValueError(f"--vary {text!r}: unknown value {v!r} for {name}; one of {', '.join(factor.choices)}")
        try:
            factor.parse(v)
        except ValueError as exc:
            raise ValueError(f"--vary {text!r}: bad value {v!r} for {name} ({exc})") from None
    return Vary(name, values)


def check_factors(varies: list[Vary]) -> list[Vary]:
    if not 1 <= len(varies) <= MAX_FACTORS:
        raise ValueError(f"a study varies 1 or {MAX_FACTORS} settings, got {len(varies)}")
    if len({v.factor for v in varies}) != len(varies):
        raise ValueError("a setting is varied twice")
    return varies
