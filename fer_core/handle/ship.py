"""Ship a finished run as one of the shipped models (store.SHIPPED: `default`, `ferplus`): copy its
files into `checkpoints/<name>/`, evaluate it on PublicTest against the labels it learned, and write
the model card (MODEL_CARD.md), the confusion matrix as an image, and the gradient-ascent images of
the Filters page's default layer (the last conv), so that page opens at once on a fresh clone. The
directory is replaced in one rename, so a reader never sees half of it."""

import json
import os
import shutil
import tempfile
from pathlib import Path

import cv2
import numpy as np

from fer_core.atomic import atomic_path
from fer_core.data import load_dataset
from fer_core.evaluate import row_normalised
from fer_core.evaluate.real_faces import real_face_report
from fer_core.evaluate.truth import scored_report
from fer_core.handle.card import card_text, card_truth, data_line, real_faces_section
from fer_core.handle.predictions import predict_split
from fer_core.handle.store import DEFAULT, load_model, shipped_dir
from fer_core.inference import TTA_MODES, check_tta
from fer_core.labels import classes_for
from fer_core.precision import cpu_description
from fer_core.train.runs import SHIPPED_FILES, Run, RunError, RunStatus


def confusion_png(cm: np.ndarray, path: Path, cell: int = 72) -> None:
    """Row-normalised confusion matrix with counts, as a PNG (no plotting library needed)."""
    rates = row_normalised(cm)
    pad_l, pad_t = 110, 90
    n = len(cm)
    classes = classes_for(n)
    img = np.full((pad_t + n * cell + 20, pad_l + n * cell + 20, 3), 255, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    for t in range(n):
        for p in range(n):
            shade = int(255 - 200 * rates[t, p])
            x0, y0 = pad_l + p * cell, pad_t + t * cell
            cv2.rectangle(img, (x0, y0), (x0 + cell - 2, y0 + cell - 2), (shade, shade, 255 if shade > 128 else 200), -1)
            colour = (255, 255, 255) if rates[t, p] > 0.55 else (30, 30, 30)
            cv2.putText(img, f"{rates[t, p]:.0%}", (x0 + 12, y0 + 30), font, 0.55, colour, 1, cv2.LINE_AA)
            cv2.putText(img, str(cm[t, p]), (x0 + 12, y0 + 55), font, 0.45, colour, 1, cv2.LINE_AA)
        cv2.putText(img, classes[t], (8, pad_t + t * cell + 40), font, 0.55, (30, 30, 30), 1, cv2.LINE_AA)
        cv2.putText(img, classes[t][:7], (pad_l + t * cell + 4, pad_t - 12), font, 0.5, (30, 30, 30), 1, cv2.LINE_AA)
    cv2.putText(img, "true (rows) / predicted (columns)", (pad_l, 30), font, 0.6, (30, 30, 30), 1, cv2.LINE_AA)
    ok, buf = cv2.imencode(".png", cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    path.write_bytes(buf.tobytes())


def ship(
    run_id: str,
    data: str = "fer2013",
    command: str = "",
    hardware: str | None = None,
    dest: Path | None = None,
    tta: str = "10crop",
    selection: str = "",
    name: str = DEFAULT,
    real: str | None = None,
) -> dict:
    """Copy `run_id` to shipped model `name`'s directory with its card; returns the single-pass
    PublicTest report, against the labels it learned (card_truth). The card gives every test-time
    augmentation and recommends `tta`; with `real` (a photo set), its real-face figures too."""
    run = Run.at(run_id)
    if run.status().status is not RunStatus.FINISHED:
        raise RunError(f"run {run_id} is not finished; only a finished run can be shipped")
    check_tta(tta)
    dest = Path(dest or shipped_dir(name))
    ds = load_dataset(data)
    model = load_model(run)
    truth = card_truth(run.config())
    reports = {}
    for mode in TTA_MODES:
        preds = predict_split(model, ds, "PublicTest", tta=mode, use_cache=False)
        reports[mode] = scored_report(preds, ds, truth)
    rep = reports["none"]
    real_rep = measured_real_faces(model, real) if real else None
    epochs = [m for m in run.metrics() if m.get("kind") == "epoch"]
    minutes = (epochs[-1]["elapsed"] / 60) if epochs else 0.0
    hardware = hardware or cpu_description()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".default-", dir=dest.parent))
    try:
        for file in SHIPPED_FILES:
            if (run.dir / file).exists():
                shutil.copy2(run.dir / file, tmp / file)
        summary = {
            "run": run_id,
            "accuracy": rep["accuracy"],
            "macro_f1": rep["macro_f1"],
            "recommended_tta": tta,
            "arithmetic": model.arithmetic,  # bf16 or fp32 ("precision" is a metric here)
            **rep,
            "tta": {mode: r for mode, r in reports.items() if mode != "none"},
            **({"real_faces": real_rep} if real_rep else {}),
        }
        (tmp / "metrics_publictest.json").write_text(json.dumps(summary, indent=2) + "\n")
        confusion_png(np.array(reports[tta]["confusion_matrix"]), tmp / "confusion_matrix.png")
        card = card_text(run, reports, tta, command, hardware, minutes, model.arithmetic, selection, data_line(ds), name, ds.name, real_rep)
        (tmp / "MODEL_CARD.md").write_text(card)
        shipped = load_model(Run(run.id, tmp))
        shipped.gradient_ascent(shipped.conv_layers()[-1])  # cached in tmp/filters/
        for f in tmp.rglob("*"):  # readable by everyone: it is shipped in the repository
            f.chmod(0o755 if f.is_dir() else 0o644)
        tmp.chmod(0o755)
        old = dest.with_name(dest.name + ".old")
        if dest.exists():
            os.replace(dest, old)
        os.replace(tmp, dest)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rep


def measured_real_faces(model, real: str) -> dict:
    """`model` on photo set `real`, measured now: real_face_report with where it was computed."""
    photos = load_dataset(real)
    rep = real_face_report(predict_split(model, photos, "PublicTest", use_cache=False), photos)
    return rep | {"measured_on": f"{model.arithmetic} on {cpu_description()}"}


def card_real_faces(name: str, real: str) -> dict:
    """Give shipped model `name`'s card its real-face section (and metrics_publictest.json its
    `real_faces`), measured now on photo set `real`; an older section is replaced. The rest of the
    card, measured where the model was trained, is left as it is. Returns the figures."""
    run = Run(name, shipped_dir(name))
    rep = measured_real_faces(load_model(run), real)
    card_path, metrics_path = run.dir / "MODEL_CARD.md", run.dir / "metrics_publictest.json"
    card = card_path.read_text()
    section = real_faces_section(rep, name)
    if "\n## Real faces\n" in card:  # renew: from its heading to the next one
        head, rest = card.split("\n## Real faces\n", 1)
        card = head.rstrip("\n") + "\n" + section + "\n## " + rest.split("\n## ", 1)[1]
    else:
        head, rest = card.split("\n## Recipe\n", 1)
        card = head.rstrip("\n") + "\n" + section + "\n## Recipe\n" + rest
    metrics = json.loads(metrics_path.read_text())
    metrics["real_faces"] = rep
    with atomic_path(card_path) as tmp:
        tmp.write_text(card)
    with atomic_path(metrics_path) as tmp:
        tmp.write_text(json.dumps(metrics, indent=2) + "\n")
    return rep
