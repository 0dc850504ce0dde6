"""AppTest of the Architecture and Math pages."""

import pytest

from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.models import PRESETS, build_model
from tests.test_app import _app, _count


@pytest.fixture
def demo(data_dir):
    save_dataset(synth_dataset("demo", n=140))


@pytest.mark.parametrize("preset", PRESETS)
def test_architecture_page_shows_every_preset(demo, preset):
    at = _app("app_pages/architecture.py")
    at.selectbox(key="arch_arch").set_value(preset).run()
    assert not at.exception, at.exception
    params = sum(p.numel() for p in build_model(PRESETS[preset]).parameters())
    assert {m.label: m.value for m in at.metric}["Parameters"] == f"{params:,}"
    assert _count(at._tree, "plotly_chart") == 1 and _count(at._tree, "arrow_data_frame") + _count(at._tree, "dataframe") >= 1


def test_calculator_agrees_with_conv2d_and_explains_impossible_input(demo):
    at = _app("app_pages/architecture.py")
    at.number_input(key="calc_w").set_value(7).run()
    at.number_input(key="calc_k").set_value(3).run()
    at.number_input(key="calc_s").set_value(2).run()
    at.number_input(key="calc_p").set_value(0).run()
    assert "floor((7 + 2*0 - 3) / 2) + 1 = 3" in " ".join(m.value for m in at.markdown)
    assert "matches" in at.success[-1].value
    at.number_input(key="calc_k").set_value(15).run()
    assert "larger than the padded input" in at.error[0].value


@pytest.mark.parametrize(("button", "name"), [("check_conv", "conv output size"), ("check_bn", "batch norm"), ("check_ce", "softmax")])
def test_math_checks_pass_with_tiny_errors(demo, button, name):
    at = _app("app_pages/math_checks.py")
    assert len(at.get("latex")) >= 7
    at.button(key=button).click().run()
    assert not at.exception, at.exception
    verdict = at.success[-1].value
    assert name in verdict and "identity holds" in verdict
    assert float(verdict.split("largest error ")[1].split(",")[0]) < 1e-10


def test_architecture_of_a_trained_run(data_dir):
    from fer_core.train import TrainConfig, prepare_run, train_in_process

    save_dataset(synth_dataset("demo", n=280))
    run, _ = prepare_run(TrainConfig(data="demo", arch="small", epochs=1))
    train_in_process(run)
    at = _app("app_pages/architecture.py")
    at.radio(key="arch_source").set_value("Trained run").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="arch_run").value == run.id
    params = sum(p.numel() for p in build_model(PRESETS["small"]).parameters())
    assert {m.label: m.value for m in at.metric}["Parameters"] == f"{params:,}"
