"""Training speed of presets against one another, measured in one run (bare bf16/fp32 step).

    python bench/bench_presets.py [--archs seed-4conv,vgg8-gap-lite,vgg10-gap-fast] [--rounds 3] [--steps 40] [--compile] [--json OUT]

Each round times every preset once, in turn, so that drift of the machine (another process, a
frequency change) falls on all of them alike; the figure is each preset's median over rounds and
its ratio against the first preset named. Multiply-adds per face come from the layer table.
With --compile each preset is also timed through torch.compile (inductor) in the same rounds, and
its ratio against the same preset run eagerly is printed: whether compiling pays on this machine.
"""

import argparse
import statistics

from bench_train_pipeline import add_step_options, bare
from report import emit

from fer_core.models import get_preset
from fer_core.models.layers import layer_table, layer_totals
from fer_core.precision import use_bf16
from fer_core.train.engine import resolve_device


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--archs", default="seed-4conv,vgg8-gap-lite,vgg10-gap-fast", help="comma-separated presets; the first is the baseline")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--compile", action="store_true", help="also time each preset through torch.compile")
    add_step_options(ap, steps=40)
    a = ap.parse_args()
    archs = a.archs.split(",")
    device = resolve_device(a.device)
    bf16 = use_bf16(a.precision, device)
    rates: dict[str, list[float]] = {arch: [] for arch in archs}
    compiled: dict[str, list[float]] = {arch: [] for arch in archs}
    for _ in range(a.rounds):
        for arch in archs:
            rates[arch].append(bare(arch, a.batch, a.steps, device, bf16))
            if a.compile:
                compiled[arch].append(bare(arch, a.batch, a.steps, device, bf16, compiled=True))
    base = statistics.median(rates[archs[0]])
    rows = []
    for arch in archs:
        totals = layer_totals(layer_table(get_preset(arch)))
        speed = statistics.median(rates[arch])
        rows.append(
            {
                "arch": arch,
                "params": totals.params,
                "macs": totals.macs,
                "images_per_s": round(speed),
                "per_round": [round(r) for r in rates[arch]],
                "vs_baseline": round(speed / base, 2),
            }
        )
        if a.compile:
            fast = statistics.median(compiled[arch])
            rows[-1] |= {"compiled_images_per_s": round(fast), "compiled_vs_eager": round(fast / speed, 2)}
    emit({"device": str(device), "bf16": bf16, "batch": a.batch, "presets": rows}, a.json)
    print(f"\nbare training step, batch {a.batch}, {device}, {'bf16' if bf16 else 'fp32'}; baseline {archs[0]}")
    for r in rows:
        size = f"{r['params'] / 1e6:>6.2f} M params {r['macs'] / 1e6:>6.0f} M MAC"
        line = f"{r['arch']:<16}{size} {r['images_per_s']:>7} images/s  x{r['vs_baseline']}"
        if a.compile:
            line += f"   compiled {r['compiled_images_per_s']:>6} images/s  x{r['compiled_vs_eager']} of eager"
        print(line)


if __name__ == "__main__":
    main()
