"""NODE domain, wall 2 (Memory): weights, traffic, the bandwidth path, training state, and the roofline step.

Curation log:

* The bandwidth path is chosen by where the weights live: host offload when the footprint exceeds device
  memory (bounded by the slower of memory and host link), on-chip SRAM when the weights fit there, flash on
  microcontrollers that execute in place, main memory otherwise.
* Activation traffic is a flat fraction of weight bytes per sample (catalogue knob
  ``knobs.engine.activation_traffic_fraction``, an assumption). The decode KV cache is not in Engine.solve's
  traffic: ServingModel (wall 4) accounts for it.
* Training memory of a transformer follows Korthikanti et al. (2023), Eqs. 1-2 and Table 2, per layer at 16-bit
  width: no recomputation ``34·s·b·h + 5·a·s²·b`` bytes, selective recomputation ``34·s·b·h`` (the attention
  score/softmax/dropout term is recomputed), full recomputation ``2·s·b·h`` (only each layer's input is kept).
  Other widths scale by ``bytes per element / 2``. With sequence parallelism (Korthikanti §4.2.2) tensor
  parallelism divides all of it by t. Other workloads keep weights, gradients and optimizer state.
* Optimizer state per trainable parameter is a catalogue value per optimizer (Adam: 12 B = FP32 master copy
  + two moments, Rajbhandari et al. 2020 §3.1). ZeRO stage 1 shards it over data parallelism, stage 2 also the
  gradients, stage 3 also the weights (Rajbhandari et al. 2020 §5, Fig. 1).
* LoRA trains ``2·r·h`` parameters per adapted matrix, four matrices (q, k, v, o) per layer (Hu et al. 2022
  §4); the trainable fraction is capped at 1.
* Communication buffers are a fraction of the gradient bytes, plus one activation tensor ``2·b·s·h`` per
  pipeline boundary when pipelining. The model ignores fragmentation, CUDA context and framework workspace.
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, Wall, coefficient, register_computation, register_wall, sym
from .node import (BARROSO, EQ_K_MODEL, EQ_K_OPS, EQ_N_TOK, EQ_O_FWD, EQ_P_ACT, EQ_R_EFF, EQ_T_COMP, PALM_MFU,
                   ROOFLINE, B, BW_mem, C_mem, H, N_L, O_fwd, P, R_peak, S, T_comp, b_w, h, k_model, k_ops,
                   n_tok, tau_disp, tau_layer, training)

ZERO = Cite("rajbhandari2020zero", "§3.1: mixed-precision Adam keeps 2Ψ + 2Ψ + KΨ bytes, K = 12")
KORTHIKANTI_ACT = Cite("korthikanti2023reducing", "§4.1, Eq. 1 (34sbh + 5as²b per layer), Eq. 2 and Table 2 (selective, full)")
KORTHIKANTI_SP = Cite("korthikanti2023reducing", "§4.2.2: sequence parallelism divides every activation by t")
ZERO_STAGES = Cite("rajbhandari2020zero", "§5 and Fig. 1: P_os, P_os+g, P_os+g+p partition optimizer, gradients, parameters")
LORA = Cite("hu2022lora", "§4.1-4.2: a rank-r update BA of a d×k matrix trains r(d+k) parameters; adapted W_q, W_k, W_v, W_o")

# ---- notation -------------------------------------------------------------------------------------------------
M_size = sym("M_size", r"M_{\text{size}}", "B", "Catalogued model size for size-only models (0 = use parameters)", "GB")
W = sym("W", r"\lvert W \rvert", "B", "Weight bytes", "GB")
f_act = sym("f_act", r"f_{\text{act}}", "", "Activation traffic per sample, as a fraction of weight bytes")
D_vol = sym("D_vol", r"D_{\text{vol}}", "B", "Bytes moved per step (weights plus activation traffic)", "GB")
BW_sram = sym("BW_sram", r"\text{BW}_{\text{SRAM}}", "B/s", "On-chip SRAM bandwidth (0 if none)", "TB/s")
C_sram = sym("C_sram", r"C_{\text{SRAM}}", "B", "On-chip SRAM capacity (0 if none)", "MB")
BW_flash = sym("BW_flash", r"\text{BW}_{\text{flash}}", "B/s", "Flash read bandwidth (0 if none)", "GB/s")
BW_host = sym("BW_host", r"\text{BW}_{\text{host}}", "B/s", "Host-link bandwidth per direction (offload path)", "GB/s")
BW = sym("BW", r"\text{BW}", "B/s", "Bandwidth of the path the weights stream from", "TB/s")
M_req = sym("M_req", r"M_{\text{req}}", "B", "Memory the step requires on the device", "GB")
M_spill = sym("M_spill", r"M_{\text{spill}}", "B", "Bytes that do not fit and spill to host memory", "GB")
b_opt = sym("b_opt", r"b_{\text{opt}}", "B", "Optimizer-state bytes per parameter (Adam: FP32 master + 2 moments)")
m_lora = sym("m_lora", r"m_{\text{LoRA}}", "", "LoRA flag (1 = only adapters are trained)", integer=True)
f_lora = sym("f_lora", r"f_{\text{LoRA}}", "", "Training footprint of LoRA as a multiple of weight bytes")
m_xf = sym("m_xf", r"m_{\text{xf}}", "", "Transformer flag: training state follows Korthikanti's per-layer model "
           "(1), else weights, gradients and optimizer state only (0)", integer=True)
T_mem = sym("T_mem", r"T_{\text{mem}}", "s", "Memory time: the memory wall", "ms")
feasible = sym("feasible", r"\text{fits}", "", "Whether the step fits in device memory (1/0)")
k_tax = sym("k_tax", r"k_{\text{tax}}", "", "Per-layer overhead multiplier (3 in training: forward + backward)")
k_tax_train = sym("k_tax_train", r"k_{\text{tax,train}}", "",
                  "Per-layer overhead multiplier in training (forward + backward launches)")
L_lat = sym("L_lat", r"L_{\text{lat}}", "s", "Fixed overheads per step (dispatch plus per-layer tax)", "ms")
T = sym("T", "T", "s", "Step latency", "ms")
X = sym("X", "X", "1/s", "Throughput (samples per second)")
I = sym("I", "I", "FLOP/B", "Arithmetic intensity of the step")
MFU = sym("MFU", r"\text{MFU}", "", "Model FLOPs utilisation")
HFU = sym("HFU", r"\text{HFU}", "", "Hardware FLOPs utilisation (counts recomputation)")
P_tdp = sym("P_tdp", r"P_{\text{TDP}}", "W", "Thermal design power")
f_idle = sym("f_idle", r"f_{\text{idle}}", "", "Share of TDP drawn at zero utilisation")
E = sym("E", "E", "J", "Energy per step")
overhead_dominated = sym("overhead_dominated", r"\text{ovh}", "",
                         "Whether fixed overheads exceed the roofline time (1/0)")
# training state
N_tp = sym("N_tp", r"N_{\text{TP}}", "", "Tensor-parallel degree", integer=True)
N_pp = sym("N_pp", r"N_{\text{PP}}", "", "Pipeline-parallel degree", integer=True)
N_ep = sym("N_ep", r"N_{\text{EP}}", "", "Expert-parallel degree", integer=True)
N_dp = sym("N_dp", r"N_{\text{DP}}", "", "Data-parallel degree (ZeRO sharding)", integer=True)
D_b = sym("D_b", r"D_{b}", "", "Ranks the global batch is split over (1 when the batch is per device)", integer=True)
GA = sym("GA", r"\text{GA}", "", "Gradient-accumulation steps", integer=True)
z_stage = sym("z_stage", "z", "", "ZeRO stage (0-3)", integer=True)
m_sp = sym("m_sp", r"m_{\text{SP}}", "", "Sequence-parallel flag", integer=True)
s_ckpt = sym("s_ckpt", r"s_{\text{ckpt}}", "", "Activation checkpointing: 0 none, 1 selective, 2 full", integer=True)
f_train = sym("f_train", r"f_{\text{train}}", "", "Trainable fraction of the parameters")
f_trainable = sym("f_trainable", r"f_{\text{trainable}}", "", "Trainable fraction requested (full fine-tuning: 1)")
r_lora = sym("r_lora", r"r_{\text{LoRA}}", "", "LoRA rank", integer=True)
f_buf = sym("f_buf", r"f_{\text{buf}}", "", "Communication buffers as a fraction of gradient bytes")
P_r = sym("P_r", r"P_{r}", "param", "Parameters held per model-parallel rank", "Gparam")
b_mb = sym("b_mb", "b", "", "Micro-batch per rank", integer=True)
L_s = sym("L_s", r"N_{L,s}", "", "Layers per pipeline stage", integer=True)
M_w = sym("M_w", r"M_{\text{w}}", "B", "Weight bytes per rank", "GB")
M_g = sym("M_g", r"M_{\text{g}}", "B", "Gradient bytes per rank", "GB")
M_o = sym("M_o", r"M_{\text{opt}}", "B", "Optimizer-state bytes per rank", "GB")
M_a = sym("M_a", r"M_{\text{act}}", "B", "Activation bytes per rank", "GB")
M_buf = sym("M_buf", r"M_{\text{buf}}", "B", "Communication-buffer bytes per rank", "GB")
M_train = sym("M_train", r"M_{\text{train}}", "B", "Training memory per rank", "GB")
U_train = sym("U_train", r"U_{\text{train}}", "", "Training memory utilisation (required / capacity)")

c_wg = coefficient("c_wg", 2, "", "Weights plus gradients: two copies of the weight bytes in training", ZERO)
c_act = coefficient("c_act", 34, "B", "Activation bytes per s·b·h per layer at 16-bit (Korthikanti Eq. 1)", KORTHIKANTI_ACT)
c_att = coefficient("c_att", 5, "B", "Attention score bytes per a·s²·b per layer at 16-bit (Korthikanti Eq. 1)", KORTHIKANTI_ACT)
c_full = coefficient("c_full", 2, "B", "Bytes per s·b·h kept per layer under full recomputation (its input)", KORTHIKANTI_ACT)
c_ref = coefficient("c_ref", 2, "B", "Element width Korthikanti's counts assume (16-bit)", KORTHIKANTI_ACT)
c_lora = coefficient("c_lora", 8, "param", "LoRA parameters per r·h per layer: 2 factors × 4 adapted matrices", LORA)
c_pipe = coefficient("c_pipe", 2, "", "Pipeline buffers: one send and one receive activation tensor", KORTHIKANTI_ACT)

# ---- training state (TrainingMemoryModel, and Engine.solve for transformers) -----------------------------------------
TRAINING_EQUATIONS = (
    Equation("train.rank_params", "P_r", P / (N_tp * N_pp * N_ep), "Parameters per model-parallel rank", (ZERO_STAGES,)),
    Equation("train.trainable_fraction", "f_train",
             sp.Piecewise((sp.Min(1, c_lora * r_lora * h * N_L / P),
                           sp.And(sp.StrictGreaterThan(m_lora, 0), sp.StrictGreaterThan(P, 0))), (f_trainable, True)),
             "Trainable fraction (LoRA adapters or the requested fraction; a model with no parameter count has no "
             "adapter share)", (LORA,), regimes=("LoRA", "requested")),
    Equation("train.weights", "M_w", sp.Piecewise((P_r * b_w / N_dp, sp.GreaterThan(z_stage, 3)), (P_r * b_w, True)),
             "Weight bytes per rank (ZeRO-3 shards them)", (ZERO_STAGES,), regimes=("ZeRO-3 sharded", "replicated")),
    Equation("train.gradients", "M_g",
             sp.Piecewise((P_r * f_train * b_w / N_dp, sp.GreaterThan(z_stage, 2)), (P_r * f_train * b_w, True)),
             "Gradient bytes per rank (ZeRO-2 shards them)", (ZERO_STAGES,), regimes=("ZeRO-2+ sharded", "replicated")),
    Equation("train.optimizer", "M_o",
             sp.Piecewise((P_r * f_train * b_opt / N_dp, sp.GreaterThan(z_stage, 1)), (P_r * f_train * b_opt, True)),
             "Optimizer-state bytes per rank (ZeRO-1 shards them)", (ZERO_STAGES,), regimes=("ZeRO-1+ sharded", "replicated")),
    Equation("train.microbatch", "b_mb", sp.Max(1, sp.ceiling(B / (D_b * GA))), "Micro-batch per rank"),
    Equation("train.stage_layers", "L_s", sp.Max(1, sp.ceiling(N_L / N_pp)), "Layers per pipeline stage"),
    Equation("train.activations", "M_a",
             L_s * (b_w / c_ref) * sp.Piecewise(
                 (c_act * S * b_mb * h + c_att * H * S**2 * b_mb, sp.Eq(s_ckpt, 0)),
                 (c_act * S * b_mb * h, sp.Eq(s_ckpt, 1)),
                 (c_full * S * b_mb * h, True))
             / sp.Piecewise((N_tp, sp.And(sp.StrictGreaterThan(m_sp, 0), sp.StrictGreaterThan(N_tp, 1))), (1, True)),
             "Activation bytes per rank (Korthikanti)", (KORTHIKANTI_ACT, KORTHIKANTI_SP),
             regimes=("no recomputation", "selective recomputation", "full recomputation")),
    Equation("train.buffers", "M_buf",
             f_buf * M_g + sp.Piecewise((c_pipe * b_mb * S * h * b_w, sp.StrictGreaterThan(N_pp, 1)), (0, True)),
             "Communication buffers per rank", (KORTHIKANTI_ACT,)),
    Equation("train.total", "M_train", M_w + M_g + M_o + M_a + M_buf, "Training memory per rank",
             (ZERO_STAGES, KORTHIKANTI_ACT)),
)
FIT_EQUATIONS = (
    Equation("train.utilisation", "U_train", M_train / C_mem, "Training memory utilisation"),
    Equation("train.feasible", "feasible", sp.LessThan(M_train, C_mem), "Training state fits in device memory"),
)

# ---- wall 2: memory ------------------------------------------------------------------------------------------
EQ_W = Equation("memory.weights", "W", sp.Piecewise((M_size, sp.StrictGreaterThan(M_size, 0)), (P * b_w, True)),
                "Weight bytes at the stored precision (a size-only model: its catalogued size)",
                regimes=("catalogued size", "parameters × width"))
EQ_D_VOL = Equation("memory.traffic", "D_vol", W * (1 + f_act * B),
                    "Bytes moved per step: weights once, plus activation traffic per sample", (ROOFLINE,))
EQ_FOOTPRINT = Equation(
    "memory.footprint", "M_req",
    sp.Piecewise((M_train, sp.And(training, sp.StrictGreaterThan(m_xf, 0))),
                 (f_lora * W, sp.And(training, sp.StrictGreaterThan(m_lora, 0))),
                 (c_wg * W + (W / b_w) * b_opt, training), (W, True)),
    "Device memory a step needs: weights (inference); a transformer's training state per rank; otherwise weights, "
    "gradients and Adam state", (ZERO, KORTHIKANTI_ACT),
    regimes=("transformer training state", "LoRA training", "training", "inference"))
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
EQ_FEASIBLE = Equation("memory.feasible", "feasible", sp.LessThan(M_req, C_mem), "The step fits in device memory")
EQ_T_MEM = Equation("memory.time", "T_mem", D_vol / BW, "Memory wall: time to stream the step's bytes", (ROOFLINE,))

register_wall(Wall(
    2, "Memory", "node", "SingleNodeModel",
    "A step cannot finish faster than its bytes divided by the bandwidth of the path they stream from; "
    "and it must fit.",
    (EQ_W, EQ_D_VOL, EQ_FOOTPRINT, EQ_BW, EQ_SPILL, EQ_FEASIBLE, EQ_T_MEM, *TRAINING_EQUATIONS, *FIT_EQUATIONS),
    (ROOFLINE,),
    monotonic=(("T_mem", "P", +1), ("T_mem", "B", +1), ("T_mem", "BW_mem", -1), ("M_train", "P", +1),
               ("M_train", "S", +1), ("M_train", "N_dp", -1)),
    resolvers=("SingleNodeModel", "Engine", "TrainingMemoryModel"),
))

# ---- the roofline step: the binding wall plus fixed overheads (walls 1 and 2 together) -------------------------------
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

register_computation("train.memory", [*(e.id for e in TRAINING_EQUATIONS), *(e.id for e in FIT_EQUATIONS)],
                     "TrainingMemoryModel: training memory per rank against device capacity (wall 2)")
register_computation(
    "engine.step",
    [EQ_P_ACT.id, EQ_O_FWD.id, EQ_N_TOK.id, EQ_K_OPS.id, EQ_K_MODEL.id, EQ_R_EFF.id, EQ_T_COMP.id, EQ_W.id,
     *(e.id for e in TRAINING_EQUATIONS), EQ_FOOTPRINT.id, EQ_D_VOL.id, EQ_BW.id, EQ_SPILL.id, EQ_FEASIBLE.id,
     EQ_T_MEM.id, EQ_K_TAX.id, EQ_L_LAT.id, EQ_T.id, EQ_X.id, EQ_I.id, EQ_MFU.id, EQ_HFU.id, EQ_E.id, EQ_OVH.id],
    "Engine.solve: the single-node roofline step (walls 1 and 2), with the training state of a transformer",
    equations=(EQ_K_TAX, EQ_L_LAT, EQ_T, EQ_X, EQ_I, EQ_MFU, EQ_HFU, EQ_E, EQ_OVH))
