"""NODE wall 6 (Streaming): weight streaming into SRAM-resident designs (wafer-scale engines).

Curation log: weights live off chip and stream in layer by layer over the injection link; activations and KV
cache stay on chip (with a working-memory overhead). A layer takes the longer of its compute and the injection
of its weights; batching amortises injection until compute covers it, at ``B* = t_inj·R_eff/(2·P_ℓ)`` (closed
form). Attention in prefill uses all query heads, ``4·H·d·S²`` per layer (as in wall 4).
"""
from __future__ import annotations

import sympy as sp

from .base import Cite, Equation, Wall, register_computation, register_wall, symbols
from .node import c_fwd
from .serving import c_attn, c_kv

CEREBRAS = Cite("lie2023cerebras", "§3-4: weight streaming from MemoryX through SwarmX; activations stay on the wafer")

(S, B, P, N_L, H, H_kv, d_head, b_w, f_sram, C_mem, m_prefill, BW_inj, R_eff, tau_disp, KV_ws, M_sram_req, U_sram,
 feasible_ws, P_l, t_inj, F_layer, t_layer_c, t_layer, T_ws, X_ws, B_star) = symbols(
    "S B P N_L H H_kv d_head b_w f_sram C_mem m_prefill BW_inj R_eff tau_disp KV_ws M_sram_req U_sram feasible_ws "
    "P_l t_inj F_layer t_layer_c t_layer T_ws X_ws B_star")
prefill = sp.StrictGreaterThan(m_prefill, 0)

EQUATIONS = (
    Equation("stream.kv", "KV_ws", c_kv * N_L * H_kv * d_head * b_w * S * B, "KV cache held on chip"),
    Equation("stream.sram_required", "M_sram_req", f_sram * KV_ws, "On-chip memory required", (CEREBRAS,)),
    Equation("stream.utilisation", "U_sram", M_sram_req / C_mem, "On-chip memory utilisation"),
    Equation("stream.feasible", "feasible_ws", sp.LessThan(M_sram_req, C_mem), "KV cache fits on chip"),
    Equation("stream.layer_params", "P_l", P / N_L, "Parameters per layer"),
    Equation("stream.injection", "t_inj", P_l * b_w / BW_inj, "Weight injection per layer", (CEREBRAS,)),
    Equation("stream.layer_flops", "F_layer",
             sp.Piecewise((c_fwd * P_l * S * B + c_attn * H * d_head * S**2 * B, prefill), (c_fwd * P_l * B, True)),
             "FLOPs of one layer for the batch", regimes=("prefill", "decode")),
    Equation("stream.layer_compute", "t_layer_c", F_layer / R_eff + tau_disp, "Compute per layer"),
    Equation("stream.layer_time", "t_layer", sp.Max(t_layer_c, t_inj), "Time per layer", (CEREBRAS,),
             regimes=("Compute-Bound", "Interconnect-Bandwidth-Bound"), branches=(t_layer_c, t_inj)),
    Equation("stream.pass", "T_ws", t_layer * N_L, "One pass over all layers"),
    Equation("stream.throughput", "X_ws",
             sp.Piecewise((0, sp.Not(feasible_ws)), (B * S / T_ws, prefill), (B / T_ws, True)),
             "Tokens per second", regimes=("does not fit", "prefill", "decode")),
    Equation("stream.optimal_batch", "B_star", sp.Max(1, sp.floor(t_inj * R_eff / (c_fwd * P_l))),
             "Batch at which compute covers injection (closed form)", (CEREBRAS,)),
)
register_wall(Wall(6, "Streaming", "node", "WeightStreamingModel",
                   "When weights do not fit on chip, injection bandwidth bounds every layer.", EQUATIONS, (CEREBRAS,),
                   monotonic=(("t_inj", "BW_inj", -1), ("X_ws", "BW_inj", +1)), resolvers=("WeightStreamingModel",)))
register_computation("stream.ws", ["compute.r_eff", *[e.id for e in EQUATIONS]], "WeightStreamingModel (wall 6)")
