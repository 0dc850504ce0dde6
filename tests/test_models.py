from dataclasses import replace

import pytest
import torch

from fer_core.models import PRESETS, RETIRED_PRESETS, FCConfig, ModelConfig, StageConfig, build_model, get_preset, layer_table
from fer_core.models.layers import layer_totals, out_size


def _hook_shapes(model: torch.nn.Module) -> dict[str, tuple]:
    shapes, handles = {}, []
    for name, m in model.named_modules():
        if not list(m.children()):
            handles.append(m.register_forward_hook(lambda mod, i, o, name=name: shapes.__setitem__(name, tuple(o.shape[1:]))))
    model.eval()
    with torch.no_grad():
        model(torch.zeros(2, 1, 48, 48))
    for h in handles:
        h.remove()
    return shapes


def _layout(rows) -> list[tuple]:
    """Each layer's name, type and map size: what a narrowed twin of a preset keeps."""
    return [(r.name, r.type, r.out_shape[1:]) for r in rows]


@pytest.mark.parametrize("name", PRESETS)
def test_layer_table_matches_forward_hooks_and_parameter_count(name):
    model = build_model(PRESETS[name])
    rows = layer_table(model)
    assert {r.name: r.out_shape for r in rows} == _hook_shapes(model)
    assert sum(r.params for r in rows) == sum(p.numel() for p in model.parameters())
    assert rows[-1].out_shape == (7,)


def test_presets_have_the_reported_dimensions():
    flat = {n: next(r.out_shape for r in layer_table(c) if r.type == "Flatten") for n, c in PRESETS.items()}
    assert flat["seed-4conv"] == (1152,) and flat["seed-vgg3"] == (18432,)
    rows = {r.name: r for r in layer_table(PRESETS["seed-4conv"])}
    assert rows["stage1.conv1"].kernel == 5 and rows["stage1.conv1"].formula == "floor((48 + 2*2 - 5) / 1) + 1 = 48"
    assert rows["stage4.pool"].out_shape == (128, 3, 3)
    assert isinstance(build_model(PRESETS["seed-4conv"]).stage1.act1, torch.nn.LeakyReLU)
    vgg3 = [r.type for r in layer_table(PRESETS["seed-vgg3"]) if r.name.startswith("fc1")]
    assert vgg3 == ["Linear", "ReLU", "BatchNorm1d"]  # FC 18432->512, ReLU, batch norm


def test_the_recipes_networks_are_small_and_pool_globally():
    """The shipped network: 1-2 M parameters, on the order of 100 M multiply-adds, no wide FC
    layer; the quick recipe's has its layout at under half the multiply-adds, within 1.5x
    seed-4conv's (the default it replaced in the same wall clock)."""
    shipped, lite, seed = (layer_table(PRESETS[n]) for n in ("vgg10-gap-fast", "vgg8-gap-lite", "seed-4conv"))
    totals = layer_totals(shipped)
    assert 1e6 <= totals.params <= 2e6 and 80e6 <= totals.macs <= 150e6
    for rows in (shipped, lite):
        assert [r.out_shape for r in rows if r.type == "Linear"] == [(7,)]  # the only FC: 256 (192) -> 7
    assert layer_totals(lite).macs < 0.5 * totals.macs and layer_totals(lite).macs < 1.5 * layer_totals(seed).macs


def test_retired_presets_are_gone_from_the_product_with_a_reason():
    assert not set(PRESETS) & set(RETIRED_PRESETS)
    with pytest.raises(ValueError, match="'vgg8-grid' was retired"):
        get_preset("vgg8-grid")


def test_pooling_first_is_the_same_network_when_batch_norm_scales_up():
    """pool_first (the retired fast-4conv's layout) pools before batch norm and activation. Max-pooling commutes with a monotone
    activation and with eval-mode batch norm of positive scale, so with seed-4conv's weights
    (the same names and shapes) it computes the same logits; with negative scales it does not."""
    torch.manual_seed(0)
    first = replace(PRESETS["seed-4conv"], stages=tuple(replace(s, pool_first=True) for s in PRESETS["seed-4conv"].stages))
    seed, fast = build_model(PRESETS["seed-4conv"]).eval(), build_model(first).eval()
    assert [n for n, _ in fast.stage1.named_children()] == ["conv1", "pool", "bn1", "act1"]
    with torch.no_grad():
        for m in seed.modules():
            if isinstance(m, torch.nn.BatchNorm2d):  # statistics and scales as after training, scales > 0
                m.running_mean.normal_(0, 0.5), m.running_var.uniform_(0.5, 2), m.weight.uniform_(0.5, 2), m.bias.normal_(0, 0.5)
    fast.load_state_dict(seed.state_dict())  # strict: the same parameters, nothing added
    x = torch.rand(4, 1, 48, 48)
    with torch.no_grad():
        assert torch.allclose(fast(x), seed(x), atol=1e-5)
        for net in (seed, fast):
            net.stage2.bn1.weight.neg_()  # max-pooling now picks what batch norm makes the smallest
        assert not torch.allclose(fast(x), seed(x), atol=1e-3)
    assert layer_table(fast)[0].out_shape == (32, 48, 48) and layer_table(fast)[1].out_shape == (32, 24, 24)


def test_pool_first_needs_a_pool():
    with pytest.raises(ValueError, match="pool_first needs a pool"):
        ModelConfig("x", stages=(StageConfig(8, pool="none", pool_first=True),))


@pytest.mark.parametrize(("w", "k", "s", "p"), [(48, 5, 1, 2), (48, 3, 2, 1), (7, 3, 1, 0), (24, 2, 2, 0)])
def test_output_size_formula_agrees_with_conv2d(w, k, s, p):
    y = torch.nn.Conv2d(1, 1, k, stride=s, padding=p)(torch.zeros(1, 1, w, w))
    assert y.shape[-1] == out_size(w, k, s, p)


def test_custom_config_round_trips_through_json():
    cfg = ModelConfig("mine", stages=(StageConfig(8, kernel=5, convs=2, activation="elu", pool="avg", dropout=0.2),), fc=(FCConfig(16),))
    assert ModelConfig.from_json(cfg.to_json()) == cfg
    assert build_model(cfg)(torch.zeros(1, 1, 48, 48)).shape == (1, 7)


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match="bad stage"):
        ModelConfig("x", stages=(StageConfig(8, kernel=4),))
