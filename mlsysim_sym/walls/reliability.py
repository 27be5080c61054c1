"""FLEET wall 15 (Fragility): a synchronous job fails when any of its parts fails.

Curation log:

* Failures are independent and exponential, so rates add (a series system): per node, the accelerators' own
  failures, their HBM, the network switches and cables and the software and unknown causes scale with the
  accelerators; NICs with the NICs; host components once per node; power supplies only where a single one stops
  the node (none in N+M redundancy). The default rates are derived from the 419 unexpected interruptions of
  Llama 3 405B's 54-day snapshot on 16,384 H100s (Dubey et al. 2024, Table 5), category by category (the
  catalogue rows show the working). mlsysim 0.3.0 counts GPUs, NICs and series PSUs only, with its own MTTFs
  (its edition switches the other categories off). A cluster's catalogued MTBF, where one is reported, wins.
* Checkpoint interval: Young's first-order optimum √(2δM) (Young 1974) and Daly's higher-order one
  √(2δM)·[1 + ⅓√(δ/2M) + ⅑(δ/2M)] − δ for δ < 2M, else M (Daly 2006). The default reports Daly's.
* Goodput: the useful share of wall-clock time. Daly's expected time to finish a segment of τ work and its
  δ checkpoint with restarts R under exponential failures is M·e^{R/M}·(e^{(τ+δ)/M} − 1), so goodput is
  τ/(M·e^{R/M}·(e^{(τ+δ)/M} − 1)): checkpoint cost, rework and restart together (evaluated as
  (τ/M)·e^{−(R+δ+τ)/M}/(1 − e^{−(δ+τ)/M}), which neither overflows nor cancels). 0.3.0 uses 1 − δ/τ − R/M, which
  omits the rework since the last checkpoint (its edition's rule).
"""
from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import expm1

from ._core import Cite, Equation, Wall, register_computation, register_wall, sym
from .moe import n_gpn, n_nodes

LLAMA3 = Cite("dubey2024llama3", "§3.3.4, Table 5: 419 unexpected interruptions in a 54-day snapshot on 16,384 "
                                 "H100 GPUs, by root cause")
YOUNG = Cite("young1974first", "the first-order optimum checkpoint interval √(2δM)")
DALY = Cite("daly2006higher", "the higher-order optimum interval for δ < 2M (else M) and the expected wall-clock "
                              "time of a segment under exponential failures")

M_gpu = sym("M_gpu", r"M_{\text{GPU}}", "s", "MTTF of one accelerator (device failures)", "h")
M_hbm = sym("M_hbm", r"M_{\text{HBM}}", "s", "MTTF of one accelerator's HBM", "h")
M_netc = sym("M_netc", r"M_{\text{net}}", "s", "MTTF of the switch and cable share of one accelerator", "h")
M_sw = sym("M_sw", r"M_{\text{sw}}", "s", "MTTF of the software and unknown share of one accelerator", "h")
M_nic = sym("M_nic", r"M_{\text{NIC}}", "s", "MTTF of one NIC", "h")
M_host = sym("M_host", r"M_{\text{host}}", "s", "MTTF of one node's host (CPU, memory, SSD, chassis, power)", "h")
M_psu = sym("M_psu", r"M_{\text{PSU}}", "s", "MTTF of one power supply", "h")
n_nic = sym("n_nic", r"n_{\text{NIC}}", "", "NICs per node", integer=True)
n_psu_s = sym("n_psu_s", r"n_{\text{PSU,s}}", "", "Power supplies per node whose single failure stops it",
              integer=True)
m_full = sym("m_full", r"m_{\text{full}}", "", "Count HBM, network, host and software failures (1) or GPU, NIC and "
                                               "PSU only (0)", integer=True)
lam_node = sym("lam_node", r"\lambda_{\text{node}}", "1/s", "Failure rate of one node")
M_node = sym("M_node", r"M_{\text{node}}", "s", "MTBF of one node", "h")
M_cat = sym("M_cat", r"M_{\text{cat}}", "s", "The cluster's reported MTBF (0: none catalogued)", "h")
M_f = sym("M_f", "M", "s", "Fleet (job) MTBF", "h")
T_job = sym("T_job", r"T_{\text{job}}", "s", "Job duration", "h")
P_fail = sym("P_fail", r"P_{\text{fail}}", "", "Probability of at least one failure during the job")
n_fail = sym("n_fail", r"n_{\text{fail}}", "", "Expected failures during the job")
delta_ck = sym("delta_ck", r"\delta", "s", "Time to write one checkpoint", "s")
R_rec = sym("R_rec", "R", "s", "Time to recover from a failure (restart, reload, warm-up)", "s")
tau_Y = sym("tau_Y", r"\tau_{\text{Young}}", "s", "Young's optimum checkpoint interval", "min")
tau_D = sym("tau_D", r"\tau_{\text{Daly}}", "s", "Daly's optimum checkpoint interval", "min")
m_daly = sym("m_daly", r"m_{\text{Daly}}", "", "Daly's interval and goodput (1) or Young's and first-order (0)",
             integer=True)
tau_opt = sym("tau_opt", r"\tau^{*}", "s", "Optimum checkpoint interval", "min")
G_put = sym("G_put", r"G", "", "Goodput: useful share of wall-clock time")

x_d = delta_ck / (2 * M_f)

EQ_YOUNG = Equation("rel.young", "tau_Y", sp.sqrt(2 * delta_ck * M_f), "Young's interval", (YOUNG,))
EQ_DALY = Equation("rel.daly", "tau_D",
                   sp.Piecewise((sp.sqrt(2 * delta_ck * M_f) * (1 + sp.sqrt(x_d) / 3 + x_d / 9) - delta_ck,
                                 sp.StrictLessThan(delta_ck, 2 * M_f)), (M_f, True)),
                   "Daly's higher-order interval", (DALY,), regimes=("δ < 2M", "δ ≥ 2M"))
EQ_TAU = Equation("rel.interval", "tau_opt", sp.Piecewise((tau_D, sp.StrictGreaterThan(m_daly, 0)), (tau_Y, True)),
                  "Optimum checkpoint interval", (DALY, YOUNG), regimes=("Daly", "Young"))

EQUATIONS = (
    Equation("rel.node_rate", "lam_node",
             n_gpn / M_gpu + n_nic / M_nic + n_psu_s / M_psu
             + m_full * (n_gpn * (1 / M_hbm + 1 / M_netc + 1 / M_sw) + 1 / M_host),
             "Failure rate of one node: the sum of its parts' rates", (LLAMA3,)),
    Equation("rel.node_mtbf", "M_node", 1 / lam_node, "MTBF of one node"),
    Equation("rel.fleet_mtbf", "M_f", sp.Piecewise((M_cat, sp.StrictGreaterThan(M_cat, 0)), (M_node / n_nodes, True)),
             "Fleet MTBF: reported, else a node's over the node count", (LLAMA3,),
             regimes=("reported", "from components")),
    Equation("rel.p_fail", "P_fail", 1 - sp.exp(-T_job / M_f), "Probability of a failure during the job"),
    Equation("rel.failures", "n_fail", T_job / M_f, "Expected failures during the job"),
    EQ_YOUNG, EQ_DALY, EQ_TAU,
    Equation("rel.goodput", "G_put",
             sp.Piecewise((tau_opt / M_f * sp.exp(-(R_rec + delta_ck + tau_opt) / M_f)
                           / -expm1(-(tau_opt + delta_ck) / M_f), sp.StrictGreaterThan(m_daly, 0)),
                          (sp.Max(0, 1 - delta_ck / tau_opt - R_rec / M_f), True)),
             "Goodput at the optimum interval", (DALY,), regimes=("Daly", "first order")),
)

register_wall(Wall(15, "Fragility", "fleet", "ReliabilityModel",
                   "Failure rates add across a synchronous fleet; checkpoints bound the work a failure loses.",
                   EQUATIONS, (LLAMA3, YOUNG, DALY),
                   monotonic=(("M_f", "n_nodes", -1), ("P_fail", "T_job", +1), ("tau_Y", "delta_ck", +1),
                              ("G_put", "R_rec", -1)),
                   resolvers=("ReliabilityModel", "CheckpointModel")))
register_computation("rel.fleet", [e.id for e in EQUATIONS], "ReliabilityModel (wall 15)")
