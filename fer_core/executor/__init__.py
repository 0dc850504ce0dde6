"""Executors: where and when runs train. `get_executor()` gives the settings' one: the local
executor unless FER_RAY_ADDRESS (or `--cluster`) names a Ray cluster."""

from fer_core.train.executor_settings import ExecutorSettings
from fer_core.train.session import Plan, Started, prepare_run


def get_executor(ray_address: str | None = None, settings: ExecutorSettings | None = None):
    """The executor for `ray_address` (None: FER_RAY_ADDRESS; empty: local). Ray is imported
    only for a cluster address; an unreachable one raises ClusterError and starts nothing."""
    settings = settings or ExecutorSettings.from_env(ray_address)
    if settings.ray_address:
        from fer_core.executor.ray_cluster import RayExecutor

        return RayExecutor(settings)
    from fer_core.executor.local import LocalExecutor

    return LocalExecutor(settings)


def start_or_resume(cfg, executor=None):
    """Carry out the request for TrainConfig `cfg` (`prepare_run`'s decision) detached, through the
    executor (the settings' one unless given): what the app does; `fer train` trains in process.
    Returns a `session.Started`."""
    run, plan = prepare_run(cfg)
    if plan not in (Plan.CACHED, Plan.BUSY):
        (executor or get_executor()).submit(run, resume=plan is Plan.RESUME)
    return Started(run, plan)


def where_label(where: dict | None) -> str:
    """A run's `where` in a few words: 'ray 3f2a9c1e cpu', 'local cuda:1'."""
    if not where:
        return ""
    node = f" {where['node'][:8]}" if where.get("node") else ""
    return f"{where.get('executor', '?')}{node} {where.get('device', '')}".strip()


__all__ = ["ExecutorSettings", "get_executor", "start_or_resume", "where_label"]
