"""Finding and loading models: a finished run, or a shipped model (train/shipped.py: where they
live, how a name resolves), as a `LoadedModel` (the model handle) with the preprocessing it was
trained with."""

import hashlib
import json

from fer_core.handle.loaded import LoadedModel
from fer_core.models import build_model
from fer_core.normalize import Normalization, Preprocessing
from fer_core.train.config import TrainConfig
from fer_core.train.run_summary import list_runs
from fer_core.train.runs import Run, RunError, RunStatus
from fer_core.train.shipped import (  # noqa: F401  (where every page and command has found them)
    DEFAULT,
    FERPLUS,
    SHIPPED,
    default_dir,
    default_run,
    has_default,
    resolve_run,
    shipped_dir,
    shipped_name,
)


def card_figures(run: Run) -> dict:
    """The figures a shipped model's card gives (its metrics_publictest.json, `ship`); {} for a run
    that was never shipped, or a file that cannot be read."""
    try:
        return json.loads((run.dir / "metrics_publictest.json").read_text())
    except (OSError, ValueError):
        return {}


def real_faces(name: str) -> dict | None:
    """Shipped model `name`'s figures on real photos, as its card gives them (ship.card_real_faces), or None."""
    return card_figures(default_run(name)).get("real_faces")


def face_model() -> str:
    """The model the Webcam and Explain pages start with: of the shipped models, the one best on real
    photos (macro recall, then accuracy, from their cards); without those figures, the FER+ one
    (its labels are what ten people saw), else the FER2013 one."""
    shipped = [name for name in SHIPPED if has_default(name)]
    measured = {name: fig for name in shipped if (fig := real_faces(name))}
    if measured:
        return max(measured, key=lambda n: (measured[n]["macro_recall"], measured[n]["accuracy"]))
    return FERPLUS if FERPLUS in shipped else DEFAULT


def face_model_note(name: str) -> str:
    """Why the Webcam and Explain pages start with `name` (their `face_model()`), in a sentence."""
    if fig := real_faces(name):
        return (
            f"Starts with **{name}**, the shipped model best on real photos: {fig['accuracy']:.1f}% accuracy, "
            f"{fig['macro_recall']:.1f} macro recall over seven emotions on {fig['faces']:,} faces of photo set "
            f"`{fig['data']}` (its model card)."
        )
    return f"Starts with **{name}**" + (", whose labels are what ten people saw." if name == FERPLUS else ".")


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
