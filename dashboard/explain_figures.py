"""Plotly figures for the Explain and Filters pages (pure functions: no streamlit here)."""

import numpy as np
import plotly.graph_objects as go

from fer_core.explain.render import big, overlay, signed_grid, stretch
from fer_core.labels import classes_for

__all__ = ["big", "overlay", "probability_bars", "signed_grid", "stretch"]


def probability_bars(probs: np.ndarray, compare: np.ndarray | None = None, names=("now", "before")) -> go.Figure:
    """Horizontal bars of the model's class probabilities (and, if given, a second set to compare)."""
    classes = list(classes_for(len(probs)))
    fig = go.Figure()
    if compare is not None:
        fig.add_bar(y=classes, x=compare, orientation="h", name=names[1], marker_color="#ced4da")
    fig.add_bar(
        y=classes,
        x=probs,
        orientation="h",
        name=names[0],
        marker_color="#1c7ed6",
        text=[f"{p:.0%}" for p in probs],
        textposition="outside",
    )
    fig.update_xaxes(range=[0, 1.15], tickformat=".0%")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        height=260,
        margin=dict(t=10, b=10, l=10, r=10),
        barmode="group",
        showlegend=compare is not None,
        legend=dict(orientation="h", y=-0.15),
    )
    return fig
