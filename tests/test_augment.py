import pytest
import torch
import torch.nn.functional as F

from fer_core.augment import TRANSFORMS, AugmentConfig, _affine, _sampling_grid, augment_batch
from fer_core.normalize import Normalization, normalize


@pytest.fixture
def batch():
    g = torch.Generator().manual_seed(0)
    return torch.rand(16, 1, 48, 48, generator=g)  # (B, 1, 48, 48)


def test_all_off_is_identity_and_returns_a_copy(batch):
    out = augment_batch(batch, AugmentConfig.off())
    assert torch.equal(out, batch) and out.data_ptr() != batch.data_ptr()


@pytest.mark.parametrize("name", [*TRANSFORMS.values(), "all"])
def test_each_transform_keeps_shape_dtype_and_leaves_input_untouched(batch, name):
    before = batch.clone()
    cfg = AugmentConfig.all_on() if name == "all" else AugmentConfig.all_on().only(name)
    out = augment_batch(batch, cfg, torch.Generator().manual_seed(1))
    assert out.shape == batch.shape and out.dtype == batch.dtype
    assert torch.equal(batch, before)
    assert not torch.equal(out, batch)  # it did something


@pytest.mark.parametrize("name", [*TRANSFORMS.values(), "all"])
def test_seeded_generator_reproduces(batch, name):
    cfg = AugmentConfig.all_on() if name == "all" else AugmentConfig.all_on().only(name)
    a = augment_batch(batch, cfg, torch.Generator().manual_seed(3))
    b = augment_batch(batch, cfg, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_flip_gives_each_face_or_its_mirror_and_both_occur(batch):
    out = augment_batch(batch, AugmentConfig().only("flip"), torch.Generator().manual_seed(0))
    same = [torch.allclose(o, x, atol=1e-5) for o, x in zip(out, batch)]
    mirrored = [torch.allclose(o, x.flip(-1), atol=1e-5) for o, x in zip(out, batch)]
    assert all(s or m for s, m in zip(same, mirrored))
    assert any(same) and any(mirrored)


def test_shift_moves_content_by_at_most_the_limit():
    x = torch.zeros(32, 1, 48, 48)
    x[:, :, 24, 24] = 1.0  # one bright dot
    out = augment_batch(x, AugmentConfig(shift=3.0, flip=False, rotate_deg=0, scale=0, erase_p=0), torch.Generator().manual_seed(0))
    peaks = out.flatten(1).argmax(1)
    rows, cols = peaks // 48, peaks % 48
    assert ((rows - 24).abs() <= 4).all() and ((cols - 24).abs() <= 4).all()
    assert len(set(zip(rows.tolist(), cols.tolist()))) > 1


def test_erasing_fills_one_box_within_the_area_range(batch):
    cfg = AugmentConfig(shift=0, flip=False, rotate_deg=0, scale=0, erase_p=1.0, erase_area=(0.05, 0.1))
    out = augment_batch(batch, cfg, torch.Generator().manual_seed(0))
    changed = (out != batch).flatten(1).float().mean(1)
    assert (changed > 0.02).all() and (changed <= 0.2).all()


@pytest.mark.parametrize("h, w", [(48, 48), (40, 56)])
def test_sampling_grid_equals_torch_affine_grid(h, w):
    theta = _affine(8, h, AugmentConfig(), torch.Generator().manual_seed(2), "cpu")  # (8, 2, 3)
    ours = _sampling_grid(theta, h, w)
    assert ours.shape == (8, h, w, 2) and ours.is_contiguous()
    torch.testing.assert_close(ours, F.affine_grid(theta, [8, 1, h, w], align_corners=False))


def test_rejects_unbatched_input():
    with pytest.raises(ValueError, match="expected"):
        augment_batch(torch.zeros(48, 48), AugmentConfig())


def test_normalisations(batch):
    u8 = (batch * 255).round().to(torch.uint8)
    before = u8.clone()
    none = normalize(u8, "none")
    assert none.min() >= 0 and none.max() <= 1
    per = normalize(u8, Normalization.PER_IMAGE)
    assert torch.allclose(per.mean(dim=(-2, -1)), torch.zeros(16, 1), atol=1e-5)
    assert torch.allclose(per.std(dim=(-2, -1)), torch.ones(16, 1), atol=1e-3)
    ds = normalize(u8, "dataset", stats=(0.4, 0.2))
    assert torch.allclose(ds, (none - 0.4) / 0.2)
    assert torch.equal(u8, before)


def test_pixel_stats_from_the_histogram_equal_the_direct_ones():
    import numpy as np

    from fer_core.data.synth import synth_dataset
    from fer_core.previews import intensity_histogram, pixel_stats

    ds = synth_dataset(n=140)
    x = ds.pixels.astype(np.float64) / 255
    mean, std = pixel_stats(intensity_histogram(ds))
    assert abs(mean - x.mean()) < 1e-12 and abs(std - x.std()) < 1e-12
