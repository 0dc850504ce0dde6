"""The FERPlus generator's folders (issue 33): FER2013Train/Valid/Test, each a header-less label.csv
beside its PNGs. Votes only: the faces are labelled by their FER+ majority, FER2013's labels are
unavailable, and the pages and `fer eval` say so. Bad rows and missing images are refused by name."""

import json

import cv2
import numpy as np
import pytest

from fer_core.cli import main
from fer_core.data import DataImportError, load_dataset
from fer_core.data.dataset import NO_LABEL
from fer_core.data.ferplus import majority
from fer_core.data.importer import import_source
from fer_core.evaluate.truth import check_truth
from fer_core.labels import FERPLUS_CLASSES, PRIVATE_TEST, PUBLIC_TEST, TRAINING
from fer_core.train import TrainConfig
from fer_core.train.engine import labelled_rows
from tests.fixtures import untrained_run, write_folder, write_zip

FOLDERS = {TRAINING: "FER2013Train", PUBLIC_TEST: "FER2013Valid", PRIVATE_TEST: "FER2013Test"}


def _layout(n: int = 15):
    """FERPlus files for n random faces (a third a split); face i's votes: 6 for column i % 8, 4 unknown,
    except every 4th face, a 5-5 tie (no majority). Returns (files, pixels, votes, splits)."""
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, (n, 48, 48), dtype=np.uint8)
    splits = np.arange(n) * 3 // n  # a third a split
    votes = np.zeros((n, 10), np.uint8)
    lines: dict[str, list[str]] = {}
    files = {}
    for i in range(n):
        if i % 4 == 3:
            votes[i, 0], votes[i, 1] = 5, 5
        else:
            votes[i, i % 8], votes[i, 8] = 6, 4
        name = f"fer{i:07d}.png"
        folder = FOLDERS[int(splits[i])]
        files[f"{folder}/{name}"] = cv2.imencode(".png", pixels[i])[1].tobytes()
        lines.setdefault(folder, []).append(",".join([name, '"(0, 0, 48, 48)"', *map(str, votes[i])]))
    for folder, rows in lines.items():
        files[f"{folder}/label.csv"] = ("\n".join(rows) + "\n").encode()
    return files, pixels, votes, splits


def test_folder_and_zip_give_the_same_faces_with_their_votes_and_no_fer2013_label(data_dir, tmp_path):
    files, pixels, votes, splits = _layout()
    a = import_source(write_folder(tmp_path / "FERPlus", files), "fp")
    b = import_source(write_zip(tmp_path / "FERPlus.zip", {f"FERPlus/{k}": v for k, v in files.items()}), "fpz")
    assert a.hash == b.hash and a.n == b.n == len(pixels) and a.format == "ferplus-folders"
    ds = load_dataset("fp")
    assert ds.label_source == "ferplus" and ds.classes == FERPLUS_CLASSES
    for i in range(len(pixels)):
        k = int(np.flatnonzero((ds.pixels == pixels[i]).all(axis=(1, 2)))[0])
        assert np.array_equal(ds.votes[k], votes[i]) and ds.splits[k] == splits[i]
        maj = int(majority(votes[i : i + 1])[0])
        assert ds.labels[k] == (maj if maj >= 0 else NO_LABEL)  # column i % 8's class, or none on a tie
    assert sum(ds.counts()["PrivateTest"].values()) == 5 and ds.counts()["Training"]["no majority"] == 1
    with pytest.raises(ValueError, match="FER2013's labels are unavailable"):
        check_truth(ds, "fer2013")
    with pytest.raises(ValueError, match="no FER2013 labels"):
        labelled_rows(TrainConfig(data="fp", arch="tiny"), ds)
    tr, y_tr, _, va, y_va = labelled_rows(TrainConfig(data="fp", arch="tiny", labels="majority"), ds)
    assert len(tr) == 4 and len(va) == 4 and set(y_tr) <= set(range(8))


def test_fer_eval_says_fer2013_truth_is_unavailable_and_scores_the_majority(data_dir, tmp_path, capsys):
    import_source(write_folder(tmp_path / "FERPlus", _layout()[0]), "fp")
    run = untrained_run("fp")
    assert main(["eval", run.id, "--data", "fp", "--split", "PublicTest", "--labels", "fer2013"]) == 2
    assert "FER2013's labels are unavailable" in capsys.readouterr().err
    # asked for no truth, a FER2013 model is scored against the majority, the data set's own, and says so
    assert main(["eval", run.id, "--data", "fp", "--split", "PublicTest"]) == 0
    assert "against the FER+ majority" in capsys.readouterr().out
    assert main(["eval", run.id, "--data", "fp", "--split", "PublicTest", "--labels", "ferplus", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["faces"] == 5 and rep["no_majority"] == 1 and rep["n"] == 4


def _edit(name: str, old: bytes, new: bytes):
    return lambda f: f.update({name: f[name].replace(old, new, 1)})


@pytest.mark.parametrize(
    "spoil, message",
    [
        (lambda f: f.pop("FER2013Valid/fer0000006.png"), "FER2013Valid/label.csv line 2: 'fer0000006.png' is missing"),
        (_edit("FER2013Train/label.csv", b",4,0\n", b",four,0\n"), "line 1: a vote is not"),
        (_edit("FER2013Test/label.csv", b",6,", b",16,"), "line 1: votes must be counts"),
        (lambda f: f.update({"FER2013Train/label.csv": b"fer0000000.png,1,2,3\n"}), "line 1: expected 12 fields"),
    ],
    ids=["missing-png", "vote-not-an-integer", "count-over-ten", "short-row"],
)
def test_hostile_ferplus_folders_are_refused_naming_the_file_and_line(data_dir, tmp_path, spoil, message):
    files = _layout()[0]
    spoil(files)
    with pytest.raises(DataImportError, match=message) as err:
        import_source(write_folder(tmp_path / "FERPlus", files), "bad")
    assert "nothing imported" in str(err.value)
    assert not (data_dir / "bad.fer.safetensors").exists()


def test_a_votes_file_beside_the_folders_is_refused(data_dir, tmp_path):
    new = tmp_path / "fer2013new.csv"
    new.write_text("Usage,Image name\n")
    with pytest.raises(DataImportError, match="carry their own votes"):
        import_source(write_folder(tmp_path / "FERPlus", _layout()[0]), "fp", ferplus=new)


@pytest.mark.shared
def test_real_ferplus_folders_hold_the_same_faces_and_votes_as_the_csv_pair(data_dir, fer_fixtures):
    """The two forms users have, written by ../shared/fer2013/fer2013.py for the same rows."""
    import_source(fer_fixtures["csv"], "pair", ferplus=fer_fixtures["ferplus"])
    import_source(fer_fixtures["ferplus-folder"], "folders")
    pair, folders = load_dataset("pair"), load_dataset("folders")
    named = ~np.all(pair.votes[:, :9] == 0, axis=1)  # rows every annotator called not-a-face have no image
    assert len(folders) == int(named.sum()) > 100
    key = {p.tobytes(): i for i, p in enumerate(pair.pixels)}
    for k in range(len(folders)):
        i = key[folders.pixels[k].tobytes()]
        assert np.array_equal(folders.votes[k], pair.votes[i]) and folders.splits[k] == pair.splits[i]
