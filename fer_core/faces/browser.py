"""The face pipeline's numbers for its browser twin (dashboard/static/webcam/faces.js), which runs
the webcam's pipeline on the student's machine: the same detector thresholds, turns and framing,
stated once here in Python and handed to the page."""

from pathlib import Path

from fer_core.atomic import atomic_path
from fer_core.faces import align, detect, pipeline
from fer_core.labels import IMAGE_SIZE


def browser_settings() -> dict:
    """What faces.js reads as `cfg` (a webcam frame: one detector pass, 64 px patches)."""
    return {
        "live_width": detect.LIVE_WIDTH,
        "score_threshold": detect.SCORE_THRESHOLD,
        "nms_threshold": detect.NMS_THRESHOLD,
        "min_face": detect.MIN_FACE,
        "max_faces": min(detect.MAX_FACES, pipeline.MAX_LABELLED),
        "turns": list(align.TURNS),
        "fine": align.FINE,
        "live_patch": align.LIVE_PATCH,
        "patch_score": align.PATCH_SCORE,
        "eye_distance": align.EYE_DISTANCE,
        "eye_to_mouth": align.EYE_TO_MOUTH,
        "face_centre": list(align.FACE_CENTRE),
        "crop_max": align.CROP_MAX,
        "image_size": IMAGE_SIZE,
    }


def served_detector(folder: Path) -> Path:
    """The batched detector (`batched_detector`) in `folder`, written once per detector file."""
    target = folder / f"yunet-batched-{detect.MODEL_SHA256[:12]}.onnx"  # the vendored file's (tests/test_faces.py)
    if not target.exists():
        with atomic_path(target) as tmp:
            batched_detector(tmp)
    return target


def batched_detector(out) -> None:
    """Write YuNet with a free batch dimension to `out`: the browser searches all the patches of a
    frame's faces in one run instead of one run each (each run costs ~1 ms beyond its arithmetic
    there). The network is unchanged; only its input's and its twelve outputs' first dimension, and
    the Reshapes that fixed it to 1, now follow the batch (0 in a Reshape copies that dimension)."""
    import onnx
    from onnx import numpy_helper

    from fer_core.faces.detect import MODEL

    graph = onnx.load(str(MODEL))
    for value in [*graph.graph.input, *graph.graph.output]:
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    shapes = {n.input[1] for n in graph.graph.node if n.op_type == "Reshape"}
    for init in graph.graph.initializer:
        if init.name in shapes:
            shape = numpy_helper.to_array(init).copy()
            assert shape[0] == 1, f"{MODEL}: a Reshape to {shape.tolist()} does not fix the batch to 1"
            shape[0] = 0
            init.CopyFrom(numpy_helper.from_array(shape, init.name))
    onnx.checker.check_model(graph)
    onnx.save(graph, str(out))
