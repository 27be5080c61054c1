"""Exporter ``handcalc``: for every exported value, the equation, the same equation with the values and units
substituted, and the result, as LaTeX (``handcalc/<Name>.tex``) — what a student copies into their notes.

The forms are those of the trace (:mod:`mlsysim_sym.trace`): the branch of a piecewise equation that bound, the
values in each symbol's display unit; the inputs are listed below with the source of each (``\\cite``)."""
from __future__ import annotations

from typing import Any

from .registry import ExportContext, exporter, stamp
from .texutil import tex_escape, tex_quantity, tex_unit


def substituted_latex(expr: Any, values: dict[str, Any]) -> str:
    """``expr`` as LaTeX with every symbol that has a value replaced by that value and its unit, in parentheses."""
    import sympy as sp

    from ..notation import SYMBOLS
    from ..trace import fmt_value

    names = {}
    for s in expr.free_symbols:
        v = values.get(s.name)
        if v is None:
            if s.name in SYMBOLS:
                names[s] = SYMBOLS[s.name].latex
            continue
        names[s] = f"\\left({tex_quantity(fmt_value(s.name, v))}\\right)"
    return sp.latex(expr, symbol_names=names, mul_symbol="dot", fold_short_frac=False)


def taken_rhs(eq: Any, regime: int | None) -> tuple[Any, str]:
    """The right-hand side that bound (a Piecewise's taken branch) and the regime's label."""
    import sympy as sp

    rhs = eq.numeric_rhs()
    if isinstance(rhs, sp.Piecewise) and regime is not None and 0 <= regime < len(rhs.args):
        label = eq.regimes[regime] if getattr(eq, "regimes", None) and regime < len(eq.regimes) else ""
        return rhs.args[regime][0], label
    return rhs, ""


def handcalc(rec: dict[str, Any], view: Any) -> tuple[str, set[str]]:
    """The LaTeX body of one hand-calculation and the bibkeys it cites."""
    from ..notation import SYMBOLS
    from ..trace import to_latex
    from ..walls import EQUATIONS

    result = view.result
    unit = f"\\,{tex_unit(rec['unit'])}" if rec["unit"] else ""
    value = f"{rec['printed']}{unit}"
    cites: set[str] = set()
    if not rec["equation"]:
        body = [f"% {rec['field']} is read from the result (no single equation computes it)",
                "\\begin{equation*}", f"  \\text{{{tex_escape(rec['field'])}}} = {value}", "\\end{equation*}"]
        return "\n".join(body), cites
    eq = EQUATIONS[rec["equation"]]
    lhs = SYMBOLS[eq.lhs].latex
    regime = result.regimes.get(eq.lhs)
    rhs, label = taken_rhs(eq, regime)
    sym_tex = to_latex(rhs)
    sub_tex = substituted_latex(rhs, result.values)
    body = [f"% {rec['name']}: {rec['description']}",
            f"% equation {rec['equation']} ({eq.title})" + (f"; branch taken: {label}" if label else ""),
            "\\begin{align*}", f"  {lhs} &= {sym_tex} \\\\", f"  &= {sub_tex} \\\\", f"  &= {value}",
            "\\end{align*}"]
    used = {s.name for s in rhs.free_symbols}
    srcs = [s for s in result.sources if s.symbol in used]
    if srcs:
        items = []
        for s in sorted(srcs, key=lambda s: s.symbol):
            cite = f"~\\cite{{{s.bibkey}}}" if s.bibkey else f" ({tex_escape(s.kind)})"
            if s.bibkey:
                cites.add(s.bibkey)
            sym = SYMBOLS[s.symbol].latex if s.symbol in SYMBOLS else tex_escape(s.symbol)
            items.append(f"${sym} = {tex_quantity(s.printed)}$ \\texttt{{{tex_escape(s.ref)}}}{cite}")
        body.append("\\par\\noindent{\\footnotesize Inputs: " + "; ".join(items) + ".}\\par")
    for c in eq.cites:
        cites.add(c.bibkey)
    if eq.cites:
        body.append("\\par\\noindent{\\footnotesize Equation: " + tex_escape(eq.title) + "~\\cite{"
                    + ",".join(sorted({c.bibkey for c in eq.cites})) + "}.}\\par")
    return "\n".join(body), cites


@exporter("handcalc")
def export_handcalc(ctx: ExportContext, _files: dict[str, Any]) -> dict[str, Any]:
    """handcalc/<Name>.tex for every value: symbolic, substituted, result."""
    from .valuefiles import records

    c = ctx.common
    head = "% " + stamp(c)
    files: dict[str, Any] = {}
    views = None
    for rec in records(ctx):
        views = views or ctx.cache["views"]
        body, _ = handcalc(rec, views[rec["name"]])
        files[f"handcalc/{rec['name']}.tex"] = head + "\n" + body + "\n"
    return files
