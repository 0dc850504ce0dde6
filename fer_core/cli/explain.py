"""`fer explain IMAGE --run RUN --method METHOD --out OUT.png` and `fer filters RUN [--layer] --out OUT.png`."""

import sys

import numpy as np
from PIL import Image

from fer_core.atomic import atomic_path
from fer_core.cli.progress import Bar
from fer_core.explain import METHODS, TITLES, heat
from fer_core.explain.render import big, overlay, stretch
from fer_core.faces import face_from_photo, read_image
from fer_core.handle.store import DEFAULT, load_model
from fer_core.labels import FERPLUS_CLASSES
from fer_core.previews import montage


def add_parsers(sub) -> None:
    p = sub.add_parser("explain", help="saliency map(s) of the face in a photo")
    p.add_argument("image", help="a photo (PNG/JPEG) with a face, or a 48x48 face")
    p.add_argument("--run", default=DEFAULT, help="run id, or 'default' for the shipped model")
    p.add_argument("--method", default="all", choices=["all", *METHODS])
    p.add_argument("--target", choices=FERPLUS_CLASSES, help="class to explain (default: the predicted one)")
    p.add_argument("--layer", help="Grad-CAM conv layer (default: the last)")
    p.add_argument("--out", required=True, help="PNG to write: the face, then one overlay per method")
    p.set_defaults(func=run_explain)
    f = sub.add_parser("filters", help="gradient-ascent images for every filter of a conv layer")
    f.add_argument("run", nargs="?", default=DEFAULT)
    f.add_argument("--layer", help="conv layer name as in the layer table (default: the last conv layer)")
    f.add_argument("--cols", type=int, default=16)
    f.add_argument("--out", required=True)
    f.set_defaults(func=run_filters)


def _save(path: str, image: np.ndarray) -> None:
    with atomic_path(path) as tmp:
        Image.fromarray(image).save(tmp, format="PNG")


def run_explain(a) -> int:
    model = load_model(a.run)
    face, det = face_from_photo(read_image(a.image), a.image)  # NoFaceFound is a ValueError: a clear message, exit 2
    if a.target and a.target not in model.classes:
        print(f"error: {model.run_id} has no class {a.target!r}; its classes: {', '.join(model.classes)}", file=sys.stderr)
        return 2
    target = model.classes.index(a.target) if a.target else None
    methods = list(METHODS) if a.method == "all" else [a.method]
    panels = [np.stack([big(face.face48, 192)] * 3, -1)]
    for m in methods:
        e = model.explain(face.face48, m, target=target, layer=a.layer)
        panels.append(overlay(face.face48, heat(e.map), 0.6))
        print(f"{TITLES[m]:<22} class {model.classes[e.target]}")
    gap = np.full((192, 4, 3), 255, np.uint8)
    _save(a.out, np.concatenate([x for p in panels for x in (p, gap)][:-1], axis=1))
    probs = e.probs
    print("probabilities: " + "  ".join(f"{c} {p:.0%}" for c, p in zip(model.classes, probs, strict=True)))
    print(f"wrote {a.out} ({len(det.faces)} face(s) found; explained the largest)")
    return 0


def run_filters(a) -> int:
    model = load_model(a.run)
    layer = a.layer or model.conv_layers()[-1]
    bar = Bar(f"ascent {layer}")
    try:
        res = model.gradient_ascent(layer, progress=lambda f: bar(f, ""))
    finally:
        bar.close()
    order = np.argsort(-res.reached)
    _save(a.out, montage(stretch(res.images[order]), cols=a.cols, scale=2))
    print(
        f"{len(order)} filters of {layer}: mean activation {res.start.mean():.3f} -> {res.reached.mean():.3f} "
        f"(median rise {np.median(res.rise):.1f}x; {int((res.steps > res.steps.min()).sum())} went on alone, up to "
        f"{res.steps.max()} steps); wrote {a.out}, strongest first"
    )
    return 0
