"""A model as one ONNX file (issue 43): what a browser (onnxruntime-web) or any ONNX runtime runs.

The graph takes 48x48 uint8 faces and returns class probabilities, with the model's own
preprocessing inside it (to float, the normalisation it was trained with), so a caller feeds the
pipeline's face as it is. The class names and the model card's key facts are in the file's
metadata. `fer export MODEL --onnx OUT.onnx`; checked against the PyTorch model before it is kept.
"""

import json
import logging
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from fer_core.atomic import atomic_path
from fer_core.normalize import normalize

OPSET = 18
INPUT, OUTPUT = "faces", "probs"
# Parity (fp32): the largest probability difference allowed against the PyTorch model.
TOLERANCE = 1e-3


class FaceClassifier(nn.Module):
    """uint8 faces (B, 48, 48) -> probabilities (B, C): normalised as in training, then the network."""

    def __init__(self, network: nn.Module, preprocessing):
        super().__init__()
        self.network, self.normalization, self.stats = network, preprocessing.normalization, preprocessing.stats

    def forward(self, faces: torch.Tensor) -> torch.Tensor:
        x = normalize(faces.unsqueeze(1), self.normalization, self.stats)  # (B, 1, 48, 48) float32
        return torch.softmax(self.network(x), dim=1)  # (B, C)


def metadata(model) -> dict[str, str]:
    """What the ONNX file says of itself: its classes, input, and the card's key facts."""
    cfg, facts = model.cfg, {}
    if model.run is not None and (path := model.run.dir / "metrics_publictest.json").exists():
        summary = json.loads(path.read_text())
        facts = {k: summary[k] for k in ("accuracy", "labels", "recommended_tta", "real_faces") if k in summary}
    return {
        "classes": json.dumps(list(model.classes)),
        "input": "faces: uint8 (batch, 48, 48), the face pipeline's 48x48 grayscale face (eyes level, framed as FER2013)",
        "output": "probs: float32 (batch, classes), softmax",
        "run": model.run_id,
        "arch": cfg.arch if cfg else "",
        "learned": cfg.labels if cfg else "",
        "normalization": str(model.preprocessing.normalization),
        "card": json.dumps(facts),
        "exported_by": "FER Lab `fer export`",
    }


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
            output_names=[OUTPUT],
            dynamic_shapes={"faces": {0: batch}},
            opset_version=OPSET,
            dynamo=True,
            verbose=False,
        )
        graph = program.model_proto
        for key, value in metadata(model).items():
            graph.metadata_props.add(key=key, value=value)
        onnx.save(graph, str(tmp))
        onnx.checker.check_model(str(tmp))
        parity = check_parity(module, str(tmp), faces, ort)
        if parity["max_abs_diff"] > TOLERANCE or parity["same_label"] < 1.0 - 1e-3:
            raise ValueError(f"the ONNX graph does not match the model: {parity}; nothing written")
    return {"path": str(out), "bytes": out.stat().st_size, **parity}


def check_parity(module: nn.Module, path: str, faces: np.ndarray, ort=None) -> dict:
    """onnxruntime against the PyTorch module (fp32) on faces (N, 48, 48) uint8: the share with the
    same label and the largest probability difference."""
    if ort is None:
        import onnxruntime as ort
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = np.concatenate([session.run([OUTPUT], {INPUT: faces[i : i + 512]})[0] for i in range(0, len(faces), 512)])
    with torch.no_grad():
        want = torch.cat([module(torch.from_numpy(np.ascontiguousarray(faces[i : i + 512]))) for i in range(0, len(faces), 512)]).numpy()
    return {
        "faces": int(len(faces)),
        "same_label": float((got.argmax(1) == want.argmax(1)).mean()),
        "max_abs_diff": float(np.abs(got - want).max()),
    }
