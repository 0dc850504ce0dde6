"""Recipes: complete configs a user picks; `fer train --recipe NAME [overrides]` builds the same
config (so the same run id) as the Train page, and `shipped` is the shipped model's own recipe."""

import argparse
import dataclasses
import json
from pathlib import Path

import pytest

from fer_core.augment import AugmentConfig
from fer_core.cli.train import add_train_options, config_from_args
from fer_core.options import HELP, specs
from fer_core.train import TrainConfig
from fer_core.train.config import run_id
from fer_core.train.recipes import DEFAULT_RECIPE, RECIPES, get_recipe

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONFIG = ROOT / "checkpoints" / "default" / "config.json"


def _args(*argv: str):
    p = argparse.ArgumentParser()
    add_train_options(p)
    return config_from_args(p.parse_args(list(argv)))


def test_the_quick_recipe_is_the_configs_defaults_and_the_cli_default():
    assert DEFAULT_RECIPE == "quick" and RECIPES["quick"].config == TrainConfig()
    assert _args() == TrainConfig() == _args("--recipe", "quick")


def test_shipped_on_fer2013_reproduces_the_shipped_models_config_and_run_id():
    saved = json.loads(SHIPPED_CONFIG.read_text())
    shipped = TrainConfig.from_json(saved["train"])
    cfg = get_recipe("shipped").for_data("fer2013")
    assert cfg.resolved() == shipped
    assert run_id(cfg, saved["data_hash"]) == saved["run_id"]
    assert _args("--recipe", "shipped", "--data", "fer2013") == cfg


def test_options_given_on_top_override_only_themselves():
    cfg = _args("--recipe", "shipped", "--data", "fer2013", "--epochs", "10", "--rotate", "0", "--no-equalize")
    base = get_recipe("shipped").for_data("fer2013")
    assert cfg.epochs == 10 and cfg.augment.rotate_deg == 0 and not cfg.equalize
    assert cfg.augment.shift == base.augment.shift and cfg.optimizer == base.optimizer and cfg.lr == base.lr
    assert _args("--equalize").equalize and _args("--class-weights").class_weights


def test_every_recipe_is_complete_and_described():
    for r in RECIPES.values():
        assert r.config.resolved().model is not None and r.summary and r.measured
    with pytest.raises(ValueError, match="unknown recipe 'fast'"):
        get_recipe("fast")


def test_each_options_help_is_stated_once_and_the_cli_shows_it():
    texts = {f.name: f.metadata[HELP] for cls in (TrainConfig, AugmentConfig) for f in dataclasses.fields(cls) if HELP in f.metadata}
    assert len(texts) >= 22
    code = [p.read_text() for d in ("fer_core", "dashboard") for p in (ROOT / d).rglob("*.py")]
    for name, text in texts.items():
        assert sum(c.count(text) for c in code) == 1, f"{name}'s help is written more than once: {text!r}"
    p = argparse.ArgumentParser()
    add_train_options(p)
    shown = {a.option_strings[0]: (a.help or "").replace("%%", "%") for a in p._actions if a.option_strings}
    for o in (*specs(TrainConfig), *(o for o in specs(AugmentConfig) if o.kind is not bool)):
        assert o.help in shown[o.flag], o.flag


def test_retired_options_give_a_clear_message_and_ranges_are_checked(capsys):
    for argv, message in (
        (["--mixup", "0.2"], "--mixup was retired: mixup cost"),
        (["--swa-epochs", "20"], "--swa-epochs was retired"),
        (["--crop", "44"], "--crop was retired: random training crops cost 1.5 points"),
        (["--arch", "vgg8-gap"], "preset 'vgg8-gap' was retired"),
        (["--epochs", "0"], "epochs must be between 1 and 500"),
        (["--optimizer", "adam"], "optimizer must be one of adamw, sgd"),
    ):
        with pytest.raises(SystemExit):
            _args(*argv)
        assert message in capsys.readouterr().err, argv
