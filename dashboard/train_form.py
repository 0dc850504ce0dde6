"""Train page widgets that turn into a ModelConfig and a TrainConfig."""

from dataclasses import replace

import streamlit as st
from option_widgets import option_input

from fer_core.augment import AugmentConfig
from fer_core.inference import TTA_LABELS
from fer_core.label_sources import LEARNED, TRUTHS
from fer_core.models import PRESET_SUMMARIES, PRESETS, FCConfig, ModelConfig, StageConfig
from fer_core.models.config import ACTIVATIONS, POOLS
from fer_core.options import spec, specs
from fer_core.train import TrainConfig
from fer_core.train.recipes import DEFAULT_RECIPE, RECIPES, Recipe, get_recipe


def model_form(prefix: str = "train") -> ModelConfig | None:
    """Preset picker, or a stage-by-stage custom builder; None if the custom one is invalid."""
    options = [*PRESETS, "custom"]
    st.session_state.setdefault(f"{prefix}_arch", get_recipe(DEFAULT_RECIPE).config.arch)  # the recipe picker sets it
    arch = st.selectbox(
        spec(TrainConfig, "arch").label,
        options,
        key=f"{prefix}_arch",
        help=spec(TrainConfig, "arch").help,
        format_func=lambda a: "custom (build your own)" if a == "custom" else f"{a} - {PRESET_SUMMARIES[a]}",
    )
    if arch != "custom":
        return PRESETS[arch]
    base = PRESETS["seed-4conv"]  # the homework's network: its layout (convs, then FC layers) is what the builder expresses
    rows = [
        {
            "channels": s.channels,
            "kernel": s.kernel,
            "convs": s.convs,
            "activation": s.activation,
            "batch_norm": s.batch_norm,
            "pool": s.pool,
            "pool_first": s.pool_first,
            "dropout": s.dropout,
        }
        for s in base.stages
    ]
    edited = st.data_editor(
        rows,
        num_rows="dynamic",
        key=f"{prefix}_stages",
        hide_index=True,
        column_config={
            "channels": st.column_config.NumberColumn(min_value=1, max_value=1024, step=1),
            "kernel": st.column_config.SelectboxColumn(options=[1, 3, 5, 7]),
            "convs": st.column_config.NumberColumn(min_value=1, max_value=4, step=1),
            "activation": st.column_config.SelectboxColumn(options=list(ACTIVATIONS)),
            "pool": st.column_config.SelectboxColumn(options=list(POOLS)),
            "pool_first": st.column_config.CheckboxColumn(help="pool right after the last conv, before batch norm and activation"),
            "dropout": st.column_config.NumberColumn(min_value=0.0, max_value=0.9, step=0.05),
        },
    )
    c1, c2 = st.columns(2)
    widths = c1.text_input("Hidden FC widths", "256", key=f"{prefix}_fc", help="comma-separated; empty for none")
    fc_drop = c2.number_input("FC dropout", 0.0, 0.9, 0.5, 0.05, key=f"{prefix}_fc_drop")
    try:
        stages = tuple(
            StageConfig(
                int(r["channels"]),
                int(r["kernel"]),
                int(r["convs"]),
                r["activation"],
                batch_norm=bool(r["batch_norm"]),
                pool=r["pool"],
                pool_first=bool(r.get("pool_first")),
                dropout=float(r["dropout"]),
            )
            for r in edited
            if r.get("channels")
        )
        fc = tuple(FCConfig(int(w), dropout=fc_drop) for w in widths.replace(" ", "").split(",") if w)
        model = ModelConfig("custom", stages=stages, fc=fc)
        if 48 // 2 ** sum(s.pool != "none" for s in stages) < 1:
            raise ValueError("too many pooling stages for a 48x48 face")
        return model
    except (ValueError, TypeError, KeyError) as exc:
        st.error(f"Invalid architecture: {exc}")
        return None


# The form's options, in the order a user meets them; each widget's label, help and range come
# from the option's declaration (fer_core.options), its key is `train_<name>`. A declared option
# placed in none of these rows is shown at the end of the expander, so a new option needs no edit here.
TOP = ("epochs", "batch_size", "lr")
MORE = (
    ("optimizer", "momentum"),
    ("scheduler", "weight_decay"),
    ("label_smoothing", "ema"),
    ("normalization", "seed"),
    ("val_tta", "device"),
)
SWITCHES = ("equalize", "class_weights")  # full width: their labels do not fit half the narrow column
PICKED_ELSEWHERE = ("data", "arch")  # the data-set picker and the model form
AUGMENT = tuple(o.name for o in specs(AugmentConfig))
FORMATS = {"val_tta": TTA_LABELS.get}


def _rows() -> list[tuple[str, ...]]:
    """MORE, then every other declared option two to a row."""
    placed = {*TOP, *SWITCHES, *PICKED_ELSEWHERE, *(n for row in MORE for n in row)}
    rest = [o.name for o in specs(TrainConfig) if o.name not in placed]
    return [*MORE, *(tuple(rest[i : i + 2]) for i in range(0, len(rest), 2))]


def _key(name: str) -> str:
    return f"train_aug_{name}" if name in AUGMENT else f"train_{name}"


def _widget_values(cfg: TrainConfig) -> dict:
    """Each widget's key and the value `cfg` gives it: the recipe picker writes these into the
    session state, and every widget reads its value from there."""
    names = (*TOP, *(n for row in _rows() for n in row), *SWITCHES)
    return {"train_arch": cfg.arch, **{_key(n): getattr(cfg, n) for n in names}, **{_key(n): getattr(cfg.augment, n) for n in AUGMENT}}


def _apply_recipe() -> None:
    st.session_state.update(_widget_values(get_recipe(st.session_state.train_recipe).config))


def recipe_picker() -> Recipe:
    """The recipe the form starts from; picking one sets every field it holds."""
    names = list(RECIPES)
    name = st.selectbox(
        "Recipe",
        names,
        index=names.index(DEFAULT_RECIPE),
        key="train_recipe",
        on_change=_apply_recipe,
        format_func=lambda n: f"{n} - {RECIPES[n].summary}",
        help="A complete training config; change any field below on top of it.",
    )
    recipe = get_recipe(name)
    wanted = _widget_values(recipe.config)
    for key, value in wanted.items():
        st.session_state.setdefault(key, value)
    if changed := [f"{_name(key)} {st.session_state[key]}" for key, value in wanted.items() if st.session_state[key] != value]:
        # Its figures were measured on the recipe as it is; they say nothing of this config.
        st.caption(f"**{name} (changed: {', '.join(changed)})**: the recipe's measured figures do not apply to it.")
    else:
        st.caption(f"Measured: {recipe.measured}")
    return recipe


def _name(key: str) -> str:
    """A widget key's option name: train_epochs -> epochs, train_aug_shift -> shift, train_arch -> arch."""
    return key.removeprefix("train_aug_").removeprefix("train_")


def _input(where, name: str, **kwargs):
    cls = AugmentConfig if name in AUGMENT else TrainConfig
    return option_input(where, cls, name, _key(name), format_func=FORMATS.get(name), **kwargs)


def train_config_form(datasets: list[str], model: ModelConfig | None) -> TrainConfig | None:
    """The training fields, each showing the picked recipe's value until changed (recipe_picker first)."""
    values = {"data": st.selectbox("Data set", datasets, key="train_data", help=spec(TrainConfig, "data").help)}
    values |= {n: _input(c, n) for c, n in zip(st.columns(len(TOP)), TOP)}
    with st.expander("Optimiser, regularisation, preprocessing, augmentation"):
        for row in _rows():
            for c, n in zip(st.columns(2), row):
                disabled = n == "momentum" and values["optimizer"] != "sgd"
                values[n] = _input(c, n, disabled=disabled)
        values |= {n: _input(st, n) for n in SWITCHES}
        st.markdown("**Augmentation** (on the device, per batch; 0 = off)")
        rows = [AUGMENT[i : i + 3] for i in range(0, len(AUGMENT), 3)]  # three to a row: five do not fit the column
        aug = AugmentConfig(**{n: _input(c, n) for row in rows for c, n in zip(st.columns(3), row)})
    if model is None:
        return None
    arch = model.name if model.name in PRESETS else "custom"
    if arch == "custom":  # its classes are those of the labels it learns, as resolved() gives a preset
        model = replace(model, num_classes=len(TRUTHS[LEARNED[values["labels"]].truth].classes))
    try:
        # a preset's model is left for resolved() to fill, as `fer train` does: the same request, the same run id
        return TrainConfig(arch=arch, model=None if arch != "custom" else model, augment=aug, **values)
    except ValueError as exc:  # a combination the config refuses
        st.error(str(exc))
        return None
