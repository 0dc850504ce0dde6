"""The `fer` command: mirrors the dashboard. `fer --help` lists the commands."""

import argparse
import sys

from fer_core.cli import classroom, data, evaluate, explain, export, lessons, predict, study, train
from fer_core.train import RunError


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="fer", description="FER Lab: facial-expression CNNs, from the command line.")
    sub = ap.add_subparsers(dest="command", required=True)
    data.add_parser(sub)
    train.add_parsers(sub)
    evaluate.add_parser(sub)
    explain.add_parsers(sub)
    predict.add_parser(sub)
    study.add_parser(sub)
    classroom.add_parser(sub)
    lessons.add_parser(sub)
    export.add_parser(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, FileExistsError, RunError) as exc:  # a message, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
