"""Home: what is here, what to do next, and a link to every page."""

import streamlit as st
from nav import HOME, PAGES

from fer_core.executor import get_executor
from fer_core.handle.store import FERPLUS, has_default
from fer_core.labels import SPLITS
from fer_core.overview import lab_overview
from fer_core.train import RunError
from fer_core.train.executor_settings import RAY_ADDRESS_ENV

st.title("FER Lab")
st.markdown(
    "A visual lab for **facial-expression CNNs** on FER2013: 48x48 grayscale faces, seven emotions "
    "(angry, disgust, fear, happy, sad, surprise, neutral), and FER+'s ten annotators' votes on every face, with "
    "contempt as an eighth. Import the data, look at it, and see what "
    "normalisation and augmentation do, train CNNs and watch them learn, open the confusion matrix onto "
    "the faces, see what the network looks at, and try it live on a webcam, all offline."
)

ov = lab_overview()
c1, c2, c3, c4 = st.columns(4)
c1.metric("Data sets", len(ov.datasets))
c2.metric("Faces", f"{sum(d.n for d in ov.datasets):,}")
c3.metric("Trained models", ov.runs)
c4.metric("Compute", "GPU" if ov.gpu else "CPU", help=ov.device)
st.caption(f"Compute: {ov.device} · data in `{ov.data_dir}` · runs in `{ov.checkpoints_dir}`")
try:
    ex = get_executor().describe()
    if ex["executor"] == "ray":
        st.caption(
            f"Runs train on the **Ray cluster** at `{ex['address']}`: {len(ex['nodes'])} nodes, {ex['cpus']:g} CPUs, {ex['gpus']:g} GPUs. "
            f"Every node must see the run store `{ex['store']}` and the data `{ex['data']}` (a shared filesystem)."
        )
    else:
        st.caption(f"Runs train on this machine ({ex['queues']}); set `{RAY_ADDRESS_ENV}` to train on a Ray cluster.")
except RunError as exc:  # an unreachable cluster: say so, change nothing
    st.error(str(exc))

st.subheader("Data sets")
if ov.datasets:
    rows = [
        {"name": d.name, "faces": d.n, **{s: sum(d.counts.get(s, {}).values()) for s in SPLITS}, "format": d.format, "source": d.source}
        for d in ov.datasets
    ]
    st.dataframe(rows, hide_index=True)
else:
    st.info("No data set yet.")

has_fer = any(d.format != "synthetic" for d in ov.datasets)
st.subheader("What to do next")
steps = []
if not has_fer:
    steps.append(
        "**Bring FER2013.** On the Data page, upload `fer2013.csv` (plain, .gz, .xz or zipped) or the Kaggle "
        "image-folder zip, or give its path on this machine. Or from a shell: `fer data import fer2013.csv`. "
        "Until then the offline **demo faces** stand in, so every page works."
    )
steps += [
    "**Look at the data** on the Data page: class balance (disgust is rare), sample faces per class, pixel histograms.",
    "**Compare normalisation and augmentation** on the same faces (Data page, last tabs): the homework's question, made visible.",
    "**Train a CNN** on the Train page: a preset from the homework reports or your own layers, live loss and accuracy "
    "curves, stop and resume; train again with augmentation off and overlay the two runs.",
    "**Evaluate** it: click a cell of the confusion matrix (say true sad, predicted neutral) to see those faces, "
    "then walk the class through them in guess-first mode; compare two models on the same faces.",
    "**Explain** a face (six saliency maps, occlusion) and look at the **Filters**; then try the **Webcam**"
    + (" with the shipped FER+ model." if has_default(FERPLUS) else " with the shipped FER2013 model." if has_default() else "."),
]
st.markdown("\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1)))

st.subheader("Pages")
for spec in PAGES:
    if spec is HOME:
        continue
    with st.container(border=True):
        st.page_link(spec.path, label=spec.title, icon=spec.icon)
        st.caption(spec.blurb)
