"""Static dimension check of a SymPy tree against the symbols' units.

Rules: a Symbol has the dimension of its unit in the notation table (coefficients: their declared unit); a
number is dimensionless; ``Add``, ``Max``, ``Min``, the branches of ``Piecewise`` and both sides of a relation
must agree; ``Mul`` multiplies; ``Pow`` needs a numeric exponent (or a dimensionless base); ``exp``, ``log``
and other functions need dimensionless arguments; ``ceiling``, ``floor`` and ``Abs`` pass the dimension
through. A zero literal is dimensionless but is allowed beside any dimension (``Max(0, x)``).
"""
from __future__ import annotations

import sympy as sp

from ..errors import DimensionError
from ..notation import SYMBOLS
from ..units import dimensionality

_PASS = (sp.ceiling, sp.floor, sp.Abs)


#: units of equation coefficients (the 2 of 2PD is in FLOP): filled by ``_core.coefficient``
COEFFICIENT_UNITS: dict[str, str] = {}


def _unit_of(name: str) -> str:
    unit = COEFFICIENT_UNITS.get(name)
    return unit if unit is not None else SYMBOLS[name].unit


def dim_of(expr: sp.Basic, where: str = ""):
    """The dimensionality (a pint UnitsContainer) of ``expr``; raises DimensionError on a clash."""
    none = dimensionality("")

    def fail(msg: str, node: sp.Basic) -> DimensionError:
        return DimensionError(f"{where}: {msg} in {node}")

    def fmt(d) -> str:
        return str(d) if d else "dimensionless"

    def same(args, node, what):
        dims = []
        for a in args:
            if a.is_Number and (a == 0 or a.is_infinite):
                continue  # 0 and ±∞ fit any dimension (a bound, not a quantity)
            dims.append((a, walk(a)))
        if not dims:
            return none
        first = dims[0][1]
        if any(d != first for _, d in dims[1:]):
            raise fail(f"{what} mixes {sorted({fmt(d) for _, d in dims})}", node)
        return first

    def walk(node: sp.Basic):
        if isinstance(node, sp.Symbol):
            try:
                return dimensionality(_unit_of(node.name))
            except KeyError:
                raise fail(f"symbol {node.name!r} is not in the notation table", node) from None
        if node.is_Number or isinstance(node, (sp.NumberSymbol,)):
            return none
        if isinstance(node, (sp.logic.boolalg.BooleanTrue, sp.logic.boolalg.BooleanFalse)):
            return none
        if isinstance(node, sp.Add):
            return same(node.args, node, "Add")
        if isinstance(node, (sp.Max, sp.Min)):
            return same(node.args, node, type(node).__name__)
        if isinstance(node, sp.Mul):
            d = none
            for a in node.args:
                d = d * walk(a)
            return d
        if isinstance(node, sp.Pow):
            base, exp = node.args
            bd = walk(base)
            if walk(exp) != none:
                raise fail("exponent must be dimensionless", node)
            if bd == none:
                return none
            if not exp.is_Number:
                raise fail(f"base of dimension {fmt(bd)} raised to a symbolic power", node)
            return bd ** float(exp)
        if isinstance(node, sp.Piecewise):
            for e, c in node.args:
                walk(c)
            return same([e for e, _ in node.args], node, "Piecewise branches")
        if isinstance(node, sp.core.relational.Relational):
            same(node.args, node, type(node).__name__)
            return none
        if isinstance(node, (sp.And, sp.Or, sp.Not)):
            for a in node.args:
                walk(a)
            return none
        if isinstance(node, _PASS):
            return walk(node.args[0])
        if isinstance(node, sp.Function):
            for a in node.args:
                if walk(a) != none:
                    raise fail(f"{type(node).__name__} needs a dimensionless argument", node)
            return none
        raise fail(f"unsupported node type {type(node).__name__}", node)

    return walk(expr)


def check_equation(eq, where: str = "") -> None:
    """Raise DimensionError unless rhs has the dimension of the lhs symbol's unit."""
    got = dim_of(eq.rhs, where)
    want = dimensionality(SYMBOLS[eq.lhs].unit)
    if isinstance(eq.rhs, sp.core.relational.Relational) or isinstance(eq.rhs, (sp.And, sp.Or)):
        return
    if got != want:
        raise DimensionError(f"{where}: rhs has dimension {got or 'dimensionless'} but {eq.lhs} is "
                             f"{want or 'dimensionless'} in {eq.lhs} = {eq.rhs}")
