"""Architectures as data: a frozen config -> nn.Module, presets, and the layer table."""

from fer_core.models.build import build_model
from fer_core.models.config import FCConfig, ModelConfig, StageConfig
from fer_core.models.layers import LayerRow, LayerTotals, layer_table, layer_totals
from fer_core.models.presets import PRESET_SUMMARIES, PRESETS, RETIRED_PRESETS, get_preset

__all__ = [
    "PRESETS",
    "PRESET_SUMMARIES",
    "RETIRED_PRESETS",
    "FCConfig",
    "LayerRow",
    "LayerTotals",
    "ModelConfig",
    "StageConfig",
    "build_model",
    "get_preset",
    "layer_table",
    "layer_totals",
]
