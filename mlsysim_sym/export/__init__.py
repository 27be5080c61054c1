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


def load_derivations(root: Path) -> list[BookValue]:
    """Every ``VALUES`` of every module in ``derivations/`` (sorted by module name)."""
    values: list[BookValue] = []
    folder = root / "derivations"
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


def render(root: Path | None = None) -> dict[str, str]:
    """Relative path -> file text for the whole export."""
    from ..catalog import catalog
    from ..evaluate import REVISION
    from ..notation import SYMBOLS
    from ..trace import to_latex
    from ..walls import WALLS, load_all

    root = root or paths.repo_root()
    load_all()
    cat = catalog()
    common = {"catalog_hash": cat.hash, "revision": REVISION}
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
    for bv in load_derivations(root):
        value, printed, view = bv.evaluate()
        result = view.result
        sym = type(view)._FIELDS[bv.field][0] if bv.field in type(view)._FIELDS else ""
        names = (sym,) if sym else None
        leaves = result.leaves(names)
        consts = sorted(result.refs[s].split(":", 1)[1] for s in leaves
                        if result.refs.get(s, "").startswith(("const:", "half:")))
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
    files["values.json"] = json.dumps({"generated": "by mlsysim-sym export; do not edit", **common,
                                       "values": records}, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    manifest = {"generated": "by mlsysim-sym export; do not edit", "version": __version__, **common,
                "files": {k: hashlib.sha256(v.encode()).hexdigest() for k, v in sorted(files.items())}}
    files["manifest.json"] = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    return files


def _variables_yml(records: list[dict[str, Any]], common: dict[str, str]) -> str:
    """Quarto project variables: ``{{< var mlsys.ResnetAhundredLatency >}}`` → ``0.568 ms``."""
    import yaml

    body = {"mlsys": {r["name"]: f"{r['printed'].replace('{,}', ',')} {r['unit']}".strip() for r in records}}
    head = (f"# GENERATED by mlsysim-sym export — do not edit. catalogue {common['catalog_hash']}, "
            f"formulas {common['revision']}\n")
    return head + yaml.safe_dump(body, sort_keys=True, allow_unicode=True, default_flow_style=False)


def _equations_of(step: str) -> tuple[str, ...]:
    from .._generated import numeric

    return numeric.COMPUTATIONS[step][4]


def _lhs(eid: str) -> str:
    from .._generated import numeric

    return numeric.EQUATIONS[eid][0]


def run_export(target: str | None = None, check: bool = False) -> list[str]:
    """Write (or, with ``check``, compare) the export; return the drift problems (empty when current)."""
    root = paths.repo_root()
    out = Path(target) if target else root / "book_exports"
    files = render(root)
    problems: list[str] = []
    existing = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} if out.is_dir() else set()
    for rel, text in sorted(files.items()):
        path = out / rel
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            problems.append(f"{'missing' if current is None else 'differs'}: {out.name}/{rel}")
    for rel in sorted(existing - set(files)):
        problems.append(f"unexpected: {out.name}/{rel}")
    if check:
        return problems
    # write everything to a temporary sibling, then swap: nothing half-written on failure
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    for rel, text in files.items():
        p = tmp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8", newline="\n")
    if out.exists():
        import shutil

        shutil.rmtree(out)
    tmp.rename(out)
    return []
