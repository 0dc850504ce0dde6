"""The photo look, retired in issue 42 (docs/RESULTS.md, "Real faces"): as `AugmentConfig.photo` it
showed the model, with probability p per face, the look a camera and the face pipeline give a face.
Fine-tuning the shipped FER+ model with it at p = 0.5 cost 2.5 points of accuracy on real photos
(65.2% against the control's 67.7%, single pass) for no gain in macro recall, so it left the product.
Kept here to measure again (say, in a full retrain): `photo_look(x, 0.5, generator)` on a batch of
faces in [0, 1] as `augment_batch` returns them.
"""

import torch
import torch.nn.functional as F

# The photo look's ranges: the side a face had before it was resized to 48 px (a 16 px face from a
# far webcam is 3x upscaled), the blur's sigma in 48 px pixels, gamma, contrast and noise (of 1.0).
PHOTO_SIDE = (16, 48)
PHOTO_BLUR = (0.0, 1.2)
PHOTO_GAMMA = (0.6, 1.6)
PHOTO_CONTRAST = (0.6, 1.3)
PHOTO_NOISE = 0.03


def photo_look(x: torch.Tensor, p: float, g: torch.Generator | None) -> torch.Tensor:
    """(B, 1, H, W) faces in [0, 1]; each, with probability p, made to look like a face a camera
    saw and the pipeline resized: lower resolution upscaled, blur, gamma, contrast, noise."""
    b, _, h, w = x.shape
    dev = x.device

    def u(lo, hi, shape=(b,)):
        return torch.rand(shape, generator=g, device=dev) * (hi - lo) + lo

    hit = torch.rand(b, generator=g, device=dev) < p  # (B,)
    side = u(*PHOTO_SIDE)  # (B,) the face's side before resizing
    out = x
    # Lost resolution, in four buckets of side: interpolate takes one size per call.
    for lo, hi in ((16, 24), (24, 32), (32, 40)):
        pick = hit & (side >= lo) & (side < hi)
        if pick.any():
            s = (lo + hi) // 2
            small = F.interpolate(out[pick], size=(s, s), mode="area")
            out = out.clone() if out is x else out
            out[pick] = F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False).clamp(0, 1)
    # Blur: one Gaussian kernel per face, as a grouped convolution over the batch.
    sigma = torch.where(hit, u(*PHOTO_BLUR), torch.zeros(b, device=dev)).clamp(min=1e-3)  # (B,)
    r = torch.arange(-2, 3, device=dev, dtype=x.dtype)
    k1 = torch.exp(-(r[None] ** 2) / (2 * sigma[:, None] ** 2))
    k1 = k1 / k1.sum(1, keepdim=True)  # (B, 5)
    kernel = (k1[:, :, None] * k1[:, None, :]).unsqueeze(1)  # (B, 1, 5, 5)
    out = F.conv2d(F.pad(out.reshape(1, b, h, w), (2, 2, 2, 2), mode="replicate"), kernel.to(out.dtype), groups=b).view(b, 1, h, w)
    # Exposure: gamma, then contrast about the face's mean, then sensor noise.
    one = torch.ones(b, device=dev)
    gamma = torch.where(hit, torch.exp(u(*(torch.tensor(PHOTO_GAMMA).log().tolist()))), one).view(b, 1, 1, 1)
    contrast = torch.where(hit, u(*PHOTO_CONTRAST), one).view(b, 1, 1, 1)
    out = out.clamp(0, 1) ** gamma
    mean = out.mean((2, 3), keepdim=True)
    noise = torch.randn(out.shape, generator=g, device=dev) * (u(0, PHOTO_NOISE) * hit).view(b, 1, 1, 1)
    return ((out - mean) * contrast + mean + noise).clamp(0, 1)
