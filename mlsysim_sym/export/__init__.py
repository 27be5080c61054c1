"""Book exports: LaTeX/Quarto equations, values.tex/values.json, one source trace per value, a manifest.

Everything under ``book_exports/`` is produced here, deterministically (sorted, no timestamps, ``\\n`` line
endings), and opens with a "GENERATED — do not edit" header naming the catalogue hash and formula revision.
``run_export(check=True)`` renders into memory and reports every file that would change: CI fails on drift.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import jinja2

from .. import __version__, paths
from .tree import GENERATED
from .values import BookValue

TEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


class TeX(str):
    """A string that is already valid LaTeX (printed without escaping)."""


def tex_escape(value: Any) -> Any:
    if isinstance(value, TeX) or not isinstance(value, str):
        return value
    return "".join(TEX_SPECIALS.get(ch, ch) for ch in value)


def _env(latex: bool) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(Path(__file__).with_name("templates")))
    if latex:
        return jinja2.Environment(
            loader=loader, block_start_string=r"\BLOCK{", block_end_string="}", variable_start_string=r"\VAR{",
            variable_end_string="}", comment_start_string=r"\#{", comment_end_string="}", trim_blocks=True,
            lstrip_blocks=True, keep_trailing_newline=True, autoescape=False, undefined=jinja2.StrictUndefined,
            finalize=tex_escape)
    return jinja2.Environment(loader=loader, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                              autoescape=False, undefined=jinja2.StrictUndefined)


def load_derivations(folder: Path) -> list[BookValue]:
    """Every ``VALUES`` of every module in the ``derivations`` folder (sorted by module name)."""
    values: list[BookValue] = []
    if not folder.is_dir():
        from ..errors import MlsysimError

        raise MlsysimError(f"{folder}: the book derivations folder is missing (a broken installation)")
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"derivations.{path.stem}", path)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        values.extend(getattr(mod, "VALUES", []))
    names = [v.name for v in values]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError(f"duplicate book value names: {sorted(dup)}")
    return values


def render(derivations: Path | None = None) -> dict[str, str]:
    """Relative path -> file text for the whole export."""
    from ..catalog import catalog
    from ..evaluate import REVISION
    from ..notation import SYMBOLS
    from ..trace import to_latex
    from ..walls import WALLS, load_all

    load_all()
    cat = catalog()
    from .. import editions

    common = {"catalog_hash": editions.active().catalog.hash, "revision": REVISION, "edition": editions.active().name}
    tex, md = _env(True), _env(False)
    files: dict[str, str] = {}
    from ..walls import EQUATIONS

    owner = {eq.id: w for _, w in sorted(WALLS.items()) for eq in w.equations}
    for eid in sorted(EQUATIONS):
        eq = EQUATIONS[eid]
        w = owner.get(eid)
        latex = f"{SYMBOLS[eq.lhs].latex} = {to_latex(eq.numeric_rhs())}"
        label = eq.id.replace(".", "-").replace("_", "-")
        ctx = {**common, "wall_number": w.number if w else "-", "wall_name": w.name if w else "resolver-level equation",
               "title": eq.title,
               "cites": [{"bibkey": c.bibkey, "locator": c.locator} for c in eq.cites],
               "latex": TeX(latex), "label": label}
        files[f"equations/{label}.tex"] = tex.get_template("equation.tex.j2").render(**ctx)
        files[f"equations/{label}.qmd"] = md.get_template("equation.qmd.j2").render(**ctx)
    records: list[dict[str, Any]] = []
    for bv in load_derivations(derivations or paths.derivations_dir()):
        value, printed, view = bv.evaluate()
        result = view.result
        spec = view.field(bv.field)
        sym = spec.symbol if spec.kind == "value" and spec.symbol else ""
        names = (sym,) if sym else None
        consts = result.constants_for(names)
        bibkeys = result.bibkeys_for(names)
        eq_id = next((eid for step in result.steps for eid in _equations_of(step) if _lhs(eid) == sym), "")
        records.append({"name": bv.name, "description": bv.description, "value": value, "unit": bv.unit,
                        "printed": printed, "si_value": float(result.values[sym]) if sym else value,
                        "si_unit": SYMBOLS[sym].unit if sym else "", "equation": eq_id, "inputs": consts,
                        "bibkeys": bibkeys, "computation": {"resolver": bv.computation.resolver,
                                                            **dict(bv.computation.args)}})
        bib = [cat.bib[k] for k in bibkeys if k in cat.bib]
        files[f"traces/{bv.name}.md"] = md.get_template("trace.md.j2").render(
            **common, name=bv.name, description=bv.description, printed=printed, unit=bv.unit, field=bv.field,
            equation=eq_id, trace=result.trace.to_markdown(), bib=bib)
    values_ctx = [{"macro": TeX("Mlsys" + r["name"]), "printed": TeX(r["printed"]),
                   "source": f"{r['description']} [{r['equation']}; {', '.join(r['bibkeys'])}]"}
                  for r in records]
    files["values.tex"] = tex.get_template("values.tex.j2").render(**common, values=values_ctx)
    files["_variables.yml"] = _variables_yml(records, common)
    files["values.json"] = json.dumps({"generated": GENERATED, **common,
                                       "values": records}, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    manifest = {"generated": GENERATED, "version": __version__, **common,
                "files": {k: hashlib.sha256(v.encode()).hexdigest() for k, v in sorted(files.items())}}
    files["manifest.json"] = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    return files


def _variables_yml(records: list[dict[str, Any]], common: dict[str, str]) -> str:
    """Quarto project variables: ``{{< var mlsys.ResnetAhundredLatency >}}`` → ``0.568 ms``."""
    import yaml

    body = {"mlsys": {r["name"]: f"{r['printed'].replace('{,}', ',')} {r['unit']}".strip() for r in records}}
    head = (f"# GENERATED by mlsysim-sym export — do not edit. catalogue {common['catalog_hash']}, "
            f"formulas {common['revision']}, edition {common['edition']}\n")
    return head + yaml.safe_dump(body, sort_keys=True, allow_unicode=True, default_flow_style=False)


def _equations_of(step: str) -> tuple[str, ...]:
    from .._generated import numeric

    return numeric.COMPUTATIONS[step][4]


def _lhs(eid: str) -> str:
    from .._generated import numeric

    return numeric.EQUATIONS[eid][0]


def default_target() -> Path:
    """``book_exports/`` of the checkout; from an installed package, ``book_exports/`` in the current folder."""
    root = paths.checkout_root()
    return (root if root is not None else Path.cwd()) / "book_exports"


def run_export(target: str | None = None, check: bool = False) -> list[str]:
    """Write (or, with ``check``, compare) the export into ``target`` (default :func:`default_target`); return
    the drift problems (empty when current). Writing follows :mod:`mlsysim_sym.export.tree`: only into a folder
    export owns, atomically, never removing anything it did not write."""
    from .tree import target_path, write_tree

    out = target_path(target if target is not None else default_target())
    files = render()
    if check:
        return drift(out, files)
    write_tree(out, files)
    return []


def drift(out: Path, files: dict[str, str]) -> list[str]:
    """What differs between ``files`` and the folder ``out`` (missing, differing and unexpected files)."""
    if not out.is_dir():
        return [f"missing: {out} does not exist"]
    from .tree import files_in

    problems: list[str] = []
    for rel, text in sorted(files.items()):
        path = out / rel
        try:
            current = path.read_text(encoding="utf-8") if path.is_file() else None
        except (OSError, UnicodeDecodeError):
            current = ""
        if current != text:
            problems.append(f"{'missing' if current is None else 'differs'}: {out.name}/{rel}")
    for rel in sorted(files_in(out) - set(files)):
        problems.append(f"unexpected: {out.name}/{rel}")
    return problems
