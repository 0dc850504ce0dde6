"""`fer export MODEL --onnx OUT.onnx` (issue 43, part 1): uint8 faces in, probabilities out, the
model's preprocessing inside the graph, its classes and card facts in the metadata; onnxruntime
matches PyTorch on real faces; a graph that does not match, or a model it cannot carry, leaves
nothing written."""

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from fer_core.cli import main
from fer_core.data import load_dataset, save_dataset
from fer_core.data.importer import import_source
from fer_core.data.synth import synth_dataset
from fer_core.handle import export
from fer_core.handle.store import load_model
from fer_core.train.runs import Run
from tests.fixtures import untrained_run

SHIPPED_FERPLUS = Path(__file__).resolve().parent.parent / "checkpoints" / "ferplus"


def test_the_shipped_model_exports_and_onnxruntime_gives_its_labels_on_real_faces(fer_fixtures, tmp_path):
    import_source(fer_fixtures["csv"], "real")
    faces = load_dataset("real").pixels  # 84 real FER2013 faces
    model = load_model(Run("ferplus", SHIPPED_FERPLUS), precision="fp32")
    rep = export.export_onnx(model, tmp_path / "ferplus.onnx", faces)
    assert rep["same_label"] == 1.0 and rep["max_abs_diff"] < export.TOLERANCE and rep["cam_max_abs_diff"] < export.TOLERANCE
    session = ort.InferenceSession(str(tmp_path / "ferplus.onnx"), providers=["CPUExecutionProvider"])
    probs, cam = session.run(["probs", "cam"], {"faces": faces[:5]})  # any batch size
    assert probs.shape == (5, 8) and np.allclose(probs.sum(1), 1, atol=1e-5)
    assert (probs.argmax(1) == model.probs(faces[:5]).argmax(1)).all()  # the app's own handle agrees
    # "what it looks at": Grad-CAM of the last block, which for a model ending in average pooling is
    # the class activation map, peaks where the exported map peaks
    assert cam.shape == (5, 48, 48) and cam.min() >= 0 and np.allclose(cam.max((1, 2)), 1)
    for face, c, k in zip(faces[:5], cam, probs.argmax(1), strict=True):
        grad = model.explain(face, "grad-cam", target=int(k)).map
        assert np.corrcoef(grad.ravel(), c.ravel())[0, 1] > 0.9
    meta = {p.key: p.value for p in onnx.load(str(tmp_path / "ferplus.onnx")).metadata_props}
    assert json.loads(meta["classes"])[-1] == "contempt" and meta["learned"] == "votes"
    assert json.loads(meta["card"])["accuracy"] == pytest.approx(0.8957, abs=1e-3)


def test_the_cli_exports_a_run_and_a_failed_check_keeps_the_old_file(data_dir, tmp_path, monkeypatch, capsys):
    save_dataset(synth_dataset("demo", n=140))
    run = untrained_run("demo", arch="tiny")
    out = tmp_path / "tiny.onnx"
    assert main(["export", run.id, "--onnx", str(out), "--check-data", "demo"]) == 0  # tiny: no average pooling, no map
    assert "the same label on 100.00%" in capsys.readouterr().out
    assert [o.name for o in ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]).get_outputs()] == ["probs"]
    before = out.read_bytes()
    monkeypatch.setattr(export, "TOLERANCE", -1.0)  # no graph can pass: as if it did not match
    assert main(["export", run.id, "--onnx", str(out)]) == 2
    assert "does not match the model" in capsys.readouterr().err and out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp" or p.name.startswith(".")] == []
    equalised = untrained_run("demo", arch="tiny", equalize=True)
    assert main(["export", equalised.id, "--onnx", str(tmp_path / "eq.onnx")]) == 2
    assert "histogram-equalises its faces" in capsys.readouterr().err and not (tmp_path / "eq.onnx").exists()


def test_a_new_export_removes_the_ones_no_model_can_ask_for(tmp_path):
    """The Webcam keeps one export per model: a re-shipped model's old weights and a deleted run's
    file go when the next export is written; the detector and other models' files stay."""
    names = {
        "new": "ferplus-0123456789abcdef.onnx",
        "old_weights": "ferplus-fedcba9876543210.onnx",
        "other_model": "default-00112233445566ff.onnx",
        "a_run": "vgg10-gap-fast-fer2013-3bc2eab0-aaaaaaaaaaaaaaaa.onnx",
        "deleted_run": "vgg10-gap-fast-fer2013-deadbeef-bbbbbbbbbbbbbbbb.onnx",
        "detector": "yunet-batched-0123456789ab.onnx",
        "not_a_model": "notes.txt",
    }
    folder = tmp_path / "models"
    folder.mkdir()
    for name in names.values():
        (folder / name).write_bytes(b"x")
    removed = export.prune_exports(folder, folder / names["new"], ["default", "ferplus", "vgg10-gap-fast-fer2013-3bc2eab0"])
    assert sorted(p.name for p in removed) == sorted([names["old_weights"], names["deleted_run"]])
    assert sorted(p.name for p in folder.iterdir()) == sorted(v for k, v in names.items() if k not in ("old_weights", "deleted_run"))
