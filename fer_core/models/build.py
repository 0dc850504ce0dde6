"""ModelConfig -> nn.Sequential with stable, readable layer names (`stage1.conv1`, `fc1`, `head`)."""

from collections import OrderedDict

import torch.nn as nn

from fer_core.models.config import ModelConfig


def activation(name: str, slope: float) -> nn.Module:
    return {"relu": nn.ReLU, "elu": nn.ELU, "gelu": nn.GELU}.get(name, lambda: nn.LeakyReLU(slope))()


def _pool(kind: str) -> nn.Module:
    return nn.MaxPool2d(2) if kind == "max" else nn.AvgPool2d(2)


def build_model(cfg: ModelConfig) -> nn.Sequential:
    """The network for `cfg`: input (B, 1, 48, 48) -> logits (B, num_classes)."""
    blocks: OrderedDict[str, nn.Module] = OrderedDict()
    ch, size = cfg.in_channels, cfg.image_size
    for i, s in enumerate(cfg.stages, 1):
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        for j in range(1, s.convs + 1):
            # a bias is redundant right before batch norm (BN's shift replaces it)
            bias = not (s.batch_norm and not s.bn_after_activation)
            layers[f"conv{j}"] = nn.Conv2d(ch, s.channels, s.kernel, padding=s.kernel // 2, bias=bias)
            act, bn = activation(s.activation, s.negative_slope), nn.BatchNorm2d(s.channels)
            if s.pool_first and j == s.convs:  # (B, C, S, S) -> (B, C, S/2, S/2) before BN and activation
                layers["pool"] = _pool(s.pool)
            if s.batch_norm and not s.bn_after_activation:
                layers[f"bn{j}"] = bn
            layers[f"act{j}"] = act
            if s.batch_norm and s.bn_after_activation:
                layers[f"bn{j}"] = bn
            ch = s.channels
        if s.pool != "none":
            if not s.pool_first:
                layers["pool"] = _pool(s.pool)
            size //= 2
        if s.dropout:
            layers["drop"] = nn.Dropout(s.dropout)
        blocks[f"stage{i}"] = nn.Sequential(layers)
    if cfg.head == "gap":
        blocks["gap"] = nn.AdaptiveAvgPool2d(1)  # (B, C, H, W) -> (B, C, 1, 1)
        size = 1
    blocks["flatten"] = nn.Flatten()
    width = ch * size * size
    for i, f in enumerate(cfg.fc, 1):
        layers = OrderedDict(linear=nn.Linear(width, f.width, bias=not (f.batch_norm and not f.bn_after_activation)))
        if f.batch_norm and not f.bn_after_activation:
            layers["bn"] = nn.BatchNorm1d(f.width)
        layers["act"] = activation(f.activation, f.negative_slope)
        if f.batch_norm and f.bn_after_activation:
            layers["bn"] = nn.BatchNorm1d(f.width)
        if f.dropout:
            layers["drop"] = nn.Dropout(f.dropout)
        blocks[f"fc{i}"] = nn.Sequential(layers)
        width = f.width
    if cfg.head_dropout:
        blocks["drop"] = nn.Dropout(cfg.head_dropout)
    blocks["head"] = nn.Linear(width, cfg.num_classes)
    return nn.Sequential(blocks)
