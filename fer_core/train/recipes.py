"""Recipes: what a user picks to train. A recipe is a named, complete training config (architecture,
epochs, optimiser, schedule, augmentation magnitudes, preprocessing, validation TTA), with the
figures it was measured at beside it; `fer train --recipe NAME` and the Train page start from one,
and any option given on top overrides it. The data set is the user's choice, never the recipe's.

Figures: FER2013's original pixels, PublicTest, on 2 CPU cores (docs/RESULTS.md has each row's
command and CPU)."""

from dataclasses import dataclass, replace

from fer_core.augment import AugmentConfig
from fer_core.train.config import TrainConfig


@dataclass(frozen=True)
class Recipe:
    name: str
    config: TrainConfig  # complete; its `data` is a placeholder the user's choice replaces
    summary: str  # one line for pickers and `fer train --help`
    measured: str  # what it scored, in how long, where (docs/RESULTS.md)

    def for_data(self, data: str, **overrides) -> TrainConfig:
        """The recipe's config on data set `data`, with `overrides` (TrainConfig fields) on top."""
        return replace(self.config, data=data, **overrides)


# The long recipe of the shipped FER2013 model: SGD with Nesterov momentum at a high peak rate, label
# smoothing 0.1, and stronger augmentation than the quick recipe can use in its few epochs.
_SHIPPED = TrainConfig(
    arch="vgg10-gap-fast",
    epochs=80,
    optimizer="sgd",
    lr=0.05,
    weight_decay=5e-4,
    label_smoothing=0.1,
    augment=AugmentConfig(shift=4.0, rotate_deg=10.0, scale=0.1, erase_p=0.5),
    seed=1,
)

# The shipped FER+ model (issue 33): the shipped recipe, learning the distribution of the ten FER+
# votes over FER+'s eight emotions (labels "votes" beat "majority" on two seeds: docs/RESULTS.md).
# It needs a data set imported with its votes (`fer data import fer2013.csv --ferplus fer2013new.csv`).
_FERPLUS = replace(_SHIPPED, labels="votes")

RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in (
        Recipe(
            "quick",
            TrainConfig(),  # TrainConfig's own defaults are the quick recipe
            "vgg8-gap-lite, 15 epochs, AdamW one-cycle, mild augmentation: a first model in minutes",
            "65.2% single pass, 66.0% flip TTA (mean of seeds 0 and 1) in 6.6 min on 2 cores (Intel Xeon, AMX)",
        ),
        Recipe(
            "shipped",
            _SHIPPED,
            "vgg10-gap-fast, 80 epochs, SGD one-cycle, strong augmentation and erasing: the shipped FER2013 model",
            "69.4% single pass, 70.4% flip TTA, 70.1% 10-crop (seed 1) in 58 min on 2 cores (Intel Xeon, AMX); the shipped model",
        ),
        Recipe(
            "ferplus",
            _FERPLUS,
            "the shipped recipe on FER+'s ten votes, eight emotions: the shipped FER+ model (needs a data set with FER+ votes)",
            "89.6% single pass, 90.4% flip TTA against the FER+ majority (PublicTest faces with one, seed 1) "
            "in 66 min on 2 cores (Intel Xeon, AMX); the shipped FER+ model",
        ),
    )
}
DEFAULT_RECIPE = "quick"


def get_recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; one of {', '.join(RECIPES)}")
    return RECIPES[name]
