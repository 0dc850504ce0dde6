"""Training a study's runs through the executor, from this process (`fer study`) or from a
detached worker (`python -m fer_core.study.runner STUDY_ID`, the Study page). Each run goes
through the same decision as any run (`prepare_run`): finished runs are cached and skipped,
stopped ones resume. A run that fails (a NaN loss, say) is marked with its reason and the
others go on. A stop request stops the runs in training (they can resume exactly) and ends
the runner."""

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable

from fer_core.access import inherit_owner
from fer_core.executor import get_executor
from fer_core.executor.base import Executor
from fer_core.study.study import Study, load_study
from fer_core.train.runs import FileLock, RunError
from fer_core.train.session import Plan, prepare_run


def run_study(
    study: Study, on_run: Callable[[int, int, str, str], None] | None = None, callbacks=None, executor: Executor | None = None
) -> dict[str, int]:
    """Train every run of `study` that is not finished, through the executor (the settings' one
    unless given: the local one trains them one after another, Ray spreads them over its nodes).
    `on_run(i, n, run_id, plan)` is told as each is decided or started; returns how many runs
    were cached, trained, stopped and failed."""
    counts = {"cached": 0, "trained": 0, "stopped": 0, "failed": 0}
    configs = [c for v in study.variants() for c in v.configs]
    executor = executor or get_executor()
    with FileLock(study.lock_path):
        study.clear_stop()
        jobs, busy, order = [], [], {}
        for i, cfg in enumerate(configs):
            run, plan = prepare_run(cfg)
            if plan in (Plan.NEW, Plan.RESUME):
                inherit_owner(study.dir, run.dir)  # the study's owner may stop and delete its runs
            order[run.id] = (i, str(plan))
            if plan is Plan.CACHED:
                counts["cached"] += 1
                if on_run:
                    on_run(i, len(configs), run.id, str(plan))
            elif plan is Plan.BUSY:  # another process trains it: wait for it rather than train twice
                busy.append(run)
            else:
                jobs.append((run, plan is Plan.RESUME))

        def started(run) -> None:
            if on_run:
                i, plan = order[run.id]
                on_run(i, len(configs), run.id, plan)

        for outcome in executor.train(jobs, callbacks=callbacks, on_start=started, should_stop=study.stop_requested):
            counts["trained" if outcome.status == "finished" else outcome.status] += 1
        for run in busy:
            while run.status().status.active and not study.stop_requested():
                time.sleep(0.5)
            counts["stopped" if study.stop_requested() else "cached"] += 1
    return counts


def stop_study(study: Study) -> None:
    """Ask the runner to stop: the current run stops at its next step and the runner ends."""
    study.request_stop()
    for run in study.runs():
        if run.exists and run.trainer_alive():
            run.request_stop()


def runner_alive(study: Study) -> bool:
    if not study.lock_path.exists():
        return False
    try:
        with FileLock(study.lock_path):
            return False
    except RunError:
        return True


def launch_study(study: Study, wait: float = 15.0) -> None:
    """Train the study in a detached worker; returns once the worker holds the study."""
    if runner_alive(study):
        raise RunError(f"study {study.id} is already running")
    study.clear_stop()
    cmd = [sys.executable, "-m", "fer_core.study.runner", study.id]
    with open(study.log_path, "ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=os.environ.copy())
    deadline = time.time() + wait
    while time.time() < deadline:
        if runner_alive(study):
            return
        if proc.poll() is not None:
            return  # nothing left to train, or it failed: the study's status says which
        time.sleep(0.1)
    raise RunError(f"study {study.id}: the runner did not start within {wait:.0f} s (see {study.log_path})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("study_id")
    a = ap.parse_args(argv)
    counts = run_study(load_study(a.study_id), on_run=lambda i, n, rid, plan: print(f"[{i + 1}/{n}] {rid}: {plan}", flush=True))
    print(counts, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
