"""The wait known before it starts (issue 44): estimates from throughput measured on this machine
(a run's own speed, a rate recorded by the last action of its kind, or a probe), said on every page
that starts something long, with the CPU's load; an action past LONG_S waits for a click."""

import time

import pytest

from fer_core import estimate
from fer_core.data import load_dataset, save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.estimate import Estimate, duration, run_estimate, training_estimate
from fer_core.train import RunStatus, TrainConfig, prepare_run
from tests.fixtures import untrained_run
from tests.test_app import _app


@pytest.fixture
def demo(data_dir):
    save_dataset(synth_dataset("demo", n=280))
    return load_dataset("demo")


def test_durations_read_as_people_say_them():
    assert [duration(s) for s in (0.2, 45, 89, 200, 3600, 4800)] == ["1 s", "45 s", "89 s", "3 min", "1 h", "1 h 20 min"]


def test_training_is_estimated_from_a_run_of_the_same_model_measured_here(demo):
    measured, _ = prepare_run(TrainConfig(data="demo", arch="small", epochs=2))
    measured.write_metrics([{"kind": "step", "epoch": 0.5, "progress": 0.25, "elapsed": 1.0, "images_per_s": 200.0}])
    measured.set_status(RunStatus.STOPPED, "stopped")
    cfg = TrainConfig(data="demo", arch="small", epochs=10, seed=3)
    est = training_estimate(cfg, n_train=1000, n_val=300)
    assert est.seconds == pytest.approx(10 * (1000 / 200 + 300 / (3 * 200)))
    assert f"200 images/s measured in run {measured.id}" in est.text() and est.text().startswith("about 55 s on this machine")
    other = training_estimate(TrainConfig(data="demo", arch="tiny", epochs=1), 1000, 300)  # another model: a probe, then kept
    assert "probe" in other.basis and estimate.recorded(f"train-probe:tiny:{TrainConfig().batch_size}") is not None


def test_an_identical_finished_run_costs_nothing_and_a_stopped_one_its_epochs_left(demo, monkeypatch):
    monkeypatch.setattr(estimate, "training_rate", lambda cfg: (100.0, "100 images/s"))
    run = untrained_run("demo", epochs=1)
    assert run_estimate(run.config()).seconds == 0 and "has finished" in run_estimate(run.config()).basis
    counts = demo.counts()
    n_train, n_val = sum(counts["Training"].values()), sum(counts["PublicTest"].values())
    fresh = run_estimate(TrainConfig(data="demo", arch="small", epochs=4))
    assert fresh.seconds == pytest.approx(4 * (n_train / 100 + n_val / 300))


def test_a_busy_cpu_is_said_and_this_process_own_work_is_not_counted(monkeypatch):
    import subprocess
    import sys

    monkeypatch.setattr(estimate, "_busy", None)
    monkeypatch.setattr(estimate.os, "cpu_count", lambda: 1)  # one core's worth of other work makes it busy
    monkeypatch.setattr(estimate.os, "getloadavg", lambda: (1.0, 1.0, 1.0))  # ... once it has lasted a while
    spin = subprocess.Popen([sys.executable, "-c", "import time\nt = time.time() + 20\nwhile time.time() < t: pass"])
    try:
        time.sleep(0.3)
        assert "the CPU is busy (other work is using" in estimate.cpu_busy()
    finally:
        spin.kill()
        spin.wait()
    import threading

    def own_work():  # this process's own work (the app's), spinning while the sample is taken
        t = time.perf_counter()
        while time.perf_counter() - t < 0.6:
            pass

    monkeypatch.setattr(estimate, "_busy", (time.monotonic(), 0.9))  # a moment's work (a page redrawn)
    monkeypatch.setattr(estimate.os, "getloadavg", lambda: (0.1, 0.1, 0.1))  # that has not lasted
    assert estimate.cpu_busy() == ""
    worker = threading.Thread(target=own_work)
    worker.start()
    assert estimate._others_busy() < 0.5
    worker.join()


def test_evaluate_says_how_long_the_first_scoring_takes_and_waits_for_a_click(demo, monkeypatch):
    run = untrained_run("demo")
    monkeypatch.setattr(estimate, "LONG_S", 0.0)  # every action counts as long
    at = _app("app_pages/evaluate.py")
    said = " ".join(i.value for i in at.info)
    assert f"Scoring **{run.id}** on the" in said and "on this machine" in said and not at.metric
    at.button(key="ev_score_go").click().run()
    assert not at.exception, at.exception
    assert at.metric[0].label == "Accuracy"
    at2 = _app("app_pages/evaluate.py")  # cached now: no question asked
    assert at2.metric and not any("Scoring" in i.value for i in at2.info)


def test_filters_say_how_long_gradient_ascent_takes_and_wait_for_a_click(demo, monkeypatch):
    untrained_run("demo", arch="tiny")
    monkeypatch.setattr(estimate, "LONG_S", 0.0)
    at = _app("app_pages/filters.py")
    assert any("Gradient ascent for every filter of" in i.value and "on this machine" in i.value for i in at.info)
    at.button(key="fl_ascent_go").click().run()
    assert not at.exception, at.exception
    assert at.get("imgs") or at.dataframe, "the ascent images are drawn after the click"
    layer = at.selectbox(key="fl_layer").value
    assert estimate.recorded(f"ascent:tiny:{layer}") > 0  # the next estimate is what this one took


def test_train_and_study_say_how_long_before_start(demo):
    at = _app("app_pages/train.py")
    assert any(c.value.startswith("**This run:** about") for c in at.caption)
    at = _app("app_pages/study.py")
    assert any(c.value.startswith("**This study:** about") for c in at.caption)


def test_the_time_left_while_it_runs(monkeypatch):
    monkeypatch.setattr(estimate, "LONG_S", 10.0)  # as in the product (the suite never waits for a click)
    clock = estimate.Clock()
    clock.started -= 20  # 20 s in, a quarter done
    assert clock.left(0.25) == " · about 60 s left" and clock.left(1.0) == ""
    assert Estimate(5, "x").long is False and Estimate(11, "x").long is True
