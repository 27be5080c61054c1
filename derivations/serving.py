"""LLM serving chapter: TTFT, ITL and KV cache of the book's reference deployment (wall 4)."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, serving

_L8_H100 = serving("Llama3_8B", "H100", seq_len=2048, batch_size=1, precision="fp16")
_L70_B200 = serving("Llama3_70B", "B200", seq_len=2048, batch_size=1, precision="fp16")

VALUES = [
    BookValue("LlamaEightHhundredTtft", "Llama-3 8B on H100, 2048-token prompt: time to first token", _L8_H100,
              "ttft", "ms", 4),
    BookValue("LlamaEightHhundredItl", "Llama-3 8B on H100: inter-token latency", _L8_H100, "itl", "ms", 3),
    BookValue("LlamaEightHhundredKvCache", "Llama-3 8B, 2048 tokens, batch 1: KV-cache size", _L8_H100,
              "kv_cache_size", "GB", 3),
    BookValue("LlamaSeventyBtwohundredItl", "Llama-3 70B on B200: inter-token latency", _L70_B200, "itl", "ms", 3),
]
