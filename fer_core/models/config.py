"""Frozen dataclasses that describe a CNN completely; saved with every run as JSON."""

from dataclasses import asdict, dataclass, field

from fer_core.identity import added

ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu")
POOLS = ("max", "avg", "none")
# flatten: the last feature map, flattened, feeds the FC layers (the homework CNNs);
# gap: global average pooling first (a C-wide vector, whatever the input size).
HEADS = ("flatten", "gap")


@dataclass(frozen=True)
class StageConfig:
    """`convs` conv layers of `channels` filters, then one pooling and dropout."""

    channels: int
    kernel: int = 3
    convs: int = 1
    activation: str = "relu"
    negative_slope: float = 0.01  # for leaky_relu
    batch_norm: bool = True
    bn_after_activation: bool = False  # seed-vgg3 puts BN after the activation
    pool: str = "max"  # 2x2, stride 2
    dropout: float = 0.0
    # Pool right after the stage's last conv, before its batch norm and activation (airbench's
    # order). Max-pooling commutes with the monotone activations and with batch norm of positive
    # scale, so the function class is nearly the same, while batch norm and the activation run on
    # a quarter of the pixels: 1.25x seed-4conv's bare training step on 2 CPU cores (docs/history/BENCHMARKS.md).
    pool_first: bool = added(False)


@dataclass(frozen=True)
class FCConfig:
    """A hidden fully connected layer (the 7-way output layer is implicit)."""

    width: int
    activation: str = "relu"
    negative_slope: float = 0.01
    batch_norm: bool = False
    bn_after_activation: bool = False
    dropout: float = 0.0


@dataclass(frozen=True)
class ModelConfig:
    name: str
    stages: tuple[StageConfig, ...]
    fc: tuple[FCConfig, ...] = field(default_factory=tuple)
    in_channels: int = 1
    image_size: int = 48
    num_classes: int = 7
    head: str = added("flatten")  # one of HEADS
    head_dropout: float = added(0.0)  # dropout right before the 7-way output layer

    def __post_init__(self):
        for s in self.stages:
            if s.activation not in ACTIVATIONS or s.pool not in POOLS or s.kernel % 2 == 0:
                raise ValueError(f"bad stage {s}: activation in {ACTIVATIONS}, pool in {POOLS}, odd kernel")
            if s.pool_first and s.pool == "none":
                raise ValueError(f"bad stage {s}: pool_first needs a pool")
        for f in self.fc:
            if f.activation not in ACTIVATIONS:
                raise ValueError(f"bad fc layer {f}")
        if self.head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, not {self.head!r}")
        if not self.stages:
            raise ValueError("a model needs at least one conv stage")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> "ModelConfig":
        return cls(
            name=d["name"],
            stages=tuple(StageConfig(**s) for s in d["stages"]),
            fc=tuple(FCConfig(**f) for f in d.get("fc", ())),
            in_channels=d.get("in_channels", 1),
            image_size=d.get("image_size", 48),
            num_classes=d.get("num_classes", 7),
            **{k: d[k] for k in ("head", "head_dropout") if k in d},
        )
