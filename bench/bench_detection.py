"""Face detection before and after verification (issue 17), in one run on this machine:
real photographs from scikit-image and matplotlib with their true face counts, blank frames and
random scenes, and demo / FER2013 faces pasted on scenes and textures. Before = the frontal-face
cascade's boxes as they were used (`faces.candidates`); after = `faces.detect_faces` (eye check,
strong-weight rule, overlap suppression). Also ms per 640x480 frame (the webcam budget).

    python bench/bench_detection.py [--data fer2013] [--faces 300] [--json OUT.json]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from report import emit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fer_core.faces.detect import candidates, detect_faces, read_image, to_gray  # noqa: E402
from tests.photos import PHOTOS, photo_path  # noqa: E402
from tests.videos import background  # noqa: E402


def _covers(box, region) -> bool:
    x, y, w, h = box
    rx, ry, rw, rh = region
    return x <= rx + rw / 2 <= x + w and y <= ry + rh / 2 <= y + h


def before(image) -> list:
    return [b for b, _ in candidates(to_gray(image))]


def after(image) -> list:
    return [f.box for f in detect_faces(image).faces]


def photos() -> list[dict]:
    rows = []
    for (package, inside), expected in PHOTOS.items():
        path = photo_path(package, inside)
        if path is None:
            continue
        image = read_image(path)
        b, a = before(image), after(image)
        rows.append(
            {
                "photo": path.name,
                "faces": expected,
                "before": len(b),
                "after": len(a),
                "false_before": max(0, len(b) - expected),
                "false_after": max(0, len(a) - expected),
            }
        )
    return rows


def pasted(pixels: np.ndarray, n: int, textures: list[np.ndarray], seed: int = 0) -> dict:
    """n faces, one per 640x480 frame, 90-200 px, at random places on scenes or photo textures."""
    rng = np.random.default_rng(seed)
    out = {"faces": n, "found_before": 0, "found_after": 0, "false_before": 0, "false_after": 0}
    for i in range(n):
        face = pixels[rng.integers(len(pixels))]
        size = int(rng.integers(90, 200))
        frame = background(rng) if i % 2 or not textures else cv2.resize(textures[i % len(textures)], (640, 480))
        x, y = int(rng.integers(0, 640 - size)), int(rng.integers(0, 480 - size))
        frame[y : y + size, x : x + size] = cv2.resize(face, (size, size), interpolation=cv2.INTER_CUBIC)[..., None]
        for name, boxes in (("before", before(frame)), ("after", after(frame))):
            hits = [_covers(b, (x, y, size, size)) for b in boxes]
            out[f"found_{name}"] += any(hits)
            out[f"false_{name}"] += len(hits) - min(1, sum(hits))
    return out


def frame_ms(frames: list[np.ndarray]) -> dict:
    result = {}
    for name, fn in (("before", before), ("after", after)):
        times = []
        for f in frames:
            t0 = time.perf_counter()
            fn(f)
            times.append(time.perf_counter() - t0)
        result[f"ms_per_frame_{name}"] = statistics.median(times) * 1000
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="fer2013", help="data set whose PublicTest faces are pasted (skipped if absent)")
    ap.add_argument("--faces", type=int, default=300)
    ap.add_argument("--json")
    a = ap.parse_args()
    import torch

    from fer_core.data import list_datasets, load_dataset
    from fer_core.data.synth import synth_dataset

    textures = [read_image(p) for (pkg, inside), n in PHOTOS.items() if n == 0 and (p := photo_path(pkg, inside))]
    rng = np.random.default_rng(1)
    empty = [np.full((480, 640, 3), v, np.uint8) for v in (0, 128, 255)] + [background(rng) for _ in range(50)]
    result = {"threads": torch.get_num_threads(), "photos": photos()}
    result["empty_frames"] = {
        "frames": len(empty),
        "false_before": sum(len(before(f)) for f in empty),
        "false_after": sum(len(after(f)) for f in empty),
    }
    result["demo_pasted"] = pasted(synth_dataset("demo", n=700).pixels, a.faces, textures)
    if a.data in {d.name for d in list_datasets()}:
        ds = load_dataset(a.data)
        result[f"{a.data}_pasted"] = pasted(ds.pixels[ds.split_indices("PublicTest")], a.faces, textures)
    frames = [background(rng) for _ in range(30)]
    demo = synth_dataset("demo", n=140).pixels
    for i, f in enumerate(frames):  # one face per frame, as the webcam sees a person
        f[160:310, 240:390] = cv2.resize(demo[i], (150, 150), interpolation=cv2.INTER_CUBIC)[..., None]
    result.update(frame_ms(frames))
    emit(result, a.json)


if __name__ == "__main__":
    main()
