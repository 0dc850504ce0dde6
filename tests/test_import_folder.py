"""Kaggle-style image folders and zips on generated fixtures."""

import cv2
import numpy as np
import pytest

from fer_core.data import load_dataset
from fer_core.data.importer import import_source
from fer_core.labels import PRIVATE_TEST, PUBLIC_TEST
from tests.fixtures import challenge_csv_text, image_files, sorted_faces, write_folder, write_text, write_zip


@pytest.mark.parametrize("container", ["folder", "zip"])
@pytest.mark.parametrize("ext", ["png", "jpg"])
def test_image_tree_imports_every_face_with_its_split(tmp_path, faces, container, ext):
    files = image_files(*faces, ext=ext)
    src = write_folder(tmp_path / "tree", files) if container == "folder" else write_zip(tmp_path / "tree.zip", files)
    rep = import_source(src, "imgs")
    assert rep.n == 42 and rep.format == "image-folder" and rep.converted == 0
    ds = load_dataset("imgs")
    got = sorted_faces(ds.pixels, ds.labels, ds.splits)
    want = sorted_faces(*faces)
    assert np.array_equal(got[1], want[1]) and np.array_equal(got[2], want[2])
    if ext == "png":  # lossless: identical pixels
        assert np.array_equal(got[0], want[0])
    else:
        assert np.abs(got[0].astype(int) - want[0]).mean() < 30  # noise survives jpeg only roughly


def test_png_zip_and_csv_of_the_same_faces_are_identical(tmp_path, faces):
    a = import_source(write_zip(tmp_path / "a.zip", image_files(*faces)), "a")
    b = import_source(write_text(tmp_path / "b.csv", challenge_csv_text(*faces)), "b")
    assert a.hash == b.hash
    assert np.array_equal(load_dataset("a").pixels, load_dataset("b").pixels)


def test_test_images_without_split_prefix_become_public_test(tmp_path, faces):
    files = image_files(*faces, name_split=False)
    ds_rep = import_source(write_zip(tmp_path / "plain.zip", files), "plain")
    assert PRIVATE_TEST not in set(load_dataset("plain").splits.tolist())
    assert ds_rep.counts["PublicTest"]["angry"] == 4  # PublicTest + PrivateTest faces
    assert (load_dataset("plain").splits == PUBLIC_TEST).sum() == 28


def test_class_folders_are_case_insensitive_and_wrapping_folder_is_found(tmp_path, faces):
    files = {f"FER-2013/{k.replace('happy', 'Happy').replace('train/', 'Train/')}": v for k, v in image_files(*faces).items()}
    files["FER-2013/README.txt"] = b"about this data"
    files["__MACOSX/FER-2013/train/._x.png"] = b"resource fork"
    files["FER-2013/train/happy/.DS_Store"] = b"\x00\x01"
    rep = import_source(write_zip(tmp_path / "wrapped.zip", files), "wrapped")
    assert rep.n == 42 and rep.skipped == 0


def test_colour_and_odd_size_images_are_converted_to_48x48_gray(tmp_path):
    rng = np.random.default_rng(0)
    files = {}
    for i, (h, w) in enumerate([(48, 48), (96, 96), (100, 60), (30, 30)]):
        bgr = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        files[f"train/sad/img{i}.png"] = cv2.imencode(".png", bgr)[1].tobytes()
    gray = rng.integers(0, 256, (48, 48), dtype=np.uint8)
    files["train/sad/gray.png"] = cv2.imencode(".png", gray)[1].tobytes()
    rep = import_source(write_folder(tmp_path / "colour", files), "colour")
    assert rep.n == 5 and rep.converted == 4
    ds = load_dataset("colour")
    assert ds.pixels.shape == (5, 48, 48)
    assert any(np.array_equal(p, gray) for p in ds.pixels)  # already right: untouched
