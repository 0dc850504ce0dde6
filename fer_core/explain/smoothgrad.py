"""SmoothGrad (Smilkov et al., 2017): vanilla saliency averaged over noisy copies (Captum NoiseTunnel)."""

import torch
from captum.attr import NoiseTunnel, Saliency

SAMPLES = 24
NOISE = 0.1  # std of the added noise, in pixel units of [0, 1] (~15% of the range, as the paper suggests)


def smoothgrad(net, x: torch.Tensor, target: int, layer=None) -> torch.Tensor:
    torch.manual_seed(0)  # the same map for the same face
    nt = NoiseTunnel(Saliency(net))
    attr = nt.attribute(x, nt_type="smoothgrad", nt_samples=SAMPLES, nt_samples_batch_size=SAMPLES, stdevs=NOISE, target=target, abs=True)
    return attr.detach()[0, 0]
