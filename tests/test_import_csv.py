"""CSV imports on generated fixtures: every compression, both dialects."""

import zipfile

import numpy as np
import pytest

from fer_core.data import load_dataset
from fer_core.data.importer import import_source, stratified_split
from tests.fixtures import challenge_csv_text, course_csv_text, sorted_faces, write_text


@pytest.mark.parametrize("compress", ["plain", "gz", "xz", "zip"])
def test_challenge_csv_round_trips_every_face(tmp_path, faces, compress):
    src = write_text(tmp_path / f"fer.{compress}", challenge_csv_text(*faces), compress)
    rep = import_source(src, "fer")
    assert rep.n == 42 and rep.skipped == 0 and rep.format == "challenge-csv"
    ds = load_dataset("fer")
    for got, want in zip(sorted_faces(ds.pixels, ds.labels, ds.splits), sorted_faces(*faces)):
        assert np.array_equal(got, want)


def test_default_name_comes_from_the_file(tmp_path, faces):
    src = write_text(tmp_path / "my-fer2013.csv.gz", challenge_csv_text(*faces), "gz")
    assert import_source(src).name == "my-fer2013"


def test_course_csv_gets_a_seeded_stratified_split(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(7), 20).astype(np.uint8)
    pixels = rng.integers(0, 256, (len(labels), 48, 48), dtype=np.uint8)
    src = write_text(tmp_path / "course.csv", course_csv_text(pixels, labels))
    rep = import_source(src, "course", val_fraction=0.2, seed=3)
    assert rep.format == "course-csv"
    for cls, n in rep.counts["PublicTest"].items():
        assert n == 4, cls  # 20% of each class's 20
    again = import_source(src, "course2", val_fraction=0.2, seed=3)
    assert again.hash == rep.hash  # same seed, same split
    other = import_source(src, "course3", val_fraction=0.2, seed=4)
    assert other.hash != rep.hash
    assert "split_rule" in load_dataset("course").meta


def test_stratified_split_keeps_rare_classes_on_both_sides():
    labels = np.array([1, 1] + [3] * 50, np.uint8)
    s = stratified_split(labels, 0.1, seed=0)
    assert set(s[labels == 1]) == {0, 1}
    assert (s[labels == 3] == 1).sum() == 5


def test_header_variants_and_class_names_as_labels(tmp_path, faces):
    pixels, labels, splits = faces
    rows = ["emotion, Usage, pixels"]  # Kaggle's icml_face_data.csv: spaces, other order
    names = ["angry", "Disgust", "fear", "HAPPY", "sad", "surprise", "neutral"]
    for p, lab, s in zip(pixels, labels, splits):
        rows.append(f"{names[lab]}, {['Training', 'PublicTest', 'PrivateTest'][s]}, {' '.join(map(str, p.ravel()))}")
    rep = import_source(write_text(tmp_path / "icml_face_data.csv", "\n".join(rows) + "\n"), "icml")
    assert rep.n == 42 and rep.counts["PrivateTest"]["happy"] == 2


def test_zip_with_several_csvs_takes_the_one_with_a_split_column(tmp_path, faces):
    path = tmp_path / "challenge.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("example_submission.csv", "id,emotion\n1,0\n")
        z.writestr("train.csv", course_csv_text(faces[0][:7], faces[1][:7]))
        z.writestr("icml_face_data.csv", challenge_csv_text(*faces))
    rep = import_source(path, "kaggle")
    assert rep.n == 42 and rep.format == "challenge-csv"


def test_progress_is_reported_and_ends_at_one(tmp_path, faces):
    seen = []
    import_source(write_text(tmp_path / "f.csv", challenge_csv_text(*faces)), "p", progress=lambda f, m: seen.append(f))
    assert seen and seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)
