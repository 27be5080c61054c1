"""Exporter ``equations``: every wall equation as a LaTeX ``equation`` (``\\label{eq:…}``) and a Quarto partial
(``{#eq-…}``), plus ``preamble.tex``, the packages and definitions every exported LaTeX file needs."""
from __future__ import annotations

from typing import Any

from .registry import ExportContext, exporter, stamp
from .texutil import TeX

PACKAGES = (
    ("inputenc", "utf8", "UTF-8 input (the catalogue prints names with accents)"),
    ("textcomp", "", "\\textmu, \\texttimes and other text symbols in descriptions"),
    ("amsmath", "", "equation, align*, cases, \\operatorname, \\lvert, \\text (every equation and hand-calculation)"),
    ("amssymb", "", "\\geq-style relations and \\mathbb in conditions"),
    ("booktabs", "", "\\toprule/\\midrule/\\bottomrule in every table"),
    ("longtable", "", "tables longer than a page (the zoo tables)"),
    ("array", "", "p{} columns with ragged text"),
    ("graphicx", "", "\\includegraphics of the PDF figures"),
    ("url", "", "\\url in the bibliography"),
    ("hyperref", "hidelinks", "\\eqref/\\ref targets and links (load last)"),
)


def label_of(eid: str) -> str:
    return eid.replace(".", "-").replace("_", "-")


def equation_ids(ctx: ExportContext) -> list[str]:
    """All equations (full export) or those the chapter's values and hand-calculations use (``--only``)."""
    from ..walls import EQUATIONS

    if ctx.full:
        return sorted(EQUATIONS)
    from .valuefiles import records

    return sorted({r["equation"] for r in records(ctx) if r["equation"]})


@exporter("equations")
def export_equations(ctx: ExportContext, _files: dict[str, Any]) -> dict[str, Any]:
    """equations/<label>.tex and .qmd for every wall equation, and preamble.tex."""
    from . import _env
    from ..notation import SYMBOLS
    from ..trace import to_latex
    from ..walls import EQUATIONS, WALLS

    tex, md = _env(True), _env(False)
    owner = {eq.id: w for _, w in sorted(WALLS.items()) for eq in w.equations}
    files: dict[str, Any] = {}
    for eid in equation_ids(ctx):
        eq = EQUATIONS[eid]
        w = owner.get(eid)
        latex = f"{SYMBOLS[eq.lhs].latex} = {to_latex(eq.numeric_rhs())}"
        label = label_of(eq.id)
        c = {**ctx.common, "wall_number": w.number if w else "-",
             "wall_name": w.name if w else "resolver-level equation", "title": eq.title,
             "cites": [{"bibkey": c.bibkey, "locator": c.locator} for c in eq.cites], "latex": TeX(latex),
             "label": label}
        files[f"equations/{label}.tex"] = tex.get_template("equation.tex.j2").render(**c)
        files[f"equations/{label}.qmd"] = md.get_template("equation.qmd.j2").render(**c)
    files["preamble.tex"] = preamble(ctx)
    return files


def preamble(ctx: ExportContext) -> str:
    c = ctx.common
    lines = ["% " + stamp(c),
             "% The packages the exported LaTeX needs (\\input{preamble} after \\documentclass), one per line with why.",
             "% All are in TeX Live's latex-base and latex-recommended collections (Debian: texlive-latex-base,",
             "% texlive-latex-recommended)."]
    for name, opts, why in PACKAGES:
        opt = f"[{opts}]" if opts else ""
        lines.append(f"\\usepackage{opt}{{{name}}}% {why}")
    lines += [
        "% One macro per exported value is defined in values.tex (\\input{values}).",
        "\\providecommand{\\MlsysUnit}[1]{\\,\\text{#1}}% a unit after a value macro: $\\MlsysX\\MlsysUnit{ms}$",
        "\\newcolumntype{P}[1]{>{\\raggedright\\arraybackslash}p{#1}}% ragged text columns in tables",
    ]
    return "\n".join(lines) + "\n"
