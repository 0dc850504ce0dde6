"""Run identity stays stable as configs grow: users' cached runs stay found."""

import dataclasses
import hashlib
import json

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
    d["augment"].pop("crop")  # added since, like the head fields
    for key in ("mixup", "swa_epochs", "swa_lr_share", "equalize"):  # added since
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
    plain = TrainConfig(arch="vgg10-gap")
    assert identity(plain.resolved())["model"]["head"] == "gap"  # the preset sets it: part of its id
    other = dataclasses.replace(plain, model=dataclasses.replace(get_preset("vgg10-gap"), head_dropout=0.0))
    assert run_id(plain, "x") != run_id(other, "x")


def test_old_bool_val_tta_reads_as_a_mode():
    d = TrainConfig().to_json()
    for old, new in ((True, "flip"), (False, "none")):
        assert TrainConfig.from_json({**d, "val_tta": old}).val_tta == new
