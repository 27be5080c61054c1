"""WeightStreamingModel (wall 6) and EfficiencyModel (wall 3), declared over ``stream.ws`` and
``efficiency.model``."""
from __future__ import annotations

from ..binding import (Obj, arg, default_knob, derived, facade, info, knob, knob_default, link, memory, out, peak,
                       precision_arg, regime, row, width)
from ..binding.groups import transformer_shape
from ..binding.reads import error
from ..validate import BATCH, EFFICIENCY, TOKENS, choice, flag, text

_PURPOSE = "weight streaming needs transformer dimensions"

WeightStreamingModel = facade(
    "WeightStreamingModel",
    computation="stream.ws",
    objects=[Obj("model", "model"), Obj("hardware", "hardware")],
    args=[
        arg("seq_len", "S", TOKENS), arg("batch_size", "B", BATCH, 1), precision_arg(),
        arg("efficiency", "eta_hw", EFFICIENCY, None, none=knob_default("engine.efficiency")),
        arg("phase", "m_prefill", choice(("decode", "prefill")), "decode", encode={"decode": 0.0, "prefill": 1.0}),
    ],
    reads=[
        peak("hardware"), memory("hardware"),
        row("hardware", "dispatch_tax", "tau_disp", absent=default_knob("engine.dispatch_tax")),
        link("hardware", ("host_link.bandwidth", "network.bandwidth"), "BW_inj",
             absent=default_knob("streaming.injection_bandwidth")),
        width(), knob("streaming.sram_overhead", "f_sram"),
        row("model", "params", "P", absent=error("weight streaming needs the parameter count")),
        *transformer_shape(_PURPOSE),
    ],
    fields=[
        out("feasible", "feasible_ws", "bool"), out("throughput_tokens_per_sec", "X_ws"),
        out("layer_compute_time", "t_layer_c", "ms"), out("layer_injection_time", "t_inj", "ms"),
        out("optimal_batch_size", "B_star"), out("wafer_memory_utilization", "U_sram"),
        regime("bottleneck", "t_layer"),
    ],
    trace=["SRAM Wall: {feasible_ws?Passed|FAILED}. Required {M_sram_req:GB} (KV + overhead) {feasible_ws?<=|>} "
           "Available {C_mem:GB}."],
    report=("X_ws", "t_layer", "B_star", "U_sram", "feasible_ws"),
    requires=("workload", "hardware"), walls=(6,),
    doc="Weight streaming into SRAM-resident designs (0.3.0's WeightStreamingModel): layer by layer, the slower of "
        "compute and weight injection; the batch at which compute covers injection.")
WeightStreamingResult = WeightStreamingModel.result_class

WORKLOAD_TYPES = {"attention": 1.0, "ffn": 2.0, "conv": 3.0}
_EFF_KNOBS = {"eta_ref": "reference_efficiency", "e_flash": "flash_attention", "cap_flash": "flash_attention_cap",
              "e_attn": "attention", "e_ffn": "ffn", "cap_ffn": "ffn_cap", "e_conv": "conv", "cap_conv": "conv_cap",
              "e_other": "other", "k_occ": "occupancy_headroom"}


def _breakdown(view) -> dict[str, float]:
    v = view._result.values
    return {"occupancy_loss": v["L_occ"], "memory_stall": v["L_stall"]}


EfficiencyModel = facade(
    "EfficiencyModel",
    computation="efficiency.model",
    objects=[Obj("model", "model", optional=True,
                 purpose="accepted for 0.3.0 compatibility; the bands depend on the kernel class"),
             Obj("hardware", "hardware")],
    args=[
        arg("workload_type", "w_type", text(), "ffn", encode=lambda wt: WORKLOAD_TYPES.get(wt, 4.0),
            doc="attention | ffn | conv; anything else: other kernels"),
        arg("use_flash_attention", "m_flash", flag(), False, encode=float),
        precision_arg(),
        arg("efficiency", "eta_hw", EFFICIENCY, None, none=knob_default("engine.efficiency")),
    ],
    reads=[peak("hardware"), *(knob(f"efficiency.{fld}", sym) for sym, fld in _EFF_KNOBS.items())],
    fields=[
        out("mfu", "MFU_w"), out("achievable_flops", "R_ach", "TFLOP/s"), out("peak_flops", "R_peak", "TFLOP/s"),
        derived("overhead_breakdown", _breakdown), info("workload_type", "workload_type"),
        info("use_flash_attention", "use_flash_attention"),
    ],
    report=("MFU_w", "R_ach", "L_occ", "L_stall"),
    requires=("hardware",), walls=(3,),
    doc="Achievable MFU per kernel class (0.3.0's EfficiencyModel, wall 3); ``model`` is accepted for 0.3.0 "
        "compatibility.")
EfficiencyResult = EfficiencyModel.result_class

__all__ = ["EfficiencyModel", "EfficiencyResult", "WeightStreamingModel", "WeightStreamingResult"]
