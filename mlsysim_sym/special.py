"""Special functions the generated code calls (numerics, not model equations).

* ``erlang_c`` — the Erlang-C probability that an arrival waits in an M/M/c queue,
  ``C(c, a) = [a^c/(c!(1−ρ))] / [Σ_{i<c} a^i/i! + a^c/(c!(1−ρ))]`` with ``ρ = a/c`` (Kleinrock 1975, Eq. 3.42),
  through the Erlang-B recurrence so that c in the thousands neither overflows nor underflows.
* ``lambertw0`` — the principal branch W₀ of the Lambert W function (Corless et al. 1996), by Halley's
  iteration; used for the closed-form scale of the capped-exponential request-length model.

The SymPy side (functions walls use and print) is :mod:`mlsysim_sym.walls._functions`; this module is plain
floats so the generated code imports no SymPy.
"""
from __future__ import annotations

import math
import sys

_EPS = sys.float_info.epsilon


#: The most servers :func:`erlang_c` evaluates: its exact recurrence costs one step per server (~0.1 µs each), and
#: no machine-learning fleet has ten million replicas or jobs in one queue; beyond it a clear error, never a hang.
ERLANG_MAX_SERVERS = 10_000_000


def erlang_c(c: float, a: float) -> float:
    """P(wait) in M/M/c with offered load a = λ/μ (unstable queues return 1).

    Uses the Erlang-B recurrence ``B_k = a·B_{k−1}/(k + a·B_{k−1})``, ``B_0 = 1``, which stays in [0, 1]
    for any c (no factorials, no overflow), then ``C = B_c / (1 − ρ(1 − B_c))`` with ``ρ = a/c``. The recurrence
    is exact and takes one step per server, so more than :data:`ERLANG_MAX_SERVERS` servers are refused with an
    :class:`~mlsysim_sym.errors.InputError` (an unstable queue, ρ ≥ 1, still answers 1 at any size).
    """
    n = max(1, int(c))
    if a <= 0:
        return 0.0
    rho = a / n
    if rho >= 1:
        return 1.0
    if n > ERLANG_MAX_SERVERS:
        from .errors import InputError

        raise InputError(f"Erlang C over {n:,} servers: at most {ERLANG_MAX_SERVERS:,} are evaluated (the exact "
                         "recurrence takes one step per server); give a server or replica count in that range")
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
    if x > -0.25:
        w = math.log1p(x)
    else:  # branch-point series in p = sqrt(2(e·x + 1)) (Corless et al. 1996, Eq. 4.22)
        p = math.sqrt(max(0.0, 2 * (1 + math.e * x)))
        w = -1 + p * (1 + p * (-1 / 3 + p * 11 / 72))
    last = math.inf
    for _ in range(50):
        ew = math.exp(w)
        f = w * ew - x
        if w == -1 or f == 0:
            return w
        step = f / (ew * (w + 1) - (w + 2) * f / (2 * w + 2))
        w -= step
        # converged to within a few ulp, or rounding noise stopped the steps from shrinking
        if abs(step) <= 4 * _EPS * (1 + abs(w)) or abs(step) >= last:
            return w
        last = abs(step)
    return w


def capped_exp_shape(rho: float) -> float:
    """The root t > 0 of ``ρ·t = 1 − e^{−t}`` (0 for ρ ≥ 1).

    Closed form ``t = 1/ρ + W₀(−e^{−1/ρ}/ρ)``; for ρ > 1/2 the two terms start to cancel, so the closed form is
    polished with Newton steps on ``g(t) = −expm1(−t) − ρ·t``. Measured against a 50-digit root: exact to
    rounding for ρ ≤ 0.9, ~1e-14 relative at ρ = 0.99; the root is ill-conditioned as ρ → 1 (error ~ ε/(1 − ρ))."""
    if rho >= 1:
        return 0.0
    if rho <= 0:
        raise ValueError("capped_exp_shape needs rho > 0")
    t = 1.0 / rho + lambertw0(-math.exp(-1.0 / rho) / rho)
    if rho <= 0.5:  # 1/ρ ≥ 2 and |W₀| < 0.41: no cancellation, the closed form is already exact to rounding
        return t
    t = max(t, 2.0 * (1.0 - rho))  # series start near rho -> 1, where the closed form loses digits
    for _ in range(50):
        g = -math.expm1(-t) - rho * t
        dg = math.exp(-t) - rho
        if dg == 0:
            break
        step = g / dg
        t -= step
        if abs(step) <= 4 * _EPS * abs(t):  # converged to within a few ulp (the last ulp can flip back and forth)
            break
    return t


def no_derivative(x: float) -> float:
    """The derivative with respect to a count that has no continuous extension: nan (the tangent code multiplies
    it by that count's tangent, so only a direction that moves the count sees it)."""
    return math.nan


#: how many ties (kinks) the tangent code met: a caller that sees no change after a step-up pass knows the step-down
#: derivative equals it and skips that pass
TIES = [0]


def d_extreme(kind: int, side: float, values: tuple, tangents: tuple) -> float:
    """One-sided derivative of ``Max`` (kind 1) or ``Min`` (kind −1) of ``values`` along ``tangents``.

    Away from a tie it is the tangent of the binding argument. At a tie the step's direction decides: a step up
    (``side`` > 0) makes Max follow the fastest-growing tied argument, a step down the slowest; Min the reverse."""
    best = max(values) if kind > 0 else min(values)
    tied = [t for v, t in zip(values, tangents) if v == best]
    if len(tied) == 1:
        return tied[0]
    if max(tied) != min(tied):  # the direction of the step matters
        TIES[0] += 1
    return max(tied) if (kind > 0) == (side > 0) else min(tied)


def holds(op: str, lhs: float, rhs: float, dlhs: float, drhs: float, side: float) -> bool:
    """A branch condition as a point a small step away decides it: off a tie, the comparison itself; at a tie
    (``lhs == rhs``), the sign of ``side·(dlhs − drhs)`` (the direction the two sides move apart); if they do not
    move apart, the comparison at the tie."""
    if lhs != rhs:
        return {">": lhs > rhs, ">=": lhs >= rhs, "<": lhs < rhs, "<=": lhs <= rhs}[op]
    s = side * (dlhs - drhs)
    if s != 0:  # the direction of the step decides the branch
        TIES[0] += 1
    if s == 0:
        return op in (">=", "<=")
    return s > 0 if op in (">", ">=") else s < 0


def reject(computation: str, scope: dict, meta: tuple) -> None:
    """Raise InputError for the first output of ``computation`` that is nan, infinite or negative where its
    symbol is declared otherwise (called by the generated code's output check, only when it fails; ``meta`` is the
    computation's entry of the generated table: function, inputs, outputs, dependencies …)."""
    from .errors import InputError
    from .notation import SYMBOLS

    for name in meta[2]:
        v = scope.get(name)
        row = SYMBOLS[name]
        if isinstance(v, bool) or v is None:
            continue
        bad = (v != v) or (v == math.inf and not row.unbounded) or v == -math.inf or (v < 0 and not row.signed)
        if bad:
            what = "not a number" if v != v else ("infinite" if math.isinf(v) else f"negative ({v:.6g})")
            inputs = ", ".join(f"{k}={scope[k]:.6g}" for k in meta[1]
                               if isinstance(scope.get(k), float) and k in meta[3].get(name, ()))
            raise InputError(f"{computation}: {name} ({row.description.lower()}) came out {what}; the inputs are "
                             f"outside the range where this model gives a meaningful result"
                             + (f" ({inputs})" if inputs else ""))
    raise InputError(f"{computation}: an output came out non-finite or negative")
