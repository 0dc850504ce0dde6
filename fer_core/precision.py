"""Which arithmetic a training step uses: bf16 autocast where the hardware does it natively.

On CUDA, bf16 is the usual choice. On a CPU with native bf16 instructions (AVX512-BF16 or
AMX, e.g. AMD Zen 4, Intel Sapphire Rapids) oneDNN runs bf16 convolutions about 1.7x
faster than fp32 (docs/history/BENCHMARKS.md); without them bf16 is emulated and slower, so `auto`
keeps fp32 there.
"""

import platform
from functools import cache
from pathlib import Path

import torch

PRECISIONS = ("auto", "fp32", "bf16")


@cache
def cpu_has_native_bf16() -> bool:
    """True when /proc/cpuinfo lists avx512_bf16 or amx_bf16 (Linux); False where unknown."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    flags = next((line for line in text.splitlines() if line.startswith("flags")), "").split()
    return ("avx512_bf16" in flags or "amx_bf16" in flags) and torch.backends.mkldnn.is_available()


def use_bf16(precision: str, device: torch.device) -> bool:
    """Whether autocast to bf16 is on for this choice on this device."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision == "fp32":
        return False
    if precision == "bf16":
        return True
    return device.type == "cuda" or (device.type == "cpu" and cpu_has_native_bf16())


def cpu_description() -> str:
    """'AMD EPYC, 2 threads, avx512_bf16': the CPU model and the flags that decide training speed."""
    model, flags = platform.processor() or platform.machine(), []
    try:
        info = Path("/proc/cpuinfo").read_text().splitlines()
        model = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), model)
        have = next((ln for ln in info if ln.startswith("flags")), "").split()
        flags = [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in have]
    except OSError:
        pass
    return f"{model} CPU, {torch.get_num_threads()} threads" + (f" ({', '.join(flags)})" if flags else "")
