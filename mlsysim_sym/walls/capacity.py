"""Serving capacity: walls 4 (Serving), 5 (Batching) and 7 (Tail latency) composed into a replica plan.

Curation log (the composition mlsysim 0.3.0's ServingCapacityModel performs, written as equations):

* One replica runs continuous batching (wall 5); its paged batch ``N_paged`` is the serving batch and the mean
  request length ``S̄`` the serving context (both floored to whole requests and tokens, at least 1), from which
  wall 4 gives TTFT and ITL.
* A request of ``n_out`` output tokens occupies a replica for its share of the decode steps, ``n_out / X_paged``
  (the replica's decode token rate shared by the requests), plus its own prefill: the batch's prefill time over
  the batch, ``TTFT/B``, at the request's *input* length ``S̄ − n_out``; a replica serves ``1/t_svc`` requests
  per second. No token rate means no service (t_svc = ∞). mlsysim 0.3.0 charges no prefill in the service time
  and computes TTFT at the mean request length (the final context): a declared deviation
  (``serving-prefill-per-request``), switched back with ``m_pf = 0``.
* A request's latency without queueing is its prefill plus ``n_out − 1`` decode steps at the mean decode
  context (wall 4's request mix; 0.3.0: ``TTFT + n_out·ITL`` at the mean request length); its p99 adds the
  M/M/c 99th-percentile wait of wall 7 over ``c`` replicas. A plan meets the target when the queue is stable and
  that p99 is within it.
* The smallest such ``c`` is found numerically by the resolver (the p99 wait is non-increasing in c); the
  equations here are evaluated at each candidate.
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, register_computation, register_equations, sym
from .batching import EQUATIONS as BATCHING_EQUATIONS
from .batching import N_paged, S_mean, X_paged
from .node import EQ_P_ACT, EQ_R_EFF, B
from .queueing import EQUATIONS as TAIL_EQUATIONS
from .queueing import c_srv, lam, rho_q, t_svc, w99
from .serving import EQ_K_TOK, ITL, SERVING_EQUATIONS, SHAPE_EQUATIONS, TTFT, T_req
from .training import EQ_W

CAPACITY = Cite("mlsysim2026registry", "engine/solvers/serving.py: ServingCapacityModel (walls 4, 5 and 7 composed)")
KLEINROCK = Cite("kleinrock1975queueing", "§3.5: M/M/c with c servers of rate μ = 1/t_svc")

n_out = sym("n_out", r'n_{\text{out}}', '', 'Output tokens per request', integer=True)
L_base = sym("L_base", r'L_{\text{base}}', 's', 'Request latency without queueing (TTFT + n_out·ITL)', 'ms')
L_p99 = sym("L_p99", 'L_{99}', 's', 'Estimated p99 request latency with queueing', 'ms', unbounded=True)
L_target = sym("L_target", r'L_{\text{target}}', 's', 'p99 latency target', 'ms')
meets_slo = sym("meets_slo", r'\text{meets}', '', 'Stable queue and p99 within the target (1/0)')
X_cap = sym("X_cap", r'X_{\text{cap}}', '1/s', 'Requests per second the replicas serve')
X_rep = sym("X_rep", r'X_{\text{rep}}', '1/s', 'Requests per second one replica completes')
m_pf = sym("m_pf", r"m_{\text{pf,req}}", "", "Each request's prefill charged at its input length (1) or 0.3.0's "
           "TTFT at the mean request length and no prefill in the service time (0)", integer=True)
c_min = sym("c_min", r"c_{\min}", "", "Fewest replicas with a stable queue: the first c above λ·t_svc", integer=True)

EQ_BATCH = Equation("capacity.serving_batch", "B", sp.Max(1, sp.floor(N_paged)),
                    "Serving batch of one replica: the requests paged allocation fits (at least 1)", (CAPACITY,))
EQ_CONTEXT = Equation("capacity.serving_context", "S", sp.Max(1, sp.floor(S_mean - m_pf * n_out)),
                      "Serving context: the prompt, the mean request length less its output tokens, in whole tokens "
                      "(at least 1; 0.3.0: the whole mean request length)", (CAPACITY,))
EQ_N_GEN = Equation("capacity.generated_tokens", "n_gen", m_pf * n_out,
                    "The request mix wall 4 generates: each request's output tokens (0.3.0: none)", (CAPACITY,))
EQ_T_SVC = Equation("capacity.service_time", "t_svc",
                    sp.Piecewise((n_out / X_paged + m_pf * TTFT / B, sp.StrictGreaterThan(X_paged, 0)), (sp.oo, True)),
                    "Replica time per request: its output tokens at the replica's decode token rate, plus its share "
                    "of the batch's prefill", (CAPACITY, KLEINROCK), regimes=("serving", "no token capacity"))
EQ_X_REP = Equation("capacity.replica_qps", "X_rep", X_paged / (n_out + m_pf * X_paged * TTFT / B),
                    "Requests per second one replica completes: 1/t_svc (0 without a token rate)", (CAPACITY,))
EQ_L_BASE = Equation("capacity.base_latency", "L_base",
                     sp.Piecewise((T_req, sp.StrictGreaterThan(m_pf, 0)), (TTFT + n_out * ITL, True)),
                     "Request latency without queueing: the prompt's prefill (first token), then the remaining "
                     "decode steps", (CAPACITY,), regimes=("request mix", "0.3.0: n_out ITLs at the mean length"))
EQ_L_P99 = Equation("capacity.p99", "L_p99", L_base + w99, "Estimated p99 request latency: base plus p99 wait",
                    (CAPACITY, KLEINROCK))
EQ_MEETS = Equation("capacity.meets_target", "meets_slo",
                    sp.And(sp.StrictLessThan(rho_q, 1), sp.LessThan(L_p99, L_target)),
                    "The replicas keep the queue stable and the p99 within the target", (CAPACITY,))
EQ_X_CAP = Equation("capacity.qps", "X_cap", c_srv / t_svc, "Requests per second the replicas serve", (CAPACITY,))
EQ_C_MIN = Equation("capacity.stable_replicas", "c_min",
                    sp.Piecewise((sp.floor(lam * t_svc) + 1, sp.StrictGreaterThan(X_paged, 0)), (1, True)),
                    "Fewest replicas whose queue is stable (c·μ > λ): where the replica search starts", (KLEINROCK,),
                    regimes=("serving", "no token capacity"))

register_equations(EQ_BATCH, EQ_CONTEXT, EQ_N_GEN, EQ_T_SVC, EQ_X_REP, EQ_L_BASE, EQ_L_P99, EQ_MEETS, EQ_X_CAP, EQ_C_MIN)

_SHARED = (EQ_P_ACT.id, EQ_R_EFF.id, EQ_W.id, *(e.id for e in SHAPE_EQUATIONS), EQ_K_TOK.id)
# One replica: only what the plan reads (wall 5's static-batching comparison and wall 4's memory report are
# left to their own resolvers).
register_computation(
    "capacity.replica",
    [*_SHARED, *[e.id for e in BATCHING_EQUATIONS], EQ_BATCH.id, EQ_CONTEXT.id, EQ_N_GEN.id,
     *[e.id for e in SERVING_EQUATIONS if e.id not in _SHARED], EQ_T_SVC.id, EQ_X_REP.id, EQ_L_BASE.id, EQ_C_MIN.id],
    "ServingCapacityModel, one replica: continuous batching (wall 5) feeding the serving wall (wall 4)",
    outputs=("t_svc", "X_rep", "L_base", "feasible_cb", "feasible_serve", "X_paged", "c_min"))
register_computation(
    "capacity.fleet", [*[e.id for e in TAIL_EQUATIONS], EQ_L_P99.id, EQ_MEETS.id, EQ_X_CAP.id],
    "ServingCapacityModel, c replicas: M/M/c tail (wall 7) against the p99 target",
    outputs=("meets_slo", "X_cap", "L_p99", "p99", "stable", "w99"))
