"""A study: a base training config, one or two factors, and seeds. Every variant x seed is an
ordinary run (cached, stoppable, resumable, queued like any run); the study itself is a small
directory of its own, written atomically, that survives a restart of the app:

    <checkpoints>/studies/<study id>/
      study.json   the definition: base config, factors, seeds, data hash, and the variants
                   with their settings and run ids
      stop         present = a stop was requested (the runner stops the current run and ends)
      runner.lock  held (flock) by the process that trains the study's runs
      runner.log   that process's output, when detached

The study id hashes the definition, so asking the same question again finds the same study and
its finished runs at once.
"""

import hashlib
import itertools
import json
from dataclasses import dataclass, replace
from pathlib import Path

from fer_core.atomic import write_json, write_text
from fer_core.data import list_datasets
from fer_core.identity import identity
from fer_core.paths import check_name, checkpoints_dir
from fer_core.study.factors import FACTORS, RETIRED_FACTORS, Vary, check_factors
from fer_core.train.config import TrainConfig, run_id
from fer_core.train.run_summary import summary
from fer_core.train.runs import Run, RunError, RunStatus

DEFAULT_SEEDS = 3


def studies_dir() -> Path:
    return checkpoints_dir() / "studies"


@dataclass(frozen=True)
class Variant:
    name: str  # "augment=on, normalization=none"
    settings: dict[str, str]  # factor -> value
    configs: tuple[TrainConfig, ...]  # one per seed
    run_ids: tuple[str, ...]


@dataclass
class Study:
    id: str
    dir: Path
    base: TrainConfig
    varies: list[Vary]
    seeds: tuple[int, ...]
    data_hash: str
    title: str = ""

    # --- paths --------------------------------------------------------------
    @property
    def definition_path(self) -> Path:
        return self.dir / "study.json"

    @property
    def stop_path(self) -> Path:
        return self.dir / "stop"

    @property
    def lock_path(self) -> Path:
        return self.dir / "runner.lock"

    @property
    def log_path(self) -> Path:
        return self.dir / "runner.log"

    # --- variants and runs --------------------------------------------------
    def variants(self) -> list[Variant]:
        """Every combination of the factors' values, the first (the baseline) first."""
        out = []
        for values in itertools.product(*(v.values for v in self.varies)):
            cfg = self.base
            for vary, value in zip(self.varies, values, strict=True):
                cfg = vary.apply(cfg, value)
            configs = tuple(replace(cfg, seed=s).resolved() for s in self.seeds)
            settings = {v.factor: value for v, value in zip(self.varies, values, strict=True)}
            name = ", ".join(f"{k}={v}" for k, v in settings.items())
            out.append(Variant(name, settings, configs, tuple(run_id(c, self.data_hash) for c in configs)))
        return out

    def runs(self) -> list[Run]:
        return [Run.at(rid) for v in self.variants() for rid in v.run_ids]

    # --- state --------------------------------------------------------------
    def save(self) -> None:
        variants = [{"name": v.name, "settings": v.settings, "run_ids": list(v.run_ids)} for v in self.variants()]
        write_json(
            self.definition_path,
            {
                "id": self.id,
                "title": self.title,
                "data_hash": self.data_hash,
                "seeds": list(self.seeds),
                "varies": [{"factor": v.factor, "values": list(v.values)} for v in self.varies],
                "base": self.base.to_json(),
                "variants": variants,
            },
        )

    def request_stop(self) -> None:
        write_text(self.stop_path, "stop")

    def stop_requested(self) -> bool:
        return self.stop_path.exists()

    def clear_stop(self) -> None:
        self.stop_path.unlink(missing_ok=True)

    def status(self) -> str:
        """running; finished (every run ended, at least one finished: failed variants are marked in
        the results); failed (every run failed); stopped (some runs still to train); or new."""
        states = [run.status().status if run.has_status else None for run in self.runs()]
        if any(s is not None and s.active for s in states):
            return "running"
        if states and all(s in (RunStatus.FINISHED, RunStatus.FAILED) for s in states):
            return "finished" if RunStatus.FINISHED in states else "failed"
        return "stopped" if any(s is not None for s in states) else "new"


def study_id(base: TrainConfig, varies: list[Vary], seeds: tuple[int, ...], data_hash: str) -> str:
    base_ident = {k: v for k, v in identity(replace(base, seed=0).resolved()).items() if k not in ("device", "precision", "log_every")}
    key = [base_ident, [[v.factor, list(v.values)] for v in varies], list(seeds), data_hash]
    return "study-" + hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:8]


def define_study(base: TrainConfig, varies: list[Vary], seeds: int | tuple[int, ...] = DEFAULT_SEEDS, title: str = "") -> Study:
    """The study for this question, made (study.json written) if new; found if asked before."""
    study = plan_study(base, varies, seeds, title)
    if not study.definition_path.exists():
        study.save()
    return study


def plan_study(base: TrainConfig, varies: list[Vary], seeds: int | tuple[int, ...] = DEFAULT_SEEDS, title: str = "") -> Study:
    """The study for this question, nothing written (its runs can be estimated before it starts)."""
    check_factors(varies)
    seeds = tuple(range(seeds)) if isinstance(seeds, int) else tuple(seeds)
    if not 1 <= len(seeds) <= 10:
        raise ValueError(f"a study takes 1 to 10 seeds, got {len(seeds)}")
    info = next((d for d in list_datasets() if d.name == base.data), None)
    if info is None:
        raise ValueError(f"no data set named {base.data!r}: import one or run `fer data synth`")
    sid = study_id(base, varies, seeds, info.hash)
    return Study(sid, studies_dir() / sid, base, list(varies), seeds, info.hash, title)


def load_study(sid: str) -> Study:
    path = studies_dir() / check_name(sid) / "study.json"
    if not path.exists():
        raise RunError(f"no study {sid!r} (looked in {path.parent}); `fer study list` shows the studies")
    try:
        d = json.loads(path.read_text())
        varies = [Vary(v["factor"], tuple(v["values"])) for v in d["varies"]]
        for v in varies:
            if v.factor in RETIRED_FACTORS:  # its runs stay, each one loads and evaluates as a run
                raise RunError(f"study {sid} varies {v.factor}, which was retired ({RETIRED_FACTORS[v.factor]}); its runs are still listed")
            if v.factor not in FACTORS:
                raise ValueError(f"unknown factor {v.factor!r}")
        return Study(d["id"], path.parent, TrainConfig.from_json(d["base"]), varies, tuple(d["seeds"]), d["data_hash"], d.get("title", ""))
    except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
        raise RunError(f"study {sid}: study.json is damaged ({exc})") from exc


def list_studies() -> list[Study]:
    """Every study, newest first (damaged ones are skipped)."""
    root = studies_dir()
    if not root.is_dir():
        return []
    found = []
    for p in sorted(root.iterdir(), key=lambda p: (p / "study.json").stat().st_mtime if (p / "study.json").exists() else 0, reverse=True):
        try:
            found.append(load_study(p.name))
        except RunError:
            continue
    return found


def progress(study: Study) -> dict:
    """Fraction done over every run's steps, elapsed training time and an ETA for the whole study."""
    fractions, elapsed = [], 0.0
    for run in study.runs():
        if not run.exists or not run.has_status:
            fractions.append(0.0)
            continue
        s = summary(run)
        fractions.append(1.0 if s.status in (RunStatus.FINISHED, RunStatus.FAILED) else s.progress)
        elapsed += s.elapsed
    done = sum(fractions) / max(len(fractions), 1)
    eta = elapsed * (1 - done) / done if 0 < done < 1 else None
    return {"fraction": done, "elapsed_s": elapsed, "eta_s": eta, "runs": len(fractions)}
