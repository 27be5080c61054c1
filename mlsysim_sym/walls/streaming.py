"""NODE wall 6 (Streaming): weight streaming into SRAM-resident designs (wafer-scale engines).

Curation log: weights live off chip and stream in layer by layer over the injection link; activations and KV
cache stay on chip (with a working-memory overhead). A layer takes the longer of its compute and the injection
of its weights; batching amortises injection until compute covers it, at ``B* = t_inj·R_eff/(2·P_ℓ)`` (closed
form). Attention in prefill uses all query heads, ``4·H·d·S²`` per layer (as in wall 4).
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, Wall, register_computation, register_wall, sym
from .node import EQ_R_EFF, C_mem, H, N_L, P, R_eff, S, B, b_w, c_fwd, tau_disp
from .serving import SHAPE_EQUATIONS, H_kv, c_attn, c_kv, d_head

CEREBRAS = Cite("lie2023cerebras", "§3-4: weight streaming from MemoryX through SwarmX; activations stay on the wafer")

f_sram = sym("f_sram", r'f_{\text{SRAM}}', '', 'SRAM working-memory overhead factor on the KV cache')
m_prefill = sym("m_prefill", r'm_{\text{prefill}}', '', 'Phase flag (1 = prefill, 0 = decode)', integer=True)
BW_inj = sym("BW_inj", r'\text{BW}_{\text{inj}}', 'B/s', 'Weight-injection bandwidth into the wafer/chip', 'GB/s')
KV_ws = sym("KV_ws", r'M_{\text{KV,chip}}', 'B', 'KV cache held on chip', 'GB')
M_sram_req = sym("M_sram_req", r'M_{\text{SRAM}}', 'B', 'On-chip memory required (KV plus working overhead)', 'GB')
U_sram = sym("U_sram", r'U_{\text{SRAM}}', '', 'On-chip memory utilisation')
feasible_ws = sym("feasible_ws", r'\text{fits}_{\text{SRAM}}', '', 'KV cache fits on chip (1/0)')
P_l = sym("P_l", r'P_{\ell}', 'param', 'Parameters per layer', 'Mparam')
t_inj = sym("t_inj", r't_{\text{inj}}', 's', "Time to stream one layer's weights in", 'ms')
F_layer = sym("F_layer", r'O_{\ell}', 'FLOP', 'FLOPs of one layer for the batch', 'GFLOP')
t_layer_c = sym("t_layer_c", r't_{\text{comp}}', 's', 'Compute time of one layer', 'ms')
t_layer = sym("t_layer", r't_{\ell}', 's', 'Time per layer (the slower of compute and injection)', 'ms')
T_ws = sym("T_ws", r'T_{\text{pass}}', 's', 'Time of one pass over all layers', 'ms')
X_ws = sym("X_ws", r'X_{\text{tok}}', '1/s', 'Tokens per second')
B_star = sym("B_star", 'B^{*}', '', 'Batch at which compute covers weight injection', integer=True)
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
register_computation("stream.ws", [EQ_R_EFF.id, *[e.id for e in SHAPE_EQUATIONS], *[e.id for e in EQUATIONS]],
                     "WeightStreamingModel (wall 6)")
