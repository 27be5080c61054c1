"""Walls and equations: a thin facade over SymPy.

An :class:`Equation` is ``lhs = rhs`` where ``rhs`` is a SymPy tree over symbols of the notation table
(:mod:`mlsysim_sym.notation`) and *coefficients*: numbers that belong to the equation (the 2 of 2PD, the 34
of Korthikanti's activation count) and carry a unit and the citation of whoever proposed them.
A :class:`Wall` groups the equations of one of the 22 walls, with its number, domain, resolver, citations
and the monotonicity it declares per input.

Registering a wall (:func:`register_wall`) dimension-checks every equation statically
(:func:`mlsysim_sym.walls._dimcheck.check_equation`); an inconsistent wall is rejected with a message that names
the offending node. A :class:`Computation` is an ordered set of equations that a resolver evaluates together;
numeric code for each computation is generated from the SymPy trees (:mod:`mlsysim_sym.codegen`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter

import sympy as sp

from ..errors import DimensionError, UnknownKeyError
from ..notation import Sym, register


@dataclass(frozen=True, slots=True)
class Cite:
    """Where an equation (or coefficient) comes from: a citations.bib key and a locator in that work."""

    bibkey: str
    locator: str


@dataclass(frozen=True, slots=True)
class Coefficient:
    """A number that belongs to an equation, with its unit and its proposer (printed as the number)."""

    name: str
    value: sp.Expr
    unit: str
    description: str
    cite: Cite


_SYMBOL_CACHE: dict[str, sp.Symbol] = {}
COEFFICIENTS: dict[str, Coefficient] = {}


def S(name: str) -> sp.Symbol:
    """The one SymPy Symbol for a declared name: a non-negative real, or a real where the row is ``signed``."""
    s = _SYMBOL_CACHE.get(name)
    if s is None:
        if name not in _DECLARED and name not in COEFFICIENTS:
            raise UnknownKeyError("symbol (declare it with sym() in its wall module)", name,
                                  list(_DECLARED) + list(COEFFICIENTS))
        row = _DECLARED.get(name)
        s = sp.Symbol(name, real=True) if row is not None and row.signed else sp.Symbol(name, nonnegative=True, real=True)
        _SYMBOL_CACHE[name] = s
    return s


#: the rows declared by the wall modules loaded in this process (the source of truth; notation.SYMBOLS also holds
#: the generated copy, which lets code that never imports SymPy show units and names)
_DECLARED: dict[str, Sym] = {}


def sym(name: str, latex: str, unit: str, description: str, display_unit: str = "", *, integer: bool = False,
        signed: bool = False, unbounded: bool = False) -> sp.Symbol:
    """Declare one symbol of a wall in house notation — its LaTeX, SI unit, description, display unit, and whether
    it is an integer count, may be negative, or may be +inf in a flagged regime — and return its SymPy Symbol.
    A name is declared once, by the wall module that introduces it; others import the Python name."""
    row = Sym(name, latex, unit, description, display_unit, integer, signed, unbounded)
    old = _DECLARED.get(name)
    if old is not None and old != row:
        raise ValueError(f"symbol {name!r} declared twice with different metadata")
    _DECLARED[name] = row
    register(row)
    return S(name)


def coefficient(name: str, value: int | float | str, unit: str, description: str, cite: Cite) -> sp.Symbol:
    """Declare an equation coefficient (e.g. ``c_fwd = 2 FLOP`` per parameter-token) and return its symbol."""
    v = sp.nsimplify(value) if not isinstance(value, str) else sp.Rational(value)
    c = Coefficient(name, v, unit, description, cite)
    old = COEFFICIENTS.get(name)
    if old is not None and old != c:
        raise ValueError(f"coefficient {name!r} declared twice differently")
    COEFFICIENTS[name] = c
    from ._dimcheck import COEFFICIENT_UNITS

    COEFFICIENT_UNITS[name] = unit
    return S(name)


@dataclass(frozen=True)
class Equation:
    id: str
    lhs: str
    rhs: sp.Expr
    title: str
    cites: tuple[Cite, ...] = ()
    # Labels of the outermost Max/Min/Piecewise node's branches. For Piecewise they follow the branches'
    # order; for Max/Min give ``branches`` (the arguments, in the same order as the labels): SymPy sorts
    # Max/Min arguments, so position alone would not say which is which. The first branch wins ties.
    regimes: tuple[str, ...] = ()
    branches: tuple[sp.Expr, ...] = ()
    note: str = ""

    @property
    def lhs_symbol(self) -> sp.Symbol:
        return S(self.lhs)

    def free_names(self) -> set[str]:
        return {s.name for s in self.rhs.free_symbols if s.name not in COEFFICIENTS}

    def coefficient_names(self) -> set[str]:
        return {s.name for s in self.rhs.free_symbols if s.name in COEFFICIENTS}

    def numeric_rhs(self) -> sp.Expr:
        """The rhs with coefficients replaced by their numbers (what is printed and compiled)."""
        subs = {S(n): COEFFICIENTS[n].value for n in self.coefficient_names()}
        return self.rhs.xreplace(subs) if subs else self.rhs

    def numeric_branches(self) -> tuple[sp.Expr, ...]:
        """The authored Max/Min branches with coefficients replaced as in :meth:`numeric_rhs`."""
        subs = {S(n): COEFFICIENTS[n].value for n in self.coefficient_names()}
        return tuple(b.xreplace(subs) for b in self.branches) if subs else tuple(self.branches)


@dataclass(frozen=True)
class Wall:
    number: int
    name: str
    domain: str
    resolver: str
    summary: str
    equations: tuple[Equation, ...]
    cites: tuple[Cite, ...] = ()
    # (output symbol, input symbol) -> +1 non-decreasing, -1 non-increasing
    monotonic: tuple[tuple[str, str, int], ...] = ()
    resolvers: tuple[str, ...] = ()

    def equation(self, eq_id: str) -> Equation:
        for e in self.equations:
            if e.id == eq_id:
                return e
        raise UnknownKeyError(f"equation of wall {self.number}", eq_id, [e.id for e in self.equations])


@dataclass(frozen=True)
class Computation:
    """Equations a resolver evaluates together, in dependency order; inputs are the free symbols left."""

    name: str
    equation_ids: tuple[str, ...]
    doc: str = ""
    order: tuple[str, ...] = field(default=(), compare=False)


WALLS: dict[int, Wall] = {}
EQUATIONS: dict[str, Equation] = {}
COMPUTATIONS: dict[str, Computation] = {}


def register_wall(wall: Wall) -> Wall:
    """Dimension-check and register a wall; raises DimensionError naming the offending node."""
    from ._dimcheck import check_equation

    for eq in wall.equations:
        if eq.lhs not in _DECLARED:
            raise DimensionError(f"wall {wall.number} equation {eq.id}: lhs {eq.lhs!r} is not in the notation table")
        check_equation(eq, where=f"wall {wall.number} ({wall.name}) equation {eq.id!r}")
    for eq in wall.equations:
        if eq.id in EQUATIONS and EQUATIONS[eq.id] is not eq:
            raise ValueError(f"equation id {eq.id!r} registered twice")
    WALLS[wall.number] = wall
    for eq in wall.equations:
        EQUATIONS[eq.id] = eq
    return wall


def register_equations(*eqs: Equation) -> None:
    """Register equations that belong to a resolver rather than one wall (still dimension-checked)."""
    from ._dimcheck import check_equation

    for eq in eqs:
        check_equation(eq, where=f"equation {eq.id!r}")
        EQUATIONS[eq.id] = eq


def register_computation(name: str, equation_ids: list[str] | tuple[str, ...], doc: str = "",
                         outputs: tuple[str, ...] | None = None, equations: tuple[Equation, ...] = ()) -> Computation:
    """Order the equations topologically (lhs before use) and register the computation. With ``outputs``, keep
    only the equations those outputs depend on (transitively), so a composite computes what its caller reads.
    ``equations`` are composite-level equations that belong to no single wall: registered (dimension-checked)
    here."""
    if equations:
        register_equations(*equations)
    if name in COMPUTATIONS:
        raise ValueError(f"computation {name!r} registered twice")
    if outputs is not None:
        equation_ids = _needed(equation_ids, outputs)
    eqs = [EQUATIONS[i] for i in equation_ids]
    by_lhs: dict[str, Equation] = {}
    for e in eqs:
        if e.lhs in by_lhs:
            raise ValueError(f"computation {name!r}: {e.lhs!r} defined by {by_lhs[e.lhs].id} and {e.id}")
        by_lhs[e.lhs] = e
    graph = {e.id: {by_lhs[n].id for n in e.free_names() if n in by_lhs} for e in eqs}
    try:
        ts = TopologicalSorter(graph)
        # stable order: keep authored order among ready nodes
        ts.prepare()
        order: list[str] = []
        pos = {e.id: i for i, e in enumerate(eqs)}
        while ts.is_active():
            ready = sorted(ts.get_ready(), key=pos.__getitem__)
            order.extend(ready)
            ts.done(*ready)
    except CycleError as exc:
        raise ValueError(f"computation {name!r} has a cycle: {exc.args[1]}") from None
    comp = Computation(name, tuple(equation_ids), doc, tuple(order))
    COMPUTATIONS[name] = comp
    return comp


def _needed(equation_ids: list[str] | tuple[str, ...], targets: tuple[str, ...]) -> list[str]:
    """The equations (in the given order) that the targets depend on, transitively."""
    by_lhs = {EQUATIONS[i].lhs: EQUATIONS[i] for i in equation_ids}
    keep: set[str] = set()
    todo = list(targets)
    while todo:
        eq = by_lhs.get(todo.pop())
        if eq is None or eq.id in keep:
            continue
        keep.add(eq.id)
        todo.extend(eq.free_names())
    return [i for i in equation_ids if i in keep]


def computation_inputs(comp: Computation) -> list[str]:
    lhs = {EQUATIONS[i].lhs for i in comp.order}
    names: set[str] = set()
    for i in comp.order:
        names |= EQUATIONS[i].free_names()
    return sorted(names - lhs)


def computation_outputs(comp: Computation) -> list[str]:
    return [EQUATIONS[i].lhs for i in comp.order]


def dependencies(comp: Computation) -> dict[str, tuple[str, ...]]:
    """For each output, the inputs it depends on (transitively): the leaves whose sources it carries."""
    lhs_eq = {EQUATIONS[i].lhs: EQUATIONS[i] for i in comp.order}
    memo: dict[str, set[str]] = {}

    def leaves(name: str) -> set[str]:
        if name in memo:
            return memo[name]
        if name not in lhs_eq:
            memo[name] = {name}
            return memo[name]
        out: set[str] = set()
        for n in lhs_eq[name].free_names():
            out |= leaves(n)
        memo[name] = out
        return out

    return {o: tuple(sorted(leaves(o))) for o in computation_outputs(comp)}


def wall(n: int) -> Wall:
    from . import load_all

    load_all()
    try:
        return WALLS[n]
    except KeyError:
        raise UnknownKeyError("wall number", str(n), [str(k) for k in WALLS]) from None
