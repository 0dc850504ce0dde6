"""Explanations: vanilla saliency is the autograd input gradient; every method leaves the model's
weights, mode and the input unchanged and releases its hooks; gradient ascent raises each
filter's activation; the face pipeline says so when a photo has no face."""

import copy
from pathlib import Path

import numpy as np
import pytest
import torch

from fer_core.explain import METHODS, Preprocessed, attribution
from fer_core.explain.base import randomized
from fer_core.explain.filters import gradient_ascent
from fer_core.explain.occlusion import GREY, OCCLUSION_PRESETS
from fer_core.faces import NoFaceFound, detect_faces, face_from_photo
from fer_core.handle.loaded import LoadedModel
from fer_core.models import PRESETS, build_model, get_preset
from fer_core.normalize import Preprocessing, normalize

ROOT = Path(__file__).resolve().parent.parent
FACE = (np.add.outer(np.arange(48), np.arange(48)) * 2 + np.random.default_rng(0).integers(0, 40, (48, 48))).astype(np.uint8)


def _model(arch: str, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return build_model(get_preset(arch))


def _handle(arch: str = "small", seed: int = 0, precision: str = "auto") -> LoadedModel:
    return LoadedModel(_model(arch, seed), Preprocessing("per_image"), precision=precision)


def _hooks(model: torch.nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._backward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


def test_vanilla_saliency_is_the_autograd_input_gradient():
    handle = _handle("seed-4conv")
    e = handle.explain(FACE, "saliency")
    x = torch.from_numpy(FACE.astype(np.float32) / 255).reshape(1, 1, 48, 48).requires_grad_(True)
    handle.network.model(normalize(x, "per_image"))[0, e.target].backward()
    assert np.allclose(e.map, x.grad.abs()[0, 0].numpy(), atol=1e-7)
    assert e.target == int(e.probs.argmax())


@pytest.mark.parametrize("arch", sorted(PRESETS))
@pytest.mark.parametrize("method", list(METHODS))
def test_method_leaves_model_and_input_unchanged(method, arch):
    model = _model(arch).train()  # a training-mode network must come back in training mode
    net = Preprocessed(model, Preprocessing("per_image"))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    grads = [p.requires_grad for p in model.parameters()]
    face = FACE.copy()
    hooks = _hooks(model)
    m = attribution(net, face, method, target=3)
    assert m.shape == (48, 48) and np.isfinite(m).all() and (m >= 0).all()
    assert model.training and [p.requires_grad for p in model.parameters()] == grads
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # BN running stats too
    assert all(p.grad is None for p in model.parameters())
    assert np.array_equal(face, FACE) and _hooks(model) == hooks


@pytest.mark.parametrize("method", ["saliency", "guided-backprop", "grad-cam", "smoothgrad"])
def test_hooks_do_not_grow_over_100_calls(method):
    net = Preprocessed(_model("small").eval(), Preprocessing("per_image"))
    attribution(net, FACE, method, 0)
    hooks = _hooks(net)
    for k in range(100):
        attribution(net, FACE, method, target=k % 7)
    assert _hooks(net) == hooks


def test_an_explanation_carries_the_same_probabilities_as_every_prediction():
    """One precision rule: the Explain page's probabilities are Evaluate's and the Webcam's, in
    the handle's arithmetic (fp32 here, so the unfused network agrees to float rounding)."""
    handle = _handle("seed-4conv", precision="fp32")
    e = handle.explain(FACE, "grad-cam")
    assert np.array_equal(e.probs, handle.probs(FACE[None])[0]) and np.array_equal(e.probs, handle.face_probs(FACE))
    with torch.no_grad():
        direct = torch.softmax(handle.network(torch.from_numpy(FACE / 255.0).float().reshape(1, 1, 48, 48)), 1)[0].numpy()
    assert np.allclose(e.probs, direct, atol=1e-5)
    assert not handle.network.training and not handle.network.model.training  # explaining leaves it in eval mode
    rounded = _handle("seed-4conv", precision="bf16")  # the same weights (seeded), in bf16
    r = rounded.explain(FACE, "grad-cam")
    assert np.array_equal(r.probs, rounded.face_probs(FACE)) and np.allclose(r.probs, e.probs, atol=0.02)
    assert rounded.randomized().arithmetic == "bf16"  # the sanity-check copy predicts like its model


def test_cache_returns_the_same_map_and_the_random_copy_differs():
    handle = _handle()
    a = handle.explain(FACE, "smoothgrad")
    assert handle.explain(FACE, "smoothgrad") is a
    rnd = handle.randomized()
    assert rnd is handle.randomized() and rnd.preprocessing == handle.preprocessing
    assert not np.allclose(a.map, rnd.explain(FACE, "smoothgrad").map)


def test_randomised_copy_changes_weights_not_the_original():
    model = _model("small")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rnd = randomized(model, seed=1)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert not torch.equal(rnd.state_dict()["head.weight"], model.state_dict()["head.weight"])


def test_occlusion_patch_changes_the_probabilities_and_returns_the_covered_face():
    handle = _handle()
    face = FACE.copy()
    base = handle.face_probs(face)
    covered = handle.occlude(face, (10, 10, 20, 20))
    assert covered.probs.shape == (7,) and abs(covered.probs.sum() - 1) < 1e-5 and not np.allclose(covered.probs, base)
    assert (covered.face[10:30, 10:30] == round(GREY * 255)).all() and np.array_equal(covered.face[:10], FACE[:10])
    assert np.array_equal(face, FACE)  # the caller's face is untouched
    assert np.allclose(handle.occlude(FACE, (0, 0, 0, 0)).probs, base, atol=1e-6)


@pytest.mark.parametrize("part", list(OCCLUSION_PRESETS))
def test_occlusion_presets_cover_their_box(part):
    top, left, h, w = OCCLUSION_PRESETS[part]
    covered = _handle().occlude(FACE, part).face
    assert (covered[top : top + h, left : left + w] == round(GREY * 255)).all()
    assert np.array_equal(np.delete(covered, np.s_[top : top + h], 0), np.delete(FACE, np.s_[top : top + h], 0))


def test_unknown_method_or_layer_is_a_clear_error():
    handle = _handle()
    with pytest.raises(ValueError, match="unknown method"):
        handle.explain(FACE, "magic")
    with pytest.raises(ValueError, match="no conv layer 'fc1'"):
        handle.explain(FACE, "grad-cam", layer="fc1")
    with pytest.raises(ValueError, match="no conv layer 'head'"):
        handle.feature_maps("head", FACE)


@pytest.fixture(scope="module")
def trained_small(tmp_path_factory):
    """A small model trained for a few epochs on demo faces (filters need learned weights)."""
    import os

    from fer_core.data import save_dataset
    from fer_core.data.synth import synth_dataset
    from fer_core.handle.store import load_model
    from fer_core.train import TrainConfig, prepare_run, train_in_process

    d = tmp_path_factory.mktemp("trained")
    old = {k: os.environ.get(k) for k in ("FER_DATA_DIR", "FER_CHECKPOINTS_DIR")}
    os.environ.update(FER_DATA_DIR=str(d / "data"), FER_CHECKPOINTS_DIR=str(d / "ck"))
    try:
        save_dataset(synth_dataset("demo", n=1400))
        run, _ = prepare_run(TrainConfig(data="demo", arch="small", epochs=3))
        train_in_process(run)
        return load_model(run)
    finally:
        for k, v in old.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


@pytest.mark.slow
def test_gradient_ascent_raises_every_filters_activation(trained_small):
    """On a small model trained briefly on generated faces: shapes, every filter higher than where
    it started, and the model untouched. (Its filters answer smooth shading, which the generated
    faces are made of, so many start high: tenfold is asked of the FER2013 model below.)"""
    m = trained_small
    net = m.network.model
    layer = m.conv_layers()[-1]
    before = {k: v.clone() for k, v in net.state_dict().items()}
    res = m.gradient_ascent(layer)
    channels = m.feature_maps(layer, FACE).shape[0]
    assert res.images.shape == (channels, 48, 48) and res.images.dtype == np.uint8
    assert (res.reached > res.start).all()  # every filter, higher than where it started
    assert np.median(res.reached / np.maximum(np.abs(res.start), 1e-6)) >= 5  # a ReLU filter may start at exactly 0
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    assert all(p.requires_grad for p in net.parameters()) and _hooks(net) == 0


@pytest.mark.slow
def test_only_unfinished_filters_go_on_and_finished_images_stay_as_they_were(trained_small):
    """After `steps`, the filters below `until_rise` times their start go on alone: the others
    come out exactly as with no extra steps, and the ones that went on end higher."""
    net, layer = trained_small.network, trained_small.conv_layers()[-1]
    base = gradient_ascent(net, layer, steps=6, extra_steps=0)
    rise = np.sort(base.reached / np.maximum(np.abs(base.start), 1e-6))
    until = float(rise[len(rise) // 2 - 1 : len(rise) // 2 + 1].mean())  # half the filters are done
    more = gradient_ascent(net, layer, steps=6, extra_steps=16, until_rise=until)
    done = base.reached / np.maximum(np.abs(base.start), 1e-6) >= until
    assert done.any() and (~done).any()
    assert np.array_equal(more.images[done], base.images[done]) and np.array_equal(more.reached[done], base.reached[done])
    assert (more.reached[~done] > base.reached[~done]).all()
    assert (more.steps[done] == 6).all() and (more.steps[~done] > 6).all() and (base.steps == 6).all()


@pytest.mark.slow
def test_a_filter_silent_on_the_start_image_still_rises(trained_small):
    """A ReLU filter that is 0 everywhere on the start image has no gradient there; it climbs
    its pre-activation until it fires, and then its activation."""
    model = copy.deepcopy(trained_small.network.model)
    net, layer = Preprocessed(model, trained_small.preprocessing), trained_small.conv_layers()[-1]
    start = torch.from_numpy(gradient_ascent(net, layer, steps=0, extra_steps=0).images[:1] / 255).float()[:, None]
    with torch.no_grad():
        pre, _ = net.forward_pre_post(start, layer)  # (1, C, h, w) before the ReLU
        model.get_submodule(layer.replace("conv", "bn")).bias[0] -= pre[0, 0].max() + 0.5 * pre[0, 0].std()
    img = start.clone().requires_grad_(True)
    net.forward_to(img, layer)[0, 0].mean().backward()
    assert img.grad.abs().max() == 0  # silent: nothing to follow on the activation itself
    res = gradient_ascent(net, layer, extra_steps=24)  # the first steps and a few more: it fires early or never
    assert res.start[0] == 0 and res.reached[0] > 0


def test_each_filter_starts_from_its_least_exciting_draw(trained_small):
    """With more drawn starts (the first draw is the one-start run's), no filter starts more
    excited than with one, and some start less: strongly excited starts leave little to climb."""
    net, layer = trained_small.network, trained_small.conv_layers()[-1]
    one = gradient_ascent(net, layer, steps=0, extra_steps=0, starts=1)
    eight = gradient_ascent(net, layer, steps=0, extra_steps=0, starts=8)
    assert (np.abs(eight.start) <= np.abs(one.start) + 1e-6).all()
    assert (np.abs(eight.start) < np.abs(one.start) - 1e-6).any()
    assert np.allclose(eight.reached, eight.start, atol=1e-2)  # no steps: the image is its start (uint8 aside)


def test_gradient_ascent_is_cached_in_the_run_by_weights_and_options(trained_small, monkeypatch):
    """Computed once per weights, layer and options, written to the run's filters/, then read back
    without computing; other options or other weights miss the cache."""
    import fer_core.handle.loaded as handle_module
    from fer_core.explain.filters import ascent_key, load_ascent

    m = trained_small  # no extra steps for the slow filters: what is cached, not how good it is (22 s -> a few)
    layer = m.conv_layers()[1]
    path = m.run.filters_cache_path(layer)
    path.unlink(missing_ok=True)
    first = m.gradient_ascent(layer, steps=3, extra_steps=0)
    assert path.exists()
    calls = []
    real = handle_module.gradient_ascent
    monkeypatch.setattr(handle_module, "gradient_ascent", lambda *a, **k: calls.append(k) or real(*a, **k))
    again = m.gradient_ascent(layer, steps=3, extra_steps=0)
    assert calls == [] and np.array_equal(again.images, first.images) and np.array_equal(again.reached, first.reached)
    m.gradient_ascent(layer, steps=2, extra_steps=0)  # other options: computed
    assert len(calls) == 1
    mtime = path.stat().st_mtime_ns
    m.gradient_ascent(layer, steps=2, extra_steps=0, use_cache=False)
    assert len(calls) == 2 and path.stat().st_mtime_ns == mtime  # computed afresh, the cache left alone
    assert load_ascent(path, ascent_key("other weights", layer, steps=2, extra_steps=0)) is None
    with pytest.raises(TypeError, match="no option stpes"):
        ascent_key(m.digest, layer, stpes=2)


@pytest.mark.slow
def test_gradient_ascent_raises_each_filter_tenfold_on_the_shipped_fer2013_model(monkeypatch):
    """Issue 5: every filter of the shipped model's last conv layer (the Filters page's default)
    reaches at least ten times its start's mean activation (|start| when the start is negative)."""
    from fer_core.handle.store import DEFAULT, has_default, load_model

    monkeypatch.setenv("FER_DEFAULT_MODEL_DIR", str(ROOT / "checkpoints" / DEFAULT))
    if not has_default():
        pytest.skip("no shipped model in checkpoints/default")
    m = load_model(DEFAULT)
    layer = m.conv_layers()[-1]
    res = m.gradient_ascent(layer, use_cache=False)  # the method itself, not the shipped images
    rise = res.reached / np.maximum(np.abs(res.start), 1e-6)  # a silent ReLU filter starts at exactly 0
    assert (rise >= 10).all(), f"filters {np.flatnonzero(rise < 10).tolist()} rose only {np.sort(rise)[:3].round(2).tolist()}x"


def test_top_faces_and_kernels():
    handle = _handle()
    model = handle.network.model
    pixels = np.random.default_rng(1).integers(0, 256, (30, 48, 48), dtype=np.uint8)
    layer = handle.conv_layers()[0]
    top = handle.top_faces(layer, pixels, k=4)
    assert top.shape[1] == 4 and top.max() < 30
    means = [handle.feature_maps(layer, p)[0].mean() for p in pixels]
    assert top[0, 0] == int(np.argmax(means))  # filter 0's strongest face is the one with the highest mean
    k = handle.first_layer_kernels()
    assert k.shape == (model.get_submodule(layer).out_channels, *model.get_submodule(layer).kernel_size)


def test_photo_without_a_face_gives_a_clear_message():
    grey = np.full((240, 320, 3), 120, np.uint8)
    with pytest.raises(NoFaceFound, match="No face found in my.png"):
        face_from_photo(grey, "my.png")
    assert detect_faces(grey).faces == []


def test_a_48x48_face_is_used_whole():
    face, det = face_from_photo(FACE)
    assert np.array_equal(face.face48, FACE) and len(det.faces) == 1
