"""What the app does on a person's behalf, checked against `access` first: start, stop, resume and
delete runs, start and stop studies. Every check happens here, on the server, whatever the page
showed: a button a student re-enabled in the browser reaches the same refusal (issue 37).

With `access.LOCAL` (sign-in off, the laptop) every check passes and nothing is recorded, so the
app behaves as before. The CLI calls the plain functions (`start_or_resume`, `train.stop`, ...)."""

import shutil

from fer_core.access import LOCAL, ClassPolicy, Refused, User, check_own, check_queue, owner_name, owner_of, write_owner
from fer_core.executor import get_executor
from fer_core.handle.store import SHIPPED, shipped_name
from fer_core.paths import size_on_disk
from fer_core.study.runner import launch_study, runner_alive, stop_study
from fer_core.study.study import Study, list_studies
from fer_core.train import Plan, Run, RunError, Started, list_runs, prepare_run, summary
from fer_core.train import stop as stop_run


def active_owned(user: User) -> int:
    """The user's runs queued or training, and their studies whose runner is alive."""
    runs = sum(1 for r in list_runs() if owner_of(r.dir) == user.email and r.has_status and r.status().status.active)
    return runs + sum(1 for s in list_studies() if owner_of(s.dir) == user.email and runner_alive(s))


def start_as(user: User, policy: ClassPolicy | None, cfg) -> Started:
    """`executor.start_or_resume` for `user`: a finished identical run is theirs to see; a new run
    is recorded as theirs; someone else's stopped run is resumed only by them or a teacher; a
    student past the class's queue limit is refused before anything is made."""
    if user is not LOCAL:
        check_queue(user, policy, active_owned(user))
    run, plan = prepare_run(cfg)
    if plan in (Plan.NEW, Plan.RESUME) and owner_of(run.dir) is not None:  # someone's stopped or failed run
        check_own(user, "resume", run.dir, f"run {run.id}")
    if plan in (Plan.NEW, Plan.RESUME):
        write_owner(run.dir, user)  # a run nobody owned (the CLI's) becomes whoever trains it on
        get_executor().submit(run, resume=plan is Plan.RESUME)
    return Started(run, plan)


def stop_as(user: User, run: Run) -> None:
    check_own(user, "stop", run.dir, f"run {run.id}")
    stop_run(run)


def resume_as(user: User, policy: ClassPolicy | None, run: Run) -> None:
    check_own(user, "resume", run.dir, f"run {run.id}")
    if user is not LOCAL:
        check_queue(user, policy, active_owned(user))
    if reason := run.config().retired_reason():
        raise RunError(f"run {run.id}: {reason}")
    get_executor().submit(run, resume=run.resumable)


def check_deletable(run: Run) -> None:
    """A shipped model is never deleted from the app: `fer runs delete NAME --unship` does it."""
    if name := shipped_name(run):
        raise RunError(f"{name} is the {SHIPPED[name]}: the app never deletes it (`fer runs delete {name} --unship` does)")


def deletion_note(run: Run) -> str:
    """What deleting `run` removes, said before it is removed: its epochs, its size, its owner."""
    s = summary(run)
    size = size_on_disk(run.dir)
    best = f", best validation accuracy {s.best['val_acc']:.1%}" if s.best else ""
    who = f"started by {owner_name(run.dir)}" if owner_of(run.dir) else "started without sign-in (no recorded owner)"
    return (
        f"Run {run.id} ({s.config['arch']} on {s.config['data']}, {s.status}): {s.epochs_done} of {s.config['epochs']} epochs "
        f"trained{best}; {size / 1e6:.1f} MB of weights, curves and caches; {who}. This cannot be undone."
    )


def delete_run_as(user: User, run: Run) -> None:
    """Remove a run's directory (weights, curves, caches); refused while it trains, and for a shipped model."""
    check_deletable(run)
    check_own(user, "delete", run.dir, f"run {run.id}")
    if run.has_status and run.status().status.active:
        raise RunError(f"run {run.id} is {run.status().status}: stop it before deleting it")
    gone = run.dir.with_name(f".deleting-{run.id}")
    run.dir.rename(gone)  # one rename: no reader sees half a run
    shutil.rmtree(gone, ignore_errors=True)


def launch_study_as(user: User, policy: ClassPolicy | None, study: Study) -> None:
    """Start (or resume) a study's runner; its runs are recorded as the study's owner's."""
    if owner_of(study.dir) is not None:
        check_own(user, "resume", study.dir, f"study {study.id}")
    if user is not LOCAL:
        check_queue(user, policy, active_owned(user))
    write_owner(study.dir, user)
    launch_study(study)


def stop_study_as(user: User, study: Study) -> None:
    check_own(user, "stop", study.dir, f"study {study.id}")
    stop_study(study)


__all__ = [
    "Refused",
    "active_owned",
    "check_deletable",
    "delete_run_as",
    "deletion_note",
    "launch_study_as",
    "resume_as",
    "start_as",
    "stop_as",
    "stop_study_as",
]
