"""Mixup: the draw, the blend and its loss, and that a run with it trains and differs."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.train import TrainConfig, prepare_run, train_in_process
from fer_core.train.config import run_id
from fer_core.train.mixup import mix_batch, mixed_cross_entropy, mixup_draw


def test_the_draw_is_a_function_of_seed_epoch_and_step():
    lam, order = mixup_draw(0.2, 0, 3, 7, 64)
    again, order2 = mixup_draw(0.2, 0, 3, 7, 64)
    assert lam == again and np.array_equal(order, order2)
    assert sorted(order) == list(range(64))
    draws = [mixup_draw(0.2, 0, 3, s, 64)[0] for s in range(200)]
    assert all(0.5 <= d <= 1.0 for d in draws)
    assert len(set(draws)) == 200  # a fresh draw each step
    # Beta(0.2, 0.2) puts most of its mass near the ends: most folded draws are near 1.
    assert np.median(draws) > 0.9
    assert np.median([mixup_draw(2.0, 0, 3, s, 64)[0] for s in range(200)]) < 0.8


def test_the_blend_leaves_its_input_alone_and_mixes_pairs():
    x = torch.rand(4, 1, 48, 48)
    before = x.clone()
    order = torch.tensor([1, 0, 3, 2])
    mixed = mix_batch(x, 0.75, order)
    assert torch.equal(x, before)
    torch.testing.assert_close(mixed[0], 0.75 * x[0] + 0.25 * x[1])
    torch.testing.assert_close(mix_batch(x, 1.0, order), x)


def test_the_loss_weights_both_labels():
    logits = torch.randn(4, 7)
    y = torch.tensor([0, 1, 2, 3])
    same = torch.arange(4)
    ce = {"label_smoothing": 0.1}
    torch.testing.assert_close(mixed_cross_entropy(logits, y, 0.7, same, **ce), F.cross_entropy(logits, y, **ce))
    order = torch.tensor([1, 0, 3, 2])
    want = 0.7 * F.cross_entropy(logits, y) + 0.3 * F.cross_entropy(logits, y[order])
    torch.testing.assert_close(mixed_cross_entropy(logits, y, 0.7, order), want)


def test_mixup_on_is_a_new_request():
    # (off keeps the ids of older runs: test_identity's legacy ids)
    plain = TrainConfig(data="demo", arch="small")
    assert run_id(plain, "h") != run_id(TrainConfig(data="demo", arch="small", mixup=0.2), "h")
    with pytest.raises(ValueError, match="mixup"):
        TrainConfig(mixup=-1.0)


@pytest.mark.slow
def test_a_run_with_mixup_trains_and_is_not_the_plain_run(data_dir):
    save_dataset(synth_dataset("demo", n=1400))
    cfg = {"data": "demo", "arch": "small", "epochs": 3, "batch_size": 32}
    plain, _ = prepare_run(TrainConfig(**cfg))
    mixed, _ = prepare_run(TrainConfig(**cfg, mixup=0.4))
    assert train_in_process(plain).best_val_acc > 0.4
    assert train_in_process(mixed).best_val_acc > 0.4  # majority class ~25%
    a, b = plain.load_weights("last"), mixed.load_weights("last")
    assert not all(torch.equal(a[k], b[k]) for k in a)
