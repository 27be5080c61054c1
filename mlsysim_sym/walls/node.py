"""NODE domain: the walls that bound one device (1 Compute, 2 Memory, 4 Serving, …).

Curation log (what the model ignores, and editorial choices):

* Wall 1/2 are the roofline of Williams et al. (2009): a step takes the longer of its compute time and its
  memory time, plus fixed overheads. Compute and memory are *not* overlapped partially: the step is bound by
  one of them (the trace says which).
* Efficiency derates the compute ceiling only; memory bandwidth is used at its rated value (sustained HBM
  bandwidth is much closer to spec than sustained FLOP/s). This shifts the effective ridge point left by η.
* Activation traffic is a flat fraction of weight bytes per sample (catalogue knob
  ``knobs.engine.activation_traffic_fraction``, an assumption). The decode KV cache is not in Engine.solve's
  traffic: ServingModel (wall 4) accounts for it.
* Training executes 3× the forward FLOPs (forward + backward, Kaplan et al. 2020 §2.1) and 4× with full
  activation recomputation; a training step of a per-token model (decoder LM, SSM) processes all S tokens of
  every sequence, so its FLOPs are ``k·O_fwd·B·S`` (mlsysim 0.3.0 charged one token per sequence in
  Engine.solve; a declared deviation) (one extra forward; Korthikanti et al. 2023 §4); MFU counts 3× (useful work),
  HFU counts what ran (Chowdhery et al. 2022, App. B).
* The bandwidth path is chosen by where the weights live: host offload when the footprint exceeds device
  memory (bounded by the slower of memory and host link), on-chip SRAM when the weights fit there, flash on
  microcontrollers that execute in place, main memory otherwise.
* Energy is TDP × (idle share + dynamic share × HFU) × T, a linear power model (an assumption informed by
  Barroso & Hölzle 2007); communication and idle phases are not counted.
"""
from __future__ import annotations

import sympy as sp

from .base import (Cite, Equation, Wall, coefficient, register_computation, register_equations,
                   register_wall, symbols)

ROOFLINE = Cite("williams2009roofline", "§2, Fig. 1: attainable FLOP/s = min(peak FLOP/s, bandwidth × intensity)")
KAPLAN = Cite("kaplan2020scaling", "§2.1, Table 1: forward ≈ 2N FLOPs per token, training ≈ 6N (backward = 2× forward)")
KORTHIKANTI = Cite("korthikanti2023reducing", "§4 and Table 4: full recomputation adds one forward pass (hardware vs model FLOPs)")
PALM_MFU = Cite("chowdhery2022palm", "Appendix B: definition of model FLOPs utilization (MFU) vs hardware FLOPs utilization")
ZERO = Cite("rajbhandari2020zero", "§3.1: mixed-precision Adam keeps 2Ψ + 2Ψ + KΨ bytes, K = 12")
HO_DDPM = Cite("ho2020denoising", "§2, Algorithm 2: sampling runs the denoising network once per step, T steps")
BARROSO = Cite("barroso2007case", "Fig. 1-2: server power is roughly linear in utilization with a large idle floor")


(O_fwd, B, m_train, m_recomp, k_ops, k_model, R_peak, eta_hw, R_eff, P, b_w, W, f_act, D_vol, BW_mem, BW_sram,
 C_sram, BW_flash, BW_host, BW, C_mem, M_req, M_spill, b_opt, m_lora, f_lora, T_comp, T_mem, tau_disp, N_L,
 tau_layer, k_tax, k_tax_train, L_lat, T, X, I, MFU, HFU, P_tdp, f_idle, E, feasible, overhead_dominated) = symbols(
    "O_fwd B m_train m_recomp k_ops k_model R_peak eta_hw R_eff P b_w W f_act D_vol BW_mem BW_sram C_sram BW_flash "
    "BW_host BW C_mem M_req M_spill b_opt m_lora f_lora T_comp T_mem tau_disp N_L tau_layer k_tax k_tax_train "
    "L_lat T X I MFU HFU P_tdp f_idle E feasible overhead_dominated")

P_act, M_size, O_step, n_steps, m_tok, n_tok, S_seq = symbols("P_act M_size O_step n_steps m_tok n_tok S")
c_fwd = coefficient("c_fwd", 2, "FLOP", "Forward FLOPs per parameter per token (one multiply-accumulate)", KAPLAN)
c_wg = coefficient("c_wg", 2, "", "Weights plus gradients: two copies of the weight bytes in training", ZERO)

training = sp.StrictGreaterThan(m_train, 0)
recompute = sp.And(training, sp.StrictGreaterThan(m_recomp, 0))

# ---- wall 1: compute -----------------------------------------------------------------------------------
EQ_O_FWD = Equation("compute.forward_flops", "O_fwd", c_fwd * P_act,
                    "Forward FLOPs per token when no count is catalogued: 2 per active parameter", (KAPLAN,))
EQ_O_DIFF = Equation("compute.diffusion_flops", "O_fwd", O_step * n_steps,
                     "Forward FLOPs of one generation: FLOPs per denoising step × steps", (HO_DDPM,))
EQ_N_TOK = Equation(
    "compute.tokens_per_sample", "n_tok",
    sp.Piecewise((S_seq, sp.And(training, sp.StrictGreaterThan(m_tok, 0))), (1, True)),
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

# ---- wall 2: memory ------------------------------------------------------------------------------------
EQ_W = Equation("memory.weights", "W", sp.Piecewise((M_size, sp.StrictGreaterThan(M_size, 0)), (P * b_w, True)),
                "Weight bytes at the stored precision (a size-only model: its catalogued size)",
                regimes=("catalogued size", "parameters × width"))
EQ_D_VOL = Equation("memory.traffic", "D_vol", W * (1 + f_act * B),
                    "Bytes moved per step: weights once, plus activation traffic per sample", (ROOFLINE,))
EQ_FOOTPRINT = Equation(
    "memory.footprint_simple", "M_req",
    sp.Piecewise((f_lora * W, sp.And(training, sp.StrictGreaterThan(m_lora, 0))),
                 (c_wg * W + (W / b_w) * b_opt, training), (W, True)),
    "Device memory a step needs (inference: weights; training: weights, gradients and Adam state)", (ZERO,),
    regimes=("LoRA training", "training", "inference"))
EQ_BW = Equation(
    "memory.bandwidth_path", "BW",
    sp.Piecewise(
        (sp.Min(BW_mem, BW_host), sp.StrictGreaterThan(M_req, C_mem)),
        (BW_sram, sp.And(sp.StrictGreaterThan(C_sram, 0), sp.StrictGreaterThan(BW_sram, 0), sp.LessThan(W, C_sram))),
        (BW_flash, sp.StrictGreaterThan(BW_flash, 0)),
        (BW_mem, True)),
    "Bandwidth of the path the weights stream from", (ROOFLINE,),
    regimes=("host offload", "on-chip SRAM", "flash", "main memory"))
EQ_SPILL = Equation("memory.spill", "M_spill", sp.Max(0, M_req - C_mem), "Bytes that spill to host memory")
EQ_FEASIBLE = Equation("memory.feasible", "feasible", sp.LessThan(M_req, C_mem),
                       "The step fits in device memory")
EQ_T_MEM = Equation("memory.time", "T_mem", D_vol / BW, "Memory wall: time to stream the step's bytes", (ROOFLINE,))

# ---- the roofline step (walls 1 and 2 together) ------------------------------------------------------------
EQ_K_TAX = Equation("overhead.k_tax", "k_tax", sp.Piecewise((k_tax_train, training), (1, True)),
                    "Per-layer overhead multiplier", regimes=("training", "inference"))
EQ_L_LAT = Equation("overhead.latency", "L_lat", tau_disp + N_L * tau_layer * k_tax,
                    "Fixed overheads: dispatch plus per-layer framework tax")
EQ_T = Equation("roofline.latency", "T", sp.Max(T_comp, T_mem) + L_lat,
                "Step latency: the binding wall plus fixed overheads", (ROOFLINE,), regimes=("Compute", "Memory"),
                branches=(T_comp, T_mem))
EQ_X = Equation("roofline.throughput", "X", B / T, "Throughput")
EQ_I = Equation("roofline.intensity", "I", k_ops * O_fwd * B * n_tok / D_vol, "Arithmetic intensity", (ROOFLINE,))
EQ_MFU = Equation("roofline.mfu", "MFU", sp.Min(1, k_model * O_fwd * B * n_tok / (T * R_peak)),
                  "Model FLOPs utilisation", (PALM_MFU,))
EQ_HFU = Equation("roofline.hfu", "HFU", sp.Min(1, k_ops * O_fwd * B * n_tok / (T * R_peak)),
                  "Hardware FLOPs utilisation", (PALM_MFU,))
EQ_E = Equation("roofline.energy", "E", P_tdp * (f_idle + (1 - f_idle) * HFU) * T,
                "Energy per step: idle floor plus utilisation-proportional dynamic power", (BARROSO,))
EQ_OVH = Equation("roofline.overhead_dominated", "overhead_dominated",
                  sp.StrictGreaterThan(L_lat, sp.Max(T_comp, T_mem)), "Fixed overheads exceed the roofline time")

register_wall(Wall(
    1, "Compute", "node", "SingleNodeModel",
    "A step cannot finish faster than its FLOPs divided by the achieved math rate.",
    (EQ_O_FWD, EQ_O_DIFF, EQ_N_TOK, EQ_K_OPS, EQ_K_MODEL, EQ_R_EFF, EQ_T_COMP),
    (ROOFLINE,),
    monotonic=(("T_comp", "O_fwd", +1), ("T_comp", "B", +1), ("T_comp", "R_peak", -1), ("T_comp", "eta_hw", -1)),
    resolvers=("SingleNodeModel", "Engine"),
))
from .training import EQUATIONS as TRAINING_EQUATIONS, FIT_EQUATIONS  # noqa: E402

register_wall(Wall(
    2, "Memory", "node", "SingleNodeModel",
    "A step cannot finish faster than its bytes divided by the bandwidth of the path they stream from; "
    "and it must fit.",
    (EQ_W, EQ_D_VOL, EQ_FOOTPRINT, EQ_BW, EQ_SPILL, EQ_FEASIBLE, EQ_T_MEM, *TRAINING_EQUATIONS, *FIT_EQUATIONS),
    (ROOFLINE,),
    monotonic=(("T_mem", "P", +1), ("T_mem", "B", +1), ("T_mem", "BW_mem", -1), ("M_req", "P", +1)),
    resolvers=("SingleNodeModel", "Engine", "TrainingMemoryModel"),
))
# The composite step (latency, throughput, utilisation, energy) combines walls 1 and 2: resolver-level
# equations of Engine.solve, each dimension-checked.
register_equations(EQ_K_TAX, EQ_L_LAT, EQ_T, EQ_X, EQ_I, EQ_MFU, EQ_HFU, EQ_E, EQ_OVH)

register_computation("workload.forward_flops", ["compute.forward_flops"],
                     "Forward FLOPs of a model with no catalogued count (2 per active parameter)")
register_computation("workload.diffusion_flops", ["compute.diffusion_flops"],
                     "Forward FLOPs of one diffusion generation (per-step FLOPs × denoising steps)")
register_computation("train.memory", [e.id for e in TRAINING_EQUATIONS],
                     "Training memory per rank: weights, gradients, optimizer state, activations, buffers")
register_computation("train.fit", [e.id for e in FIT_EQUATIONS], "Training memory against device capacity")
register_computation("engine.footprint", ["memory.weights", "memory.footprint_simple"],
                     "Weights and device memory of a step (non-transformer training, or inference)")
register_computation(
    "engine.roofline",
    ["compute.tokens_per_sample", "compute.k_ops", "compute.k_model", "compute.r_eff", "compute.time", "memory.weights", "memory.traffic",
     "memory.bandwidth_path", "memory.spill", "memory.feasible", "memory.time", "overhead.k_tax",
     "overhead.latency", "roofline.latency", "roofline.throughput", "roofline.intensity", "roofline.mfu",
     "roofline.hfu", "roofline.energy", "roofline.overhead_dominated"],
    "Engine.solve: the single-node roofline step (walls 1 and 2)")
