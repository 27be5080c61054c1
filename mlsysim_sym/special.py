"""Special functions the generated code calls (numerics, not model equations).

* ``erlang_c`` — the Erlang-C probability that an arrival waits in an M/M/c queue,
  ``C(c, a) = [a^c/(c!(1−ρ))] / [Σ_{i<c} a^i/i! + a^c/(c!(1−ρ))]`` with ``ρ = a/c`` (Kleinrock 1975, Eq. 3.42),
  through the Erlang-B recurrence so that c in the thousands neither overflows nor underflows.
* ``lambertw0`` — the principal branch W₀ of the Lambert W function (Corless et al. 1996), by Halley's
  iteration; used for the closed-form scale of the capped-exponential request-length model.

The SymPy side (functions walls use and print) is :mod:`mlsysim_sym.walls.functions`; this module is plain
floats so the generated code imports no SymPy.
"""
from __future__ import annotations

import math


def erlang_c(c: float, a: float) -> float:
    """P(wait) in M/M/c with offered load a = λ/μ (unstable queues return 1).

    Uses the Erlang-B recurrence ``B_k = a·B_{k−1}/(k + a·B_{k−1})``, ``B_0 = 1``, which stays in [0, 1]
    for any c (no factorials, no overflow), then ``C = B_c / (1 − ρ(1 − B_c))`` with ``ρ = a/c``.
    """
    n = max(1, int(c))
    if a <= 0:
        return 0.0
    rho = a / n
    if rho >= 1:
        return 1.0
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return min(1.0, max(0.0, b / (1.0 - rho * (1.0 - b))))


def lambertw0(x: float) -> float:
    """Principal-branch Lambert W for x ≥ −1/e (Halley's method, to full double precision)."""
    if x < -1 / math.e:
        raise ValueError("lambertw0 is real only for x >= -1/e")
    if x == 0:
        return 0.0
    w = math.log1p(x) if x > -0.3 else -1 + math.sqrt(2 * (1 + math.e * x))
    for _ in range(100):
        ew = math.exp(w)
        f = w * ew - x
        wn = w - f / (ew * (w + 1) - (w + 2) * f / (2 * w + 2)) if w != -1 else w
        if abs(wn - w) <= 1e-16 * (1 + abs(wn)):
            return wn
        w = wn
    return w


def capped_exp_shape(rho: float) -> float:
    """The root t > 0 of ``ρ·t = 1 − e^{−t}`` (0 for ρ ≥ 1).

    Closed form ``t = 1/ρ + W₀(−e^{−1/ρ}/ρ)``; near ρ = 1 the two terms cancel, so the closed form is polished
    with Newton steps on ``g(t) = −expm1(−t) − ρ·t`` (full double precision for every ρ in (0, 1))."""
    if rho >= 1:
        return 0.0
    if rho <= 0:
        raise ValueError("capped_exp_shape needs rho > 0")
    t = 1.0 / rho + lambertw0(-math.exp(-1.0 / rho) / rho)
    t = max(t, 2.0 * (1.0 - rho))  # series start near rho -> 1, where the closed form loses digits
    for _ in range(50):
        g = -math.expm1(-t) - rho * t
        dg = math.exp(-t) - rho
        if dg == 0:
            break
        step = g / dg
        t -= step
        if abs(step) <= 1e-16 * abs(t):
            break
    return t
