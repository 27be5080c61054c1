"""Hardware chapter: weight streaming on a wafer-scale engine (wall 6) and the software wall (wall 3)."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, resolver

_FLASH = resolver("EfficiencyModel", model="Llama3_8B", hardware="H100", workload_type="attention",
                  use_flash_attention=True)
_UNFUSED = resolver("EfficiencyModel", model="Llama3_8B", hardware="H100", workload_type="attention",
                    use_flash_attention=False)
_WS = resolver("WeightStreamingModel", model="Llama3_70B", hardware="Cerebras_CS3", seq_len=2048, batch_size=1)

VALUES = [
    BookValue("EffFlashAttentionMfu", "H100, eta 0.5: achievable MFU of flash attention", _FLASH, "mfu", "", 3),
    BookValue("EffUnfusedAttentionMfu", "H100, eta 0.5: achievable MFU of unfused attention", _UNFUSED, "mfu", "", 3),
    BookValue("StreamLlamaSeventyTokens", "Llama-3 70B streamed on Cerebras CS-3, batch 1: tokens per second", _WS,
              "throughput_tokens_per_sec", "", 3),
    BookValue("StreamLlamaSeventyOptimalBatch", "same: batch at which compute covers weight injection", _WS,
              "optimal_batch_size", "", 4),
]
