"""Full FER2013 import: time and peak memory, against a conventional baseline in the same run.

    python bench/bench_import.py [--shared ../shared/fer2013] [--json OUT.json]

Writes the challenge CSV and the Kaggle-style PNG zip with ../shared/fer2013/fer2013.py,
then imports each in a fresh process (so peak RSS is that import's alone):
  ours      fer_core's importer (the file, canonical order, hash, atomic write included)
  baseline  the usual notebook way: pandas.read_csv + np.array(row.split()) per face
Targets (issue 2): full CSV <= 60 s and <= 2 GB peak on 2 cores; the file loads in < 1 s.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import emit

ROOT = Path(__file__).resolve().parent.parent

WORKERS = {
    "ours": """
import sys, time
from fer_core.data.importer import import_source
t = time.perf_counter()
rep = import_source(sys.argv[1], "bench", replace=True)
seconds = time.perf_counter() - t
from fer_core.data import load_dataset
t = time.perf_counter()
load_dataset("bench")
print(seconds, rep.n, time.perf_counter() - t)
""",
    "baseline": """
import sys, time
import numpy as np, pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
x = np.stack([np.array(s.split(), dtype=np.uint8).reshape(48, 48) for s in df["pixels"]])
y = df["emotion"].to_numpy()
print(time.perf_counter() - t, len(y), "nan")
""",
}


def run_worker(kind: str, source: Path, data_dir: str) -> dict:
    """One import in a fresh interpreter; wall time inside it, peak RSS from wait4."""
    env = {**os.environ, "FER_DATA_DIR": data_dir}
    proc = subprocess.Popen([sys.executable, "-c", WORKERS[kind], str(source)], stdout=subprocess.PIPE, env=env, cwd=ROOT)
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{kind} import of {source} failed")
    seconds, n, load = out.split()
    row = {"seconds": round(float(seconds), 2), "peak_mb": round(usage.ru_maxrss / 1024), "faces": int(n)}
    if load != "nan":
        row["load_seconds"] = round(float(load), 3)  # reading the imported data-set file back
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "fer2013"))
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()
    script = Path(a.shared) / "fer2013.py"
    if not script.exists():
        raise SystemExit(f"{script} not found: this benchmark needs ../shared/fer2013")
    results = {"cpu_cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, zip_path = Path(tmp) / "fer2013.csv", Path(tmp) / "fer2013.zip"
        subprocess.run([sys.executable, str(script), "csv", str(csv_path)], check=True, capture_output=True)
        subprocess.run([sys.executable, str(script), "zip", str(zip_path)], check=True, capture_output=True)
        results["csv_mb"] = round(csv_path.stat().st_size / 2**20)
        data_dir = str(Path(tmp) / "data")
        results["csv_ours"] = run_worker("ours", csv_path, data_dir)
        results["csv_baseline"] = run_worker("baseline", csv_path, data_dir)
        results["zip_ours"] = run_worker("ours", zip_path, data_dir)
    ours, base = results["csv_ours"], results["csv_baseline"]
    results["csv_speedup_vs_baseline"] = round(base["seconds"] / ours["seconds"], 2)
    results["csv_memory_ratio_vs_baseline"] = round(ours["peak_mb"] / base["peak_mb"], 2)
    results["targets_met"] = ours["seconds"] <= 60 and ours["peak_mb"] <= 2048 and ours["load_seconds"] < 1

    emit(results, a.json)
    print(f"\nFull FER2013 import ({results['csv_ours']['faces']:,} faces, CSV {results['csv_mb']} MB, {results['cpu_cores']} cores)")
    print(f"{'import':<34}{'seconds':>9}{'peak MB':>9}")
    for key, label in [
        ("csv_ours", "challenge CSV, fer_core"),
        ("csv_baseline", "challenge CSV, pandas + split()"),
        ("zip_ours", "Kaggle PNG zip, fer_core"),
    ]:
        print(f"{label:<34}{results[key]['seconds']:>9.2f}{results[key]['peak_mb']:>9}")
    print(f"loading the imported data-set file: {ours['load_seconds']:.3f} s")
    print(f"speed-up vs baseline: {results['csv_speedup_vs_baseline']}x; memory ratio: {results['csv_memory_ratio_vs_baseline']}")
    print(f"targets (import <= 60 s, <= 2048 MB; load < 1 s): {'met' if results['targets_met'] else 'NOT met'}")


if __name__ == "__main__":
    main()
