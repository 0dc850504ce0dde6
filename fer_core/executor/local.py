"""The local executor (the default; Ray is never imported): detached runs are worker processes
on this machine, blocking ones train in this process; both wait in the device queues
(`train/slots.py`): one run per CPU machine, one per GPU index or `runs_per_gpu` sharing it."""

from collections.abc import Callable

import torch

from fer_core.executor.base import Executor, Job, Outcome
from fer_core.train.engine import Callbacks, resolve_device
from fer_core.train.executor_settings import ExecutorSettings
from fer_core.train.runs import Run
from fer_core.train.session import launch, train_in_process


class LocalExecutor(Executor):
    name = "local"

    def __init__(self, settings: ExecutorSettings | None = None):
        self.settings = settings or ExecutorSettings.from_env()

    def submit(self, run: Run, resume: bool = False) -> None:
        launch(run, resume=resume)

    def train(
        self,
        jobs: list[Job],
        callbacks: Callbacks | None = None,
        on_start: Callable[[Run], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[Outcome]:
        """One after another in this process; a failed run is recorded and the next goes on,
        a stopped one (or `should_stop`) ends the rest, which are left as they were."""
        outcomes: list[Outcome] = []
        for run, resume in jobs:
            if should_stop and should_stop() or any(o.status == "stopped" for o in outcomes):
                outcomes.append(Outcome(run.id, "stopped", "not started: the batch was stopped"))
                continue
            if on_start:
                on_start(run)
            try:
                result = train_in_process(run, resume=resume, callbacks=callbacks)
            except Exception:  # recorded in the run's status with its reason
                outcomes.append(Outcome.of(run))
                continue
            outcomes.append(Outcome.of(run, result))
        return outcomes

    def describe(self) -> dict:
        cuda = torch.cuda.is_available()
        queues = f"{torch.cuda.device_count()} GPU(s) x {self.settings.runs_per_gpu} run(s)" if cuda else "one run at a time on the CPU"
        return {**super().describe(), "queues": queues, "device": str(resolve_device("auto"))}
