"""Issue 42's first lever: FER2013's faces framed as the face pipeline frames a photo's, so that
training sees what the webcam and photo sets give the model. Each face, padded by half its size
(edge pixels repeated) and upscaled 4x as in bench_framing.py, goes through the pipeline (YuNet,
the upright search, the FER2013 framing, the 48x48 crop); a face the detector misses keeps its own
pixels. Writes data set `<data>-aligned` (same labels, votes and splits), to fine-tune and score:

    python bench/bench_realign.py --data fer2013 [--workers 2] [--json OUT.json]
    fer train --recipe ferplus --data fer2013-aligned --init ferplus --epochs 6 --lr 0.01 --labels votes
    python bench/bench_realfaces.py --data fer2013 --runs RUN
"""

import argparse
import dataclasses
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np
from bench_framing import upscaled  # where FER2013's framing was measured
from report import emit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fer_core.faces.align import aligned_crop, framing, upright  # noqa: E402
from fer_core.faces.detect import find_faces  # noqa: E402

SCORE = 0.5  # FER2013's small faces score lower than a photo's (bench_framing.py: 96% found at 0.5)


def realign(pixels: np.ndarray) -> tuple[np.ndarray, int]:
    """(N, 48, 48) faces re-framed by the pipeline, and how many the detector found."""
    cv2.setNumThreads(1)
    out, found = pixels.copy(), 0
    for i, face in enumerate(pixels):
        big = upscaled(face)
        faces = find_faces(big, min_face=0, score_threshold=SCORE)
        if faces:
            out[i] = aligned_crop(big, framing(upright(big, faces[0])))[1]
            found += 1
    return out, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="fer2013")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json")
    a = ap.parse_args()
    from fer_core.data import load_dataset, save_dataset

    ds = load_dataset(a.data)
    t = time.perf_counter()
    with Pool(a.workers) as pool:
        parts = pool.map(realign, np.array_split(ds.pixels, 64))
    pixels = np.concatenate([p for p, _ in parts])
    found = sum(f for _, f in parts)
    meta = {**ds.meta, "realigned_from": a.data, "realigned_found": found}
    save_dataset(dataclasses.replace(ds, name=f"{a.data}-aligned", pixels=pixels, meta=meta), replace=True)
    emit({"data": a.data, "faces": len(ds), "found": found, "seconds": round(time.perf_counter() - t, 1)}, a.json)


if __name__ == "__main__":
    main()
