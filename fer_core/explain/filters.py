"""What the filters respond to: gradient-ascent images for every filter of a conv layer
(optimised together as one batch), the data-set faces that excite each filter most, feature
maps for one face, and the first layer's kernels."""

import contextlib
import inspect
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from fer_core.atomic import atomic_path
from fer_core.explain.base import Preprocessed, check_conv_layer, conv_layers, eval_mode, to_input
from fer_core.inference import inference_copy
from fer_core.precision import use_bf16


@dataclass(frozen=True)
class AscentResult:
    layer: str
    images: np.ndarray  # (C, 48, 48) uint8
    start: np.ndarray  # (C,) mean activation of each filter on its starting image
    reached: np.ndarray  # (C,) on its final image
    steps: np.ndarray  # (C,) int64: the gradient steps its image took

    @property
    def rise(self) -> np.ndarray:
        """(C,) reached / |start|, the start floored at 1e-6 (a silent ReLU filter starts at exactly 0)."""
        return self.reached / np.maximum(np.abs(self.start), 1e-6)


def _spectrum_scale(size: int, decay: float) -> torch.Tensor:
    """(size, size // 2 + 1) weights 1 / f^decay: the image is drawn in a frequency basis where
    gradient steps favour coarse structure, a frequency penalty that keeps 48x48 maps from noise."""
    fy, fx = torch.fft.fftfreq(size)[:, None], torch.fft.rfftfreq(size)[None, :]
    scale = 1.0 / torch.clamp((fy**2 + fx**2).sqrt(), min=1.0 / size) ** decay
    return scale / scale.max()


def gradient_ascent(
    net: Preprocessed,
    layer: str,
    steps: int = 12,
    lr: float = 0.005,
    jitter: int = 1,
    decay: float = 1.0,
    l2: float = 1e-4,
    seed: int = 0,
    precision: str = "auto",
    extra_steps: int = 116,
    until_rise: float = 10.0,
    starts: int = 8,
    progress=None,
) -> AscentResult:
    """One image per filter of `layer`, all optimised in one batch: maximise the filter's mean
    activation. Regularisers for one-channel 48x48 inputs: the image lives in a 1/f-weighted
    Fourier basis (a frequency penalty), jitter (random shifts) and L2 decay on the spectrum.
    The start is a nearly blank face: grey with faint, smooth (1/f^2) shading, because per-image
    normalisation stretches any faint noise to full contrast, and white or pink noise at full
    contrast already excites many filters. Each filter starts from the least exciting of `starts`
    such draws: a filter that a start already excites strongly has little left to climb (its
    image would be the start's, barely changed).
    Cost is filters x steps x the network up to `layer`, so for wide, deep layers:
    - the steps run on a batch-norm-folded copy (the same function, one layer less), in bf16
      where `precision` allows (`fer_core.precision`); `start` and `reached` are measured on the
      model itself in fp32;
    - a filter silent on its image (the input of its ReLU <= 0 everywhere: no gradient) climbs
      that input instead, until it fires;
    - after `steps`, only the filters that have not yet reached `until_rise` times their start
      go on, alone (Adam is per element, so each image is what it would be on its own), for up
      to `extra_steps` more: the cost follows the hard filters, not the whole layer."""
    check_conv_layer(net.model, layer)
    model = net.model
    gen = torch.Generator().manual_seed(seed)
    grads = [p.requires_grad for p in model.parameters()]
    size = 48
    bf16 = use_bf16(precision, next(model.parameters()).device)
    total = steps + extra_steps
    try:
        for p in model.parameters():  # gradients for the image only: the weights' would cost a third more
            p.requires_grad_(False)
        with eval_mode(model):
            fast = Preprocessed(inference_copy(model), net.preprocessing)  # frozen like the model: copied after
            with torch.no_grad():
                channels = net.forward_to(torch.zeros(1, 1, size, size), layer).shape[1]
            weight = _spectrum_scale(size, decay)  # (48, 25)
            smooth = _spectrum_scale(size, 1.0)[..., None]  # (48, 25, 1): the start's extra 1/f
            # (starts x C, 1, 48, 25, 2): draw d of filter c at row d * C + c, until each filter keeps one
            spectrum = (torch.randn(starts, channels, 1, size, size // 2 + 1, 2, generator=gen) * 0.01 * smooth).flatten(0, 1)

            def render(rows=slice(None)) -> torch.Tensor:  # (C', 1, 48, 48) in [0, 1]
                img = torch.fft.irfft2(torch.view_as_complex(spectrum[rows]) * weight, s=(size, size), norm="ortho")
                return torch.sigmoid(img * (size / 4))

            def activation(img, filters, through=net, amp=False) -> torch.Tensor:
                """(C', 1, 48, 48) -> (C',): the mean of filter filters[i]'s map on image i."""
                with torch.autocast(img.device.type, dtype=torch.bfloat16, enabled=amp):
                    maps = through.forward_to(img.contiguous(memory_format=torch.channels_last), layer)
                return maps[torch.arange(len(filters)), filters].float().mean(dim=(-2, -1))

            def objective(img, filters) -> torch.Tensor:
                """(C', 1, 48, 48) -> (C',) to maximise: the mean map, or for a silent filter the mean
                before its activation (which has a gradient)."""
                with torch.autocast(img.device.type, dtype=torch.bfloat16, enabled=bf16):
                    pre, post = fast.forward_pre_post(img.contiguous(memory_format=torch.channels_last), layer)
                rows = torch.arange(len(filters))
                pre, post = pre[rows, filters].float(), post[rows, filters].float()  # (C', h, w) each
                silent = pre.detach().amax(dim=(-2, -1)) <= 0  # the activation's input nowhere > 0: a ReLU passes no gradient
                return torch.where(silent, pre.mean(dim=(-2, -1)), post.mean(dim=(-2, -1)))

            everyone = torch.arange(channels)
            with torch.no_grad():
                drawn = activation(render(), everyone.repeat(starts)).view(starts, channels)
                pick = drawn.abs().argmin(dim=0)  # (C,): each filter's least exciting draw
                spectrum = spectrum[pick * channels + everyone].requires_grad_(True)  # (C, 1, 48, 25, 2)
                start = drawn[pick, everyone]
            opt = torch.optim.Adam([spectrum], lr=lr)
            active = everyone  # the filters still optimised
            taken = torch.zeros(channels, dtype=torch.int64)
            for step in range(total):
                if step >= steps and step % 8 == steps % 8:  # every 8 extra steps: who is done (fp32, unjittered)
                    with torch.no_grad():
                        rise = activation(render(active), active) / start[active].abs().clamp_min(1e-6)
                    active = active[rise < until_rise]
                    if len(active) == 0:
                        break
                    finished = torch.ones(channels, dtype=torch.bool)
                    finished[active] = False
                dx, dy = torch.randint(-jitter, jitter + 1, (2,), generator=gen).tolist()
                img = torch.roll(render(active), (dy, dx), (-2, -1))
                loss = -objective(img, active).sum() + l2 * (spectrum[active] ** 2).sum()
                opt.zero_grad()
                loss.backward()
                kept = spectrum.detach()[finished] if len(active) < channels else None  # a copy (mask indexing)
                opt.step()
                if kept is not None:  # Adam would still move the finished images by momentum
                    with torch.no_grad():
                        spectrum[finished] = kept
                taken[active] += 1
                if progress:
                    progress((step + 1) / total)
            with torch.no_grad():
                final = render()
                reached = activation(final, everyone)
            if progress:
                progress(1.0)
    finally:
        for p, g in zip(model.parameters(), grads, strict=True):
            p.requires_grad_(g)
    images = (final[:, 0] * 255).round().clamp(0, 255).to(torch.uint8).numpy()
    return AscentResult(layer, images, start.numpy(), reached.numpy(), taken.numpy())


def ascent_options(**options) -> dict:
    """Every option of `gradient_ascent` as it will run (its defaults, `options` over them): with
    the weights' digest, the key of a cached result, so a changed default misses old images."""
    defaults = {
        name: p.default
        for name, p in inspect.signature(gradient_ascent).parameters.items()
        if p.default is not inspect.Parameter.empty and name != "progress"
    }
    if unknown := set(options) - set(defaults):
        raise TypeError(f"gradient_ascent has no option {', '.join(sorted(unknown))}; options: {', '.join(defaults)}")
    return {**defaults, **options}


def save_ascent(path: Path, result: AscentResult, key: dict[str, str]) -> None:
    """Write `result` atomically with `key` (strings) as metadata; a read-only directory is skipped."""
    tensors = {name: torch.from_numpy(np.ascontiguousarray(getattr(result, name))) for name in ("images", "start", "reached", "steps")}
    with contextlib.suppress(OSError), atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={**key, "layer": result.layer})


def load_ascent(path: Path, key: dict[str, str]) -> AscentResult | None:
    """The cached result at `path` if its metadata matches `key`; None if absent, stale or damaged."""
    if not path.exists():
        return None
    try:
        with safe_open(str(path), "pt") as f:
            meta = f.metadata() or {}
        if any(meta.get(k) != v for k, v in key.items()):
            return None
        t = load_file(str(path))
        return AscentResult(meta["layer"], *(t[k].numpy() for k in ("images", "start", "reached", "steps")))
    except (OSError, SafetensorError, ValueError, KeyError):
        return None


def ascent_key(digest: str, layer: str, **options) -> dict[str, str]:
    """The cache key of an ascent: the weights' digest, the layer and every option (as JSON)."""
    return {"weights": digest, "layer": layer, "options": json.dumps(ascent_options(**options), sort_keys=True)}


@torch.no_grad()
def feature_maps(net: Preprocessed, layer: str, face: np.ndarray) -> np.ndarray:
    """The filters' outputs (C, H, W) for one (48, 48) uint8 face."""
    with eval_mode(net):
        return net.forward_to(to_input(face), layer)[0].numpy()


@torch.no_grad()
def top_faces(net: Preprocessed, layer: str, pixels: np.ndarray, k: int = 5, batch: int = 512) -> np.ndarray:
    """For each filter, the k faces (rows of `pixels` (N, 48, 48)) with its highest mean activation: (C, k) int64."""
    with eval_mode(net):
        means = [
            net.forward_to(torch.from_numpy(pixels[i : i + batch].astype(np.float32) / 255).unsqueeze(1), layer).mean(
                dim=(-2, -1)
            )  # (B, C)
            for i in range(0, len(pixels), batch)
        ]
    acts = torch.cat(means)  # (N, C)
    return acts.topk(min(k, len(acts)), dim=0).indices.T.numpy()


def first_layer_kernels(model: torch.nn.Module) -> np.ndarray:
    """The first conv's kernels (C, k, k) for one-channel input."""
    conv = model.get_submodule(conv_layers(model)[0])
    return conv.weight.detach()[:, 0].numpy().copy()
