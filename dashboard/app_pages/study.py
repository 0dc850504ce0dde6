"""Study: does normalisation help? does augmentation? A base config, one or two factors and seeds,
trained as ordinary runs; live curves per variant, then the answer with its uncertainty."""

import streamlit as st
import study_figures
from auth import class_policy, current_user, refusal
from links import EvaluateView
from ui import pick_dataset

from fer_core.access import Refused, may_act, mine_first, owner_name
from fer_core.classroom import launch_study_as, stop_study_as
from fer_core.estimate import duration, study_estimate
from fer_core.models import PRESETS
from fer_core.study.factors import FACTORS, check_factors, parse_vary
from fer_core.study.questions import QUESTIONS, STUDY_EPOCHS
from fer_core.study.results import curves, results, run_rows, to_csv, to_markdown
from fer_core.study.runner import runner_alive
from fer_core.study.study import DEFAULT_SEEDS, define_study, list_studies, load_study, plan_study, progress
from fer_core.train import RunError, TrainConfig

user, policy = current_user(), class_policy()
st.title("Study")
st.caption(
    "Answer a question with numbers: each setting is trained with several seeds, so a difference can be told from seed noise. "
    "Every variant x seed is an ordinary run: cached, stoppable, resumable."
)

BUILD = "Build your own"
studies = mine_first(list_studies(), user)  # one's own first


def fill_form() -> None:
    """Set the form to the study shown on the right, so the two always describe the same study (a
    reload once reset the form and kept the results of another)."""
    ss, study = st.session_state, load_study(st.session_state.st_current)
    asked = [q.title for q in QUESTIONS if list(q.varies) == [f"{v.factor}={','.join(v.values)}" for v in study.varies]]
    ss.st_question = study.title if study.title in asked else (asked[0] if asked else BUILD)
    if ss.st_question == BUILD:
        for k in (1, 2):
            v = study.varies[k - 1] if k <= len(study.varies) else None
            ss[f"st_factor{k}"] = v.factor if v else "—"
            if v:
                ss[f"st_values{k}_{v.factor}"] = list(v.values) if FACTORS[v.factor].choices else ",".join(v.values)
    ss.st_data, ss.st_arch, ss.st_epochs, ss.st_seeds = study.base.data, study.base.arch, study.base.epochs, len(study.seeds)


if studies and st.session_state.get("st_current") not in [s.id for s in studies]:
    st.session_state.st_current = studies[0].id  # a fresh session shows the latest study, and its form
    fill_form()

left, right = st.columns([2, 3], gap="large")
with left:
    st.subheader("Question")
    titles = [q.title for q in QUESTIONS] + [BUILD]
    title = st.radio("Question", titles, key="st_question", label_visibility="collapsed")
    if title == BUILD:
        varies = []
        for k in (1, 2):
            names = ["—", *FACTORS] if k == 2 else list(FACTORS)
            name = st.selectbox(f"Setting {k}", names, key=f"st_factor{k}", format_func=lambda n: n if n == "—" else FACTORS[n].title)
            if name == "—":
                continue
            f = FACTORS[name]
            if f.choices:
                picked = st.multiselect(f"Values of {f.title} (2-4)", f.choices, default=list(f.choices[:2]), key=f"st_values{k}_{name}")
                varies.append(f"{name}={','.join(picked)}")
            else:
                varies.append(f"{name}=" + st.text_input(f"Values of {f.title} (2-4, comma-separated)", key=f"st_values{k}_{name}"))
    else:
        q = QUESTIONS[titles.index(title)]
        varies = list(q.varies)
        st.caption(q.explain)
    info, ds = pick_dataset(key="st_data")
    c1, c2, c3 = st.columns(3)
    default_arch = "tiny" if info is not None and info.format == "synthetic" else TrainConfig().arch
    arch = c1.selectbox("Architecture", list(PRESETS), index=list(PRESETS).index(default_arch), key="st_arch")
    epochs = c2.number_input("Epochs", 1, 200, STUDY_EPOCHS, key="st_epochs")
    seeds = c3.number_input("Seeds per variant", 1, 10, DEFAULT_SEEDS, key="st_seeds")
    try:
        parsed = check_factors([parse_vary(v) for v in varies])
        n_runs = seeds
        for v in parsed:
            n_runs *= len(v.values)
        st.caption(
            f"{n_runs} runs; `fer study --data {info.name if info else '?'} --arch {arch} --epochs {epochs} "
            + " ".join(f"--vary {v}" for v in varies)
            + f" --seeds {seeds}` does the same."
        )
        if info is not None:
            plan = plan_study(TrainConfig(data=info.name, arch=arch, epochs=int(epochs)), parsed, int(seeds))
            with st.spinner("Measuring this machine's training speed (once)..."):
                st.caption(f"**This study:** {study_estimate(plan).text()}.")
    except ValueError as exc:
        parsed = None
        st.error(str(exc))
    if st.button("Run the study", type="primary", disabled=not parsed or ds is None, key="st_start", width="stretch"):
        try:
            base = TrainConfig(data=info.name, arch=arch, epochs=int(epochs))
            study = define_study(base, parsed, int(seeds), title if title != BUILD else "")
            if study.status() == "finished":
                st.success("Asked before: every run is cached, the answer is on the right.")
            elif not runner_alive(study):
                launch_study_as(user, policy, study)
            st.session_state.st_current = study.id
        except (ValueError, RunError, Refused) as exc:
            refusal(exc)


with right:
    if not studies:
        st.info("No study yet: pick a question and press **Run the study**.")
        st.stop()
    ids = [s.id for s in studies]
    who = {s.id: f" · {owner_name(s.dir)}" if policy is not None else "" for s in studies}  # names only in a class
    labels = {s.id: f"{s.title or ' x '.join(v.factor for v in s.varies)} · {s.base.data} · {s.id}{who[s.id]}" for s in studies}
    sid = st.selectbox("Study", ids, key="st_current", format_func=labels.get, on_change=fill_form)
    running = runner_alive(load_study(sid))

    @st.fragment(run_every=2.0 if running else None)
    def live(study_id: str) -> None:
        study = load_study(study_id)
        status, p = study.status(), progress(study)
        alive = runner_alive(study)
        eta = f" · about {duration(p['eta_s'])} left" if p["eta_s"] and alive else ""
        st.progress(min(p["fraction"], 1.0), text=f"{status} · {p['fraction']:.0%} of {p['runs']} runs{eta}")
        b1, b2 = st.columns(2)
        mine = may_act(user, study.dir)  # the server checks again on a click
        if b1.button("Stop", disabled=not (alive and mine), key="st_stop", width="stretch"):
            try:
                stop_study_as(user, study)
                st.toast("Stopping the current run; finished runs are kept.")
            except Refused as exc:
                refusal(exc)
        if b2.button("Resume", disabled=alive or status in ("finished", "new") or not mine, key="st_resume", width="stretch"):
            try:
                launch_study_as(user, policy, study)
            except (RunError, Refused) as exc:
                refusal(exc)
            else:
                st.rerun()
        variants = study.variants()
        with st.expander("Runs: status and where each trains", expanded=alive):
            st.dataframe(run_rows(variants), hide_index=True, column_config={"progress": st.column_config.ProgressColumn()})
        st.plotly_chart(study_figures.variant_curves({v.name: curves(v) for v in variants}), key="st_curves")
        rows = results(study)
        table = [
            {
                "variant": r.variant.name,
                "seeds done": r.finished,
                "best acc": r.best.text() if r.best else "",
                "final acc": r.final.text() if r.final else "",
                "vs baseline (95% CI)": ""
                if r.vs_baseline is None or r.vs_baseline.low != r.vs_baseline.low
                else f"{r.vs_baseline.diff * 100:+.1f} [{r.vs_baseline.low * 100:+.1f}, {r.vs_baseline.high * 100:+.1f}]",
                "train - val gap": r.gap.text() if r.gap else "",
                "minutes": f"{r.minutes.mean:.1f}" if r.minutes else "",
            }
            for r in rows
        ]
        st.dataframe(table, hide_index=True)
        st.caption("Accuracy in points: mean ± standard error over seeds. The interval is for the difference from the first variant.")
        if any(r.best for r in rows):
            st.plotly_chart(study_figures.best_bars(rows), key="st_bars")
        st.markdown("**Verdicts**\n\n" + "\n".join(f"- {r.verdict}" for r in rows))
        for r in rows:
            for f in r.failed:
                st.error(f"Failed: {f}")
        d1, d2 = st.columns(2)
        d1.download_button("Download CSV", to_csv(rows), file_name=f"{study.id}.csv", mime="text/csv", key="st_csv")
        d2.download_button("Download report (Markdown)", to_markdown(study, rows), file_name=f"{study.id}.md", key="st_md")
        with st.expander("Open a run in Evaluate, or compare two variants"):
            for v in variants:
                links = " · ".join(
                    f"[seed {i}](evaluate{EvaluateView(model=rid, data=study.base.data).query()})" for i, rid in enumerate(v.run_ids)
                )
                st.markdown(f"**{v.name}**: {links}")
            if len(variants) > 1:
                a, b = variants[0].run_ids[0], variants[1].run_ids[0]
                href = "evaluate" + EvaluateView(model=a, data=study.base.data, other=b).query()
                st.markdown(f"[Compare {variants[0].name} with {variants[1].name} (seed 0)]({href})")
        if alive != running:
            st.rerun()

    live(sid)
