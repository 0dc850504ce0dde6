"""The executor interface without Ray: local device queues (one per CPU machine, per GPU index
or `runs_per_gpu` sharing one), where a run trained, settings, and Ray never imported."""

import json
import subprocess
import sys

import pytest
import torch

from fer_core.cli import main
from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.executor import ExecutorSettings, get_executor, where_label
from fer_core.executor.local import LocalExecutor
from fer_core.paths import checkpoints_dir
from fer_core.train import TrainConfig, list_runs, prepare_run, summary
from fer_core.train.slots import device_slots, try_slots


def test_a_cpu_machine_is_one_queue():
    slots = device_slots(torch.device("cpu"), runs_per_gpu=4)
    assert slots == [(torch.device("cpu"), checkpoints_dir() / ".device-cpu.lock")]


def test_each_gpu_is_a_queue_of_runs_per_gpu_slots_idle_gpus_first():
    slots = device_slots(torch.device("cuda"), runs_per_gpu=2, gpu_count=2)
    assert [str(d) for d, _ in slots] == ["cuda:0", "cuda:1", "cuda:0", "cuda:1"]
    assert len({p for _, p in slots}) == 4
    assert [str(d) for d, _ in device_slots(torch.device("cuda", 1), runs_per_gpu=3, gpu_count=2)] == ["cuda:1"] * 3


def test_a_slot_is_taken_while_held_and_free_again_after():
    slots = device_slots(torch.device("cuda"), runs_per_gpu=2, gpu_count=2)
    held = [try_slots(slots) for _ in range(3)]
    assert [str(d) for d, _ in held] == ["cuda:0", "cuda:1", "cuda:0"]
    fourth = try_slots(slots)
    assert str(fourth[0]) == "cuda:1" and try_slots(slots) is None  # every slot taken: the next run queues
    fourth[1].__exit__()
    again = try_slots(slots)
    assert str(again[0]) == "cuda:1"
    for _, lock in [*held, again]:
        lock.__exit__()


@pytest.mark.parametrize(
    ("env", "value", "text"), [("FER_RUNS_PER_GPU", "two", "not a whole number"), ("FER_RAY_CPUS_PER_RUN", "0", "at least 1")]
)
def test_bad_settings_name_the_variable(monkeypatch, env, value, text):
    monkeypatch.setenv(env, value)
    with pytest.raises(ValueError, match=text) as err:
        ExecutorSettings.from_env()
    assert "FER_" in str(err.value)


def test_settings_from_env(monkeypatch):
    monkeypatch.setenv("FER_RUNS_PER_GPU", "4")
    s = ExecutorSettings.from_env()
    assert s.runs_per_gpu == 4 and s.gpu_share == 0.25 and s.ray_address == ""
    assert ExecutorSettings.from_env("auto").ray_address == "auto"


def test_the_local_executor_never_imports_ray(data_dir):
    code = (
        "import sys; from fer_core.executor import get_executor, start_or_resume; "
        "ex = get_executor(); ex.describe(); print(type(ex).__name__, 'ray' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["LocalExecutor", "False"]


@pytest.mark.slow
def test_a_run_records_where_it_trained(data_dir, capsys):
    save_dataset(synth_dataset("demo", n=280))
    run, _ = prepare_run(TrainConfig(data="demo", arch="small", epochs=1, batch_size=32, device="cpu"))
    executor = get_executor("")
    assert isinstance(executor, LocalExecutor)
    [outcome] = executor.train([(run, False)])
    assert outcome.status == "finished" and outcome.result is not None
    where = run.status().where
    assert where["executor"] == "local" and where["device"] == "cpu" and where["host"]
    assert summary(run).where == where and list(summary(run).trained_on) == [where]
    assert where_label(where) == "local cpu"
    assert main(["runs", "list", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["where"] == where and [r.id for r in list_runs()] == [row["id"]]


def test_an_unknown_cluster_address_form_is_refused_before_anything(data_dir, capsys):
    pytest.importorskip("ray")  # requirements-cluster.txt; the dev requirements install it
    save_dataset(synth_dataset("demo", n=140))
    assert main(["train", "--data", "demo", "--arch", "small", "--cluster", "not-an-address"]) == 2
    assert "expected auto or HOST:PORT" in capsys.readouterr().err
    assert list_runs() == []
