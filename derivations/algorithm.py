"""Algorithm chapter: scaling laws (wall 11), reasoning (wall 12) and compression (wall 13)."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, resolver

_GOPHER = "5.76e23 FLOP"
_RULE = resolver("ScalingModel", compute_budget=_GOPHER)
_BESIROGLU = resolver("ScalingModel", compute_budget=_GOPHER, allocation="parametric", fit="besiroglu2024")
_HOFFMANN = resolver("ScalingModel", compute_budget=_GOPHER, allocation="parametric", fit="hoffmann2022")
_GPU_DAYS = resolver("ScalingModel", compute_budget="10000 day")
_GPT3 = resolver("TrainingComputeModel", model="GPT3", tokens=3e11)
_REASON = resolver("InferenceScalingModel", model="Llama3_70B", hardware="B200", reasoning_steps=8)
_BEST_OF = resolver("InferenceScalingModel", model="Llama3_70B", hardware="B200", reasoning_steps=8, n_samples=8)
_INT4 = resolver("CompressionModel", model="Llama3_70B", hardware="H100", target_bitwidth=4,
                 baseline_precision="fp16")
_SPARSE = resolver("CompressionModel", model="Llama3_70B", hardware="H100", method="pruning", sparsity=0.5,
                   sparsity_type="n_m", baseline_precision="fp16")

VALUES = [
    BookValue("ScalingGopherRuleParams", "Gopher's budget 5.76e23 FLOPs, 20 tokens per parameter: model size",
              _RULE, "optimal_parameters", "Gparam", 3),
    BookValue("ScalingGopherRuleTokens", "same: training tokens", _RULE, "optimal_tokens", "Ttoken", 3),
    BookValue("ScalingGopherBesirogluParams", "same budget on Besiroglu et al.'s fitted frontier: model size",
              _BESIROGLU, "optimal_parameters", "Gparam", 3),
    BookValue("ScalingGopherBesirogluTokens", "same: training tokens", _BESIROGLU, "optimal_tokens", "Ttoken", 3),
    BookValue("ScalingGopherHoffmannParams", "same budget on Hoffmann et al.'s printed (rounded) fit: model size",
              _HOFFMANN, "optimal_parameters", "Gparam", 3),
    BookValue("ScalingTenThousandGpuDays", "10,000 H100-days at MFU 0.40: training FLOPs", _GPU_DAYS,
              "compute_budget_flops", "FLOP", 3),
    BookValue("ScalingGptThreeCompute", "GPT-3 175B on 300B tokens: 6ND", _GPT3, "compute_6nd", "FLOP", 3),
    BookValue("ReasonSeventyEightSteps", "Llama-3 70B on B200, 8 reasoning steps: time to answer", _REASON,
              "total_reasoning_time", "s", 3),
    BookValue("ReasonSeventyBestOfEight", "same with best-of-8 sampling: time to answer", _BEST_OF,
              "total_reasoning_time", "s", 3),
    BookValue("CompressSeventyIntFourRatio", "Llama-3 70B INT4 against FP16 on H100: compression ratio", _INT4,
              "compression_ratio", "", 3),
    BookValue("CompressSeventyIntFourSpeedup", "same: roofline speed-up", _INT4, "inference_speedup", "", 3),
    BookValue("CompressSeventySparseRatio", "Llama-3 70B 2:4 sparse (FP16, 2-bit indices): compression ratio",
              _SPARSE, "compression_ratio", "", 3),
]
