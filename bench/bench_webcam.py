"""Webcam pipeline speed (issues 6 and 35): detection (YuNet) + alignment + model for every frame
of a recorded 640x480 video of several moving faces, against the pipeline it replaced (Haar on a
320-wide copy, the eye check, square crops; bench/haar_baseline.py) + the same model, measured in
the same run. Target: >= 25 frames/s (<= 40 ms a frame) with two faces on 2 CPU cores.
Also (issue 7) single-face latency and batched throughput of the model alone. The frames run as
the Webcam page runs them (one torch thread in the callback) and again with the process's threads;
--busy-core keeps one core busy meanwhile, as a co-located browser's video codecs do.

    python bench/bench_webcam.py [--run RUN] [--faces 2] [--frames 120] [--busy-core] [--json OUT.json]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from haar_baseline import haar_faces
from report import emit, shipped_arch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default=None, help="run id or 'default' (default: an untrained seed-4conv)")
    ap.add_argument("--faces", type=int, default=2)
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--busy-core", action="store_true", help="keep one core busy meanwhile, as a browser's video codecs would")
    ap.add_argument("--json")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    os.environ.setdefault("FER_DATA_DIR", str(tmp / "data"))
    os.environ["FER_CHECKPOINTS_DIR"] = str(tmp / "checkpoints")
    from fer_core.data import list_datasets, load_dataset, save_dataset
    from fer_core.data.synth import synth_dataset
    from fer_core.faces.live import one_torch_thread, predict_faces
    from fer_core.handle.store import load_model
    from tests.fixtures import untrained_run
    from tests.videos import detectable_faces, make_frames

    names = [d.name for d in list_datasets()]
    data = "fer2013" if "fer2013" in names else "demo"
    if data not in names:
        save_dataset(synth_dataset("demo", n=700))
    ds = load_dataset(data)
    model = load_model(a.run) if a.run else load_model(untrained_run(data, arch=shipped_arch()).id)
    frames, _ = make_frames(detectable_faces(ds.pixels[ds.split_indices("PublicTest")], a.faces), a.frames)
    predict_faces(model, frames[0], live=True)  # warm-up

    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if a.busy_core else None
    try:
        ours, all_threads = [], []
        found = 0
        for f in frames:  # the Webcam page's path: one torch thread in the frame callback
            t0 = time.perf_counter()
            with one_torch_thread():
                found += len(predict_faces(model, f, live=True)) == a.faces
            ours.append(time.perf_counter() - t0)
        for f in frames:  # the same with the process's thread count (2 here), for comparison
            t0 = time.perf_counter()
            predict_faces(model, f, live=True)
            all_threads.append(time.perf_counter() - t0)
        full = []
        for f in frames:  # the baseline: the Haar pipeline it replaced, then the same model on its crops
            t0 = time.perf_counter()
            with one_torch_thread():
                crops = [h.face48 for h in haar_faces(f)]
                if crops:
                    model.probs(np.stack(crops))
            full.append(time.perf_counter() - t0)
    finally:
        if busy:  # never left spinning, even when a step fails
            busy.kill()

    one = ds.pixels[:1]
    lat = []
    for _ in range(200):
        t0 = time.perf_counter()
        model.probs(one)
        lat.append(time.perf_counter() - t0)
    batch = ds.pixels[:2048]
    t0 = time.perf_counter()
    model.probs(batch)
    thr = len(batch) / (time.perf_counter() - t0)
    ms = statistics.median(ours) * 1000
    emit(
        {
            "threads": torch.get_num_threads(),
            "model": model.run_id,
            "frames": a.frames,
            "faces_per_frame": a.faces,
            "frames_with_every_face": found,
            "ms_per_frame_median": ms,
            "ms_per_frame_p95": float(np.percentile(ours, 95) * 1000),
            "busy_core": a.busy_core,
            "ms_per_frame_all_threads_median": statistics.median(all_threads) * 1000,
            "fps": 1000 / ms,
            "haar_pipeline_ms_median": statistics.median(full) * 1000,
            "speedup_vs_haar": statistics.median(full) * 1000 / ms,
            "meets_target": ms <= 40,
            "single_face_latency_ms_median": statistics.median(lat) * 1000,
            "batched_faces_per_s": thr,
        },
        a.json,
    )


if __name__ == "__main__":
    main()
