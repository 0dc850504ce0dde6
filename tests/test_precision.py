import pytest
import torch

from fer_core.precision import cpu_has_native_bf16, use_bf16
from fer_core.train import TrainConfig


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_explicit_choices_win_on_any_device(device):
    dev = torch.device(device)
    assert use_bf16("bf16", dev) and not use_bf16("fp32", dev)


def test_auto_is_bf16_on_cuda_and_on_cpus_with_native_bf16():
    assert use_bf16("auto", torch.device("cuda"))
    assert use_bf16("auto", torch.device("cpu")) == cpu_has_native_bf16()


def test_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="precision"):
        use_bf16("fp16", torch.device("cpu"))
    with pytest.raises(ValueError, match="precision"):
        TrainConfig(precision="half")
