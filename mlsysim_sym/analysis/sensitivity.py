"""Wall 21: exact sensitivities of any result, and MLSys·im's ``SensitivitySolver``.

:func:`sensitivity` takes any evaluated result (a facade's view or a :class:`~mlsysim_sym.evaluate.Result`) and one
of its outputs, and returns the partial derivative of that output with respect to every input it depends on, at
the operating point, from the tangent code generated from the walls (:mod:`mlsysim_sym.codegen_tangent`): one
forward-mode pass per input, through every computation the result evaluated. Nothing is differenced.

At a kink (two arguments of a ``Max`` tied, an input on a regime boundary) the derivative of a step up and of a
step down differ; both are reported (``right`` and ``left``) and the input is flagged. Elasticities
ε = (x/y)·∂y/∂x rank inputs of different units (wall 21's ``sens.elasticity``).

:class:`SensitivitySolver` keeps 0.3.0's interface: ``sensitivities`` is 0.3.0's response of latency to a finite
upgrade of peak FLOP/s, memory bandwidth or memory capacity (``perturbation_pct``, 10 % by default), evaluated
exactly by running the forward code at the upgraded value (wall 21's ``sens.response``); ``elasticities`` are the
exact derivatives; the binding constraint is the lever with the largest elasticity (the capacity wall when the
model does not fit, where 0.3.0 0.2.x used to report all zeros).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import special as _special
from ..errors import InputError
from ..evaluate import Result, run
from ..validate import real
from .chain import _reach, _result_of, directional

#: 0.3.0's three hardware levers -> the engine's input symbols they move
LEVERS: tuple[tuple[str, str], ...] = (("peak_flops", "R_peak"), ("memory_bandwidth", "BW_mem"),
                                       ("memory_capacity", "C_mem"))


@dataclass(frozen=True)
class Partial:
    """∂y/∂x of one output y with respect to one input x at the operating point (SI units)."""

    symbol: str
    description: str
    unit: str
    value: float
    right: float        # derivative for a step up in x
    left: float         # derivative for a step down in x
    elasticity: float | None       # (x/y)·right
    elasticity_left: float | None  # (x/y)·left
    source: str

    @property
    def kink(self) -> bool:
        """True where a step up and a step down see different walls (the one-sided derivatives differ)."""
        return not (self.right == self.left or (math.isnan(self.right) and math.isnan(self.left)))

    @property
    def magnitude(self) -> float:
        vals = [abs(e) for e in (self.elasticity, self.elasticity_left) if e is not None and not math.isnan(e)]
        return max(vals) if vals else 0.0


class Sensitivity:
    """Every input's partial derivative of one output, ranked by the size of its elasticity."""

    def __init__(self, output: str, value: float, partials: list[Partial], result: Result):
        self.output = output
        self.value = value
        self.partials = tuple(sorted(partials, key=lambda p: (-p.magnitude, p.symbol)))
        self._result = result
        self._regimes: dict[str, str] | None = None
        self._by = {p.symbol: p for p in self.partials}

    @property
    def regimes(self) -> dict[str, str]:
        """The branch that bound in each regime-dependent equation on the output's path (computed on access)."""
        if self._regimes is None:
            path = _reach(self._result, self.output)[0]
            self._regimes = {k: label for k in self._result.regimes if k in path
                             and (label := self._result.regime(k))}
        return self._regimes

    def __getitem__(self, symbol: str) -> Partial:
        return self._by[symbol]

    def __contains__(self, symbol: str) -> bool:
        return symbol in self._by

    @property
    def binding(self) -> Partial | None:
        """The input with the largest elasticity (None if nothing moves the output)."""
        return self.partials[0] if self.partials and self.partials[0].magnitude > 0 else None

    @property
    def kinks(self) -> tuple[Partial, ...]:
        return tuple(p for p in self.partials if p.kink)

    def to_dict(self) -> dict[str, Any]:
        return {"output": self.output, "value": self.value, "regimes": dict(self.regimes),
                "partials": [{"symbol": p.symbol, "value": p.value, "unit": p.unit, "right": p.right, "left": p.left,
                              "elasticity": p.elasticity, "elasticity_left": p.elasticity_left, "kink": p.kink,
                              "source": p.source} for p in self.partials]}

    def table(self) -> str:
        """One line per input: elasticity (both sides at a kink), the input and where it came from."""
        head = f"Sensitivity of {self.output} = {self.value:.6g}"
        if self.output in self.regimes:  # the branch that binds the output itself (all of them: .regimes)
            head += f" ({self.regimes[self.output]}-bound)" if self.output == "T" else \
                f" ({self.regimes[self.output]})"
        lines = [head]
        for p in self.partials:
            if p.kink:
                el = f"{_fmt(p.elasticity)} up / {_fmt(p.elasticity_left)} down (kink)"
            else:
                el = _fmt(p.elasticity)
            lines.append(f"  {p.symbol:<12} elasticity {el:<34} {p.description}  [{p.source}]")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.table()


def _fmt(x: float | None) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:+.4g}"


def _elasticity(g: float, y: float) -> float | None:
    if y == 0 or not math.isfinite(y) or not math.isfinite(g) or y < 0:
        return None
    return run("sens.elasticity", {"g_T": g, "T_op_pt": y})[0]["eps_T"]


def _one_side(result: Result, s: str, output: str, side: float) -> float:
    """The one-sided derivative of ``output`` along ``s``; nan where it does not exist on that side: a step across a
    regime boundary onto a formula that is singular there (tensor parallelism switched on with no tensor-parallel
    link, a fixed size of 0), or a term undefined at the point (log 0). That input's partial reads n/a; the others
    are unaffected."""
    try:
        return directional(result, {s: 1.0}, side).get(output, 0.0)
    except (InputError, ValueError, ArithmeticError):
        # the tangent code runs every output of a computation: a failure off the output's path (an equation whose
        # branch did not bind, or that the output does not read) says nothing about this output, whose derivative
        # along an input it does not use at this point — in any formula or branch condition — is 0
        return math.nan if s in result.leaf_set((output,)) else 0.0


def sensitivity(obj: Any, output: str | None = None, wrt: Iterable[str] | None = None,
                keep_zero: bool = False) -> Sensitivity:
    """Exact partial derivatives and elasticities of ``output`` (a symbol; default: the result's first reported
    output) with respect to ``wrt`` (default: every input it depends on, flags excluded). Inputs whose derivative
    is 0 on both sides are dropped unless named in ``wrt`` or ``keep_zero``."""
    from ..notation import SYMBOLS

    result = _result_of(obj)
    output = output or result.report[0]
    if output not in result.values:
        raise InputError(f"{output!r} is not an output of this result (outputs: {', '.join(result.report)})")
    y = float(result.values[output])
    named = list(wrt) if wrt is not None else None
    inputs = named if named is not None else [s for s in sorted(_reach(result, output)[1])
                                              if not s.startswith("m_") and s in result.values]
    partials = []
    for s in inputs:
        if s not in result.values:
            raise InputError(f"{s!r} is not an input of this result")
        ties = _special.TIES[0]
        right = _one_side(result, s, output, 1.0)
        # the step-down pass differs only where the step-up pass met a tie (a kink), or where it had no derivative
        left = (_one_side(result, s, output, -1.0) if _special.TIES[0] != ties or math.isnan(right) else right)
        x = float(result.values[s])
        if named is None and not keep_zero and (x == 0 or (right == 0 and left == 0)):
            continue  # nothing to rank: no effect, or an absent input (a jump to another path, not a derivative)
        right, left = right + 0.0, left + 0.0  # no signed zeros
        row = SYMBOLS.get(s)
        ref = result.refs.get(s)
        partials.append(Partial(s, row.description if row else s, row.unit if row else "", x, right, left,
                                _elasticity(x * right, y), _elasticity(x * left, y),
                                ref.text() if ref is not None else "computed"))
    return Sensitivity(output, y, partials, result)


# ---- MLSys·im's SensitivitySolver ----------------------------------------------------------------------------------
_PCT = real(-100.0, 1e4, lo_open=True)


class SensitivityResult:
    """0.3.0's SensitivityResult fields, plus exact elasticities, one-sided values at a kink and the full ranking."""

    #: fields whose numbers are negative by definition (an upgrade that lowers latency)
    SIGNED_FIELDS = ("sensitivities", "elasticities", "one_sided", "perturbation_pct")  # a downgrade is negative

    def __init__(self, baseline: Any, sensitivities: dict[str, float], elasticities: dict[str, float],
                 one_sided: dict[str, tuple[float, float]], binding: str, pct: float, trace: list[str]):
        self.baseline = baseline
        self.feasible = bool(baseline.feasible)
        self.sensitivities = sensitivities
        self.elasticities = elasticities
        self.one_sided = one_sided
        self.binding_constraint = binding
        self.perturbation_pct = pct
        self._exact: Sensitivity | None = None
        self.constraint_trace = trace
        self.regime = baseline.bottleneck

    @property
    def sensitivity(self) -> Sensitivity:
        """Every input of the latency ranked by its exact elasticity (computed on first access)."""
        if self._exact is None:
            self._exact = sensitivity(self.baseline.result, "T")
        return self._exact

    @property
    def baseline_latency(self) -> Any:
        return self.baseline.latency

    @property
    def result(self) -> Result:
        return self.baseline.result

    @property
    def sources(self) -> Any:
        return self.baseline.sources

    @property
    def stamp(self) -> dict[str, str]:
        return self.baseline.stamp

    @property
    def trace(self) -> Any:
        return self.baseline.trace

    def explain(self) -> str:
        return self.baseline.explain() + "\n\n" + self.sensitivity.table()

    def to_dict(self) -> dict[str, Any]:
        return {"feasible": self.feasible, "sensitivities": dict(self.sensitivities),
                "elasticities": dict(self.elasticities), "binding_constraint": self.binding_constraint,
                "baseline_latency_s": float(self.baseline.result.values["T"]),
                "perturbation_pct": self.perturbation_pct,
                "one_sided": {k: list(v) for k, v in self.one_sided.items()}, "regime": self.regime,
                "constraint_trace": list(self.constraint_trace)}

    def __repr__(self) -> str:
        return (f"SensitivityResult(binding_constraint={self.binding_constraint!r}, feasible={self.feasible}, "
                f"elasticities={self.elasticities})")


class SensitivitySolver:
    """Which hardware lever binds (wall 21): 0.3.0's ``SensitivitySolver.solve(model, hardware, precision,
    perturbation_pct, efficiency)``, with exact elasticities."""

    requires = ("workload", "hardware")
    walls = (21,)

    def solve(self, model: Any, hardware: Any, precision: str = "fp16", perturbation_pct: float = 10.0,
              efficiency: float | None = None) -> SensitivityResult:
        from ..engine import Engine

        pct = _PCT("perturbation_pct", perturbation_pct)
        if pct == 0:
            raise InputError("perturbation_pct must not be 0 (a 0 % change measures nothing; the exact "
                             "derivatives are in .elasticities at any perturbation)")
        base = Engine.solve(model, hardware, precision=precision, efficiency=efficiency)
        res = base.result
        t0 = float(res.values["T"])
        factor = 1.0 + pct / 100.0
        responses: dict[str, float] = {}
        for lever, symbol in LEVERS:
            vals = dict(res.values)
            vals[symbol] = vals[symbol] * factor
            t1 = run("engine.step", vals)[0]["T"]
            responses[lever] = run("sens.response", {"T_upg": t1, "T_op_pt": t0})[0]["s_upg"] if t0 > 0 else 0.0
        levers = sensitivity(res, "T", wrt=[s for _, s in LEVERS])
        elasticities = {lever: (levers[s].elasticity or 0.0) for lever, s in LEVERS}
        one_sided = {lever: (levers[s].elasticity_left or 0.0, levers[s].elasticity or 0.0)
                     for lever, s in LEVERS if levers[s].kink}
        if not base.feasible:
            binding = "memory_capacity"
            trace = [f"Sensitivity: infeasible baseline: the model needs {base.memory_footprint.to('GB'):~.4g} and "
                     f"the device holds {res.quantity('C_mem', 'GB'):~.4g}; the capacity wall binds (the offload "
                     f"path pins latency, so no other lever ranks until the model fits)."]
        else:
            # the largest upgrade elasticity; at a kink (a step up changes nothing) the step down decides
            score = {lev: abs(elasticities[lev]) or abs(one_sided.get(lev, (0.0, 0.0))[0]) for lev, _ in LEVERS}
            binding = max((lev for lev, _ in LEVERS), key=lambda k: score[k])
            trace = [f"Sensitivity: {binding} is binding (elasticity {elasticities[binding]:+.4f}; "
                     f"{responses[binding]:+.4f} latency change per {pct:g}% upgrade); {base.bottleneck}-bound."]
        if one_sided:
            trace.append("At a kink: " + "; ".join(f"{k} {lo:+.4f} down / {hi:+.4f} up"
                                                   for k, (lo, hi) in one_sided.items()))
        return SensitivityResult(base, responses, elasticities, one_sided, binding, pct, trace)


__all__ = ["LEVERS", "Partial", "Sensitivity", "SensitivityResult", "SensitivitySolver", "directional",
           "sensitivity"]
