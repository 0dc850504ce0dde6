"""How long an action will take on this machine, said before it starts (issue 44): training, a
study, gradient ascent, the first evaluation of a model, an import.

Every estimate comes from throughput measured here: the rate the same kind of work reached last
time on this machine (kept in `checkpoints/.throughput.json`, written after each real action, or,
for training, read from the runs' own step records), else a probe of a few steps timed now. It
says which, and when the CPU is busy with other work (the figure then runs long). While the action
runs, `Clock` gives the time left from the fraction done."""

import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from fer_core.atomic import atomic_path
from fer_core.paths import checkpoints_dir, size_on_disk

LONG_S = 10.0  # an action past this asks before it starts
BUSY_SHARE = 0.5  # the share of the cores other work may use before the CPU counts as busy
VALIDATION_SPEEDUP = 3.0  # a validation face costs about a third of a training face (forward only)
ASCENT_EXTRA = 0.1  # the share of gradient ascent's extra steps a layer takes (measured 0.06 and 0.15: ascent_estimate)


@dataclass(frozen=True)
class Estimate:
    seconds: float
    basis: str  # how the rate was measured, in words
    busy: str = ""  # why it may take longer, or ""

    @property
    def long(self) -> bool:
        return self.seconds > LONG_S

    def text(self) -> str:
        """'about 3 min on this machine (from 415 images/s measured in run X)'."""
        said = f"about {duration(self.seconds)} on this machine ({self.basis})"
        return f"{said}; {self.busy}" if self.busy else said


def duration(seconds: float) -> str:
    """45 s, 3 min, 1 h 20 min."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    h, m = divmod(round(seconds / 60), 60)
    return f"{h} h {m} min" if m else f"{h} h"


def cpu_busy() -> str:
    """'the CPU is busy (...)' when other work holds the cores (a training run, another class
    member's action), else ''. Other processes' share is sampled over a quarter second with this
    process's own CPU time taken out, and must have lasted (the load average); read again after
    BUSY_TTL_S."""
    global _busy
    now = time.monotonic()
    if _busy is None or now - _busy[0] > BUSY_TTL_S:
        _busy = (now, _others_busy())
    used, cores = _busy[1], os.cpu_count() or 1
    # Both: other work now (a browser redrawing the page is a moment's), and work that has lasted
    # (the minute's load average; it counts this process too, which the sample leaves out).
    if used <= BUSY_SHARE * cores or os.getloadavg()[0] <= BUSY_SHARE * cores:
        return ""
    return f"the CPU is busy (other work is using {used:.1f} of {cores} cores), so it may well take longer"


_busy: tuple[float, float] | None = None
BUSY_TTL_S = 5.0


def _others_busy(sample: float = 0.25) -> float:
    """Cores' worth of CPU that other processes used over `sample` seconds (Linux /proc/stat; the
    1-minute load average elsewhere)."""

    def busy_seconds() -> float:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    try:
        b0, own0, t0 = busy_seconds(), time.process_time(), time.perf_counter()
        time.sleep(sample)
        b1, own1, t1 = busy_seconds(), time.process_time(), time.perf_counter()
    except (OSError, ValueError, IndexError):
        return os.getloadavg()[0]
    return max(0.0, (b1 - b0) - (own1 - own0)) / (t1 - t0)


class Clock:
    """Time left while an action runs: from the time since `start()` and the fraction done."""

    def __init__(self):
        self.started = time.perf_counter()

    def left(self, fraction: float) -> str:
        if fraction <= 0.02:
            return ""
        elapsed = time.perf_counter() - self.started
        return f" · about {duration(elapsed * (1 - fraction) / fraction)} left" if fraction < 1 else ""


# --- rates measured here -------------------------------------------------------
def _store():
    return checkpoints_dir() / ".throughput.json"


def recorded(key: str) -> float | None:
    """A rate measured on this machine for `key` (units per second), or None."""
    try:
        return json.loads(_store().read_text()).get(socket.gethostname(), {}).get(key)
    except (OSError, ValueError):
        return None


def record(key: str, rate: float) -> None:
    """Keep the rate an action just reached here, for the next estimate of its kind."""
    path = _store()
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    data.setdefault(socket.gethostname(), {})[key] = float(rate)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=1))


def probe_rate(step: Callable[[], int], seconds: float = 1.0, at_most: int = 5) -> float:
    """Units per second of `step` (which does some work and returns how many units): one warm-up
    call, then calls until `seconds` or `at_most` calls have passed."""
    step()
    done, start = 0, time.perf_counter()
    for _ in range(at_most):
        done += step()
        if time.perf_counter() - start > seconds:
            break
    return done / (time.perf_counter() - start)


# --- the actions -----------------------------------------------------------------
def training_rate(cfg) -> tuple[float, str]:
    """(images/s, how measured) for training `cfg`'s model here: the latest run of the same model
    and batch size on this machine, else a probe of a few training steps on random faces."""
    from fer_core.train.run_summary import list_runs, summary
    from fer_core.train.runs import RunError

    cfg, host = cfg.resolved(), socket.gethostname()
    for run in list_runs():
        try:
            other = run.config().resolved()
            if other.model != cfg.model or other.batch_size != cfg.batch_size:
                continue
            s = summary(run)
        except (RunError, ValueError, KeyError, TypeError):  # a damaged run says nothing about speed
            continue
        if s.images_per_s and (s.where or {}).get("host", host) == host:
            return s.images_per_s, f"{s.images_per_s:,.0f} images/s measured in run {run.id}"
    key = f"train-probe:{cfg.model.name}:{cfg.batch_size}"
    if (rate := recorded(key)) is None:
        quiet = not cpu_busy()
        rate = _probe_training(cfg)
        if quiet:  # a probe beside other work is used once, not kept as this machine's speed
            record(key, rate)
    return rate, f"{rate:,.0f} images/s in a probe of a few training steps here"


def _probe_training(cfg) -> float:
    from fer_core.models import build_model
    from fer_core.precision import use_bf16

    # The engine's step as it runs on the CPU: channels_last, bf16 autocast where the CPU has it.
    model = build_model(cfg.model).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    x = torch.randn(cfg.batch_size, 1, 48, 48).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, cfg.model.num_classes, (cfg.batch_size,))
    bf16 = use_bf16(cfg.precision, torch.device("cpu"))

    def step() -> int:
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return cfg.batch_size

    return probe_rate(step)


def training_estimate(cfg, n_train: int, n_val: int, epochs: float | None = None, rate: tuple[float, str] | None = None) -> Estimate:
    """`epochs` (default: all of cfg's) of training on `n_train` faces with validation on `n_val`;
    `rate`: training_rate(cfg), when the caller has it already."""
    rate, basis = rate or training_rate(cfg)
    per_epoch = n_train / rate + n_val / (VALIDATION_SPEEDUP * rate)
    return Estimate(per_epoch * (cfg.epochs if epochs is None else epochs), basis, cpu_busy())


def _arch(model) -> str:
    return model.cfg.model.name if model.cfg else model.run_id


def prediction_rate_key(model, tta: str) -> str:
    """Where the faces/s of predicting with `model` (a LoadedModel) are kept."""
    return f"predict:{_arch(model)}:{tta}:{model.arithmetic}"


def ascent_time_key(model, layer: str) -> str:
    """Where the seconds gradient ascent took on `layer` of `model`'s architecture are kept."""
    return f"ascent:{_arch(model)}:{layer}"


def import_rate_key(source) -> str:
    """Where the bytes/s of importing this kind of source are kept: a folder, a zip, a CSV, or photos
    in emotion folders (each through face detection: about a thousandth of a CSV's bytes/s)."""
    import zipfile
    from pathlib import Path

    from fer_core.data.image_import import find_root
    from fer_core.data.photo_import import find_photo_root

    path = Path(source)
    names = []
    if path.is_dir():
        names = [p.relative_to(path).as_posix() for p in path.glob("*/*")] + [p.relative_to(path).as_posix() for p in path.glob("*/*/*")]
    elif path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    if names and find_root(names) is None and find_photo_root(names) is not None:
        return "import:photos"
    return "import:folder" if path.is_dir() else "import:zip" if path.suffix.lower() == ".zip" else "import:csv"


def prediction_estimate(model, n: int, tta: str) -> Estimate:
    """Predicting `n` faces with `model` (a LoadedModel) and test-time augmentation `tta`."""
    if (rate := recorded(prediction_rate_key(model, tta))) is not None:
        return Estimate(n / rate, f"{rate:,.0f} faces/s measured here before", cpu_busy())
    faces = np.random.default_rng(0).integers(0, 256, (64, 48, 48), dtype=np.uint8)
    rate = probe_rate(lambda: len(model.probs(faces, tta)), seconds=0.5)
    return Estimate(n / rate, f"{rate:,.0f} faces/s in a probe just now", cpu_busy())


def ascent_estimate(model, layer: str) -> Estimate:
    """Gradient ascent on every filter of `layer`: the time it took here last for the same
    architecture and layer, else a probe of one step over all its filters. Its cost lies between
    the first steps for every filter and every step for every filter; most filters rise early, so
    on the shipped model's layers (2 EPYC cores) it took the first steps plus 6-15% of the rest."""
    from fer_core.explain.filters import ascent_options

    if (seconds := recorded(ascent_time_key(model, layer))) is not None:
        return Estimate(seconds, f"it took {duration(seconds)} here for this architecture's {layer}", cpu_busy())
    net = model.network
    channels = net.forward_to(torch.zeros(1, 1, 48, 48), layer).shape[1]
    x = torch.rand(channels, 1, 48, 48, requires_grad=True)

    def step() -> int:
        net.forward_to(x, layer).mean().backward()
        return 1

    per_step = 1 / probe_rate(step, seconds=0.5, at_most=3)
    o = ascent_options()
    first, every = (o["steps"] + o["starts"]) * per_step, (o["steps"] + o["starts"] + o["extra_steps"]) * per_step
    said = f"a probe of one step over its {channels} filters; at most {duration(every)} if many climb slowly"
    return Estimate(first + ASCENT_EXTRA * (every - first), said, cpu_busy())


def import_estimate(source, size: int | None = None) -> Estimate | None:
    """Importing `source` (a file or folder; `size` bytes, default its size on disk) at the rate the
    last import of its kind reached here; None before any (the first import measures it)."""
    if (rate := recorded(import_rate_key(source))) is None:
        return None
    return Estimate(
        (size_on_disk(source) if size is None else size) / rate, f"{rate / 1e6:,.1f} MB/s measured in the last import here", cpu_busy()
    )


def run_estimate(cfg, info=None, rates: dict | None = None) -> Estimate:
    """What `fer train` / Start training with `cfg` will take: nothing when an identical run has
    finished, the epochs left when a stopped one resumes, else all of them. `info` (its data set's
    DatasetInfo) and `rates` (training rates by model) spare a study's runs the same look-ups."""
    from fer_core.data import list_datasets
    from fer_core.train.config import run_id
    from fer_core.train.run_summary import summary
    from fer_core.train.runs import Run, RunStatus

    info = info or next((d for d in list_datasets() if d.name == cfg.data), None)
    if info is None:
        raise ValueError(f"no data set named {cfg.data!r}")
    cfg = cfg.resolved()
    run = Run.at(run_id(cfg, info.hash))
    epochs = float(cfg.epochs)
    if run.has_status:
        s = summary(run)
        if s.status is RunStatus.FINISHED:
            return Estimate(0.0, f"an identical run, {run.id}, has finished: it is shown at once")
        epochs -= s.epochs_done
    size = {split: sum(per.values()) for split, per in info.counts.items()}
    rates = {} if rates is None else rates
    key = (repr(cfg.model), cfg.batch_size)
    rates[key] = rates.get(key) or training_rate(cfg)
    return training_estimate(cfg, size.get(cfg.train_split, 0), size.get(cfg.val_split, 0), epochs, rates[key])


def study_estimate(study) -> Estimate:
    """Every run of a study (an unsaved `study.plan_study` will do) that is not finished yet."""
    from fer_core.data import list_datasets

    info, rates = next((d for d in list_datasets() if d.name == study.base.data), None), {}
    parts = [run_estimate(cfg, info, rates) for v in study.variants() for cfg in v.configs]
    todo = [p for p in parts if p.seconds > 0]
    if not todo:
        return Estimate(0.0, "every run has finished: the answer is shown at once")
    total = sum(p.seconds for p in todo)
    return Estimate(total, f"{len(todo)} of {len(parts)} runs to train; {todo[0].basis}", todo[0].busy)
