"""The fixed vocabulary of FER2013: classes, splits, image size."""

# Class order of the challenge's `emotion` column; every data set uses it.
CLASSES: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
NUM_CLASSES = len(CLASSES)
# FER+ (data/ferplus.py) has an eighth emotion. A model's classes are the first `num_classes` of
# this one vocabulary (its ModelConfig saves how many), so class k means the same in a FER2013
# model and a FER+ model, in their confusion matrices and in the votes' majority.
FERPLUS_CLASSES: tuple[str, ...] = (*CLASSES, "contempt")
CONTEMPT = FERPLUS_CLASSES.index("contempt")

# Split ids are indices into this tuple (stored as uint8 in a data set file).
SPLITS: tuple[str, ...] = ("Training", "PublicTest", "PrivateTest")
TRAINING, PUBLIC_TEST, PRIVATE_TEST = range(3)

IMAGE_SIZE = 48  # FER2013 faces are 48x48 grayscale
NUM_PIXELS = IMAGE_SIZE * IMAGE_SIZE

# Spellings users have for the split column / folder names, lower-cased.
SPLIT_ALIASES: dict[str, int] = {
    "training": TRAINING,
    "train": TRAINING,
    "publictest": PUBLIC_TEST,
    "public_test": PUBLIC_TEST,
    "privatetest": PRIVATE_TEST,
    "private_test": PRIVATE_TEST,
}


def classes_for(num_classes: int) -> tuple[str, ...]:
    """The class names of a model (or data set) of `num_classes` classes: FER2013's 7 or FER+'s 8."""
    if num_classes not in (len(CLASSES), len(FERPLUS_CLASSES)):
        raise ValueError(f"a model has {len(CLASSES)} (FER2013) or {len(FERPLUS_CLASSES)} (FER+) classes, not {num_classes}")
    return FERPLUS_CLASSES[:num_classes]


def class_index(name: str) -> int | None:
    """Index of a class name (case-insensitive), or None when it is not one of CLASSES."""
    key = name.strip().lower()
    return CLASSES.index(key) if key in CLASSES else None


def split_index(name: str) -> int | None:
    """Index of a split name in any usual spelling, or None."""
    return SPLIT_ALIASES.get(name.strip().lower())
