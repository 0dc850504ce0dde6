"""Offline demo faces: procedural 48x48 expressions drawn with OpenCV.

Every class has a cue set (mouth curve and opening, brow slant and height, eye
opening, nose wrinkle, lip asymmetry). Each face samples its cues around the
class prototype, and a share of faces drift towards a near class (fear/surprise,
sad/neutral, angry/disgust), so a small CNN lands well short of 100%. Random pose,
scale, lighting, blur and noise on top. Deterministic by seed: face i depends only
on (seed, i).
"""

from dataclasses import dataclass

import cv2
import numpy as np

from fer_core.data.collect import Progress
from fer_core.data.dataset import FaceDataset, make_dataset
from fer_core.labels import CLASSES, IMAGE_SIZE, PRIVATE_TEST, PUBLIC_TEST, TRAINING

DEFAULT_N = 7000
CANVAS = 96  # drawn at 2x, then area-downsampled: anti-aliased features at 48x48
# FER2013's Training class shares, so the demo shows the same imbalance (disgust ~1.5%).
FER_SHARES = np.array([3995, 436, 4097, 7215, 4830, 3171, 4965], dtype=np.float64)
SPLIT_SHARES = ((TRAINING, 0.8), (PUBLIC_TEST, 0.1), (PRIVATE_TEST, 0.1))


@dataclass(frozen=True)
class Cues:
    """Expression parameters; ranges roughly -1..1 (eye_open, mouth_width around 1)."""

    mouth_curve: float  # + smile, - frown
    mouth_open: float  # 0 closed .. 1 wide open
    mouth_width: float
    brow_slant: float  # + inner ends raised (sad, fear), - lowered (anger)
    brow_height: float
    eye_open: float
    nose_wrinkle: float
    lip_asym: float  # one-sided upper-lip raise (disgust)

    def as_array(self) -> np.ndarray:
        return np.array([getattr(self, f) for f in self.__dataclass_fields__])


PROTOTYPES: dict[str, Cues] = {
    "angry": Cues(-0.35, 0.05, 0.85, -1.0, -0.7, 0.65, 0.25, 0.0),
    "disgust": Cues(-0.55, 0.15, 0.90, -0.6, -0.5, 0.55, 0.9, 0.8),
    "fear": Cues(-0.25, 0.45, 1.15, 0.8, 0.7, 1.35, 0.0, 0.0),
    "happy": Cues(0.95, 0.30, 1.15, 0.0, 0.1, 0.75, 0.0, 0.0),
    "sad": Cues(-0.85, 0.0, 0.90, 0.9, 0.0, 0.70, 0.0, 0.0),
    "surprise": Cues(0.05, 0.90, 0.70, 0.2, 1.0, 1.45, 0.0, 0.0),
    "neutral": Cues(0.0, 0.0, 0.95, 0.0, 0.0, 1.0, 0.0, 0.0),
}
NEAR_CLASS = {"fear": "surprise", "surprise": "fear", "sad": "neutral", "neutral": "sad", "angry": "disgust", "disgust": "angry"}
CUE_NOISE = np.array([0.25, 0.10, 0.08, 0.30, 0.30, 0.15, 0.15, 0.20])
MIX_PROB, MIX_MAX = 0.4, 0.75  # share of faces pulled towards the near class, and how far


def sample_cues(label: int, rng: np.random.Generator) -> Cues:
    """Class prototype + noise, sometimes pulled towards the near class."""
    name = CLASSES[label]
    cues = PROTOTYPES[name].as_array()
    if name in NEAR_CLASS and rng.random() < MIX_PROB:
        cues = cues + rng.uniform(0, MIX_MAX) * (PROTOTYPES[NEAR_CLASS[name]].as_array() - cues)
    cues = cues + rng.normal(0, CUE_NOISE)
    cues[1] = max(cues[1], 0.0)  # mouth_open
    cues[5] = max(cues[5], 0.25)  # eye_open
    cues[6:] = np.clip(cues[6:], 0, 1)
    return Cues(*map(float, cues))


def _pts(xs, ys) -> np.ndarray:
    return (np.stack([xs, ys], axis=1) * 16).round().astype(np.int32)  # 4-bit subpixel coords


def draw_face(cues: Cues, rng: np.random.Generator) -> np.ndarray:
    """One (48, 48) uint8 face with the given cues and random identity, pose and lighting."""
    S, c = CANVAS, CANVAS / 2
    bg = rng.uniform(20, 230)
    skin = np.clip(bg + rng.choice([-1, 1]) * rng.uniform(40, 110), 70, 235)
    ink = skin * rng.uniform(0.15, 0.45)  # features darker than skin
    aa, sh = cv2.LINE_AA, 4

    img = np.full((S, S), bg, np.float32)
    fw, fh = rng.uniform(28, 34), rng.uniform(37, 43)  # face half-axes
    cy = c + 4
    if rng.random() < 0.8:  # hair: a darker cap behind the face
        hair = rng.uniform(10, 90)
        cv2.ellipse(img, (int(c * 16), int((cy - 8) * 16)), (int((fw + 4) * 16), int((fh - 2) * 16)), 0, 180, 360, hair, -1, aa, sh)
    cv2.ellipse(img, (int(c * 16), int(cy * 16)), (int(fw * 16), int(fh * 16)), 0, 0, 360, float(skin), -1, aa, sh)

    eye_y, eye_dx = cy - 8 + rng.uniform(-2, 2), rng.uniform(11, 14)
    for side in (-1, 1):
        ex = c + side * eye_dx
        ew, eh = 6.0, 3.2 * cues.eye_open
        cv2.ellipse(img, (int(ex * 16), int(eye_y * 16)), (int(ew * 16), int(eh * 16)), 0, 0, 360, float(min(skin + 50, 255)), -1, aa, sh)
        cv2.circle(img, (int(ex * 16), int(eye_y * 16)), int(min(2.6, eh) * 16), float(ink * 0.6), -1, aa, sh)
        # brow: outer end to inner end; slant lifts the inner end
        base = eye_y - 7 - 3.5 * cues.brow_height
        outer, inner = ex + side * 8, ex - side * 4
        ys = np.array([base + 1.0 * cues.brow_slant, base - 4.0 * cues.brow_slant])
        cv2.polylines(img, [_pts(np.array([outer, inner]), ys)], False, float(ink), 3, aa, sh)

    nose_y = cy + 6
    cv2.line(img, (int(c * 16), int((eye_y + 2) * 16)), (int((c + 1.5) * 16), int(nose_y * 16)), float(skin * 0.75), 2, aa, sh)
    cv2.ellipse(img, (int(c * 16), int(nose_y * 16)), (int(5 * 16), int(2 * 16)), 0, 0, 180, float(skin * 0.6), 2, aa, sh)
    if cues.nose_wrinkle > 0.1:  # wrinkles across the bridge
        for k in range(2):
            y = eye_y + 4 + 3 * k
            cv2.line(img, (int((c - 4) * 16), int(y * 16)), (int((c + 4) * 16), int(y * 16)), float(skin - 60 * cues.nose_wrinkle), 1, aa, sh)

    mouth_y, half = cy + 18, 13.0 * cues.mouth_width
    xs = np.linspace(-1, 1, 25)
    upper = mouth_y - 6 * cues.mouth_curve * xs**2 - 4 * cues.lip_asym * np.clip(xs, 0, 1)
    lower = upper + 10 * cues.mouth_open * (1 - xs**2)
    if cues.mouth_open > 0.08:
        poly = _pts(np.concatenate([c + half * xs, c + half * xs[::-1]]), np.concatenate([upper, lower[::-1]]))
        cv2.fillPoly(img, [poly], float(ink * 0.5), aa, sh)
    cv2.polylines(img, [_pts(c + half * xs, upper)], False, float(ink), 2, aa, sh)

    # pose: rotation, scale, shift about the centre
    m = cv2.getRotationMatrix2D((c, c), rng.uniform(-12, 12), rng.uniform(0.95, 1.18))
    m[:, 2] += rng.uniform(-5, 5, size=2)
    img = cv2.warpAffine(img, m, (S, S), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    img = cv2.resize(img, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_AREA)

    # lighting: a linear gradient in a random direction, then blur, noise, contrast
    yy, xx = np.mgrid[-1 : 1 : IMAGE_SIZE * 1j, -1 : 1 : IMAGE_SIZE * 1j]
    angle = rng.uniform(0, 2 * np.pi)
    img *= 1 + rng.uniform(0, 0.35) * (np.cos(angle) * xx + np.sin(angle) * yy)
    sigma = rng.uniform(0, 1.0)
    if sigma > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    img += rng.normal(0, rng.uniform(2, 9), img.shape)
    img = (img - img.mean()) * rng.uniform(0.75, 1.2) + img.mean()
    return np.clip(img, 0, 255).round().astype(np.uint8)


def class_counts(n: int) -> np.ndarray:
    """Images per class (FER2013 shares, largest remainder), at least 2 per class."""
    raw = FER_SHARES / FER_SHARES.sum() * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(raw - counts)[::-1][: n - counts.sum()]] += 1
    return np.maximum(counts, 2)


def synth_labels(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic labels and split ids: 80/10/10 of every class."""
    labels, splits = [], []
    for cls, count in enumerate(class_counts(n)):
        bounds = np.round(np.cumsum([share for _, share in SPLIT_SHARES]) * count).astype(int)
        start = 0
        for (split, _), stop in zip(SPLIT_SHARES, bounds):
            labels += [cls] * (stop - start)
            splits += [split] * (stop - start)
            start = stop
    return np.array(labels, np.uint8), np.array(splits, np.uint8)


def synth_dataset(name: str = "demo", n: int = DEFAULT_N, seed: int = 0, progress: Progress | None = None) -> FaceDataset:
    """About `n` demo faces over Training/PublicTest/PrivateTest, drawn deterministically."""
    if n < 14:
        raise ValueError("n must be at least 14 (two faces per class)")
    labels, splits = synth_labels(n)
    pixels = np.empty((len(labels), IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    for i, label in enumerate(labels):
        rng = np.random.default_rng([seed, i])
        pixels[i] = draw_face(sample_cues(int(label), rng), rng)
        if progress and i % 250 == 0:
            progress(i / len(labels), f"drawing demo faces {i:,}/{len(labels):,}")
    if progress:
        progress(1.0, "done")
    meta = {"source": f"synthetic (seed {seed})", "format": "synthetic", "skipped": 0, "converted": 0, "seed": seed}
    return make_dataset(name, pixels, labels, splits, meta)
