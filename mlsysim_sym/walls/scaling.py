"""ALGORITHM wall 11 (Complexity): training compute and its compute-optimal split between parameters and tokens.

Curation log:

* Training compute is C = 6·N·D FLOPs (2 per parameter and token forward, 4 backward; Kaplan et al. 2020,
  §2.1), the constraint Hoffmann et al. (2022) optimise under. The attention-inclusive count adds
  12·L·H·d·S FLOPs per token (PaLM, Chowdhery et al. 2022, App. B): ``train.compute_attention``.
* Two compute-optimal allocations: the rule of ~20 tokens per parameter (Hoffmann et al. 2022, Table 3: 67 B
  parameters on 1.5 T tokens at 5.76e23 FLOPs; Chinchilla's own 70 B / 1.4 T), which gives N* = √(C/(6·20)),
  and the closed-form frontier of the parametric loss L(N, D) = E + A/N^α + B/D^β (their approach 3, Eq. 4):
  N* = G·(C/6)^(β/(α+β)), D* = G⁻¹·(C/6)^(α/(α+β)), G = (αA/(βB))^(1/(α+β)). The fit's five constants are
  catalogue knobs chosen by name: Hoffmann et al.'s printed Eq. 10 (rounded), their unrounded TeX-source
  values, and Besiroglu et al.'s (2024) replication. N and D enter the loss in units of one parameter and one
  token.
* A budget may be FLOPs or accelerator time (GPU-days): C = t·R·MFU, with the device's catalogued peak and an
  MFU (0.3.0 fixes 989 TFLOP/s and 0.40). Fixed N (``target_model_size``) or fixed D (``target_tokens``) spend
  the whole budget on the other through C = 6ND.
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, Wall, coefficient, register_computation, register_wall, sym
from .communication import D_tok
from .node import N_L, P, H, R_peak, S
from .serving import EQ_D_HEAD, d_head

KAPLAN = Cite("kaplan2020scaling", "§2.1, Table 1: C ≈ 6N FLOPs per training token (forward 2N, backward 4N)")
HOFFMANN = Cite("hoffmann2022training", "§3.3, Eqs. 2 and 4: parametric loss and its efficient frontier under "
                                        "FLOPs(N, D) ≈ 6ND")
PALM = Cite("chowdhery2022palm", "App. B: training FLOPs per token 6N + 12LHQT (L layers, H heads, Q head "
                                "dimension, T sequence length)")
HOFFMANN_RULE = Cite("hoffmann2022training", "Table 3 (approach 1): 67 B parameters on 1.5 T tokens at 5.76e23 "
                                             "FLOPs; §4: Chinchilla, 70 B on 1.4 T (≈ 20 tokens per parameter)")

C_in = sym("C_in", r"C_{\text{given}}", "FLOP", "Compute budget given in FLOPs (0: given as device time)", "FLOP")
t_dev = sym("t_dev", r"t_{\text{dev}}", "s", "Compute budget given as accelerator time (0: given in FLOPs)", "d")
eta_sus = sym("eta_sus", r"\eta_{\text{MFU}}", "", "Sustained MFU that converts accelerator time to FLOPs")
C_bud = sym("C_bud", "C", "FLOP", "Training compute budget", "FLOP")
t_gpu = sym("t_gpu", r"t_{\text{GPU}}", "s", "Accelerator time the budget takes at the MFU", "d")
N_fix = sym("N_fix", r"N_{\text{fixed}}", "param", "Fixed model size (0: choose)", "Gparam")
D_fix = sym("D_fix", r"D_{\text{fixed}}", "", "Fixed token count (0: choose)")
m_param = sym("m_param", r"m_{\text{fit}}", "", "Allocation: 1 parametric-loss frontier, 0 tokens-per-parameter rule",
              integer=True)
r_tpp = sym("r_tpp", r"r_{\text{D/N}}", "1/param", "Compute-optimal tokens per parameter (rule)")
E_fit = sym("E_fit", r"E_{\text{fit}}", "", "Irreducible loss of the fit (nats/token)")
A_fit = sym("A_fit", "A", "", "Parameter term coefficient of the fit")
B_fit = sym("B_fit", r"B_{\text{fit}}", "", "Data term coefficient of the fit")
a_fit = sym("a_fit", r"\alpha", "", "Parameter exponent of the fit")
b_fit = sym("b_fit", r"\beta_{\text{fit}}", "", "Data exponent of the fit")
G_fit = sym("G_fit", r"G_{\text{fit}}", "", "Frontier scale (αA/(βB))^(1/(α+β))")
N_rule = sym("N_rule", r"N_{\text{rule}}", "param", "Compute-optimal parameters by the tokens-per-parameter rule",
             "Gparam")
N_par = sym("N_par", r"N_{\text{fit}}", "param", "Compute-optimal parameters on the fit's frontier", "Gparam")
D_par = sym("D_par", r"D_{\text{fit}}", "", "Compute-optimal tokens on the fit's frontier")
N_opt = sym("N_opt", r"N^{*}", "param", "Model size of the allocation", "Gparam")
D_opt = sym("D_opt", r"D^{*}", "", "Training tokens of the allocation")
tpp = sym("tpp", r"D^{*}/N^{*}", "1/param", "Tokens per parameter of the allocation")
L_fit = sym("L_fit", r"\hat{L}", "", "Loss the fit predicts at the allocation (nats/token)")
N_dev = sym("N_dev", r"N_{\text{dev}}", "", "Accelerators the run uses", integer=True)
t_run = sym("t_run", r"t_{\text{run}}", "s", "Wall-clock time of the budget on N_dev accelerators", "d")

C_6nd = sym("C_6nd", r"C_{6ND}", "FLOP", "Training compute 6·N·D", "FLOP")
C_attn = sym("C_attn", r"C_{\text{attn}}", "FLOP", "Training compute with attention: (6N + 12·L·H·d·S)·D", "FLOP")
c12 = coefficient("c12", 12, "FLOP", "Training attention FLOPs per layer·head·dim per token of context", PALM)
c6 = coefficient("c6", 6, "FLOP/param", "Training FLOPs per parameter and token (2 forward + 4 backward)", KAPLAN)
u_param = coefficient("u_param", 1, "param", "The unit the fits count parameters in", HOFFMANN)

x_c = C_bud / (c6 * u_param)   # C/6 in the fit's units (FLOPs per 6, per parameter)
s_ab = a_fit + b_fit

EQUATIONS = (
    Equation("scaling.budget", "C_bud",
             sp.Piecewise((C_in, sp.StrictGreaterThan(C_in, 0)), (t_dev * R_peak * eta_sus, True)),
             "Compute budget: FLOPs, or accelerator time × peak × MFU", (KAPLAN,),
             regimes=("FLOPs", "accelerator time")),
    Equation("scaling.device_time", "t_gpu", C_bud / (R_peak * eta_sus), "Accelerator time of the budget"),
    Equation("scaling.run_time", "t_run", t_gpu / N_dev, "Wall-clock time on N_dev accelerators"),
    Equation("scaling.rule_params", "N_rule", sp.sqrt(C_bud / (c6 * r_tpp)),
             "Compute-optimal parameters: C = 6·N·(r·N)", (HOFFMANN_RULE, KAPLAN)),
    Equation("scaling.frontier_scale", "G_fit", (a_fit * A_fit / (b_fit * B_fit)) ** (1 / s_ab),
             "Frontier scale G", (HOFFMANN,)),
    Equation("scaling.fit_params", "N_par", u_param * G_fit * x_c ** (b_fit / s_ab),
             "Compute-optimal parameters on the fit's frontier", (HOFFMANN,)),
    Equation("scaling.fit_tokens", "D_par", x_c ** (a_fit / s_ab) / G_fit,
             "Compute-optimal tokens on the fit's frontier", (HOFFMANN,)),
    Equation("scaling.params", "N_opt",
             sp.Piecewise((N_fix, sp.StrictGreaterThan(N_fix, 0)), (C_bud / (c6 * D_fix), sp.StrictGreaterThan(D_fix, 0)),
                          (N_par, sp.StrictGreaterThan(m_param, 0)), (N_rule, True)),
             "Model size: fixed, from fixed tokens, or compute-optimal", (KAPLAN, HOFFMANN),
             regimes=("fixed size", "fixed tokens", "parametric frontier", "tokens-per-parameter rule")),
    Equation("scaling.tokens", "D_opt",
             sp.Piecewise((C_bud / (c6 * N_fix), sp.StrictGreaterThan(N_fix, 0)), (D_fix, sp.StrictGreaterThan(D_fix, 0)),
                          (D_par, sp.StrictGreaterThan(m_param, 0)), (r_tpp * N_rule, True)),
             "Training tokens: from fixed size, fixed, or compute-optimal", (KAPLAN, HOFFMANN),
             regimes=("fixed size", "fixed tokens", "parametric frontier", "tokens-per-parameter rule")),
    Equation("scaling.tokens_per_param", "tpp", D_opt / N_opt, "Tokens per parameter"),
    Equation("scaling.loss", "L_fit", E_fit + A_fit / (N_opt / u_param) ** a_fit + B_fit / D_opt ** b_fit,
             "Loss the fit predicts", (HOFFMANN,)),
)

COMPUTE = (
    Equation("scaling.compute_6nd", "C_6nd", c6 * P * D_tok, "Training compute 6ND", (KAPLAN,)),
    Equation("scaling.compute_attention", "C_attn", (c6 * P + c12 * N_L * H * d_head * S) * D_tok,
             "Training compute with the attention term", (PALM,)),
)

register_wall(Wall(11, "Complexity", "algorithm", "ScalingModel",
                   "Compute budgets fix how large a model can be trained on how many tokens.",
                   EQUATIONS + COMPUTE, (KAPLAN, HOFFMANN, PALM),
                   monotonic=(("C_6nd", "D_tok", +1), ("N_opt", "C_in", +1), ("D_opt", "C_in", +1), ("t_gpu", "eta_sus", -1)),
                   resolvers=("ScalingModel",)))
register_computation("scaling.chinchilla", [e.id for e in EQUATIONS], "ScalingModel (wall 11)")
register_computation("scaling.training_compute", [EQ_D_HEAD.id, *(e.id for e in COMPUTE)], "TrainingComputeModel (wall 11)")
