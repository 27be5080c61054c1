"""Mixture-of-experts routing and the network roofline (node-level views of the communication wall).

Curation log: routing imbalance ``f ≥ 1`` makes a top-k router act like ``min(E, k·f)`` experts (the busiest
expert sets the step); the token payload leaving a rank is the routed share ``(ep−1)/ep`` of
``B·S·h·bytes·k·multiplier``; all-to-all time is ``(N−1)/N·M/β + (N−1)α``. The network roofline compares a
data-parallel step's compute (6 FLOP per parameter per token-step, Kaplan et al. 2020) with its gradient
all-reduce volume ``2·P·bytes`` over the fabric.
"""
from __future__ import annotations

import sympy as sp

from .base import Cite, Equation, coefficient, register_computation, register_equations, symbols

FEDUS = Cite("fedus2022switch", "§2.2: expert capacity and load imbalance; tokens dispatched with all-to-all")
THAKUR = Cite("thakur2005optimization", "§4: all-to-all cost (p−1)α + (p−1)/p·nβ")
KAPLAN6 = Cite("kaplan2020scaling", "§2.1: training compute ≈ 6N FLOPs per token")

(B, S, h, b_w, E_exp, k_top, f_imb, e_eff, m_route, P_act, P_act_eff, N_ep_r, D_route, D_dispatch, BW_fab, os_fab,
 alpha_fab, T_a2a, P, N_acc, R_peak, eta_hw, R_fleet, beta_fab, D_sync, O_train, I_net, T_net, T_nc, T_nr,
 MFU_net) = symbols(
    "B S h b_w E_exp k_top f_imb e_eff m_route P_act P_act_eff N_ep_r D_route D_dispatch BW_fab os_fab alpha_fab "
    "T_a2a P N_acc R_peak eta_hw R_fleet beta_fab D_sync O_train I_net T_net T_nc T_nr MFU_net")
c_train = coefficient("c_train", 6, "FLOP", "Training FLOPs per parameter per token (forward 2 + backward 4)", KAPLAN6)
c_sync = coefficient("c_sync", 2, "", "All-reduce moves each gradient byte twice (reduce-scatter + all-gather)",
                     Cite("thakur2005optimization", "§4.1: ring all-reduce 2(p−1)/p·n bytes per rank"))

MOE = (
    Equation("moe.effective_experts", "e_eff", sp.Min(E_exp, sp.Max(1, k_top) * f_imb), "Effective active experts", (FEDUS,)),
    Equation("moe.multiplier", "m_route", e_eff / sp.Max(1, k_top), "Active-parameter multiplier", (FEDUS,)),
    Equation("moe.active_params", "P_act_eff", P_act * m_route, "Effective active parameters", (FEDUS,)),
    Equation("moe.payload", "D_route", B * S * h * b_w * sp.Max(1, k_top) * m_route, "Token payload routed", (FEDUS,)),
    Equation("moe.dispatch", "D_dispatch",
             sp.Piecewise((D_route * (N_ep_r - 1) / N_ep_r, sp.StrictGreaterThan(N_ep_r, 1)), (0, True)),
             "Payload leaving the local shard", (FEDUS,), regimes=("expert parallel", "local")),
    Equation("moe.all_to_all", "T_a2a",
             (N_ep_r - 1) / N_ep_r * D_route / (BW_fab / os_fab) + (N_ep_r - 1) * alpha_fab,
             "All-to-all time over the fabric", (THAKUR,)),
)
NET = (
    Equation("netroof.fleet_rate", "R_fleet", R_peak * N_acc, "Fleet peak FLOP/s"),
    Equation("netroof.beta", "beta_fab", BW_fab / os_fab, "Effective fabric bandwidth"),
    Equation("netroof.sync", "D_sync", c_sync * P * b_w, "Gradient bytes synchronised", (THAKUR,)),
    Equation("netroof.ops", "O_train", c_train * P, "Training FLOPs per token-step", (KAPLAN6,)),
    Equation("netroof.intensity", "I_net", O_train / D_sync, "Communication intensity"),
    Equation("netroof.compute", "T_nc", O_train / (R_fleet * eta_hw), "Compute time"),
    Equation("netroof.network", "T_net", D_sync / beta_fab, "Network time", (THAKUR,)),
    Equation("netroof.latency", "T_nr", sp.Max(T_nc, T_net), "Step latency", regimes=("Compute", "Network"),
             branches=(T_nc, T_net)),
    Equation("netroof.mfu", "MFU_net", sp.Min(1, O_train / (T_nr * R_fleet)), "MFU"),
)
register_equations(*MOE, *NET)
register_computation("moe.routing", [e.id for e in MOE], "MoERoutingModel")
register_computation("netroof.step", [e.id for e in NET], "NetworkRooflineModel")
