"""`fer predict IMAGE... [--run RUN] [--json]`: the faces in each image, with boxes, label and probabilities."""

import json

from fer_core.faces import read_image
from fer_core.faces.live import predict_faces
from fer_core.handle.store import DEFAULT, load_model


def add_parser(sub) -> None:
    p = sub.add_parser("predict", help="find the faces in images and predict their emotions")
    p.add_argument("images", nargs="+", help="photos (PNG/JPEG)")
    p.add_argument("--run", default=DEFAULT, help="run id, or 'default' for the shipped model")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_predict)


def run_predict(a) -> int:
    model = load_model(a.run)
    out = []
    for path in a.images:
        faces = predict_faces(model, read_image(path))
        out.append(
            {
                "image": path,
                "faces": [
                    {
                        "box": dict(zip(("x", "y", "w", "h"), map(int, f.box), strict=True)),
                        "label": model.classes[int(f.probs.argmax())],
                        "probabilities": {c: round(float(p), 4) for c, p in zip(model.classes, f.probs, strict=True)},
                    }
                    for f in faces
                ],
            }
        )
    if a.json:
        print(json.dumps({"run": model.run_id, "images": out}, indent=2))
        return 0
    for item in out:
        if not item["faces"]:
            print(f"{item['image']}: no face found")
        for i, f in enumerate(item["faces"], 1):
            b = f["box"]
            top = sorted(f["probabilities"].items(), key=lambda kv: -kv[1])[:3]
            print(
                f"{item['image']}: face {i} at x={b['x']} y={b['y']} {b['w']}x{b['h']}: {f['label']} "
                f"({', '.join(f'{c} {p:.0%}' for c, p in top)})"
            )
    return 0
