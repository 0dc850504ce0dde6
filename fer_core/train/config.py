"""TrainConfig: everything that defines a run. Its JSON (plus the data-set hash) is the
run's identity, so an identical request finds the finished run instead of retraining."""

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from fer_core.augment import AugmentConfig
from fer_core.identity import added, identity, option, renamed_values
from fer_core.inference import check_tta
from fer_core.models import ModelConfig, get_preset
from fer_core.normalize import Normalization
from fer_core.precision import PRECISIONS

OPTIMIZERS = ("adamw", "sgd")
SCHEDULERS = ("onecycle", "cosine", "plateau", "none")
SWA_SCHEDULERS = ("onecycle", "cosine")  # the ones that can end at the averaging phase's rate
DEVICES = ("auto", "cpu", "cuda")
MIXUP_MAX = 4.0  # the largest mixup alpha the Train page and studies offer
# Fields that do not change what is learned, so they are left out of the run id.
NOT_IDENTITY = ("device", "precision", "log_every")


@dataclass(frozen=True)
class TrainConfig:
    # Each option's help is stated here once (`option(..., help=)`, `added(..., help=)`): `fer train`
    # and the Train page read it from the field.
    data: str = option("demo", help="the data set to train on (`fer data list`)")
    # The quick recipe's network and epochs (issue 34): vgg8-gap-lite for 15 epochs scored 65.2%
    # single-pass on FER2013's original pixels in 6.6 min on 2 CPU cores, against seed-4conv's 18
    # epochs at 64.3% in 6.9 min (two seeds each, one invocation; docs/RESULTS.md).
    arch: str = option("vgg8-gap-lite", help="a preset architecture (or custom, with `model` set)")
    model: ModelConfig | None = None  # filled from the preset when the run is made
    epochs: int = option(15, help="passes over the Training split")
    batch_size: int = option(64, help="faces per step")
    optimizer: str = option("adamw", help="AdamW, or SGD with Nesterov momentum")
    lr: float = option(3e-3, help="the learning rate at the top of the schedule")
    momentum: float = option(0.9, help="SGD (Nesterov) momentum")
    weight_decay: float = option(5e-4, help="weight decay (AdamW's is scaled by the learning rate)")
    scheduler: str = option("onecycle", help="how the learning rate moves over the run: one-cycle, cosine, down on a plateau, or constant")
    label_smoothing: float = option(0.05, help="share of each label spread over the other classes")
    # mixup (Zhang et al. 2018): Beta(alpha, alpha) blends of two faces and of their labels, a
    # guard against FER2013's noisy labels; 0 = off. Added after runs existed, hence `added`.
    mixup: float = added(0.0, help="mixup's Beta alpha, e.g. 0.2: blends pairs of faces and their labels (0: off)")
    class_weights: bool = option(False, help="weight classes by inverse frequency (disgust is 1.5% of FER2013)")
    ema: float = option(0.998, help="weight averaging decay: the running average of the weights is validated and saved (0: off)")
    # Stochastic weight averaging (Izmailov et al. 2018; torch.optim.swa_utils): the last `swa_epochs` train at a constant
    # learning rate, lr * swa_lr_share (the schedule before them anneals to it), and the weights at
    # each of their ends are averaged with equal weight; the average is what is validated and saved.
    # Izmailov et al.'s VGG recipe holds a fifth of the peak rate. 0 epochs = off: on FER2013's long
    # vgg8-gap recipe it cost ~2 points with TTA against annealing to ~0 (docs/history/BENCHMARKS.md).
    swa_epochs: int = added(0, help="average the weights of this many last epochs, trained at a constant rate (0: off)")
    swa_lr_share: float = added(0.2, help="the averaging epochs' learning rate, a share of the peak")
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    normalization: str = option(
        "per_image", help="none: pixels / 255; per_image: each face to mean 0, std 1; dataset: the Training split's mean and std"
    )
    # The FER2013 copy the project first trained on had this baked into its pixels (issue 34); a
    # user's fer2013.csv and a webcam frame do not. The model handle applies it wherever the model
    # sees a face, so a model trained with it is never fed raw faces, nor one without it equalised ones.
    equalize: bool = added(
        False, help="histogram-equalise every face (cv2.equalizeHist) before normalising it, in training and wherever the model sees it"
    )
    # Validate (and pick the best epoch) with this test-time augmentation (fer_core.inference.TTA_MODES);
    # flip as airbench does. It was a bool once: old runs' ids keep true/false for flip/none.
    val_tta: str = option(
        "flip", help="test-time augmentation of the validation, which picks the best epoch", **renamed_values({"flip": True, "none": False})
    )
    train_split: str = "Training"
    val_split: str = "PublicTest"
    seed: int = option(0, help="draws the initial weights, the shuffling and the augmentation")
    device: str = option("auto", help="auto: CUDA if there is one, else the CPU")
    # Like the device, it changes rounding, not what is asked for, so it is not part of the run id.
    precision: str = option("auto", help="bf16 autocast: auto = on CUDA and on CPUs with native bf16 (AVX512-BF16/AMX), fp32 elsewhere")
    log_every: int = 10  # steps between live metric points

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}")
        if self.scheduler not in SCHEDULERS:
            raise ValueError(f"scheduler must be one of {SCHEDULERS}")
        Normalization(self.normalization)  # raises on an unknown choice
        check_tta(self.val_tta)
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {DEVICES}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}")
        if self.mixup < 0:
            raise ValueError(f"mixup is a Beta distribution's alpha, >= 0 (0: off), not {self.mixup}")
        if self.epochs < 1 or self.batch_size < 2 or self.lr <= 0:
            raise ValueError("epochs >= 1, batch_size >= 2 and lr > 0 are required")
        if not 0 <= self.swa_epochs < self.epochs:
            raise ValueError(f"swa_epochs must be 0 (off) or fewer than the run's {self.epochs} epochs, not {self.swa_epochs}")
        if self.swa_epochs and self.scheduler not in SWA_SCHEDULERS:
            raise ValueError(f"weight averaging (swa_epochs) needs a schedule that anneals to its rate: one of {SWA_SCHEDULERS}")
        if not 0 < self.swa_lr_share <= 1:
            raise ValueError(f"swa_lr_share is a share of the peak learning rate, in (0, 1], not {self.swa_lr_share}")
        if self.arch == "custom" and self.model is None:
            raise ValueError("arch 'custom' needs a model config")
        if self.augment.crop and self.resolved().model.head != "gap":
            raise ValueError(
                f"augment crop {self.augment.crop} needs a global-average-pooled head (e.g. vgg10-gap): "
                f"{self.arch}'s fully connected layer takes whole {self.resolved().model.image_size} px faces"
            )

    @property
    def scheduled_epochs(self) -> int:
        """The epochs the learning-rate schedule spans: all but the weight-averaging ones."""
        return self.epochs - self.swa_epochs

    @property
    def averaging_from(self) -> int | None:
        """The epoch after which the weights are averaged (SWA); None when averaging is off."""
        return self.scheduled_epochs if self.swa_epochs else None

    def resolved(self) -> "TrainConfig":
        """With the preset's model filled in, so the run records the exact architecture."""
        return self if self.model is not None else replace(self, model=get_preset(self.arch))

    def to_json(self) -> dict:
        return asdict(self.resolved())

    @classmethod
    def from_json(cls, d: dict) -> "TrainConfig":
        d = dict(d)
        d["model"] = ModelConfig.from_json(d["model"]) if d.get("model") else None
        aug = d.get("augment") or {}
        d["augment"] = AugmentConfig(**{**aug, "erase_area": tuple(aug.get("erase_area", (0.02, 0.15)))})
        if isinstance(d.get("val_tta"), bool):  # written before TTA had modes
            d["val_tta"] = "flip" if d["val_tta"] else "none"
        return cls(**d)


def run_id(cfg: TrainConfig, data_hash: str) -> str:
    """`<arch>-<data>-<8 hex>`: readable, and the same for the same request."""
    ident = {k: v for k, v in identity(cfg.resolved()).items() if k not in NOT_IDENTITY}
    digest = hashlib.sha256(json.dumps([ident, data_hash], sort_keys=True).encode()).hexdigest()[:8]
    return f"{cfg.arch}-{cfg.data}-{digest}"
