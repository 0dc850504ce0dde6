"""Shared output of the benchmarks: the JSON result on stdout, and in a file if asked."""

import json
import os
import tempfile
from pathlib import Path


def emit(result: dict, json_path: str | None) -> None:
    print(json.dumps(result, indent=2))
    if json_path:
        Path(json_path).write_text(json.dumps(result, indent=2) + "\n")


def shipped_arch(fallback: str = "seed-4conv") -> str:
    """The shipped default model's architecture (checkpoints/default/config.json), so budgets are
    measured on the model users get."""
    path = Path(__file__).resolve().parent.parent / "checkpoints" / "default" / "config.json"
    try:
        return json.loads(path.read_text())["train"]["arch"]
    except (OSError, KeyError, ValueError):
        return fallback


def app_dirs() -> Path:
    """For a bench that serves the app: a scratch folder, made the runs' folder (never the user's
    runs); the data sets are FER_DATA_DIR's when set (real FER2013), else the scratch's; the shipped
    models are the repository's. Returns the scratch folder."""
    tmp = Path(tempfile.mkdtemp())
    os.environ.setdefault("FER_DATA_DIR", str(tmp / "data"))
    os.environ["FER_CHECKPOINTS_DIR"] = str(tmp / "checkpoints")
    os.environ.setdefault("FER_DEFAULT_MODEL_DIR", str(Path(__file__).resolve().parent.parent / "checkpoints" / "default"))
    return tmp
