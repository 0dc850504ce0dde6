"""Face detection before and after issue 35, in one run on this machine. Before: the Haar cascade
with its eye check and a square crop (bench/haar_baseline.py, the product's pipeline until then).
After: YuNet aligned by the eyes (fer_core.faces.detect_faces).

- real photographs from scikit-image and matplotlib with their true face counts;
- group scenes: 3-6 real portraits pasted on real backgrounds at 70-220 px, turned up to 25 deg;
- blank frames and random scenes (no face);
- FER2013 PublicTest faces pasted on scenes at several sizes and turns: found, and classified
  right by the shipped model through each pipeline, against the face itself;
- ms per 640x480 frame (detection only).

    python bench/bench_detection.py [--data fer2013] [--faces 100] [--json OUT.json]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from haar_baseline import haar_faces
from report import emit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fer_core.faces import detect_faces, read_image  # noqa: E402
from tests.photos import PEOPLE, PHOTOS, SCENES, group_scene, photo_path  # noqa: E402
from tests.videos import background  # noqa: E402

SIZES = (48, 64, 96, 160)  # px a side of a pasted FER2013 face in a 640x480 frame
TURNS = (-25, -10, 0, 10, 25)  # degrees in the image plane


def _covers(box, region) -> bool:
    x, y, w, h = box
    rx, ry, rw, rh = region
    return x <= rx + rw / 2 <= x + w and y <= ry + rh / 2 <= y + h


def before(image) -> list:
    return [f.box for f in haar_faces(image)]


def after(image) -> list:
    return [f.box for f in detect_faces(image).faces]


def _rgb(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 3 else np.stack([image] * 3, -1)


def _score(boxes: list, regions: list) -> tuple[int, int]:
    """(faces found, false boxes)."""
    return sum(any(_covers(b, r) for b in boxes) for r in regions), sum(not any(_covers(b, r) for r in regions) for b in boxes)


def photos() -> list[dict]:
    rows = []
    for (package, inside), expected in PHOTOS.items():
        path = photo_path(package, inside)
        if path is not None:
            image = read_image(path)
            b, a = before(image), after(image)
            rows.append({"photo": path.name, "faces": expected, "before": len(b), "after": len(a)})
    return rows


def groups(n: int, seed: int = 0) -> dict:
    people = [_rgb(read_image(photo_path(*k)))[y : y + h, x : x + w] for k, (x, y, w, h) in PEOPLE.items()]
    rng = np.random.default_rng(seed)
    out = {"scenes": n, "faces": 0, "found_before": 0, "found_after": 0, "false_before": 0, "false_after": 0}
    for k in range(n):
        scene, placed = group_scene(rng, people, _rgb(read_image(photo_path(*SCENES[k % len(SCENES)]))), int(rng.integers(3, 7)))
        out["faces"] += len(placed)
        for name, boxes in (("before", before(scene)), ("after", after(scene))):
            found, false = _score(boxes, placed)
            out[f"found_{name}"] += found
            out[f"false_{name}"] += false
    return out


def paste(face: np.ndarray, size: int, turn: float, rng) -> tuple[np.ndarray, tuple]:
    """A 640x480 random scene with `face` (48, 48) at `size` px, turned by `turn` degrees."""
    frame = background(rng)
    big = cv2.resize(face, (size, size), interpolation=cv2.INTER_CUBIC)
    m = cv2.getRotationMatrix2D((size / 2, size / 2), turn, 1.0)
    big = cv2.warpAffine(big, m, (size, size), borderMode=cv2.BORDER_REFLECT)
    mask = cv2.warpAffine(np.ones((size, size), np.uint8), m, (size, size)) > 0
    x, y = int(rng.integers(0, 640 - size)), int(rng.integers(0, 480 - size))
    frame[y : y + size, x : x + size][mask] = big[mask][:, None]
    return frame, (x, y, size, size)


def pasted(model, pixels: np.ndarray, labels: np.ndarray, seed: int = 0) -> dict:
    """Each face at every size and turn: found, and right through each pipeline (a miss is wrong),
    against the model on the face itself (upright, as FER2013 has it)."""
    rng = np.random.default_rng(seed)
    alone = model.probs(pixels).argmax(1) == labels
    cells = []
    for size in SIZES:
        for turn in TURNS:
            c = {"size": size, "turn": turn, "faces": len(pixels), "alone": float(alone.mean())}
            for name, run in (("before", haar_faces), ("after", lambda f: detect_faces(f).faces)):
                found = right = 0
                for face, label in zip(pixels, labels, strict=True):
                    frame, region = paste(face, size, turn, rng)
                    hits = [f.face48 for f in run(frame) if _covers(f.box, region)]
                    found += bool(hits)
                    right += bool(hits) and int(model.probs(hits[0][None]).argmax()) == int(label)
                c[f"found_{name}"] = found / len(pixels)
                c[f"right_{name}"] = right / len(pixels)
            cells.append(c)
    keys = ("alone", "found_before", "found_after", "right_before", "right_after")
    mean = {k: round(statistics.mean(c[k] for c in cells), 4) for k in keys}
    return {"cells": cells, "mean": mean}


def by_box_size(model, pixels: np.ndarray, labels: np.ndarray, seed: int = 0) -> dict:
    """Upright faces pasted small (24-64 px), found with no smallest size: how often the model is
    right, by the found box's shorter side (8 px bins), against the face itself. What chose MIN_FACE."""
    from fer_core.faces.detect import find_faces
    from fer_core.faces.images import to_gray
    from fer_core.faces.pipeline import _face

    rng = np.random.default_rng(seed)
    bins: dict[int, list[bool]] = {}
    for size in (24, 32, 40, 48, 64):
        for face, label in zip(pixels, labels, strict=True):
            frame, region = paste(face, size, 0, rng)
            gray = to_gray(frame)
            hits = [f for f in find_faces(gray, min_face=0) if _covers(f.box, region)]
            if hits:
                side = min(hits[0].box[2:]) // 8 * 8
                bins.setdefault(side, []).append(int(model.probs(_face(gray, hits[0]).face48[None]).argmax()) == int(label))
    alone = float((model.probs(pixels).argmax(1) == labels).mean())
    return {
        "alone": round(alone, 4),
        "bins": {f"{k}-{k + 7}": {"faces": len(v), "right": round(float(np.mean(v)), 4)} for k, v in sorted(bins.items())},
    }


def frame_ms(frames: list[np.ndarray]) -> dict:
    result = {}
    for name, fn in (("before", before), ("after", after)):
        times = []
        for f in frames:
            t0 = time.perf_counter()
            fn(f)
            times.append(time.perf_counter() - t0)
        result[f"ms_per_frame_{name}"] = round(statistics.median(times) * 1000, 2)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="fer2013", help="data set whose PublicTest faces are pasted")
    ap.add_argument("--faces", type=int, default=100, help="PublicTest faces pasted at each size and turn")
    ap.add_argument("--scenes", type=int, default=16)
    ap.add_argument("--json")
    a = ap.parse_args()
    import torch

    from fer_core.data import list_datasets, load_dataset
    from fer_core.handle.store import load_model

    rng = np.random.default_rng(1)
    empty = [np.full((480, 640, 3), v, np.uint8) for v in (0, 128, 255)] + [background(rng) for _ in range(50)]
    result = {"threads": torch.get_num_threads(), "photos": photos(), "groups": groups(a.scenes)}
    result["empty_frames"] = {
        "frames": len(empty),
        "false_before": sum(len(before(f)) for f in empty),
        "false_after": sum(len(after(f)) for f in empty),
    }
    if a.data not in {d.name for d in list_datasets()}:
        sys.exit(f"no data set {a.data!r}: import FER2013 first (fer data import fer2013.csv)")
    ds = load_dataset(a.data)
    rows = np.random.default_rng(0).choice(ds.split_indices("PublicTest"), a.faces, replace=False)
    model = load_model("default")
    result[f"{a.data}_pasted"] = pasted(model, ds.pixels[rows], ds.labels[rows])
    small = np.random.default_rng(0).choice(ds.split_indices("PublicTest"), 200, replace=False)
    result["right_by_box_size"] = by_box_size(model, ds.pixels[small], ds.labels[small])
    frames = [paste(f, 150, 0, rng)[0] for f in ds.pixels[rows[:30]]]  # one face a frame, as a webcam sees a person
    result.update(frame_ms(frames))
    emit(result, a.json)


if __name__ == "__main__":
    main()
