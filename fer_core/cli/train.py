"""`fer train ...` and `fer runs list|show|stop|resume`."""

import json
import sys
from dataclasses import replace

from fer_core.augment import AugmentConfig
from fer_core.cli.progress import TrainBar
from fer_core.data import load_dataset
from fer_core.models import PRESETS
from fer_core.precision import PRECISIONS
from fer_core.train import NonFiniteLoss, Run, RunError, TrainConfig, list_runs, prepare_run, stop, summary, train_in_process
from fer_core.train.config import OPTIMIZERS, SCHEDULERS
from fer_core.train.engine import total_steps

AUGMENTS = {"shift": "shift", "flip": "flip", "rotate": "rotate_deg", "scale": "scale", "erase": "erase_p"}


def config_from_args(a) -> TrainConfig:
    aug = AugmentConfig.off() if a.no_augment else TrainConfig().augment
    if a.erase is not None:
        aug = replace(aug, erase_p=a.erase)
    aug = replace(aug, **{AUGMENTS[n]: getattr(AugmentConfig.off(), AUGMENTS[n]) for n in a.no})
    return TrainConfig(
        data=a.data, arch=a.arch, epochs=a.epochs, batch_size=a.batch_size, optimizer=a.optimizer, lr=a.lr,
        weight_decay=a.weight_decay, scheduler=a.scheduler, label_smoothing=a.label_smoothing,
        class_weights=a.class_weights, ema=a.ema, val_tta=a.val_tta, augment=aug, normalization=a.normalization,
        seed=a.seed, device=a.device, precision=a.precision,
    )  # fmt: skip


def _train(run: Run, resume: bool) -> int:
    cfg = run.config()
    n_train = len(load_dataset(cfg.data).split_indices(cfg.train_split))
    done = max((m["step"] for m in run.metrics()), default=0) if resume else 0
    bar = TrainBar(total_steps(cfg, n_train), done)
    try:
        result = train_in_process(run, resume=resume, callbacks=[bar])
    except NonFiniteLoss as exc:
        print(f"error: run {run.id} stopped: {exc}", file=sys.stderr)
        return 3
    finally:
        bar.close()
    if result is None or result.status == "stopped":
        print(f"run {run.id} stopped; continue with `fer runs resume {run.id}`")
        return 0
    print(f"run {run.id} finished: best {cfg.val_split} accuracy {result.best_val_acc:.4f} -> {run.dir}")
    return 0


def cmd_train(a) -> int:
    run, state = prepare_run(config_from_args(a))
    if state == "finished":
        print(f"cached: run {run.id} already finished ({run.status().get('message', '')}) -> {run.dir}")
        return 0
    if state in ("queued", "running"):
        print(f"run {run.id} is already training (status {state}); watch it with `fer runs show {run.id}`")
        return 0
    resume = state in ("stopped", "failed") and run.resumable
    if resume:
        print(f"run {run.id} was {state}: resuming from its last state")
    return _train(run, resume)


def cmd_runs_list(a) -> int:
    rows = [summary(r) for r in list_runs()]
    if a.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no runs yet: `fer train --data demo --arch small`")
    for r in rows:
        best = f"best val acc {r['best']['val_acc']:.4f} (epoch {r['best']['epoch']})" if r["best"] else "no epoch yet"
        print(f"{r['id']:<40} {r['status']:<9} {r['progress']:>5.0%}  {best}  {r['message']}")
    return 0


def _run(run_id: str) -> Run:
    run = Run.at(run_id)
    if not run.dir.is_dir():
        raise RunError(f"no run {run_id!r} in {run.dir.parent}")
    return run


def cmd_runs_show(a) -> int:
    s = summary(_run(a.id))
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
    st = run.status()["status"]
    if st == "finished":
        print(f"run {a.id} is finished; nothing to resume")
        return 0
    if st in ("queued", "running"):
        print(f"error: run {a.id} is {st}", file=sys.stderr)
        return 2
    return _train(run, resume=run.resumable)


def add_parsers(sub) -> None:
    p = sub.add_parser("train", help="train a model (returns a finished identical run at once)")
    p.add_argument("--data", default="demo")
    p.add_argument("--arch", default="seed-4conv", choices=list(PRESETS))
    p.add_argument("--epochs", type=int, default=TrainConfig().epochs)
    p.add_argument("--batch-size", type=int, default=TrainConfig().batch_size)
    p.add_argument("--optimizer", default="adamw", choices=OPTIMIZERS)
    p.add_argument("--lr", type=float, default=TrainConfig().lr, help="peak learning rate")
    p.add_argument("--weight-decay", type=float, default=TrainConfig().weight_decay)
    p.add_argument("--scheduler", default="onecycle", choices=SCHEDULERS)
    p.add_argument("--label-smoothing", type=float, default=TrainConfig().label_smoothing)
    p.add_argument("--class-weights", action="store_true", help="weight classes by inverse frequency")
    p.add_argument("--ema", type=float, default=TrainConfig().ema, help="weight averaging decay (0: off)")
    p.add_argument("--no-val-tta", dest="val_tta", action="store_false", help="validate without flip test-time augmentation")
    p.add_argument("--erase", type=float, default=None, help="random-erasing probability (default 0: off)")
    p.add_argument("--no-augment", action="store_true", help="switch every augmentation off")
    p.add_argument("--no", action="append", default=[], choices=list(AUGMENTS), help="switch one augmentation off (repeatable)")
    p.add_argument("--normalization", default="per_image", choices=["none", "per_image", "dataset"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument(
        "--precision",
        default="auto",
        choices=PRECISIONS,
        help="bf16 autocast: auto = on CUDA and on CPUs with native bf16 (AVX512-BF16/AMX)",
    )
    p.set_defaults(func=cmd_train)

    runs = sub.add_parser("runs", help="list, show, stop and resume runs").add_subparsers(dest="runs_command", required=True)
    p = runs.add_parser("list", help="every run with its status and best metrics")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_runs_list)
    for name, func, text in [("show", cmd_runs_show, "one run's status and metrics"), ("stop", cmd_runs_stop, "stop at the next step"),
                             ("resume", cmd_runs_resume, "continue a stopped or failed run here")]:  # fmt: skip
        p = runs.add_parser(name, help=text)
        p.add_argument("id")
        if name == "show":
            p.add_argument("--json", action="store_true")
        p.set_defaults(func=func)
    p = runs.add_parser("ship", help="make a finished run the default model (checkpoints/default) with its model card")
    p.add_argument("id")
    p.add_argument("--data", default="fer2013", help="data set whose PublicTest split the card reports")
    p.add_argument("--command", default="", help="the command that trained it, for the card")
    p.add_argument("--hardware", help="where it trained, for the card")
    p.set_defaults(func=cmd_runs_ship)


def cmd_runs_ship(a) -> int:
    from fer_core.model_card import ship
    from fer_core.model_store import default_dir

    rep = ship(a.id, a.data, a.command, a.hardware)
    print(f"shipped {a.id} to {default_dir()}: PublicTest accuracy {rep['accuracy']:.4f}, macro-F1 {rep['macro_f1']:.3f}")
    return 0
