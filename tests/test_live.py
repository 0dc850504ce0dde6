"""The webcam pipeline on generated video: every face found, predictions equal the model's on
the same crops; `fer predict` on images with and without faces; LiveState hands over safely."""

import json
import threading

import numpy as np
import pytest
import torch
from PIL import Image

from fer_core.cli import main
from fer_core.data import load_dataset, save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.faces import detect_faces
from fer_core.faces.live import FrameProcessor, LiveState, predict_faces
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


def test_frame_processor_draws_boxes_and_reports_to_the_page(model, video):
    frames, _ = video
    state = LiveState(smoothing=4)
    proc = FrameProcessor(model, state)
    out = proc(frames[0].copy())
    assert out.shape == frames[0].shape and not np.array_equal(out, frames[0])  # boxes and labels drawn
    green = np.all(out == (46, 158, 68), axis=-1).sum()
    assert green > 500
    reader_saw = []
    t = threading.Thread(target=lambda: [reader_saw.append(state.snapshot()["frames"]) for _ in range(200)])
    t.start()
    for f in frames[1:10]:
        proc(f)
    t.join()
    snap = state.snapshot()
    assert snap["frames"] == 10 and len(snap["faces"]) == 3 and snap["ms"] > 0
    assert np.allclose(snap["smoothed"].sum(), 1, atol=1e-5) and reader_saw == sorted(reader_saw)


def test_the_frame_callback_predicts_on_one_thread_and_gives_the_others_back(model, video, monkeypatch):
    """One torch thread inside the callback, in its own thread only: the page's thread and the
    callback thread keep their counts afterwards, and the answer is the same as on all threads."""
    frames, _ = video
    seen, real = [], model.probs
    monkeypatch.setattr(model, "probs", lambda faces: (seen.append(torch.get_num_threads()), real(faces))[1])
    torch.set_num_threads(2)
    state, counts = LiveState(), []

    def callback():  # a fresh thread's count is OpenMP's default for new threads: kept, whatever it is
        before = torch.get_num_threads()
        FrameProcessor(model, state)(frames[0])
        counts.append((before, torch.get_num_threads()))

    worker = threading.Thread(target=callback)
    worker.start()
    worker.join()
    assert seen == [1] and counts[0][0] == counts[0][1] and torch.get_num_threads() == 2
    on_all = predict_faces(model, frames[0], live=True)
    assert np.allclose(np.stack([p.probs for p in state.snapshot()["faces"]]), np.stack([p.probs for p in on_all]), atol=1e-6)


def test_no_face_frame_is_reported_as_such(model):
    state = LiveState()
    FrameProcessor(model, state)(np.full((480, 640, 3), 90, np.uint8))
    snap = state.snapshot()
    assert snap["faces"] == [] and snap["smoothed"] is None and snap["frames"] == 1


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
