"""`python -m fer_core.executor.local_cluster --nodes 2`: a Ray cluster of several nodes on this
one machine (Ray's `ray.cluster_utils.Cluster`), to try the cluster executor without a second
machine: start it, then the app or the CLI with the FER_RAY_ADDRESS it prints. Ctrl-C ends it."""

import argparse
import signal
import sys

from fer_core.train.executor_settings import RAY_ADDRESS_ENV


def _interrupt(*_):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=2)
    ap.add_argument("--cpus-per-node", type=int, default=1)
    a = ap.parse_args(argv)
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": a.cpus_per_node})
    for _ in range(a.nodes - 1):
        cluster.add_node(num_cpus=a.cpus_per_node)
    cluster.wait_for_nodes()
    print(f"{a.nodes} nodes up. In another shell:\n  export {RAY_ADDRESS_ENV}={cluster.address}", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` ends it as cleanly as Ctrl-C
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
