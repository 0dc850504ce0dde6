"""Shared output of the benchmarks: the JSON result on stdout, and in a file if asked."""

import json
from pathlib import Path


def emit(result: dict, json_path: str | None) -> None:
    print(json.dumps(result, indent=2))
    if json_path:
        Path(json_path).write_text(json.dumps(result, indent=2) + "\n")
