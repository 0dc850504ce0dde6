"""AppTest of the Study page: a question runs to its table and verdict; asking again is cached."""

import json
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
    fresh = _app("app_pages/study.py")  # a reload: a new session shows the study and a form that matches it
    assert fresh.selectbox(key="st_current").value == study.id and fresh.radio(key="st_question").value == "Does augmentation help?"
    assert (fresh.number_input(key="st_epochs").value, fresh.number_input(key="st_seeds").value) == (1, 2)
    specs = [json.loads(c.proto.spec) for c in fresh.get("plotly_chart")]
    [bars] = [s for s in specs if "best validation accuracy" in s["layout"]["yaxis"]["title"]["text"]]
    assert bars["layout"]["yaxis"]["range"][0] == 0  # bars from zero: a small gap looks small


def test_a_bad_custom_value_is_named(data_dir):
    save_dataset(synth_dataset("demo", n=210))
    at = _app("app_pages/study.py")
    at.radio(key="st_question").set_value("Build your own").run()
    at.selectbox(key="st_factor1").set_value("epochs").run()
    at.text_input(key="st_values1_epochs").set_value("5").run()
    assert "needs 2 to 4 values" in at.error[0].value
    assert at.button(key="st_start").disabled
