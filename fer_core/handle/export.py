"""A model as one ONNX file (issue 43): what a browser (onnxruntime-web) or any ONNX runtime runs.

The graph takes 48x48 uint8 faces and returns class probabilities, with the model's own
preprocessing inside it (to float, the normalisation it was trained with), so a caller feeds the
pipeline's face as it is; and, as a second output, the class activation map of the predicted class
("what it looks at"). The class names and the model card's key facts are in the file's metadata.
`fer export MODEL --onnx OUT.onnx`; checked against the PyTorch model before it is kept.

The class activation map is exact and cheap for the models that end in global average pooling (every
preset FER Lab trains today): the last feature maps weighted by the predicted class's row of the final
layer (Zhou et al. 2016), kept where positive, upsampled to 48x48 and scaled to a maximum of 1.
"""

import json
import logging
import re
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from fer_core.atomic import atomic_path
from fer_core.normalize import normalize

OPSET = 18
INPUT, OUTPUT, CAM = "faces", "probs", "cam"
# Parity (fp32): the largest probability difference allowed against the PyTorch model.
TOLERANCE = 1e-3


class FaceClassifier(nn.Module):
    """uint8 faces (B, 48, 48) -> probabilities (B, C) and the predicted class's activation map
    (B, 48, 48) in [0, 1]: normalised as in training, then the network."""

    def __init__(self, network: nn.Module, preprocessing):
        super().__init__()
        names = [n for n, _ in network.named_children()]
        # An exact class activation map needs global average pooling then one linear layer; other
        # heads (a flattened grid, hidden layers) export their probabilities alone.
        self.has_cam = "gap" in names and not any(n.startswith("fc") for n in names)  # models/build.py's names
        self.network = network
        self.features = (
            nn.Sequential(*[m for n, m in network.named_children() if n in names[: names.index("gap")]]) if self.has_cam else None
        )
        self.head = network.head
        self.normalization, self.stats = preprocessing.normalization, preprocessing.stats

    @property
    def outputs(self) -> list[str]:
        return [OUTPUT, CAM] if self.has_cam else [OUTPUT]

    def forward(self, faces: torch.Tensor):
        x = normalize(faces.unsqueeze(1), self.normalization, self.stats)  # (B, 1, 48, 48) float32
        if not self.has_cam:
            return (torch.softmax(self.network(x), dim=1),)  # (B, C)
        maps = self.features(x)  # (B, K, h, w): the last feature maps
        probs = torch.softmax(self.head(maps.mean((2, 3))), dim=1)  # (B, C): global average pooling, the linear layer
        weights = self.head.weight[probs.argmax(1)]  # (B, K): the predicted class's row
        cam = torch.relu(torch.einsum("bk,bkhw->bhw", weights, maps)).unsqueeze(1)  # (B, 1, h, w)
        cam = nn.functional.interpolate(cam, size=faces.shape[-2:], mode="bilinear", align_corners=False)[:, 0]
        return probs, cam / cam.amax((1, 2), keepdim=True).clamp(min=1e-6)  # (B, C), (B, 48, 48)


def metadata(model, has_cam: bool) -> dict[str, str]:
    """What the ONNX file says of itself: its classes, input, and the card's key facts."""
    from fer_core.handle.store import card_figures

    cfg, summary = model.cfg, card_figures(model.run) if model.run is not None else {}
    facts = {k: summary[k] for k in ("accuracy", "labels", "recommended_tta", "real_faces") if k in summary}
    return {
        "classes": json.dumps(list(model.classes)),
        "input": "faces: uint8 (batch, 48, 48), the face pipeline's 48x48 grayscale face (eyes level, framed as FER2013)",
        "output": "probs: float32 (batch, classes), softmax"
        + ("; cam: float32 (batch, 48, 48), the predicted class's activation map in [0, 1]" if has_cam else ""),
        "run": model.run_id,
        "arch": cfg.arch if cfg else "",
        "learned": cfg.labels if cfg else "",
        "normalization": str(model.preprocessing.normalization),
        "card": json.dumps(facts),
        "exported_by": "FER Lab `fer export`",
    }


def _file_stem(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)


def export_path(model, folder: Path) -> Path:
    """Where `model` is kept exported in `folder`, once per weights: its run id and weights digest."""
    return Path(folder) / f"{_file_stem(model.run_id)}-{model.digest}.onnx"


def prune_exports(folder: Path, current: Path, run_ids) -> list[Path]:
    """Remove the exports in `folder` (export_path's names) that no model can ask for any more:
    `current`'s run with other weights (a model re-shipped, a run trained on) and runs not in
    `run_ids` (deleted). Other files, such as the served detector, are left. Returns the removed."""
    known = {_file_stem(r) for r in run_ids}
    mine = current.stem.rpartition("-")[0]
    removed = []
    for file in Path(folder).glob("*.onnx"):
        run, _, digest = file.stem.rpartition("-")
        if file == current or not re.fullmatch(r"[0-9a-f]{16}", digest):  # weights_digest's 16 hex digits
            continue
        if run == mine or run not in known:
            file.unlink(missing_ok=True)
            removed.append(file)
    return removed


def export_onnx(model, out: str | Path, check_faces: np.ndarray | None = None) -> dict:
    """Write `model` (a LoadedModel) to `out` as ONNX; before the file is kept, onnxruntime's
    probabilities on `check_faces` (N, 48, 48) uint8 (default: 64 random faces) must match the
    PyTorch model's in fp32 within TOLERANCE. Returns the parity figures."""
    import onnx
    import onnxruntime as ort

    if model.preprocessing.equalize:
        raise ValueError(
            f"{model.run_id} histogram-equalises its faces (cv2.equalizeHist), which the ONNX graph cannot do yet; "
            "export a model trained without --equalize"
        )
    module = FaceClassifier(model.network.model, model.preprocessing).eval()
    faces = check_faces if check_faces is not None else np.random.default_rng(0).integers(0, 256, (64, 48, 48), dtype=np.uint8)
    example = torch.from_numpy(np.ascontiguousarray(faces[:2]))
    out = Path(out)
    with atomic_path(out) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch's own exporter, about its own internals
        logging.getLogger("torch.onnx._internal.exporter._registration").setLevel(logging.ERROR)  # "torchvision is not installed"
        batch = torch.export.Dim("batch", min=1, max=4096)
        program = torch.onnx.export(
            module,
            (example,),
            input_names=[INPUT],
            output_names=module.outputs,
            dynamic_shapes={"faces": {0: batch}},
            opset_version=OPSET,
            dynamo=True,
            verbose=False,
        )
        graph = program.model_proto
        for key, value in metadata(model, module.has_cam).items():
            graph.metadata_props.add(key=key, value=value)
        onnx.save(graph, str(tmp))
        onnx.checker.check_model(str(tmp))
        parity = check_parity(module, str(tmp), faces, ort)
        with torch.no_grad():  # the graph's split network (features, then the head) is the handle's network
            x = torch.from_numpy(np.ascontiguousarray(faces[:256]))
            parity["split_max_abs_diff"] = float((module(x)[0] - torch.softmax(model.network(x.unsqueeze(1)), 1)).abs().max())
        worst = max(parity["max_abs_diff"], parity["split_max_abs_diff"], parity.get("cam_max_abs_diff", 0.0))
        if worst > TOLERANCE or parity["same_label"] < 1.0 - 1e-3:
            raise ValueError(f"the ONNX graph does not match the model: {parity}; nothing written")
    return {"path": str(out), "bytes": out.stat().st_size, **parity}


def check_parity(module: nn.Module, path: str, faces: np.ndarray, ort=None) -> dict:
    """onnxruntime against the PyTorch module (fp32) on faces (N, 48, 48) uint8: the share with the
    same label and the largest probability difference."""
    if ort is None:
        import onnxruntime as ort
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got, want = [], []  # per chunk: the outputs (probs[, cam]) of onnxruntime and of PyTorch
    for i in range(0, len(faces), 512):
        chunk = np.ascontiguousarray(faces[i : i + 512])
        got.append(session.run(module.outputs, {INPUT: chunk}))
        with torch.no_grad():
            want.append([t.numpy() for t in module(torch.from_numpy(chunk))])
    got, want = ([np.concatenate(parts) for parts in zip(*outs, strict=True)] for outs in (got, want))
    out = {
        "faces": int(len(faces)),
        "same_label": float((got[0].argmax(1) == want[0].argmax(1)).mean()),
        "max_abs_diff": float(np.abs(got[0] - want[0]).max()),
    }
    if module.has_cam:
        out["cam_max_abs_diff"] = float(np.abs(got[1] - want[1]).max())
    return out
