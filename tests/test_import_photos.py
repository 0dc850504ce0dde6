"""Labelled photos as a data set (issue 42): `<emotion>/*.jpg` of any size, each through the face
pipeline, kept with its source photo and box; photos without a face listed, never dropped in
silence; bad input refused by name with nothing written. Real photographs from installed packages
(tests/photos.py), and a slice of ../shared/realfaces where it is present."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from fer_core.cli import main
from fer_core.data import DataImportError, load_dataset
from fer_core.data.importer import import_source
from fer_core.data.photo_import import photo_class
from fer_core.evaluate.truth import check_truth, truth
from fer_core.faces import face_from_photo, read_image
from fer_core.label_sources import truths_of
from fer_core.labels import FERPLUS_CLASSES
from fer_core.paths import dataset_path
from tests.photos import labelled_photo_folder

ROOT = Path(__file__).resolve().parent.parent
REALFACES = ROOT.parent / "shared" / "realfaces"


@pytest.fixture
def photo_folder(tmp_path) -> Path:
    return labelled_photo_folder(tmp_path / "my photos")


def test_folder_names_and_their_synonyms_are_emotions():
    assert [photo_class(n) for n in ("anger", "Happiness", "sadness", "contempt", "surprise", "cats")] == [0, 3, 4, 7, 5, None]


def test_photos_import_through_the_face_pipeline_with_their_photos_and_boxes(photo_folder, capsys):
    rep = import_source(photo_folder, "mine")
    assert rep.format == "photo-folder" and rep.n == 3 and rep.skipped == 0
    assert rep.note.startswith("3 faces from 4 photos: 1 without a face, 1 with several faces (the largest kept)")
    assert [u.where for u in rep.unused] == ["anger/cat.png", "sadness/two.jpg"]
    ds = load_dataset("mine")
    assert ds.label_source == "photos" and truths_of(ds) == ["photos"] and set(ds.splits) == {1}  # a test set: all PublicTest
    by_name = dict(zip(ds.photos.names, range(len(ds))))
    assert set(by_name) == {"Happiness/astronaut.png", "neutral/hopper.jpg", "sadness/two.jpg"}
    row = by_name["Happiness/astronaut.png"]
    assert FERPLUS_CLASSES[ds.labels[row]] == "happy" and truth(ds, np.array([row]), "photos")[0] == 3
    # the face is the pipeline's face of that photo, and the kept photo shows it in its box
    face, _ = face_from_photo(read_image(photo_folder / "Happiness" / "astronaut.png"))
    assert np.abs(ds.pixels[row].astype(int) - face.face48).mean() < 1
    photo = ds.photos.photo(row)
    x, y, w, h = ds.photos.boxes[row]
    assert photo.shape == (512, 512, 3) and 150 < x + w / 2 < 260 and 60 < y + h / 2 < 200  # FACE_AT of astronaut.png
    with pytest.raises(ValueError, match="has no FER\\+ votes"):
        check_truth(ds, "ferplus")
    with pytest.raises(ValueError, match="no FER2013 label: score it against photos"):
        check_truth(ds, "fer2013")


def test_a_zip_of_photos_imports_and_the_cli_lists_the_photos_without_a_face(photo_folder, tmp_path, capsys):
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in sorted(photo_folder.rglob("*")):
            if p.is_file():
                z.write(p, f"wrapped/{p.relative_to(photo_folder).as_posix()}")
    assert main(["data", "import", str(archive), "--name", "zipped"]) == 0
    out = capsys.readouterr().out
    assert "3 faces from 4 photos: 1 without a face" in out and "wrapped/anger/cat.png: no face found (451x300 px)" in out
    assert load_dataset("zipped").hash == load_dataset("zipped").hash


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda r: (r / "bored").mkdir() or (r / "bored" / "x.jpg").write_bytes(b"\xff\xd8\xff junk"), "unknown emotion folder 'bored'"),
        (lambda r: (r / "happy" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really"), "happy/broken.jpg: a damaged JPEG image"),
        (lambda r: (r / "happy" / "list.png").write_text("a,b\n1,2\n"), "happy/list.png: a text file"),
    ],
    ids=["unknown-emotion", "corrupt-jpeg", "text-as-png"],
)
def test_bad_photos_are_refused_by_name_and_nothing_is_written(photo_folder, make, message):
    (photo_folder / "happy").mkdir(exist_ok=True)
    make(photo_folder)
    with pytest.raises(DataImportError, match="nothing imported") as err:
        import_source(photo_folder, "mine")
    assert message in str(err.value)
    assert not dataset_path("mine").exists()
    assert import_source(photo_folder, "mine", skip_bad=True).skipped == 1  # the rest, when asked


def test_an_empty_folder_and_a_decompression_bomb_are_refused(tmp_path):
    (tmp_path / "empty" / "happy").mkdir(parents=True)
    with pytest.raises(DataImportError, match="the folder holds no images; .* or labelled photos"):
        import_source(tmp_path / "empty", "e")
    bomb = tmp_path / "bomb" / "happy" / "huge.png"
    bomb.parent.mkdir(parents=True)
    cv2.imwrite(str(bomb), np.zeros((12000, 16000), np.uint8))  # 192 MP of black: 190 kB as a PNG
    with pytest.raises(DataImportError, match="happy/huge.png: the image is too large to decode"):
        import_source(tmp_path / "bomb", "b")
    assert not dataset_path("b").exists()


@pytest.mark.skipif(not (REALFACES / "realfaces.py").exists(), reason="../shared/realfaces is absent (real-data tests run beside it)")
def test_real_labelled_photos_import_as_a_test_set(tmp_path):
    """A slice of ../shared/realfaces, written by its own script: most photos give a face, each of
    the film stills too small for the detector is listed, not lost."""
    out = tmp_path / "all"
    subprocess.run([sys.executable, str(REALFACES / "realfaces.py"), "folder", str(out)], check=True, capture_output=True)
    picked = tmp_path / "picked"
    for emotion in ("disgust", "happy", "sadness"):
        src = out / ("sad" if emotion == "sadness" else emotion)
        for p in sorted(src.iterdir())[:8]:
            _ = (picked / emotion).mkdir(parents=True, exist_ok=True) or shutil.copy(p, picked / emotion / p.name)
    rep = import_source(picked, "real")
    assert rep.n + len([u for u in rep.unused if "no face" in u.message]) == 24
    assert rep.n >= 18
    ds = load_dataset("real")
    assert sorted({FERPLUS_CLASSES[k] for k in ds.labels}) == ["disgust", "happy", "sad"]


def test_a_model_on_a_photo_set_gives_the_real_face_figures_its_card_and_fer_eval_show(photo_folder, capsys):
    from fer_core.data import save_dataset
    from fer_core.data.synth import synth_dataset
    from fer_core.evaluate.real_faces import real_face_report
    from fer_core.handle.card import real_faces_section
    from fer_core.handle.predictions import predict_split
    from fer_core.handle.store import load_model
    from tests.fixtures import untrained_run

    save_dataset(synth_dataset("demo", n=140))
    run = untrained_run("demo", seed=1)
    import_source(photo_folder, "mine")
    ds = load_dataset("mine")
    rep = real_face_report(predict_split(load_model(run.id), ds, "PublicTest"), ds)
    pred = load_model(run.id).probs(ds.pixels).argmax(1)
    assert rep["faces"] == 3 and rep["accuracy"] == round(float((pred == ds.labels).mean()) * 100, 1)
    assert set(rep["recall"]) == {"happy", "neutral", "sad"} and rep["found"].startswith("3 faces from 4 photos")
    section = real_faces_section(rep, "default")
    assert "## Real faces" in section and "| happy | sad | neutral |" in section and "fer eval default --data mine" in section
    assert main(["eval", run.id, "--data", "mine"]) == 0  # a photo set is scored against its own labels by default
    out = capsys.readouterr().out
    assert "against the photos' labels" in out and f"over FER2013's seven emotions (3 faces): accuracy {rep['accuracy']:.1f}%" in out
    with pytest.raises(ValueError, match="not a photo set"):
        real_face_report(predict_split(load_model(run.id), load_dataset("demo"), "PublicTest"), load_dataset("demo"))


def test_the_shipped_model_best_on_real_photos_is_the_one_the_webcam_starts_with(photo_folder, monkeypatch, tmp_path, capsys):
    """Issue 42, part 5: `fer runs card NAME --real SET` gives a shipped card its real-face section
    (renewed, not repeated, when run again), and face_model() picks the shipped model best on them."""
    import json

    from fer_core.data import save_dataset
    from fer_core.data.synth import synth_dataset
    from fer_core.handle.store import face_model, face_model_note, shipped_dir
    from tests.fixtures import shipped_copy, untrained_run

    monkeypatch.setenv("FER_DEFAULT_MODEL_DIR", str(tmp_path / "shipped" / "default"))
    save_dataset(synth_dataset("demo", n=140))
    import_source(photo_folder, "mine")
    for name, seed in (("default", 1), ("ferplus", 2)):
        shipped_copy(untrained_run("demo", seed=seed), name)
        (shipped_dir(name) / "MODEL_CARD.md").write_text(f"# {name}\n\n## Figures\n\nsome\n\n## Recipe\n\n- seed {seed}\n")
        (shipped_dir(name) / "metrics_publictest.json").write_text(json.dumps({"accuracy": 0.5}))
    assert face_model() == "ferplus" and "whose labels are what ten people saw" in face_model_note(face_model())  # none measured yet
    figures = {}
    for name in ("default", "ferplus", "default"):  # the default twice: its section is renewed
        assert main(["runs", "card", name, "--real", "mine"]) == 0
        figures[name] = json.loads((shipped_dir(name) / "metrics_publictest.json").read_text())["real_faces"]
    card = (shipped_dir("default") / "MODEL_CARD.md").read_text()
    assert card.count("## Real faces") == 1 and card.index("## Figures") < card.index("## Real faces") < card.index("## Recipe")
    assert "- seed 1" in card and f"| {figures['default']['accuracy']:.1f}% |" in card
    best = max(figures, key=lambda n: (figures[n]["macro_recall"], figures[n]["accuracy"]))
    assert face_model() == best and f"Starts with **{best}**, the shipped model best on real photos" in face_model_note(face_model())
