"""Train: configure a model, start / stop / resume it, watch live curves, compare runs."""

import figures
import streamlit as st
from auth import class_policy, current_user, refusal
from train_form import model_form, recipe_picker, train_config_form

from fer_core.access import Refused, may_act, mine_first, owner_name
from fer_core.classroom import check_deletable, delete_run_as, deletion_note, resume_as, start_as, stop_as
from fer_core.data import default_dataset, list_datasets
from fer_core.estimate import duration, run_estimate
from fer_core.executor import where_label
from fer_core.handle.store import SHIPPED, shipped_name
from fer_core.models import layer_table, layer_totals
from fer_core.train import Plan, Run, RunError, RunStatus, TrainConfig, list_runs, summary

user, policy = current_user(), class_policy()
in_class = policy is not None  # who started a run is said only where there are several people


def run_label(run: Run) -> str:
    """A run as its pickers and table name it: a shipped model by what it is, else who started it."""
    if name := shipped_name(run):
        return f"{run.id} · {SHIPPED[name]}"
    return f"{run.id} · {owner_name(run.dir)}" if in_class else run.id


st.title("Train")
infos = [d for d in list_datasets() if d.trainable]  # a photo set is for testing: it has no Training faces
names = [d.name for d in infos]
if not names:
    st.info("No data set to train on yet: import one with Training faces on the Data page.")
    st.stop()

left, right = st.columns([2, 3], gap="large")
with left:
    recipe_picker()  # first: it sets every field below, the architecture included
    st.subheader("Model")
    model = model_form()
    if model is not None:
        rows = layer_table(model)
        totals = layer_totals(rows)
        st.caption(f"**{totals.params:,} parameters** · {totals.macs / 1e6:,.1f} M multiply-adds per face")
        with st.expander("Layer table"):
            table = [
                {"layer": r.name, "type": r.type, "output": "x".join(map(str, r.out_shape)), "size formula": r.formula, "params": r.params}
                for r in rows
            ]
            st.dataframe(table, hide_index=True)
    st.subheader("Training")
    if st.session_state.get("train_data") not in names:
        st.session_state.train_data = default_dataset(infos)  # the newest real data set, as on every page
    cfg = train_config_form(names, model)
    if cfg is not None:
        with st.spinner("Measuring this machine's training speed (once)..."):
            st.caption(f"**This run:** {run_estimate(cfg).text()}.")
    if st.button("Start training", type="primary", disabled=cfg is None, key="train_start", width="stretch"):
        try:
            started = start_as(user, policy, cfg)  # the same decision as `fer train`'s, checked for this user
            if started.plan is Plan.CACHED:
                st.success(f"Cached: an identical run already finished ({started.run.id}); shown on the right.")
            elif started.plan is Plan.BUSY:
                st.info(f"That run is already {started.run.status().status}.")
            st.session_state["train_run"] = started.run.id
        except (RunError, ValueError, Refused) as exc:
            refusal(exc)


def runs_table(runs: list) -> None:
    rows = [
        {
            "run": s.id,
            "status": str(s.status),
            "progress": s.progress,
            "arch": s.config["arch"],
            "data": s.config["data"],
            "epochs": s.config["epochs"],
            "best val acc": s.best["val_acc"] if s.best else None,
            "trained on": where_label(s.where),
            **({"started by": owner_name(r.dir)} if in_class else {}),
        }
        for r, s in ((r, summary(r)) for r in runs)
    ]
    columns = {
        "progress": st.column_config.ProgressColumn(min_value=0, max_value=1),
        "best val acc": st.column_config.NumberColumn(format="percent"),
    }
    st.dataframe(rows, hide_index=True, column_config=columns)


def ordered_runs() -> list[Run]:
    """Every run, the user's own first (a student's; a teacher's and the laptop's as they come)."""
    return mine_first(list_runs(), user)


runs = ordered_runs()
with right:
    if not runs:
        st.info("No runs yet. Pick a model and press **Start training**; curves appear here as it trains.")
        st.stop()
    ids = [r.id for r in runs]
    if st.session_state.get("train_run") not in ids:
        st.session_state["train_run"] = ids[0]
    labels = {r.id: run_label(r) for r in runs}  # read once, not per option drawn
    chosen = st.selectbox("Run", ids, key="train_run", format_func=labels.get)
    active = summary(Run.at(chosen)).active

    def confirm_delete(run: Run) -> None:
        """The second step of Delete: what will go, then Delete for good or Keep it."""
        with st.container(border=True):
            st.warning(deletion_note(run), icon=":material/delete:")
            yes, no = st.columns(2)
            if yes.button("Delete for good", type="primary", key="train_delete_yes", width="stretch"):
                st.session_state.pop("train_confirm", None)
                try:
                    delete_run_as(user, run)
                except (RunError, Refused, OSError) as exc:
                    st.session_state.train_refused = (run.id, str(exc))
                else:
                    st.session_state.pop("train_run", None)
                    st.session_state.train_flash = f"Deleted run {run.id}."
                    st.rerun(scope="app")
            if no.button("Keep it", key="train_delete_no", width="stretch"):
                st.session_state.pop("train_confirm", None)
                st.rerun()

    if msg := st.session_state.pop("train_flash", None):
        st.success(msg)

    @st.fragment(run_every=1.5 if active else None)
    def live(run_id: str) -> None:
        run = Run.at(run_id)
        s = summary(run)
        eta = f" · about {duration(s.eta_s)} left" if s.eta_s else ""
        ips = f" · {s.images_per_s:.0f} images/s" if s.images_per_s else ""
        st.progress(min(s.progress, 1.0), text=f"{s.status} · epoch {s.epoch:.1f} of {s.config['epochs']}{ips}{eta}")
        if s.message and s.status is not RunStatus.FINISHED:  # a finished run's best is shown below the curves
            (st.error if s.status is RunStatus.FAILED else st.caption)(s.message)
        c1, c2, c3 = st.columns(3)
        notice = st.empty()  # a refusal stays said while this run is shown, through the live reruns

        def refused(exc: Exception) -> None:
            st.session_state.train_refused = (run_id, str(exc))

        # Buttons another person's run shows disabled; the server checks again on a click (classroom)
        mine = may_act(user, run.dir)
        if c1.button("Stop", disabled=not (s.active and mine), key="train_stop", width="stretch"):
            try:
                stop_as(user, run)
                st.session_state.pop("train_refused", None)
                st.toast("Stopping at the next step...")
            except Refused as exc:
                refused(exc)
        retired = TrainConfig.from_json(s.config).retired_reason()
        resumable = s.status in (RunStatus.STOPPED, RunStatus.FAILED) and not retired
        if retired and s.status is not RunStatus.FINISHED:
            st.caption(retired)
        if c2.button("Resume", disabled=not (resumable and mine), key="train_resume", width="stretch"):
            try:
                resume_as(user, policy, run)  # here or on the cluster, as the settings say
            except (RunError, Refused) as exc:
                refused(exc)
            else:
                st.rerun()
        try:
            check_deletable(run)
            deletable, delete_help = True, "Remove the run: weights, curves and caches (asks first)"
        except RunError as exc:  # a shipped model
            deletable, delete_help = False, str(exc)
        if c3.button("Delete", disabled=s.active or not mine or not deletable, key="train_delete", width="stretch", help=delete_help):
            st.session_state.train_confirm = run_id
        if st.session_state.get("train_confirm") == run_id:
            confirm_delete(run)
        if (said := st.session_state.get("train_refused")) and said[0] == run_id:
            with notice:
                refusal(said[1])
        if s.where:
            host = f" (host {s.where['host']})" if s.where.get("host") else ""
            st.caption(f"{'Trains' if s.active else 'Trained'} on: {where_label(s.where)}{host}")
        metrics = run.metrics()
        for metric in ("loss", "acc"):
            st.plotly_chart(figures.training_curves({run_id: metrics}, metric), key=f"curve_{metric}")
        if s.best:
            st.caption(f"Best validation accuracy {s.best['val_acc']:.2%} at epoch {s.best['epoch']}.")
        if s.active != active:
            st.rerun()  # status changed: switch live refresh on or off for the whole page

    live(chosen)


@st.fragment(run_every=1.5 if active else None)
def all_runs() -> None:
    """Every run, the whole page wide: in the right-hand column its last columns were cut off."""
    st.subheader("Runs")
    runs_table(ordered_runs())


all_runs()

compare = st.multiselect("Overlay runs to compare (e.g. with and without augmentation)", ids, key="train_compare")
if compare:
    curves = {rid: Run.at(rid).metrics() for rid in compare}
    c1, c2 = st.columns(2)
    c1.plotly_chart(figures.training_curves(curves, "acc", show_train=False), key="compare_acc")
    c2.plotly_chart(figures.training_curves(curves, "loss"), key="compare_loss")
