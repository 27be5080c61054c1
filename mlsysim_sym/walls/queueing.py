"""NODE wall 7 (Tail latency): M/M/c queueing with a Kingman correction for service-time variability.

Curation log:

* Arrivals are Poisson and servers identical; the probability of waiting is Erlang C (Kleinrock 1975,
  §3.5, Eq. 3.42), evaluated in log space. Given a wait, it is exponential with rate cμ(1 − ρ), so the q-quantile
  of the wait is ``ln(P_W/(1 − q))/(cμ(1 − ρ))`` when ``P_W > 1 − q`` and 0 otherwise.
* Service-time variability scales waits by Kingman's factor ``(c_v² + 1)/2`` (Kingman 1961; exact for the
  mean of M/G/1, an approximation applied to quantiles here, as in mlsysim 0.3.0).
* An unstable queue (ρ ≥ 1) has infinite waits; utilisation is then reported as 1.
"""
from __future__ import annotations

import sympy as sp

from ._functions import ErlangC
from ._core import Cite, Equation, Wall, coefficient, register_computation, register_wall, sym

KLEINROCK = Cite("kleinrock1975queueing", "§3.5, Eq. 3.42 (Erlang C) and Eq. 3.40 (waiting-time distribution)")
KINGMAN = Cite("kingman1961single", "heavy-traffic wait proportional to (c_a² + c_s²)/2")

lam = sym("lam", r'\lambda', '1/s', 'Arrival rate (queries per second)')
t_svc = sym("t_svc", r't_{\text{svc}}', 's', 'Mean service time', 'ms', unbounded=True)
c_srv = sym("c_srv", 'c', '', 'Servers (replicas)', integer=True)
cv_svc = sym("cv_svc", 'c_{v}', '', 'Coefficient of variation of service time')
mu_svc = sym("mu_svc", r'\mu', '1/s', 'Service rate per server')
a_load = sym("a_load", 'a', '', 'Offered load λ/μ (Erlangs)')
rho_q = sym("rho_q", r'\rho', '', 'Utilisation λ/(cμ)')
P_wait = sym("P_wait", 'P_{W}', '', 'Probability an arrival waits (Erlang C)')
r_drain = sym("r_drain", r'r_{\text{drain}}', '1/s', 'Decay rate of the waiting-time tail cμ(1−ρ)')
kappa = sym("kappa", r'\kappa', '', 'Kingman variability factor (c_v²+1)/2')
w50 = sym("w50", 'W_{50}', 's', 'Median queueing wait', 'ms', unbounded=True)
w99 = sym("w99", 'W_{99}', 's', '99th-percentile queueing wait', 'ms', unbounded=True)
p50 = sym("p50", 'T_{50}', 's', 'Median latency', 'ms', unbounded=True)
p99 = sym("p99", 'T_{99}', 's', '99th-percentile latency', 'ms', unbounded=True)
rho_rep = sym("rho_rep", r'\rho_{\text{rep}}', '', 'Reported utilisation (1 when unstable)')
stable = sym("stable", r'\text{stable}', '', 'ρ < 1 (1/0)')
k_slo = sym("k_slo", r'k_{\text{SLO}}', '', 'SLO threshold as a multiple of the service time')
headroom = sym("headroom", r'h_{\text{SLO}}', '', 'p99 wait over the SLO threshold')
q50 = coefficient("q50", "1/2", "", "Median", KLEINROCK)
q99 = coefficient("q99", "99/100", "", "99th percentile", KLEINROCK)

unstable = sp.GreaterThan(rho_q, 1)


def _wait(q):
    return sp.Piecewise((sp.oo, unstable), (kappa * sp.log(P_wait / (1 - q)) / r_drain, sp.StrictGreaterThan(P_wait, 1 - q)),
                        (0, True))


EQUATIONS = (
    Equation("tail.service_rate", "mu_svc", 1 / t_svc, "Service rate per server", (KLEINROCK,)),
    Equation("tail.offered_load", "a_load", lam / mu_svc, "Offered load in Erlangs", (KLEINROCK,)),
    Equation("tail.utilisation", "rho_q", lam / (c_srv * mu_svc), "Utilisation", (KLEINROCK,)),
    Equation("tail.erlang_c", "P_wait", ErlangC(c_srv, a_load), "Probability of waiting (Erlang C)", (KLEINROCK,)),
    Equation("tail.drain_rate", "r_drain", sp.Piecewise((c_srv * mu_svc * (1 - rho_q), sp.StrictLessThan(rho_q, 1)),
                                                        (0, True)),
             "Rate of the exponential wait tail (none when the queue is unstable)", (KLEINROCK,),
             regimes=("stable", "unstable: no stationary tail")),
    Equation("tail.kingman", "kappa", (cv_svc**2 + 1) / 2, "Kingman variability factor", (KINGMAN,)),
    Equation("tail.wait_p50", "w50", _wait(q50), "Median wait", (KLEINROCK, KINGMAN),
             regimes=("unstable", "waits", "no wait at this quantile")),
    Equation("tail.wait_p99", "w99", _wait(q99), "99th-percentile wait", (KLEINROCK, KINGMAN),
             regimes=("unstable", "waits", "no wait at this quantile")),
    Equation("tail.p50", "p50", w50 + t_svc, "Median latency: wait plus service"),
    Equation("tail.p99", "p99", w99 + t_svc, "99th-percentile latency: wait plus service"),
    Equation("tail.reported_utilisation", "rho_rep", sp.Min(1, rho_q), "Utilisation as reported (1 when unstable)"),
    Equation("tail.stable", "stable", sp.StrictLessThan(rho_q, 1), "The queue is stable"),
    Equation("tail.headroom", "headroom", sp.Piecewise((1, unstable), (sp.Max(0, w99 / (k_slo * t_svc)), True)),
             "p99 wait as a share of the SLO threshold", regimes=("unstable", "stable")),
)

register_wall(Wall(
    7, "Tail Latency", "node", "TailLatencyModel",
    "Queueing turns a fast median into a slow tail as utilisation approaches 1.",
    EQUATIONS, (KLEINROCK,),
    monotonic=(("p99", "lam", +1), ("p50", "lam", +1), ("p99", "t_svc", +1)),
    resolvers=("TailLatencyModel", "ServingCapacityModel", "BatchingOptimizer"),
))
register_computation("tail.mmc", [e.id for e in EQUATIONS], "TailLatencyModel: M/M/c with a Kingman correction")
