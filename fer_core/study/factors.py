"""What a study can vary: a factor is one training setting with 2-4 values, each value a change
to the base TrainConfig. Parsed from `NAME=V1,V2` (the CLI's --vary, the page's builder)."""

from collections.abc import Callable
from dataclasses import dataclass, replace

from fer_core.augment import TRANSFORMS, AugmentConfig
from fer_core.options import spec
from fer_core.train.config import RETIRED, TrainConfig

MIN_VALUES, MAX_VALUES, MAX_FACTORS = 2, 4, 2
# The TrainConfig options a study varies; each one's title, choices and range come from its
# declaration (booleans are varied as off / on).
VARIED_OPTIONS = ("normalization", "equalize", "labels", "label_smoothing", "ema", "optimizer", "arch", "epochs")
RETIRED_FACTORS = {"mixup": RETIRED["mixup"][1]}  # a factor once, retired in issue 36


def _augment(cfg: TrainConfig, value: str) -> TrainConfig:
    """off | on (the base's augmentation, or every transform if the base has none) | one transform alone."""
    if value == "off":
        return replace(cfg, augment=AugmentConfig.off())
    if value == "on":
        return cfg if cfg.augment != AugmentConfig.off() else replace(cfg, augment=AugmentConfig())
    return replace(cfg, augment=AugmentConfig.all_on().only(TRANSFORMS[value]))


@dataclass(frozen=True)
class Factor:
    name: str
    title: str  # how the page and the report name it
    choices: tuple[str, ...] | None  # the allowed values, or None for numbers
    parse: Callable[[str], object]
    apply: Callable[[TrainConfig, object], TrainConfig]


def _option_factor(name: str) -> Factor:
    o = spec(TrainConfig, name)
    choices = ("off", "on") if o.kind is bool else tuple(map(str, o.choices)) if o.choices else None
    extra = {"arch": {"model": None}}.get(name, {})  # a new preset's model, not the base's
    return Factor(name, o.title, choices, o.parse, lambda c, v: replace(c, **{name: v}, **extra))


FACTORS: dict[str, Factor] = {
    "augment": Factor("augment", "augmentation", ("off", "on", *TRANSFORMS), str, _augment),
    **{name: _option_factor(name) for name in VARIED_OPTIONS},
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
    if name in RETIRED_FACTORS:
        raise ValueError(f"--vary {text!r}: {name} was retired: {RETIRED_FACTORS[name]} (docs/RESULTS.md)")
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
