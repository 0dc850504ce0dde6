"""Real photographs that no one here made, read from packages the dev requirements install
(scikit-image's and matplotlib's bundled sample images; never copied into the repository),
with the number of faces each shows. Used by the detection tests and bench_detection."""

import importlib.util
from pathlib import Path

# (package, path inside it): faces a person counts in the photo
PHOTOS: dict[tuple[str, str], int] = {
    ("skimage", "data/astronaut.png"): 1,  # Eileen Collins in a space suit, a flag behind her (NASA, public domain)
    ("matplotlib", "mpl-data/sample_data/grace_hopper.jpg"): 1,  # Grace Hopper in uniform (US Navy, public domain)
    ("skimage", "data/camera.png"): 1,  # the cameraman: face turned down to the camera, in shadow
    ("skimage", "data/chelsea.png"): 0,  # a cat
    ("skimage", "data/horse.png"): 0,
    ("skimage", "data/coffee.png"): 0,
    ("skimage", "data/rocket.jpg"): 0,
    ("skimage", "data/motorcycle_left.png"): 0,
    ("skimage", "data/coins.png"): 0,
    ("skimage", "data/moon.png"): 0,
    ("skimage", "data/brick.png"): 0,
    ("skimage", "data/grass.png"): 0,
    ("skimage", "data/gravel.png"): 0,
    ("skimage", "data/page.png"): 0,
    ("skimage", "data/text.png"): 0,
    ("skimage", "data/hubble_deep_field.jpg"): 0,
    ("skimage", "data/cell.png"): 0,
    ("skimage", "data/ihc.png"): 0,
    ("skimage", "data/retina.jpg"): 0,
    ("skimage", "data/clock_motion.png"): 0,
    ("skimage", "data/color.png"): 0,
    ("skimage", "data/logo.png"): 0,
    ("matplotlib", "mpl-data/sample_data/Minduka_Present_Blue_Pack.png"): 0,
}
# Where the face is (x, y, w, h), read off the photo by eye: a box must cover its centre.
FACE_AT = {"astronaut.png": (170, 50, 110, 130), "grace_hopper.jpg": (170, 110, 190, 230)}
# Faces the frontal-face cascade cannot see, before or after verification (docs/history/BENCHMARKS.md).
KNOWN_MISSES = {"camera.png"}


def photo_path(package: str, inside: str) -> Path | None:
    """The file inside an installed package, without importing the package; None if not installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / inside
    return path if path.exists() else None
