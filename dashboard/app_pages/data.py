"""Data: import, class balance, sample faces, pixel histograms, normalisation and augmentation."""

import tempfile
from pathlib import Path

import figures
import streamlit as st
from auth import current_user, refusal
from option_widgets import option_input
from ui import pick_dataset
from votes_view import votes_tab

from fer_core.access import Refused, check_teacher
from fer_core.augment import TRANSFORMS, AugmentConfig
from fer_core.data import DataImportError, delete_dataset
from fer_core.data.importer import import_source, photo_note
from fer_core.data.photo_import import unused_photos
from fer_core.estimate import Clock, import_estimate
from fer_core.labels import SPLITS
from fer_core.options import spec
from fer_core.previews import augmentation_preview, intensity_histogram, montage, normalization_preview, pixel_stats, sample_indices
from fer_core.train import TrainConfig

st.title("Data")


def run_import(
    source: Path, name: str, skip_bad: bool, replace: bool, label: str | None = None, votes: Path | None = None, votes_label=None
) -> None:
    bar, clock = st.progress(0.0, "Reading..."), Clock()
    try:
        rep = import_source(
            source,
            name or None,
            skip_bad=skip_bad,
            replace=replace,
            source_label=label,
            progress=lambda f, msg: bar.progress(min(f, 1.0), f"{msg}{clock.left(f)}"),
            ferplus=votes,
            ferplus_label=votes_label,
        )
    except (DataImportError, ValueError) as exc:
        bar.empty()
        st.error("Import refused; nothing was written.")
        st.code(str(exc), language=None)
        return
    bar.empty()
    note = f" · skipped {rep.skipped_text}" if rep.skipped else ""
    note += " · each face with its ten FER+ votes" if votes is not None else ""
    st.session_state["flash"] = f"Imported {rep.n:,} faces as **{rep.name}** in {rep.seconds:.1f} s ({rep.format}){note}."
    st.session_state["flash_warnings"] = rep.warnings
    st.session_state["dataset_pending"] = rep.name
    st.rerun()


def import_form() -> None:
    st.markdown(
        "Accepted: the challenge CSV `emotion,pixels,Usage` (plain, .gz, .xz or in a .zip), the course CSV "
        "`label,feature` (a stratified Training/PublicTest split is made), a Kaggle-style zip or folder "
        "`train/<class>/*`, `test/<class>/*`, or FERPlus's folders `FER2013Train/`, `FER2013Valid/`, `FER2013Test/` "
        "(each a `label.csv` of ten votes beside the PNGs; zip or folder), or **labelled photos** of any size, "
        "`<emotion>/*.jpg|png` (anger, happiness, sadness... accepted; zip or folder): each photo goes through the "
        "face pipeline the Webcam uses and keeps its photo beside its face, a test set for Evaluate."
    )
    how = st.radio("From", ["Upload a file", "A path on this machine"], horizontal=True, key="import_from")
    upload = path = None
    votes_help = "FER+'s fer2013new.csv for the same rows as fer2013.csv: every face keeps its ten annotators' votes."
    if how == "Upload a file":
        upload = st.file_uploader("CSV or zip", type=["csv", "gz", "xz", "zip"], key="import_upload")
        votes_up = st.file_uploader("FER+ votes (optional)", type=["csv", "gz", "xz"], key="import_votes_upload", help=votes_help)
    else:
        path = st.text_input("File or folder path", key="import_path", placeholder="/home/me/fer2013.csv")
        votes_path = st.text_input(
            "FER+ votes path (optional)", key="import_votes_path", placeholder="/home/me/fer2013new.csv", help=votes_help
        )
    c1, c2, c3 = st.columns([2, 1, 1])
    name = c1.text_input("Name (optional)", key="import_name", placeholder="from the file name")
    skip_bad = c2.checkbox("Skip bad rows", key="import_skip_bad", help="Import the valid rows and report how many were skipped.")
    replace = c3.checkbox("Replace existing", key="import_replace")
    wait_note(upload, path)
    if not st.button("Import", type="primary", disabled=not (upload or path), key="import_go"):
        return
    try:
        check_teacher(current_user(), "import data sets")  # checked on the click too: the form is shown to teachers only
    except Refused as exc:
        refusal(exc)
        return
    if upload is not None:
        with tempfile.TemporaryDirectory() as tmp:
            dest = Path(tmp) / Path(upload.name).name
            dest.write_bytes(upload.getbuffer())
            votes = None
            if votes_up is not None:
                votes = Path(tmp) / ("votes-" + Path(votes_up.name).name)
                votes.write_bytes(votes_up.getbuffer())
            run_import(dest, name, skip_bad, replace, label=upload.name, votes=votes, votes_label=votes_up and votes_up.name)
    else:
        votes = Path(votes_path.strip()).expanduser() if votes_path.strip() else None
        run_import(Path(path.strip()).expanduser(), name, skip_bad, replace, votes=votes)


def wait_note(upload, path: str | None) -> None:
    """How long the import will take, said before it starts (from the last import's rate here)."""
    source = Path(upload.name) if upload is not None else Path(path.strip()).expanduser() if path and path.strip() else None
    if source is None or (upload is None and not source.exists()):
        return
    est = import_estimate(source, upload.size if upload is not None else None)
    if est is None:
        st.caption("The first import here measures this machine's speed (FER2013's 271 MB CSV with its votes: 6 s on 2 AMD EPYC cores).")
    elif est.seconds > 2:
        st.caption(f"**This import:** {est.text()}.")


def delete_form(name: str) -> None:
    """A teacher removes a data set (its runs stay, and say the data set is gone when they need it)."""
    with st.expander(f"Delete data set **{name}**"):
        sure = st.checkbox(f"Yes, delete {name}", key="delete_sure")
        if st.button("Delete", disabled=not sure, key="delete_go", icon=":material/delete:"):
            try:
                check_teacher(current_user(), "delete data sets")
                delete_dataset(name)
            except (Refused, OSError) as exc:
                refusal(exc)
            else:
                st.session_state["flash"] = f"Deleted data set **{name}**."
                st.rerun()


def photo_set_note(meta: dict) -> None:
    """A photo set: its faces from its photos, and every photo that gave none (or several), with why."""
    st.info(photo_note(meta), icon=":material/photo_library:")
    unused = unused_photos(meta)
    if unused:
        with st.expander(f"The {len(unused):,} photos without a face, or with several"):
            st.dataframe([{"photo": where, "why": why} for where, why in unused], hide_index=True, width="stretch")


def teachers_only() -> bool:
    """Import and delete are a teacher's (with sign-in on); a student is told so."""
    if current_user().is_teacher:
        return True
    st.info("Only a teacher can import or delete data sets in this class.", icon=":material/lock:")
    return False


if msg := st.session_state.pop("flash", None):
    st.success(msg)
for warning in st.session_state.pop("flash_warnings", ()):
    st.warning(warning)

info, ds = pick_dataset()
if ds is not None:
    split_totals = {s: sum(info.counts.get(s, {}).values()) for s in SPLITS}
    cols = st.columns(5)
    cols[0].metric("Faces", f"{len(ds):,}")
    for col, (split, n) in zip(cols[1:4], split_totals.items()):
        col.metric(split, f"{n:,}")
    cols[4].metric("Content hash", ds.hash[:8], help=f"{ds.hash} · {info.format} · from {info.source}")
    if info.format == "synthetic":
        st.caption("These are the offline **demo faces**, drawn procedurally: import FER2013 to work on real faces.")
    if ds.photos is not None:
        photo_set_note(ds.meta)
    # the split the previews draw from: Training, or a test set's own (a photo set has only PublicTest)
    sample_split = next(s for s in SPLITS if split_totals[s])

if ds is None:
    st.subheader("Import a data set")
    if teachers_only():
        import_form()
    st.stop()

names = ["Classes", "Faces", "Votes", "Pixels", "Normalisation", "Augmentation", "Import"]
tabs = dict(zip(names, st.tabs(names, key="data_tab", on_change="rerun")))

with tabs["Classes"]:
    if tabs["Classes"].open:
        share = st.toggle("Show as share of each split (%)", key="class_share")
        st.plotly_chart(figures.class_distribution(info.counts, share), key="class_chart")
        table = [{"split": s, **per, "total": sum(per.values())} for s, per in info.counts.items()]
        st.dataframe(table, hide_index=True)
        smallest = min(ds.classes, key=lambda c: sum(per.get(c, 0) for per in info.counts.values()))
        st.caption(f"Rarest class: **{smallest}**. A model can ignore it and lose little accuracy: watch its recall, or weight it.")

with tabs["Faces"]:
    if tabs["Faces"].open:
        c1, c2, c3 = st.columns([2, 1, 1])
        split = c1.segmented_control("Split", [s for s in SPLITS if split_totals[s]], default=sample_split, key="faces_split")
        per_row = c2.slider("Faces per class", 4, 16, 10, key="faces_k")
        seed = c3.number_input("Shuffle (seed)", 0, 10_000, 0, key="faces_seed")
        for c, cls in enumerate(ds.classes):
            idx = sample_indices(ds, split or sample_split, c, per_row, int(seed))
            st.markdown(f"**{cls}** · {info.counts.get(split or sample_split, {}).get(cls, 0):,} faces")
            if len(idx):
                st.image(montage(ds.pixels[idx], cols=per_row, scale=2))

with tabs["Votes"]:
    if tabs["Votes"].open:
        votes_tab(ds)

with tabs["Pixels"]:
    if tabs["Pixels"].open:
        c1, c2 = st.columns(2)
        per_class = c1.toggle("One curve per class (density)", key="hist_per_class")
        log_y = c2.toggle("Log scale", key="hist_log")
        hist = intensity_histogram(ds)
        fig = figures.intensity_histogram(hist, per_class)
        st.plotly_chart(fig.update_yaxes(type="log" if log_y else "linear"), key="hist_chart")
        mean, std = pixel_stats(hist)
        st.caption(f"Mean {mean:.3f}, std {std:.3f} (pixels / 255, all splits).")

with tabs["Normalisation"]:
    if tabs["Normalisation"].open:
        st.markdown(
            "The same faces under each choice. **none**: pixels / 255. **per-image**: each face shifted and scaled "
            "to mean 0, std 1, so lighting and contrast differences vanish. **dataset**: one mean/std from the "
            "Training split for all faces, so relative brightness stays. Standardised values are shown with "
            "-2.5 as black and +2.5 as white. **Histogram equalisation**, a step before any of them, spreads each "
            "face's grey levels so that its histogram is about flat."
        )
        c1, c2 = st.columns(2)
        seed = c1.number_input("Faces (seed)", 0, 10_000, 1, key="norm_seed")
        equalized = c2.toggle("Histogram-equalise first", key="norm_eq", help=spec(TrainConfig, "equalize").help)
        prev = normalization_preview(ds, sample_indices(ds, sample_split, None, 10, int(seed)), equalized)
        for mode, p in prev.items():
            st.markdown(f"**{mode.replace('_', '-')}** · values {p['min']:.2f} .. {p['max']:.2f}")
            st.image(montage(p["images"], cols=10, scale=2))
        st.plotly_chart(figures.face_means(prev), key="norm_chart")

with tabs["Augmentation"]:
    if tabs["Augmentation"].open:
        c1, c2, c3 = st.columns(3)
        cls = c1.selectbox("Class", ds.classes, index=3, key="aug_class")
        pool = sample_indices(ds, sample_split, ds.classes.index(cls), 50, 0)
        pick = c2.slider("Face", 0, max(len(pool) - 1, 1), 0, key="aug_face")
        seed = c3.number_input("Draw (seed)", 0, 10_000, 0, key="aug_seed")
        with st.expander("Strengths"):
            d = AugmentConfig.all_on()  # the strengths training uses when a transform is on
            cfg = AugmentConfig(
                **{
                    n: option_input(c, AugmentConfig, n, f"aug_{n}", slider=True, default=getattr(d, n))
                    for c, n in zip(st.columns(len(TRANSFORMS)), TRANSFORMS.values())
                }
            )
        face = ds.pixels[pool[min(pick, len(pool) - 1)]]
        st.image(montage(face[None], cols=1, scale=3), caption="original")
        for name, imgs in augmentation_preview(face, cfg, n=10, seed=int(seed)).items():
            st.markdown(f"**{spec(AugmentConfig, name).label if name != 'all' else 'All together'}**")
            st.image(montage(imgs, cols=10, scale=2))
        st.caption(
            "Computed as one batch in pure torch (affine grid + random boxes): the same code augments training batches on the device."
        )

with tabs["Import"]:
    if tabs["Import"].open and teachers_only():
        import_form()
        delete_form(ds.name)
