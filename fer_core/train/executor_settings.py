"""Where runs train: the executor settings, read from the environment (the app and the CLI
share them; `fer --cluster` overrides the address). Each default is stated here once."""

import os
from dataclasses import dataclass

RAY_ADDRESS_ENV = "FER_RAY_ADDRESS"  # "auto", "HOST:PORT" (a Ray head's GCS) or unset: train here
RUNS_PER_GPU_ENV = "FER_RUNS_PER_GPU"
CPUS_PER_RUN_ENV = "FER_RAY_CPUS_PER_RUN"


@dataclass(frozen=True)
class ExecutorSettings:
    ray_address: str = ""  # empty: the local executor, Ray is never imported
    # Small runs leave a large GPU mostly idle: several may share one (local queues and Ray's GPU fraction).
    runs_per_gpu: int = 1
    cpus_per_run: int = 1  # CPUs a run asks Ray for (a CPU run trains with that many threads)

    def __post_init__(self):
        if self.runs_per_gpu < 1 or self.cpus_per_run < 1:
            raise ValueError(f"{RUNS_PER_GPU_ENV} and {CPUS_PER_RUN_ENV} must be at least 1")

    @property
    def gpu_share(self) -> float:
        """The GPU fraction one run asks Ray for."""
        return 1.0 / self.runs_per_gpu

    @classmethod
    def from_env(cls, ray_address: str | None = None) -> "ExecutorSettings":
        d = cls()

        def number(name: str, default: int) -> int:
            raw = os.environ.get(name, "").strip()
            try:
                return int(raw) if raw else default
            except ValueError:
                raise ValueError(f"{name}={raw!r} is not a whole number") from None

        address = os.environ.get(RAY_ADDRESS_ENV, "") if ray_address is None else ray_address
        return cls(address.strip(), number(RUNS_PER_GPU_ENV, d.runs_per_gpu), number(CPUS_PER_RUN_ENV, d.cpus_per_run))
