"""The derivation tree of a Result: each equation symbolic, substituted, evaluated, with the branch that
bound and why, and the cited leaves it used. Built on demand (imports SymPy)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

from .notation import SYMBOLS
from .walls import EQUATIONS, load_all


def fmt_value(name: str, value: Any, digits: int = 6) -> str:
    """A value in its symbol's display unit (``0.567564 ms``, ``3.35 TB/s``)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    row = SYMBOLS.get(name)
    if row is None or value is None:
        return f"{value}"
    unit = row.shown_unit
    v = float(value)
    if unit and unit != row.unit:
        from .units import si_factor

        v *= si_factor(row.unit, unit)
    if not math.isfinite(v):
        return f"{v} {unit}".strip()
    text = f"{v:.{digits}g}"
    return f"{text} {unit}".strip()


@dataclass
class TraceNode:
    id: str
    title: str
    lhs: str
    symbolic: str
    latex: str
    substituted: str
    value: Any
    shown: str
    regime: str = ""
    reason: str = ""
    cites: list[tuple[str, str]] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        v = self.value
        return {"id": self.id, "title": self.title, "lhs": self.lhs, "symbolic": self.symbolic,
                "latex": self.latex, "substituted": self.substituted,
                "value": v if not isinstance(v, float) or math.isfinite(v) else str(v),
                "unit": SYMBOLS[self.lhs].unit, "shown": self.shown, "regime": self.regime,
                "reason": self.reason, "cites": [{"bibkey": b, "locator": loc} for b, loc in self.cites],
                "inputs": self.inputs}


@dataclass
class Trace:
    nodes: list[TraceNode]
    sources: list[Any]
    stamp: dict[str, str]

    def explain(self) -> str:
        lines: list[str] = []
        for n in self.nodes:
            lines.append(f"[{n.id}] {n.title}")
            lines.append(f"    {n.lhs} = {n.symbolic}")
            lines.append(f"        = {n.substituted}")
            lines.append(f"        = {n.shown}" + (f"    ({n.regime}: {n.reason})" if n.regime else ""))
        lines.append("Sources (cited leaves used):")
        for s in self.sources:
            lines.append(f"    {s}")
        lines.append("Stamp: " + ", ".join(f"{k}={v}" for k, v in self.stamp.items()))
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"equations": [n.as_dict() for n in self.nodes],
                "sources": [{"symbol": s.symbol, "ref": s.ref, "bibkey": s.bibkey, "locator": s.locator,
                             "kind": s.kind, "printed": s.printed} for s in self.sources],
                "stamp": self.stamp}

    def to_markdown(self) -> str:
        out = []
        for n in self.nodes:
            out.append(f"- **{n.title}** (`{n.id}`): $ {SYMBOLS[n.lhs].latex} = {n.latex} $ → "
                       f"{n.substituted} = **{n.shown}**" + (f" — *{n.regime}*: {n.reason}" if n.regime else ""))
        out.append("")
        out.append("Sources:")
        for s in self.sources:
            cite = f"[@{s.bibkey}], {s.locator}" if s.bibkey else s.kind
            out.append(f"- `{s.symbol}` = {s.printed} — {cite} (`{s.ref}`)")
        return "\n".join(out) + "\n"


def to_latex(expr: sp.Expr) -> str:
    """House-notation LaTeX of an expression (roman word subscripts from the symbol table)."""
    names = {s: SYMBOLS[s.name].latex for s in expr.free_symbols if s.name in SYMBOLS}
    return sp.latex(expr, symbol_names=names, mul_symbol=None, fold_short_frac=False)


class _SubstitutingPrinter(StrPrinter):
    """Prints an expression with each symbol shown as its value (the tree is not rebuilt, so equal
    values stay distinct factors: ``(1)*(1)*(8.2 GFLOP)``, not ``(1)**2*(8.2 GFLOP)``)."""

    def __init__(self, shown: dict[str, str]):
        super().__init__()
        self._shown = shown

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return self._shown.get(expr.name, expr.name)


def _reason(eq, rhs: sp.Expr, idx: int, values: dict[str, Any]) -> str:
    nodes = [n for n in sp.preorder_traversal(rhs) if isinstance(n, (sp.Max, sp.Min, sp.Piecewise))]
    if not nodes:
        return ""
    node = nodes[0]
    subs = {s: values[s.name] for s in node.free_symbols if s.name in values and not isinstance(values[s.name], bool)}
    if isinstance(node, sp.Piecewise):
        cond = node.args[idx][1] if 0 <= idx < len(node.args) else None
        if cond is None:
            return ""
        if cond == sp.true:
            return "no earlier condition holds"
        return f"{cond} holds"
    args = eq.branches or node.args
    shown = []
    for a in args:
        try:
            v = float(a.xreplace(subs))
        except (TypeError, ValueError):
            continue
        name = a.name if isinstance(a, sp.Symbol) else str(a)
        shown.append(f"{name} = {fmt_value(a.name, v) if isinstance(a, sp.Symbol) else f'{v:.6g}'}")
    word = "largest" if isinstance(node, sp.Max) else "smallest"
    return f"{shown[idx] if idx < len(shown) else ''} is the {word} of " + ", ".join(shown)


def build_trace(result) -> Trace:
    load_all()
    nodes: list[TraceNode] = []
    seen: set[str] = set()
    values = result.values
    for eid in result.equations_used():
        if eid in seen:
            continue
        seen.add(eid)
        eq = EQUATIONS[eid]
        rhs = eq.numeric_rhs()
        inputs = {s.name: fmt_value(s.name, values.get(s.name)) for s in rhs.free_symbols}
        shown = {s.name: f"({fmt_value(s.name, values[s.name])})" for s in rhs.free_symbols if s.name in values}
        substituted = _SubstitutingPrinter(shown).doprint(rhs)
        idx = result.regimes.get(eq.lhs)
        regime = eq.regimes[idx] if idx is not None and eq.regimes and 0 <= idx < len(eq.regimes) else ""
        reason = _reason(eq, rhs, idx, values) if regime else ""
        nodes.append(TraceNode(eid, eq.title, eq.lhs, str(rhs), to_latex(rhs), substituted,
                               values.get(eq.lhs), fmt_value(eq.lhs, values.get(eq.lhs)), regime, reason,
                               [(c.bibkey, c.locator) for c in eq.cites], inputs))
    return Trace(nodes, result.sources, result.stamp)
