"""Which arithmetic a training step uses: bf16 autocast where the hardware does it natively.

On CUDA, bf16 is the usual choice. On a CPU with native bf16 instructions (AVX512-BF16 or
AMX, e.g. AMD Zen 4, Intel Sapphire Rapids) oneDNN runs bf16 convolutions about 1.7x
faster than fp32 (docs/history/BENCHMARKS.md); without them bf16 is emulated and slower, so `auto`
keeps fp32 there.
"""

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
