"""The model handle: the one object above `train/` that holds a model.

A `LoadedModel` owns the network (eval mode, on the CPU), its preprocessing (normalisation and
the Training split's statistics), a batch-norm-fused copy for batched predictions, and the
weights' digest. Pages and the CLI ask it for probabilities, explanations, occlusion, gradient
ascent, feature maps and strongest faces; nothing else passes a network and its preprocessing
around.

Precision: probabilities always come from the fused copy through `inference.predict_logits` in
the handle's one precision (`auto`: bf16 where the CPU has it natively, as training does; fp32
elsewhere; `fer_core.precision`), so the Explain page, Evaluate and the Webcam agree to the last
digit. bf16 halves the cost of a full split for the ~100 M multiply-add default (issue 14) and
moves accuracy by rounding only (~0.1 point, docs/history/BENCHMARKS.md); cached predictions record it.
Gradients (the saliency methods) run on the unfused network in fp32; gradient ascent uses bf16
where the CPU has it natively, for speed only.
"""

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np
import torch

from fer_core.estimate import ascent_time_key, record
from fer_core.explain import Explanation, attribution, check_method, conv_layers
from fer_core.explain.base import Preprocessed, randomized, to_input, to_pixels
from fer_core.explain.filters import (
    AscentResult,
    ascent_key,
    feature_maps,
    first_layer_kernels,
    gradient_ascent,
    load_ascent,
    save_ascent,
    top_faces,
)
from fer_core.explain.occlusion import OCCLUSION_PRESETS, occlude
from fer_core.inference import inference_copy, predict_logits
from fer_core.labels import classes_for
from fer_core.models import LayerRow, layer_table
from fer_core.normalize import Preprocessing
from fer_core.precision import use_bf16
from fer_core.train.config import TrainConfig
from fer_core.train.runs import Run

BATCH = 64  # faces per forward pass: on 2 CPU cores small batches stay in cache (measured: 64 beats 256 and 512)
CACHE_SIZE = 256  # explanations kept per model
RANDOM_SEED = 1_000_003  # for the sanity-check copy: not a seed training runs use, so it is not some run's own init


@dataclass(frozen=True)
class Occluded:
    face: np.ndarray  # (48, 48) uint8: the face with the grey patch, as the model saw it
    probs: np.ndarray  # (7,) the model's probabilities for it


def state_digest(model: torch.nn.Module) -> str:
    """Content hash of a model's weights (for handles made from a network, not a file)."""
    h = hashlib.sha256()
    for k, v in model.state_dict().items():
        h.update(k.encode())
        h.update(v.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


class LoadedModel:
    """A trained network, ready to predict and explain 48x48 uint8 faces."""

    def __init__(
        self,
        model: torch.nn.Module,
        preprocessing: Preprocessing,
        run: Run | None = None,
        cfg: TrainConfig | None = None,
        digest: str | None = None,
        name: str | None = None,
        precision: str = "auto",
    ):
        self.run, self.cfg = run, cfg  # run: where it was loaded from (None for a network made here)
        self.run_id = name or (run.id if run else "unsaved")
        self.preprocessing = preprocessing
        self.network = Preprocessed(model, preprocessing).eval()  # faces in [0, 1] -> logits; stays in eval mode
        self.digest = digest or state_digest(model)
        self._fast = inference_copy(model)  # batch norm folded in: predictions only
        self.bf16 = use_bf16(precision, torch.device("cpu"))  # the handle lives on the CPU
        self._explained: OrderedDict = OrderedDict()
        self._random: LoadedModel | None = None

    def __repr__(self) -> str:
        return f"LoadedModel({self.run_id!r}, {self.preprocessing.normalization}, {self.arithmetic}, digest {self.digest})"

    @property
    def num_classes(self) -> int:
        """7 (FER2013's classes) or 8 (FER+'s, contempt last): the width of the output layer."""
        return self.network.model.head.out_features

    @property
    def classes(self) -> tuple[str, ...]:
        """The model's class names, in the order of its outputs."""
        return classes_for(self.num_classes)

    @property
    def arithmetic(self) -> str:
        """'bf16' or 'fp32': what its predictions are computed in."""
        return "bf16" if self.bf16 else "fp32"

    def sees(self, faces: np.ndarray) -> np.ndarray:
        """uint8 faces (..., 48, 48) -> what the network is fed: equalised when it was trained on
        equalised faces (TrainConfig.equalize), else the faces themselves. Every method below starts
        from it, so neither kind of model ever meets the other kind of face."""
        return self.preprocessing.prepare(np.asarray(faces))

    # --- predictions --------------------------------------------------------
    def logits(self, faces: np.ndarray | torch.Tensor, tta: str = "none") -> torch.Tensor:
        """uint8 faces (N, 48, 48) or (N, 1, 48, 48) -> logits (N, 7), averaged over the TTA mode's views."""
        x = torch.as_tensor(faces)
        x = x.unsqueeze(1) if x.dim() == 3 else x  # (N, 1, 48, 48); predict_logits prepares them
        return predict_logits(self._fast, x, self.preprocessing, batch=BATCH, tta=tta, bf16=self.bf16)

    def probs(self, faces, tta: str = "none") -> np.ndarray:
        """uint8 faces (N, 48, 48) -> class probabilities (N, C) float32, C = num_classes."""
        return torch.softmax(self.logits(faces, tta), dim=1).numpy()

    def face_probs(self, face: np.ndarray) -> np.ndarray:
        """One (48, 48) uint8 face -> (7,) probabilities."""
        return self.probs(np.asarray(face)[None])[0]

    # --- layers -------------------------------------------------------------
    def trained_on(self, data: str, data_hash: str, split: str) -> bool:
        """Whether split `split` of data set `data` (its content hash) holds the faces this model
        trained on: its accuracy there measures memory, not how it does on new faces."""
        if self.cfg is None or split != self.cfg.train_split:
            return False
        recorded = self.run.data_hash() if self.run else ""
        return recorded == data_hash if recorded else data == self.cfg.data

    def conv_layers(self) -> list[str]:
        """Conv layer names, input to output (as in the layer table)."""
        return conv_layers(self.network.model)

    def layer_table(self) -> list[LayerRow]:
        return layer_table(self.network.model)

    # --- explanations -------------------------------------------------------
    def explain(self, face: np.ndarray, method: str, target: int | None = None, layer: str | None = None) -> Explanation:
        """Explain `face` (48, 48) uint8 for `target` (default: the predicted class), cached per
        face, method, target and layer. The face is left unchanged."""
        check_method(method)
        # The key holds the target as asked (None: the predicted class, fixed for a model and face),
        # so a cache hit costs no forward pass.
        key = (hashlib.sha1(np.ascontiguousarray(face).tobytes()).hexdigest(), method, target, layer)
        if key in self._explained:
            self._explained.move_to_end(key)
            return self._explained[key]
        probs = self.face_probs(face)
        chosen = int(probs.argmax()) if target is None else int(target)
        result = Explanation(method, chosen, attribution(self.network, self.sees(face), method, chosen, layer), probs)
        self._explained[key] = result
        while len(self._explained) > CACHE_SIZE:
            self._explained.popitem(last=False)
        return result

    def randomized(self) -> "LoadedModel":
        """The sanity check's copy (Adebayo et al., 2018): the same architecture and preprocessing,
        every learnable layer re-initialised. Made once per handle."""
        if self._random is None:
            net = randomized(self.network.model, seed=RANDOM_SEED)
            name = f"{self.run_id} (random weights)"
            self._random = LoadedModel(
                net, self.preprocessing, cfg=self.cfg, digest=self.digest + "-random", name=name, precision=self.arithmetic
            )
        return self._random

    def occlude(self, face: np.ndarray, patch: tuple[int, int, int, int] | str) -> Occluded:
        """The face as the model sees it with a grey patch (top, left, height, width), or a preset
        ('eyes', 'nose', 'mouth'), and the model's probabilities for it."""
        box = OCCLUSION_PRESETS[patch] if isinstance(patch, str) else patch
        covered = to_pixels(occlude(to_input(self.sees(face)), *box))  # the patch goes on the face the model sees
        return Occluded(covered, self._seen_face_probs(covered))

    def _seen_face_probs(self, face: np.ndarray) -> np.ndarray:
        """One (48, 48) face already as the model sees it (not prepared again) -> (7,) probabilities."""
        x = torch.as_tensor(np.asarray(face))[None, None]  # (1, 1, 48, 48)
        logits = predict_logits(self._fast, x, replace(self.preprocessing, equalize=False), batch=1, bf16=self.bf16)
        return torch.softmax(logits, dim=1)[0].numpy()

    # --- filters ------------------------------------------------------------
    def gradient_ascent(self, layer: str, progress=None, use_cache: bool = True, **options) -> AscentResult:
        """One image per filter of conv `layer` that excites it most (`explain.filters.gradient_ascent`).
        Cached in the run directory (`filters/`), keyed by the weights and every option: computed
        once per model and layer, then read back at once, after a restart too; the shipped default
        model carries its Filters-page layer's images. `use_cache=False` computes afresh and leaves
        the cache as it was."""
        if use_cache and (hit := self._cached_ascent(layer, **options)) is not None:
            if progress:
                progress(1.0)
            return hit
        began = time.perf_counter()
        result = gradient_ascent(self.network, layer, progress=progress, **options)
        if not options:  # the page's ascent: what it took is the next estimate for this architecture and layer
            record(ascent_time_key(self, layer), time.perf_counter() - began)
        if self.run and use_cache:
            save_ascent(self.run.filters_cache_path(layer), result, ascent_key(self.digest, layer, **options))
        return result

    def ascent_cached(self, layer: str, **options) -> bool:
        """Whether `gradient_ascent(layer)` would be read back rather than computed."""
        return self._cached_ascent(layer, **options) is not None

    def _cached_ascent(self, layer: str, **options) -> AscentResult | None:
        """The run's cached images for `layer` when they are current (keyed by the weights and options)."""
        return load_ascent(self.run.filters_cache_path(layer), ascent_key(self.digest, layer, **options)) if self.run else None

    def feature_maps(self, layer: str, face: np.ndarray) -> np.ndarray:
        """The filters' outputs (C, H, W) of conv `layer` for one face."""
        return feature_maps(self.network, layer, self.sees(face))

    def top_faces(self, layer: str, pixels: np.ndarray, k: int = 5) -> np.ndarray:
        """For each filter of `layer`, the rows of `pixels` (N, 48, 48) that excite it most: (C, k)."""
        return top_faces(self.network, layer, self.sees(pixels), k=k)

    def first_layer_kernels(self) -> np.ndarray:
        """The first conv's kernels (C, k, k)."""
        return first_layer_kernels(self.network.model)
