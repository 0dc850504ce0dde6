"""`fer export MODEL --onnx OUT.onnx`: a run or a shipped model as one ONNX file (issue 43)."""

from fer_core.data import load_dataset
from fer_core.handle.export import export_onnx
from fer_core.handle.store import load_model


def cmd_export(a) -> int:
    model = load_model(a.model, precision="fp32")  # the parity check is against fp32
    faces = None
    if a.check_data:
        ds = load_dataset(a.check_data)
        faces = ds.pixels[ds.split_indices(a.split)]
        if not len(faces):
            raise ValueError(f"data set {a.check_data!r} has no {a.split} faces to check the export on")
    rep = export_onnx(model, a.onnx, faces)
    where = f"{a.check_data}/{a.split}" if a.check_data else "random faces"
    print(
        f"exported {model.run_id} to {rep['path']} ({rep['bytes'] / 2**20:.1f} MB); against PyTorch on {rep['faces']:,} faces of "
        f"{where}: the same label on {rep['same_label']:.2%}, probabilities within {rep['max_abs_diff']:.1e}"
        + (
            f", its activation map within {rep['cam_max_abs_diff']:.1e}"
            if "cam_max_abs_diff" in rep
            else " (no activation map: its head is not average pooling)"
        )
    )
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="a run or shipped model as an ONNX file: uint8 48x48 faces in, probabilities out")
    p.add_argument("model", help="a run id, or default / ferplus")
    p.add_argument("--onnx", required=True, metavar="OUT", help="the .onnx file to write (replaced only once the new one checks out)")
    p.add_argument("--check-data", metavar="DATA", help="check it against PyTorch on this data set's faces (default: 64 random faces)")
    p.add_argument("--split", default="PublicTest", help="the split of --check-data (default PublicTest)")
    p.set_defaults(func=cmd_export)
