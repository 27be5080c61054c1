"""NODE wall 3 (Software): the MFU a kernel class can reach, as a function of the overall efficiency.

Curation log: the bands are assumptions anchored in published MFU ranges (catalogue ``knobs.efficiency``):
achievable MFU scales with η/η_ref and saturates at a cap per kernel class (fused/flash attention, GEMM-bound
FFNs, convolutions); occupancy loss is what η leaves unused after a 1.1× headroom; memory stalls are the rest.
This is a descriptive model of where the efficiency goes, not a kernel simulator.
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, Wall, register_computation, register_wall, sym
from .node import R_peak, eta_hw

DAO = Cite("dao2022flashattention", "§4.1, Fig. 3: FlashAttention reaches a much larger share of peak than standard attention")
PALM = Cite("chowdhery2022palm", "§4, Table 3: 46.2% MFU for a large dense model")

eta_ref = sym("eta_ref", r'\eta_{\text{ref}}', '', 'Reference efficiency the MFU bands are stated at')
w_type = sym("w_type", "w", "", "Kernel class: 1 attention, 2 FFN, 3 convolution, 4 other", integer=True)
m_flash = sym("m_flash", r"m_{\text{flash}}", "", "Fused (flash) attention flag", integer=True)
e_flash = sym("e_flash", r'e_{\text{flash}}', '', 'MFU of flash attention at the reference efficiency')
cap_flash = sym("cap_flash", r'\bar{e}_{\text{flash}}', '', 'Cap on flash-attention MFU')
e_attn = sym("e_attn", r'e_{\text{attn}}', '', 'MFU of unfused attention at the reference efficiency')
e_ffn = sym("e_ffn", r'e_{\text{FFN}}', '', 'MFU of FFN/GEMM layers at the reference efficiency')
cap_ffn = sym("cap_ffn", r'\bar{e}_{\text{FFN}}', '', 'Cap on FFN MFU')
e_conv = sym("e_conv", r'e_{\text{conv}}', '', 'MFU of convolutions at the reference efficiency')
cap_conv = sym("cap_conv", r'\bar{e}_{\text{conv}}', '', 'Cap on convolution MFU')
e_other = sym("e_other", r'e_{\text{other}}', '', 'MFU of other kernels at the reference efficiency')
k_occ = sym("k_occ", r'k_{\text{occ}}', '', 'Occupancy headroom factor')
MFU_w = sym("MFU_w", r'\text{MFU}_{w}', '', 'Achievable MFU of the workload type')
R_ach = sym("R_ach", r'R_{\text{ach}}', 'FLOP/s', 'Achievable FLOP/s', 'TFLOP/s')
L_occ = sym("L_occ", r'\ell_{\text{occ}}', '', 'Occupancy loss')
L_stall = sym("L_stall", r'\ell_{\text{stall}}', '', 'Memory-stall loss')
s = eta_hw / eta_ref

EQUATIONS = (
    Equation("efficiency.mfu", "MFU_w",
             sp.Min(1, sp.Max(0, sp.Piecewise(
                 (sp.Min(e_flash * s, cap_flash), sp.And(sp.Eq(w_type, 1), sp.StrictGreaterThan(m_flash, 0))),
                 (e_attn * s, sp.Eq(w_type, 1)),
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
