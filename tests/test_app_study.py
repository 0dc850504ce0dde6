"""AppTest of the Study page: a question runs to its table and verdict; asking again is cached."""

import time

import pytest

from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.study.runner import runner_alive
from fer_core.study.study import list_studies
from tests.test_app import _app

pytestmark = pytest.mark.slow


def test_does_augmentation_help_runs_to_its_verdict_then_is_cached(data_dir):
    save_dataset(synth_dataset("demo", n=700))
    at = _app("app_pages/study.py")
    assert at.radio(key="st_question").value == "Does augmentation help?"
    assert at.selectbox(key="st_arch").value == "tiny"  # demo faces: the fast preset
    at.number_input(key="st_epochs").set_value(1).run()
    at.number_input(key="st_seeds").set_value(2).run()
    assert "4 runs" in " ".join(c.value for c in at.caption)
    at.button(key="st_start").click().run()
    assert not at.exception, at.exception
    (study,) = list_studies()
    deadline = time.time() + 240
    while runner_alive(study) or study.status() != "finished":
        assert time.time() < deadline, f"study status {study.status()}"
        time.sleep(0.5)
    at.run()
    assert not at.exception, at.exception
    verdicts = " ".join(m.value for m in at.markdown)
    assert "augmentation on (vs off)" in verdicts and "points" in verdicts
    tables = {tuple(d.value.columns): d.value for d in at.dataframe}
    [results_table] = [t for cols, t in tables.items() if "best acc" in cols]
    [runs_table] = [t for cols, t in tables.items() if "trained on" in cols]
    assert len(results_table) == 2 and len(runs_table) == 4  # 2 variants; 2 x 2 seeds runs
    assert set(runs_table["status"]) == {"finished"} and set(runs_table["trained on"]) == {"local cpu"}
    at.button(key="st_start").click().run()
    assert "Asked before" in at.success[0].value


def test_a_bad_custom_value_is_named(data_dir):
    save_dataset(synth_dataset("demo", n=210))
    at = _app("app_pages/study.py")
    at.radio(key="st_question").set_value("Build your own").run()
    at.selectbox(key="st_factor1").set_value("epochs").run()
    at.text_input(key="st_values1_epochs").set_value("5").run()
    assert "needs 2 to 4 values" in at.error[0].value
    assert at.button(key="st_start").disabled
