"""Stochastic weight averaging's settings: the schedule around it and what is refused (the average
itself is torch.optim.swa_utils'; runs that use it: tests/test_train.py)."""

import pytest
from torch import nn

from fer_core.train import TrainConfig
from fer_core.train.optim import build_optimizer, build_scheduler, step_scheduler


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
