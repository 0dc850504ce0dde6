"""Train page widgets that turn into a ModelConfig and a TrainConfig."""

import streamlit as st

from fer_core.augment import AugmentConfig
from fer_core.identity import field_help
from fer_core.inference import TTA_LABELS, TTA_MODES
from fer_core.models import PRESETS, FCConfig, ModelConfig, StageConfig
from fer_core.models.config import ACTIVATIONS, POOLS
from fer_core.normalize import Normalization
from fer_core.precision import PRECISIONS
from fer_core.train import TrainConfig
from fer_core.train.config import DEVICES, MIXUP_MAX, OPTIMIZERS, SCHEDULERS
from fer_core.train.recipes import DEFAULT_RECIPE, RECIPES, Recipe, get_recipe

PRESET_HELP = {
    "small": "compact default, trains well on a laptop CPU",
    "seed-4conv": "4 conv (32 5x5, 64, 128, 128) + BN + LeakyReLU(0.2) + pool; FC 1152-256-7",
    "fast-4conv": "seed-4conv pooled before BN and activation (airbench's order): nearly the same net, 1.25x its bare training step",
    "seed-vgg3": "3 stages x 3 convs (32 5x5, 128, 512), LeakyReLU then BN; FC 18432-512-7",
    "seed-6conv": "6 conv 3x3 + BN + ReLU with pools; FC 4608-1024-7",
    "vgg-fer": "VGG of Khaireddin & Chen (2021): 64/128/256/512, 2 convs a stage; FC 4096-4096-7",
    "vgg10-gap": "the stronger preset: 9 conv 3x3 (32, 64x2, 128x3, 256x3) + BN + ReLU, global average pool; 1.9 M params",
    "vgg8-gap": "vgg10-gap with 2 convs in its last two stages (32, 64x2, 128x2, 256x2): 1.2 M params, 96 M MAC",
    "vgg8-gap-fast": "vgg8-gap with half the filters at 48 and 24 px (16, 32x2, 128x2, 256x2): ~1.4x faster to train on a CPU",
    "vgg10-gap-fast": "vgg10-gap with half the filters at 48 and 24 px (16, 32x2, 128x3, 256x3): 1.8 M params, vgg8-gap's speed",
    "vgg8-gap-lite": "vgg8-gap's 7 convs, narrower (16, 32x2, 96x2, 192x2), global average pool: the quick recipe's network",
    "vgg8-grid": "vgg8-gap's convs; the last maps average-pooled to 3x3 and flattened, so the head knows where on the face a feature is",
    "tiny": "16/32/48/64 channels, 84 k params: for the demo faces and quick studies",
}


def model_form(prefix: str = "train") -> ModelConfig | None:
    """Preset picker, or a stage-by-stage custom builder; None if the custom one is invalid."""
    options = [*PRESETS, "custom"]
    st.session_state.setdefault(f"{prefix}_arch", get_recipe(DEFAULT_RECIPE).config.arch)  # the recipe picker sets it
    arch = st.selectbox(
        "Architecture",
        options,
        key=f"{prefix}_arch",
        format_func=lambda a: "custom (build your own)" if a == "custom" else f"{a} - {PRESET_HELP.get(a, 'a preset')}",
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


# Each widget's key and the config value it shows: the recipe picker writes these into the session
# state, and every widget reads its value from there, so picking a recipe shows every field it sets.
def _widget_values(cfg: TrainConfig) -> dict:
    a = cfg.augment
    return {
        "train_arch": cfg.arch,
        "train_epochs": cfg.epochs,
        "train_batch": cfg.batch_size,
        "train_lr": cfg.lr,
        "train_opt": cfg.optimizer,
        "train_momentum": cfg.momentum,
        "train_sched": cfg.scheduler,
        "train_wd": cfg.weight_decay,
        "train_ls": cfg.label_smoothing,
        "train_ema": cfg.ema,
        "train_mixup": cfg.mixup,
        "train_swa": cfg.swa_epochs,
        "train_swa_lr": cfg.swa_lr_share,
        "train_norm": str(cfg.normalization),
        "train_eq": cfg.equalize,
        "train_cw": cfg.class_weights,
        "train_seed": cfg.seed,
        "train_val_tta": cfg.val_tta,
        "train_aug_shift": a.shift,
        "train_aug_flip": a.flip,
        "train_aug_rot": a.rotate_deg,
        "train_aug_scale": a.scale,
        "train_aug_erase": a.erase_p,
        "train_device": cfg.device,
        "train_precision": cfg.precision,
    }


def _help(name: str) -> str | None:
    """The option's one description, from its TrainConfig field."""
    return field_help(TrainConfig, name)


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
    for key, value in _widget_values(get_recipe(name).config).items():
        st.session_state.setdefault(key, value)
    recipe = get_recipe(name)
    st.caption(f"Measured: {recipe.measured}")
    return recipe


def train_config_form(datasets: list[str], model: ModelConfig | None) -> TrainConfig | None:
    """The training fields, each showing the picked recipe's value until changed (recipe_picker first)."""
    data = st.selectbox("Data set", datasets, key="train_data")
    c1, c2, c3 = st.columns(3)
    epochs = c1.number_input("Epochs", 1, 500, key="train_epochs", help=_help("epochs"))
    batch = c2.selectbox("Batch size", [32, 64, 128, 256], key="train_batch", help=_help("batch_size"))
    lr = c3.number_input("Peak learning rate", 1e-5, 1.0, format="%.4f", key="train_lr", help=_help("lr"))
    with st.expander("Optimiser, regularisation, preprocessing, augmentation"):
        c1, c2 = st.columns(2)
        optimizer = c1.selectbox("Optimiser", OPTIMIZERS, key="train_opt", help=_help("optimizer"))
        momentum = c2.number_input(
            "SGD momentum", 0.0, 0.999, format="%.3f", key="train_momentum", disabled=optimizer != "sgd", help=_help("momentum")
        )
        scheduler = c1.selectbox("Schedule", SCHEDULERS, key="train_sched", help=_help("scheduler"))
        weight_decay = c2.number_input("Weight decay", 0.0, 1.0, format="%.4f", key="train_wd", help=_help("weight_decay"))
        smoothing = c1.number_input("Label smoothing", 0.0, 0.5, step=0.05, key="train_ls", help=_help("label_smoothing"))
        ema = c2.number_input("Weight averaging (EMA decay, 0 = off)", 0.0, 0.9999, format="%.4f", key="train_ema", help=_help("ema"))
        mixup = c1.number_input("Mixup (Beta alpha, 0 = off)", 0.0, MIXUP_MAX, step=0.1, key="train_mixup", help=_help("mixup"))
        most = max(int(epochs) - 1, 0)  # at least one epoch before the averaging
        st.session_state.train_swa = min(st.session_state.train_swa, most)
        swa_epochs = c2.number_input(
            "Averaged last epochs (SWA, 0 = off)",
            0,
            most,
            key="train_swa",
            help=_help("swa_epochs"),
        )
        swa_lr_share = c1.number_input(
            "SWA learning rate (share of the peak)",
            0.01,
            1.0,
            step=0.05,
            key="train_swa_lr",
            disabled=not swa_epochs,
            help=_help("swa_lr_share"),
        )
        normalization = c2.selectbox("Normalisation", [str(n) for n in Normalization], key="train_norm", help=_help("normalization"))
        seed = c1.number_input("Seed", 0, 1_000_000, key="train_seed", help=_help("seed"))
        val_tta = c2.selectbox(
            "Validation test-time augmentation",
            TTA_MODES,
            key="train_val_tta",
            format_func=TTA_LABELS.get,
            help=_help("val_tta"),
        )
        # Full width: their labels do not fit half of the narrow column.
        equalize = st.checkbox("Histogram-equalise every face", key="train_eq", help=_help("equalize"))
        weights = st.checkbox("Class weights (rare classes count more)", key="train_cw", help=_help("class_weights"))
        st.markdown("**Augmentation** (on the device, per batch; 0 = off)")
        a = st.columns(5)
        aug = AugmentConfig(
            shift=float(a[0].number_input("Shift (px)", 0.0, 12.0, step=1.0, key="train_aug_shift")),
            flip=a[1].checkbox("Flip", key="train_aug_flip"),
            rotate_deg=float(a[2].number_input("Rotate (deg)", 0.0, 45.0, step=1.0, key="train_aug_rot")),
            scale=float(a[3].number_input("Scale", 0.0, 0.5, step=0.05, key="train_aug_scale")),
            erase_p=float(a[4].number_input("Erase (p)", 0.0, 1.0, step=0.1, key="train_aug_erase")),
        )
        c1, c2 = st.columns(2)
        device = c1.radio("Device", DEVICES, horizontal=True, key="train_device", help=_help("device"))
        precision = c2.radio(
            "Precision",
            PRECISIONS,
            horizontal=True,
            key="train_precision",
            help=_help("precision"),
        )
    if model is None:
        return None
    arch = model.name if model.name in PRESETS else "custom"
    try:
        return TrainConfig(
            data=data,
            arch=arch,
            model=model,
            epochs=int(epochs),
            batch_size=int(batch),
            optimizer=optimizer,
            lr=float(lr),
            momentum=float(momentum),
            weight_decay=float(weight_decay),
            scheduler=scheduler,
            label_smoothing=float(smoothing),
            mixup=float(mixup),
            class_weights=weights,
            ema=float(ema),
            augment=aug,
            normalization=normalization,
            equalize=equalize,
            seed=int(seed),
            device=device,
            precision=precision,
            val_tta=val_tta,
            swa_epochs=int(swa_epochs),
            swa_lr_share=float(swa_lr_share),
        )
    except ValueError as exc:  # a combination the config refuses (e.g. SWA with a plateau schedule)
        st.error(str(exc))
        return None
