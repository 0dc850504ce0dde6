"""`fer train ...` and `fer runs list|show|stop|resume|ship`. Every default and choice is read
from the config classes (TrainConfig, AugmentConfig), so the CLI and the app cannot drift."""

import argparse
import json
import shutil
import sys
from dataclasses import replace

from fer_core.augment import ERASE_P_WHEN_ON, TRANSFORMS, AugmentConfig
from fer_core.cli.progress import TrainBar
from fer_core.data import load_dataset
from fer_core.executor import get_executor, where_label
from fer_core.handle.store import DEFAULT, SHIPPED
from fer_core.inference import TTA_MODES
from fer_core.models import get_preset
from fer_core.options import Option, specs
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
from fer_core.train.config import RETIRED
from fer_core.train.engine import labelled_rows, total_steps
from fer_core.train.executor_settings import RAY_ADDRESS_ENV
from fer_core.train.recipes import DEFAULT_RECIPE, RECIPES, get_recipe

# Every option TrainConfig and AugmentConfig declare is a flag (`--name`, booleans `--name/--no-name`),
# its help, type and choices read from the declaration.
OPTIONS = specs(TrainConfig)
AUGMENT_OPTIONS = [o for o in specs(AugmentConfig) if o.kind is not bool]  # flip is `--no flip`
# The flags of retired options (TrainConfig's RETIRED, issue 36): given, they stop `fer train` with the reason.
RETIRED_FLAGS = {"--" + key.split(".")[-1].replace("_", "-"): why for key, (_, why) in RETIRED.items()}


def _help(text: str) -> str:
    """A field's help as argparse wants it (it expands % itself)."""
    return text.replace("%", "%%")


class _Retired(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        parser.error(f"{option_string} was retired: {RETIRED_FLAGS[option_string]} (docs/RESULTS.md, 'Measured and not kept')")


def config_from_args(a) -> TrainConfig:
    """The recipe's config with every option given on the command line on top of it."""
    base = get_recipe(a.recipe).config
    given = {o.name: v for o in OPTIONS if (v := getattr(a, o.name)) is not None}
    if a.init:
        given["init"] = a.init
    aug = AugmentConfig.off() if a.no_augment else base.augment
    aug = replace(aug, **{o.name: v for o in AUGMENT_OPTIONS if (v := getattr(a, o.name)) is not None})
    aug = replace(aug, **{TRANSFORMS[n]: getattr(AugmentConfig.off(), TRANSFORMS[n]) for n in a.no})
    return replace(base, **given, augment=aug)


def _typed(o: Option):
    """argparse's `type` for option `o`: its kind, checked against its declared range, and a
    retired preset named as such."""

    def convert(text: str):
        try:
            if o.name == "arch":
                get_preset(text)  # says whether a name that is no preset was one once (retired)
            return o.check(o.kind(text))
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = o.kind.__name__
    return convert


def _add(p, o: Option, shown_default) -> None:
    """One declared option as a flag; not given, it keeps the recipe's value (None here)."""
    text = _help(f"{o.help} ({DEFAULT_RECIPE}: {shown_default})")
    if o.kind is bool:
        p.add_argument(o.flag, dest=o.name, action=argparse.BooleanOptionalAction, help=text)
    elif o.name == "erase_p":  # `--erase` alone switches erasing on at its usual probability
        p.add_argument(
            o.flag, dest=o.name, type=float, nargs="?", const=ERASE_P_WHEN_ON, help=_help(f"{o.help} ({ERASE_P_WHEN_ON} if given alone)")
        )
    else:
        p.add_argument(
            o.flag,
            dest=o.name,
            type=_typed(o),
            metavar=o.name.upper(),
            help=f"{text}; one of {', '.join(map(str, o.choices))}" if o.choices else text,
        )


def add_train_options(p) -> None:
    """`fer train`'s options (also the base config of `fer study`): a recipe, and any of its fields
    on top. An option not given keeps the recipe's value, so the defaults shown are the quick recipe's."""
    d = get_recipe(DEFAULT_RECIPE).config
    recipes = "; ".join(f"{r.name}: {r.summary}" for r in RECIPES.values())
    p.add_argument("--recipe", default=DEFAULT_RECIPE, choices=list(RECIPES), help=f"the complete config to start from ({recipes})")
    for o in OPTIONS:
        _add(p, o, getattr(d, o.name))
    p.add_argument(
        "--init",
        metavar="MODEL",
        help="fine-tune: start from this model's best weights (a run id, or default / ferplus) instead of random ones; "
        "same architecture and classes",
    )
    p.add_argument("--no-val-tta", dest="val_tta", action="store_const", const="none", help="same as --val-tta none")
    for o in AUGMENT_OPTIONS:
        _add(p, o, getattr(d.augment, o.name))
    p.add_argument("--no-augment", action="store_true", help="switch every augmentation off")
    p.add_argument("--no", action="append", default=[], choices=list(TRANSFORMS), help="switch one augmentation off (repeatable)")
    for flag in RETIRED_FLAGS:
        p.add_argument(flag, action=_Retired, help=argparse.SUPPRESS)


def add_cluster_option(p) -> None:
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help=f"train on a Ray cluster: auto or HOST:PORT (default ${RAY_ADDRESS_ENV}; unset: this machine)",
    )


def _train(run: Run, resume: bool, executor) -> int:
    """Train `run` through the executor (here, or on the cluster) with a tqdm bar; the outcome in one line."""
    cfg = run.config()
    n_train = len(labelled_rows(cfg, load_dataset(cfg.data))[0])
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
    if reason := run.config().retired_reason():
        print(f"error: run {a.id}: {reason}", file=sys.stderr)
        return 2
    return _train(run, resume=run.resumable, executor=get_executor(a.cluster))


def cmd_runs_delete(a) -> int:
    """Delete a run; a shipped model only with --unship (the app never deletes one)."""
    from fer_core.access import LOCAL
    from fer_core.classroom import check_deletable, delete_run_as, deletion_note
    from fer_core.handle.store import shipped_dir

    run = Run(a.id, shipped_dir(a.id)) if a.id in SHIPPED else _run(a.id)
    if not run.dir.is_dir():
        raise RunError(f"no shipped model {a.id!r} at {run.dir}")
    note = deletion_note(run)
    if a.id in SHIPPED:
        if not a.unship:
            check_deletable(run)  # says to pass --unship
        shutil.rmtree(run.dir)
    else:
        delete_run_as(LOCAL, run)
    print(f"deleted: {note.removesuffix(' This cannot be undone.')}")
    return 0


def cmd_runs_ship(a) -> int:
    from fer_core.handle.ship import ship
    from fer_core.handle.store import shipped_dir

    rep = ship(a.id, a.data, a.command, a.hardware, tta=a.tta, selection=a.selection, name=a.name, real=a.real)
    truth = "the FER+ majority" if rep["labels"] == "ferplus" else "FER2013's labels"
    where = f"shipped {a.id} as {a.name!r} to {shipped_dir(a.name)}"
    print(f"{where}: PublicTest accuracy {rep['accuracy']:.4f} against {truth}, macro-F1 {rep['macro_f1']:.3f}")
    return 0


def cmd_runs_card(a) -> int:
    from fer_core.handle.ship import card_real_faces

    rep = card_real_faces(a.name, a.real)
    print(
        f"{a.name}'s card: on {rep['data']} ({rep['found']}), {rep['accuracy']:.1f}% accuracy, "
        f"{rep['macro_recall']:.1f} macro recall over FER2013's seven emotions"
    )
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
    p = runs.add_parser("delete", help="delete a run (weights, curves, caches); a shipped model only with --unship")
    p.add_argument("id")
    p.add_argument("--unship", action="store_true", help="allow deleting a shipped model (default, ferplus): the app never does")
    p.set_defaults(func=cmd_runs_delete)
    p = runs.add_parser("ship", help="make a finished run a shipped model (checkpoints/<name>) with its model card")
    p.add_argument("id")
    p.add_argument(
        "--as",
        dest="name",
        default=DEFAULT,
        choices=list(SHIPPED),
        help="which shipped model it becomes: " + "; ".join(f"{k}: the {v}" for k, v in SHIPPED.items()),
    )
    p.add_argument("--data", default="fer2013", help="data set whose PublicTest split the card reports (with FER+ votes for a FER+ model)")
    p.add_argument("--command", default="", help="the command that trained it, for the card")
    p.add_argument("--hardware", help="where it trained, for the card")
    p.add_argument("--tta", default="10crop", choices=TTA_MODES, help="the test-time augmentation the card recommends")
    p.add_argument("--selection", default="", help="a paragraph for the card: how this run was chosen among others (seeds, runs)")
    p.add_argument("--real", metavar="PHOTO_SET", help="a photo set (`fer data import PHOTOS/`) whose real-face figures the card gives")
    p.set_defaults(func=cmd_runs_ship)
    p = runs.add_parser("card", help="give a shipped model's card its real-face figures, measured now on a photo set")
    p.add_argument("name", choices=list(SHIPPED))
    p.add_argument("--real", metavar="PHOTO_SET", required=True, help="a photo set (`fer data import PHOTOS/`)")
    p.set_defaults(func=cmd_runs_card)
