"""Real photographs that no one here made, read from packages the dev requirements install
(scikit-image's and matplotlib's bundled sample images; never copied into the repository),
with the number of faces each shows. Used by the detection tests and bench_detection."""

import importlib.util
from pathlib import Path

import cv2
import numpy as np

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
FACE_AT = {"astronaut.png": (170, 50, 110, 130), "grace_hopper.jpg": (170, 110, 190, 230), "camera.png": (190, 110, 75, 95)}
# The three people, for group scenes: photo and the head-and-shoulders square cut out of it.
PEOPLE = {
    ("skimage", "data/astronaut.png"): (125, 10, 200, 200),
    ("matplotlib", "mpl-data/sample_data/grace_hopper.jpg"): (110, 60, 310, 310),
    ("skimage", "data/camera.png"): (150, 70, 160, 160),  # head turned down to the camera
}
SCENES = (
    ("skimage", "data/coffee.png"),
    ("skimage", "data/rocket.jpg"),
    ("skimage", "data/motorcycle_left.png"),
    ("skimage", "data/brick.png"),
)


def group_scene(rng, people: list[np.ndarray], background: np.ndarray, n: int, w: int = 960, h: int = 640):
    """A group photo made of real portraits: `n` of the `people` (RGB head-and-shoulders squares)
    pasted side by side on a real background, each at a random size (70-220 px), turned in the image
    plane by up to 25 degrees and mirrored at random. Returns the scene (h, w, 3) and each person's
    head square (x, y, w, h)."""
    scene = cv2.resize(background, (w, h), interpolation=cv2.INTER_AREA).copy()
    slot = w // n
    placed = []
    for i in range(n):
        person = people[int(rng.integers(len(people)))]
        size = int(rng.integers(70, min(220, slot - 10)))
        patch = cv2.resize(person, (size, size), interpolation=cv2.INTER_AREA)
        patch = patch[:, ::-1] if rng.random() < 0.5 else patch
        turn = cv2.getRotationMatrix2D((size / 2, size / 2), float(rng.uniform(-25, 25)), 1.0)
        patch = cv2.warpAffine(np.ascontiguousarray(patch), turn, (size, size), borderMode=cv2.BORDER_REFLECT)
        mask = cv2.warpAffine(np.ones((size, size), np.uint8), turn, (size, size)) > 0
        x = i * slot + int(rng.integers(0, slot - size))
        y = int(rng.integers(0, h - size))
        scene[y : y + size, x : x + size][mask] = patch[mask]
        placed.append((x, y, size, size))
    return scene, placed


def photo_path(package: str, inside: str) -> Path | None:
    """The file inside an installed package, without importing the package; None if not installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / inside
    return path if path.exists() else None


def labelled_photo_folder(root: Path) -> Path:
    """A user's labelled photos, `<emotion>/<photo>` with emotion folders spelled as people spell them:
    two portraits (happy, neutral), a cat (anger: no face), a photo of two people (sadness), and a
    note beside the photos. Skips the test where the packages holding the photos are not installed."""
    import shutil

    import pytest

    from fer_core.faces import read_image

    def copy(package: str, inside: str, dest: Path) -> np.ndarray:
        src = photo_path(package, inside)
        if src is None:
            pytest.skip(f"{package} is not installed (requirements-dev.txt installs it)")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dest)
        return read_image(dest)

    a = copy("skimage", "data/astronaut.png", root / "Happiness" / "astronaut.png")
    b = copy("matplotlib", "mpl-data/sample_data/grace_hopper.jpg", root / "neutral" / "hopper.jpg")
    copy("skimage", "data/chelsea.png", root / "anger" / "cat.png")
    pair = np.concatenate([cv2.resize(a, (400, 400)), cv2.resize(b, (400, 400))], 1)  # (400, 800, 3)
    (root / "sadness").mkdir()
    cv2.imwrite(str(root / "sadness" / "two.jpg"), cv2.cvtColor(pair, cv2.COLOR_RGB2BGR))
    (root / "neutral" / "notes.txt").write_text("where these came from")  # beside the photos: not a photo
    return root
