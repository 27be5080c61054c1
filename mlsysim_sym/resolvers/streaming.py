"""WeightStreamingModel (wall 6) and EfficiencyModel (wall 3)."""
from __future__ import annotations

from typing import Any, ClassVar

from ..catalog import catalog
from ..engine import (efficiency_binding, knob, normalize_precision, precision_bytes, resolve_hardware,
                      resolve_model)
from ..errors import InputError
from ..evaluate import evaluate
from ..results import ResultView
from ..validate import flag
from .common import bind_const, bind_transformer_shape, catalog_hash_of, check_int, static_inputs


class WeightStreamingResult(ResultView):
    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {
        "feasible": ("feasible_ws", "bool"), "throughput_tokens_per_sec": ("X_ws", ""),
        "layer_compute_time": ("t_layer_c", "ms"), "layer_injection_time": ("t_inj", "ms"),
        "optimal_batch_size": ("B_star", ""), "wafer_memory_utilization": ("U_sram", ""),
    }
    _DERIVED = ("bottleneck",)

    @property
    def bottleneck(self) -> str:
        return self._result.regime("t_layer")

    @property
    def constraint_trace(self) -> list[str]:
        v = self._result.values
        ok = v["feasible_ws"]
        return [f"SRAM Wall: {'Passed' if ok else 'FAILED'}. Required {v['M_sram_req'] / 1e9:.6g} GB (KV + overhead) "
                f"{'<=' if ok else '>'} Available {v['C_mem'] / 1e9:.6g} GB."]


class WeightStreamingModel:
    requires = ("workload", "hardware")
    produces = "WeightStreamingResult"

    def solve(self, model: Any, hardware: Any, seq_len: int, batch_size: int = 1, precision: str = "fp16",
              efficiency: float | None = None, phase: str = "decode") -> WeightStreamingResult:
        m = resolve_model(model)
        hw = resolve_hardware(hardware)
        prec = normalize_precision(precision)
        if phase not in ("decode", "prefill"):
            raise InputError(f"phase must be 'decode' or 'prefill', got {phase!r}")
        cat = catalog()

        def build(values: dict[str, float], refs: dict[str, str]) -> None:
            hv, hr = hw.bind(prec, cat.entity("knobs", "engine"))
            for k in ("R_peak", "tau_disp", "C_mem"):
                values[k], refs[k] = hv[k], hr[k]
            link = hw.entity.values.get("host_link.bandwidth") or hw.entity.values.get("network.bandwidth")
            if link is None:
                values["BW_inj"], refs["BW_inj"] = knob("streaming", "injection_bandwidth")
            else:
                values["BW_inj"], refs["BW_inj"] = link.per_direction()
            values["b_w"], refs["b_w"] = precision_bytes(prec)
            values["f_sram"], refs["f_sram"] = knob("streaming", "sram_overhead")
            bind_const(m, "params", "P", values, refs, required="weight streaming needs the parameter count")
            bind_transformer_shape(m, values, refs, purpose="weight streaming needs transformer dimensions")

        sv, sr, _ = static_inputs("stream", (m, hw), (prec,), build)
        values = dict(sv)
        refs = dict(sr)
        values["eta_hw"], refs["eta_hw"] = efficiency_binding(efficiency)
        values["S"], refs["S"] = float(check_int(seq_len, "seq_len")), "arg:seq_len"
        values["B"], refs["B"] = float(check_int(batch_size, "batch_size")), "arg:batch_size"
        values["m_prefill"], refs["m_prefill"] = (1.0 if phase == "prefill" else 0.0), "arg:phase"
        r = evaluate(["stream.ws"], values, refs, ("X_ws", "t_layer", "B_star", "U_sram", "feasible_ws"),
                     catalog_hash_of(m, hw))
        return WeightStreamingResult(r)


class EfficiencyResult(ResultView):
    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {
        "mfu": ("MFU_w", ""), "achievable_flops": ("R_ach", "TFLOP/s"), "peak_flops": ("R_peak", "TFLOP/s"),
    }

    @property
    def overhead_breakdown(self) -> dict[str, float]:
        v = self._result.values
        return {"occupancy_loss": v["L_occ"], "memory_stall": v["L_stall"]}


WORKLOAD_TYPES = {"attention": 1.0, "ffn": 2.0, "conv": 3.0}
_EFF_KNOBS = {"eta_ref": "reference_efficiency", "e_flash": "flash_attention", "cap_flash": "flash_attention_cap",
              "e_attn": "attention", "e_ffn": "ffn", "cap_ffn": "ffn_cap", "e_conv": "conv", "cap_conv": "conv_cap",
              "e_other": "other", "k_occ": "occupancy_headroom"}


class EfficiencyModel:
    """Achievable MFU per kernel class (wall 3). ``model`` is accepted for 0.3.0 compatibility and unused."""

    requires = ("hardware",)
    produces = "EfficiencyResult"

    def solve(self, model: Any, hardware: Any, workload_type: str = "ffn", use_flash_attention: bool = False,
              precision: str = "fp16", efficiency: float | None = None) -> EfficiencyResult:
        hw = resolve_hardware(hardware)
        prec = normalize_precision(precision)
        if not isinstance(workload_type, str):
            raise InputError(f"workload_type must be text such as 'ffn', got {workload_type!r}")
        use_flash_attention = flag()("use_flash_attention", use_flash_attention)

        def build(values: dict[str, float], refs: dict[str, str]) -> None:
            peak = hw.peak_constant(prec)
            values["R_peak"], refs["R_peak"] = peak.si, "const:" + peak.id
            for sym, fld in _EFF_KNOBS.items():
                values[sym], refs[sym] = knob("efficiency", fld)

        sv, sr, _ = static_inputs("efficiency", (hw,), (prec,), build)
        values = dict(sv)
        refs = dict(sr)
        values["eta_hw"], refs["eta_hw"] = efficiency_binding(efficiency)
        code = 0.0 if (workload_type == "attention" and use_flash_attention) else WORKLOAD_TYPES.get(workload_type, 4.0)
        values["w_type"], refs["w_type"] = code, "arg:workload_type"
        r = evaluate(["efficiency.model"], values, refs, ("MFU_w", "R_ach", "L_occ", "L_stall"),
                     catalog_hash_of(hw))
        return EfficiencyResult(r, workload_type=workload_type, use_flash_attention=use_flash_attention)
