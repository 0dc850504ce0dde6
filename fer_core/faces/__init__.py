"""The face pipeline, from a photo or a camera frame to the model's 48x48 faces: find faces
(`detect`, YuNet), frame each as FER2013 does (`align`), both in `pipeline`; reading and drawing
images (`images`); the live loop that classifies faces frame after frame (`live`)."""

from fer_core.faces.images import draw_boxes, draw_faces, read_image, to_gray
from fer_core.faces.pipeline import Detection, Face, NoFaceFound, detect_faces, face_from_photo

__all__ = ["Detection", "Face", "NoFaceFound", "detect_faces", "draw_boxes", "draw_faces", "face_from_photo", "read_image", "to_gray"]
