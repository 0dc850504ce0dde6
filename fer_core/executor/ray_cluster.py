"""The Ray executor: each run is a Ray task with resources (CPUs, a GPU fraction) that Ray places
on any node. The run store and the data sets live on a path every node sees; the task is
handed both paths, so live curves, stop (a file), resume and caching work as they do locally.

Tasks are not retried by Ray: a node that dies mid-run leaves the run 'interrupted' and
resumable from its last epoch, on any node, by an ordinary resume. The run's lock (an flock
in the shared store) keeps two app processes from training one run twice.
"""

import os
import socket
import time
from collections.abc import Callable

from fer_core.executor.base import Executor, Job, Outcome
from fer_core.paths import checkpoints_dir, data_dir
from fer_core.train.engine import Callbacks
from fer_core.train.executor_settings import RAY_ADDRESS_ENV, ExecutorSettings
from fer_core.train.runs import Run, RunError, RunStatus

NAMESPACE = "fer-lab"
CONNECT_TIMEOUT_S = 3.0
POLL_S = 0.5


class ClusterError(RunError):
    """The cluster cannot be used (Ray missing, head unreachable); nothing was started."""


def _import_ray():
    try:
        import ray
    except ImportError:
        raise ClusterError("the Ray executor needs Ray: pip install -r requirements-cluster.txt") from None
    return ray


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fail fast, with the address in the message, when nothing listens at HOST:PORT
    (ray.init would otherwise retry for a minute). "auto" is checked by ray.init itself."""
    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"{RAY_ADDRESS_ENV}={address!r}: expected auto or HOST:PORT (a Ray head's address)")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ClusterError(f"cannot reach the Ray head at {address} ({exc}); nothing was started") from None


def connect(address: str):
    """This process joins the cluster at `address` (once); returns the ray module."""
    ray = _import_ray()
    if ray.is_initialized():
        return ray
    check_reachable(address)
    try:
        ray.init(address=address, namespace=NAMESPACE, log_to_driver=False, logging_level="warning")
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterError(f"cannot join the Ray cluster at {address}: {exc}; nothing was started") from None
    return ray


def train_task(run_id: str, store: str, data: str) -> dict:
    """The body of a run's Ray task, on whichever node Ray chose."""
    os.environ["FER_CHECKPOINTS_DIR"], os.environ["FER_DATA_DIR"] = store, data
    import ray
    import torch

    from fer_core.train.session import train_in_process

    run = Run.at(run_id)
    node = ray.get_runtime_context().get_node_id()
    if run.trainer_alive():  # another app process's task trains it: never twice
        return {"status": "busy", "node": node}
    if run.stop_requested():
        run.clear_stop()
        run.set_status(RunStatus.STOPPED, "stopped while queued")
        return {"status": "stopped", "node": node}
    device = torch.device("cuda", 0) if ray.get_gpu_ids() else torch.device("cpu")  # Ray set CUDA_VISIBLE_DEVICES
    try:
        train_in_process(run, resume=run.resumable, device=device, where={"executor": "ray", "node": node})
    except RunError as exc:
        if run.trainer_alive():  # its lock: another task took the run a moment before this one
            return {"status": "busy", "node": node}
        run.set_status(RunStatus.FAILED, str(exc))  # a damaged run file, say: named in the message
    except Exception:  # recorded in the run's status with its reason
        pass
    return {"status": str(run.status().status), "node": node}


class RayExecutor(Executor):
    name = "ray"

    def __init__(self, settings: ExecutorSettings):
        self.settings = settings
        self.ray = connect(settings.ray_address)
        self._train_task = self.ray.remote(train_task)
        self._tasks: dict[str, object] = {}  # run id -> ObjectRef of its task (kept so results can be read)

    def _resources(self, run: Run) -> dict:
        device = run.config().device
        has_gpu = self.ray.cluster_resources().get("GPU", 0) > 0
        wants_gpu = device == "cuda" or (device == "auto" and has_gpu)
        return {"num_cpus": self.settings.cpus_per_run, "num_gpus": self.settings.gpu_share if wants_gpu else 0}

    def submit(self, run: Run, resume: bool = False) -> None:
        """Queue `run` as a task (it resumes from its state if it has one: `resume` is implied)."""
        if run.trainer_alive():
            raise RunError(f"run {run.id} is already training")
        run.clear_stop()
        run.set_status(RunStatus.QUEUED, "queued on the Ray cluster", queued_by={"host": socket.gethostname(), "pid": os.getpid()})
        task = self._train_task.options(max_retries=0, name=f"fer-train-{run.id}", **self._resources(run))
        ref = task.remote(run.id, str(checkpoints_dir().resolve()), str(data_dir().resolve()))
        self._tasks[run.id] = ref
        ref.future().add_done_callback(lambda _f, run=run: _mark_lost(run))

    def train(
        self,
        jobs: list[Job],
        callbacks: Callbacks | None = None,
        on_start: Callable[[Run], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[Outcome]:
        """All at once: Ray spreads the tasks over the nodes. Each run's new metric records are
        passed to `callbacks` as they appear in the store (the CLI's bar)."""
        refs = {}
        for run, resume in jobs:
            if should_stop and should_stop():
                break
            self.submit(run, resume)
            refs[run.id] = self._tasks[run.id]
            if on_start:
                on_start(run)
        runs = {run.id: run for run, _ in jobs}
        seen = {rid: len(runs[rid].metrics()) for rid in refs}
        pending, stopping = list(refs.values()), False
        while pending:
            _, pending = self.ray.wait(pending, num_returns=len(pending), timeout=POLL_S)
            for rid in refs:
                seen[rid] = _relay(runs[rid], seen[rid], callbacks)
            if should_stop and should_stop() and not stopping:
                stopping = True
                for rid in refs:
                    runs[rid].request_stop()
        for rid in refs:  # a task that died has no result; its run's status says why
            try:
                self.ray.get(refs[rid])
            except Exception:
                _mark_lost(runs[rid])
        return [Outcome.of(run) if run.id in refs else Outcome(run.id, "stopped", "not started: the batch was stopped") for run, _ in jobs]

    def describe(self) -> dict:
        nodes = [
            {
                "node": n["NodeID"],
                "host": n.get("NodeManagerHostname", ""),
                "cpus": n["Resources"].get("CPU", 0),
                "gpus": n["Resources"].get("GPU", 0),
            }
            for n in self.ray.nodes()
            if n.get("Alive")
        ]
        totals = {"cpus": sum(n["cpus"] for n in nodes), "gpus": sum(n["gpus"] for n in nodes)}
        return {**super().describe(), "address": self.settings.ray_address, "nodes": nodes, **totals}


def _mark_lost(run: Run) -> None:
    """A task that ended without its run leaving 'queued' (its node died first, or it was
    cancelled): record that, so the run reads as interrupted and resumable."""
    time.sleep(0.1)  # the task's own last status write lands first
    try:
        st = run.status()
    except RunError:
        return
    if st.status is RunStatus.QUEUED and not run.trainer_alive():
        run.set_status(RunStatus.FAILED, "interrupted: its Ray task ended before training (node lost or task cancelled)")


def _relay(run: Run, seen: int, callbacks) -> int:
    if not callbacks:
        return seen
    records = run.metrics()
    for rec in records[seen:]:
        for cb in callbacks:
            cb(rec.get("kind", "step"), rec)
    return len(records)
