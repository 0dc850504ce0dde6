"""The Data page's Votes tab: how FER+'s ten annotators agree on a data set's faces."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from fer_core.data.ferplus import (
    EMOTION_VOTES,
    VOTE_COLUMNS,
    VOTERS,
    describe,
    most_disputed,
    vote_summary,
)
from fer_core.labels import CLASSES, SPLITS
from fer_core.previews import montage


def _agreement_chart(counts: np.ndarray) -> go.Figure:
    fig = go.Figure(go.Bar(x=[f"{k} of 10" for k in range(1, VOTERS + 1)], y=counts, marker_color="#3b5bdb"))
    fig.update_layout(
        xaxis_title="annotators who chose the face's most chosen emotion", yaxis_title="faces", height=300, margin=dict(t=10, b=10)
    )
    return fig


def _confusion_chart(matrix: np.ndarray) -> go.Figure:
    names = VOTE_COLUMNS[:EMOTION_VOTES]
    fig = go.Figure(go.Heatmap(z=matrix * 100, x=list(names), y=list(names), colorscale="Blues", texttemplate="%{z:.0f}%", showscale=False))
    fig.update_layout(xaxis_title="the other annotators chose", yaxis_title="most annotators chose", yaxis_autorange="reversed")
    fig.update_layout(height=380, margin=dict(t=10, b=10))
    return fig


def _label(ds, row: int) -> dict:
    """The face's FER2013 label, or, for a data set without them, that it has none."""
    if ds.has_fer2013_labels:
        return {"FER2013 label": CLASSES[ds.labels[row]]}
    return {"FER2013 label": "unavailable"}


def votes_tab(ds) -> None:
    if ds.votes is None:
        st.info(
            "This data set has no FER+ votes. FER+ (Barsoum et al. 2016) had ten annotators label every FER2013 face again: "
            "import `fer2013.csv` with its `fer2013new.csv` (the Import tab, or `fer data import fer2013.csv --ferplus fer2013new.csv`)."
        )
        return
    present = [s for s in SPLITS if len(ds.split_indices(s))]
    split = st.segmented_control("Split", present, default=present[0], key="votes_split") or present[0]
    rows = ds.split_indices(split)
    v = vote_summary(ds.votes[rows], ds.labels[rows])
    c = st.columns(5)
    c[0].metric("Faces", f"{v['faces']:,}")
    c[1].metric("Not a face", f"{v['not_a_face']:,}", help="most annotators said the image is not a face")
    c[2].metric("Clear majority", f"{v['clear_majority']:.0%}", help="more than half of the emotion votes on one emotion")
    if ds.has_fer2013_labels:
        c[3].metric("FER2013 = majority", f"{v['label_is_majority']:.0%}", help="FER2013's label is the majority, of the faces with one")
    else:
        c[3].metric("FER2013 = majority", "unavailable", help="the FERPlus folders carry only the ten votes: no FER2013 label")
    c[4].metric("Human baseline", f"{v['annotators']['agreement']:.0%}", help="how often one annotator agrees with the others' majority")
    left, right = st.columns(2)
    with left:
        st.markdown("**How much the annotators agree**")
        st.plotly_chart(_agreement_chart(v["faces_by_top_votes"]), key="votes_agree")
    with right:
        st.markdown("**Which emotions they confuse**")
        st.plotly_chart(_confusion_chart(v["confusion"]), key="votes_confusion")
    st.markdown("**The most disputed faces**")
    disputed = most_disputed(ds.votes, rows, 10)
    st.image(montage(ds.pixels[disputed], cols=10, scale=2))
    st.dataframe(
        [{"face": int(r), **_label(ds, r), "votes": describe(ds.votes[r])} for r in disputed],
        hide_index=True,
    )
