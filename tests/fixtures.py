"""Writers for generated fixtures in every format users have (these always run)."""

import csv
import gzip
import io
import lzma
import zipfile
from pathlib import Path

import cv2
import numpy as np

from fer_core.labels import CLASSES, SPLITS

FOLDER = {0: "train", 1: "test", 2: "test"}


def challenge_csv_text(pixels, labels, splits) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["emotion", "pixels", "Usage"])
    for p, lab, s in zip(pixels, labels, splits):
        w.writerow([int(lab), " ".join(map(str, p.ravel())), SPLITS[s]])
    return buf.getvalue()


def course_csv_text(pixels, labels) -> str:
    lines = ["label,feature"] + [f"{int(lab)},{' '.join(map(str, p.ravel()))}" for p, lab in zip(pixels, labels)]
    return "\n".join(lines) + "\n"


def write_text(path: Path, text: str, compress: str = "plain", member: str = "fer2013.csv") -> Path:
    """Write CSV text plain, gzip'd, xz'd, or as the one member of a zip."""
    data = text.encode()
    if compress == "gz":
        path.write_bytes(gzip.compress(data))
    elif compress == "xz":
        path.write_bytes(lzma.compress(data))
    elif compress == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(member, data)
    else:
        path.write_bytes(data)
    return path


def image_files(pixels, labels, splits, ext="png", name_split=True) -> dict[str, bytes]:
    """Kaggle-style relative paths -> encoded images."""
    out = {}
    for i, (p, lab, s) in enumerate(zip(pixels, labels, splits)):
        prefix = f"{SPLITS[s]}_" if name_split else ""
        ok, buf = cv2.imencode("." + ext, p)
        assert ok
        out[f"{FOLDER[int(s)]}/{CLASSES[lab]}/{prefix}{i:05d}.{ext}"] = buf.tobytes()
    return out


def write_folder(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def write_zip(path: Path, files: dict[str, bytes], compression=zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def sorted_faces(pixels, labels, splits):
    """Order-independent view for comparing imports: rows sorted by (split, label, bytes)."""
    flat = pixels.reshape(len(pixels), -1)
    order = np.lexsort([*(flat[:, j] for j in range(flat.shape[1] - 1, -1, -1)), labels, splits])
    return pixels[order], labels[order], splits[order]


def untrained_run(data: str, arch: str = "small", seed: int = 0, **cfg):
    """A 'finished' run holding seeded, untrained weights: evaluation tests need a model, not a good one."""
    import torch

    from fer_core.models import build_model
    from fer_core.train import TrainConfig, prepare_run

    run, _ = prepare_run(TrainConfig(**{"data": data, "arch": arch, "seed": seed, "epochs": 1, **cfg}))
    torch.manual_seed(seed)
    run.save_weights("best", build_model(run.config().model))
    run.set_status("finished", "test weights")
    return run


def save_voted_demo(n: int, least: int, name: str = "voted"):
    """The demo faces with FER+-style votes, saved as data set `name`: `least`..10 of the ten for
    the face's own class, the rest scattered at random (seeded); every 25th face has a contempt
    majority instead (FER+'s eighth emotion). Returns the plain demo data set."""
    from fer_core.data import save_dataset
    from fer_core.data.dataset import make_dataset
    from fer_core.data.ferplus import CLASS_COLUMN
    from fer_core.data.synth import synth_dataset
    from fer_core.labels import CONTEMPT

    demo = synth_dataset("demo", n=n)
    rng = np.random.default_rng(0)
    votes = np.zeros((len(demo), 10), np.uint8)
    for i, k in enumerate(demo.labels):
        own = int(rng.integers(least, 11))
        votes[i, CLASS_COLUMN[k]] = own
        np.add.at(votes[i], rng.integers(0, 10, 10 - own), 1)
        if i % 25 == 0:
            votes[i] = 0
            votes[i, CLASS_COLUMN[CONTEMPT]], votes[i, CLASS_COLUMN[k]] = 7, 3
    save_dataset(make_dataset(name, demo.pixels, demo.labels, demo.splits, {"source": "test"}, votes))
    return demo


def shipped_copy(run, name: str) -> None:
    """Put `run`'s files where shipped model `name` lives, as `fer runs ship` would, without its
    evaluation, card and cached filters (for tests that only need a shipped model to be there)."""
    import shutil

    from fer_core.handle.store import shipped_dir
    from fer_core.train.runs import SHIPPED_FILES

    dest = shipped_dir(name)
    dest.mkdir(parents=True, exist_ok=True)
    for file in SHIPPED_FILES:
        if (run.dir / file).exists():
            shutil.copy2(run.dir / file, dest / file)
