"""Train: configure a model, start / stop / resume it, watch live curves, compare runs."""

import figures
import streamlit as st
from train_form import model_form, recipe_picker, train_config_form

from fer_core.data import list_datasets
from fer_core.executor import get_executor, start_or_resume, where_label
from fer_core.models import layer_table, layer_totals
from fer_core.train import Plan, Run, RunError, RunStatus, TrainConfig, list_runs, summary
from fer_core.train import stop as stop_run

st.title("Train")
names = [d.name for d in list_datasets()]
if not names:
    st.info("No data set yet: import one on the Data page.")
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
    cfg = train_config_form(names, model)
    if st.button("Start training", type="primary", disabled=cfg is None, key="train_start", width="stretch"):
        try:
            started = start_or_resume(cfg)  # the same decision as `fer train`'s
            if started.plan is Plan.CACHED:
                st.success(f"Cached: an identical run already finished ({started.run.id}); shown on the right.")
            elif started.plan is Plan.BUSY:
                st.info(f"That run is already {started.run.status().status}.")
            st.session_state["train_run"] = started.run.id
        except (RunError, ValueError) as exc:
            st.error(str(exc))


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
        }
        for s in map(summary, runs)
    ]
    columns = {
        "progress": st.column_config.ProgressColumn(min_value=0, max_value=1),
        "best val acc": st.column_config.NumberColumn(format="percent"),
    }
    st.dataframe(rows, hide_index=True, column_config=columns)


runs = list_runs()
with right:
    if not runs:
        st.info("No runs yet. Pick a model and press **Start training**; curves appear here as it trains.")
        st.stop()
    ids = [r.id for r in runs]
    if st.session_state.get("train_run") not in ids:
        st.session_state["train_run"] = ids[0]
    chosen = st.selectbox("Run", ids, key="train_run")
    active = summary(Run.at(chosen)).active

    @st.fragment(run_every=1.5 if active else None)
    def live(run_id: str) -> None:
        run = Run.at(run_id)
        s = summary(run)
        eta = f" · about {s.eta_s:.0f} s left" if s.eta_s else ""
        ips = f" · {s.images_per_s:.0f} images/s" if s.images_per_s else ""
        st.progress(min(s.progress, 1.0), text=f"{s.status} · epoch {s.epoch:.1f} of {s.config['epochs']}{ips}{eta}")
        if s.message and s.status is not RunStatus.FINISHED:  # a finished run's best is shown below the curves
            (st.error if s.status is RunStatus.FAILED else st.caption)(s.message)
        c1, c2 = st.columns(2)
        if c1.button("Stop", disabled=not s.active, key="train_stop", width="stretch"):
            stop_run(run)
            st.toast("Stopping at the next step...")
        retired = TrainConfig.from_json(s.config).retired_reason()
        resumable = s.status in (RunStatus.STOPPED, RunStatus.FAILED) and not retired
        if retired and s.status is not RunStatus.FINISHED:
            st.caption(retired)
        if c2.button("Resume", disabled=not resumable, key="train_resume", width="stretch"):
            try:
                get_executor().submit(run, resume=run.resumable)  # here or on the cluster, as the settings say
            except RunError as exc:
                st.error(str(exc))
            else:
                st.rerun()
        if s.where:
            host = f" (host {s.where['host']})" if s.where.get("host") else ""
            st.caption(f"{'Trains' if s.active else 'Trained'} on: {where_label(s.where)}{host}")
        metrics = run.metrics()
        for metric in ("loss", "acc"):
            st.plotly_chart(figures.training_curves({run_id: metrics}, metric), key=f"curve_{metric}")
        if s.best:
            st.caption(f"Best validation accuracy {s.best['val_acc']:.2%} at epoch {s.best['epoch']}.")
        st.subheader("Runs")
        runs_table(list_runs())
        if s.active != active:
            st.rerun()  # status changed: switch live refresh on or off for the whole page

    live(chosen)

compare = st.multiselect("Overlay runs to compare (e.g. with and without augmentation)", ids, key="train_compare")
if compare:
    curves = {rid: Run.at(rid).metrics() for rid in compare}
    c1, c2 = st.columns(2)
    c1.plotly_chart(figures.training_curves(curves, "acc", show_train=False), key="compare_acc")
    c2.plotly_chart(figures.training_curves(curves, "loss"), key="compare_loss")
