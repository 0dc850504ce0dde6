"""Set-up's fetch of onnxruntime-web (dashboard/ort_web.py): a tarball that is not the pinned one is
refused by its hash with nothing unpacked, a damaged cache entry is fetched again, and the pinned
one unpacks the files the Webcam loads."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "dashboard"))
import ort_web  # noqa: E402

PINNED_CACHE = ort_web.CACHE / f"onnxruntime-web-{ort_web.VERSION}.tgz"


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """ort_web writing to a scratch cache and folder, fetching from a registry that is a folder."""
    registry = tmp_path / "registry"
    monkeypatch.setattr(ort_web, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(ort_web, "DEST", tmp_path / "static" / "ort")
    monkeypatch.setattr(ort_web, "STAMP", tmp_path / "static" / "ort" / "VERSION")
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", registry.as_uri())
    tarball = registry / "onnxruntime-web" / "-" / f"onnxruntime-web-{ort_web.VERSION}.tgz"
    tarball.parent.mkdir(parents=True)
    return tarball


def test_a_tarball_that_is_not_the_pinned_one_is_refused_and_nothing_unpacked(scratch):
    scratch.write_bytes(b"not onnxruntime-web")
    ort_web.CACHE.mkdir(parents=True)
    (ort_web.CACHE / scratch.name).write_bytes(b"a damaged download")  # dropped, then fetched again
    with pytest.raises(RuntimeError, match=f"not the pinned onnxruntime-web {ort_web.VERSION}'s"):
        ort_web.install()
    assert not ort_web.installed() and not any(ort_web.DEST.glob("*"))
    assert not (ort_web.CACHE / scratch.name).exists()  # neither the damaged entry nor the bad download is kept


@pytest.mark.skipif(not PINNED_CACHE.exists(), reason="the pinned tarball is not cached here (set-up fetches it)")
def test_the_pinned_tarball_unpacks_the_files_the_webcam_loads(scratch):
    scratch.write_bytes(PINNED_CACHE.read_bytes())  # served by the scratch registry, as npm's would
    ort_web.install()
    assert ort_web.installed()
    assert sorted(p.name for p in ort_web.DEST.iterdir()) == sorted(["VERSION", *(Path(f).name for f in ort_web.FILES)])
    assert (ort_web.DEST / "ort-wasm-simd-threaded.wasm").read_bytes()[:4] == b"\0asm"
    (ort_web.DEST / "ort.wasm.min.mjs").unlink()  # a file gone: not installed, and set-up puts it back
    assert not ort_web.installed()
    ort_web.install()
    assert ort_web.installed()
