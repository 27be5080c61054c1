"""Analysis chapter: the inverse problem (wall 22) — what a device needs to meet a latency target.

Sensitivities (wall 21) are printed by the book through their equations (``equations/sensitivity-*``); their values
depend on the operating point chosen in the text and are produced with ``mlsysim_sym.sensitivity(result, ...)``."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, resolver

_SEVENTY = resolver("SynthesisSolver", model="Llama3_70B", target_latency="50 ms", precision="fp16")
_EIGHT = resolver("SynthesisSolver", model="Llama3_8B", target_latency="30 ms", precision="fp16")

VALUES = [
    BookValue("SynthLlamaSeventyFiftyMsBandwidth", "Llama-3 70B, one pass in 50 ms (fp16, batch 1): bandwidth needed",
              _SEVENTY, "required_bw", "TB/s", 4),
    BookValue("SynthLlamaSeventyFiftyMsPeak", "same: peak rate needed at the default efficiency", _SEVENTY,
              "required_flops", "TFLOP/s", 4),
    BookValue("SynthLlamaSeventyFiftyMsCapacity", "same: capacity needed (the weights)", _SEVENTY, "required_memory",
              "GB", 4),
    BookValue("SynthLlamaEightThirtyMsBandwidth", "Llama-3 8B, one pass in 30 ms (fp16, batch 1): bandwidth needed",
              _EIGHT, "required_bw", "GB/s", 4),
    BookValue("SynthLlamaEightThirtyMsBalance", "same: balance point of the synthesised device", _EIGHT,
              "compute_memory_ratio", "FLOP/B", 3),
]
