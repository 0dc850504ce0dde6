"""The Study page's figures: validation curves per variant (seed mean, min-max band) and the
best accuracy per variant with error bars (one standard error)."""

import plotly.graph_objects as go

PALETTE = ("#3b5bdb", "#e8590c", "#2b8a3e", "#ae3ec9", "#1098ad", "#c92a2a", "#5c940d", "#d6336c")


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def variant_curves(curves: dict[str, dict]) -> go.Figure:
    """`curves`: variant name -> {"epoch", "mean", "min", "max"} arrays (fer_core.study.results.curves)."""
    fig = go.Figure()
    for i, (name, c) in enumerate(curves.items()):
        if not len(c["epoch"]):
            continue
        colour = PALETTE[i % len(PALETTE)]
        x = list(c["epoch"])
        fig.add_scatter(
            x=x + x[::-1],
            y=list(c["max"]) + list(c["min"])[::-1],
            fill="toself",
            fillcolor=_rgba(colour, 0.15),
            line=dict(width=0),
            hoverinfo="skip",
            showlegend=False,
        )
        fig.add_scatter(x=x, y=list(c["mean"]), mode="lines+markers", name=name, line=dict(color=colour, width=2.5))
    fig.update_layout(
        xaxis_title="epoch",
        yaxis_title="validation accuracy (seed mean, band: min-max)",
        legend=dict(orientation="h", y=1.18),
        margin=dict(t=40, b=10, l=10, r=10),
        height=340,
    )
    fig.update_yaxes(tickformat=".0%")
    return fig


def best_bars(rows) -> go.Figure:
    """Best validation accuracy per variant, mean with +- one standard error."""
    done = [r for r in rows if r.best is not None]
    fig = go.Figure(
        go.Bar(
            x=[r.variant.name for r in done],
            y=[r.best.mean for r in done],
            error_y=dict(type="data", array=[0 if r.best.se != r.best.se else r.best.se for r in done], visible=True),
            marker_color=[PALETTE[i % len(PALETTE)] for i in range(len(done))],
            text=[f"{r.best.mean:.1%}" for r in done],
            textposition="inside",
        )
    )
    high = max((r.best.mean + (r.best.se if r.best.se == r.best.se else 0) for r in done), default=1.0)
    fig.update_layout(yaxis_title="best validation accuracy (± 1 SE)", margin=dict(t=20, b=10, l=10, r=10), height=320)
    # From zero: a bar cut off at 76% makes +0.5 ± 3.5 points look like a real gap.
    fig.update_yaxes(tickformat=".0%", range=[0.0, min(1.0, high + 0.05)])
    return fig
