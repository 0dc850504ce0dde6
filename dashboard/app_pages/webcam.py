"""Webcam: live emotion recognition in the student's own browser. The camera's frames never leave
their machine: the face detector, the alignment and the model run there (browser_webcam.py), and
only a face the student sends to Explain comes back to the server."""

import streamlit as st
from browser_webcam import live_webcam
from links import send_face
from models import pick_model
from ui import camera_blocked

from fer_core.handle.store import face_model, face_model_note

st.title("Webcam")
c = st.columns([3, 2, 2])
model = pick_model("wc_model", container=c[0], first=(start := face_model()))
if model is None:
    st.stop()
if st.session_state.wc_model == start:  # the page's own choice: say why
    st.caption(face_model_note(start))
smoothing = c[1].slider("Smooth over frames", 1, 30, 8, key="wc_smooth", help="The steady emotion averages this many recent frames.")
cam = c[2].toggle(
    "What it looks at",
    key="wc_cam",
    help="Colour each face by where the model looked for its answer: its class activation map, the last layer's maps "
    "weighted by the answer's row of the final layer (exact for these networks, which end in average pooling).",
)
if why := camera_blocked():  # the browser gives no camera to this page
    st.warning(why, icon=":material/no_photography:")
    st.stop()
st.caption(
    "Press **Start the camera** and allow it. Everything runs in this browser: the video is not sent anywhere, "
    "and nothing is recorded or stored."
)
if (face := live_webcam(model, smoothing, cam)) is not None:
    send_face(face, st.session_state.wc_model)  # Explain opens on the model that labelled it
