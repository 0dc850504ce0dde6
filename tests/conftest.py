"""Every test gets its own data and checkpoints dirs: nothing touches a user's files."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_FER = ROOT.parent / "shared" / "fer2013"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    data, ckpt = tmp_path / "data", tmp_path / "checkpoints"
    data.mkdir()
    ckpt.mkdir()
    monkeypatch.setenv("FER_DATA_DIR", str(data))
    monkeypatch.setenv("FER_CHECKPOINTS_DIR", str(ckpt))
    monkeypatch.setenv("FER_DEFAULT_MODEL_DIR", str(tmp_path / "no-default-model"))  # tests ship their own
    return data


@pytest.fixture(scope="session")
def _rates(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("rates") / ".throughput.json"


@pytest.fixture(autouse=True)
def measured_once(_rates, monkeypatch):
    """The rates the estimates measure (fer_core.estimate) are kept for the whole session, as on a
    user's machine, so each probe runs once; and no page waits for a click to start an action
    unless a test asks for that (the estimate's tests set LONG_S)."""
    from fer_core import estimate

    monkeypatch.setattr(estimate, "_store", lambda: _rates)
    monkeypatch.setattr(estimate, "LONG_S", float("inf"))


@pytest.fixture
def data_dir(isolated_dirs) -> Path:
    return isolated_dirs


@pytest.fixture
def voted(data_dir):
    """The demo faces with FER+-style votes (data set 'voted'), and an untrained model on them."""
    from tests.fixtures import save_voted_demo, untrained_run

    save_voted_demo(350, least=2)
    return untrained_run("voted", seed=1)


@pytest.fixture(scope="session")
def faces():
    """Small generated faces with every class in every split: (pixels, labels, splits)."""
    rng = np.random.default_rng(7)
    labels = np.tile(np.arange(7), 6).astype(np.uint8)  # 42 faces
    splits = np.repeat([0, 1, 2], 14).astype(np.uint8)
    pixels = rng.integers(0, 256, (len(labels), 48, 48), dtype=np.uint8)
    return pixels, labels, splits


@pytest.fixture(scope="session")
def shared_fer() -> Path:
    if not (SHARED_FER / "fer2013.py").exists():
        pytest.skip("../shared/fer2013 is absent (real-data fixtures only run beside it)")
    return SHARED_FER


@pytest.fixture(scope="session")
def fer_fixtures(shared_fer, tmp_path_factory) -> dict[str, Path]:
    """Small real fixtures written by ../shared/fer2013/fer2013.py, in every user format."""
    out = tmp_path_factory.mktemp("fer_real")
    script = str(shared_fer / "fer2013.py")
    # name: (format, file, options)
    jobs = {
        "csv": ("csv", "fer2013.csv", ["--per-class", "12"]),
        "zip": ("zip", "fer2013.zip", ["--per-class", "12"]),
        "folder": ("folder", "folder", ["--per-class", "12"]),
        "jpgzip": ("zip", "fer2013_jpg.zip", ["--per-class", "5", "--ext", "jpg"]),
        "ferplus": ("ferplus", "fer2013new.csv", ["--per-class", "12"]),  # the votes of the csv fixture's rows
        "ferplus-folder": ("ferplus-folder", "FERPlus.zip", ["--per-class", "12", "--zip"]),  # the same rows, FERPlus's layout
    }
    # Side by side: each one mostly decompresses the 58 MB pixel file, on one core.
    procs = {
        name: subprocess.Popen([sys.executable, script, fmt, str(out / file), *opts], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for name, (fmt, file, opts) in jobs.items()
    }
    for name, proc in procs.items():
        output, _ = proc.communicate()
        if proc.returncode:
            raise RuntimeError(f"fer2013.py for the {name} fixture failed:\n{output.decode(errors='replace')}")
    return {name: out / file for name, (_, file, _) in jobs.items()}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
