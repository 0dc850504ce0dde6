"""AppTest of the Train page: builder, layer table, a finished run's curves, the cache."""

import argparse

import pytest

from fer_core.cli.train import add_train_options, config_from_args
from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.train import RunStatus, TrainConfig, prepare_run, train_in_process
from fer_core.train.recipes import get_recipe
from tests.test_app import _app, _count


@pytest.fixture
def trained(data_dir):
    save_dataset(synth_dataset("demo", n=700))
    run, _ = prepare_run(TrainConfig(data="demo", arch="small", epochs=1))
    train_in_process(run)
    return run


def test_train_page_shows_a_finished_run_and_finds_it_in_the_cache(trained):
    at = _app("app_pages/train.py")
    assert at.selectbox(key="train_run").value == trained.id
    assert _count(at._tree, "plotly_chart") == 2  # loss and accuracy curves
    at.selectbox(key="train_arch").set_value("small").run()
    at.number_input(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    assert not at.exception, at.exception
    assert "Cached" in at.success[0].value and trained.id in at.success[0].value


def test_layer_table_and_parameter_count_follow_the_architecture(trained):
    at = _app("app_pages/train.py")
    at.selectbox(key="train_arch").set_value("seed-4conv").run()
    assert "538,087 parameters" in " ".join(c.value for c in at.caption)
    at.selectbox(key="train_arch").set_value("custom").run()
    assert not at.exception, at.exception
    assert "538,087 parameters" in " ".join(c.value for c in at.caption)  # the builder starts from seed-4conv
    at.text_input(key="train_fc").set_value("").run()
    assert "parameters" in " ".join(c.value for c in at.caption)
    assert "538,087 parameters" not in " ".join(c.value for c in at.caption)


def test_train_page_without_runs_says_what_to_do(data_dir):
    save_dataset(synth_dataset("demo", n=140))
    at = _app("app_pages/train.py")
    assert "No runs yet" in " ".join(i.value for i in at.info)


def test_the_mixup_box_reaches_the_run_config(data_dir):
    # A run with mixup 0.3 exists; asking for it through the form finds it, so the box's value
    # made it into the TrainConfig (mixup is part of the run id).
    save_dataset(synth_dataset("demo", n=700))
    mixed, _ = prepare_run(TrainConfig(data="demo", arch="small", epochs=1, mixup=0.3))
    train_in_process(mixed)
    at = _app("app_pages/train.py")
    at.selectbox(key="train_arch").set_value("small").run()
    at.number_input(key="train_epochs").set_value(1).run()
    at.number_input(key="train_mixup").set_value(0.3).run()
    at.button(key="train_start").click().run()
    assert not at.exception, at.exception
    assert "Cached" in at.success[0].value and mixed.id in at.success[0].value


def test_the_averaging_boxes_reach_the_run_config_and_bad_combinations_are_refused(data_dir):
    save_dataset(synth_dataset("demo", n=700))
    averaged, _ = prepare_run(TrainConfig(data="demo", arch="small", epochs=2, swa_epochs=1, swa_lr_share=0.3))
    train_in_process(averaged)
    at = _app("app_pages/train.py")
    at.selectbox(key="train_arch").set_value("small").run()
    at.number_input(key="train_epochs").set_value(2).run()
    at.number_input(key="train_swa").set_value(1).run()
    at.number_input(key="train_swa_lr").set_value(0.3).run()
    at.button(key="train_start").click().run()
    assert not at.exception, at.exception
    assert "Cached" in at.success[0].value and averaged.id in at.success[0].value
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    assert len(charts) == 2 and all("weights averaged from here" in spec for spec in charts)  # where the curve jumps
    at.selectbox(key="train_sched").set_value("plateau").run()  # cannot end at the averaging rate
    assert "anneals to its rate" in at.error[0].value and at.button(key="train_start").disabled


def test_a_recipe_picked_on_the_page_shows_its_fields_and_starts_fer_train_recipes_run(data_dir):
    save_dataset(synth_dataset("fer2013", n=140))
    p = argparse.ArgumentParser()
    add_train_options(p)
    run, _ = prepare_run(config_from_args(p.parse_args(["--recipe", "shipped", "--data", "fer2013"])))  # `fer train --recipe shipped`
    run.set_status(RunStatus.FINISHED, "a stand-in: the page finds it instead of training")
    at = _app("app_pages/train.py")
    assert at.number_input(key="train_epochs").value == TrainConfig().epochs  # quick, until another is picked
    at.selectbox(key="train_recipe").set_value("shipped").run()
    shipped = get_recipe("shipped").config
    assert at.selectbox(key="train_arch").value == shipped.arch and at.number_input(key="train_epochs").value == shipped.epochs
    assert at.number_input(key="train_aug_rot").value == shipped.augment.rotate_deg and at.selectbox(key="train_opt").value == "sgd"
    at.button(key="train_start").click().run()
    assert not at.exception, at.exception
    assert "Cached" in at.success[0].value and run.id in at.success[0].value
