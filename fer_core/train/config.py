"""TrainConfig: everything that defines a run. Its JSON (plus the data-set hash) is the
run's identity, so an identical request finds the finished run instead of retraining."""

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from fer_core.augment import AugmentConfig
from fer_core.identity import added, identity, renamed_values
from fer_core.inference import TTA_MODES
from fer_core.label_sources import LEARNED, TRUTHS
from fer_core.models import PRESETS, ModelConfig, get_preset
from fer_core.normalize import Normalization
from fer_core.options import option, specs
from fer_core.precision import PRECISIONS

OPTIMIZERS = ("adamw", "sgd")
SCHEDULERS = ("onecycle", "cosine", "plateau", "none")
DEVICES = ("auto", "cpu", "cuda")
LABEL_MODES = tuple(LEARNED)
# Fields that do not change what is learned, so they are left out of the run id.
NOT_IDENTITY = ("device", "precision", "log_every")
# Options that measurement rejected and issue 36 retired (docs/RESULTS.md, "Measured and not kept"):
# their value when off, and why they went (`fer train`'s old flags and a study's old factor say it
# too). An old run's config that holds one still loads: at its off value it is dropped (the run id
# never hashed it: they were `added` fields), at any other value it is kept in `retired`, so the
# run evaluates and explains, and says why it cannot train on.
RETIRED = {
    "mixup": (0.0, "mixup cost 0.8 to 1.4 points"),
    "swa_epochs": (0, "stochastic weight averaging cost about 2 points"),
    "swa_lr_share": (0.2, "stochastic weight averaging cost about 2 points"),
    "augment.crop": (0, "random training crops cost 1.5 points"),
    "augment.photo": (0.0, "the photo look cost 2.5 points on real photos"),
}


@dataclass(frozen=True)
class TrainConfig:
    # Each option is declared here once (`option(...)`, `added(..., help=)`: label, help, choices,
    # range): `fer train`, the Train page and the Study factors are built from the declaration.
    data: str = option("demo", help="the data set to train on (`fer data list`)", label="Data set")
    # The quick recipe's network and epochs (issue 34): vgg8-gap-lite for 15 epochs scored 65.2%
    # single-pass on FER2013's original pixels in 6.6 min on 2 CPU cores, against seed-4conv's 18
    # epochs at 64.3% in 6.9 min (two seeds each, one invocation; docs/RESULTS.md).
    arch: str = option(
        "vgg8-gap-lite",
        help="a preset architecture (or custom, with `model` set)",
        label="Architecture",
        choices=lambda: tuple(PRESETS),
    )
    model: ModelConfig | None = None  # filled from the preset when the run is made
    epochs: int = option(15, help="passes over the Training split", label="Epochs", low=1, high=500)
    batch_size: int = option(64, help="faces per step", label="Batch size", low=2, high=4096)
    optimizer: str = option("adamw", help="AdamW, or SGD with Nesterov momentum", label="Optimiser", choices=OPTIMIZERS)
    lr: float = option(3e-3, help="the learning rate at the top of the schedule", label="Peak learning rate", low=1e-5, high=1.0, step=1e-4)
    momentum: float = option(0.9, help="SGD (Nesterov) momentum", label="SGD momentum", low=0.0, high=0.999, step=0.001)
    weight_decay: float = option(
        5e-4, help="weight decay (AdamW's is scaled by the learning rate)", label="Weight decay", low=0.0, high=1.0, step=1e-4
    )
    scheduler: str = option(
        "onecycle",
        help="how the learning rate moves over the run: one-cycle, cosine, down on a plateau, or constant",
        label="Schedule",
        choices=SCHEDULERS,
    )
    label_smoothing: float = option(
        0.05, help="share of each label spread over the other classes", label="Label smoothing", low=0.0, high=0.5, step=0.05
    )
    class_weights: bool = option(
        False, help="weight classes by inverse frequency (disgust is 1.5% of FER2013)", label="Class weights (rare classes count more)"
    )
    ema: float = option(
        0.998,
        help="weight averaging decay: the running average of the weights is validated and saved (0: off)",
        label="Weight averaging (EMA decay, 0 = off)",
        low=0.0,
        high=0.9999,
        step=1e-4,
    )
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    normalization: str = option(
        "per_image",
        help="none: pixels / 255; per_image: each face to mean 0, std 1; dataset: the Training split's mean and std",
        label="Normalisation",
        choices=tuple(str(n) for n in Normalization),
    )
    # The FER2013 copy the project first trained on had this baked into its pixels (issue 34); a
    # user's fer2013.csv and a webcam frame do not. The model handle applies it wherever the model
    # sees a face, so a model trained with it is never fed raw faces, nor one without it equalised ones.
    equalize: bool = added(
        False,
        help="histogram-equalise every face (cv2.equalizeHist) before normalising it, in training and wherever the model sees it",
        label="Histogram equalisation",
    )
    # FER+'s ten votes (issue 33): train on the FER+ majority (faces without one left out), or on the
    # distribution of the votes (ferplus.vote_targets); both are validated against the majority.
    labels: str = added(
        "fer2013",
        help="what the model learns: FER2013's labels, the FER+ majority, or the FER+ vote distribution (needs a data set with FER+ votes)",
        label="Labels",
        choices=LABEL_MODES,
    )
    # Validate (and pick the best epoch) with this test-time augmentation (fer_core.inference.TTA_MODES);
    # flip as airbench does. It was a bool once: old runs' ids keep true/false for flip/none.
    val_tta: str = option(
        "flip",
        help="test-time augmentation of the validation, which picks the best epoch",
        label="Validation test-time augmentation",
        choices=TTA_MODES,
        metadata=renamed_values({"flip": True, "none": False}),
    )
    # Fine-tuning (issue 42): the run starts from this model's best weights (a run id, or a shipped
    # model's name) instead of random ones. Its architecture and classes must be this run's.
    init: str = added("")
    train_split: str = "Training"
    val_split: str = "PublicTest"
    seed: int = option(0, help="draws the initial weights, the shuffling and the augmentation", label="Seed", low=0, high=1_000_000)
    device: str = option("auto", help="auto: CUDA if there is one, else the CPU", label="Device", choices=DEVICES)
    # Like the device, it changes rounding, not what is asked for, so it is not part of the run id.
    precision: str = option(
        "auto",
        help="bf16 autocast: auto = on CUDA and on CPUs with native bf16 (AVX512-BF16/AMX), fp32 elsewhere",
        label="Precision",
        choices=PRECISIONS,
    )
    log_every: int = 10  # steps between live metric points
    # Retired options an old run's config held, not at their off value, as (name, value) pairs
    # (empty for every new config).
    retired: tuple = added(())

    def __post_init__(self):
        # Every declared choice, from its declaration. Ranges are the CLI's and the form's limits on
        # what a user asks for, not checked here: an old run's config is loaded as it was written.
        # The architecture is not one of the choices for custom models and retired presets.
        for o in specs(TrainConfig):
            if o.choices is not None and o.name != "arch":
                o.check(getattr(self, o.name))
        if self.epochs < 1 or self.batch_size < 2 or self.lr <= 0:
            raise ValueError("epochs >= 1, batch_size >= 2 and lr > 0 are required")
        if self.arch == "custom" and self.model is None:
            raise ValueError("arch 'custom' needs a model config")

    def retired_reason(self) -> str:
        """Why this config cannot train ("" when it can): it holds a retired option. Its run loads,
        evaluates and explains, but FER Lab no longer trains it."""
        if not self.retired:
            return ""
        held = ", ".join(f"{k} = {v} ({RETIRED[k][1]})" for k, v in self.retired)
        return f"this run uses options FER Lab has retired: {held}; it can be evaluated and explained, not trained further"

    def resolved(self) -> "TrainConfig":
        """With the preset's model filled in, so the run records the exact architecture. A model
        that learns FER+'s labels gets its eighth class, contempt (labels.FERPLUS_CLASSES); one that
        learns FER2013's, FER2013's seven. Runs keep the model they were made with."""
        if self.model is not None:
            return self
        model = get_preset(self.arch)
        return replace(self, model=replace(model, num_classes=len(TRUTHS[LEARNED[self.labels].truth].classes)))

    def to_json(self) -> dict:
        return asdict(self.resolved())

    @classmethod
    def from_json(cls, d: dict) -> "TrainConfig":
        d = dict(d)
        d["model"] = ModelConfig.from_json(d["model"]) if d.get("model") else None
        aug = dict(d.get("augment") or {})
        retired = dict(d.pop("retired", None) or ())
        for key, (off, _) in RETIRED.items():  # settings of retired options (see RETIRED)
            where, name = (aug, key.split(".")[1]) if key.startswith("augment.") else (d, key)
            if name in where and (value := where.pop(name)) != off:
                retired[key] = value
        d["augment"] = AugmentConfig(**{**aug, "erase_area": tuple(aug.get("erase_area", (0.02, 0.15)))})
        if isinstance(d.get("val_tta"), bool):  # written before TTA had modes
            d["val_tta"] = "flip" if d["val_tta"] else "none"
        return cls(**d, retired=tuple((k, v) for k, v in retired.items()))


def run_id(cfg: TrainConfig, data_hash: str) -> str:
    """`<arch>-<data>-<8 hex>`: readable, and the same for the same request."""
    ident = {k: v for k, v in identity(cfg.resolved()).items() if k not in NOT_IDENTITY}
    digest = hashlib.sha256(json.dumps([ident, data_hash], sort_keys=True).encode()).hexdigest()[:8]
    return f"{cfg.arch}-{cfg.data}-{digest}"
