"""onnxruntime-web, the in-browser runtime of the Webcam page, pinned and checked: set-up
(`make run`, `make test`) runs `python dashboard/ort_web.py`, which fetches the npm tarball of
VERSION from the npm registry once (cached in ~/.cache/fer-lab), checks it against the registry's
sha512 INTEGRITY, and unpacks the three files the page loads, with its package.json (licence MIT), into
dashboard/static/ort/ (git-ignored), where the app serves them from its own origin.

Fetched rather than vendored: the WebAssembly binary alone is 14 MB, too large to keep in git
and to rewrite at every upgrade. No Node toolchain is needed: the tarball is a plain .tgz."""

import base64
import hashlib
import io
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

from fer_core.atomic import atomic_path, write_text

VERSION = "1.30.0"
# `npm view onnxruntime-web@1.30.0 dist.integrity`: the registry's hash of the tarball
INTEGRITY = "sha512-q0y+JrrtukXSzsBWEMccVfqX25LRmosXHF+CaRJmg8pZClzcV7svNc4rKY3jL02Vb7QmRMDs1SigqR4CXAfKYQ=="
# the ES module, its WebAssembly glue and binary (SIMD; one thread without cross-origin isolation),
# and package.json (its licence, MIT, and version: the tarball has no LICENSE file)
FILES = ("dist/ort.wasm.min.mjs", "dist/ort-wasm-simd-threaded.mjs", "dist/ort-wasm-simd-threaded.wasm", "package.json")
STATIC = Path(__file__).resolve().parent / "static"
DEST = STATIC / "ort"
STAMP = DEST / "VERSION"  # written last: its presence with this content means every file is there
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "fer-lab"


def tarball_url() -> str:
    registry = os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org").rstrip("/")  # npm's own setting, if a mirror is set
    return f"{registry}/onnxruntime-web/-/onnxruntime-web-{VERSION}.tgz"


def installed() -> bool:
    """Whether dashboard/static/ort holds this VERSION's files."""
    stamped = STAMP.exists() and STAMP.read_text().strip() == f"{VERSION} {INTEGRITY}"
    return stamped and all((DEST / Path(name).name).exists() for name in FILES)


def _checked(data: bytes, source: str) -> bytes:
    algo, want = INTEGRITY.split("-", 1)
    got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if got != want:
        raise RuntimeError(f"{source}: its {algo} is {got}, not the pinned onnxruntime-web {VERSION}'s {want}; nothing was unpacked")
    return data


def tarball() -> bytes:
    """The checked tarball: from the cache, else from the registry (then cached)."""
    cached = CACHE / f"onnxruntime-web-{VERSION}.tgz"
    if cached.exists():
        try:
            return _checked(cached.read_bytes(), str(cached))
        except RuntimeError:
            cached.unlink()  # a damaged cache entry: fetch it again
    url = tarball_url()
    print(f"fetching onnxruntime-web {VERSION} (33 MB, once) from {url}", file=sys.stderr)
    with urllib.request.urlopen(url, timeout=120) as r:
        data = _checked(r.read(), url)
    with atomic_path(cached) as tmp:
        tmp.write_bytes(data)
    return data


def install() -> None:
    """Unpack FILES into DEST, each through a temporary file, then the stamp."""
    if installed():
        return
    STAMP.unlink(missing_ok=True)  # until every file is in place
    DEST.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball()), mode="r:gz") as tar:
        for name in FILES:
            with atomic_path(DEST / Path(name).name) as tmp:
                tmp.write_bytes(tar.extractfile(f"package/{name}").read())
    write_text(STAMP, f"{VERSION} {INTEGRITY}\n")


if __name__ == "__main__":
    install()
