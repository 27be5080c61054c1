"""ALGORITHM wall 13 (Fidelity): compression trades accuracy for bytes and speed.

Curation log:

* Sizes are relative to an explicit baseline precision (0.3.0 fixed FP32 until its 2026-09 release, so INT4 read
  8×; an FP16-served LLM quantised to INT4 is 4×). Quantisation to q bits: r = b_base/q. Pruning a share s: 1/(1−s)
  for unstructured and structured sparsity; 2:4 (N:M) sparsity keeps half the values plus a 2-bit index per kept
  value (NVIDIA Ampere's compressed format), r = b/((1−s)(b + i)). Distillation to a student: the parameter ratio.
* Speed-up through the roofline at one inference: the baseline time is max(O/R_base, W/BW); quantisation
  divides the weight bytes by r and runs at the target precision's catalogued rate where the device has one
  (else at the baseline rate: dequantise-then-compute); 2:4 sparsity runs at the catalogued sparse rate;
  structured pruning and distillation shrink both FLOPs and bytes; unstructured sparsity keeps dense kernels
  (storage only). mlsysim 0.3.0 instead takes the ratio when the baseline is memory-bound and the rate ratio
  (capped at r) when compute-bound, 2× for 2:4 at s ≈ 0.5 (its edition's rule, through ``m_roof``).
* Accuracy deltas are signed fractions by method and bit width, with a catalogued range.
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, Wall, coefficient, register_computation, register_wall, sym
from .node import EQ_O_FWD, EQ_P_ACT, BW_mem, O_fwd, P, R_peak

AMPERE_SPARSE = Cite("nvidia2020a100arch", "Sparse Tensor Cores: fine-grained 2:4 structured sparsity doubles math "
                                           "throughput; the compressed format stores the non-zero half and 2-bit indices")
JACOB = Cite("jacob2018quantization", "§2: integer-arithmetic-only inference stores weights at a lower bit width")
HINTON = Cite("hinton2015distilling", "a small student trained on a large teacher's soft targets")
SPARSEGPT = Cite("frantar2023sparsegpt", "Table 1: 50 % unstructured and 2:4 pruning of OPT models in one shot")

m_meth = sym("m_meth", r"m_{\text{method}}", "", "Method: 0 quantisation, 1 pruning, 2 distillation, 3 none",
             integer=True)
t_sp = sym("t_sp", r"t_{\text{sparse}}", "", "Sparsity pattern: 0 unstructured, 1 structured, 2 N:M (2:4)",
           integer=True)
q_bits = sym("q_bits", r"q_{\text{bits}}", "", "Target bit width", integer=True)
b_base = sym("b_base", r"b_{\text{base}}", "B", "Bytes per parameter at the baseline precision")
s_sp = sym("s_sp", "s", "", "Sparsity: pruned share of the weights")
i_nm = sym("i_nm", r"i_{\text{N:M}}", "", "Index bits stored per kept value under N:M sparsity")
P_s = sym("P_s", r"P_{\text{student}}", "param", "Student parameters (0: no student given)", "Gparam")
R_base = sym("R_base", r"R_{\text{base}}", "FLOP/s", "Peak at the baseline precision", "TFLOP/s")
R_q = sym("R_q", r"R_{q}", "FLOP/s", "Peak at the target precision (the baseline's where none is catalogued)",
          "TFLOP/s")
m_fast = sym("m_fast", r"m_{\text{fast}}", "", "The device has a catalogued rate at the target precision", integer=True)
k_sp = sym("k_sp", r"k_{\text{sparse}}", "", "Sparse over dense peak at the baseline precision (1: no sparse rate)")
m_roof = sym("m_roof", r"m_{\text{roof}}", "", "Speed-up by roofline times (1) or by 0.3.0's regime rule (0)",
             integer=True)
W_base = sym("W_base", r"W_{\text{base}}", "B", "Weight bytes at the baseline precision", "GB")
r_cmp = sym("r_cmp", "r", "", "Compression ratio")
W_cmp = sym("W_cmp", r"W_{\text{cmp}}", "B", "Compressed weight bytes", "GB")
sav_pct = sym("sav_pct", r"\text{saved}", "", "Memory saved (percent; negative for an upcast)", signed=True)
t_base = sym("t_base", r"t_{\text{base}}", "s", "Roofline time of one baseline inference", "ms")
t_cmp = sym("t_cmp", r"t_{\text{cmp}}", "s", "Roofline time of one compressed inference", "ms")
x_cmp = sym("x_cmp", r"x_{\text{speed}}", "", "Inference speed-up")
d8 = sym("d8", r"\Delta_{8}", "", "Accuracy delta at 8 bits", signed=True)
d4 = sym("d4", r"\Delta_{4}", "", "Accuracy delta at 4-7 bits", signed=True)
d3 = sym("d3", r"\Delta_{<4}", "", "Accuracy delta below 4 bits", signed=True)
d8_lo = sym("d8_lo", r"\Delta_{8}^{-}", "", "Low end of the accuracy delta at 8 bits", signed=True)
d4_lo = sym("d4_lo", r"\Delta_{4}^{-}", "", "Low end of the accuracy delta at 4-7 bits", signed=True)
d3_lo = sym("d3_lo", r"\Delta_{<4}^{-}", "", "Low end of the accuracy delta below 4 bits", signed=True)
d_pm = sym("d_pm", r"\Delta_{\text{prune}}", "", "Accuracy delta of mild pruning (s ≤ threshold)", signed=True)
s_thr = sym("s_thr", r"s_{\text{thr}}", "", "Sparsity beyond which pruning loss grows exponentially")
k_pe = sym("k_pe", r"k_{\text{prune}}", "", "Coefficient of the exponential pruning loss")
e_pe = sym("e_pe", r"e_{\text{prune}}", "", "Exponent rate of the exponential pruning loss")
d_dist = sym("d_dist", r"\Delta_{\text{distil}}", "", "Accuracy delta of distillation", signed=True)
d_acc = sym("d_acc", r"\Delta_{\text{acc}}", "", "Estimated accuracy delta (signed fraction)", signed=True)
d_acc_lo = sym("d_acc_lo", r"\Delta_{\text{acc}}^{-}", "", "Low (worst) end of the accuracy delta", signed=True)

c_bits = coefficient("c_bits", 8, "1/B", "Bits per byte", JACOB)
c_pct = coefficient("c_pct", 100, "", "Percent per unit share", JACOB)
c_2to4 = coefficient("c_2to4", 2, "", "Speed-up of 2:4 sparsity in 0.3.0's rule (the Ampere sparse rate)",
                     AMPERE_SPARSE)

QUANT, PRUNE, DISTIL = sp.Eq(m_meth, 0), sp.Eq(m_meth, 1), sp.Eq(m_meth, 2)
NM, STRUCT = sp.Eq(t_sp, 2), sp.Eq(t_sp, 1)
bits = c_bits * b_base
has_student = sp.StrictGreaterThan(P_s, 0)
memory_bound = sp.StrictLessThan(O_fwd / R_peak, W_base / BW_mem)   # 0.3.0's regime test at its default peak

EQUATIONS = (
    Equation("cmp.base_bytes", "W_base", P * b_base, "Weights at the baseline precision"),
    Equation("cmp.ratio", "r_cmp",
             sp.Piecewise((bits / q_bits, QUANT),
                          (sp.oo, PRUNE & sp.GreaterThan(s_sp, 1)),
                          (bits / ((1 - s_sp) * (bits + i_nm)), PRUNE & NM),
                          (1 / (1 - s_sp), PRUNE),
                          (P / P_s, DISTIL & has_student),
                          (1, True)),
             "Compression ratio", (JACOB, AMPERE_SPARSE, HINTON),
             regimes=("quantisation", "everything pruned", "N:M sparsity", "pruning", "distillation", "none")),
    Equation("cmp.bytes", "W_cmp", W_base / r_cmp, "Compressed weights"),
    Equation("cmp.saved", "sav_pct", c_pct * (1 - 1 / r_cmp), "Memory saved (percent)"),
    Equation("cmp.base_time", "t_base", sp.Max(O_fwd / R_base, W_base / BW_mem), "Baseline roofline time",
             regimes=("Compute", "Memory"), branches=(O_fwd / R_base, W_base / BW_mem)),
    Equation("cmp.time", "t_cmp",
             sp.Piecewise((sp.Max(O_fwd / R_q, W_base / (r_cmp * BW_mem)), QUANT),
                          (sp.Max(O_fwd / (k_sp * R_base), W_base / (r_cmp * BW_mem)), PRUNE & NM),
                          (t_base, PRUNE & sp.Eq(t_sp, 0)),
                          (t_base / r_cmp, True)),
             "Compressed roofline time", (AMPERE_SPARSE,),
             regimes=("quantised", "N:M sparse kernels", "dense kernels", "smaller model")),
    Equation("cmp.speedup", "x_cmp",
             sp.Piecewise((t_base / t_cmp, sp.StrictGreaterThan(m_roof, 0)),
                          (sp.Piecewise((r_cmp, memory_bound), (sp.Min(R_q / R_peak, r_cmp), sp.StrictGreaterThan(m_fast, 0)),
                                        (1, True)), QUANT),
                          (r_cmp, PRUNE & STRUCT),
                          (sp.Piecewise((c_2to4, sp.StrictLessThan(sp.Abs(s_sp - sp.Rational(1, 2)), sp.Rational(1, 20))),
                                        (1, True)), PRUNE & NM),
                          (1, True)),
             "Inference speed-up", (AMPERE_SPARSE,),
             regimes=("roofline", "0.3.0 quantisation rule", "0.3.0 structured", "0.3.0 2:4", "0.3.0 other")),
    Equation("cmp.accuracy", "d_acc",
             sp.Piecewise((sp.Piecewise((0, sp.GreaterThan(q_bits, 16)), (d8, sp.GreaterThan(q_bits, 8)),
                                        (d4, sp.GreaterThan(q_bits, 4)), (d3, True)), QUANT),
                          (sp.Piecewise((d_pm, sp.LessThan(s_sp, s_thr)), (-k_pe * sp.exp(e_pe * s_sp), True)), PRUNE),
                          (d_dist, DISTIL & has_student),
                          (0, True)),
             "Estimated accuracy delta", (JACOB, SPARSEGPT, HINTON),
             regimes=("quantisation", "pruning", "distillation", "none")),
    Equation("cmp.accuracy_low", "d_acc_lo",
             sp.Piecewise((sp.Piecewise((0, sp.GreaterThan(q_bits, 16)), (d8_lo, sp.GreaterThan(q_bits, 8)),
                                        (d4_lo, sp.GreaterThan(q_bits, 4)), (d3_lo, True)), QUANT),
                          (d_acc, True)),
             "Low (worst) end of the accuracy delta", (JACOB,), regimes=("quantisation", "as estimated")),
)

register_wall(Wall(13, "Fidelity", "algorithm", "CompressionModel",
                   "Fewer bits and fewer weights buy memory and speed at a cost in accuracy.",
                   EQUATIONS, (JACOB, AMPERE_SPARSE, HINTON),
                   monotonic=(("W_cmp", "P", +1), ("sav_pct", "b_base", +1)),
                   resolvers=("CompressionModel",)))
register_computation("cmp.model", [EQ_P_ACT.id, EQ_O_FWD.id, *(e.id for e in EQUATIONS)], "CompressionModel (wall 13)")
