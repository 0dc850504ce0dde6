"""Study factors: parsing with clear messages, and each value's change to the base config."""

import pytest

from fer_core.augment import AugmentConfig
from fer_core.study.factors import FACTORS, check_factors, parse_vary
from fer_core.train import TrainConfig


def test_values_change_only_their_setting():
    base = TrainConfig(data="demo", arch="small")
    v = parse_vary("normalization=none,per_image,dataset")
    assert [v.apply(base, x).normalization for x in v.values] == ["none", "per_image", "dataset"]
    aug = parse_vary("augment=off,on,flip")
    off, on, flip = (aug.apply(base, x) for x in aug.values)
    assert off.augment == AugmentConfig.off() and on.augment == base.augment
    assert flip.augment == AugmentConfig.all_on().only("flip") and flip.augment.flip and not flip.augment.shift
    assert parse_vary("ema=0,0.998").apply(base, "0").ema == 0.0
    assert parse_vary("arch=small,seed-4conv").apply(base, "seed-4conv").resolved().model.name == "seed-4conv"
    assert parse_vary("epochs=5,10").apply(base, "10").epochs == 10
    for name in ("lr", "data", "seed"):
        assert name not in FACTORS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour=red,blue", "unknown setting 'colour'"),
        ("normalization=none", "needs 2 to 4 values, got 1"),
        ("augment=off,sideways", "unknown value 'sideways' for augment"),
        ("label_smoothing=0,2", "bad value '2' for label_smoothing"),
        ("epochs=5,five", "bad value 'five' for epochs"),
        ("augment", "write NAME=VALUE1,VALUE2"),
        ("augment=on,on", "repeated"),
    ],
)
def test_bad_input_is_named(text, message):
    with pytest.raises(ValueError, match=message):
        parse_vary(text)


def test_one_or_two_factors():
    a, b, c = parse_vary("augment=off,on"), parse_vary("ema=0,0.998"), parse_vary("epochs=5,10")
    assert check_factors([a, b]) == [a, b]
    with pytest.raises(ValueError, match="1 or 2 settings, got 3"):
        check_factors([a, b, c])
    with pytest.raises(ValueError, match="varied twice"):
        check_factors([a, parse_vary("augment=off,flip")])
