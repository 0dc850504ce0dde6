"""`fer study --data NAME --vary FACTOR=V1,V2 [--vary ...] [--seeds 3] [every `fer train` option] [--json]`
and `fer study list|show|stop|resume ID`: the Study page from the command line."""

import json
import sys

from tqdm import tqdm

from fer_core.cli.train import add_cluster_option, add_train_options, config_from_args
from fer_core.executor import get_executor
from fer_core.study.factors import FACTORS, parse_vary
from fer_core.study.questions import STUDY_EPOCHS
from fer_core.study.results import results, to_markdown
from fer_core.study.runner import run_study, runner_alive, stop_study
from fer_core.study.study import DEFAULT_SEEDS, define_study, list_studies, load_study, progress

COMMANDS = ("list", "show", "stop", "resume")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "study",
        help="train variants x seeds of a base config and compare them (does augmentation help?)",
        description="Vary 1 or 2 settings: "
        + "; ".join(f"{n} ({', '.join(f.choices) if f.choices else 'numbers'})" for n, f in FACTORS.items()),
    )
    p.add_argument("command", nargs="?", choices=COMMANDS, help="list the studies, or show / stop / resume one (default: run one)")
    p.add_argument("id", nargs="?", help="the study id, for show / stop / resume")
    p.add_argument("--vary", action="append", default=[], metavar="FACTOR=V1,V2", help="a setting and 2-4 values (1 or 2 of these)")
    p.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help=f"seeds per variant (default {DEFAULT_SEEDS})")
    p.add_argument("--title", default="", help="the question, for the report")
    p.add_argument("--json", action="store_true", help="print the variants with settings, run ids, mean and standard error")
    p.add_argument("--markdown", metavar="FILE", help="also write the report as Markdown")
    add_train_options(p)
    add_cluster_option(p)
    p.set_defaults(func=cmd_study, epochs=STUDY_EPOCHS)  # studies train several runs: shorter by default


def _report(study, a) -> int:
    rows = results(study)
    if a.markdown:
        from fer_core.atomic import write_text

        write_text(a.markdown, to_markdown(study, rows))
    if a.json:
        print(
            json.dumps(
                {"id": study.id, "status": study.status(), "progress": progress(study), "variants": [r.to_json() for r in rows]}, indent=2
            )
        )
    else:
        print(to_markdown(study, rows))
    return 0


def _train(study, a) -> int:
    bar = tqdm(total=sum(len(v.run_ids) for v in study.variants()), desc=study.id, unit="run", file=sys.stderr)

    def on_run(i, n, rid, plan):
        bar.n = i
        bar.set_postfix_str(f"{rid} ({plan})")
        bar.refresh()

    executor = get_executor(a.cluster)  # an unreachable cluster fails here, before anything changes
    try:
        counts = run_study(study, on_run=on_run, executor=executor)
    except KeyboardInterrupt:
        stop_study(study)
        raise
    finally:
        bar.close()
    print(
        f"study {study.id}: {counts['cached']} cached, {counts['trained']} trained, {counts['stopped']} stopped, {counts['failed']} failed",
        file=sys.stderr,
    )
    return _report(study, a)


def cmd_study(a) -> int:
    if a.command is None:
        if a.id:
            raise ValueError(f"unexpected {a.id!r}: to run a study give --vary; to see one, `fer study show {a.id}`")
        if not a.vary:
            raise ValueError("a study needs at least one --vary FACTOR=V1,V2 (e.g. --vary augment=off,on)")
        study = define_study(config_from_args(a), [parse_vary(v) for v in a.vary], a.seeds, a.title)
        return _train(study, a)
    if a.command == "list":
        for s in list_studies():
            p = progress(s)
            print(f"{s.id}  {s.status():<8} {p['fraction']:>5.0%}  {' x '.join(v.factor for v in s.varies)}  {s.title}")
        return 0
    if not a.id:
        raise ValueError(f"`fer study {a.command}` needs a study id (`fer study list`)")
    study = load_study(a.id)
    if a.command == "show":
        return _report(study, a)
    if a.command == "stop":
        stop_study(study)
        print(f"asked study {study.id} to stop (its current run stops at the next step)")
        return 0
    if runner_alive(study):
        raise ValueError(f"study {study.id} is running already")
    return _train(study, a)
