"""Generate the readable forms of every equation (``_generated/equation_text.py``) at code-generation time.

Traces, ``explain()`` and ``mlsysim-sym walls`` show equations without importing SymPy: the forms are printed
here, once, from the SymPy trees, and committed next to the numeric code (the "generated is current" test
covers this file too). Per equation the module holds

* ``text``: a one-line Unicode form (``L_lat + max(T_comp, T_mem)``, ``R_peak·η_hw``, ``⌈N_L/N_pp⌉``; a
  Piecewise reads ``{a if c; b otherwise}``), ``latex`` (house notation, as the book exports print it) and
  ``sympy`` (``str`` of the tree, which ``sympy.sympify`` parses back);
* ``sub``: the Unicode form as a ``str.format`` template with one ``{name}`` field per symbol, so a trace fills in
  values without rebuilding the tree (equal values stay distinct factors);
* for the recorded branch node (the first Max/Min/Piecewise, whose binding branch the numeric code reports),
  per branch its text, LaTeX, substitution template of the whole right-hand side with that branch taken, and for
  a Piecewise its condition (text, LaTeX, template); for Max/Min, ``BRANCH_VALUES[eid]`` evaluates each branch
  (so a trace can say which was largest without SymPy).

``WALLS`` lists the 22 walls (number, name, domain, resolver, summary, equation ids, resolvers).

This module does not import :mod:`mlsysim_sym.codegen` (which calls it): the numeric printer is passed in.
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from .walls import EQUATIONS, WALLS, load_all

GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
         "kappa": "κ", "lambda": "λ", "lam": "λ", "mu": "μ", "nu": "ν", "rho": "ρ", "sigma": "σ", "tau": "τ",
         "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω"}
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_OPEN, _CLOSE = "\x00", "\x01"  # placeholder delimiters while printing a template (braces are escaped after)


def readable_name(name: str) -> str:
    """A symbol's name with a Greek root spelt as its letter (``eta_hw`` -> ``η_hw``, ``tau_disp`` -> ``τ_disp``)."""
    root, sep, rest = name.partition("_")
    return GREEK.get(root, root) + sep + rest


class TextPrinter(StrPrinter):
    """One-line Unicode: ``·`` for products, superscript powers, ``√``, ``⌈⌉``/``⌊⌋``, ``max``/``min``, ``≥``/``≤``,
    ``and``/``or``; a Piecewise as ``{a if c; b otherwise}``. With ``template=True`` every symbol becomes a
    ``{name}`` format field."""

    def __init__(self, template: bool = False):
        super().__init__()
        self._template = template

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        if self._template:
            return f"{_OPEN}{expr.name}{_CLOSE}"
        return readable_name(expr.name)

    def _print_Mul(self, expr: sp.Mul) -> str:
        return super()._print_Mul(expr).replace("*", "·")

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, e = expr.as_base_exp()
        b = self.parenthesize(base, PRECEDENCE["Pow"], strict=False)
        bare = base.is_Integer or (self._template and base.is_Symbol)  # a value is filled in with its parentheses
        if e == sp.S.Half:
            return f"√{self._print(base)}" if bare else f"√({self._print(base)})"
        if e == -sp.S.Half:
            return f"1/√{self._print(base)}" if bare else f"1/√({self._print(base)})"
        if e == -1:
            return f"1/{b}"
        if e.is_Integer:
            return b + str(int(e)).translate(SUPERSCRIPT)
        return f"{b}^({self._print(e)})"

    def _print_Max(self, expr) -> str:
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr) -> str:
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_ceiling(self, expr) -> str:
        return f"⌈{self._print(expr.args[0])}⌉"

    def _print_floor(self, expr) -> str:
        return f"⌊{self._print(expr.args[0])}⌋"

    def _print_Abs(self, expr) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_log(self, expr) -> str:
        return f"ln({self._print(expr.args[0])})"

    def _print_exp(self, expr) -> str:
        return f"exp({self._print(expr.args[0])})"

    def _print_Infinity(self, expr) -> str:
        return "∞"

    def _print_Relational(self, expr) -> str:
        op = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "==": "=", "!=": "≠"}[expr.rel_op]
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    def _print_And(self, expr) -> str:
        return " and ".join(self.parenthesize(a, PRECEDENCE["And"]) for a in expr.args)

    def _print_Or(self, expr) -> str:
        return " or ".join(self.parenthesize(a, PRECEDENCE["Or"]) for a in expr.args)

    def _print_Not(self, expr) -> str:
        return "not " + self.parenthesize(expr.args[0], PRECEDENCE["Not"])

    def _print_BooleanTrue(self, expr) -> str:
        return "always"

    def _print_BooleanFalse(self, expr) -> str:
        return "never"

    def _print_Piecewise(self, expr) -> str:
        parts = [f"{self._print(e)} otherwise" if c == sp.true else f"{self._print(e)} if {self._print(c)}"
                 for e, c in expr.args]
        return "{" + "; ".join(parts) + "}"

    def _print_Function(self, expr) -> str:
        return type(expr).__name__ + "(" + ", ".join(self._print(a) for a in expr.args) + ")"


def text(expr: sp.Basic) -> str:
    return TextPrinter().doprint(expr)


def template(expr: sp.Basic) -> str:
    """The text form as a ``str.format`` template: literal braces doubled, symbols as ``{name}``."""
    raw = TextPrinter(template=True).doprint(expr)
    return raw.replace("{", "{{").replace("}", "}}").replace(_OPEN, "{").replace(_CLOSE, "}")


def _latex(expr: sp.Basic) -> str:
    from .trace import to_latex

    return to_latex(expr)


def _branch_node(expr: sp.Basic) -> sp.Basic | None:
    for n in sp.preorder_traversal(expr):
        if isinstance(n, (sp.Max, sp.Min, sp.Piecewise)):
            return n
    return None


def equation_entry(eq, code: Callable[[sp.Basic], str]) -> tuple[dict, str | None]:
    """The generated dict of one equation, and (for Max/Min) the source of its branch-value function."""
    rhs = eq.numeric_rhs()
    entry = {"lhs": eq.lhs, "title": eq.title, "text": text(rhs), "latex": _latex(rhs), "sympy": str(rhs),
             "sub": template(rhs), "cites": tuple((c.bibkey, c.locator) for c in eq.cites),
             "regimes": tuple(eq.regimes), "kind": "", "top": False, "branches": ()}
    node = _branch_node(rhs)
    fn = None
    if node is None:
        return entry, fn
    entry["top"] = node == rhs
    if isinstance(node, sp.Piecewise):
        entry["kind"] = "piecewise"
        branches = []
        for e, c in node.args:
            whole = rhs.xreplace({node: e})
            otherwise = c == sp.true
            branches.append({"text": text(e), "latex": _latex(e), "sub": template(whole),
                             "cond": "" if otherwise else text(c), "cond_latex": "" if otherwise else _latex(c),
                             "cond_sub": "" if otherwise else template(c)})
        entry["branches"] = tuple(branches)
        return entry, fn
    entry["kind"] = "max" if isinstance(node, sp.Max) else "min"
    args = eq.numeric_branches() or node.args
    entry["branches"] = tuple({"text": text(a), "latex": _latex(a), "sub": template(rhs), "cond": "",
                               "cond_latex": "", "cond_sub": ""} for a in args)
    names = sorted({s.name for a in args for s in a.free_symbols})
    fn = f"lambda {', '.join(names)}{', ' if names else ''}**_: ({', '.join(code(a) for a in args)},)"
    return entry, fn


def generate(code: Callable[[sp.Basic], str], header: list[str]) -> str:
    load_all()
    out = list(header)
    values = []
    out.append("# equation id: readable forms (see mlsysim_sym.codegen_text)")
    out.append("EQUATIONS = {")
    for eid in sorted(EQUATIONS):
        entry, fn = equation_entry(EQUATIONS[eid], code)
        out.append(f"    {eid!r}: {entry!r},")
        if fn:
            values.append(f"    {eid!r}: {fn},")
    out.append("}")
    out.append("")
    out.append("# equation id: the value of each Max/Min branch, in the order of EQUATIONS[eid]['branches']")
    out.append("BRANCH_VALUES = {")
    out.extend(values)
    out.append("}")
    out.append("")
    out.append("# (number, name, domain, resolver, summary, equation ids, resolvers)")
    out.append("WALLS = (")
    for n in sorted(WALLS):
        w = WALLS[n]
        row = (w.number, w.name, w.domain, w.resolver, w.summary, tuple(e.id for e in w.equations),
               tuple(w.resolvers or (w.resolver,)))
        out.append(f"    {row!r},")
    out.append(")")
    return "\n".join(out) + "\n"
