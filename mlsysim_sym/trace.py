"""The derivation tree of a Result: each equation symbolic, substituted, evaluated, with the branch that
bound and why, and the cited leaves it used.

Built without SymPy: the readable forms of every equation (Unicode, LaTeX, per branch, and substitution
templates) are generated at code-generation time into ``_generated/equation_text.py`` (see
:mod:`mlsysim_sym.codegen_text`). Only :func:`to_latex` of an arbitrary expression imports SymPy."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ._generated.equation_text import BRANCH_VALUES, EQUATIONS
from .notation import SYMBOLS
from .textfmt import number


def fmt_value(name: str, value: Any, digits: int = 6) -> str:
    """A value in its symbol's display unit (``0.567564 ms``, ``3.35 TB/s``, ``200000``)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    row = SYMBOLS.get(name)
    if row is None or value is None:
        return f"{value}"
    unit = row.shown_unit
    v = float(value)
    if unit and unit != row.unit and math.isfinite(v):
        from .units import to_display

        v = to_display(v, row.unit, unit)
    return f"{number(v, digits, group=False)} {unit}".strip()


@dataclass
class Branch:
    """One branch of an equation's recorded Max/Min/Piecewise: its expression, condition (Piecewise), label."""
    text: str
    latex: str
    condition: str = ""
    label: str = ""
    taken: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"expression": self.text, "latex": self.latex, "condition": self.condition or None,
                "label": self.label, "taken": self.taken}


@dataclass
class TraceNode:
    id: str
    title: str
    lhs: str
    symbolic: str      # readable one-line form (Unicode)
    latex: str
    substituted: str   # the taken branch (Piecewise) or the whole right-hand side, values filled in
    value: Any
    shown: str
    regime: str = ""
    reason: str = ""
    cites: list[tuple[str, str]] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)
    sympy: str = ""    # str() of the SymPy tree (sympify parses it back)
    kind: str = ""     # "piecewise", "max", "min" or ""
    branches: list[Branch] = field(default_factory=list)
    branch: int | None = None
    top: bool = False  # the branch node is the whole right-hand side

    def as_dict(self) -> dict[str, Any]:
        v = self.value
        return {"id": self.id, "title": self.title, "lhs": self.lhs, "symbolic": self.symbolic,
                "latex": self.latex, "sympy": self.sympy, "substituted": self.substituted,
                "value": v if not isinstance(v, float) or math.isfinite(v) else str(v),
                "unit": SYMBOLS[self.lhs].unit, "shown": self.shown, "regime": self.regime,
                "reason": self.reason, "branch": self.branch, "branches": [b.as_dict() for b in self.branches],
                "cites": [{"bibkey": b, "locator": loc} for b, loc in self.cites], "inputs": self.inputs}

    def lines(self) -> list[str]:
        """The equation as text: symbolic (a Piecewise one branch a line, the taken one marked), substituted,
        number with the branch that bound and why."""
        lhs = readable(self.lhs)
        pad = " " * (len(lhs) + 3)
        out: list[str] = []
        if self.kind == "piecewise" and self.top and self.branches:
            width = max(len(b.text) for b in self.branches)
            conds = [f"if {b.condition}" if b.condition else "otherwise" for b in self.branches]
            cw = max(len(c) for c in conds)
            for i, b in enumerate(self.branches):
                mark = f"   <- taken{': ' + b.label if b.label else ''}" if b.taken else ""
                out.append(f"{lhs + ' = ' if i == 0 else pad}{b.text.ljust(width)}  {conds[i].ljust(cw)}{mark}"
                           .rstrip())
            taken = self.branches[self.branch] if self.branch is not None and self.branch < len(self.branches) \
                else None
            if taken is not None and self.substituted != taken.text:
                out.append(f"{pad[:-2]}= {self.substituted}")
        else:
            out.append(f"{lhs} = {self.symbolic}")
            if self.substituted != self.symbolic:
                out.append(f"{pad[:-2]}= {self.substituted}")
        tail = f"    ({self.regime}: {self.reason})" if self.regime and self.reason else \
            (f"    ({self.regime})" if self.regime else "")
        out.append(f"{pad[:-2]}= {self.shown}{tail}")
        return out


def readable(name: str) -> str:
    """A symbol's name as the readable forms print it (Greek roots as letters: ``eta_hw`` -> ``η_hw``)."""
    root, sep, rest = name.partition("_")
    return _GREEK.get(root, root) + sep + rest


_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
          "kappa": "κ", "lambda": "λ", "lam": "λ", "mu": "μ", "nu": "ν", "rho": "ρ", "sigma": "σ", "tau": "τ",
          "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω"}


@dataclass
class Trace:
    nodes: list[TraceNode]
    sources: list[Any]
    stamp: dict[str, str]

    def explain(self) -> str:
        lines: list[str] = []
        for n in self.nodes:
            lines.append(f"[{n.id}] {n.title}")
            lines.extend("    " + ln for ln in n.lines())
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
            taken = ""
            if n.kind == "piecewise" and n.branch is not None and n.branch < len(n.branches):
                b = n.branches[n.branch]
                taken = f" — branch taken: $ {b.latex} $" + (f" (*{b.label}*)" if b.label else "")
            out.append(f"- **{n.title}** (`{n.id}`): $ {SYMBOLS[n.lhs].latex} = {n.latex} ${taken} → "
                       f"{n.substituted} = **{n.shown}**" + (f" — *{n.regime}*: {n.reason}" if n.regime else ""))
        out.append("")
        out.append("Sources:")
        for s in self.sources:
            cite = f"[@{s.bibkey}], {s.locator}" if s.bibkey else s.kind
            out.append(f"- `{s.symbol}` = {s.printed} — {cite} (`{s.ref}`)")
        return "\n".join(out) + "\n"


def to_latex(expr) -> str:
    """House-notation LaTeX of a SymPy expression (roman word subscripts from the symbol table). Imports SymPy;
    traces use the forms generated ahead of time instead."""
    import sympy as sp

    names = {s: SYMBOLS[s.name].latex for s in expr.free_symbols if s.name in SYMBOLS}
    return sp.latex(expr, symbol_names=names, mul_symbol=None, fold_short_frac=False)


class _Shown(dict):
    """Format-map of a substitution template: each symbol as its value in its display unit, in parentheses."""

    def __init__(self, values: dict[str, Any]):
        super().__init__()
        self._values = values

    def __missing__(self, name: str) -> str:
        v = self._values.get(name)
        shown = readable(name) if v is None else f"({fmt_value(name, v)})"
        self[name] = shown
        return shown


def _reason(eid: str, entry: dict, idx: int, values: dict[str, Any], shown: _Shown) -> str:
    branches = entry["branches"]
    if not branches or not 0 <= idx < len(branches):
        return ""
    if entry["kind"] == "piecewise":
        b = branches[idx]
        if not b["cond"]:
            if idx == 0:
                return "the only branch"
            failed = [br for br in branches[:idx] if br["cond"]]
            if len(failed) == 1:
                return f"{failed[0]['cond']} fails: {failed[0]['cond_sub'].format_map(shown)}"
            return "no earlier condition holds"
        return f"{b['cond']} holds: {b['cond_sub'].format_map(shown)}"
    fn = BRANCH_VALUES.get(eid)
    if fn is None:
        return ""
    try:
        vals = fn(**{k: v for k, v in values.items() if isinstance(k, str) and k.isidentifier()})
    except Exception:  # noqa: BLE001 - a value a branch reads is missing: say which branch, not why
        return ""
    names = [b["text"] for b in branches]
    raws = [next((k for k in values if isinstance(k, str) and readable(k) == n), None) for n in names]
    # an expression branch is shown in the unit of a symbol branch beside it (same dimension), else the lhs's
    like = next((r for r in raws if r is not None), entry["lhs"] if entry["top"] else None)
    items = []
    for name, raw, v in zip(names, raws, vals):
        unit_of = raw or like
        shown = fmt_value(unit_of, v) if unit_of and not _dimensionless_constant(name) else \
            number(float(v), 6, group=False)
        items.append(f"{name} = {shown}")
    word = "largest" if entry["kind"] == "max" else "smallest"
    return f"{items[idx]} is the {word} of " + ", ".join(items)


def _dimensionless_constant(text: str) -> bool:
    """A literal number branch (``max(1, ⌈B/GA⌉)``'s 1) carries no unit."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def build_trace(result) -> Trace:
    nodes: list[TraceNode] = []
    seen: set[str] = set()
    values = result.values
    for eid in result.equations_used():
        if eid in seen:
            continue
        seen.add(eid)
        e = EQUATIONS[eid]
        lhs = e["lhs"]
        shown = _Shown(values)
        idx = result.regimes.get(lhs)
        labels = e["regimes"]
        regime = labels[idx] if idx is not None and labels and 0 <= idx < len(labels) else ""
        branches = [Branch(b["text"], b["latex"], b["cond"], labels[i] if i < len(labels) else "", i == idx)
                    for i, b in enumerate(e["branches"])]
        if e["kind"] == "piecewise" and idx is not None and 0 <= idx < len(e["branches"]):
            substituted = e["branches"][idx]["sub"].format_map(shown)
        else:
            substituted = e["sub"].format_map(shown)
        reason = _reason(eid, e, idx, values, shown) if idx is not None else ""
        nodes.append(TraceNode(eid, e["title"], lhs, e["text"], e["latex"], substituted, values.get(lhs),
                               fmt_value(lhs, values.get(lhs)), regime, reason, list(e["cites"]),
                               {k: fmt_value(k, values.get(k)) for k in _names(e["sub"])}, e["sympy"], e["kind"],
                               branches, idx, e["top"]))
    return Trace(nodes, result.sources, result.stamp)


def _names(template: str) -> list[str]:
    import string

    return sorted({f for _, f, _, _ in string.Formatter().parse(template) if f})
