"""Mixture-of-experts routing, the fleet, and the network roofline (node-level views of the communication wall).

Curation log: routing imbalance ``f ≥ 1`` makes a top-k router act like ``min(E, k·f)`` experts (the busiest
expert sets the step); the token payload leaving a rank is the routed share ``(ep−1)/ep`` of
``B·S·h·bytes·k·multiplier``; all-to-all time is ``(N−1)/N·M/β + (N−1)α``. A fleet is nodes × accelerators per
node (an equation, so the count's sources are the node and cluster rows). The network roofline compares a
data-parallel step's compute (6 FLOP per parameter per token-step, Kaplan et al. 2020) with its gradient
all-reduce volume ``2·P·bytes`` over the fabric; its energy is the fleet's TDP at the step's utilisation (the
linear power model of wall 1; mlsysim 0.3.0 reports 0 J, a declared deviation); it has no fixed per-step
overhead (``latency_overhead`` is bound to 0 with that reason).
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, coefficient, register_computation, register_equations, sym
from .node import BARROSO, B, P, P_act, R_peak, S, b_w, eta_hw, h
from .training import N_ep, P_tdp, f_idle

FEDUS = Cite("fedus2022switch", "§2.2: expert capacity and load imbalance; tokens dispatched with all-to-all")
THAKUR = Cite("thakur2005optimization", "§4: all-to-all cost (p−1)α + (p−1)/p·nβ")
KAPLAN6 = Cite("kaplan2020scaling", "§2.1: training compute ≈ 6N FLOPs per token")
ROOFLINE = Cite("williams2009roofline", "§2: the ridge point is where the two ceilings meet")

# ---- the fleet ----------------------------------------------------------------------------------------------------
m_fleet = sym("m_fleet", r"m_{\text{fleet}}", "", "Fleet flag: a cluster was given (1) or not (0)", integer=True)
n_nodes = sym("n_nodes", r"n_{\text{nodes}}", "", "Nodes in the cluster", integer=True)
n_gpn = sym("n_gpn", r"n_{\text{gpn}}", "", "Accelerators per node", integer=True)
N_acc = sym("N_acc", "N", "", "Accelerators in the fleet", integer=True)
BW_fab = sym("BW_fab", r"\text{BW}_{\text{fab}}", "B/s", "Fabric bandwidth per rank, per direction", "GB/s")
os_fab = sym("os_fab", r"\text{os}", "", "Fabric oversubscription")
alpha_fab = sym("alpha_fab", r"\alpha_{\text{fab}}", "s", "Fabric latency per message", "us")
beta_fab = sym("beta_fab", r"\beta", "B/s", "Effective fabric bandwidth BW/os", "GB/s")
EQ_N_ACC = Equation("fleet.accelerators", "N_acc", n_nodes * n_gpn, "Accelerators in the fleet: nodes × per node")
EQ_BETA = Equation("netroof.beta", "beta_fab", BW_fab / os_fab, "Effective fabric bandwidth")

# ---- MoE routing ----------------------------------------------------------------------------------------------------
E_exp = sym("E_exp", r"N_{\text{exp}}", "", "Routed experts", integer=True)
k_top = sym("k_top", "k", "", "Experts per token (top-k)", integer=True)
f_imb = sym("f_imb", r"f_{\text{imb}}", "", "Routing imbalance factor (≥ 1)")
e_eff = sym("e_eff", r"e_{\text{eff}}", "", "Effective active experts per token")
m_route = sym("m_route", r"m_{\text{route}}", "", "Active-parameter multiplier from imbalance")
P_act_eff = sym("P_act_eff", r"P_{\text{act,eff}}", "param", "Effective active parameters", "Gparam")
D_route = sym("D_route", r"D_{\text{route}}", "B", "Token payload routed per step", "MB")
D_dispatch = sym("D_dispatch", r"D_{\text{dispatch}}", "B", "Payload leaving the local expert shard", "MB")
T_a2a = sym("T_a2a", r"T_{\text{A2A}}", "s", "All-to-all time", "ms")

MOE = (
    Equation("moe.effective_experts", "e_eff", sp.Min(E_exp, sp.Max(1, k_top) * f_imb), "Effective active experts", (FEDUS,)),
    Equation("moe.multiplier", "m_route", e_eff / sp.Max(1, k_top), "Active-parameter multiplier", (FEDUS,)),
    Equation("moe.active_params", "P_act_eff", P_act * m_route, "Effective active parameters", (FEDUS,)),
    Equation("moe.payload", "D_route", B * S * h * b_w * sp.Max(1, k_top) * m_route, "Token payload routed", (FEDUS,)),
    Equation("moe.dispatch", "D_dispatch",
             sp.Piecewise((D_route * (N_ep - 1) / N_ep, sp.StrictGreaterThan(N_ep, 1)), (0, True)),
             "Payload leaving the local shard", (FEDUS,), regimes=("expert parallel", "local")),
    Equation("moe.all_to_all", "T_a2a",
             (N_ep - 1) / N_ep * D_route / (BW_fab / os_fab) + (N_ep - 1) * alpha_fab,
             "All-to-all time over the fabric", (THAKUR,)),
)

# ---- the network roofline ------------------------------------------------------------------------------------------
R_fleet = sym("R_fleet", r"R_{\text{fleet}}", "FLOP/s", "Fleet peak FLOP/s", "PFLOP/s")
R_fleet_eff = sym("R_fleet_eff", r"R_{\text{fleet,eff}}", "FLOP/s", "Fleet achieved FLOP/s (peak × efficiency)",
                  "PFLOP/s")
D_sync = sym("D_sync", r"D_{\text{sync}}", "B", "Gradient bytes synchronised per step", "GB")
O_train = sym("O_train", r"O_{\text{train}}", "FLOP", "Training FLOPs per token-step (6P)", "GFLOP")
I_net = sym("I_net", r"I_{\text{net}}", "FLOP/B", "Communication intensity")
I_ridge_net = sym("I_ridge_net", r"I_{\text{ridge,net}}", "FLOP/B",
                  "Network ridge point: fleet peak FLOP/s over effective fabric bandwidth")
T_net = sym("T_net", r"T_{\text{net}}", "s", "Network time", "ms")
T_nc = sym("T_nc", r"T_{\text{comp,net}}", "s", "Compute time", "ms")
L_ovh_net = sym("L_ovh_net", r"L_{\text{lat,net}}", "s", "Fixed per-step overhead of the network roofline (none)",
                "ms")
T_nr = sym("T_nr", r"T_{\text{step,net}}", "s", "Step latency (network roofline)", "ms")
X_nr = sym("X_nr", r"X_{\text{net}}", "1/s", "Steps per second under the network roofline")
MFU_net = sym("MFU_net", r"\text{MFU}_{\text{net}}", "", "MFU under the network roofline")
E_nr = sym("E_nr", r"E_{\text{net}}", "J", "Fleet energy per step under the network roofline")
ovh_net = sym("ovh_net", r"\text{ovh}_{\text{net}}", "", "Whether fixed overheads exceed the network roofline's ceilings "
              "(1/0)")

c_train = coefficient("c_train", 6, "FLOP", "Training FLOPs per parameter per token (forward 2 + backward 4)", KAPLAN6)
c_sync = coefficient("c_sync", 2, "", "All-reduce moves each gradient byte twice (reduce-scatter + all-gather)",
                     Cite("thakur2005optimization", "§4.1: ring all-reduce 2(p−1)/p·n bytes per rank"))

NET = (
    EQ_N_ACC,
    Equation("netroof.fleet_rate", "R_fleet", R_peak * N_acc, "Fleet peak FLOP/s"),
    Equation("netroof.fleet_rate_achieved", "R_fleet_eff", R_fleet * eta_hw, "Fleet achieved FLOP/s"),
    EQ_BETA,
    Equation("netroof.sync", "D_sync", c_sync * P * b_w, "Gradient bytes synchronised", (THAKUR,)),
    Equation("netroof.ops", "O_train", c_train * P, "Training FLOPs per token-step", (KAPLAN6,)),
    Equation("netroof.intensity", "I_net", O_train / D_sync, "Communication intensity"),
    Equation("netroof.ridge_point", "I_ridge_net", R_fleet / beta_fab,
             "Network ridge point: the communication intensity above which the fleet is compute-bound", (ROOFLINE,)),
    Equation("netroof.compute", "T_nc", O_train / R_fleet_eff, "Compute time"),
    Equation("netroof.network", "T_net", D_sync / beta_fab, "Network time", (THAKUR,)),
    Equation("netroof.latency", "T_nr", sp.Max(T_nc, T_net) + L_ovh_net, "Step latency: the slower ceiling",
             regimes=("Compute", "Network"), branches=(T_nc, T_net)),
    Equation("netroof.throughput", "X_nr", 1 / T_nr, "Steps per second"),
    Equation("netroof.mfu", "MFU_net", sp.Min(1, O_train / (T_nr * R_fleet)), "MFU"),
    Equation("netroof.energy", "E_nr", N_acc * P_tdp * (f_idle + (1 - f_idle) * MFU_net) * T_nr,
             "Fleet energy per step: every accelerator's idle floor plus utilisation-proportional power", (BARROSO,)),
    Equation("netroof.overhead_dominated", "ovh_net", sp.StrictGreaterThan(L_ovh_net, sp.Max(T_nc, T_net)),
             "Fixed overheads exceed both ceilings"),
)
register_equations(*MOE, *NET)
register_computation("moe.routing", [e.id for e in MOE], "MoERoutingModel")
register_computation("netroof.step", [e.id for e in NET], "NetworkRooflineModel")
