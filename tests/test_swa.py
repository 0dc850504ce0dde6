"""Stochastic weight averaging: the average, its batch-norm statistics, the schedule around it,
and a run that uses it."""

import pytest
import torch
from torch import nn

from fer_core.train import TrainConfig
from fer_core.train.optim import build_optimizer, build_scheduler, step_scheduler
from fer_core.train.swa import WeightAverage, recompute_batch_norm


def _net() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 7))


def test_the_average_is_the_plain_mean_of_the_snapshots_and_leaves_them_alone():
    torch.manual_seed(0)
    snaps = [_net() for _ in range(3)]
    before = [{k: v.clone() for k, v in s.state_dict().items()} for s in snaps]
    avg = WeightAverage(snaps[0])
    for s in snaps:
        avg.add(s)
    assert avg.count == 3
    for name, p in avg.model.named_parameters():
        expected = torch.stack([dict(s.named_parameters())[name] for s in snaps]).mean(0)
        torch.testing.assert_close(p, expected)
        assert not p.requires_grad
    for s, b in zip(snaps, before):  # the snapshots are not mutated
        assert all(torch.equal(s.state_dict()[k], b[k]) for k in b)


def test_batch_norm_statistics_are_recomputed_from_the_given_batches_only():
    torch.manual_seed(0)
    net = _net().eval()
    net[1].running_mean.fill_(5.0)  # stale statistics that must not survive
    batches = [torch.randn(8, 1, 10, 10) * 3 + 1, torch.randn(8, 1, 10, 10) - 2]
    recompute_batch_norm(net, batches)
    with torch.no_grad():
        per_batch = [net[0](xb).mean((0, 2, 3)) for xb in batches]  # the conv's output, (4,) each
    torch.testing.assert_close(net[1].running_mean, torch.stack(per_batch).mean(0))
    assert not net.training and net[1].momentum == nn.BatchNorm2d(4).momentum  # mode and momentum restored


@pytest.mark.parametrize("scheduler", ["onecycle", "cosine"])
def test_the_schedule_anneals_to_the_averaging_rate_and_holds_it(scheduler):
    cfg = TrainConfig(arch="small", epochs=5, swa_epochs=2, swa_lr_share=0.2, lr=0.05, optimizer="sgd", scheduler=scheduler)
    steps = 10
    opt = build_optimizer(nn.Linear(2, 2), cfg)
    sched = build_scheduler(opt, cfg, steps)
    rates = []
    for _ in range(cfg.epochs * steps):
        opt.step()
        step_scheduler(sched, cfg, per_step=True)
        rates.append(opt.param_groups[0]["lr"])
    before = rates[: (cfg.epochs - cfg.swa_epochs) * steps - 1]
    assert max(before) == pytest.approx(cfg.lr, rel=0.05)  # the peak is reached before averaging
    assert rates[-cfg.swa_epochs * steps - 1 :] == pytest.approx([cfg.lr * 0.2] * (cfg.swa_epochs * steps + 1), rel=1e-6)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"epochs": 4, "swa_epochs": 4}, "fewer than the run's 4 epochs"),
        ({"swa_epochs": -1}, "swa_epochs"),
        ({"swa_epochs": 2, "scheduler": "plateau"}, "anneals to its rate"),
        ({"swa_lr_share": 0.0}, "share of the peak"),
    ],
)
def test_impossible_averaging_settings_are_refused(kw, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**{"arch": "small", "epochs": 10, **kw})


def test_averaging_settings_are_part_of_the_run_id():
    # (with their defaults they are left out of it: tests/test_identity.py)
    from fer_core.train.config import run_id

    assert run_id(TrainConfig(arch="small"), "h") != run_id(TrainConfig(arch="small", swa_epochs=3), "h")
    assert run_id(TrainConfig(arch="small", swa_lr_share=0.5), "h") != run_id(TrainConfig(arch="small"), "h")
