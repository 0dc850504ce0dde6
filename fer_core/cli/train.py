"""`fer train ...` and `fer runs list|show|stop|resume|ship`. Every default and choice is read
from the config classes (TrainConfig, AugmentConfig), so the CLI and the app cannot drift."""

import argparse
import json
import sys
from dataclasses import replace

from fer_core.augment import ERASE_P_WHEN_ON, AugmentConfig
from fer_core.cli.progress import TrainBar
from fer_core.data import load_dataset
from fer_core.executor import get_executor, where_label
from fer_core.executor.settings import RAY_ADDRESS_ENV
from fer_core.identity import field_help
from fer_core.inference import TTA_MODES
from fer_core.models import PRESETS
from fer_core.normalize import Normalization
from fer_core.precision import PRECISIONS
from fer_core.train import (
    Plan,
    Run,
    RunError,
    RunStatus,
    TrainConfig,
    list_runs,
    prepare_run,
    stop,
    summary,
)
from fer_core.train.config import DEVICES, OPTIMIZERS, SCHEDULERS
from fer_core.train.engine import total_steps
from fer_core.train.recipes import DEFAULT_RECIPE, RECIPES, get_recipe

AUGMENTS = {"shift": "shift", "flip": "flip", "rotate": "rotate_deg", "scale": "scale", "erase": "erase_p"}
# TrainConfig fields that take a plain value on the command line, as --name-with-dashes
PLAIN = (
    "data",
    "arch",
    "epochs",
    "batch_size",
    "optimizer",
    "lr",
    "momentum",
    "weight_decay",
    "scheduler",
    "label_smoothing",
    "mixup",
    "ema",
    "swa_epochs",
    "swa_lr_share",
    "val_tta",
    "normalization",
    "seed",
    "device",
    "precision",
)
SWITCHES = ("class_weights", "equalize")  # TrainConfig booleans: --name / --no-name
CHOICES = {
    "arch": list(PRESETS),
    "optimizer": OPTIMIZERS,
    "scheduler": SCHEDULERS,
    "val_tta": TTA_MODES,
    "normalization": [str(n) for n in Normalization],
    "device": DEVICES,
    "precision": PRECISIONS,
}


def _help(text: str) -> str:
    """A field's help as argparse wants it (it expands % itself)."""
    return text.replace("%", "%%")


def config_from_args(a) -> TrainConfig:
    """The recipe's config with every option given on the command line on top of it."""
    base = get_recipe(a.recipe).config
    given = {k: v for k in (*PLAIN, *SWITCHES) if (v := getattr(a, k)) is not None}
    aug = AugmentConfig.off() if a.no_augment else base.augment
    strengths = {"shift": a.shift, "rotate_deg": a.rotate, "scale": a.scale, "erase_p": a.erase, "crop": a.crop}
    aug = replace(aug, **{k: v for k, v in strengths.items() if v is not None})
    aug = replace(aug, **{AUGMENTS[n]: getattr(AugmentConfig.off(), AUGMENTS[n]) for n in a.no})
    return replace(base, **given, augment=aug)


def add_train_options(p) -> None:
    """`fer train`'s options (also the base config of `fer study`): a recipe, and any of its fields
    on top. An option not given keeps the recipe's value, so the defaults shown are the quick recipe's."""
    d = get_recipe(DEFAULT_RECIPE).config
    recipes = "; ".join(f"{r.name}: {r.summary}" for r in RECIPES.values())
    p.add_argument("--recipe", default=DEFAULT_RECIPE, choices=list(RECIPES), help=f"the complete config to start from ({recipes})")
    for name in PLAIN:
        default = getattr(d, name)
        p.add_argument(
            f"--{name.replace('_', '-')}",
            type=type(default),
            choices=CHOICES.get(name),
            help=_help(f"{field_help(TrainConfig, name)} ({DEFAULT_RECIPE}: {default})"),
        )
    for name in SWITCHES:
        p.add_argument(f"--{name.replace('_', '-')}", action=argparse.BooleanOptionalAction, help=_help(field_help(TrainConfig, name)))
    p.add_argument("--no-val-tta", dest="val_tta", action="store_const", const="none", help="same as --val-tta none")
    aug = d.augment
    p.add_argument("--shift", type=float, help=f"max shift in pixels (default {aug.shift})")
    p.add_argument("--rotate", type=float, help=f"max rotation in degrees (default {aug.rotate_deg})")
    p.add_argument("--scale", type=float, help=f"max zoom in or out, a share (default {aug.scale})")
    p.add_argument(
        "--erase",
        type=float,
        nargs="?",
        const=ERASE_P_WHEN_ON,
        help=f"random-erasing probability (default {aug.erase_p}; {ERASE_P_WHEN_ON} if given alone)",
    )
    p.add_argument("--crop", type=int, help=f"train on random CROP x CROP windows, 0 = whole faces (default {aug.crop})")
    p.add_argument("--no-augment", action="store_true", help="switch every augmentation off")
    p.add_argument("--no", action="append", default=[], choices=list(AUGMENTS), help="switch one augmentation off (repeatable)")


def add_cluster_option(p) -> None:
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help=f"train on a Ray cluster: auto or HOST:PORT (default ${RAY_ADDRESS_ENV}; unset: this machine)",
    )


def _train(run: Run, resume: bool, executor) -> int:
    """Train `run` through the executor (here, or on the cluster) with a tqdm bar; the outcome in one line."""
    cfg = run.config()
    n_train = len(load_dataset(cfg.data).split_indices(cfg.train_split))
    done = max((m["step"] for m in run.metrics()), default=0) if resume else 0
    bar = TrainBar(total_steps(cfg, n_train), done)
    try:
        outcome = executor.train([(run, resume)], callbacks=[bar])[0]
    finally:
        bar.close()
    if outcome.status == "failed":
        print(f"error: run {run.id} failed: {outcome.message}", file=sys.stderr)
        return 3
    if outcome.status == "stopped":
        print(f"run {run.id} stopped; continue with `fer runs resume {run.id}`")
        return 0
    where = run.status().where or {}
    place = f" on {where_label(where)}" if where.get("node") else ""  # a cluster node; nothing to add here
    print(f"run {run.id} finished{place}: best {cfg.val_split} accuracy {_best(run):.4f} -> {run.dir}")
    return 0


def _best(run: Run) -> float:
    s = summary(run)
    return s.best["val_acc"] if s.best else float("nan")


def cmd_train(a) -> int:
    executor = get_executor(a.cluster)  # an unreachable cluster fails here, before a run is made
    run, plan = prepare_run(config_from_args(a))  # the same decision as the Train page's
    if plan is Plan.CACHED:
        print(f"cached: run {run.id} already finished ({run.status().message}) -> {run.dir}")
        return 0
    if plan is Plan.BUSY:
        print(f"run {run.id} is already training (status {run.status().status}); watch it with `fer runs show {run.id}`")
        return 0
    if plan is Plan.RESUME:
        print(f"run {run.id} was {run.status().status}: resuming from its last state")
    return _train(run, resume=plan is Plan.RESUME, executor=executor)


def cmd_runs_list(a) -> int:
    rows = [summary(r) for r in list_runs()]
    if a.json:
        print(json.dumps([r.to_json() for r in rows], indent=2))
        return 0
    if not rows:
        print("no runs yet: `fer train --data demo --arch small`")
    for r in rows:
        best = f"best val acc {r.best['val_acc']:.4f} (epoch {r.best['epoch']})" if r.best else "no epoch yet"
        print(f"{r.id:<40} {r.status:<9} {r.progress:>5.0%}  {best}  {where_label(r.where) or '-'}  {r.message}")
    return 0


def _run(run_id: str) -> Run:
    run = Run.at(run_id)
    if not run.dir.is_dir():
        raise RunError(f"no run {run_id!r} in {run.dir.parent}")
    return run


def cmd_runs_show(a) -> int:
    s = summary(_run(a.id)).to_json()
    if a.json:
        s["metrics"] = _run(a.id).metrics()
        print(json.dumps(s, indent=2))
    else:
        print(json.dumps({k: v for k, v in s.items() if k != "config"}, indent=2))
    return 0


def cmd_runs_stop(a) -> int:
    stop(_run(a.id))
    print(f"asked run {a.id} to stop at the next step")
    return 0


def cmd_runs_resume(a) -> int:
    run = _run(a.id)
    status = run.status().status
    if status is RunStatus.FINISHED:
        print(f"run {a.id} is finished; nothing to resume")
        return 0
    if status.active:
        print(f"error: run {a.id} is {status}", file=sys.stderr)
        return 2
    return _train(run, resume=run.resumable, executor=get_executor(a.cluster))


def cmd_runs_ship(a) -> int:
    from fer_core.model_card import ship
    from fer_core.model_store import default_dir

    rep = ship(a.id, a.data, a.command, a.hardware, tta=a.tta, selection=a.selection)
    print(f"shipped {a.id} to {default_dir()}: PublicTest accuracy {rep['accuracy']:.4f}, macro-F1 {rep['macro_f1']:.3f}")
    return 0


def add_parsers(sub) -> None:
    p = sub.add_parser("train", help="train a model (returns a finished identical run at once)")
    add_train_options(p)
    add_cluster_option(p)
    p.set_defaults(func=cmd_train)

    runs = sub.add_parser("runs", help="list, show, stop and resume runs").add_subparsers(dest="runs_command", required=True)
    p = runs.add_parser("list", help="every run with its status and best metrics")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_runs_list)
    for name, func, text in (
        ("show", cmd_runs_show, "one run's status and metrics"),
        ("stop", cmd_runs_stop, "stop at the next step"),
        ("resume", cmd_runs_resume, "continue a stopped or failed run here"),
    ):
        p = runs.add_parser(name, help=text)
        p.add_argument("id")
        if name == "show":
            p.add_argument("--json", action="store_true")
        if name == "resume":
            add_cluster_option(p)
        p.set_defaults(func=func)
    p = runs.add_parser("ship", help="make a finished run the default model (checkpoints/default) with its model card")
    p.add_argument("id")
    p.add_argument("--data", default="fer2013", help="data set whose PublicTest split the card reports")
    p.add_argument("--command", default="", help="the command that trained it, for the card")
    p.add_argument("--hardware", help="where it trained, for the card")
    p.add_argument("--tta", default="10crop", choices=TTA_MODES, help="the test-time augmentation the card recommends")
    p.add_argument("--selection", default="", help="a paragraph for the card: how this run was chosen among others (seeds, runs)")
    p.set_defaults(func=cmd_runs_ship)
