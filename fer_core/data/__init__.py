"""Data sets: the compact on-disk format, importers for every FER2013 form, demo faces."""

from fer_core.data.dataset import FaceDataset, content_hash
from fer_core.data.errors import DataImportError, Problem
from fer_core.data.store import default_dataset, delete_dataset, ensure_demo, list_datasets, load_dataset, save_dataset

__all__ = [
    "default_dataset",
    "DataImportError",
    "FaceDataset",
    "Problem",
    "content_hash",
    "delete_dataset",
    "ensure_demo",
    "list_datasets",
    "load_dataset",
    "save_dataset",
]
