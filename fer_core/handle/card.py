"""Ship a finished run as the default model: copy its files into `checkpoints/default/`,
evaluate it on PublicTest, and write the model card (MODEL_CARD.md), the confusion matrix as an
image, and the gradient-ascent images of the Filters page's default layer (the last conv), so that
page opens at once on a fresh clone. The directory is replaced in one rename, so a reader never
sees half of it."""

import json
import os
import platform
import shutil
import tempfile
from pathlib import Path

import cv2
import numpy as np
import torch

from fer_core.data import load_dataset
from fer_core.evaluate import confused_pairs, predict_split, report, row_normalised
from fer_core.handle.store import default_dir, load_model
from fer_core.inference import TTA_LABELS, TTA_MODES, check_tta
from fer_core.labels import CLASSES
from fer_core.models import layer_table
from fer_core.models.layers import layer_totals
from fer_core.train.runs import SHIPPED_FILES, Run, RunError, RunStatus


def confusion_png(cm: np.ndarray, path: Path, cell: int = 72) -> None:
    """Row-normalised confusion matrix with counts, as a PNG (no plotting library needed)."""
    rates = row_normalised(cm)
    pad_l, pad_t = 110, 90
    n = len(cm)
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
        cv2.putText(img, CLASSES[t], (8, pad_t + t * cell + 40), font, 0.55, (30, 30, 30), 1, cv2.LINE_AA)
        cv2.putText(img, CLASSES[t][:7], (pad_l + t * cell + 4, pad_t - 12), font, 0.5, (30, 30, 30), 1, cv2.LINE_AA)
    cv2.putText(img, "true (rows) / predicted (columns)", (pad_l, 30), font, 0.6, (30, 30, 30), 1, cv2.LINE_AA)
    ok, buf = cv2.imencode(".png", cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    path.write_bytes(buf.tobytes())


def cpu_description() -> str:
    """'AMD EPYC, 2 threads, avx512_bf16': the CPU model and the flags that decide training speed."""
    model, flags = platform.processor() or platform.machine(), []
    try:
        info = Path("/proc/cpuinfo").read_text().splitlines()
        model = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), model)
        have = next((ln for ln in info if ln.startswith("flags")), "").split()
        flags = [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in have]
    except OSError:
        pass
    return f"{model} CPU, {torch.get_num_threads()} threads" + (f" ({', '.join(flags)})" if flags else "")


def _figures_table(reports: dict[str, dict], tta: str) -> str:
    rows = []
    for mode, rep in reports.items():
        name = TTA_LABELS[mode] + (" (recommended)" if mode == tta else "")
        acc = f"**{rep['accuracy']:.2%}**" if mode == tta else f"{rep['accuracy']:.2%}"
        rows.append(f"| {name} | {acc} | {rep['macro_f1']:.3f} |")
    return "\n".join(rows)


def _per_class(rep: dict) -> str:
    return "\n".join(
        f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |" for c, m in rep["per_class"].items()
    )


def _precision_note(arithmetic: str) -> str:
    if arithmetic == "fp32":
        return ""
    return (
        ", the app's choice where the CPU has bf16 natively; elsewhere predictions run in fp32 and can"
        " differ by rounding (about 0.1 point; `--precision fp32` gives those figures here)"
    )


def _labels(cfg) -> str:
    """What the model learned, when it is not FER2013's labels (TrainConfig.labels)."""
    what = {"majority": "the FER+ majority of ten annotators (faces without one left out)", "votes": "the FER+ vote distribution"}
    return "" if cfg.labels == "fer2013" else f"\n- Labels: {what[cfg.labels]}; validated against the FER+ majority."


def data_line(ds) -> str:
    """Which pixels a model was trained and measured on: the data set, where it came from, its content hash."""
    source = ds.meta.get("source")
    origin = f" (from `{Path(source).name}`, {ds.meta.get('format', 'unknown form')})" if source else ""
    return f"data set `{ds.name}`{origin}, content hash `{ds.hash}`"


def _pixels(cfg) -> str:
    if cfg.equalize:
        return "each face histogram-equalised (`cv2.equalizeHist`) first, by the model itself wherever it sees a face"
    return "each face as it is (no histogram equalisation)"


def card_text(
    run: Run,
    reports: dict[str, dict],
    tta: str,
    command: str,
    hardware: str,
    minutes: float,
    arithmetic: str = "fp32",
    selection: str = "",
    data: str = "",
) -> str:
    """The card's Markdown; `selection`, if given, is a paragraph on how this run was chosen among others;
    `data`, the data set's `data_line`."""
    cfg = run.config()
    totals = layer_totals(layer_table(cfg.model))
    rep, best = reports["none"], reports[tta]
    pairs = "\n".join(f"- {p.sentence()}" for p in confused_pairs(np.array(best["confusion_matrix"]), top=5))
    aug = cfg.augment
    tta_flag = "" if tta == "none" else f" --tta {tta}"
    below = best["accuracy"] < 0.70
    return f"""# FER Lab default model

`{cfg.arch}` trained by FER Lab's own `fer train` on FER2013's **Training** split only
(28,709 faces); the recipe and the checkpoint (best epoch by PublicTest accuracy) were chosen on
**PublicTest** only. PrivateTest was never looked at.
{f"{chr(10)}Trained and measured on: {data}; {_pixels(cfg)}.{chr(10)}" if data else ""}
## Figures (PublicTest, 3,589 faces)

| | accuracy | macro-F1 |
|---|---|---|
{_figures_table(reports, tta)}

Reproduce: `fer eval default --data fer2013 --split PublicTest --json` (accuracy {rep["accuracy"]:.4f}) and
`fer eval default --data fer2013 --split PublicTest{tta_flag} --json` (accuracy {best["accuracy"]:.4f}).
The app and the webcam use single passes; the Evaluate page offers each test-time augmentation.
Computed in **{arithmetic}** on {hardware}{_precision_note(arithmetic)}.

{f"{selection.strip()}{chr(10) * 2}" if selection.strip() else ""}Per class, {TTA_LABELS[tta]}:

| class | precision | recall | F1 | support |
|---|---|---|---|---|
{_per_class(best)}

![confusion matrix ({TTA_LABELS[tta]})](confusion_matrix.png)

Most confused pairs:
{pairs}

## Recipe

- Architecture: `{cfg.arch}`, {totals.params:,} parameters, {totals.macs / 1e6:.0f} M multiply-adds per face,
  input 1x48x48, {_pixels(cfg)}, {cfg.normalization} normalisation.
- {cfg.epochs} epochs, batch {cfg.batch_size}, {cfg.optimizer} (peak lr {cfg.lr}, weight decay {cfg.weight_decay}),
  {cfg.scheduler} schedule, label smoothing {cfg.label_smoothing}, EMA {cfg.ema},
  class weights {cfg.class_weights};
  validation (best-epoch choice) with {TTA_LABELS[cfg.val_tta]}.
- Augmentation on the device: shift {aug.shift}px, flip {aug.flip}, rotation {aug.rotate_deg} deg, scale {aug.scale},
  random erasing p={aug.erase_p}.{_labels(cfg)}
- Seed {cfg.seed}. Run id `{run.id}`.

Command:

```
{command}
```

Training time: {minutes:.0f} min on {hardware}.

## Known weaknesses

- **Disgust** has 436 training faces (1.5%) and **fear** is often taken for sad or surprise: both have the
  lowest recall above.
- FER2013 faces are tightly cropped, frontal, 48x48 grayscale, often posed. Webcam faces differ (lighting,
  pose, distance, how the detector frames them): expect lower accuracy live than on PublicTest, and prefer the smoothed emotion.
- FER2013 labels are noisy (human agreement is about 65%).
""" + (
        "- Below the 70% PublicTest target set for the shipped model, and the ~73% state of the art for a single\n"
        "  network without extra data: it was trained on a CPU within the project's time budget.\n"
        if below
        else ""
    )


def ship(
    run_id: str,
    data: str = "fer2013",
    command: str = "",
    hardware: str | None = None,
    dest: Path | None = None,
    tta: str = "10crop",
    selection: str = "",
) -> dict:
    """Copy `run_id` to the default-model directory with its card; returns the single-pass PublicTest report.
    The card gives every test-time augmentation and recommends `tta`."""
    run = Run.at(run_id)
    if run.status().status is not RunStatus.FINISHED:
        raise RunError(f"run {run_id} is not finished; only a finished run can be shipped")
    check_tta(tta)
    dest = Path(dest or default_dir())
    ds = load_dataset(data)
    model = load_model(run)
    reports = {}
    for mode in TTA_MODES:
        preds = predict_split(model, ds, "PublicTest", tta=mode, use_cache=False)
        reports[mode] = report(preds.labels, preds.pred)
    rep = reports["none"]
    epochs = [m for m in run.metrics() if m.get("kind") == "epoch"]
    minutes = (epochs[-1]["elapsed"] / 60) if epochs else 0.0
    hardware = hardware or cpu_description()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".default-", dir=dest.parent))
    try:
        for name in SHIPPED_FILES:
            if (run.dir / name).exists():
                shutil.copy2(run.dir / name, tmp / name)
        summary = {
            "run": run_id,
            "accuracy": rep["accuracy"],
            "macro_f1": rep["macro_f1"],
            "recommended_tta": tta,
            "arithmetic": model.arithmetic,  # bf16 or fp32 ("precision" is a metric here)
            **rep,
            "tta": {mode: r for mode, r in reports.items() if mode != "none"},
        }
        (tmp / "metrics_publictest.json").write_text(json.dumps(summary, indent=2) + "\n")
        confusion_png(np.array(reports[tta]["confusion_matrix"]), tmp / "confusion_matrix.png")
        card = card_text(run, reports, tta, command, hardware, minutes, model.arithmetic, selection, data_line(ds))
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
