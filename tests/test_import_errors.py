"""Every kind of bad input gets a message naming the file and the row or entry,
and a refused import writes nothing and leaves existing data sets untouched."""

import gzip
import zipfile

import cv2
import numpy as np
import pytest

from fer_core.data import DataImportError, load_dataset
from fer_core.data.importer import import_source
from tests.fixtures import challenge_csv_text, image_files, write_folder, write_text, write_zip


def _csv_with_bad_line(tmp_path, faces, bad_line: str):
    lines = challenge_csv_text(*faces).splitlines()
    lines.insert(5, bad_line)  # becomes line 6 of the file
    return write_text(tmp_path / "fer2013.csv", "\n".join(lines) + "\n")


def _row(pixels: str, label="3", usage="Training") -> str:
    return f"{label},{pixels},{usage}"


FULL = " ".join(["128"] * 2304)

CSV_CASES = {
    "wrong pixel count": (_row(" ".join(["1"] * 2303)), "expected 2304 pixels (48x48), found 2303"),
    "non-numeric pixels": (_row(FULL[:-3] + "abc"), "non-numeric pixel value 'abc'"),
    "pixel out of range": (_row(FULL[:-3] + "300"), "out of range"),
    "unknown label": (_row(FULL, label="9"), "unknown label '9'"),
    "unknown usage": (_row(FULL, usage="Validation"), "unknown Usage 'Validation'"),
    "missing field": ("3," + FULL, "expected 3 fields, found 2"),
}


@pytest.mark.parametrize("case", CSV_CASES)
def test_bad_csv_row_is_named_by_file_and_line(tmp_path, faces, case):
    line, message = CSV_CASES[case]
    src = _csv_with_bad_line(tmp_path, faces, line)
    with pytest.raises(DataImportError) as err:
        import_source(src, "x")
    text = str(err.value)
    assert "fer2013.csv" in text and "line 6" in text and message in text
    assert "1 bad row;" in text and err.value.total_bad == 1


@pytest.mark.parametrize("case", CSV_CASES)
def test_skip_bad_imports_the_rest_and_counts_the_skipped(tmp_path, faces, case):
    src = _csv_with_bad_line(tmp_path, faces, CSV_CASES[case][0])
    rep = import_source(src, "x", skip_bad=True)
    assert rep.n == 42 and rep.skipped == 1
    assert rep.problems[0].where == "line 6"
    assert load_dataset("x").meta["skipped"] == 1


def test_a_split_left_empty_by_skip_bad_is_said(tmp_path, faces):
    """118 Training faces and 0 PublicTest were once accepted without a word."""
    pixels, labels, splits = faces
    train = splits == 0
    text = challenge_csv_text(pixels[train], labels[train], splits[train]) + _row("1 2 3", usage="PublicTest") + "\n"
    rep = import_source(write_text(tmp_path / "fer2013.csv", text), "x", skip_bad=True)
    assert rep.n == 14 and rep.skipped_text == "1 bad row"
    assert rep.warnings == ("PublicTest is empty: validation and Evaluate will have no faces from this data set",)
    whole = import_source(write_text(tmp_path / "whole.csv", challenge_csv_text(*faces)), "y")
    assert whole.warnings == ()


def test_many_bad_rows_list_the_first_few_and_count_all(tmp_path):
    text = "emotion,pixels,Usage\n" + "\n".join(_row("1 2 3") for _ in range(25)) + "\n"
    with pytest.raises(DataImportError) as err:
        import_source(write_text(tmp_path / "bad.csv", text), "x")
    assert err.value.total_bad == 25 and len(err.value.problems) == 10
    assert "no valid faces (25 bad rows)" in str(err.value)
    assert "... and 15 more" in str(err.value) and "line 2:" in str(err.value)


def _zip_bomb(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("fer2013.csv", b"0" * (30 * 2**20))  # 30 MB of zeros deflate ~1000x
    return path


def _traversal_zip(tmp_path, name):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("train/happy/ok.png", cv2.imencode(".png", np.zeros((48, 48), np.uint8))[1].tobytes())
        info = zipfile.ZipInfo(name)
        z.writestr(info, b"x")
    return path


def _image_zip(tmp_path, faces, extra: dict[str, bytes]):
    files = image_files(*faces) | extra
    return write_zip(tmp_path / "faces.zip", files)


SOURCE_CASES = {
    "empty file": (lambda t, f: write_text(t / "empty.csv", ""), "empty.csv: the file is empty"),
    "header only": (lambda t, f: write_text(t / "head.csv", "emotion,pixels,Usage\n"), "head.csv: no valid faces"),
    "not a data set": (lambda t, f: write_text(t / "notes.csv", "name,age\nann,3\n"), "notes.csv: not a recognised data set"),
    "binary junk": (lambda t, f: (t / "junk.csv").write_bytes(bytes(range(256)) * 8) and t / "junk.csv", "junk.csv: not a text CSV"),
    "broken gzip": (
        lambda t, f: (t / "cut.csv.gz").write_bytes(gzip.compress(b"emotion,pixels\n" * 500)[:60]) and t / "cut.csv.gz",
        "cut.csv.gz: cannot read",
    ),
    "zip without data": (lambda t, f: write_zip(t / "docs.zip", {"readme.md": b"hi"}), "docs.zip: not a recognised data set"),
    "zip traversal": (lambda t, f: _traversal_zip(t, "../../etc/evil.png"), "unsafe entry '../../etc/evil.png'"),
    "zip absolute path": (lambda t, f: _traversal_zip(t, "/etc/evil.png"), "unsafe entry '/etc/evil.png'"),
    "zip bomb": (lambda t, f: _zip_bomb(t), "bomb.zip: entry 'fer2013.csv' would inflate"),
    "unknown class folder": (
        lambda t, f: _image_zip(t, f, {"train/contempt/a.png": b"x", "train/contempt/b.png": b"y"}),
        "train/contempt: unknown class folder 'contempt'",
    ),
    "unreadable image": (
        lambda t, f: _image_zip(t, f, {"train/sad/broken.png": b"\x89PNG not really"}),
        "train/sad/broken.png: unreadable image",
    ),
    "not an image": (lambda t, f: _image_zip(t, f, {"test/fear/notes.txt": b"hello"}), "test/fear/notes.txt: not an image"),
    "image outside class folder": (
        lambda t, f: _image_zip(t, f, {"train/loose.png": b"x"}),
        "train/loose.png: image is not inside a class folder",
    ),
    "missing path": (lambda t, f: t / "nowhere.csv", "nowhere.csv: no such file or folder"),
    "empty folder": (lambda t, f: write_folder(t / "emptytree", {"train/happy/.keep": b""}), "the folder holds no images"),
}


@pytest.mark.parametrize("case", SOURCE_CASES)
def test_bad_source_is_refused_with_a_clear_message_and_nothing_written(tmp_path, faces, data_dir, case):
    make, message = SOURCE_CASES[case]
    src = make(tmp_path, faces)
    with pytest.raises(DataImportError) as err:
        import_source(src, "x")
    assert message in str(err.value)
    assert list(data_dir.iterdir()) == []  # no data set, no temp file


def test_unknown_class_folder_is_quoted_once_but_counted_per_image(tmp_path, faces):
    src = SOURCE_CASES["unknown class folder"][0](tmp_path, faces)
    with pytest.raises(DataImportError) as err:
        import_source(src, "x")
    assert err.value.total_bad == 2 and len(err.value.problems) == 1
    assert import_source(src, "x", skip_bad=True).skipped == 2


def test_failed_import_leaves_an_existing_data_set_untouched(tmp_path, faces, data_dir):
    good = import_source(write_text(tmp_path / "good.csv", challenge_csv_text(*faces)), "keep")
    before = good.path.read_bytes()
    bad = _csv_with_bad_line(tmp_path, faces, CSV_CASES["wrong pixel count"][0])
    with pytest.raises(DataImportError):
        import_source(bad, "keep", replace=True)
    with pytest.raises(DataImportError, match="already exists"):
        import_source(bad, "keep", skip_bad=True)
    assert good.path.read_bytes() == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["keep.fer.safetensors"]


def test_invalid_name_is_refused_before_reading(tmp_path, faces):
    with pytest.raises(ValueError, match="invalid data-set name"):
        import_source(write_text(tmp_path / "f.csv", challenge_csv_text(*faces)), "../escape")


def test_upload_label_is_quoted_instead_of_the_temp_file(tmp_path):
    src = write_text(tmp_path / "tmp123.csv", "")
    with pytest.raises(DataImportError, match="^my upload.csv: the file is empty"):
        import_source(src, "x", source_label="my upload.csv")
