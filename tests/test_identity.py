"""Run identity stays stable as configs grow: users' cached runs stay found."""

import dataclasses
import hashlib
import json

import pytest

from fer_core.identity import added, identity
from fer_core.models import get_preset
from fer_core.train.config import TrainConfig, run_id


def _legacy_id(cfg: TrainConfig, data_hash: str) -> str:
    """The id as it was computed before identity() existed: every field of asdict, val_tta a bool."""
    d = dataclasses.asdict(cfg.resolved())
    d["val_tta"] = {"flip": True, "none": False}[d["val_tta"]]
    for key in ("head", "head_dropout"):  # fields added since: absent from those runs' configs
        d["model"].pop(key)
    for stage in d["model"]["stages"]:
        stage.pop("pool_first")  # added since, like the head fields
    for key in ("equalize", "retired", "labels", "init"):  # added since
        d.pop(key)
    ident = {k: v for k, v in d.items() if k not in ("device", "precision", "log_every")}
    return f"{cfg.arch}-{cfg.data}-" + hashlib.sha256(json.dumps([ident, data_hash], sort_keys=True).encode()).hexdigest()[:8]


def test_ids_of_runs_made_before_new_fields_are_unchanged():
    # seed-4conv for 18 epochs was the default then; today's default network (vgg8-gap-lite) came later
    old_default = TrainConfig(arch="seed-4conv", epochs=18)
    for cfg in (old_default, TrainConfig(arch="vgg-fer", val_tta="none", lr=1e-3), TrainConfig(arch="small", data="fer2013")):
        assert run_id(cfg, "abc123") == _legacy_id(cfg, "abc123")


def test_an_added_field_with_its_default_leaves_the_identity_alone():
    @dataclasses.dataclass(frozen=True)
    class Before:
        a: int = 1

    @dataclasses.dataclass(frozen=True)
    class After:
        a: int = 1
        b: float = added(0.5)

    assert identity(After()) == identity(Before()) == {"a": 1}
    assert identity(After(b=0.7)) == {"a": 1, "b": 0.7}  # a non-default value is a different request


def test_new_model_fields_count_when_set():
    plain = TrainConfig(arch="vgg10-gap-fast")
    assert identity(plain.resolved())["model"]["head"] == "gap"  # the preset sets it: part of its id
    other = dataclasses.replace(plain, model=dataclasses.replace(get_preset("vgg10-gap-fast"), head_dropout=0.0))
    assert run_id(plain, "x") != run_id(other, "x")


def _fast_4conv():
    """The retired fast-4conv preset (bench/retired_presets.py), as a run's config holds it."""
    seed = get_preset("seed-4conv")
    return dataclasses.replace(seed, name="fast-4conv", stages=tuple(dataclasses.replace(s, pool_first=True) for s in seed.stages))


def test_a_run_of_a_retired_preset_keeps_its_id_and_a_new_one_is_refused_clearly():
    # fast-4conv, 22 epochs, seed 0, on FER2013's original pixels: a run measured on 2026-12-05
    cfg = TrainConfig(data="fer2013", arch="fast-4conv", model=_fast_4conv(), epochs=22)
    assert run_id(cfg, "2133a8a9baa273aa") == "fast-4conv-fer2013-d497a510"
    assert TrainConfig.from_json(json.loads(json.dumps(cfg.to_json()))) == cfg
    with pytest.raises(ValueError, match="'fast-4conv' was retired .*its runs still load"):
        TrainConfig(arch="fast-4conv").resolved()


def test_retired_options_in_an_old_config_load_and_only_a_used_one_stops_training():
    old = TrainConfig(arch="seed-4conv", epochs=18).to_json()
    off = {**old, "mixup": 0.0, "swa_epochs": 0, "swa_lr_share": 0.2, "augment": {**old["augment"], "crop": 0}}
    plain = TrainConfig.from_json(off)
    assert plain == TrainConfig.from_json(old) and not plain.retired_reason()
    assert run_id(plain, "abc") == _legacy_id(plain, "abc")  # the id the run was made with
    used = TrainConfig.from_json({**off, "mixup": 0.2, "augment": {**old["augment"], "crop": 44}})
    assert used.retired == (("mixup", 0.2), ("augment.crop", 44)) and used.augment == plain.augment
    assert "mixup = 0.2" in used.retired_reason() and "not trained further" in used.retired_reason()
    assert TrainConfig.from_json(json.loads(json.dumps(used.to_json()))) == used  # saved and read again, it still says so
    assert run_id(used, "abc") != run_id(plain, "abc")


def test_old_bool_val_tta_reads_as_a_mode():
    d = TrainConfig().to_json()
    for old, new in ((True, "flip"), (False, "none")):
        assert TrainConfig.from_json({**d, "val_tta": old}).val_tta == new
