"""Face detection on real photographs (one box per person, none on clothing, animals, objects or
textures), on blank frames, and on FER2013-style faces pasted on backgrounds."""

import numpy as np
import pytest

from fer_core.faces.detect import candidates, detect_faces, face_from_photo, read_image, to_gray
from tests.photos import FACE_AT, KNOWN_MISSES, PHOTOS, photo_path
from tests.videos import background


def _photo(package: str, inside: str) -> np.ndarray:
    path = photo_path(package, inside)
    if path is None:
        pytest.skip(f"{package} is not installed (requirements-dev.txt installs it)")
    return read_image(path)


def _covers(box, region) -> bool:
    x, y, w, h = box
    rx, ry, rw, rh = region
    cx, cy = rx + rw / 2, ry + rh / 2
    return x <= cx <= x + w and y <= cy <= y + h


@pytest.mark.parametrize(("package", "inside"), list(PHOTOS), ids=[p.rsplit("/", 1)[-1] for _, p in PHOTOS])
def test_a_photo_gets_one_box_per_face_and_none_elsewhere(package, inside):
    name = inside.rsplit("/", 1)[-1]
    faces = detect_faces(_photo(package, inside)).faces
    expected = PHOTOS[(package, inside)]
    if name in KNOWN_MISSES:
        assert len(faces) <= expected  # a miss, never a false box
        return
    assert len(faces) == expected, f"{name}: {len(faces)} boxes {[f.box for f in faces]}, expected {expected}"
    if name in FACE_AT:
        assert _covers(faces[0].box, FACE_AT[name]) and faces[0].eyes >= 1


def test_the_portrait_that_had_a_box_on_its_clothing_explains_its_face():
    face, det = face_from_photo(_photo("skimage", "data/astronaut.png"), "astronaut.png")
    assert len(det.faces) == 1 and _covers(face.box, FACE_AT["astronaut.png"])


@pytest.mark.parametrize("value", [0, 128, 255])
def test_blank_frames_have_no_face(value):
    assert detect_faces(np.full((480, 640, 3), value, np.uint8)).faces == []


def test_random_scenes_have_no_face():
    rng = np.random.default_rng(3)
    assert sum(len(detect_faces(background(rng)).faces) for _ in range(20)) == 0


def test_a_demo_face_on_a_background_is_found_once(data_dir):
    import cv2

    from fer_core.data.synth import synth_dataset

    ds = synth_dataset("demo", n=140)
    rng = np.random.default_rng(0)
    found = proposed = 0
    for face in ds.pixels[:20]:
        frame = background(rng)
        frame[150:310, 240:400] = cv2.resize(face, (160, 160), interpolation=cv2.INTER_CUBIC)[..., None]
        boxes = [f.box for f in detect_faces(frame).faces]
        assert len(boxes) <= 1 and all(_covers(b, (240, 150, 160, 160)) for b in boxes)
        found += len(boxes)
        proposed += any(_covers(b, (240, 150, 160, 160)) for b, _ in candidates(to_gray(frame)))
    assert found == proposed >= 10  # verification drops no face the cascade proposes (some are turned or dark)
