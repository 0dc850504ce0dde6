"""Histogram equalisation as a preprocessing choice (issue 34): recorded in the run's config, applied
by the model handle wherever the model sees a face, and never to a model trained without it."""

import cv2
import numpy as np
import pytest
import torch

from fer_core.cli.train import add_train_options, config_from_args
from fer_core.handle.loaded import LoadedModel
from fer_core.models import build_model, get_preset
from fer_core.normalize import Preprocessing, equalize
from fer_core.study.factors import parse_vary
from fer_core.study.questions import QUESTIONS
from fer_core.train import TrainConfig
from fer_core.train.config import run_id

RNG = np.random.default_rng(3)
# Low-contrast faces (grey levels 90..140), so that equalising them changes them a lot.
FACES = RNG.integers(90, 141, (6, 48, 48), dtype=np.uint8)


def test_equalize_is_opencvs_per_face_and_leaves_the_input_alone():
    before = FACES.copy()
    out = equalize(FACES)
    assert np.array_equal(FACES, before) and out.dtype == np.uint8 and out.shape == FACES.shape
    assert all(np.array_equal(out[i], cv2.equalizeHist(FACES[i])) for i in range(len(FACES)))
    assert out.min() == 0 and out.max() == 255  # the grey levels are spread over the whole range


def test_prepare_equalises_numpy_and_torch_alike_and_only_when_asked():
    on, off = Preprocessing(equalize=True), Preprocessing()
    assert off.prepare(FACES) is FACES
    t = torch.from_numpy(FACES).unsqueeze(1)  # (N, 1, 48, 48), as predict_logits gets them
    assert torch.equal(on.prepare(t), torch.from_numpy(equalize(FACES)).unsqueeze(1))
    assert np.array_equal(on.prepare(FACES), equalize(FACES))


def _pair() -> tuple[LoadedModel, LoadedModel]:
    """One network twice: trained (as it were) with equalisation, and without."""
    torch.manual_seed(0)
    model = build_model(get_preset("small"))
    eq = LoadedModel(model, Preprocessing("per_image", equalize=True), precision="fp32")
    return eq, LoadedModel(model, Preprocessing("per_image"), precision="fp32")


@pytest.mark.parametrize("tta", ["none", "10crop"])
def test_a_model_trained_equalised_is_only_ever_fed_equalised_faces(tta):
    eq, plain = _pair()
    # The equalising handle given raw faces answers as the plain one given equalised faces: the
    # faces are equalised whole, before the test-time views are cut.
    same = (eq.logits(FACES, tta) - plain.logits(equalize(FACES), tta)).abs().max().item()
    raw = (eq.logits(FACES, tta) - plain.logits(FACES, tta)).abs().max().item()  # an untrained net's logits are ~0.05
    assert same < 1e-6 and raw > 1e-4  # equalising changes the answer, and nothing else does
    face = FACES[0]
    assert np.array_equal(eq.sees(face), equalize(face)) and np.array_equal(plain.sees(face), face)
    assert np.allclose(eq.explain(face, "saliency").map, plain.explain(equalize(face), "saliency").map)
    assert np.allclose(eq.feature_maps("stage1.conv1", face), plain.feature_maps("stage1.conv1", equalize(face)))
    assert np.array_equal(eq.top_faces("stage1.conv1", FACES, k=2), plain.top_faces("stage1.conv1", equalize(FACES), k=2))
    covered = eq.occlude(face, "eyes")  # the patch goes on the equalised face, which is not equalised again
    assert np.array_equal(covered.face, plain.occlude(equalize(face), "eyes").face)
    assert np.allclose(covered.probs, plain.occlude(equalize(face), "eyes").probs, atol=1e-6)


def test_the_option_is_in_the_config_the_cli_the_study_and_keeps_old_run_ids():
    base = TrainConfig(data="fer2013")
    assert not base.equalize
    assert run_id(base, "h") != run_id(TrainConfig(data="fer2013", equalize=True), "h")
    assert TrainConfig.from_json(TrainConfig(equalize=True).to_json()).equalize  # saved with the run
    import argparse

    p = argparse.ArgumentParser()
    add_train_options(p)
    assert config_from_args(p.parse_args(["--equalize"])).equalize and not config_from_args(p.parse_args([])).equalize
    v = parse_vary("equalize=off,on")
    assert [v.apply(base, x).equalize for x in v.values] == [False, True]
    assert v.apply(base, "off") == base  # the study's baseline is the plain run itself, found in the cache
    assert any(q.varies == ("equalize=off,on",) for q in QUESTIONS)


def test_the_data_pages_preview_shows_the_faces_equalised_as_such_a_model_sees_them():
    from fer_core.data.dataset import make_dataset
    from fer_core.previews import normalization_preview

    ds = make_dataset("low", FACES, np.arange(6, dtype=np.uint8) % 7, np.zeros(6, np.uint8))
    idx = np.arange(3)
    plain, eq = normalization_preview(ds, idx)["none"]["images"], normalization_preview(ds, idx, equalized=True)["none"]["images"]
    assert np.array_equal(plain, ds.pixels[idx]) and np.array_equal(eq, equalize(ds.pixels[idx]))
