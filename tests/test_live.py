"""The webcam pipeline on generated video: every face found, predictions equal the model's on
the same crops; `fer predict` on images with and without faces."""

import json

import numpy as np
import pytest
from PIL import Image

from fer_core.cli import main
from fer_core.data import load_dataset, save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.faces import detect_faces
from fer_core.faces.live import predict_faces
from fer_core.handle.store import load_model
from tests.fixtures import untrained_run
from tests.videos import SIZE, detectable_faces, make_frames


@pytest.fixture
def model(data_dir):
    save_dataset(synth_dataset("demo", n=700))
    return load_model(untrained_run("demo", arch="seed-4conv").id)


@pytest.fixture
def video(model):
    ds = load_dataset("demo")  # saved by the model fixture
    faces = detectable_faces(ds.pixels[ds.split_indices("PublicTest")], 3)
    return make_frames(faces, 24, seed=1)


def _overlap(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    return ix * iy / (bw * bh)


def test_pipeline_finds_every_face_and_matches_the_model_on_the_crops(model, video):
    frames, truth = video
    for frame, boxes in zip(frames, truth, strict=True):
        preds = predict_faces(model, frame, live=True)  # as the webcam runs it
        assert len(preds) == len(boxes)
        for box in boxes:  # each pasted face holds one found box (a detector's box is the face, not its square)
            assert max(_overlap(p.box, box) for p in preds) > 0.4
        crops = np.stack([p.face48 for p in preds])
        assert np.allclose(np.stack([p.probs for p in preds]), model.probs(crops), atol=1e-6)
        # the webcam's faces are the pipeline's: the same boxes and the same aligned 48x48 faces
        det = detect_faces(frame, live=True)
        assert [f.box for f in det.faces] == [p.box for p in preds]
        assert all(np.array_equal(f.face48, p.face48) for f, p in zip(det.faces, preds, strict=True))
        assert all(min(p.box[2:]) >= SIZE * 0.4 for p in preds)


def test_fer_predict(model, video, tmp_path, capsys):
    frames, truth = video
    with_faces, empty = tmp_path / "faces.png", tmp_path / "empty.png"
    Image.fromarray(frames[0]).save(with_faces)
    Image.fromarray(np.full((200, 300, 3), 128, np.uint8)).save(empty)
    assert main(["predict", str(with_faces), str(empty), "--run", model.run_id, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [len(i["faces"]) for i in out["images"]] == [3, 0]
    face = out["images"][0]["faces"][0]
    assert set(face) == {"box", "label", "probabilities"} and abs(sum(face["probabilities"].values()) - 1) < 1e-3
    assert main(["predict", str(empty), "--run", model.run_id]) == 0
    assert "no face found" in capsys.readouterr().out
    (tmp_path / "bad.png").write_text("not an image")
    assert main(["predict", str(tmp_path / "bad.png"), "--run", model.run_id]) == 2
    assert "bad.png is a text file, not a photo FER Lab can read" in capsys.readouterr().err
