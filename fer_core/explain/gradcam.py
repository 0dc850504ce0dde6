"""Grad-CAM (Selvaraju et al., 2017), Captum LayerGradCam on a chosen conv layer's activated
output (after its batch norm and activation, as in the paper), upsampled to 48x48."""

import torch
from captum.attr import LayerAttribution, LayerGradCam

from fer_core.explain.base import check_conv_layer, conv_block_output, conv_layers


def gradcam(net, x: torch.Tensor, target: int, layer: str | None = None) -> torch.Tensor:
    name = check_conv_layer(net.model, layer or conv_layers(net.model)[-1])  # the last by default: the most semantic, still spatial
    cam = LayerGradCam(net, conv_block_output(net.model, name)).attribute(x, target=target, relu_attributions=True)
    return LayerAttribution.interpolate(cam, x.shape[-2:], interpolate_mode="bilinear").detach()[0, 0]
