"""FLEET wall 16 (Multi-tenancy): jobs queue for a shared cluster.

Curation log:

* Jobs arrive as a Poisson stream at rate λ and hold their share of the cluster for a service time D. A cluster
  that runs one job at a time is one server (mlsysim 0.3.0's M/D/1); a cluster of N accelerators running jobs of
  g accelerators each is c = ⌊N/g⌋ servers.
* The mean wait of M/G/c follows the Allen–Cunneen approximation: the M/M/c wait C(c, a)/(cμ − λ) (Erlang C,
  Kleinrock 1975) scaled by (c_a² + c_s²)/2 with Poisson arrivals (c_a = 1); for one server it is exact
  (Pollaczek–Khinchine), and with deterministic service (c_s = 0) it gives 0.3.0's ρ/(2μ(1−ρ)). The mean queue
  follows by Little's law, L_q = λW_q.
* ρ ≥ 1 is unstable: the wait and queue are infinite and flagged.
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, Wall, register_computation, register_wall, sym
from ._functions import ErlangC
from .queueing import KINGMAN, KLEINROCK
from .moe import EQ_N_ACC, N_acc

ALLEN = Cite("allen1990probability", "the Allen–Cunneen approximation for GI/G/c: W_q ≈ W_q(M/M/c)·(c_a² + c_s²)/2")
LITTLE = Cite("little1961proof", "L = λW")

lam_job = sym("lam_job", r"\lambda_{\text{job}}", "1/s", "Job arrival rate", "1/d")
D_job = sym("D_job", r"D_{\text{job}}", "s", "Job service time (on its share of the cluster)", "d")
g_job = sym("g_job", r"g_{\text{job}}", "", "Accelerators per job (0: a job takes the whole cluster)", integer=True)
cv_job = sym("cv_job", r"c_{s}", "", "Coefficient of variation of job service times (0: deterministic)")
c_jobs = sym("c_jobs", r"c_{\text{jobs}}", "", "Jobs the cluster runs at once (servers)", integer=True)
a_jobs = sym("a_jobs", r"a_{\text{jobs}}", "", "Offered load λD (Erlangs)")
rho_c = sym("rho_c", r"\rho_{\text{cluster}}", "", "Cluster utilisation λD/c")
C_wait = sym("C_wait", r"C_{\text{wait}}", "", "Probability a job waits (Erlang C)")
W_job = sym("W_job", r"W_{q}", "s", "Mean wait before a job starts", "d", unbounded=True)
L_job = sym("L_job", r"L_{q}", "", "Mean jobs waiting", unbounded=True)
stable_c = sym("stable_c", r"\text{stable}_{\text{cluster}}", "", "ρ < 1 (1/0)")

unstable = sp.GreaterThan(rho_c, 1)

EQUATIONS = (
    Equation("orch.servers", "c_jobs",
             sp.Piecewise((sp.Max(1, sp.floor(N_acc / g_job)), sp.StrictGreaterThan(g_job, 0)), (1, True)),
             "Jobs the cluster runs at once", regimes=("jobs of g accelerators", "whole-cluster jobs")),
    Equation("orch.load", "a_jobs", lam_job * D_job, "Offered load", (KLEINROCK,)),
    Equation("orch.utilisation", "rho_c", a_jobs / c_jobs, "Cluster utilisation", (KLEINROCK,)),
    Equation("orch.erlang_c", "C_wait", ErlangC(c_jobs, a_jobs), "Probability a job waits", (KLEINROCK,)),
    Equation("orch.wait", "W_job",
             sp.Piecewise((sp.oo, unstable),
                          (C_wait * D_job / (c_jobs - a_jobs) * (1 + cv_job**2) / 2, True)),
             "Mean wait (Allen–Cunneen; exact for one server)", (ALLEN, KLEINROCK, KINGMAN),
             regimes=("unstable", "stable")),
    Equation("orch.queue", "L_job", sp.Piecewise((sp.oo, unstable), (lam_job * W_job, True)),
             "Mean jobs waiting (Little's law)", (LITTLE,), regimes=("unstable", "stable")),
    Equation("orch.stable", "stable_c", sp.StrictLessThan(rho_c, 1), "The queue is stable"),
)

register_wall(Wall(16, "Multi-tenancy", "fleet", "OrchestrationModel",
                   "A shared cluster is a queue: waits explode as utilisation approaches 1.",
                   EQUATIONS, (KLEINROCK, ALLEN),
                   monotonic=(("W_job", "lam_job", +1), ("rho_c", "D_job", +1), ("W_job", "cv_job", +1)),
                   resolvers=("OrchestrationModel",)))
register_computation("orch.queue", [EQ_N_ACC.id, *(e.id for e in EQUATIONS)], "OrchestrationModel (wall 16)")
