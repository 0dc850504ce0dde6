"""Shared output of the benchmarks: the JSON result on stdout, and in a file if asked."""

import json
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
