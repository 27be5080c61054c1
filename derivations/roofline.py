"""Hardware acceleration chapter: the roofline (walls 1-2) on the book's reference workloads."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, engine

_RESNET_A100 = engine("ResNet50", "A100", batch_size=1, precision="fp16")
_RESNET_A100_B32 = engine("ResNet50", "A100", batch_size=32, precision="fp16")
_LLAMA8_H100 = engine("Llama3_8B", "H100", batch_size=1, precision="fp16")

VALUES = [
    BookValue("ResnetAhundredLatency", "ResNet-50 on A100, batch 1, FP16: step latency", _RESNET_A100,
              "latency", "ms", 3),
    BookValue("ResnetAhundredThroughput", "ResNet-50 on A100, batch 1: throughput", _RESNET_A100,
              "throughput", "1/s", 4),
    BookValue("ResnetAhundredIntensity", "ResNet-50 on A100, batch 1: arithmetic intensity", _RESNET_A100,
              "arithmetic_intensity", "FLOP/B", 4),
    BookValue("ResnetAhundredMfu", "ResNet-50 on A100, batch 1: MFU", _RESNET_A100, "mfu", "", 3),
    BookValue("ResnetAhundredBatchThirtyTwoIntensity", "ResNet-50 on A100, batch 32: arithmetic intensity",
              _RESNET_A100_B32, "arithmetic_intensity", "FLOP/B", 4),
    BookValue("LlamaEightHhundredLatency", "Llama-3 8B on H100, batch 1 decode step: latency", _LLAMA8_H100,
              "latency", "ms", 3),
]
