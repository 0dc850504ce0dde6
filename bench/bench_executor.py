"""Many runs at once (issue 16): eight short runs through the local executor (one queue: one
after another, each with every core) against a two-node Ray cluster on this machine (Ray's
`ray.cluster_utils.Cluster`, one CPU per node: two runs at a time, one thread each). Both in
one process on one machine; prints runs per hour and the ratio, with the CPU named.

    python bench/bench_executor.py [--runs 8] [--epochs 3] [--faces 7000] [--json OUT.json]

On a GPU machine `--gpu-shares 1,4` also compares one run per GPU with several sharing it
(Ray's GPU fraction); without a GPU that part is skipped and says so.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from report import emit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _jobs(store: Path, n: int, epochs: int, device: str):
    os.environ["FER_CHECKPOINTS_DIR"] = str(store)
    from fer_core.train import TrainConfig, prepare_run

    cfgs = [TrainConfig(data="demo", arch="tiny", epochs=epochs, seed=s, device=device) for s in range(n)]
    return [(prepare_run(c)[0], False) for c in cfgs]


def _timed(executor, jobs) -> dict:
    t = time.perf_counter()
    outcomes = executor.train(jobs)
    wall = time.perf_counter() - t
    assert all(o.status == "finished" for o in outcomes), outcomes
    nodes = {run.status().where.get("node") or "local" for run, _ in jobs}
    return {"wall_s": round(wall, 1), "runs_per_hour": round(len(jobs) * 3600 / wall, 1), "nodes_used": len(nodes)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--faces", type=int, default=7000)
    ap.add_argument("--gpu-shares", default="1,4")
    ap.add_argument("--json")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-executor-"))
    os.environ["FER_DATA_DIR"] = str(tmp / "data")
    import torch

    from fer_core.data import save_dataset
    from fer_core.data.synth import synth_dataset
    from fer_core.executor import ExecutorSettings, get_executor
    from fer_core.precision import cpu_description

    save_dataset(synth_dataset("demo", n=a.faces))
    result = {"cpu": cpu_description(), "threads": torch.get_num_threads(), "runs": a.runs, "epochs": a.epochs, "faces": a.faces}
    result["local"] = _timed(get_executor(""), _jobs(tmp / "local", a.runs, a.epochs, "cpu"))

    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    try:
        ray_ex = get_executor(cluster.address)
        _timed(ray_ex, _jobs(tmp / "warm", 2, 1, "cpu"))  # start each node's worker (imports torch) outside the timing
        result["ray_two_nodes"] = _timed(ray_ex, _jobs(tmp / "ray", a.runs, a.epochs, "cpu"))
        result["ratio_ray_over_local"] = round(result["ray_two_nodes"]["runs_per_hour"] / result["local"]["runs_per_hour"], 2)
        if torch.cuda.is_available():
            for share in map(int, a.gpu_shares.split(",")):
                ex = get_executor(settings=ExecutorSettings(ray_address=cluster.address, runs_per_gpu=share))
                result[f"gpu_{share}_per_gpu"] = _timed(ex, _jobs(tmp / f"gpu{share}", a.runs, a.epochs, "cuda"))
        else:
            result["gpu"] = "no GPU on this machine: the per-GPU comparison was not run"
    finally:
        ray.shutdown()
        cluster.shutdown()
    emit(result, a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
