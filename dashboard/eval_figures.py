"""Figures and HTML for the Evaluate page (pure functions: no streamlit here)."""

import base64
import html
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from fer_core.data.ferplus import VOTE_COLUMNS, describe
from fer_core.evaluate import row_normalised
from fer_core.faces import draw_boxes
from fer_core.labels import FERPLUS_CLASSES, classes_for

SHORT = ("angry", "disgust", "fear", "happy", "sad", "surpr.", "neutral", "contempt")  # labels.FERPLUS_CLASSES, short


def confusion_scatter(cm: np.ndarray, normalised: bool, selected: tuple[int, int] | None = None) -> go.Figure:
    """The confusion matrix as a grid of square markers (clickable: heatmaps emit no selection
    in Streamlit). x: predicted, y: true (angry on top); the number in each cell."""
    rates = row_normalised(cm)
    n = len(cm)
    classes = classes_for(n)
    t, p = np.divmod(np.arange(n * n), n)  # cell k = (true t[k], predicted p[k])
    colour = rates[t, p]  # colour by row share in both views: counts of a big class would drown the rest
    text = [f"{rates[a, b]:.0%}" if normalised else f"{cm[a, b]}" for a, b in zip(t, p)]
    fig = go.Figure()
    fig.add_scatter(
        x=[classes[b] for b in p],
        y=[classes[a] for a in t],
        mode="markers+text",
        text=text,
        customdata=np.stack([t, p, cm[t, p], rates[t, p]], 1),
        marker=dict(
            symbol="square",
            size=54,
            color=colour,
            colorscale="Blues",
            cmin=0,
            cmax=1,
            line=dict(width=1, color="#dee2e6"),
            colorbar=dict(title="row share", tickformat=".0%", thickness=12),
        ),
        textfont=dict(color=["white" if c > 0.55 else "#212529" for c in colour], size=13),
        hovertemplate="true %{y}, predicted %{x}<br>%{customdata[2]} faces (%{customdata[3]:.1%} of %{y})<extra>click to see them</extra>",
        selected=dict(marker=dict(opacity=1)),
        unselected=dict(marker=dict(opacity=1)),
    )
    if selected is not None:
        fig.add_scatter(
            x=[classes[selected[1]]],
            y=[classes[selected[0]]],
            mode="markers",
            hoverinfo="skip",
            marker=dict(symbol="square-open", size=58, color="#e8590c", line=dict(width=3)),
        )
    fig.update_xaxes(title="predicted", categoryorder="array", categoryarray=list(classes), side="top", showgrid=False)
    fig.update_yaxes(title="true", categoryorder="array", categoryarray=list(classes)[::-1], showgrid=False)
    fig.update_layout(
        width=590,
        height=520,
        margin=dict(t=60, b=10, l=10, r=10),
        showlegend=False,
        plot_bgcolor="white",
        clickmode="event+select",
        dragmode=False,
    )
    return fig


def change_matrix(changes: np.ndarray, name_a: str, name_b: str) -> go.Figure:
    """Where two models disagree: A's prediction (rows) against B's (columns)."""
    fig = go.Figure(
        go.Heatmap(
            z=changes,
            x=list(classes_for(len(changes))),
            y=list(classes_for(len(changes))),
            colorscale="Oranges",
            text=changes,
            texttemplate="%{text}",
            hovertemplate=f"{name_a}: %{{y}}<br>{name_b}: %{{x}}<br>%{{z}} faces<extra></extra>",
        )
    )
    fig.update_yaxes(title=f"A ({name_a}) predicts", autorange="reversed")
    fig.update_xaxes(title=f"B ({name_b}) predicts", side="top")
    fig.update_layout(height=420, margin=dict(t=60, b=10, l=10, r=10))
    return fig


def face_png(face: np.ndarray, size: int) -> str:
    """A (48, 48) uint8 face as a data: URI PNG, upscaled smoothly to size x size."""
    buf = io.BytesIO()
    Image.fromarray(face).resize((size, size), Image.BICUBIC).save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def photo_uri(ds, row: int, width: int) -> str:
    """Data-set row `row`'s source photo (a photo set) with the face's box drawn, as a data: URI JPEG
    at most `width` px wide."""
    photo = draw_boxes(ds.photos.photo(row), [tuple(int(v) for v in ds.photos.boxes[row])])
    h, w = photo.shape[:2]
    img = Image.fromarray(photo)
    if w > width:
        img = img.resize((width, max(1, round(h * width / w))), Image.BILINEAR)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()


def source_photo_html(ds, row: int, width: int, named: bool = True) -> str:
    """The source photo and, if `named`, its name, for a face of a photo set; "" for any other data
    set. Unnamed in guess-first mode: the name starts with the emotion's folder."""
    if ds.photos is None:
        return ""
    name = html.escape(ds.photos.names[row]) if named else f"photo of face #{row}"
    caption = f'<div class="vt src-name">{name}</div>' if named else ""
    return f'<img class="src" src="{photo_uri(ds, row, width)}" alt="{name}" title="{name}">{caption}'


def prob_bars(probs: np.ndarray, true: int | None, pred: int | None) -> str:
    """A bar per class; the true class green, a wrong prediction red."""
    rows = []
    for k, p in enumerate(probs):
        # no true label (a webcam face): the answer in blue; else true green, a wrong answer red
        colour = "#2f9e44" if k == true else ("#1c7ed6" if true is None else "#e03131") if k == pred else "#adb5bd"
        rows.append(
            f'<div class="pb"><span>{SHORT[k]}</span><div class="pbar"><div style="width:{100 * p:.1f}%;background:{colour}"></div></div>'
            f"<span>{100 * p:.0f}%</span></div>"
        )
    return "".join(rows)


# One colour per FER+ vote column (neutral .. contempt, unknown, not a face).
VOTE_COLOURS = ("#adb5bd", "#f59f00", "#ae3ec9", "#1c7ed6", "#e03131", "#2f9e44", "#7048e8", "#e8590c", "#dee2e6", "#343a40")


def vote_bar(votes: np.ndarray) -> str:
    """FER+'s ten votes as one stacked bar, with the votes in words under it."""
    segs = "".join(
        f'<div title="{n} {name}" style="width:{10 * n}%;background:{c}"></div>'
        for n, name, c in zip(votes, VOTE_COLUMNS, VOTE_COLOURS, strict=True)
        if n
    )
    return f'<div class="vb">{segs}</div><div class="vt">votes: {html.escape(describe(votes))}</div>'


GALLERY_CSS = """<style>
.vb{display:flex;height:9px;border-radius:2px;overflow:hidden;margin:5px 0 2px}.vb div{height:9px}
.vt{color:#495057;line-height:13px}
.fg{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.fc{border:1px solid #dee2e6;border-radius:8px;padding:6px;font:11px sans-serif;color:#343a40}
.fc img{width:100%;border-radius:4px;display:block}
.fc .cap{display:flex;justify-content:space-between;margin:4px 0}
.pb{display:grid;grid-template-columns:44px 1fr 30px;align-items:center;gap:4px;line-height:13px}
.pbar{background:#f1f3f5;height:8px;border-radius:2px}.pbar div{height:8px;border-radius:2px}
.fc a{color:#1c7ed6;text-decoration:none}
.fc img.src{margin-top:4px;width:auto;max-width:100%;max-height:160px}.src-name{overflow-wrap:anywhere}
.wk .pb{line-height:24px;grid-template-columns:70px 1fr 44px}.wk .pbar,.wk .pbar div{height:14px}
</style>"""


def gallery_html(
    faces: np.ndarray,
    probs: np.ndarray,
    labels: np.ndarray,
    rows: np.ndarray,
    links: list[dict[str, str]],
    votes: np.ndarray | None = None,
    photos: list[str] | None = None,
) -> str:
    """Cards of faces (K, 48, 48) with their probabilities (K, 7), true labels, data-set rows,
    per-card links ({"text": href}) to the walkthrough or Explain page, FER+ votes (K, 10) if any,
    and each face's source photo (source_photo_html) for a photo set."""
    cards = []
    for i, (face, pr, y, row, link) in enumerate(zip(faces, probs, labels, rows, links, strict=True)):
        photo = photos[i] if photos else ""
        ballot = vote_bar(votes[i]) if votes is not None else ""
        pred = int(pr.argmax())
        anchors = " · ".join(f'<a href="{html.escape(href)}" target="_self">{html.escape(text)}</a>' for text, href in link.items())
        cards.append(
            f'<div class="fc" data-row="{int(row)}"><img src="{face_png(face, 160)}" alt="face {int(row)}">'
            f'<div class="cap"><b>#{int(row)}</b><span>{FERPLUS_CLASSES[pred]} {pr[pred]:.0%}</span></div>'
            f"{photo}{prob_bars(pr, int(y), pred)}{ballot}<div class='cap'>{anchors}</div></div>"
        )
    return GALLERY_CSS + f'<div class="fg">{"".join(cards)}</div>'
