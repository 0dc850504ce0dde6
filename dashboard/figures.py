"""Plotly figures for the pages (no streamlit here: pure functions, easy to test)."""

import numpy as np
import plotly.graph_objects as go

from fer_core.labels import classes_for

SPLIT_COLOURS = {"Training": "#3b5bdb", "PublicTest": "#f08c00", "PrivateTest": "#2b8a3e"}
CLASS_COLOURS = ("#e03131", "#2f9e44", "#7048e8", "#f59f00", "#1c7ed6", "#d6336c", "#868e96", "#e8590c")  # FERPLUS_CLASSES


def class_distribution(counts: dict[str, dict[str, int]], share: bool = False) -> go.Figure:
    """Grouped bars: images per class for each split (or each split's share in %); the classes are
    the data set's (FaceDataset.counts)."""
    fig = go.Figure()
    classes = list(next(iter(counts.values()), {}))
    for split, per in counts.items():
        values = np.array([per.get(c, 0) for c in classes], float)
        total = values.sum() or 1
        y = values / total * 100 if share else values
        fig.add_bar(
            name=split,
            x=classes,
            y=y,
            marker_color=SPLIT_COLOURS.get(split),
            text=[f"{v:.1f}%" if share else f"{int(v):,}" for v in y],
            textposition="outside",
            hovertemplate="%{x}: %{y:,.1f}" + ("%" if share else "") + f"<extra>{split}</extra>",
        )
    fig.update_layout(
        barmode="group",
        yaxis_title="share of split (%)" if share else "images",
        legend=dict(orientation="h", y=1.12),
        margin=dict(t=40, b=10, l=10, r=10),
        height=380,
    )
    return fig


def intensity_histogram(hist: np.ndarray, per_class: bool) -> go.Figure:
    """Pixel-value distribution: (C, 256) counts, summed or one density line per class."""
    x = np.arange(256)
    fig = go.Figure()
    if per_class:
        for c, name in enumerate(classes_for(len(hist))):
            total = hist[c].sum()
            if total:
                fig.add_scatter(x=x, y=hist[c] / total, mode="lines", name=name, line=dict(color=CLASS_COLOURS[c], width=1.5))
        fig.update_layout(yaxis_title="density")
    else:
        fig.add_bar(x=x, y=hist.sum(0), marker_color="#495057", marker_line_width=0, name="all")
        fig.update_layout(yaxis_title="pixels", bargap=0)
    fig.update_layout(xaxis_title="pixel value (0 = black, 255 = white)", margin=dict(t=20, b=10, l=10, r=10), height=320)
    return fig


def face_means(preview: dict[str, dict]) -> go.Figure:
    """Box plot of per-face mean value under each normalisation."""
    fig = go.Figure()
    for mode, p in preview.items():
        fig.add_box(y=p["face_means"], name=mode.replace("_", "-"), boxpoints="all", jitter=0.4)
    fig.update_layout(yaxis_title="mean of each face after normalising", showlegend=False, height=300, margin=dict(t=20, b=10, l=10, r=10))
    return fig


def training_curves(runs: dict[str, list[dict]], metric: str, show_train: bool = True) -> go.Figure:
    """Loss or accuracy against epoch: train (every few steps, thin) and val (per epoch, markers)."""
    fig = go.Figure()
    palette = ("#3b5bdb", "#e8590c", "#2b8a3e", "#ae3ec9", "#1098ad", "#c92a2a", "#5c940d", "#d6336c")
    for i, (label, records) in enumerate(runs.items()):
        colour = palette[i % len(palette)]
        steps = [r for r in records if r["kind"] == "step"]
        epochs = [r for r in records if r["kind"] == "epoch"]
        prefix = f"{label} · " if len(runs) > 1 else ""
        if show_train and steps:
            fig.add_scatter(
                x=[r["epoch"] for r in steps],
                y=[r[f"train_{metric}"] for r in steps],
                mode="lines",
                name=f"{prefix}train",
                line=dict(color=colour, width=1.2, dash="dot"),
            )
        if epochs:
            fig.add_scatter(
                x=[r["epoch"] for r in epochs],
                y=[r[f"val_{metric}"] for r in epochs],
                mode="lines+markers",
                name=f"{prefix}val",
                line=dict(color=colour, width=2.5),
            )
    fig.update_layout(
        xaxis_title="epoch",
        yaxis_title="accuracy" if metric == "acc" else "cross-entropy loss",
        legend=dict(orientation="h", y=1.15),
        margin=dict(t=40, b=10, l=10, r=10),
        height=330,
    )
    if metric == "acc":
        fig.update_yaxes(tickformat=".1%")
    if not fig.data:  # nothing yet: plotly's default axes would read -100% to 400%
        fig.update_xaxes(range=[0, 1])
        fig.update_yaxes(range=[0, 1] if metric == "acc" else [0, 2.5])
        fig.add_annotation(text="No epoch yet: the curves appear as it trains", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return fig


def architecture_diagram(rows) -> go.Figure:
    """Block diagram: input, each conv stage, flatten, each FC layer, head; box size shows the shape."""
    blocks = [("input", (1, 48, 48))]
    for r in rows:  # one block per top-level module; its shape is the one after its last layer
        top = r.name.split(".")[0]
        if blocks[-1][0] == top:
            blocks[-1] = (top, r.out_shape)
        else:
            blocks.append((top, r.out_shape))
    fig, x = go.Figure(), 0.0
    for i, (name, shape) in enumerate(blocks):
        if len(shape) == 3:
            c, h, _ = shape
            width, height = 0.6 + np.log2(c + 1) * 0.25, 0.6 + h / 48 * 2.4
            colour = "#4c6ef5" if name.startswith("stage") else "#adb5bd"
        else:
            width, height, colour = 0.5, 0.6 + min(np.log2(shape[0] + 1) / 13, 1) * 2.4, "#f59f00" if name != "head" else "#e03131"
        fig.add_shape(type="rect", x0=x, x1=x + width, y0=-height / 2, y1=height / 2, fillcolor=colour, opacity=0.85, line_width=0)
        label = "x".join(map(str, shape))
        fig.add_annotation(x=x + width / 2, y=height / 2 + 0.25, text=f"<b>{name}</b><br>{label}", showarrow=False, font=dict(size=11))
        if i < len(blocks) - 1:
            fig.add_annotation(
                x=x + width + 0.45,
                y=0,
                ax=x + width + 0.05,
                ay=0,
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=2,
                arrowwidth=1.5,
                text="",
            )
        x += width + 0.5
    fig.update_xaxes(visible=False, range=[-0.2, x])
    fig.update_yaxes(visible=False, range=[-1.9, 2.4])
    fig.update_layout(height=260, margin=dict(t=10, b=10, l=10, r=10), plot_bgcolor="white", showlegend=False)
    return fig
