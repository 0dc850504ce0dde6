"""Finding and loading models: a finished run, or a shipped model, as a `LoadedModel` (the model
handle) with the preprocessing it was trained with.

The shipped models live in the project's `checkpoints/`: `default/` (FER2013's labels, 7 classes;
`FER_DEFAULT_MODEL_DIR` moves it) and `ferplus/` beside it (FER+'s votes, 8 classes), each laid out
like any run directory, so everything that reads a run reads them too.
"""

import hashlib
import os
from pathlib import Path

from fer_core.handle.loaded import LoadedModel
from fer_core.models import build_model
from fer_core.normalize import Normalization, Preprocessing
from fer_core.paths import PROJECT_ROOT, check_name
from fer_core.train.config import TrainConfig
from fer_core.train.run_summary import list_runs
from fer_core.train.runs import Run, RunError, RunStatus

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


def face_model() -> str:
    """The model the Webcam and Explain pages start with: the FER+ one when it is shipped (its labels
    are what ten people saw), else the FER2013 one."""
    return FERPLUS if has_default(FERPLUS) else DEFAULT


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


def model_choices() -> list[str]:
    """Models the user can evaluate or explain: the shipped ones, then finished runs, newest first."""
    ids = [name for name in SHIPPED if has_default(name)]
    for run in list_runs():
        if shipped_name(run):
            continue  # listed once, by its shipped name, above
        try:
            if run.status().status is RunStatus.FINISHED and run.has_weights("best"):
                ids.append(run.id)
        except RunError:
            continue  # a damaged run is listed on the Train page, not offered here
    return ids


def weights_digest(run: Run, which: str = "best") -> str:
    """Content hash of the weights file: cached predictions are keyed on it."""
    h = hashlib.sha256()
    with open(run.weights_path(which), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def _preprocessing(run: Run, cfg: TrainConfig) -> Preprocessing:
    if (stats := run.norm_stats()) is not None or cfg.normalization != Normalization.DATASET:
        return Preprocessing(cfg.normalization, *([stats] if stats else []), equalize=cfg.equalize)
    # Older runs did not record the statistics: derive them from the Training split, as training did.
    from fer_core.data import load_dataset
    from fer_core.normalize import dataset_stats

    try:
        ds = load_dataset(cfg.data)
    except FileNotFoundError as exc:
        missing = run.norm_stats_path.name
        raise RunError(f"run {run.id}: {missing} is missing and data set {cfg.data!r} is not here to derive it") from exc
    prep = Preprocessing(equalize=cfg.equalize)
    return Preprocessing(cfg.normalization, dataset_stats(prep.prepare(ds.pixels[ds.split_indices(cfg.train_split)])), cfg.equalize)


def load_model(ref: str | Run | None = None, which: str = "best", precision: str = "auto") -> LoadedModel:
    """Build the run's architecture and load its weights (safetensors, no pickle); `precision`
    (fer_core.precision.PRECISIONS) is what its predictions are computed in."""
    run = ref if isinstance(ref, Run) else resolve_run(ref)
    cfg = run.config().resolved()
    model = build_model(cfg.model)
    try:
        model.load_state_dict(run.load_weights(which))
    except RuntimeError as exc:  # shapes or names differ from the config
        raise RunError(f"run {run.id}: {which}.safetensors does not fit its config.json ({exc})") from exc
    digest = weights_digest(run, which)
    return LoadedModel(model, _preprocessing(run, cfg), run=run, cfg=cfg, digest=digest, precision=precision)
