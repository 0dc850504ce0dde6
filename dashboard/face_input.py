"""Where a face to explain comes from: the data set, an uploaded photo, a webcam snapshot, or a
face sent by another page (Evaluate's gallery link, the Webcam page). Photos go through the
same face pipeline as the webcam (detect, align by the eyes, crop, 48x48), and each step is shown."""

import numpy as np
import streamlit as st
from explain_figures import big
from links import ExplainLink, clear_sent_face, sent_face
from ui import camera_blocked, pick_dataset

from fer_core.faces import NoFaceFound, draw_faces, face_from_photo, read_image
from fer_core.faces.images import crop_with_landmarks
from fer_core.labels import SPLITS

SOURCES = ("Data-set face", "Upload a photo", "Webcam snapshot")


def _from_url_once() -> None:
    if st.session_state.get("ex_url_read"):
        return
    st.session_state.ex_url_read = True
    link = ExplainLink.from_params(st.query_params)
    if link.data:
        st.session_state.ex_data = link.data
    if link.row is not None:
        st.session_state.ex_row = link.row
        st.session_state.ex_source = SOURCES[0]


def _photo_face(data: bytes, name: str):
    try:
        image = read_image(data, name)
    except ValueError as exc:
        st.error(str(exc))
        return None
    try:
        face, det = face_from_photo(image, name)
    except NoFaceFound as exc:
        st.warning(str(exc))
        st.image(image, caption=name, width=320)
        return None
    cols = st.columns(4)
    found = f"{len(det.faces)} face{'s' * (len(det.faces) != 1)} found; the largest is explained"
    cols[0].image(draw_faces(image, det.faces), caption=f"1. detect: {found} (box, eyes, nose, mouth)", width="stretch")
    cols[1].image(draw_faces(image, [face], aligned=True), caption="2. align: eyes level, framed as FER2013 frames faces", width="stretch")
    cols[2].image(crop_with_landmarks(face), caption="3. crop, grayscale: the eyes level", width="stretch")
    cols[3].image(big(face.face48, 192), caption="4. 48x48: what the model sees", width="stretch")
    return face.face48


def pick_face():
    """Returns (face (48, 48) uint8, description, true label or None), or (None, ..) when none yet."""
    _from_url_once()
    if (sent := sent_face()) is not None:  # from the Webcam page
        st.info("The face sent from the Webcam page.")
        if st.button("Pick another face", key="ex_clear_sent"):
            clear_sent_face()
            st.rerun()
        return sent, "a webcam face", None
    source = st.segmented_control("Face from", SOURCES, default=SOURCES[0], key="ex_source") or SOURCES[0]
    if source == SOURCES[1]:
        up = st.file_uploader("A photo with a face", type=["png", "jpg", "jpeg"], key="ex_upload")
        return (_photo_face(up.getvalue(), up.name), up.name, None) if up else (None, "", None)
    if source == SOURCES[2]:
        if why := camera_blocked():
            st.warning(why, icon=":material/no_photography:")
            return None, "", None
        snap = st.camera_input("Take a snapshot", key="ex_camera")
        return (_photo_face(snap.getvalue(), "the snapshot"), "a webcam snapshot", None) if snap else (None, "", None)
    c = st.columns([2, 2, 2, 2])
    with c[0]:
        info, ds = pick_dataset(key="ex_data")
    if ds is None:
        return None, "", None
    row = st.session_state.get("ex_row")
    if row is not None and 0 <= row < len(ds) and ds.labels[row] < len(ds.classes):  # a face sent by link: its split and class
        st.session_state.ex_split = SPLITS[int(ds.splits[row])]
        st.session_state.ex_class = ds.classes[int(ds.labels[row])]
    split = c[1].selectbox("Split", [s for s in SPLITS if sum(info.counts.get(s, {}).values())], key="ex_split")
    cls = c[2].selectbox("Class", ds.classes, key="ex_class")
    rows = np.flatnonzero((ds.splits == SPLITS.index(split)) & (ds.labels == ds.classes.index(cls)))
    if not len(rows):
        st.info(f"No {cls} faces in {split}.")
        return None, "", None
    if row is not None and row in rows:
        st.session_state.ex_index = int(np.flatnonzero(rows == row)[0])
    st.session_state.ex_row = None
    if not 0 <= st.session_state.get("ex_index", 0) < len(rows):
        st.session_state.ex_index = 0
    k = c[3].number_input(f"Index (0-{len(rows) - 1})", 0, len(rows) - 1, key="ex_index")
    row = int(rows[k])
    st.query_params.update(ExplainLink(data=ds.name, row=row).params())
    return ds.pixels[row], f"{ds.name} row #{row} ({split}, {cls})", ds.classes.index(cls)
