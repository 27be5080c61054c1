"""Training-state memory (part of wall 2, Memory): weights, gradients, optimizer state, activations, buffers.

Curation log:

* Activations follow Korthikanti et al. (2023), Eqs. 1-2 and Table 2, per transformer layer at 16-bit width:
  no recomputation ``34·s·b·h + 5·a·s²·b`` bytes, selective recomputation ``34·s·b·h`` (the attention
  score/softmax/dropout term is recomputed), full recomputation ``2·s·b·h`` (only each layer's input is kept).
  Other widths scale by ``bytes per element / 2``. With sequence parallelism (Korthikanti §4.2.2) tensor
  parallelism divides all of it by t.
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

from .base import Cite, Equation, coefficient, symbols

KORTHIKANTI_ACT = Cite("korthikanti2023reducing", "§4.1, Eq. 1 (34sbh + 5as²b per layer), Eq. 2 and Table 2 (selective, full)")
KORTHIKANTI_SP = Cite("korthikanti2023reducing", "§4.2.2: sequence parallelism divides every activation by t")
ZERO_STAGES = Cite("rajbhandari2020zero", "§5 and Fig. 1: P_os, P_os+g, P_os+g+p partition optimizer, gradients, parameters")
LORA = Cite("hu2022lora", "§4.1-4.2: a rank-r update BA of a d×k matrix trains r(d+k) parameters; adapted W_q, W_k, W_v, W_o")


(P, b_w, b_opt, N_tp, N_pp, N_ep, N_dp, D_b, GA, z_stage, m_sp, s_ckpt, h, H, S, N_L, f_train, f_trainable, m_lora,
 r_lora, f_buf, P_r, b_mb, L_s, M_w, M_g, M_o, M_a, M_buf, M_req, B, C_mem) = symbols(
    "P b_w b_opt N_tp N_pp N_ep N_dp D_b GA z_stage m_sp s_ckpt h H S N_L f_train f_trainable m_lora r_lora f_buf "
    "P_r b_mb L_s M_w M_g M_o M_a M_buf M_req B C_mem")

c_act = coefficient("c_act", 34, "B", "Activation bytes per s·b·h per layer at 16-bit (Korthikanti Eq. 1)", KORTHIKANTI_ACT)
c_att = coefficient("c_att", 5, "B", "Attention score bytes per a·s²·b per layer at 16-bit (Korthikanti Eq. 1)", KORTHIKANTI_ACT)
c_full = coefficient("c_full", 2, "B", "Bytes per s·b·h kept per layer under full recomputation (its input)", KORTHIKANTI_ACT)
c_ref = coefficient("c_ref", 2, "B", "Element width Korthikanti's counts assume (16-bit)", KORTHIKANTI_ACT)
c_lora = coefficient("c_lora", 8, "param", "LoRA parameters per r·h per layer: 2 factors × 4 adapted matrices", LORA)
c_pipe = coefficient("c_pipe", 2, "", "Pipeline buffers: one send and one receive activation tensor", KORTHIKANTI_ACT)

EQUATIONS = (
    Equation("train.rank_params", "P_r", P / (N_tp * N_pp * N_ep), "Parameters per model-parallel rank", (ZERO_STAGES,)),
    Equation("train.trainable_fraction", "f_train",
             sp.Piecewise((sp.Min(1, c_lora * r_lora * h * N_L / P), sp.StrictGreaterThan(m_lora, 0)), (f_trainable, True)),
             "Trainable fraction (LoRA adapters or the requested fraction)", (LORA,), regimes=("LoRA", "requested")),
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
    Equation("train.total", "M_req", M_w + M_g + M_o + M_a + M_buf, "Training memory per rank", (ZERO_STAGES, KORTHIKANTI_ACT)),
)
FIT_EQUATIONS = (
    Equation("train.utilisation", "U_train", M_req / C_mem, "Training memory utilisation"),
    Equation("train.feasible", "feasible", sp.LessThan(M_req, C_mem), "Training state fits in device memory"),
)
