"""Batched prediction shared by training's validation, evaluation and the demos."""

import torch

from fer_core.normalize import normalize


def predict_logits(
    model: torch.nn.Module,
    pixels: torch.Tensor,
    normalization: str,
    stats: tuple[float, float],
    batch: int = 512,
    tta: bool = False,
) -> torch.Tensor:
    """uint8 faces (N, 1, 48, 48) on the model's device -> float32 logits (N, 7); model mode restored.
    With `tta` (flip test-time augmentation), the mean with each mirrored face's logits."""
    out = _logits(model, pixels, normalization, stats, batch)
    if tta:
        out = (out + _logits(model, pixels.flip(-1), normalization, stats, batch)) / 2
    return out


@torch.inference_mode()
def _logits(model: torch.nn.Module, pixels: torch.Tensor, normalization: str, stats: tuple[float, float], batch: int) -> torch.Tensor:
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    out = []
    for i in range(0, len(pixels), batch):
        x = normalize(pixels[i : i + batch].to(device), normalization, stats)
        if device.type == "cuda":
            x = x.contiguous(memory_format=torch.channels_last)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                out.append(model(x).float())
        else:
            out.append(model(x.contiguous(memory_format=torch.channels_last)))
    model.train(was_training)
    return torch.cat(out) if out else torch.zeros(0, 7)
