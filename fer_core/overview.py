"""What the Home page and `fer info` summarise: data sets, runs, compute device."""

import os
from dataclasses import dataclass

import torch

from fer_core.data.store import DatasetInfo, list_datasets
from fer_core.paths import checkpoints_dir, data_dir
from fer_core.train.run_summary import list_runs


@dataclass(frozen=True)
class LabOverview:
    datasets: list[DatasetInfo]
    runs: int
    device: str  # e.g. "NVIDIA H100 (CUDA)" or "CPU, 2 cores"
    gpu: bool
    data_dir: str
    checkpoints_dir: str


def device_summary() -> tuple[str, bool]:
    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(0)} (CUDA)", True
    return f"CPU, {os.cpu_count()} cores (torch {torch.__version__})", False


def lab_overview() -> LabOverview:
    device, gpu = device_summary()
    return LabOverview(list_datasets(), len(list_runs()), device, gpu, str(data_dir()), str(checkpoints_dir()))
