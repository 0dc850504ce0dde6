"""RETIRED (issue 43): the Webcam page's server path, kept to measure against the in-browser page
(bench/bench_webcam_browser.py runs both in one invocation). Every camera frame went to the server
over WebRTC (streamlit-webrtc, aiortc), which found, aligned and labelled the faces and sent the
video back. It needs `pip install streamlit-webrtc`, no longer in requirements.txt.

    streamlit run bench/retired_webcam_server.py   (from the repository root)

Each frame: faces found (YuNet), each aligned by its eyes, cropped, grayscale, 48x48, the model;
boxes and labels drawn on the video. The frame callback runs in its own thread and hands results
to the page through a lock (never st.* in the callback)."""

import io
import os
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "dashboard"))  # the app's page helpers

import av
import numpy as np
import streamlit as st
from eval_figures import GALLERY_CSS, prob_bars
from explain_figures import big, probability_bars
from links import send_face
from models import pick_model
from PIL import Image
from streamlit_webrtc import WebRtcMode, webrtc_streamer
from ui import camera_blocked

from fer_core.faces import read_image
from fer_core.faces.live import FacePrediction, annotate, one_torch_thread, predict_faces
from fer_core.handle.loaded import LoadedModel
from fer_core.handle.store import face_model, face_model_note


@dataclass
class LiveState:
    """Shared between the frame thread (writes) and the page (reads)."""

    smoothing: int = 8  # frames averaged for the steady emotion
    lock: threading.Lock = field(default_factory=threading.Lock)
    latest: list[FacePrediction] = field(default_factory=list)
    history: deque = field(default_factory=lambda: deque(maxlen=8))
    frames: int = 0
    frame_ms: deque = field(default_factory=lambda: deque(maxlen=30))

    def push(self, preds: list[FacePrediction], ms: float) -> None:
        with self.lock:
            self.latest = preds
            if preds:  # the largest face's probabilities feed the smoothed emotion
                if self.history.maxlen != self.smoothing:
                    self.history = deque(self.history, maxlen=self.smoothing)
                self.history.append(preds[0].probs)
            self.frames += 1
            self.frame_ms.append(ms)

    def snapshot(self) -> dict:
        """A consistent copy for the page: faces, smoothed probabilities, timing."""
        with self.lock:
            smoothed = np.mean(self.history, axis=0) if self.history else None
            ms = float(np.median(self.frame_ms)) if self.frame_ms else None
            return {"faces": list(self.latest), "smoothed": smoothed, "frames": self.frames, "ms": ms}


class FrameProcessor:
    """The callable the webcam stream calls per frame: RGB (H, W, 3) -> annotated RGB."""

    def __init__(self, model: LoadedModel, state: LiveState):
        self.model, self.state = model, state

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        t0 = time.perf_counter()
        with one_torch_thread():
            preds = predict_faces(self.model, rgb, live=True)
        out = annotate(rgb, preds)
        self.state.push(preds, (time.perf_counter() - t0) * 1000)
        return out


st.set_page_config(page_title="Webcam (server path, retired)", layout="wide")
st.title("Webcam")
c = st.columns([3, 2, 2])
model = pick_model("wc_model", container=c[0], first=(start := face_model()))
if model is None:
    st.stop()
if st.session_state.wc_model == start:  # the page's own choice: say why
    st.caption(face_model_note(start))
smoothing = c[1].slider("Smooth over frames", 1, 30, 8, key="wc_smooth", help="The steady emotion averages this many recent frames.")
STUN_HELP = "Off by default so the demo works with no internet. A deployed app needs one, e.g. stun:stun.example.org:3478."
stun = c[2].text_input(
    "STUN server (when deployed)",
    os.environ.get("FER_STUN_SERVER", ""),
    key="wc_stun",
    help=STUN_HELP,
    placeholder="none: localhost and LAN",
)


def processor() -> tuple[FrameProcessor, LiveState]:
    """One per session and model; the frame thread only ever sees these objects, never st.*."""
    key = ("wc_proc", model.run_id, model.digest)
    if st.session_state.get("wc_key") != key:
        state = LiveState()
        st.session_state.wc_key, st.session_state.wc_proc = key, (FrameProcessor(model, state), state)
    return st.session_state.wc_proc


proc, state = processor()
state.smoothing = smoothing


def on_frame(frame: av.VideoFrame) -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(proc(frame.to_ndarray(format="rgb24")), format="rgb24")


if why := camera_blocked():  # neither live video nor a snapshot can have a camera here
    st.warning(why, icon=":material/no_photography:")
    st.stop()
live, panel = st.columns([3, 2])
with live:
    ctx = webrtc_streamer(
        key="webcam",
        mode=WebRtcMode.SENDRECV,
        rtc_configuration={"iceServers": [{"urls": [stun]}] if stun else []},  # no outside server unless asked
        media_stream_constraints={"video": {"width": 640, "height": 480}, "audio": False},
        video_frame_callback=on_frame,
        async_processing=True,
    )
    st.caption(
        "Press START and allow the camera. If the browser blocks it, allow it from the address bar, or use "
        "**Snapshot mode** below. Nothing is recorded or stored."
    )


# Poll only while playing: while signalling, the component sends its SDP offer and ICE candidates
# as quick successive values, and a timed fragment rerun at that moment can drop one (the call
# then never connects; seen in CI).
@st.fragment(run_every=0.5 if ctx.state.playing else None)
def live_panel() -> None:
    if not ctx.state.playing:
        st.info("The live view starts when you press START.")
        return
    snap = state.snapshot()
    if not snap["frames"]:
        st.info("Waiting for the first frames... (no picture? check the camera permission)")
        return
    faces = snap["faces"]
    fps = 1000 / snap["ms"] if snap["ms"] else 0
    st.caption(f"{snap['frames']} frames · {snap['ms']:.0f} ms per frame (median) for detection, alignment and model (~{fps:.0f} frames/s)")
    if not faces:
        st.warning("No face in view. Face the camera, with light on your face; very small or turned faces are missed.")
        return
    st.markdown(f"**Detected {len(faces)} face{'s' if len(faces) > 1 else ''}**")
    if snap["smoothed"] is not None:
        k = int(snap["smoothed"].argmax())
        st.markdown(f"### Steady emotion: {model.classes[k]} ({snap['smoothed'][k]:.0%})")
        # HTML bars, not a plotly chart: they redraw twice a second without flicker
        st.html(GALLERY_CSS + f'<div class="fc wk" style="font-size:14px">{prob_bars(snap["smoothed"], None, k)}</div>')
    st.markdown("**What the model sees** (largest face): the box, the aligned 48x48 face, the answer")
    a, b = st.columns(2)
    a.image(big(model.sees(faces[0].face48), 160), caption=f"48x48 input -> {faces[0].label}")  # equalised if the model is
    if b.button("Explain this face", icon=":material/center_focus_strong:", key="wc_explain"):
        send_face(faces[0].face48)


with panel:
    live_panel()

st.divider()
st.subheader("Snapshot mode")
st.caption("When live video cannot connect (a firewall, no WebRTC): take one picture; every face in it is labelled.")
shot = st.camera_input("Take a snapshot", key="wc_snapshot")
if shot is not None:
    rgb = read_image(shot.getvalue(), "the snapshot")
    preds = predict_faces(model, rgb)
    if not preds:
        st.warning("No face found in the snapshot. Face the camera in good light and try again.")
    else:
        s = st.columns([3, 2])
        s[0].image(annotate(rgb, preds), caption=f"{len(preds)} face(s)", width="stretch")
        with s[1]:
            for i, p in enumerate(preds):
                st.image(big(model.sees(p.face48), 128), caption=f"face {i + 1}: {p.label}")
            st.plotly_chart(probability_bars(preds[0].probs), width="stretch", config={"displayModeBar": False}, key="wc_snap_bars")
            if st.button("Explain this face", key="wc_snap_explain"):
                send_face(preds[0].face48)
            buf = io.BytesIO()
            Image.fromarray(preds[0].face48).save(buf, format="PNG")
            st.download_button("Save the 48x48 face", buf.getvalue(), file_name="face48.png", mime="image/png", key="wc_save")
