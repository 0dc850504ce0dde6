"""Training-pipeline throughput against the bare model step, measured in one run.

    python bench/bench_train_pipeline.py [--arch seed-4conv] [--steps 60] [--device auto] [--precision auto] [--json OUT]

  bare        forward + backward + AdamW step on one pre-made, normalised batch (channels_last)
  fer_core    the real Trainer: uint8 data on the device, batch indexing, augmentation and
              normalisation on the device, loss bookkeeping (median of its step windows)
  dataloader  the conventional pipeline: a Dataset that augments one image at a time,
              a torch DataLoader with worker processes, then the same step
Target (issue 3): fer_core within 15% of bare on 2 CPU cores (ratio >= 0.85).
"""

import argparse
import os
import statistics
import tempfile
import time

import torch
import torch.nn.functional as F
from report import emit

from fer_core.augment import AugmentConfig, augment_batch
from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.models import build_model, get_preset
from fer_core.normalize import normalize
from fer_core.precision import PRECISIONS, use_bf16
from fer_core.train import TrainConfig, prepare_run, train_in_process
from fer_core.train.engine import resolve_device
from fer_core.train.optim import build_optimizer


def bare(arch: str, batch: int, steps: int, device, bf16: bool, compiled: bool = False) -> float:
    """Images/s of forward + backward + optimiser step on one batch (median step; the first five,
    which include torch.compile's compilation when `compiled`, are not timed)."""
    model = build_model(get_preset(arch)).to(device, memory_format=torch.channels_last)
    opt = build_optimizer(model, TrainConfig())  # the trainer's own optimiser
    forward = torch.compile(model) if compiled else model
    x = torch.randn(batch, 1, 48, 48, device=device).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 7, (batch,), device=device)
    times = []
    for i in range(steps + 5):
        t = time.perf_counter()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = F.cross_entropy(forward(x).float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss.item()  # the trainer reads the loss every step too
        if i >= 5:
            times.append(time.perf_counter() - t)
    return batch / statistics.median(times)


class PerImageDataset(torch.utils.data.Dataset):
    """The usual way: augment each face on its own in a worker process."""

    def __init__(self, pixels, labels):
        self.pixels, self.labels, self.cfg = pixels, labels, AugmentConfig.all_on()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        x = torch.from_numpy(self.pixels[i]).float().div(255)[None, None]  # (1, 1, 48, 48)
        x = normalize(augment_batch(x, self.cfg), "per_image")
        return x[0], int(self.labels[i])


def dataloader(arch: str, batch: int, steps: int, device, ds, bf16: bool) -> float:
    model = build_model(get_preset(arch)).to(device, memory_format=torch.channels_last)
    opt = build_optimizer(model, TrainConfig())  # the trainer's own optimiser
    loader = torch.utils.data.DataLoader(
        PerImageDataset(ds.pixels, ds.labels),
        batch_size=batch,
        shuffle=True,
        num_workers=min(4, os.cpu_count() or 1),
        drop_last=True,
        persistent_workers=True,
    )
    times, it, t = [], iter(loader), time.perf_counter()
    for i in range(steps + 5):
        x, y = next(it)
        x = x.to(device).contiguous(memory_format=torch.channels_last)
        y = y.to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = F.cross_entropy(model(x).float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss.item()
        now = time.perf_counter()
        if i >= 5:
            times.append(now - t)
        t = now
    return batch / statistics.median(times)


def pipeline(arch: str, batch: int, steps: int, device: str, precision: str) -> float:
    cfg = TrainConfig(data="bench", arch=arch, epochs=1, batch_size=batch, log_every=5, device=device, precision=precision)
    run, _ = prepare_run(cfg)
    rates = []
    train_in_process(run, callbacks=[lambda e, r: rates.append(r["images_per_s"]) if e == "step" else None])
    return statistics.median(rates[1:])  # the first window holds warm-up


def add_step_options(ap: argparse.ArgumentParser, steps: int) -> None:
    """The options of a benchmark that times training steps (this one, bench_presets)."""
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=steps)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--precision", default="auto", choices=PRECISIONS)
    ap.add_argument("--json")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="seed-4conv")
    add_step_options(ap, steps=60)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    os.environ["FER_DATA_DIR"], os.environ["FER_CHECKPOINTS_DIR"] = f"{tmp}/data", f"{tmp}/ckpt"
    device = resolve_device(a.device)
    bf16 = use_bf16(a.precision, device)  # every pipeline below computes in the same precision
    ds = synth_dataset("bench", n=int(a.batch * (a.steps + 6) / 0.8) + 64)  # one epoch = steps + warm-up
    save_dataset(ds)
    r_bare1 = bare(a.arch, a.batch, a.steps, device, bf16)
    r_pipe = pipeline(a.arch, a.batch, a.steps, a.device, a.precision)
    r_bare2 = bare(a.arch, a.batch, a.steps, device, bf16)
    r_loader = dataloader(a.arch, a.batch, a.steps, device, ds, bf16)
    r_bare = (r_bare1 + r_bare2) / 2  # before and after, to even out drift
    res = {
        "arch": a.arch,
        "batch": a.batch,
        "device": str(device),
        "bf16": bf16,
        "threads": torch.get_num_threads(),
        "bare_images_per_s": round(r_bare),
        "fer_core_images_per_s": round(r_pipe),
        "dataloader_images_per_s": round(r_loader),
        "fer_core_vs_bare": round(r_pipe / r_bare, 3),
        "fer_core_vs_dataloader": round(r_pipe / r_loader, 2),
        "target_met": r_pipe / r_bare >= 0.85,
    }
    emit(res, a.json)
    print(f"\n{a.arch}, batch {a.batch}, {device}, {'bf16' if bf16 else 'fp32'} ({res['threads']} threads)")
    for k in ("bare", "fer_core", "dataloader"):
        print(f"{k:<12}{res[f'{k}_images_per_s']:>8} images/s")
    print(
        f"fer_core / bare = {res['fer_core_vs_bare']} (target >= 0.85: {'met' if res['target_met'] else 'NOT met'}); "
        f"fer_core / dataloader = {res['fer_core_vs_dataloader']}"
    )


if __name__ == "__main__":
    main()
