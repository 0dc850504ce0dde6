"""`python -m fer_core.train.worker RUN_ID [--resume]`: the detached trainer process."""

import argparse
import sys

from fer_core.train.runs import Run
from fer_core.train.session import train_in_process


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("run_id")
    ap.add_argument("--resume", action="store_true")
    a = ap.parse_args(argv)
    try:
        train_in_process(Run.at(a.run_id), resume=a.resume)
    except Exception as exc:  # already recorded in status.json; the log keeps the trace
        print(f"training failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
