"""Studies end to end on small demo faces: the table and its JSON, the cache, stop and resume
mid-study, and a failing variant."""

import json
import time

import pytest

from fer_core.augment import AugmentConfig
from fer_core.cli import main
from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.study.factors import parse_vary
from fer_core.study.results import results, to_csv, to_markdown
from fer_core.study.runner import launch_study, run_study, runner_alive, stop_study
from fer_core.study.stats import difference, estimate
from fer_core.study.study import define_study, list_studies, load_study
from fer_core.train import NonFiniteLoss, Run, RunStatus, TrainConfig
from fer_core.train.engine import Trainer

pytestmark = pytest.mark.slow
BASE = ["--data", "demo", "--arch", "small", "--epochs", "2", "--batch-size", "32", "--device", "cpu"]


@pytest.fixture
def demo(data_dir):
    save_dataset(synth_dataset("demo", n=700))


def _base(**kw) -> TrainConfig:
    return TrainConfig(**{"data": "demo", "arch": "small", "epochs": 2, "batch_size": 32, "device": "cpu", **kw})


def test_cli_json_then_asking_again_is_cached(demo, capsys):
    assert main(["study", *BASE, "--vary", "augment=off,on", "--seeds", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "finished" and [v["variant"] for v in out["variants"]] == ["augment=off", "augment=on"]
    study = load_study(out["id"])
    rows = results(study)
    for v, r in zip(out["variants"], rows, strict=True):
        accs = [max(m["val_acc"] for m in Run.at(rid).metrics() if m["kind"] == "epoch") for rid in v["run_ids"]]
        assert v["best_val_acc"]["mean"] == pytest.approx(estimate(accs).mean) and v["best_val_acc"]["se"] == pytest.approx(
            estimate(accs).se
        )
        assert len(v["run_ids"]) == 2 and v["settings"] == r.variant.settings
    base_accs = [max(m["val_acc"] for m in Run.at(rid).metrics() if m["kind"] == "epoch") for rid in out["variants"][0]["run_ids"]]
    on_accs = [max(m["val_acc"] for m in Run.at(rid).metrics() if m["kind"] == "epoch") for rid in out["variants"][1]["run_ids"]]
    assert out["variants"][1]["vs_baseline"]["diff"] == pytest.approx(difference(base_accs, on_accs).diff)
    stamps = {r.id: r.metrics_path.stat().st_mtime for r in study.runs()}
    assert main(["study", *BASE, "--vary", "augment=off,on", "--seeds", "2", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["id"] == out["id"] and again["variants"] == out["variants"]
    assert {r.id: r.metrics_path.stat().st_mtime for r in study.runs()} == stamps  # nothing trained again
    assert [s.id for s in list_studies()] == [out["id"]]
    md, table = to_markdown(study, rows), to_csv(rows)
    assert "| augment=on |" in md and "augmentation on (vs off)" in md and table.count("\n") == 3


def test_stop_mid_study_then_resume_trains_nothing_twice(demo):
    study = define_study(_base(epochs=6), [parse_vary("augment=off,on")], seeds=1)
    launch_study(study)
    first = study.runs()[0]
    deadline = time.time() + 120
    while not (first.has_status and first.metrics() and first.status().status is RunStatus.RUNNING):
        assert time.time() < deadline, "the study's first run did not start"
        time.sleep(0.2)
    stop_study(study)
    while runner_alive(study):
        assert time.time() < deadline + 60
        time.sleep(0.2)
    assert study.status() == "stopped" and first.status().status is RunStatus.STOPPED
    assert not study.runs()[1].has_status  # the second run never started
    before = first.metrics()
    counts = run_study(study)
    assert counts == {"cached": 0, "trained": 2, "stopped": 0, "failed": 0} and study.status() == "finished"
    after = first.metrics()
    assert after[: len(before)] == before and len(after) > len(before)  # resumed where it stopped, not restarted
    steps = [m["step"] for m in after if m["kind"] == "step"]
    assert steps == sorted(steps) and after[-1]["epoch"] == 6
    assert run_study(study)["cached"] == 2


def test_a_failing_variant_is_marked_and_the_others_go_on(demo, monkeypatch):
    fit = Trainer.fit

    def failing_fit(self, resume=False):
        if self.cfg.augment == AugmentConfig.off():
            raise NonFiniteLoss("the loss became nan at epoch 1, step 3: try a lower learning rate")
        return fit(self, resume)

    monkeypatch.setattr(Trainer, "fit", failing_fit)
    study = define_study(_base(epochs=1), [parse_vary("augment=off,on")], seeds=2)
    counts = run_study(study)
    assert counts == {"cached": 0, "trained": 2, "stopped": 0, "failed": 2}
    rows = results(study)
    assert rows[0].finished == 0 and len(rows[0].failed) == 2 and "the loss became nan" in rows[0].failed[0]
    assert rows[1].finished == 2 and rows[1].best is not None
    assert "Failed runs" in to_markdown(study, rows) and study.status() == "finished"
