"""The layer table: every layer's output shape, the conv output-size formula with its
numbers filled in, parameters and multiply-adds, derived by shape arithmetic from the
modules themselves (tests check it against shapes recorded by forward hooks)."""

from dataclasses import dataclass

import torch
import torch.nn as nn

from fer_core.models.build import build_model
from fer_core.models.config import ModelConfig


@dataclass(frozen=True)
class LayerRow:
    name: str  # as in model.named_modules(): "stage1.conv1"
    type: str
    out_shape: tuple[int, ...]  # without the batch dimension: (C, H, W) or (F,)
    kernel: int | None = None
    stride: int | None = None
    padding: int | None = None
    formula: str = ""  # "floor((48 + 2*2 - 5) / 1) + 1 = 48"
    params: int = 0
    macs: int = 0  # multiply-adds for one image


def _pair(v) -> int:
    return v[0] if isinstance(v, tuple) else v


def out_size(w: int, k: int, s: int, p: int) -> int:
    """floor((W + 2p - k) / s) + 1, the conv / pool output size."""
    return (w + 2 * p - k) // s + 1


def _formula(w: int, k: int, s: int, p: int) -> str:
    return f"floor(({w} + 2*{p} - {k}) / {s}) + 1 = {out_size(w, k, s, p)}"


def layer_table(cfg_or_model: ModelConfig | nn.Module, input_shape: tuple[int, int, int] = (1, 48, 48)) -> list[LayerRow]:
    """One row per leaf layer in forward order (the model is a plain Sequential tree)."""
    model = build_model(cfg_or_model) if isinstance(cfg_or_model, ModelConfig) else cfg_or_model
    shape = tuple(input_shape)
    rows = []
    for name, m in model.named_modules():
        if list(m.children()):
            continue
        params = sum(p.numel() for p in m.parameters())
        row = dict(name=name, type=type(m).__name__, params=params)
        if isinstance(m, nn.Conv2d):
            k, s, p = _pair(m.kernel_size), _pair(m.stride), _pair(m.padding)
            c, h, w = shape
            shape = (m.out_channels, out_size(h, k, s, p), out_size(w, k, s, p))
            row |= dict(kernel=k, stride=s, padding=p, formula=_formula(w, k, s, p))
            row["macs"] = m.out_channels * shape[1] * shape[2] * (c // m.groups) * k * k
        elif isinstance(m, nn.MaxPool2d | nn.AvgPool2d):
            k, s, p = _pair(m.kernel_size), _pair(m.stride or m.kernel_size), _pair(m.padding)
            c, h, w = shape
            shape = (c, out_size(h, k, s, p), out_size(w, k, s, p))
            row |= dict(kernel=k, stride=s, padding=p, formula=_formula(w, k, s, p))
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            shape = (shape[0], 1, 1)
            row["formula"] = f"mean over {shape[0]} maps of {rows[-1].out_shape[1]}x{rows[-1].out_shape[2]}" if rows else ""
        elif isinstance(m, nn.Flatten):
            n = 1
            for d in shape:
                n *= d
            shape = (n,)
        elif isinstance(m, nn.Linear):
            shape = (m.out_features,)
            row["macs"] = m.in_features * m.out_features
        rows.append(LayerRow(out_shape=shape, **row))
    return rows


@dataclass(frozen=True)
class LayerTotals:
    params: int
    macs: int  # multiply-adds for one face


def layer_totals(rows: list[LayerRow]) -> LayerTotals:
    """Parameters and multiply-adds of a whole model, from its layer table."""
    return LayerTotals(sum(r.params for r in rows), sum(r.macs for r in rows))


def conv_output_check(w: int, k: int, s: int, p: int, c_in: int = 1, c_out: int = 1) -> dict:
    """The formula's output shape next to the one a real nn.Conv2d produces on a W x W input."""
    if k > w + 2 * p:
        return {"error": f"kernel {k} is larger than the padded input {w} + 2*{p} = {w + 2 * p}"}
    conv = nn.Conv2d(c_in, c_out, k, stride=s, padding=p)
    with torch.no_grad():
        got = tuple(conv(torch.zeros(1, c_in, w, w)).shape[1:])
    size = out_size(w, k, s, p)
    return {
        "error": "",
        "formula": _formula(w, k, s, p),
        "formula_shape": (c_out, size, size),
        "conv2d_shape": got,
        "params": sum(q.numel() for q in conv.parameters()),
    }
