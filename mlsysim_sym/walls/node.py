"""NODE domain, wall 1 (Compute) and the roofline step shared by walls 1 and 2.

Curation log (what the model ignores, and editorial choices):

* Wall 1/2 are the roofline of Williams et al. (2009): a step takes the longer of its compute time and its
  memory time, plus fixed overheads. Compute and memory are *not* overlapped partially: the step is bound by
  one of them (the trace says which).
* Efficiency derates the compute ceiling only; memory bandwidth is used at its rated value (sustained HBM
  bandwidth is much closer to spec than sustained FLOP/s). This shifts the effective ridge point left by η.
* Forward FLOPs are the catalogued count (per token, image or sequence, as the row says); a diffusion model's
  count is per denoising step and multiplies by the steps; a model with no count runs 2 FLOPs per active
  parameter (Kaplan et al. 2020). Active parameters are the catalogued ``params.active`` of a mixture of
  experts, else all parameters: both choices are equations here, so their sources are computed.
* Training executes 3× the forward FLOPs (forward + backward, Kaplan et al. 2020 §2.1) and 4× with full
  activation recomputation; a training step of a per-token model (decoder LM, SSM) processes all S tokens of
  every sequence, so its FLOPs are ``k·O_fwd·B·S`` (mlsysim 0.3.0 charged one token per sequence in
  Engine.solve; a declared deviation); MFU counts 3× (useful work), HFU counts what ran (Chowdhery et al. 2022,
  App. B; Korthikanti et al. 2023 §4).
* Energy is TDP × (idle share + dynamic share × HFU) × T, a linear power model (an assumption informed by
  Barroso & Hölzle 2007); communication and idle phases are not counted.

The memory side of the step (wall 2: weights, traffic, bandwidth path, footprint) is in
:mod:`mlsysim_sym.walls.training`, which also registers the composite ``engine.step``.
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, Wall, coefficient, register_computation, register_wall, sym

ROOFLINE = Cite("williams2009roofline", "§2, Fig. 1: attainable FLOP/s = min(peak FLOP/s, bandwidth × intensity)")
KAPLAN = Cite("kaplan2020scaling", "§2.1, Table 1: forward ≈ 2N FLOPs per token, training ≈ 6N (backward = 2× forward)")
KORTHIKANTI = Cite("korthikanti2023reducing", "§4 and Table 4: full recomputation adds one forward pass (hardware vs model FLOPs)")
PALM_MFU = Cite("chowdhery2022palm", "Appendix B: definition of model FLOPs utilization (MFU) vs hardware FLOPs utilization")
HO_DDPM = Cite("ho2020denoising", "§2, Algorithm 2: sampling runs the denoising network once per step, T steps")
BARROSO = Cite("barroso2007case", "Fig. 1-2: server power is roughly linear in utilization with a large idle floor")
FEDUS = Cite("fedus2022switch", "§2.1: each token is routed to k of the experts; only those experts' parameters run")

# ---- shared notation: workload, device and step --------------------------------------------------------------
B = sym("B", "B", "", "Batch size (samples or sequences per step)", integer=True)
S = sym("S", "S", "", "Sequence length (tokens)", integer=True)
P = sym("P", "P", "param", "Parameter count", "Gparam")
P_act_cat = sym("P_act_cat", r"P_{\text{act,cat}}", "param",
                "Parameters active per token as catalogued for a mixture of experts (0: none catalogued)", "Gparam")
P_act = sym("P_act", r"P_{\text{act}}", "param", "Parameters active per token (all of them for a dense model)", "Gparam")
N_L = sym("N_L", "N_L", "", "Layers", integer=True)
h = sym("h", "h", "", "Hidden size", integer=True)
H = sym("H", "H", "", "Attention heads", integer=True)
b_w = sym("b_w", r"b_{\text{w}}", "B", "Bytes per stored parameter (precision width)")
R_peak = sym("R_peak", r"R_{\text{peak}}", "FLOP/s", "Peak math rate of the device at the chosen precision", "TFLOP/s")
eta_hw = sym("eta_hw", r"\eta_{\text{hw}}", "", "Hardware efficiency: achieved / peak FLOP/s")
R_eff = sym("R_eff", r"R_{\text{eff}}", "FLOP/s", "Achieved math rate", "TFLOP/s")
BW_mem = sym("BW_mem", r"\text{BW}_{\text{mem}}", "B/s", "Main-memory (HBM/DRAM) bandwidth", "TB/s")
C_mem = sym("C_mem", r"C_{\text{mem}}", "B", "Main-memory capacity", "GB")
tau_disp = sym("tau_disp", r"\tau_{\text{disp}}", "s", "Fixed dispatch overhead per step", "ms")
tau_layer = sym("tau_layer", r"\tau_{\text{layer}}", "s", "Framework overhead per layer per forward pass", "ms")
m_train = sym("m_train", r"m_{\text{train}}", "", "Training mode flag (1 = training step, 0 = inference)", integer=True)
m_recomp = sym("m_recomp", r"m_{\text{recomp}}", "", "Activation-recomputation flag (1 = recompute the forward pass)",
               integer=True)

# ---- wall 1 ---------------------------------------------------------------------------------------------------
O_fwd = sym("O_fwd", r"O_{\text{fwd}}", "FLOP", "Forward-pass FLOPs per inference (per token, image or sequence)",
            "GFLOP")
O_cat = sym("O_cat", r"O_{\text{cat}}", "FLOP", "Forward FLOPs as catalogued (0: none catalogued)", "GFLOP")
m_diff = sym("m_diff", r"m_{\text{diff}}", "", "Diffusion flag: the catalogued FLOPs are per denoising step",
             integer=True)
O_step = sym("O_step", r"O_{\text{step}}", "FLOP", "FLOPs of one denoising step", "GFLOP")
n_steps = sym("n_steps", r"n_{\text{steps}}", "", "Denoising steps per generation", integer=True)
m_tok = sym("m_tok", r"m_{\text{tok}}", "", "FLOPs are counted per token (decoder LMs, SSMs): 1, else 0", integer=True)
n_tok = sym("n_tok", r"n_{\text{tok}}", "", "Tokens each sample contributes to the step (training: S; decode: 1)")
k_ops = sym("k_ops", r"k_{\text{ops}}", "", "Executed FLOPs per forward FLOP (1 inference, 3 training, 4 with recomputation)")
k_model = sym("k_model", r"k_{\text{model}}", "", "Useful (model) FLOPs per forward FLOP (1 inference, 3 training)")
T_comp = sym("T_comp", r"T_{\text{comp}}", "s", "Compute time: the compute wall", "ms")

c_fwd = coefficient("c_fwd", 2, "FLOP", "Forward FLOPs per parameter per token (one multiply-accumulate)", KAPLAN)

training = sp.StrictGreaterThan(m_train, 0)
recompute = sp.And(training, sp.StrictGreaterThan(m_recomp, 0))

EQ_P_ACT = Equation("shape.active_params", "P_act",
                    sp.Piecewise((P_act_cat, sp.StrictGreaterThan(P_act_cat, 0)), (P, True)),
                    "Active parameters per token: the catalogued share of a mixture of experts, else all of them",
                    (FEDUS,), regimes=("mixture of experts (catalogued)", "dense: every parameter is active"))
EQ_O_FWD = Equation(
    "compute.forward_flops", "O_fwd",
    sp.Piecewise((O_step * n_steps, sp.StrictGreaterThan(m_diff, 0)), (O_cat, sp.StrictGreaterThan(O_cat, 0)),
                 (c_fwd * P_act, True)),
    "Forward FLOPs: per denoising step × steps (diffusion), as catalogued, else 2 per active parameter",
    (HO_DDPM, KAPLAN), regimes=("diffusion: per step × steps", "catalogued", "2 per active parameter"))
EQ_N_TOK = Equation(
    "compute.tokens_per_sample", "n_tok",
    sp.Piecewise((S, sp.And(training, sp.StrictGreaterThan(m_tok, 0))), (1, True)),
    "Tokens per sample in the step: a training step of a per-token model processes the whole sequence",
    (KAPLAN,), regimes=("training over S tokens", "one pass per sample"))
EQ_K_OPS = Equation(
    "compute.k_ops", "k_ops",
    sp.Piecewise((4, recompute), (3, training), (1, True)),
    "Executed FLOPs per forward FLOP", (KAPLAN, KORTHIKANTI),
    regimes=("training with recomputation", "training", "inference"))
EQ_K_MODEL = Equation(
    "compute.k_model", "k_model", sp.Piecewise((3, training), (1, True)),
    "Useful FLOPs per forward FLOP (what MFU counts)", (KAPLAN, PALM_MFU), regimes=("training", "inference"))
EQ_R_EFF = Equation("compute.r_eff", "R_eff", R_peak * eta_hw, "Achieved math rate", (ROOFLINE,))
EQ_T_COMP = Equation("compute.time", "T_comp", k_ops * O_fwd * B * n_tok / R_eff,
                     "Compute wall: time to execute the step's FLOPs at the achieved rate", (ROOFLINE,))

register_wall(Wall(
    1, "Compute", "node", "SingleNodeModel",
    "A step cannot finish faster than its FLOPs divided by the achieved math rate.",
    (EQ_P_ACT, EQ_O_FWD, EQ_N_TOK, EQ_K_OPS, EQ_K_MODEL, EQ_R_EFF, EQ_T_COMP),
    (ROOFLINE,),
    monotonic=(("T_comp", "O_cat", +1), ("T_comp", "B", +1), ("T_comp", "R_peak", -1), ("T_comp", "eta_hw", -1)),
    resolvers=("SingleNodeModel", "Engine"),
))

# ---- the roofline step: the binding wall plus fixed overheads (walls 1 and 2 together) -------------------------
I_ridge = sym("I_ridge", r"I_{\text{ridge}}", "FLOP/B", "Ridge point: the intensity at which compute and memory "
              "times are equal (peak FLOP/s over bandwidth)")
EQ_RIDGE = Equation("roofline.ridge_point", "I_ridge", R_peak / BW_mem,
                    "Ridge point of a device: peak math rate over memory bandwidth", (ROOFLINE,))
register_computation("device.ridge_point", [EQ_RIDGE.id], "HardwareNode.ridge_point: peak FLOP/s over bandwidth",
                     equations=(EQ_RIDGE,))
