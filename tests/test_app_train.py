"""AppTest of the Train page: builder, layer table, a finished run's curves, the cache."""

import argparse
from dataclasses import replace

import pytest

from fer_core.augment import AugmentConfig
from fer_core.cli.train import add_train_options, config_from_args
from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.options import specs
from fer_core.train import RunStatus, TrainConfig, prepare_run, train_in_process
from fer_core.train.recipes import get_recipe
from tests.fixtures import save_voted_demo
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


def test_every_option_box_reaches_the_run_config(data_dir):
    # A run with non-default values in boxes of every kind exists; asking for it through the form
    # finds it, so each box's value made it into the TrainConfig (each is part of the run id).
    save_dataset(synth_dataset("demo", n=700))
    wanted = TrainConfig(data="demo", arch="small", epochs=1, label_smoothing=0.15, ema=0.0, equalize=True, class_weights=True)
    wanted = replace(wanted, scheduler="cosine", augment=replace(wanted.augment, rotate_deg=7.0, flip=False))
    run, _ = prepare_run(wanted)
    run.set_status(RunStatus.FINISHED, "a stand-in: the page finds it instead of training")
    at = _app("app_pages/train.py")
    at.selectbox(key="train_arch").set_value("small").run()
    at.number_input(key="train_epochs").set_value(1).run()
    at.number_input(key="train_label_smoothing").set_value(0.15).run()
    at.number_input(key="train_ema").set_value(0.0).run()
    at.selectbox(key="train_scheduler").set_value("cosine").run()
    at.checkbox(key="train_equalize").check().run()
    at.checkbox(key="train_class_weights").check().run()
    at.number_input(key="train_aug_rotate_deg").set_value(7.0).run()
    at.checkbox(key="train_aug_flip").uncheck().run()
    at.button(key="train_start").click().run()
    assert not at.exception, at.exception
    assert "Cached" in at.success[0].value and run.id in at.success[0].value


def test_the_forms_widgets_are_the_declared_options_and_no_retired_one(data_dir):
    save_dataset(synth_dataset("demo", n=140))
    at = _app("app_pages/train.py")
    widgets = {w.key: w for kind in ("number_input", "selectbox", "checkbox") for w in at.get(kind) if (w.key or "").startswith("train_")}
    declared = [(f"train_{o.name}", o) for o in specs(TrainConfig) if o.name != "data"]
    declared += [(f"train_aug_{o.name}", o) for o in specs(AugmentConfig)]
    for key, o in declared:
        assert widgets[key].label == o.label and widgets[key].help == o.help, key
    assert not [k for k in widgets if any(r in k for r in ("mixup", "swa", "crop"))]


@pytest.mark.parametrize("recipe", ["shipped", "ferplus"])
def test_a_recipe_picked_on_the_page_shows_its_fields_and_starts_fer_train_recipes_run(data_dir, recipe):
    """The page's request is `fer train --recipe NAME`'s, run id included: a FER+ recipe's model has
    FER+'s eight classes on the page as on the command line (it had seven on the page before)."""
    if recipe == "ferplus":
        save_voted_demo(140, least=2, name="fer2013")  # the FER+ recipe needs the votes
    else:
        save_dataset(synth_dataset("fer2013", n=140))
    p = argparse.ArgumentParser()
    add_train_options(p)
    run, _ = prepare_run(config_from_args(p.parse_args(["--recipe", recipe, "--data", "fer2013"])))  # `fer train --recipe NAME`
    run.set_status(RunStatus.FINISHED, "a stand-in: the page finds it instead of training")
    assert run.config().model.num_classes == (8 if recipe == "ferplus" else 7)
    at = _app("app_pages/train.py")
    assert at.number_input(key="train_epochs").value == TrainConfig().epochs  # quick, until another is picked
    at.selectbox(key="train_recipe").set_value(recipe).run()
    wanted = get_recipe(recipe).config
    assert at.selectbox(key="train_arch").value == wanted.arch and at.number_input(key="train_epochs").value == wanted.epochs
    assert at.number_input(key="train_aug_rotate_deg").value == wanted.augment.rotate_deg
    assert at.selectbox(key="train_optimizer").value == "sgd" and at.number_input(key="train_momentum").value == wanted.momentum
    at.button(key="train_start").click().run()
    assert not at.exception, at.exception
    assert "Cached" in at.success[0].value and run.id in at.success[0].value


def test_every_page_starts_with_the_newest_real_data_set(data_dir):
    """The Train page once started with the demo faces after FER2013 was imported."""
    from fer_core.data.dataset import make_dataset
    from tests.fixtures import untrained_run

    demo = synth_dataset("demo", n=140)
    save_dataset(demo)
    for name, created in (("older", "2026-12-01T10:00:00"), ("newer", "2026-12-02T10:00:00")):
        meta = {"source": f"{name}.csv", "format": "challenge-csv", "created": created}
        save_dataset(make_dataset(name, demo.pixels, demo.labels, demo.splits, meta))
    untrained_run("demo")  # Evaluate asks for a model first
    assert _app("app_pages/train.py").selectbox(key="train_data").value == "newer"
    for page, key in (("evaluate", "ev_data"), ("study", "st_data"), ("data", "dataset")):
        assert _app(f"app_pages/{page}.py").selectbox(key=key).value == "newer", page


def test_a_changed_recipe_says_so_instead_of_its_measured_figures(data_dir):
    save_dataset(synth_dataset("demo", n=140))
    at = _app("app_pages/train.py")
    captions = " ".join(c.value for c in at.caption)
    assert "Measured:" in captions and "changed" not in captions
    at.number_input(key="train_epochs").set_value(31).run()
    captions = " ".join(c.value for c in at.caption)
    assert "**quick (changed: epochs 31)**" in captions and "Measured:" not in captions


def test_a_run_without_epochs_draws_empty_charts_on_sane_axes(data_dir):
    """Empty curves once had plotly's default axes: -100% to 400%."""
    import json

    save_dataset(synth_dataset("demo", n=140))
    run, _ = prepare_run(TrainConfig(data="demo", arch="small", epochs=1))
    run.set_status(RunStatus.STOPPED, "stopped before its first step")
    at = _app("app_pages/train.py")
    charts = [e for e in at.get("plotly_chart")]
    specs = [json.loads(c.proto.spec) for c in charts]
    assert len(specs) == 2
    loss, acc = (s["layout"]["yaxis"]["range"] for s in specs)
    assert acc == [0, 1] and loss[0] == 0
    assert all("No epoch yet" in s["layout"]["annotations"][0]["text"] for s in specs)
