"""Where the shipped models live, and how a model reference (a run id, or a shipped model's name)
resolves to a run directory. Training needs it to fine-tune from a model (TrainConfig.init), the
handle to load one (handle.store), so it sits here, below both.

The shipped models live in the project's `checkpoints/`: `default/` (FER2013's labels, 7 classes;
`FER_DEFAULT_MODEL_DIR` moves it) and `ferplus/` beside it (FER+'s votes, 8 classes), each laid out
like any run directory, so everything that reads a run reads them too.
"""

import os
from pathlib import Path

from fer_core.paths import PROJECT_ROOT, check_name
from fer_core.train.runs import Run, RunError

DEFAULT, FERPLUS = "default", "ferplus"
# The shipped models by the name users give them (`fer eval ferplus`), with what the pickers say.
SHIPPED = {DEFAULT: "shipped FER2013 model", FERPLUS: "shipped FER+ model, 8 emotions"}


def default_dir() -> Path:
    return Path(os.environ.get("FER_DEFAULT_MODEL_DIR") or PROJECT_ROOT / "checkpoints" / DEFAULT)


def shipped_dir(name: str = DEFAULT) -> Path:
    if name not in SHIPPED:
        raise ValueError(f"no shipped model {name!r}; one of {', '.join(SHIPPED)}")
    return default_dir() if name == DEFAULT else default_dir().with_name(name)


def default_run(name: str = DEFAULT) -> Run:
    return Run(name, shipped_dir(name))


def has_default(name: str = DEFAULT) -> bool:
    return default_run(name).has_weights("best")


def shipped_name(run: Run) -> str | None:
    """The shipped model's name when `run`'s directory is one (they sit among the runs in
    `checkpoints/`), else None."""
    here = run.dir.resolve()
    return next((name for name in SHIPPED if shipped_dir(name).resolve() == here), None)


def resolve_run(ref: str | None) -> Run:
    """`default` (or None) or `ferplus` -> that shipped model; anything else -> that run id."""
    name = ref or DEFAULT
    if name in SHIPPED:
        if not has_default(name):
            raise RunError(f"no {name} model ({SHIPPED[name]}): {shipped_dir(name)} has no best.safetensors (train one, or pass a run id)")
        return default_run(name)
    run = Run.at(check_name(ref))  # a name, never a path
    if not run.exists:
        raise RunError(f"no run {ref!r} (looked in {run.dir}); `fer runs list` shows the runs")
    return run
