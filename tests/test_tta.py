"""Test-time augmentation: the views each mode averages, and their use in prediction."""

import pytest
import torch

from fer_core.inference import CROP_PAD, TTA_MODES, predict_logits, tta_views
from fer_core.normalize import Preprocessing


def _faces(n=3, seed=0):
    return torch.randint(0, 256, (n, 1, 48, 48), generator=torch.Generator().manual_seed(seed), dtype=torch.uint8)


@pytest.mark.parametrize("mode,count", [("none", 1), ("flip", 2), ("10crop", 10)])
def test_each_mode_gives_its_views_at_full_size_and_leaves_the_input_alone(mode, count):
    x = _faces().float()
    before = x.clone()
    views = tta_views(x, mode)
    assert len(views) == count and all(v.shape == x.shape for v in views)
    assert torch.equal(x, before)


def test_ten_crops_are_shifted_faces_and_their_mirrors():
    x = _faces(1).float()
    views = tta_views(x, "10crop")
    p = CROP_PAD
    assert torch.equal(views[4], x)  # the centre crop is the face itself
    assert torch.equal(views[0][..., p:, p:], x[..., :-p, :-p])  # top-left crop: the face moved down-right by p
    for crop, mirror in zip(views[:5], views[5:], strict=True):
        assert torch.equal(mirror, crop.flip(-1))


class _MeanOfLeftHalf(torch.nn.Module):
    """A 'model' whose logits depend on where the bright pixels are, so each view counts."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x):
        left = x[..., :, :24].mean(dim=(1, 2, 3))
        return torch.stack([left + self.w] + [torch.zeros_like(left)] * 6, 1)


@pytest.mark.parametrize("mode", TTA_MODES)
def test_predictions_are_the_mean_over_the_views(mode):
    model, faces = _MeanOfLeftHalf(), _faces(5, seed=1)
    got = predict_logits(model, faces, Preprocessing("none"), batch=2, tta=mode)
    want = torch.stack([model(v) for v in tta_views(faces.float() / 255, mode)]).mean(0)
    assert torch.allclose(got, want, atol=1e-6)


def test_an_unknown_mode_is_named():
    with pytest.raises(ValueError, match="'5crop'"):
        predict_logits(_MeanOfLeftHalf(), _faces(1), Preprocessing("none"), tta="5crop")


def test_validation_precision_folds_batch_norm_and_follows_the_bf16_switch():
    """Training validates on a batch-norm-folded copy in its own precision: fp32 gives the
    model's logits; bf16 changes them by rounding only; the model is not touched."""
    from fer_core.inference import inference_copy
    from fer_core.models import build_model, get_preset

    torch.manual_seed(0)
    model = build_model(get_preset("tiny"))
    with torch.no_grad():  # batch-norm statistics away from the identity, so folding does something
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5), m.running_var.uniform_(0.5, 2.0), m.weight.uniform_(0.5, 1.5)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    faces, prep = _faces(16), Preprocessing("per_image")
    exact = predict_logits(model, faces, prep, tta="flip", bf16=False)
    folded = predict_logits(inference_copy(model), faces, prep, tta="flip", bf16=False)
    rounded = predict_logits(inference_copy(model), faces, prep, tta="flip", bf16=True)
    assert torch.allclose(folded, exact, atol=1e-4)
    assert not torch.equal(rounded, exact) and torch.allclose(rounded, exact, atol=0.1 * exact.abs().max().item())
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
