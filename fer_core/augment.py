"""Batch augmentation on the training device, in pure torch: no per-image Python.

All geometric transforms (shift, flip, rotation, scale) are one affine grid and one
`grid_sample` for the whole batch; random erasing is a vectorised box mask.
"""

import math
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F

from fer_core.options import option


@dataclass(frozen=True)
class AugmentConfig:
    """Each transform can be switched off (0 or False)."""

    # Mild by default: in the ~18 epochs a 2-core CPU affords in 10 minutes, shift 3 / rotation 5 /
    # scale 0.05 beat shift 4 / rotation 10 / scale 0.1 by 1.2 points on PublicTest (docs/history/BENCHMARKS.md).
    shift: float = option(3.0, help="max translation in pixels", label="Shift (px)", low=0.0, high=12.0, step=1.0)
    flip: bool = option(True, help="horizontal flip with p = 0.5", label="Flip")
    rotate_deg: float = option(5.0, help="max rotation in degrees", label="Rotate (deg)", low=0.0, high=45.0, step=1.0, cli="rotate")
    scale: float = option(
        0.05, help="max zoom in or out, a share: zoom in [1 - scale, 1 + scale]", label="Scale", low=0.0, high=0.5, step=0.05
    )
    # Random erasing is off by default: in the ~18 epochs a 2-core CPU affords, the model underfits and
    # erasing cost 0.8 points of PublicTest accuracy on FER2013 (docs/history/BENCHMARKS.md). Longer runs gain from it.
    erase_p: float = option(
        0.0, help="probability of one randomly erased box per face", label="Erase (p)", low=0.0, high=1.0, step=0.1, cli="erase"
    )
    erase_area: tuple[float, float] = (0.02, 0.15)  # box area as a share of the image
    # `photo` (a camera's look: resolution lost, blur, gamma, contrast, noise) was measured and
    # retired in issue 42: -2.5 points on real photos (docs/RESULTS.md; bench/retired_photo_look.py).

    @classmethod
    def off(cls) -> "AugmentConfig":
        return cls(shift=0.0, flip=False, rotate_deg=0.0, scale=0.0, erase_p=0.0)

    @classmethod
    def all_on(cls) -> "AugmentConfig":
        """Every transform at the strength a switched-on box uses (Data page preview, a study's `on`)."""
        return cls(erase_p=ERASE_P_WHEN_ON)

    def only(self, name: str) -> "AugmentConfig":
        """This config with every transform but field `name` switched off (for previews)."""
        return replace(AugmentConfig.off(), **{name: getattr(self, name)})

    @property
    def geometric(self) -> bool:
        return bool(self.shift or self.flip or self.rotate_deg or self.scale)


# Each transform's short name (`fer train --no NAME`, a study's `augment=NAME`) -> its field.
TRANSFORMS = {"shift": "shift", "flip": "flip", "rotate": "rotate_deg", "scale": "scale", "erase": "erase_p"}
ERASE_P_WHEN_ON = 0.5  # random erasing's probability when it is switched on without a value


def _affine(b: int, h: int, cfg: AugmentConfig, g: torch.Generator | None, device) -> torch.Tensor:
    """(B, 2, 3) output->input sampling matrices in normalised coordinates."""

    def u(lo, hi):  # (B,) uniform
        return torch.rand(b, generator=g, device=device) * (hi - lo) + lo

    angle = u(-cfg.rotate_deg, cfg.rotate_deg) * (math.pi / 180)
    zoom = u(1 - cfg.scale, 1 + cfg.scale)
    sign = torch.where(torch.rand(b, generator=g, device=device) < 0.5, -1.0, 1.0) if cfg.flip else torch.ones(b, device=device)
    tx, ty = (u(-cfg.shift, cfg.shift) * 2 / h for _ in range(2))  # pixels -> [-1, 1] units
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    return torch.stack([torch.stack([cos * sign, -sin, tx], 1), torch.stack([sin * sign, cos, ty], 1)], 1)


def _sampling_grid(theta: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """F.affine_grid(theta, (B, C, h, w), align_corners=False) as one small matrix product:
    (B, h, w, 2). The same grid to float rounding, about 9x faster on a CPU (affine_grid's
    generic kernel cost 1.2 ms of a 64-face batch, a tenth of the pipeline's overhead)."""
    xs = (torch.arange(w, device=theta.device, dtype=theta.dtype) * 2 + 1) / w - 1  # pixel centres in [-1, 1]
    ys = (torch.arange(h, device=theta.device, dtype=theta.dtype) * 2 + 1) / h - 1
    base = torch.stack([xs.expand(h, w), ys[:, None].expand(h, w), torch.ones_like(xs).expand(h, w)], -1).view(h * w, 3)
    b = theta.shape[0]
    return (base @ theta.reshape(b * 2, 3).T).view(h, w, b, 2).permute(2, 0, 1, 3).contiguous()


def _erase(x: torch.Tensor, cfg: AugmentConfig, g: torch.Generator | None) -> torch.Tensor:
    b, _, h, w = x.shape
    dev = x.device
    area = (torch.rand(b, generator=g, device=dev) * (cfg.erase_area[1] - cfg.erase_area[0]) + cfg.erase_area[0]) * h * w
    aspect = torch.exp((torch.rand(b, generator=g, device=dev) - 0.5) * math.log(3.0) * 2)  # 1/3 .. 3
    bh = (area * aspect).sqrt().clamp(1, h)
    bw = (area / aspect).sqrt().clamp(1, w)
    top = torch.rand(b, generator=g, device=dev) * (h - bh)
    left = torch.rand(b, generator=g, device=dev) * (w - bw)
    rows = torch.arange(h, device=dev).view(1, h, 1)
    cols = torch.arange(w, device=dev).view(1, 1, w)
    box = (rows >= top.view(b, 1, 1)) & (rows < (top + bh).view(b, 1, 1))
    box = box & (cols >= left.view(b, 1, 1)) & (cols < (left + bw).view(b, 1, 1))  # (B, H, W)
    box = box & (torch.rand(b, 1, 1, generator=g, device=dev) < cfg.erase_p)
    fill = torch.rand(b, 1, 1, 1, generator=g, device=dev) * (x.amax() - x.amin()) + x.amin()  # random grey
    return torch.where(box.unsqueeze(1), fill, x)


def augment_batch(x: torch.Tensor, cfg: AugmentConfig, generator: torch.Generator | None = None) -> torch.Tensor:
    """Randomly transformed copy of float faces (B, 1, H, W) -> (B, 1, H, W); `x` is not modified."""
    if x.ndim != 4:
        raise ValueError(f"expected (B, C, H, W), got {tuple(x.shape)}")
    out = x
    if cfg.geometric:
        theta = _affine(x.shape[0], x.shape[-1], cfg, generator, x.device).to(x.dtype)
        grid = _sampling_grid(theta, x.shape[-2], x.shape[-1])
        # reflection keeps the face's own border texture instead of black wedges
        out = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    if cfg.erase_p > 0:
        out = _erase(out, cfg, generator)
    return out if out is not x else x.clone()
