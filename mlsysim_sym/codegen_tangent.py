"""Generate forward-mode derivative ("tangent") code from the walls: exact partial derivatives, no differencing.

For every computation, ``_generated/tangent.py`` holds ``t_<name>(v, d, side)``: ``v`` maps each input (and, when
at hand, each output: a result's values) to its value,
``d`` maps inputs to a direction (a tangent; absent means 0), and the function returns the directional derivative of
every output along ``d``. Seeding one input with 1 gives that input's partial derivative of every output.

The tangent of each equation is derived from its SymPy tree here, at code-generation time, node by node (sum and
product rules, ``fdiff`` of every function); the run-time code is straight-line Python on floats. The non-smooth
nodes are where a model's answer turns on a regime, so they are treated exactly rather than smoothed:

* ``Max``/``Min``: the tangent of the argument that binds. At a tie (a kink) the derivative depends on the
  direction of the step: ``side=+1`` gives the right derivative (the input increased), ``side=-1`` the left one.
  For ``Max`` the right derivative is the largest tangent among the tied arguments, the left one the smallest
  (``special.d_extreme``).
* ``Piecewise``: the tangent of the branch that holds. A condition ``L > R`` met with equality is decided by the
  direction of the step (``special.holds``), so at a regime boundary each side reports its own branch.
* ``floor``, ``ceiling``, comparisons: piecewise constant, tangent 0 (their jumps are not derivatives).
* special functions: their ``fdiff`` (:mod:`mlsysim_sym.walls._functions` gives Erlang C in its offered load and
  the capped-exponential shape by implicit differentiation); a derivative with respect to an argument that is a
  count with no continuous extension (Erlang C's server count) is reported as nan (``special.no_derivative``).

This module does not import :mod:`mlsysim_sym.codegen` (which calls it): the printer is passed in.
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from .walls import COMPUTATIONS, EQUATIONS, load_all
from .walls._core import computation_inputs
from .walls._functions import NoDerivative

_CONSTANT = (sp.floor, sp.ceiling, sp.sign, sp.Heaviside)
_OPS = {sp.StrictGreaterThan: ">", sp.GreaterThan: ">=", sp.StrictLessThan: "<", sp.LessThan: "<="}


class _Tangent:
    """Tangent code of expressions over symbols whose tangent may be non-zero (``live``)."""

    def __init__(self, code: Callable[[sp.Basic], str], live: set[str]):
        self.code = code
        self.live = live

    def __call__(self, e: sp.Basic) -> str | None:  # None: the tangent is identically 0
        code = self.code
        if isinstance(e, sp.Symbol):
            return f"d_{e.name}" if e.name in self.live else None
        if e.is_number or isinstance(e, (sp.logic.boolalg.Boolean, sp.core.relational.Relational)):
            return None
        if isinstance(e, sp.Add):
            parts = [t for t in map(self, e.args) if t is not None]
            return "(" + " + ".join(parts) + ")" if parts else None
        if isinstance(e, sp.Mul):
            terms = []
            for i, a in enumerate(e.args):
                t = self(a)
                if t is None:
                    continue
                rest = sp.Mul(*(e.args[:i] + e.args[i + 1:]))
                terms.append(t if rest == 1 else f"({code(rest)})*{t}")
            return "(" + " + ".join(terms) + ")" if terms else None
        if isinstance(e, sp.Pow):
            b, x = e.args
            tb, tx = self(b), self(x)
            terms = []
            if tb is not None:
                terms.append(f"({code(x * b ** (x - 1))})*{tb}")
            if tx is not None:
                terms.append(f"({code(e * sp.log(b))})*{tx}")
            return "(" + " + ".join(terms) + ")" if terms else None
        if isinstance(e, (sp.Max, sp.Min)):
            ts = [self(a) for a in e.args]
            if all(t is None for t in ts):
                return None
            vals = ", ".join(code(a) for a in e.args)
            tans = ", ".join(t or "0.0" for t in ts)
            kind = 1 if isinstance(e, sp.Max) else -1
            return f"_special.d_extreme({kind}, side, ({vals},), ({tans},))"
        if isinstance(e, sp.Piecewise):
            ts = [self(expr) for expr, _ in e.args]
            if all(t is None for t in ts):
                return None
            if e.args[-1][1] != sp.true:
                raise ValueError(f"a Piecewise without a final True branch has no tangent everywhere: {e}")
            acc = ts[-1] or "0.0"
            for (expr, cond), t in zip(reversed(e.args[:-1]), reversed(ts[:-1])):
                acc = f"({t or '0.0'} if {self.condition(cond)} else {acc})"
            return acc
        if isinstance(e, _CONSTANT):
            return None
        if isinstance(e, sp.Function):
            terms = []
            for i, a in enumerate(e.args):
                t = self(a)
                if t is None:
                    continue
                d = e.fdiff(i + 1)
                if d.has(sp.Derivative, sp.Subs):
                    raise ValueError(f"{type(e).__name__} has no closed-form derivative in argument {i + 1}; "
                                     f"give it an fdiff (mlsysim_sym.walls._functions)")
                if d.has(NoDerivative):  # nan only where the direction moves that argument (nan·0 is nan)
                    terms.append(f"(({code(d)})*{t} if {t} else 0.0)")
                else:
                    terms.append(f"({code(d)})*{t}")
            return "(" + " + ".join(terms) + ")" if terms else None
        raise ValueError(f"no tangent rule for {type(e).__name__}: {e}")

    def condition(self, c: sp.Basic) -> str:
        """A branch condition decided as the perturbed point would decide it (ties broken by the step's sign)."""
        if c == sp.true:
            return "True"
        if c == sp.false:
            return "False"
        if isinstance(c, sp.And):
            return "(" + " and ".join(self.condition(a) for a in c.args) + ")"
        if isinstance(c, sp.Or):
            return "(" + " or ".join(self.condition(a) for a in c.args) + ")"
        if isinstance(c, sp.Not):
            return f"(not {self.condition(c.args[0])})"
        op = _OPS.get(type(c))
        if op is None:  # Eq / Ne: flags and modes, not continuous quantities
            return f"({self.code(c)})"
        lhs, rhs = c.args
        tl, tr = self(lhs), self(rhs)
        if tl is None and tr is None:
            return f"({self.code(c)})"
        return (f"_special.holds({op!r}, {self.code(lhs)}, {self.code(rhs)}, {tl or '0.0'}, {tr or '0.0'}, "
                f"side)")


def _is_boolean(e: sp.Basic) -> bool:
    return isinstance(e, (sp.logic.boolalg.Boolean, sp.core.relational.Relational))


def generate(code: Callable[[sp.Basic], str], header: Callable[[str, str], list[str]]) -> str:
    """The text of ``_generated/tangent.py`` (deterministic); ``code`` prints an expression, ``header`` gives the
    generated module's opening lines (both from :mod:`mlsysim_sym.codegen`)."""
    load_all()
    out = header("forward-mode derivatives", "t_<computation>(v, d, side): directional derivatives of every "
                 "real-valued output along the input tangents d (absent = 0); side=+1 right derivative, -1 left "
                 "derivative at a kink.")
    table = []
    for name in sorted(COMPUTATIONS):
        comp = COMPUTATIONS[name]
        fn = "t_" + name.replace(".", "__")
        ins = computation_inputs(comp)
        live = set(ins)
        lines = [f"def {fn}(v, d, side=1.0):", f'    """Tangent of {name}: {comp.doc or name}"""']
        lines += [f"    {n} = v[{n!r}]" for n in ins]
        lines += [f"    d_{n} = d.get({n!r}, 0.0)" for n in ins]
        tangent = _Tangent(code, live)
        outs = []
        for eid in comp.order:
            eq = EQUATIONS[eid]
            rhs = eq.numeric_rhs()
            # the forward value: as evaluated (a result's values hold every output), else computed here
            lines.append(f"    {eq.lhs} = v[{eq.lhs!r}] if {eq.lhs!r} in v else {code(rhs)}")
            if _is_boolean(rhs):
                continue
            t = tangent(rhs)
            if t is None:
                continue
            # skipped when every tangent it reads is 0 (then it is 0: each term is linear in them, a kink or a
            # branch picks one of them): a one-input direction leaves most of a step's outputs off its path
            reads = sorted(s.name for s in rhs.free_symbols if s.name in live)
            if t != f"d_{reads[0]}" or len(reads) > 1:
                t = f"({t}) if ({' or '.join('d_' + r for r in reads)}) else 0.0"
            lines.append(f"    d_{eq.lhs} = {t}")
            live.add(eq.lhs)
            outs.append(eq.lhs)
        lines.append("    return {" + ", ".join(f"{o!r}: d_{o}" for o in outs) + "}")
        lines.append("")
        out.extend(lines)
        table.append(f"    {name!r}: {fn},")
    out.append("COMPUTATIONS = {")
    out.extend(table)
    out.append("}")
    return "\n".join(out) + "\n"
