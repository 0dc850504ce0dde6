"""The executor interface: every caller (CLI, Train page, studies) starts, stops and resumes
runs through one. Stopping is the same everywhere (a stop file in the run directory, which the
trainer polls), so an executor only decides where and when a run trains."""

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from fer_core.paths import checkpoints_dir, data_dir
from fer_core.train.engine import Callbacks, TrainResult
from fer_core.train.runs import Run, RunStatus

Job = tuple[Run, bool]  # a run and whether to resume it


@dataclass(frozen=True)
class Outcome:
    """How one run of `Executor.train` ended."""

    run_id: str
    status: str  # finished | stopped | failed
    message: str = ""
    result: TrainResult | None = None  # the local executor's in-process result

    @classmethod
    def of(cls, run: Run, result: TrainResult | None = None) -> "Outcome":
        st = run.status()
        status = {RunStatus.FINISHED: "finished", RunStatus.STOPPED: "stopped"}.get(st.status, "failed")
        return cls(run.id, status, st.message, result)


class Executor(ABC):
    name: str = ""

    @abstractmethod
    def submit(self, run: Run, resume: bool = False) -> None:
        """Start `run` detached (it outlives the caller's page or command); returns once handed over."""

    @abstractmethod
    def train(
        self,
        jobs: list[Job],
        callbacks: Callbacks | None = None,
        on_start: Callable[[Run], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[Outcome]:
        """Train `jobs` and wait for them: one outcome per job, in order. `should_stop` is polled;
        once true, runs not yet started are not started (the local executor ends at a stopped run)."""

    def describe(self) -> dict:
        """What Home and `fer runs list` show about where runs train."""
        return {"executor": self.name, "store": str(checkpoints_dir()), "data": str(data_dir())}
