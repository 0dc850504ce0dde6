"""What every explanation method shares: the network with its preprocessing in front (so maps
are about the face's own pixels, in [0, 1]), the forward pass cut at a layer, conv layer lookup,
and the randomised copy of the sanity check."""

import contextlib
import copy

import numpy as np
import torch
from torch import nn

from fer_core.normalize import Preprocessing


class Preprocessed(nn.Module):
    """faces in [0, 1] (B, 1, 48, 48) -> normalise as in training -> logits (B, C).
    `forward_to` stops at a conv layer's activated maps (filters need nothing after it)."""

    def __init__(self, model: nn.Module, preprocessing: Preprocessing):
        super().__init__()
        self.model, self.preprocessing = model, preprocessing

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(self.preprocessing(x))

    def forward_to(self, x: torch.Tensor, layer: str) -> torch.Tensor:
        """faces in [0, 1] (B, 1, H, W) -> conv `layer`'s activated maps (B, C, h, w)."""
        return self.forward_pre_post(x, layer)[1]

    def forward_pre_post(self, x: torch.Tensor, layer: str) -> tuple[torch.Tensor, torch.Tensor]:
        """faces in [0, 1] (B, 1, H, W) -> conv `layer`'s maps just before its activation and
        its output maps (both (B, C, h, w); the same tensor when the block has no activation)."""
        check_conv_layer(self.model, layer)
        end, before = conv_block_output(self.model, layer), pre_activation_output(self.model, layer)
        x, pre = self.preprocessing(x), None
        for stage in self.model.children():
            for m in stage.children() if isinstance(stage, nn.Sequential) else [stage]:
                x = m(x)
                if m is before:
                    pre = x
                if m is end:
                    return pre, x
        raise ValueError(f"layer {layer!r} is not on the forward path")


@contextlib.contextmanager
def eval_mode(model: nn.Module):
    """Eval mode inside (batch-norm statistics and dropout fixed), the caller's mode after."""
    was = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was)


def conv_layers(model: nn.Module) -> list[str]:
    """Names of the Conv2d layers, input to output (as in the layer table)."""
    return [name for name, m in model.named_modules() if isinstance(m, nn.Conv2d)]


def check_conv_layer(model: nn.Module, layer: str) -> str:
    if layer not in conv_layers(model):
        raise ValueError(f"no conv layer {layer!r}; the conv layers are {', '.join(conv_layers(model))}")
    return layer


def _block(model: nn.Module, name: str) -> tuple[nn.Module, list[str], str, str]:
    """Conv `name`'s block: its parent module, the parent's child names, the conv's own name and
    its number ('stage2.conv1' -> stage2, [...], 'conv1', '1')."""
    parent_name, _, leaf = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    return parent, list(parent._modules), leaf, leaf.removeprefix("conv")


def conv_block_output(model: nn.Module, name: str) -> nn.Module:
    """The module whose output is conv `name`'s feature maps after its batch norm and activation
    (`stage2.conv1` -> `stage2.act1` or `stage2.bn1`, whichever comes last): what the filters detect."""
    parent, names, leaf, j = _block(model, name)
    last = [child for child in names if child in (f"bn{j}", f"act{j}")]
    return parent.get_submodule(last[-1] if last else leaf)


def pre_activation_output(model: nn.Module, name: str) -> nn.Module:
    """The module whose output feeds conv `name`'s activation (its batch norm, or the conv when the
    norm comes after the activation); the block's output when it has no activation."""
    parent, names, _, j = _block(model, name)
    act = f"act{j}"
    if act not in names or names.index(act) == 0:
        return conv_block_output(model, name)
    return parent.get_submodule(names[names.index(act) - 1])


def to_input(face: np.ndarray) -> torch.Tensor:
    """(48, 48) uint8 -> (1, 1, 48, 48) float in [0, 1], a new tensor (the caller's face is never touched)."""
    return torch.from_numpy(np.asarray(face, np.float32) / 255.0).reshape(1, 1, *np.shape(face))


def to_pixels(x: torch.Tensor) -> np.ndarray:
    """(1, 1, 48, 48) or (48, 48) float in [0, 1] -> (48, 48) uint8."""
    return (x.detach().reshape(x.shape[-2:]) * 255).round().clamp(0, 255).to(torch.uint8).numpy()


def randomized(model: nn.Module, seed: int = 0) -> nn.Module:
    """A copy with every learnable layer re-initialised: the sanity check of Adebayo et al. (2018).
    A map that looks the same from this model says nothing about what was learned."""
    clone = copy.deepcopy(model)
    torch.manual_seed(seed)
    for m in clone.modules():
        if hasattr(m, "reset_parameters") and m is not clone:
            m.reset_parameters()
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
    return clone
