"""The ALGORITHM walls' facades: ScalingModel and TrainingComputeModel (wall 11), InferenceScalingModel (wall 12)
and CompressionModel (wall 13), with 0.3.0's argument and result names."""
from __future__ import annotations

import math
from typing import Any

from ..binding import (Check, Obj, View, arg, custom, default_knob, derived, facade, fixed, info, knob, knob_default,
                       memory, missing, out, peak, precision_arg, regime, row, static_knob, width)
from ..binding.groups import WORKLOAD_FLOPS, efficiency_arg, serving_fields, serving_rooflines, stack_args, transformer_shape
from ..binding.reads import Ctx, bound, error, peak_row
from ..errors import InputError, UnitError
from ..provenance import Absent, Fixed, Row
from ..validate import DEGREE, EFFICIENCY, TOKENS, choice, count, fraction, quantity, real, shown

# ---- wall 11: ScalingModel ------------------------------------------------------------------------------------------
_FLOPS = quantity("FLOP", 0.0, 1e40, shown_unit="FLOP")
_DEVICE_TIME = quantity("s", 0.0, 1e15, shown_unit="d")
_PARAMS = quantity("param", 0.0, 1e16, shown_unit="Gparam")
FITS = ("besiroglu2024", "hoffmann2022", "hoffmann2022_tex")
ALLOCATIONS = {"tokens_per_parameter": 0.0, "parametric": 1.0}


def _budget(value: Any) -> tuple[float, float]:
    """A budget in FLOPs, or in accelerator time ('1000 day' = GPU-days), as 0.3.0 accepts both."""
    try:
        return _FLOPS("compute_budget", value), 0.0
    except UnitError:
        pass
    try:
        return 0.0, _DEVICE_TIME("compute_budget", value)
    except UnitError:
        raise InputError(f"compute_budget must be FLOPs (e.g. '5.76e23 FLOP') or accelerator time (e.g. "
                         f"'1000 day' for GPU-days), got {shown(value)}") from None


def _params(name: str):
    def enc(value: Any) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not (math.isfinite(value) and 0 < value <= 1e16):
                raise InputError(f"{name} must be a parameter count in (0, 1e16], got {shown(value)}")
            return float(value)
        return _PARAMS(name, value)
    return enc


def _reference_peak(ctx: Ctx) -> list:
    """The device that converts accelerator time to FLOPs: the one given, else the catalogue's H100 (0.3.0's
    reference), at the facade's precision."""
    from ..binding.resolve import resolve_hardware

    obj = ctx.objects.get("hardware") or resolve_hardware("H100")
    ent = ctx.edition.entity(obj)
    c = peak_row(ent, ctx.precision)
    if c is None:
        raise InputError(f"{ent.key} has no catalogued {ctx.precision} rate")
    return [bound(c)]


ScalingModel = facade(
    "ScalingModel",
    computation="scaling.chinchilla",
    objects=[Obj("hardware", "hardware", optional=True, purpose="converts accelerator time to FLOPs (default H100)")],
    args=[
        arg("compute_budget", ("C_in", "t_dev"), None, encode=_budget,
            doc="FLOPs ('5.76e23 FLOP') or accelerator time ('1000 day' = GPU-days)"),
        arg("target_model_size", "N_fix", None, None, encode=_params("target_model_size"),
            none=(0.0, Fixed("compute-optimal size")), doc="fix the model size; the budget buys D = C/(6N) tokens"),
        arg("target_tokens", "D_fix", None, None, encode=_params("target_tokens"),
            none=(0.0, Fixed("compute-optimal tokens")), doc="fix the tokens; the budget buys N = C/(6D) parameters"),
        arg("allocation", "m_param", choice(ALLOCATIONS), "tokens_per_parameter", encode=ALLOCATIONS,
            doc="tokens_per_parameter (≈20, Hoffmann et al. Table 3) | parametric (the fit's frontier)"),
        arg("fit", None, choice(FITS), "besiroglu2024", static=True,
            doc="the parametric loss fit: besiroglu2024 | hoffmann2022 (printed Eq. 10) | hoffmann2022_tex"),
        arg("mfu", "eta_sus", EFFICIENCY, None, none=knob_default("scaling.sustained_mfu")),
        precision_arg(), arg("num_accelerators", "N_dev", DEGREE, 1),
    ],
    order=("compute_budget", "target_model_size", "target_tokens", "allocation", "fit", "hardware", "mfu",
           "precision", "num_accelerators"),
    reads=[custom(("R_peak",), _reference_peak, ("hardware",)), knob("scaling.tokens_per_parameter", "r_tpp"),
           *(static_knob("fit", "scaling.{}_" + k, s) for s, k in
             (("E_fit", "E"), ("A_fit", "A"), ("B_fit", "B"), ("a_fit", "alpha"), ("b_fit", "beta")))],
    fields=[out("optimal_parameters", "N_opt", "Gparam"), out("optimal_tokens", "D_opt", "token"),
            out("compute_budget_flops", "C_bud", "FLOP"), out("tokens_per_parameter", "tpp"),
            out("predicted_loss", "L_fit"), out("gpu_days", "t_gpu", "d"), out("training_days", "t_run", "d"),
            regime("allocation", "N_opt"), info("fit", "fit", "")],
    trace=["Scaling: C = {C_bud:.4g} FLOPs buys N* = {N_opt:Gparam} parameters on D* = {D_opt:.4g} tokens "
           "({tpp:.3g} tokens per parameter)."],
    report=("N_opt", "D_opt", "C_bud", "tpp"),
    requires=("compute_budget",), walls=(11,),
    doc="Compute-optimal model size and tokens for a budget (0.3.0's ScalingModel): the 20-tokens-per-parameter "
        "rule or the parametric loss frontier (Hoffmann et al. 2022; Besiroglu et al. 2024), fixed-N and fixed-D "
        "budgets, GPU-days through a device and an MFU.")
ScalingResult = ScalingModel.result_class

TrainingComputeModel = facade(
    "TrainingComputeModel",
    computation="scaling.training_compute",
    objects=[Obj("model", "model")],
    args=[arg("tokens", "D_tok", real(0.0, 1e18, lo_open=True), doc="training tokens, e.g. 1.4e12"),
          arg("seq_len", "S", TOKENS, 2048)],
    reads=[row("model", "params", "P", absent=error("training compute needs a parameter count")),
           row("model", "layers", "N_L", absent=missing("the attention term needs the layer count")),
           row("model", "heads", "H", absent=missing("the attention term needs the head count")),
           row("model", "hidden", "h", absent=missing("the attention term needs the hidden size")),
           row("model", "head_dim", "d_cat")],
    fields=[out("compute_6nd", "C_6nd", "FLOP"),
            out("compute_with_attention", "C_attn", "FLOP", when=lambda v: v["N_L"] > 0 and v["H"] > 0),
            info("model_name", "model")],
    report=("C_6nd",), requires=("workload",), walls=(11,),
    doc="Training compute of a model on a token count: 6ND (Kaplan et al. 2020) and with the attention term "
        "12·L·H·d·S per token (PaLM App. B).")

# ---- wall 12: InferenceScalingModel ----------------------------------------------------------------------------------
_PURPOSE = "reasoning runs on the serving wall, which needs transformer dimensions"
STRATEGIES = {"best_of_n": 1.0, "sequential": 0.0}
class ServingDetail(View):
    """The serving step a reasoning query runs on (0.3.0's ``serving_detail``, a ServingResult), read from the
    same evaluated result."""

    __slots__ = ()
    FIELDS = serving_fields()


def _serving_detail(view: Any) -> ServingDetail:
    return ServingDetail(view._result, view._objs, view._static)


InferenceScalingModel = facade(
    "InferenceScalingModel",
    computation="reason.query",
    objects=[Obj("model", "model", workloads=("transformer", "moe"), purpose="reasoning decodes a language model"),
             Obj("hardware", "hardware")],
    args=[arg("reasoning_steps", "K_steps", count(1, 10**7), 8), arg("context_length", "S", TOKENS, 2048),
          precision_arg(), efficiency_arg(),
          arg("tokens_per_step", "tau_tok", real(0.0, 1e7, lo_open=True), None, none=knob_default("reasoning.tokens_per_step")),
          arg("n_samples", "n_samp", count(1, 10**5), 1, doc="best-of-n samples or sequential revision rounds"),
          arg("strategy", "m_best", choice(STRATEGIES), "best_of_n", encode=STRATEGIES,
              doc="best_of_n (the samples decode together) | sequential (rounds one after another)"),
          *stack_args()],
    reads=[peak("hardware"), row("hardware", "dispatch_tax", "tau_disp", absent=default_knob("engine.dispatch_tax")),
           memory("hardware"), width(), knob("engine.layer_tax", "tau_layer"),
           knob("serving.draft_lookahead", "gamma_spec"), row("hardware", "tdp", "P_tdp"),
           row("model", "params", "P", absent=error(_PURPOSE)), row("model", "params.active", "P_act_cat"),
           fixed("M_size", 0, "a served language model weighs parameters × width"),
           *transformer_shape(_PURPOSE),
           fixed("m_disagg", 0, "one device prefills and decodes"), fixed("m_spec", 0, "no speculative decoding"),
           fixed("P_d", 0, "no draft model"), fixed("k_tok_d", 0, "no draft model"),
           fixed("alpha_acc", 0, "no draft model"), fixed("c_pre", 0, "no prompt-cache hit"),
           fixed("q_chunk", 0, "no chunked prefill"), fixed("BW_xfer", 1, "no disaggregated transfer"),
           *serving_rooflines()],
    fields=[out("total_reasoning_time", "T_reason", "ms"), out("ttft", "TTFT", "ms"), out("itl", "ITL", "ms"),
            out("tokens_generated", "N_gen", "int"), out("reasoning_steps", "K_steps", "int"),
            out("time_per_step", "t_rstep", "ms"),
            out("energy_per_query", "E_reason", "J", when=lambda v: v["P_tdp"] > 0,
                doc="at TDP (an upper bound); None when the device has no catalogued TDP"),
            out("feasible", "feasible_serve", "bool"),
            derived("serving_detail", _serving_detail, doc="the serving step (0.3.0's ServingResult)"),
            regime("strategy", "T_reason"), info("model_name", "model")],
    trace=["Reasoning: {n_samp:int} × {K_steps:int} steps × {tau_tok:.3g} tokens at ITL {ITL:ms} after TTFT "
           "{TTFT:ms} = {T_reason:s}."],
    report=("T_reason", "N_gen", "feasible_serve"),
    requires=("workload", "hardware"), walls=(12,),
    doc="Inference-time reasoning cost (0.3.0's InferenceScalingModel): K steps of τ tokens through the serving "
        "wall; best-of-n and sequential variants; time, tokens and energy per query.")
InferenceScalingResult = InferenceScalingModel.result_class

# ---- wall 13: CompressionModel ---------------------------------------------------------------------------------------
METHODS = {"quantization": 0.0, "pruning": 1.0, "distillation": 2.0}
SPARSITY = {"unstructured": 0.0, "structured": 1.0, "n_m": 2.0, "2:4": 2.0}
_BITS = count(1, 64)
_CMP_KNOBS = (("d8", "quant8_delta"), ("d4", "quant4_delta"), ("d3", "quant_sub4_delta"),
              ("d8_lo", "quant8_delta_low"), ("d4_lo", "quant4_delta_low"), ("d3_lo", "quant_sub4_delta_low"),
              ("d_pm", "prune_mild_delta"), ("s_thr", "prune_threshold"), ("k_pe", "prune_steep_coefficient"),
              ("e_pe", "prune_steep_exponent"), ("d_dist", "distillation_delta"), ("i_nm", "nm_index_bits"))


def _rates(ctx: Ctx) -> list:
    """R_base (the peak at the baseline precision), R_q and m_fast (the peak at the target width — int<q> up to 8
    bits, fp<q> above, fp8 for 8 bits where no int8 rate is catalogued — else the baseline's), k_sp (the sparse
    over dense peak at the baseline precision, 1 where none)."""
    ent = ctx.entity("hardware")
    vals = ent.values
    base = ctx.static["baseline_precision"]
    b = peak_row(ent, base)
    if b is None:
        raise InputError(f"{ent.key} has no catalogued {base} rate for the baseline")
    q = ctx.static["target_bitwidth"]
    keys = [f"peak.int{q}", f"peak.fp{q}"] if q <= 8 else [f"peak.fp{q}"]
    fast = next((vals[k] for k in keys if k in vals), None)
    sp_ = vals.get(f"peak.{base}_sparse")
    out = [bound(b)]
    out += [bound(fast), (1.0, Row(fast.id))] if fast is not None else \
        [(b.si, Absent(ent.key, keys[0])), (0.0, Absent(ent.key, keys[0]))]
    out.append((sp_.si / b.si, Row(sp_.id)) if sp_ is not None else (1.0, Absent(ent.key, f"peak.{base}_sparse")))
    return out


def _fp16_peak(ctx: Ctx) -> list:
    """R_peak: the device's 16-bit peak, the rate 0.3.0's regime rule compares against (used only by that rule)."""
    ent = ctx.entity("hardware")
    c = peak_row(ent, "fp16") or peak_row(ent, ctx.static["baseline_precision"])
    return [bound(c)]


def _method_name(view: Any) -> str:
    return view._static.get("method", "quantization")


CompressionModel = facade(
    "CompressionModel",
    computation="cmp.model",
    objects=[Obj("model", "model"), Obj("hardware", "hardware"),
             Obj("student_model", "model", optional=True, purpose="distillation's student")],
    args=[arg("method", "m_meth", choice(METHODS), "quantization", encode=METHODS),
          arg("target_bitwidth", None, _BITS, 8, static=True),
          arg("sparsity", "s_sp", fraction(0.0, lo_open=False), 0.0),
          arg("sparsity_type", "t_sp", choice(SPARSITY), "unstructured", encode=SPARSITY),
          arg("baseline_precision", None, choice(("fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4")), "fp32",
              static=True)],
    order=("model", "hardware", "method", "target_bitwidth", "sparsity", "sparsity_type", "baseline_precision",
           "student_model"),
    checks=[Check(lambda v: v["m_meth"] != 1.0 or v["s_sp"] < 1.0,
                  "sparsity must be below 1 for pruning (sparsity 1 removes every weight), got {s_sp:g}")],
    reads=[custom(("R_base", "R_q", "m_fast", "k_sp"), _rates, ("hardware",)),
           custom(("q_bits",), lambda ctx: [(float(ctx.static["target_bitwidth"]), Fixed("target_bitwidth"))]),
           static_knob("baseline_precision", "precision.{}", "b_base"),
           custom(("R_peak",), _fp16_peak, ("hardware",)), memory("hardware"), *WORKLOAD_FLOPS,
           row("model", "params", "P", absent=error("compression needs the parameter count")),
           row("student_model", "params", "P_s", absent=error("the student needs a parameter count"), none=0.0),
           fixed("m_roof", 1, "speed-up from roofline times"),
           *(knob(f"compression.{k}", s) for s, k in _CMP_KNOBS)],
    fields=[info("baseline_precision", "baseline_precision", ""),
            out("original_size_gb", "W_base", "GB"), out("compressed_size_gb", "W_cmp", "GB"),
            out("compression_ratio", "r_cmp"), out("estimated_accuracy_delta", "d_acc"),
            out("accuracy_delta_low", "d_acc_lo"), out("memory_savings_pct", "sav_pct"),
            out("inference_speedup", "x_cmp"), regime("baseline_bottleneck", "t_base"),
            derived("method", _method_name, "str")],
    report=("r_cmp", "W_cmp", "x_cmp", "d_acc"),
    requires=("workload", "hardware"), walls=(13,),
    doc="Compression trade-offs (0.3.0's CompressionModel) against an explicit baseline precision: quantisation, "
        "pruning (unstructured, structured, 2:4), distillation; ratio, memory saved, roofline speed-up, accuracy "
        "delta with its catalogued range.")
CompressionResult = CompressionModel.result_class

__all__ = ["ALLOCATIONS", "CompressionModel", "CompressionResult", "FITS", "InferenceScalingModel",
           "InferenceScalingResult", "METHODS", "SPARSITY", "STRATEGIES", "ScalingModel", "ScalingResult",
           "ServingDetail", "TrainingComputeModel"]
