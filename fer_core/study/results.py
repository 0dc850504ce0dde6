"""A study's answer: per variant, best and final validation accuracy over seeds (mean and
standard error), the difference from the baseline (the first variant) with a 95% interval, the
train-validation gap, time, and a verdict in words; curves as seed mean with a min-max band;
exported as CSV or a Markdown report."""

import csv
import io
from dataclasses import dataclass

import numpy as np

from fer_core.executor import where_label
from fer_core.study.factors import FACTORS
from fer_core.study.stats import Difference, Estimate, difference, estimate, verdict
from fer_core.study.study import Study, Variant
from fer_core.train.run_summary import summary
from fer_core.train.runs import Run, RunStatus


@dataclass(frozen=True)
class VariantResult:
    variant: Variant
    finished: int  # seeds finished
    failed: list[str]  # "run id: reason"
    best: Estimate | None  # best validation accuracy over epochs
    final: Estimate | None  # at the last epoch
    gap: Estimate | None  # final train accuracy - final validation accuracy (overfitting)
    minutes: Estimate | None  # training time per run
    vs_baseline: Difference | None  # best accuracy minus the baseline's
    verdict: str

    def to_json(self) -> dict:
        def est(e):
            return None if e is None else {"mean": e.mean, "se": e.se, "n": e.n}

        d = self.vs_baseline
        return {
            "variant": self.variant.name,
            "settings": self.variant.settings,
            "run_ids": list(self.variant.run_ids),
            "finished": self.finished,
            "failed": self.failed,
            "best_val_acc": est(self.best),
            "final_val_acc": est(self.final),
            "train_val_gap": est(self.gap),
            "minutes": est(self.minutes),
            "vs_baseline": None if d is None else {"diff": d.diff, "ci95": [d.low, d.high], "clear": d.clear},
            "verdict": self.verdict,
        }


def _epochs(run: Run) -> list[dict]:
    return [m for m in run.metrics() if m.get("kind") == "epoch"] if run.exists else []


def _finished(variant: Variant) -> tuple[list[list[dict]], list[str]]:
    done, failed = [], []
    for rid in variant.run_ids:
        run = Run.at(rid)
        if not run.exists or not run.has_status:
            continue
        st = run.status()
        if st.status is RunStatus.FINISHED:
            done.append(_epochs(run))
        elif st.status is RunStatus.FAILED:
            failed.append(f"{rid}: {st.message}")
    return done, failed


def results(study: Study) -> list[VariantResult]:
    out, base_best = [], None
    variants = study.variants()
    for i, v in enumerate(variants):
        done, failed = _finished(v)
        done = [e for e in done if e]
        best = [max(m["val_acc"] for m in e) for e in done]
        if i == 0:
            base_best = best
        row = {"best": None, "final": None, "gap": None, "minutes": None, "vs": None}
        if best:
            row["best"] = estimate(best)
            row["final"] = estimate([e[-1]["val_acc"] for e in done])
            row["gap"] = estimate([e[-1]["train_acc"] - e[-1]["val_acc"] for e in done])
            row["minutes"] = estimate([e[-1]["elapsed"] / 60 for e in done])
        if i and best and base_best:
            row["vs"] = difference(base_best, best)
        if i == 0:
            text = f"{v.name}: the baseline" + (f", {row['best'].text()} % best accuracy" if row["best"] else "")
        elif row["vs"] is not None:
            text = verdict(_describe(v, variants[0]), row["vs"])
        else:
            text = f"{v.name}: not enough finished seeds yet"
        out.append(VariantResult(v, len(best), failed, row["best"], row["final"], row["gap"], row["minutes"], row["vs"], text))
    return out


def _describe(v: Variant, baseline: Variant) -> str:
    """'augmentation on (vs off)' for the settings that differ from the baseline."""
    parts = [f"{FACTORS[k].title} {val} (vs {baseline.settings[k]})" for k, val in v.settings.items() if baseline.settings[k] != val]
    return ", ".join(parts) or v.name


def curves(variant: Variant, key: str = "val_acc") -> dict[str, np.ndarray]:
    """Per epoch over the seeds with that epoch: mean, min and max of `key`, and the epochs."""
    by_epoch: dict[int, list[float]] = {}
    for rid in variant.run_ids:
        for m in _epochs(Run.at(rid)):
            by_epoch.setdefault(int(m["epoch"]), []).append(m[key])
    epochs = sorted(by_epoch)
    vals = [by_epoch[e] for e in epochs]
    return {
        "epoch": np.array(epochs),
        "mean": np.array([np.mean(v) for v in vals]),
        "min": np.array([np.min(v) for v in vals]),
        "max": np.array([np.max(v) for v in vals]),
    }


def _pct(e: Estimate | None) -> str:
    return "" if e is None else e.text()


def to_csv(rows: list[VariantResult]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "variant",
            "seeds",
            "best_mean",
            "best_se",
            "final_mean",
            "final_se",
            "gap_mean",
            "minutes_mean",
            "diff_vs_baseline",
            "ci95_low",
            "ci95_high",
            "verdict",
        ]
    )
    for r in rows:
        d = r.vs_baseline
        w.writerow(
            [
                r.variant.name,
                r.finished,
                *(
                    f"{x:.4f}" if x is not None else ""
                    for x in (
                        r.best and r.best.mean,
                        r.best and r.best.se,
                        r.final and r.final.mean,
                        r.final and r.final.se,
                        r.gap and r.gap.mean,
                        r.minutes and r.minutes.mean,
                        d and d.diff,
                        d and d.low,
                        d and d.high,
                    )
                ),
                r.verdict,
            ]
        )
    return buf.getvalue()


def to_markdown(study: Study, rows: list[VariantResult]) -> str:
    factors = " x ".join(f"{FACTORS[v.factor].title} ({', '.join(v.values)})" for v in study.varies)
    lines = [
        f"# {study.title or 'Study'} ({study.id})",
        "",
        f"Data set `{study.base.data}`, architecture `{study.base.arch}`, {study.base.epochs} epochs; varied: {factors}; "
        f"seeds {', '.join(map(str, study.seeds))}. Accuracy on {study.base.val_split} in points (mean ± standard error "
        "over seeds); the difference from the baseline with its 95% interval (Welch).",
        "",
        "| variant | seeds | best acc | final acc | train - val gap | minutes | vs baseline (95% CI) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        d = r.vs_baseline
        vs = "" if d is None else f"{d.diff * 100:+.1f} [{d.low * 100:+.1f}, {d.high * 100:+.1f}]"
        mins = "" if r.minutes is None else f"{r.minutes.mean:.1f}"
        lines.append(f"| {r.variant.name} | {r.finished} | {_pct(r.best)} | {_pct(r.final)} | {_pct(r.gap)} | {mins} | {vs} |")
    lines += ["", "Verdicts:", ""] + [f"- {r.verdict}" for r in rows]
    failed = [f for r in rows for f in r.failed]
    if failed:
        lines += ["", "Failed runs:", ""] + [f"- {f}" for f in failed]
    return "\n".join(lines) + "\n"


def run_rows(variants: list[Variant]) -> list[dict]:
    """One row per run of the study: variant, seed, status, progress and where it trains
    (the Study page's runs table); a run not started yet is 'waiting'."""
    rows = []
    for v in variants:
        for seed, rid in enumerate(v.run_ids):
            run = Run.at(rid)
            s = summary(run) if run.has_status else None
            rows.append(
                {
                    "variant": v.name,
                    "seed": seed,
                    "status": str(s.status) if s else "waiting",
                    "progress": s.progress if s else 0.0,
                    "trained on": where_label(s.where) if s else "",
                }
            )
    return rows
