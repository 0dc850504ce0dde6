"""The Ray executor on a real two-node cluster on this machine (Ray's own
`ray.cluster_utils.Cluster`, one CPU per node): a 2 x 2 study spreads over both nodes; a node
removed mid-run leaves the run interrupted, and resuming it on the other node ends with the
weights of an uninterrupted run; an unreachable head changes nothing."""

import os
import time

import pytest
import torch

from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.executor import ExecutorSettings, get_executor
from fer_core.executor.ray_cluster import ClusterError, RayExecutor
from fer_core.study.factors import parse_vary
from fer_core.study.runner import run_study
from fer_core.study.study import define_study
from fer_core.train import RunStatus, TrainConfig, prepare_run, train_in_process
from tests.conftest import in_ci

if not in_ci():  # CI installs requirements-cluster.txt and must run these
    pytest.importorskip("ray")
import ray  # noqa: E402
from ray.cluster_utils import Cluster  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    c.add_node(num_cpus=1)
    c.wait_for_nodes()
    yield c
    ray.shutdown()
    c.shutdown()


@pytest.fixture
def executor(cluster, data_dir):
    return get_executor(cluster.address)


def _base(**kw) -> TrainConfig:
    return TrainConfig(**{"data": "demo", "arch": "small", "epochs": 1, "batch_size": 32, "device": "cpu", **kw})


def _alive_nodes() -> set[str]:
    return {n["NodeID"] for n in ray.nodes() if n["Alive"]}


def test_a_2x2_study_spreads_over_both_nodes(executor):
    save_dataset(synth_dataset("demo", n=280))
    assert isinstance(executor, RayExecutor) and len(executor.describe()["nodes"]) == 2
    study = define_study(_base(), [parse_vary("normalization=none,per_image"), parse_vary("augment=off,on")], seeds=1)
    counts = run_study(study, executor=executor)
    assert counts == {"cached": 0, "trained": 4, "stopped": 0, "failed": 0}
    places = [r.status().where for r in study.runs()]
    assert {p["executor"] for p in places} == {"ray"} and {p["device"] for p in places} == {"cpu"}
    assert {p["node"] for p in places} == _alive_nodes()  # both nodes trained
    assert run_study(study, executor=executor)["cached"] == 4  # asking again trains nothing


def test_the_same_run_asked_twice_trains_once(executor):
    # As two app processes sharing one store would: both queue the run before either task starts.
    save_dataset(synth_dataset("demo", n=280))
    run, _ = prepare_run(_base(epochs=2, seed=9))
    executor.submit(run)
    executor.submit(run)
    results = ray.get(list(executor._tasks.values())[-1:])  # the second task's answer
    deadline = time.time() + 120
    while run.status().status is not RunStatus.FINISHED:
        assert time.time() < deadline, run.status()
        time.sleep(0.2)
    assert results[0]["status"] in ("busy", "finished")
    assert [m["epoch"] for m in run.metrics() if m["kind"] == "epoch"] == [1, 2] and len(run.status().trained_on) == 1


def test_a_node_lost_mid_run_resumes_on_the_other_with_nothing_lost(cluster, executor, tmp_path):
    save_dataset(synth_dataset("demo", n=1400))  # ~30 steps an epoch: time to land the kill mid-epoch
    cfg = _base(epochs=4, seed=5, log_every=2)
    run, _ = prepare_run(cfg)
    head = next(n for n in cluster.list_all_nodes() if n.head)
    # Keep the head's CPU busy so the run lands on the second node, the one that will be lost.
    blocker = ray.remote(lambda: time.sleep(3600)).options(
        num_cpus=1, scheduling_strategy=ray.util.scheduling_strategies.NodeAffinitySchedulingStrategy(head.node_id, soft=False)
    )
    hold = blocker.remote()
    executor.submit(run)

    def mid_epoch_two() -> bool:  # a step point past the first epoch's saved state: the kill lands mid-epoch
        return run.status().status is RunStatus.RUNNING and any(m["kind"] == "step" and m["epoch"] > 1 for m in run.metrics())

    deadline = time.time() + 300
    while not mid_epoch_two():
        assert time.time() < deadline, f"the run did not reach its second epoch: {run.status()}"
        time.sleep(0.2)
    lost = run.status().where["node"]
    assert lost != head.node_id
    cluster.remove_node(next(n for n in cluster.list_all_nodes() if n.node_id == lost), allow_graceful=False)
    while run.trainer_alive():
        assert time.time() < deadline + 30
        time.sleep(0.2)
    st = run.status()
    assert st.status is RunStatus.FAILED and "interrupted" in st.message and run.resumable
    ray.cancel(hold, force=True)
    try:
        [outcome] = executor.train([(run, True)])
        assert outcome.status == "finished", outcome
        assert run.status().where["node"] == head.node_id  # resumed on the other node
        assert [p["node"] for p in run.status().trained_on] == [lost, head.node_id]
        metrics = run.metrics()
        assert [m["epoch"] for m in metrics if m["kind"] == "epoch"] == [1, 2, 3, 4]
        steps = [m["step"] for m in metrics if m["kind"] == "step"]
        assert steps == sorted(steps) and len(steps) == len(set(steps))  # continuous: each point once
        # The same config trained without a break, with the one thread a one-CPU Ray task uses.
        os.environ["FER_CHECKPOINTS_DIR"] = str(tmp_path / "reference")
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            ref, _ = prepare_run(cfg)
            train_in_process(ref, device=torch.device("cpu"))
        finally:
            torch.set_num_threads(threads)
        ours, theirs = run.load_weights("last"), ref.load_weights("last")
        assert ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours)
    finally:
        cluster.add_node(num_cpus=1)  # two nodes again for any later test
        cluster.wait_for_nodes()


def test_an_unreachable_head_says_so_and_changes_nothing(data_dir, monkeypatch):
    save_dataset(synth_dataset("demo", n=140))
    before = sorted(p.name for p in (data_dir.parent / "checkpoints").iterdir())
    monkeypatch.setattr(ray, "is_initialized", lambda: False)  # as in a fresh app process
    with pytest.raises(ClusterError, match=r"cannot reach the Ray head at 127\.0\.0\.1:9") as err:
        get_executor(settings=ExecutorSettings(ray_address="127.0.0.1:9"))
    assert "nothing was started" in str(err.value)
    assert sorted(p.name for p in (data_dir.parent / "checkpoints").iterdir()) == before
