"""NODE wall 5 (Batching): static versus paged KV allocation under a capped-exponential length distribution.

Curation log:

* Static batching reserves ``S_max`` tokens of KV cache per request; paged allocation (Kwon et al. 2023) reserves
  whole pages of ``p`` tokens as the request grows, so it wastes at most one partial page per request.
* Request lengths are ``min(X, S_max)`` with X exponential; its scale is fixed by the mean,
  ``S̄ = μ(1 − e^{−S_max/μ})``. With ``t = S_max/μ`` and ``ρ = S̄/S_max`` this is ``ρ t = 1 − e^{−t}``, whose
  non-trivial root is closed-form: ``t = 1/ρ + W₀(−e^{−1/ρ}/ρ)`` (Lambert W; mlsysim 0.3.0 bisects 100 times).
* Expected pages per request: ``Σ_{k<K} P(S > kp) = (1 − r^K)/(1 − r)``, ``r = e^{−p/μ}``, ``K = ⌈S_max/p⌉``.
* A decode step is wall 4's, one roofline per kernel: the linear layers take the longer of streaming the weights
  at the achieved share ``η_bw`` of the rated bandwidth and their FLOPs ``2·P·N`` at the achieved rate; attention
  then streams the live KV cache (``N·S̄`` tokens, each key/value head read as the stack's kernel reads it)
  (mlsysim 0.3.0: weights plus cache at the rated bandwidth only, ``m_dc = 0``; declared deviation
  ``serving-decode-compute``).
"""
from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import expm1

from ._functions import CappedExpShape
from ._core import Cite, Equation, Wall, coefficient, register_computation, register_wall, sym
from .node import EQ_R_EFF, BW_mem, C_mem, H, N_L, P, R_eff, c_fwd, tau_disp
from .serving import (EQ_K_TOK, EQ_N_KVREAD, SHAPE_EQUATIONS, ROOFLINE, c_attn, d_head, eta_bw, k_tok,
                      kernel_roofline, n_kvread)
from .training import EQ_W, W

VLLM = Cite("kwon2023efficient", "§4.2-4.3: block-wise KV allocation, waste limited to the last block")
POPE = Cite("pope2022efficiently", "§3.1: decode streams weights and KV cache each step")
CORLESS = Cite("corless1996lambertw", "§1-2: W solves w·e^w = x; principal branch W₀")

S_max = sym("S_max", r'S_{\max}', '', 'Maximum request length (tokens)', integer=True)
S_mean = sym("S_mean", r'\bar{S}', '', 'Mean request length (tokens)')
N_max = sym("N_max", r'N_{\max}', '', 'Maximum batch (concurrent requests)', integer=True)
p_page = sym("p_page", 'p', '', 'Paged-KV block size (tokens)', integer=True)
M_kvfree = sym("M_kvfree", r'M_{\text{KV,free}}', 'B', 'Memory left for KV cache after the weights', 'GB', signed=True)
T_budget = sym("T_budget", r'T_{\text{budget}}', '', 'KV-cache capacity in tokens')
N_static = sym("N_static", r'N_{\text{static}}', '', 'Requests a static max-length reservation fits', integer=True)
frag_static = sym("frag_static", r'f_{\text{static}}', '', 'Unused share of each static reservation')
rho_len = sym("rho_len", r'\rho_{S}', '', 'Mean over maximum request length')
t_len = sym("t_len", 't', '', 'Capped-exponential shape: S_max over the exponential scale')
K_pages = sym("K_pages", 'K', '', 'Pages of a maximum-length request', integer=True)
r_page = sym("r_page", r'r_{\text{page}}', '', 'Probability a request outlasts one more page')
E_blocks = sym("E_blocks", r'E[\lceil S/p \rceil]', '', 'Expected pages per request')
a_alloc = sym("a_alloc", r'a_{\text{alloc}}', '', 'Expected tokens allocated per request')
frag_paged = sym("frag_paged", r'f_{\text{paged}}', '', 'Unused share of the last page')
N_paged = sym("N_paged", r'N_{\text{paged}}', '', 'Requests paged allocation fits', integer=True)
t_step_p = sym("t_step_p", r't_{\text{paged}}', 's', 'Decode step at the paged batch', 'ms')
t_step_s = sym("t_step_s", r't_{\text{static}}', 's', 'Decode step at the static batch', 'ms')
X_paged = sym("X_paged", r'X_{\text{paged}}', '1/s', 'Decode tokens per second, paged')
X_static = sym("X_static", r'X_{\text{static}}', '1/s', 'Decode tokens per second, static')
speedup_cb = sym("speedup_cb", r's_{\text{paged}}', '', 'Paged over static throughput', unbounded=True)
KV_paged = sym("KV_paged", r'M_{\text{KV,paged}}', 'B', 'KV bytes allocated, paged', 'GB')
KV_static = sym("KV_static", r'M_{\text{KV,static}}', 'B', 'KV bytes reserved, static', 'GB')
TTFT_cb = sym("TTFT_cb", r'\text{TTFT}_{\max}', 's', 'Prefill of a full batch of maximum-length requests', 'ms')
feasible_cb = sym("feasible_cb", r'\text{fits}_{\text{batch}}', '', 'At least one request fits (1/0)')
c_eps = coefficient("c_eps", "1/1000000000", "", "Floating-point guard so exact multiples are not floored down",
                    Cite("mlsysim2026registry", "engine/solvers/serving.py: ContinuousBatchingModel floor(... + 1e-9)"))

capped = sp.GreaterThan(rho_len, 1)


def _step(n: sp.Symbol) -> tuple[sp.Expr, tuple[sp.Expr, sp.Expr]]:
    """A decode step of ``n`` requests at the mean length, one roofline per kernel as in wall 4: the linear layers
    take the longer of streaming the weights and their FLOPs, then attention streams the live KV cache (its FLOPs
    are not counted here). Branches: the linear layers' (memory, compute)."""
    linear, branches = kernel_roofline(W, c_fwd * P * n, devices=1)
    return linear + k_tok * n * S_mean * n_kvread / (BW_mem * eta_bw), branches


EQUATIONS = (
    Equation("batch.kv_free", "M_kvfree", C_mem - W, "Memory left for KV cache", (VLLM,)),
    Equation("batch.token_budget", "T_budget", sp.Max(0, M_kvfree / k_tok), "KV capacity in tokens", (VLLM,)),
    Equation("batch.static_requests", "N_static", sp.Min(sp.floor(T_budget / S_max), N_max),
             "Requests with a full-length reservation each", (VLLM,)),
    Equation("batch.static_fragmentation", "frag_static", 1 - S_mean / S_max, "Unused share of a static reservation", (VLLM,)),
    Equation("batch.length_ratio", "rho_len", S_mean / S_max, "Mean over maximum length"),
    Equation("batch.shape", "t_len",
             sp.Piecewise((0, capped), (CappedExpShape(rho_len), True)),
             "Capped-exponential shape S_max/μ (closed form)", (CORLESS,), regimes=("all at S_max", "exponential")),
    Equation("batch.pages_max", "K_pages", sp.ceiling(S_max / p_page), "Pages of a maximum-length request"),
    Equation("batch.page_survival", "r_page", sp.exp(-p_page * t_len / S_max), "P(request needs one more page)"),
    # (1 − r^K)/(1 − r) with r = e^{−s}, written with expm1 so that r → 1 (tiny s) loses no digits
    Equation("batch.expected_pages", "E_blocks",
             sp.Piecewise((K_pages, capped),
                          (expm1(-K_pages * p_page * t_len / S_max) / expm1(-p_page * t_len / S_max), True)),
             "Expected pages per request", (VLLM,), regimes=("all at S_max", "geometric sum")),
    Equation("batch.allocation", "a_alloc", p_page * E_blocks, "Expected tokens allocated per request", (VLLM,)),
    Equation("batch.paged_fragmentation", "frag_paged", sp.Max(0, 1 - S_mean / a_alloc), "Unused share of pages", (VLLM,)),
    Equation("batch.paged_requests", "N_paged",
             sp.Min(sp.floor(sp.floor(T_budget / p_page) * p_page / a_alloc + c_eps), N_max),
             "Requests paged allocation fits", (VLLM,)),
    Equation("batch.step_paged", "t_step_p", _step(N_paged)[0], "Decode step, paged batch (rooflines)", (POPE, ROOFLINE),
             regimes=("memory", "compute"), branches=_step(N_paged)[1]),
    Equation("batch.step_static", "t_step_s", _step(N_static)[0], "Decode step, static batch (rooflines)",
             (POPE, ROOFLINE), regimes=("memory", "compute"), branches=_step(N_static)[1]),
    Equation("batch.throughput_paged", "X_paged", sp.Piecewise((N_paged / t_step_p, sp.StrictGreaterThan(N_paged, 0)), (0, True)),
             "Decode tokens per second, paged", (POPE,), regimes=("serving", "nothing fits")),
    Equation("batch.throughput_static", "X_static", sp.Piecewise((N_static / t_step_s, sp.StrictGreaterThan(N_static, 0)), (0, True)),
             "Decode tokens per second, static", (POPE,), regimes=("serving", "nothing fits")),
    Equation("batch.speedup", "speedup_cb",
             sp.Piecewise((X_paged / X_static, sp.StrictGreaterThan(X_static, 0)), (sp.oo, sp.StrictGreaterThan(X_paged, 0)),
                          (1, True)),
             "Paged over static throughput", (VLLM,), regimes=("ratio", "static fits none", "neither fits")),
    Equation("batch.kv_paged", "KV_paged", k_tok * N_paged * a_alloc, "KV bytes allocated, paged"),
    Equation("batch.kv_static", "KV_static", k_tok * N_static * S_max, "KV bytes reserved, static"),
    Equation("batch.ttft", "TTFT_cb",
             (c_fwd * P * S_max * N_max + c_attn * N_L * H * d_head * S_max**2 * N_max) / R_eff + tau_disp,
             "Prefill of a full batch of maximum-length prompts (worst-case TTFT)"),
    Equation("batch.feasible", "feasible_cb", sp.StrictGreaterThan(N_paged, 0), "At least one request fits"),
)
register_wall(Wall(
    5, "Batching", "node", "ContinuousBatchingModel",
    "How many requests fit at once is set by KV-cache memory and how it is allocated.",
    EQUATIONS, (VLLM,),
    monotonic=(("N_paged", "C_mem", +1), ("N_static", "C_mem", +1), ("N_static", "S_max", -1)),
    resolvers=("ContinuousBatchingModel", "ServingCapacityModel"),
))
register_computation("batch.cb", [EQ_R_EFF.id, EQ_W.id, *[e.id for e in SHAPE_EQUATIONS], EQ_K_TOK.id,
                                  EQ_N_KVREAD.id, *[e.id for e in EQUATIONS]],
                     "ContinuousBatchingModel: static vs paged KV (wall 5)")
