"""Exporters ``book`` and ``bibliography``: a standalone ``book.tex`` that inputs every equation, table, figure,
hand-calculation and value macro (one ``chapters/<topic>.tex`` per derivation module), ``bibliography.tex`` (a
``thebibliography`` of exactly the keys the LaTeX cites, so one ``pdflatex`` pass pair resolves every citation
without BibTeX) and ``references.bib`` (the BibTeX entries of exactly the keys any export cites, ``\\cite`` or
``[@key]``)."""
from __future__ import annotations

import re
from typing import Any

from .equations import equation_ids, label_of
from .registry import ExportContext, exporter, stamp
from .texutil import tex_escape

CITE_TEX = re.compile(r"\\cite\{([^}]*)\}")
CITE_MD = re.compile(r"\[@([A-Za-z0-9_:.\-]+)\]")


def _head(ctx: ExportContext) -> str:
    c = ctx.common
    return "% " + stamp(c)


def _first_paragraph(doc: str) -> str:
    return " ".join(doc.split("\n\n")[0].split())


def chapter(ctx: ExportContext, topic: Any) -> str:
    from .valuefiles import records

    recs = [r for r in records(ctx) if r["topic"] == topic.slug]
    out = [_head(ctx), f"\\section{{{tex_escape(topic.title)}}}\\label{{sec:{topic.slug}}}",
           tex_escape(_first_paragraph(topic.doc)), ""]
    if recs:
        out += ["\\subsection*{Values}", "\\begin{itemize}"]
        for r in recs:
            unit = f"\\MlsysUnit{{{tex_escape(r['unit'])}}}" if r["unit"] else ""
            ref = f" (Eq.~\\eqref{{eq:{label_of(r['equation'])}}})" if r["equation"] else ""
            out.append(f"  \\item {tex_escape(r['description'])}: $\\Mlsys{r['name']}{unit}${ref}"
                       f" \\hfill\\texttt{{Mlsys{r['name']}}}")
        out += ["\\end{itemize}", ""]
    for label, _caption in [t for t in ctx.cache.get("tables", []) if t[0].startswith(topic.slug + "-")]:
        out.append(f"\\input{{tables/{label}}}")
    for name, caption, slug in ctx.cache.get("figures", []):
        if slug != topic.slug:
            continue
        out += ["\\begin{figure}[htbp]", "  \\centering",
                f"  \\includegraphics[width=0.92\\linewidth]{{figures/{name}.pdf}}",
                f"  \\caption{{{tex_escape(caption)}}}\\label{{fig:{name}}}", "\\end{figure}"]
    if recs:
        out += ["", "\\subsection*{Hand calculations}"]
        for r in recs:
            out += [f"\\paragraph{{{tex_escape(r['description'])}}}", f"\\input{{handcalc/{r['name']}}}"]
    return "\n".join(out) + "\n"


@exporter("book")
def export_book(ctx: ExportContext, files: dict[str, Any]) -> dict[str, Any]:
    """book.tex and chapters/<topic>.tex: every equation, table, figure, hand-calculation and value macro."""
    from .. import __version__

    out: dict[str, Any] = {}
    for topic in ctx.topics:
        out[f"chapters/{topic.slug}.tex"] = chapter(ctx, topic)
    c = ctx.common
    title = "MLSys$\\cdot$im: the book's numbers" if ctx.full else f"MLSys$\\cdot$im: {tex_escape(ctx.topics[0].title)}"
    lines = [_head(ctx), "% Compile: pdflatex book && pdflatex book (thebibliography: no BibTeX run needed).",
             "\\documentclass[10pt,a4paper]{article}", "\\usepackage[margin=2cm]{geometry}", "\\input{preamble}",
             "\\input{values}", "\\begin{document}", f"\\title{{{title}}}",
             f"\\author{{mlsysim-sym {tex_escape(__version__)}}}",
             f"\\date{{catalogue {tex_escape(c['catalog_hash'])}, formulas {tex_escape(c['revision'])}, edition "
             f"{tex_escape(c['edition'])}}}", "\\maketitle", "\\tableofcontents", ""]
    tables = [t[0] for t in ctx.cache.get("tables", [])]
    zoo = [t for t in ("zoo-silicon", "zoo-models", "deviations") if t in tables]
    if zoo:
        lines += ["\\section{The catalogue}"] + [f"\\input{{tables/{t}}}" for t in zoo] + [""]
    lines += [f"\\input{{chapters/{t.slug}}}" for t in ctx.topics]
    eqs = equation_ids(ctx)
    if eqs:
        lines += ["", "\\section{Equations}"]
        for eid in eqs:
            lines.append(f"\\input{{equations/{label_of(eid)}}}")
    lines += ["", "\\input{bibliography}", "\\end{document}"]
    out["book.tex"] = "\n".join(lines) + "\n"
    return out


def cited_keys(files: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(keys cited by the LaTeX files, keys cited by any text file: ``\\cite{…}`` or ``[@…]``)."""
    tex: set[str] = set()
    anywhere: set[str] = set()
    for rel, content in files.items():
        if isinstance(content, bytes) or rel.startswith("figures/"):
            continue
        if rel.endswith(".tex"):
            for m in CITE_TEX.finditer(content):
                keys = {k.strip() for k in m.group(1).split(",") if k.strip()}
                tex |= keys
                anywhere |= keys
        if rel.endswith((".md", ".qmd")):
            anywhere |= set(CITE_MD.findall(content))
    return tex, anywhere


def _bib_entries() -> dict[str, str]:
    import bibtexparser

    from .. import paths

    lib = bibtexparser.parse_file(str(paths.bib_path()))
    return {e.key: e.raw.strip() for e in lib.entries}


def _plain(s: str) -> str:
    return " ".join(s.replace("{", "").replace("}", "").replace("\\&", "&").split())


@exporter("bibliography")
def export_bibliography(ctx: ExportContext, files: dict[str, Any]) -> dict[str, Any]:
    """bibliography.tex (thebibliography of the LaTeX citations) and references.bib (every cited entry)."""
    from ..catalog import catalog

    bib = catalog().bib
    tex_keys, all_keys = cited_keys(files)
    missing = sorted(k for k in all_keys if k not in bib)
    if missing:
        raise ValueError(f"the exports cite keys citations.bib lacks: {missing}")
    items = [_head(ctx), "\\begin{thebibliography}{99}"]
    for k in sorted(tex_keys):
        b = bib[k]
        author = _plain(str(b.get("author", ""))).replace(" and ", ", ")
        parts = [tex_escape(author) + (f" ({tex_escape(str(b.get('year', '')))})" if b.get("year") else "") + ".",
                 f"\\emph{{{tex_escape(_plain(str(b.get('title', k))))}}}."]
        for f in ("journal", "booktitle", "publisher"):
            if b.get(f):
                parts.append(tex_escape(_plain(str(b[f]))) + ".")
        if b.get("url"):
            url = str(b["url"]).replace("\\", "").replace("%", "\\%").replace("#", "\\#")
            parts.append(f"\\url{{{url}}}")
        items.append(f"\\bibitem{{{k}}} " + " ".join(parts))
    items.append("\\end{thebibliography}")
    raw = _bib_entries()
    head = _head(ctx).replace("% ", "% ", 1)
    bibtext = [head, f"% The {len(all_keys)} entries the exports cite (\\cite in LaTeX, [@key] in Markdown).", ""]
    bibtext += [raw[k] + "\n" for k in sorted(all_keys)]
    return {"bibliography.tex": "\n".join(items) + "\n", "references.bib": "\n".join(bibtext)}
