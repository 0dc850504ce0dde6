"""Generated webcam footage: real (or demo) faces pasted on varied backgrounds, moving.
Used by the pipeline tests, the fake-camera browser test (as a .y4m file) and bench_webcam."""

import hashlib
from pathlib import Path

import cv2
import numpy as np

from fer_core.faces import detect_faces

SIZE = 150  # pixels per face in a 640x480 frame: a person about a metre from a laptop camera
EDGE = 20  # the outer faces' slots keep this far from the frame's sides
DRIFT_X, DRIFT_Y = 12, 40  # how far a face sways from its slot, in pixels


def background(rng: np.random.Generator, w: int = 640, h: int = 480) -> np.ndarray:
    """A smooth random scene (gradient + soft blobs) in RGB."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = rng.uniform(60, 190) + rng.uniform(-60, 60) * xx / w + rng.uniform(-40, 40) * yy / h
    blobs = cv2.GaussianBlur(rng.normal(0, 40, (h // 8, w // 8)).astype(np.float32), (0, 0), 2)
    gray = base + cv2.resize(blobs, (w, h))
    tint = rng.uniform(0.8, 1.2, 3)
    return np.clip(gray[..., None] * tint, 0, 255).astype(np.uint8)


def _found_alone(big: np.ndarray, x: int, y: int, rng: np.random.Generator, w: int, h: int) -> bool:
    """Found once in the frame, and once in a JPEG (quality 50) copy of it: video reaches the
    detector compressed (WebRTC's VP8 at a low bit rate while the call warms up)."""
    frame = background(rng, w, h)
    frame[y : y + SIZE, x : x + SIZE] = big[..., None]
    compressed = cv2.imdecode(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 50])[1], cv2.IMREAD_COLOR)
    return all(len(detect_faces(f).faces) == 1 for f in (frame, compressed))


_CHOSEN: dict[tuple, np.ndarray] = {}  # the search is deterministic and takes ~19 s on 2 cores: once per process


def detectable_faces(pixels: np.ndarray, k: int, seed: int = 0, w: int = 640, h: int = 480) -> np.ndarray:
    """The first k faces (48, 48) that the detector finds alone at every place `make_frames` can
    put a face (left, middle, right; top and bottom of the drift), each time on a new background.
    A borderline face (a score near the detector's threshold) is found at some places and missed at
    others, or once compressed, so a few trial places are not enough for tests that expect every
    face in every frame. Same pixels and arguments, same answer: remembered (a copy is returned)."""
    key = (hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest(), pixels.shape, k, seed, w, h)
    if key not in _CHOSEN:
        _CHOSEN[key] = _search(pixels, k, seed, w, h)
    return _CHOSEN[key].copy()


def _search(pixels: np.ndarray, k: int, seed: int, w: int, h: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    xs = (EDGE - DRIFT_X, (w - SIZE) // 2, w - SIZE - EDGE + DRIFT_X)
    places = [(x, (h - SIZE) // 2 + dy) for x in xs for dy in (-DRIFT_Y, 0, DRIFT_Y)]
    chosen = []
    for face in pixels:
        big = cv2.resize(face, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)
        if all(_found_alone(big, x, y, rng, w, h) for x, y in places):
            chosen.append(face)
            if len(chosen) == k:
                break
    return np.stack(chosen)


def make_frames(faces: np.ndarray, n_frames: int, seed: int = 0, w: int = 640, h: int = 480):
    """Frames (n, h, w, 3) with the faces side by side, drifting; backgrounds change every 10 frames.
    Also returns each frame's true boxes [(x, y, SIZE, SIZE), ...]."""
    rng = np.random.default_rng(seed)
    big = [cv2.resize(f, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC) for f in faces]
    slots = np.linspace(EDGE, w - SIZE - EDGE, len(faces)).astype(int)
    frames, boxes, bg = [], [], None
    for t in range(n_frames):
        if t % 10 == 0:
            bg = background(rng, w, h)
        frame = bg.copy()
        row = []
        for i, face in enumerate(big):
            x = int(slots[i] + DRIFT_X * np.sin(t / 6 + i))
            y = int((h - SIZE) / 2 + DRIFT_Y * np.sin(t / 9 + 2 * i))
            frame[y : y + SIZE, x : x + SIZE] = face[..., None]
            row.append((x, y, SIZE, SIZE))
        frames.append(frame)
        boxes.append(row)
    return np.stack(frames), boxes


def write_y4m(frames: np.ndarray, path: Path, fps: int = 15) -> Path:
    """RGB frames -> a YUV4MPEG2 (I420) file, the format Chromium's fake camera plays."""
    n, h, w, _ = frames.shape
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            f.write(b"FRAME\n")
            f.write(cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path
