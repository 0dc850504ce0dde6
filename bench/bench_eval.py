"""Evaluation speed (issue 4): full PublicTest with the shipped model's architecture on this machine's CPU,
in the app's arithmetic (bf16 where native) against fp32 and a per-face loop measured in the same run;
and, in a real browser, a confusion-matrix click to the rendered gallery once predictions are cached
(targets: <= 3 s and <= 0.5 s).

    python bench/bench_eval.py [--data fer2013] [--from-shared] [--arch ARCH] [--browser] [--json OUT.json]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import emit, shipped_arch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _time(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def browser_clicks(run_id: str, data: str, preds, cells: int = 6) -> dict:
    """Median seconds from a click on a cell to its gallery, rendered and idle."""
    from tests.browser import browser_page, streamlit_server, wait_idle

    counts = sorted(((len(preds.cell(t, p)), t, p) for t in range(7) for p in range(7) if t != p), reverse=True)[:cells]
    from fer_core.handle.store import default_dir
    from fer_core.paths import checkpoints_dir, data_dir

    # The app gets the bench's own dirs, whether they came from the environment or the defaults.
    env = {"FER_DATA_DIR": str(data_dir()), "FER_CHECKPOINTS_DIR": str(checkpoints_dir()), "FER_DEFAULT_MODEL_DIR": str(default_dir())}
    times = []
    with streamlit_server(env) as url, browser_page(height=1500) as page:
        page.goto(f"{url}/evaluate?model={run_id}&data={data}&split=PublicTest")
        points = page.locator(".js-plotly-plot .scatterlayer .trace").first.locator(".point")
        points.first.wait_for(timeout=120_000)
        wait_idle(page, 120_000)
        for n, t, p in counts:
            shown = min(n, 24)
            t0 = time.perf_counter()
            points.nth(t * 7 + p).click(force=True)
            done = (
                f"document.querySelectorAll('.fc[data-row]').length === {shown} && "
                f"[...document.querySelectorAll('h3')].some(h => h.textContent.includes(': {n} faces'))"
            )
            page.wait_for_function(done, polling="raf", timeout=30_000)
            times.append(time.perf_counter() - t0)
            wait_idle(page)
    return {"click_to_gallery_s_median": statistics.median(times), "click_to_gallery_s": times, "cells": [c[0] for c in counts]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="fer2013")
    ap.add_argument("--from-shared", action="store_true", help="import ../shared/fer2013 into a temp data dir first")
    ap.add_argument("--browser", action="store_true", help="also time cell clicks in Chromium")
    ap.add_argument("--arch", default=shipped_arch(), help="architecture to time (default: the shipped model's)")
    ap.add_argument("--json")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    os.environ["FER_CHECKPOINTS_DIR"] = str(Path(tmp) / "checkpoints")
    os.environ["FER_DEFAULT_MODEL_DIR"] = str(Path(tmp) / "no-default")
    if a.from_shared:
        os.environ["FER_DATA_DIR"] = str(Path(tmp) / "data")
        csv = Path(tmp) / "fer2013.csv"
        subprocess.run([sys.executable, str(ROOT.parent / "shared/fer2013/fer2013.py"), "csv", str(csv)], check=True, capture_output=True)
        from fer_core.data.importer import import_source

        import_source(csv, a.data)
    import torch

    from fer_core.data import load_dataset
    from fer_core.handle.predictions import predict_split
    from fer_core.handle.store import load_model
    from fer_core.precision import cpu_description
    from tests.fixtures import untrained_run

    ds = load_dataset(a.data)
    run = untrained_run(a.data, arch=a.arch)  # speed does not depend on the weights' values
    model = load_model(run.id)  # the app's precision: bf16 where the CPU has it natively
    exact = load_model(run.id, precision="fp32")
    rows = ds.split_indices("PublicTest")
    full = _time(lambda: predict_split(model, ds, "PublicTest", use_cache=False))
    full_fp32 = _time(lambda: predict_split(exact, ds, "PublicTest", use_cache=False))
    tta = _time(lambda: predict_split(model, ds, "PublicTest", tta="flip", use_cache=False))
    crops = _time(lambda: predict_split(model, ds, "PublicTest", tta="10crop", use_cache=False), repeat=1)
    cached = _time(lambda: predict_split(model, ds, "PublicTest"))

    def per_face():  # the naive loop a homework writes: one face at a time
        with torch.no_grad():
            for r in rows:
                model.probs(ds.pixels[r : r + 1])

    baseline = _time(per_face, repeat=1)
    result = {
        "cpu": cpu_description(),
        "faces": len(rows),
        "threads": torch.get_num_threads(),
        "arch": a.arch,
        "arithmetic": model.arithmetic,
        "full_split_s": full,
        "full_split_fp32_s": full_fp32,
        "speedup_vs_fp32": full_fp32 / full,
        "full_split_tta_s": tta,
        "full_split_10crop_s": crops,
        "cached_load_s": cached,
        "per_face_loop_s": baseline,
        "speedup_vs_per_face": baseline / full,
        "target_s": 3.0,
        "meets_target": full <= 3.0,
    }
    if a.browser:
        preds = predict_split(model, ds, "PublicTest")
        result.update(browser_clicks(run.id, a.data, preds))
        result["click_meets_target"] = result["click_to_gallery_s_median"] <= 0.5
    emit(result, a.json)


if __name__ == "__main__":
    main()
