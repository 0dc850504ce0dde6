import pytest
import torch

from fer_core.models import PRESETS, FCConfig, ModelConfig, StageConfig, build_model, layer_table
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


@pytest.mark.parametrize("name", ["vgg10-gap", "vgg8-gap"])
def test_the_stronger_presets_are_small_and_pool_globally(name):
    """Issue 14's size: 1-2 M parameters, on the order of 100 M multiply-adds, no wide FC layer."""
    rows = layer_table(PRESETS[name])
    totals = layer_totals(rows)
    assert 1e6 <= totals.params <= 2e6 and 80e6 <= totals.macs <= 150e6
    assert [r.out_shape for r in rows if r.type == "Linear"] == [(7,)]  # the only FC: 256 -> 7


def test_the_lite_preset_is_vgg8_gap_narrowed():
    """Part 1's candidate keeps vgg8-gap's layers and shapes, with fewer filters: under half the
    multiply-adds, within 1.5x seed-4conv's (the default it is to match in wall clock)."""
    lite, full, seed = (layer_table(PRESETS[n]) for n in ("vgg8-gap-lite", "vgg8-gap", "seed-4conv"))
    assert _layout(lite) == _layout(full)
    assert all(a.out_shape[0] < b.out_shape[0] for a, b in zip(lite, full, strict=True) if a.type == "Conv2d")
    macs = layer_totals(lite).macs
    assert macs < 0.5 * layer_totals(full).macs and macs < 1.5 * layer_totals(seed).macs


@pytest.mark.parametrize("full_name", ["vgg8-gap", "vgg10-gap"])
def test_the_fast_presets_halve_their_twin_only_where_the_maps_are_big(full_name):
    """vgg8-gap-fast and vgg10-gap-fast: their twin's layers and shapes, half the filters at 48
    and 24 px, the same filters at 12 and 6 px (where the face's parts are told apart), so under
    4/5 of its work."""
    fast, full = (layer_table(PRESETS[n]) for n in (f"{full_name}-fast", full_name))
    assert _layout(fast) == _layout(full)
    for a, b in zip(fast, full, strict=True):
        if a.type == "Conv2d":
            big_map = a.name.startswith(("stage1.", "stage2."))
            assert a.out_shape[0] == (b.out_shape[0] // 2 if big_map else b.out_shape[0]), a.name
    assert layer_totals(fast).macs < 0.8 * layer_totals(full).macs


def test_the_grid_preset_is_vgg8_gap_with_a_layout_keeping_head():
    """vgg8-grid has vgg8-gap's convs (same names, shapes, multiply-adds to within the head) but
    averages the last 6x6 maps to 3x3 and flattens them: the output layer sees 256 x 3 x 3."""
    grid, gap = layer_table(PRESETS["vgg8-grid"]), layer_table(PRESETS["vgg8-gap"])
    convs = [[(r.name, r.out_shape) for r in t if r.type == "Conv2d"] for t in (grid, gap)]
    assert convs[0] == convs[1]
    head = build_model(PRESETS["vgg8-grid"]).head
    assert head.in_features == 256 * 3 * 3 and head.out_features == 7
    assert abs(layer_totals(grid).macs - layer_totals(gap).macs) < 0.01 * layer_totals(gap).macs


def test_pooling_first_is_the_same_network_when_batch_norm_scales_up():
    """fast-4conv pools before batch norm and activation. Max-pooling commutes with a monotone
    activation and with eval-mode batch norm of positive scale, so with seed-4conv's weights
    (the same names and shapes) it computes the same logits; with negative scales it does not."""
    torch.manual_seed(0)
    seed, fast = build_model(PRESETS["seed-4conv"]).eval(), build_model(PRESETS["fast-4conv"]).eval()
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
