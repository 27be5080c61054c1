"""Generate the numeric modules from the walls: one plain-Python function per computation (and its tangent).

Equations are written once, in SymPy; this module prints them as straight-line Python (``math`` only, no
SymPy or pint at run time) into ``mlsysim_sym/_generated/numeric.py``. For every ``Max``/``Min``/``Piecewise``
node it also emits the index of the branch that bound (``<lhs>__regime``), so results can say *which* wall
bound and why without re-deriving anything.

The file is committed (so ``eval`` imports no SymPy) and guarded: ``tests/test_codegen.py`` and
``mlsysim-sym check`` regenerate it and fail if it differs, and its ``REVISION`` (a hash of every equation's
``srepr``) is the *formula revision* stamped on every result.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from .walls import COEFFICIENTS, COMPUTATIONS, EQUATIONS, load_all
from .walls._core import computation_inputs, computation_outputs
from .walls._functions import NUMERIC

TARGET = Path(__file__).with_name("_generated") / "numeric.py"
TARGET_NP = Path(__file__).with_name("_generated") / "numeric_np.py"
CODEGEN_VERSION = "3"


class _Printer(PythonCodePrinter):
    """Python printer: ``math.`` functions, builtin max/min, exact rationals as floats."""

    def _print_Rational(self, expr: sp.Rational) -> str:
        return repr(float(expr)) if expr.q != 1 else str(expr.p)

    def _print_Half(self, expr) -> str:
        return "0.5"

    def _print_Function(self, expr) -> str:
        """A wall function with a numeric counterpart (``numeric = "erlang_c"``): ``_special.erlang_c(...)``."""
        fn = getattr(type(expr), "numeric", None)
        if fn is None:
            return super()._print_Function(expr)
        return f"_special.{fn}(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_LambertW(self, expr) -> str:
        if len(expr.args) > 1 and expr.args[1] != 0:
            raise ValueError("only the principal branch of LambertW is supported")
        return f"_special.lambertw0({self._print(expr.args[0])})"

    def _print_Infinity(self, expr) -> str:
        return "math.inf"

    def _print_Max(self, expr: sp.Max) -> str:
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr: sp.Min) -> str:
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"


def _code(expr: sp.Basic) -> str:
    return _Printer({"fully_qualified_modules": True, "strict": True}).doprint(expr)


def _branch_nodes(expr: sp.Basic) -> list[sp.Basic]:
    return [n for n in sp.preorder_traversal(expr) if isinstance(n, (sp.Max, sp.Min, sp.Piecewise))]


def _regime_code(node: sp.Basic, branches: tuple[sp.Expr, ...] = ()) -> str:
    if isinstance(node, sp.Piecewise):
        parts, last = [], len(node.args) - 1
        for i, (_, cond) in enumerate(node.args):
            if i == last and cond == sp.true:
                parts.append(str(i))
            else:
                parts.append(f"{i} if ({_code(cond)}) else ")
        code = "".join(parts)
        return code if code[-1].isdigit() else code + "-1"
    args = [_code(a) for a in (branches or node.args)]
    if len(args) == 2:  # the first (authored) argument wins ties
        op = ">=" if isinstance(node, sp.Max) else "<="
        return f"0 if ({args[0]}) {op} ({args[1]}) else 1"
    pick = "max" if isinstance(node, sp.Max) else "min"
    # first index whose value is the extreme: ties go to the first (authored) argument
    return f"(lambda _v: _v.index({pick}(_v)))(({', '.join(args)},))"


def _direct_deps(comp) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[tuple[str, ...], ...]]]:
    """Symbols each equation reads; for a top-level Piecewise, the symbols read when branch i binds
    (every condition up to i, and branch i's expression): the leaves a result really used."""
    direct: dict[str, tuple[str, ...]] = {}
    branch: dict[str, tuple[tuple[str, ...], ...]] = {}
    for eid in comp.order:
        eq = EQUATIONS[eid]
        rhs = eq.numeric_rhs()
        direct[eq.lhs] = tuple(sorted(s.name for s in rhs.free_symbols))
        if isinstance(rhs, sp.Piecewise):
            per: list[tuple[str, ...]] = []
            seen: set[str] = set()
            for expr, cond in rhs.args:
                seen |= {s.name for s in cond.free_symbols}
                per.append(tuple(sorted(seen | {s.name for s in expr.free_symbols})))
            branch[eq.lhs] = tuple(per)
    return direct, branch


def revision() -> str:
    load_all()
    h = hashlib.sha256(CODEGEN_VERSION.encode())
    for eid in sorted(EQUATIONS):
        eq = EQUATIONS[eid]
        h.update(f"{eid}|{eq.lhs}|{sp.srepr(eq.rhs)}\n".encode())
    for name in sorted(COEFFICIENTS):
        c = COEFFICIENTS[name]
        h.update(f"{name}|{sp.srepr(c.value)}|{c.unit}\n".encode())
    return h.hexdigest()[:12]


def _scalar_statements(lhs: str, rhs: sp.Basic, node: sp.Basic, branches: tuple[sp.Expr, ...]) -> list[str] | None:
    """The value and branch index of an equation as statements that evaluate each branch expression once.

    The first Max/Min/Piecewise node (the one whose branch is recorded) becomes an ``if``/``else`` block that
    sets a temporary and ``<lhs>__regime`` together; the rest of the right-hand side uses the temporary.
    Semantics are those of the expression form: a two-argument Max/Min keeps its first (authored) argument
    unless the second is strictly larger/smaller (as builtin max/min do); a Piecewise takes the first branch
    whose condition holds, evaluating only that branch. Other shapes return None (expression form)."""
    tmp = lhs if node == rhs else f"{lhs}__b"
    lines: list[str] = []
    if isinstance(node, sp.Piecewise):
        if node.args[-1][1] != sp.true:
            return None
        for i, (expr, cond) in enumerate(node.args):
            head = "else:" if cond == sp.true else f"{'if' if i == 0 else 'elif'} {_code(cond)}:"
            lines += [head, f"    {tmp} = {_code(expr)}", f"    {lhs}__regime = {i}"]
    elif len(node.args) == 2:
        first, second = branches or node.args
        op = ">" if isinstance(node, sp.Max) else "<"
        lines += [f"{lhs}__0 = {_code(first)}", f"{lhs}__1 = {_code(second)}",
                  f"if {lhs}__1 {op} {lhs}__0:", f"    {tmp} = {lhs}__1", f"    {lhs}__regime = 1",
                  "else:", f"    {tmp} = {lhs}__0", f"    {lhs}__regime = 0"]
    else:
        return None
    if tmp != lhs:
        lines.append(f"{lhs} = {_code(rhs.xreplace({node: sp.Symbol(tmp)}))}")
    return lines


def _guard(outputs: list[str]) -> list[str]:
    """The output check of a scalar function: every output non-negative and finite, unless its symbol is
    declared signed (may be negative) or unbounded (may be +inf in a regime the result flags). nan fails
    every comparison, so it is caught too. On failure :func:`mlsysim_sym.special.reject` names the output."""
    from .notation import SYMBOLS

    terms = []
    for o in outputs:
        row = SYMBOLS[o]
        lo = "-_inf < " if row.signed else "0 <= "
        hi = " <= _inf" if row.unbounded else " < _inf"
        terms.append(f"{lo}{o}{hi}")
    lines = ["    if not (" + terms[0]]
    lines += [f"            and {t}" for t in terms[1:]]
    lines[-1] += "):"
    return lines + ["        _special.reject(__name__, locals(), COMPUTATIONS[__name__])"]


def _function(name: str, fn: str, read_input: str, code, regime_code, doc_suffix: str = "",
              statements=None, guard: bool = False) -> list[str]:
    """Lines of one generated function: read inputs, the statements of each equation (and its branch index),
    return."""
    comp = COMPUTATIONS[name]
    lines = [f"def {fn}(v):", f'    """{comp.doc or name}{doc_suffix}"""']
    lines += [f"    {n} = {read_input.format(name=repr(n))}" for n in computation_inputs(comp)]
    regimes: list[str] = []
    for eid in comp.order:
        eq = EQUATIONS[eid]
        rhs = eq.numeric_rhs()
        nodes = _branch_nodes(rhs)
        if not nodes:
            lines.append(f"    {eq.lhs} = {code(rhs)}")
            continue
        branches = eq.numeric_branches()
        if branches and isinstance(nodes[0], (sp.Max, sp.Min)) and set(branches) != set(nodes[0].args):
            raise ValueError(f"{eid}: branches {branches} are not the args of {nodes[0]}")
        block = statements(eq.lhs, rhs, nodes[0], branches) if statements else None
        if block is None:
            lines.append(f"    {eq.lhs} = {code(rhs)}")
            lines.append(f"    {eq.lhs}__regime = {regime_code(nodes[0], branches)}")
        else:
            lines.extend("    " + ln for ln in block)
        regimes.append(eq.lhs)
    if guard:
        lines += [ln.replace("__name__", repr(name)) for ln in _guard(computation_outputs(comp))]
    items = ", ".join(f"{o!r}: {o}" for o in computation_outputs(comp))
    reg = ", ".join(f"{r!r}: {r}__regime" for r in regimes)
    lines += ["    return {" + items + "}, {" + reg + "}", ""]
    return lines


def scalar_header(kind: str, summary: str, rev: str) -> list[str]:
    """The opening lines of a generated plain-Python module (docstring, imports, REVISION)."""
    return ['"""GENERATED by mlsysim_sym.codegen from the SymPy walls — do not edit' + (f" ({kind})." if kind else "."),
            "", summary, '"""', "# fmt: off", "import math  # noqa: F401", "",
            "from mlsysim_sym import special as _special  # noqa: F401", "", "_inf = math.inf", f"REVISION = {rev!r}", ""]


def generate() -> str:
    """The full text of ``_generated/numeric.py`` (deterministic)."""
    load_all()
    out = scalar_header("", "Regenerate with `mlsysim-sym codegen`; tests fail when this file differs from a fresh "
                            "generation.", revision())
    meta = []
    for name in sorted(COMPUTATIONS):
        comp = COMPUTATIONS[name]
        ins = computation_inputs(comp)
        outs = computation_outputs(comp)
        fn = "c_" + name.replace(".", "__")
        out.extend(_function(name, fn, "v[{name}]", _code, _regime_code, statements=_scalar_statements,
                             guard=True))
        direct, branch = _direct_deps(comp)
        meta.append(f"    {name!r}: ({fn}, {tuple(ins)!r}, {tuple(outs)!r}, {direct!r}, "
                    f"{tuple(comp.order)!r}, {branch!r}),")
    out.append("# equation id: (lhs, title, ((bibkey, locator), ...), regime labels)")
    out.append("EQUATIONS = {")
    used = sorted({eid for c in COMPUTATIONS.values() for eid in c.order})
    for eid in used:
        eq = EQUATIONS[eid]
        cites = tuple((c.bibkey, c.locator) for c in eq.cites)
        out.append(f"    {eid!r}: ({eq.lhs!r}, {eq.title!r}, {cites!r}, {tuple(eq.regimes)!r}),")
    out.append("}")
    out.append("")
    out.append("# name: (function, inputs, outputs, lhs -> symbols its rhs reads, equation ids in order,")
    out.append("#        lhs -> per Piecewise branch the symbols read when that branch binds)")
    out.append("COMPUTATIONS = {")
    out.extend(meta)
    out.append("}")
    return "\n".join(out) + "\n"


def generate_symbols() -> str:
    """The text of ``_generated/symbols.py``: the symbol table the wall modules declare, as plain data (so that
    code which never imports SymPy can show units and names)."""
    from .walls._core import _DECLARED

    load_all()
    out = ['"""GENERATED by mlsysim_sym.codegen from the wall modules\' sym() declarations — do not edit."""',
           "# fmt: off", "# (name, latex, unit, description, display unit, integer, signed, unbounded)", "ROWS = ("]
    for name in sorted(_DECLARED):
        r = _DECLARED[name]
        out.append(f"    {(r.name, r.latex, r.unit, r.description, r.display_unit, r.integer, r.signed, r.unbounded)!r},")
    out.append(")")
    return "\n".join(out) + "\n"


def _targets(target: Path) -> tuple[tuple[Path, str], ...]:
    from . import codegen_tangent, codegen_text

    return ((target, generate()), (target.with_name("numeric_np.py"), generate_np()),
            (target.with_name("symbols.py"), generate_symbols()),
            (target.with_name("equation_text.py"),
             codegen_text.generate(_code, scalar_header("readable forms", "Each equation in Unicode and LaTeX, per "
                                                        "branch, for traces and `walls` without SymPy.",
                                                        revision()))),
            (target.with_name("tangent.py"),
             codegen_tangent.generate(_code, lambda kind, summary: scalar_header(kind, summary, revision()))))


def write(target: Path = TARGET) -> bool:
    """Write the scalar and NumPy modules and the symbol table; return True if any changed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    init = target.parent / "__init__.py"
    if not init.exists():
        init.write_text('"""Code generated from the walls (see mlsysim_sym.codegen)."""\n', encoding="utf-8")
    changed = False
    for path, text in _targets(target):
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            path.write_text(text, encoding="utf-8")
            changed = True
    return changed


def is_current(target: Path = TARGET) -> bool:
    return all(path.exists() and path.read_text(encoding="utf-8") == text for path, text in _targets(target))


# ---- vectorised (NumPy) variant: same trees, array semantics ------------------------------------------------
from sympy.printing.numpy import NumPyPrinter  # noqa: E402


class _NpPrinter(NumPyPrinter):
    """NumPy printer: pairwise maximum/minimum (broadcasting), select for Piecewise, vectorised specials."""

    def _pairwise(self, fn: str, expr: sp.Basic) -> str:
        args = [self._print(a) for a in expr.args]
        out = args[0]
        for a in args[1:]:
            out = f"numpy.{fn}({out}, {a})"
        return out

    def _print_Max(self, expr: sp.Max) -> str:
        return self._pairwise("maximum", expr)

    def _print_And(self, expr: sp.And) -> str:
        """Pairwise (broadcasting) rather than ``logical_and.reduce`` over a tuple, which fails when a scalar
        condition meets an array one."""
        return self._pairwise("logical_and", expr)

    def _print_Or(self, expr: sp.Or) -> str:
        return self._pairwise("logical_or", expr)

    def _print_Min(self, expr: sp.Min) -> str:
        return self._pairwise("minimum", expr)

    def _print_Function(self, expr) -> str:
        fn = getattr(type(expr), "numeric", None)
        if fn is None:
            return super()._print_Function(expr)
        return f"_{fn}(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_LambertW(self, expr) -> str:
        return f"_lambertw0({self._print(expr.args[0])})"

    def _print_Rational(self, expr: sp.Rational) -> str:
        return repr(float(expr)) if expr.q != 1 else str(expr.p)


def _np_code(expr: sp.Basic) -> str:
    return _NpPrinter({"fully_qualified_modules": True, "strict": True}).doprint(expr)


def _np_regime(node: sp.Basic, branches: tuple[sp.Expr, ...]) -> str:
    if isinstance(node, sp.Piecewise):
        conds = ", ".join(_np_code(c) if c != sp.true else "True" for _, c in node.args)
        idx = ", ".join(str(i) for i in range(len(node.args)))
        return f"numpy.select(numpy.broadcast_arrays({conds}), [{idx}], default=-1)"
    args = [_np_code(a) for a in (branches or node.args)]
    if len(args) == 2:
        op = ">=" if isinstance(node, sp.Max) else "<="
        return f"numpy.where(({args[0]}) {op} ({args[1]}), 0, 1)"
    stack = ", ".join(args)
    fn = "argmax" if isinstance(node, sp.Max) else "argmin"
    return f"numpy.{fn}(numpy.broadcast_arrays({stack}), axis=0)"


def generate_np() -> str:
    """The text of ``_generated/numeric_np.py``: the same computations on NumPy arrays (broadcasting)."""
    load_all()
    out = [
        '"""GENERATED by mlsysim_sym.codegen from the SymPy walls — do not edit (vectorised variant).',
        "",
        "Every input may be a NumPy array; inputs broadcast together. Used by Engine.sweep_grid.",
        '"""',
        "# fmt: off",
        "import numpy",
        "",
        "from mlsysim_sym import special as _special",
        "",
        "_lambertw0 = numpy.vectorize(_special.lambertw0, otypes=[float])",
        *(f"_{fn} = numpy.vectorize(_special.{fn}, otypes=[float])" for fn in sorted(NUMERIC)),
        "",
        f"REVISION = {revision()!r}",
        "",
    ]
    names = []
    for name in sorted(COMPUTATIONS):
        fn = "c_" + name.replace(".", "__")
        names.append((name, fn))
        out.extend(_function(name, fn, "numpy.asarray(v[{name}], dtype=float)", _np_code, _np_regime, " (arrays)"))
    out.append("COMPUTATIONS = {")
    out.extend(f"    {n!r}: {fn}," for n, fn in names)
    out.append("}")
    return "\n".join(out) + "\n"
