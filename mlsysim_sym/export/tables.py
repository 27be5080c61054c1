"""Exporter ``tables``: Markdown (``[@bibkey]`` per cited cell), CSV (a source column beside each cited column)
and LaTeX (booktabs, ``\\cite{bibkey}`` per cited cell) of the Silicon Zoo and Model Zoo (every printed catalogue
value with its citation), the deviations from mlsysim 0.3.0, and each derivation's ``TABLES``."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from .registry import ExportContext, exporter, stamp
from .spec import Cited, TableData
from .texutil import tex_escape

DASH = "—"


def _header(ctx: ExportContext, comment: str) -> str:
    c = ctx.common
    return f"{comment} {stamp(c)}"


def cell_text(cell: Any) -> str:
    if isinstance(cell, Cited):
        return cell.text
    if isinstance(cell, float):
        from .values import format_number

        return format_number(cell, 4).replace("{,}", ",").replace("\\times 10^{", "e").rstrip("}")
    return str(cell)


def to_markdown(ctx: ExportContext, caption: str, label: str, t: TableData) -> str:
    def md(cell: Any) -> str:
        text = cell_text(cell).replace("|", "\\|")
        if isinstance(cell, Cited) and cell.bibkey:
            text += f" [@{cell.bibkey}]"
        return text

    lines = [f"<!-- {_header(ctx, '').strip()} -->", "", f": {caption} {{#tbl-{label}}}", "",
             "| " + " | ".join(c.replace("|", "\\|") for c in t.columns) + " |",
             "|" + "|".join(":---" if a == "l" or a.startswith("p") else "---:" for a in _align(t)) + "|"]
    lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in t.rows]
    if t.note:
        lines += ["", t.note]
    return "\n".join(lines) + "\n"


def to_csv(ctx: ExportContext, t: TableData) -> str:
    cited_cols = [i for i in range(len(t.columns)) if any(isinstance(r[i], Cited) and r[i].bibkey for r in t.rows)]
    header: list[str] = []
    for i, c in enumerate(t.columns):
        header.append(c)
        if i in cited_cols:
            header.append(f"{c} [source]")
    buf = io.StringIO()
    buf.write(_header(ctx, "#") + "\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in t.rows:
        out: list[str] = []
        for i, cell in enumerate(row):
            out.append(cell_text(cell))
            if i in cited_cols:
                out.append(f"{cell.bibkey}: {cell.locator}" if isinstance(cell, Cited) and cell.bibkey else "")
        w.writerow(out)
    return buf.getvalue()


def _align(t: TableData) -> list[str]:
    if t.align:
        return re.findall(r"p[0-9.]+cm|[lrc]", t.align)
    return ["l"] + ["r"] * (len(t.columns) - 1)


def to_latex(ctx: ExportContext, caption: str, label: str, t: TableData) -> str:
    def tex(cell: Any) -> str:
        text = tex_escape(cell_text(cell))
        if isinstance(cell, Cited) and cell.bibkey:
            text += f"~\\cite{{{cell.bibkey}}}"
        return text

    spec = "".join(f"P{{{a[1:]}}}" if a.startswith("p") else a for a in _align(t))
    head = " & ".join(f"\\textbf{{{tex_escape(c)}}}" for c in t.columns) + r" \\"
    lines = [_header(ctx, "%"), f"% {len(t.rows)} rows; needs booktabs, longtable, array (preamble.tex)",
             "{\\scriptsize" if len(t.columns) >= 7 else "{\\small",
             "\\setlength{\\tabcolsep}{3pt}" if len(t.columns) >= 7 else "\\setlength{\\tabcolsep}{4pt}", f"\\begin{{longtable}}{{{spec}}}",
             f"\\caption{{{tex_escape(caption)}}}\\label{{tab:{label}}}\\\\", "\\toprule", head, "\\midrule",
             "\\endfirsthead", "\\toprule", head, "\\midrule", "\\endhead", "\\bottomrule", "\\endfoot"]
    lines += [" & ".join(tex(c) for c in row) + r" \\" for row in t.rows]
    lines += ["\\end{longtable}"]
    if t.note:
        lines += [f"\\par\\footnotesize {tex_escape(t.note)}\\par"]
    lines += ["}"]
    return "\n".join(lines) + "\n"


def table_files(ctx: ExportContext, label: str, caption: str, t: TableData) -> dict[str, str]:
    for row in t.rows:
        if len(row) != len(t.columns):
            raise ValueError(f"table {label}: a row has {len(row)} cells for {len(t.columns)} columns")
    listed = ctx.cache.setdefault("tables", [])
    listed.append((label, caption))
    return {f"tables/{label}.md": to_markdown(ctx, caption, label, t), f"tables/{label}.csv": to_csv(ctx, t),
            f"tables/{label}.tex": to_latex(ctx, caption, label, t)}


# ---- the zoo tables ---------------------------------------------------------------------------------------------

def _cited(ent: Any, field: str) -> Any:
    c = ent.values.get(field)
    if c is None:
        return DASH
    return Cited(c.printed, c.bibkey, c.locator)


def silicon_zoo() -> TableData:
    from ..catalog import catalog

    rows = []
    for e in sorted(catalog().of_kind("hardware"), key=lambda e: (e.category, e.key)):
        prec = str(e.attrs.get("headline_precision", "fp16"))
        peak = _cited(e, f"peak.{prec}")
        rows.append([e.key, e.category, f"{prec}", peak, _cited(e, "memory.capacity"), _cited(e, "memory.bandwidth"),
                     _cited(e, "tdp")])
    return TableData(["Device", "Class", "Precision", "Peak", "Memory", "Memory bandwidth", "TDP"], rows,
                     align="lllrrrr",
                     note="Every value as printed by its source (the catalogue's units); peak at the device's "
                          "headline precision, dense unless the precision says sparse.")


def model_zoo() -> TableData:
    from ..catalog import catalog

    rows = []
    for e in sorted(catalog().of_kind("model"), key=lambda e: (e.category, e.key)):
        rows.append([e.key, e.category, _cited(e, "params"), _cited(e, "layers"), _cited(e, "hidden"),
                     _cited(e, "heads"), _cited(e, "kv_heads"), _cited(e, "context")])
    return TableData(["Model", "Class", "Parameters", "Layers", "Hidden", "Heads", "KV heads", "Context"], rows,
                     align="llrrrrrr", note="Architectural values as printed by each model's paper or card.")


def deviations_path() -> Path:
    from .. import paths

    root = paths.checkout_root()
    if root is not None and (root / "docs" / "deviations.toml").is_file():
        return root / "docs" / "deviations.toml"
    return paths.PACKAGE_DIR / "_data" / "deviations.toml"


def deviations() -> TableData:
    import tomllib

    doc = tomllib.loads(deviations_path().read_text(encoding="utf-8"))
    rows = [[d["id"], d["what"], d.get("mlsysim", ""), Cited(d.get("ours", ""), d.get("cite", ""), "")]
            for d in doc.get("model", [])]
    return TableData(["Deviation", "What", "mlsysim 0.3.0", "Here"], rows, align="p3.2cmp6cmp3cmp3cm",
                     note="docs/deviations.toml; why each holds, and how parity tests recognise it, is there.")


@exporter("tables")
def export_tables(ctx: ExportContext, _files: dict[str, Any]) -> dict[str, Any]:
    """tables/<name>.{md,csv,tex}: the zoo tables, the deviations, and each derivation's TABLES."""
    files: dict[str, Any] = {}
    if ctx.full:
        files.update(table_files(ctx, "zoo-silicon", "The Silicon Zoo: catalogued accelerators", silicon_zoo()))
        files.update(table_files(ctx, "zoo-models", "The Model Zoo: catalogued workloads", model_zoo()))
        files.update(table_files(ctx, "deviations", "Deliberate deviations from mlsysim 0.3.0", deviations()))
    for topic in ctx.topics:
        for t in topic.tables:
            files.update(table_files(ctx, f"{topic.slug}-{t.name}", t.caption, t.build()))
    return files
