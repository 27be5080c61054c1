"""NODE wall 3 (Software): the MFU a kernel class can reach, as a function of the overall efficiency.

Curation log: the bands are assumptions anchored in published MFU ranges (catalogue ``knobs.efficiency``):
achievable MFU scales with η/η_ref and saturates at a cap per kernel class (fused/flash attention, GEMM-bound
FFNs, convolutions); occupancy loss is what η leaves unused after a 1.1× headroom; memory stalls are the rest.
This is a descriptive model of where the efficiency goes, not a kernel simulator.
"""
from __future__ import annotations

import sympy as sp

from .base import Cite, Equation, Wall, register_computation, register_wall, symbols

DAO = Cite("dao2022flashattention", "§4.1, Fig. 3: FlashAttention reaches a much larger share of peak than standard attention")
PALM = Cite("chowdhery2022palm", "§4, Table 3: 46.2% MFU for a large dense model")

(eta_hw, eta_ref, w_type, e_flash, cap_flash, e_attn, e_ffn, cap_ffn, e_conv, cap_conv, e_other, k_occ, MFU_w, R_ach,
 R_peak, L_occ, L_stall) = symbols("eta_hw eta_ref w_type e_flash cap_flash e_attn e_ffn cap_ffn e_conv cap_conv "
                                   "e_other k_occ MFU_w R_ach R_peak L_occ L_stall")
s = eta_hw / eta_ref

EQUATIONS = (
    Equation("efficiency.mfu", "MFU_w",
             sp.Min(1, sp.Max(0, sp.Piecewise(
                 (sp.Min(e_flash * s, cap_flash), sp.Eq(w_type, 0)), (e_attn * s, sp.Eq(w_type, 1)),
                 (sp.Min(e_ffn * s, cap_ffn), sp.Eq(w_type, 2)), (sp.Min(e_conv * s, cap_conv), sp.Eq(w_type, 3)),
                 (e_other * s, True)))),
             "Achievable MFU of a kernel class", (DAO, PALM)),
    Equation("efficiency.achievable", "R_ach", R_peak * MFU_w, "Achievable FLOP/s"),
    Equation("efficiency.occupancy_loss", "L_occ", 1 - sp.Min(k_occ * eta_hw, 1), "Occupancy loss"),
    Equation("efficiency.memory_stall", "L_stall", sp.Max(0, 1 - MFU_w - L_occ), "Memory-stall loss"),
)
register_wall(Wall(3, "Software", "node", "EfficiencyModel",
                   "Software determines what fraction of peak the hardware delivers.", EQUATIONS, (PALM,),
                   monotonic=(("MFU_w", "eta_hw", +1),), resolvers=("EfficiencyModel",)))
register_computation("efficiency.model", [e.id for e in EQUATIONS], "EfficiencyModel (wall 3)")
