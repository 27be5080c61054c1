"""The compiled book check and the Quarto artefacts: book.tex compiles with pdflatex (0 errors, 0 undefined
references or citations), every exported citation is in references.bib (and nothing else is), the Quarto files
parse, and ``{#eq-…}`` labels are unique and resolvable. Also: exporters registered by name, figures and their
data, determinism across PYTHONHASHSEED values, and ``export --only``."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from mlsysim_sym.export import render, run_export
from mlsysim_sym.export.book import cited_keys
from mlsysim_sym.export.registry import EXPORTERS, ORDER

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def files():
    return render()


def test_exporters_are_registered_by_name(files):
    assert tuple(EXPORTERS) and set(ORDER) == set(EXPORTERS)
    doc = json.loads(files["manifest.json"])
    assert [n for n, _doc in doc["exporters"]] == list(ORDER)
    kinds = {k.split("/")[0] for k in files if "/" in k}
    assert kinds == {"equations", "tables", "figures", "handcalc", "traces", "chapters"}
    for name in ("preamble.tex", "values.tex", "values.json", "_variables.yml", "book.tex", "bibliography.tex",
                 "references.bib"):
        assert name in files


def test_every_value_has_a_hand_calculation_and_both_traces(files):
    names = [v["name"] for v in json.loads(files["values.json"])["values"]]
    for n in names:
        assert f"handcalc/{n}.tex" in files and f"traces/{n}.md" in files and f"traces/{n}.json" in files
    hc = files["handcalc/RelLlamaThreeDaly.tex"]
    # symbolic, substituted with units, result (R3 of validation_sources.md: Daly 18.6 min)
    assert "\\begin{align*}" in hc and "\\tau_{\\text{Daly}} &=" in hc
    assert "\\left(3.0931\\,\\text{h}\\right)" in hc and "\\left(60\\,\\text{s}\\right)" in hc
    assert "&= 18.6\\,\\text{min}" in hc and "\\cite{daly2006higher}" in hc
    tr = json.loads(files["traces/ResnetAhundredLatency.json"])
    assert tr["trace"]["equations"] and tr["printed"] == "0.568"


def test_tables_cite_every_zoo_cell(files):
    md, tex, csv = (files[f"tables/zoo-silicon.{e}"] for e in ("md", "tex", "csv"))
    rows = [ln for ln in md.splitlines() if ln.startswith("| H100 |")]
    assert rows and rows[0].count("[@") == 4  # peak, memory, bandwidth, TDP
    assert "\\toprule" in tex and "\\cite{nvidia2021a100ds}" in tex
    assert "Peak [source]" in csv.splitlines()[1]
    assert "tables/deviations.md" in files and files["tables/deviations.csv"].count("\n") > 30


def test_references_bib_holds_exactly_the_cited_entries(files):
    import bibtexparser

    _tex, cited = cited_keys(files)
    lib = bibtexparser.parse_string(files["references.bib"])
    assert not lib.failed_blocks
    assert {e.key for e in lib.entries} == cited
    bibitems = set(re.findall(r"\\bibitem\{([^}]+)\}", files["bibliography.tex"]))
    assert bibitems == _tex


def test_quarto_artefacts_parse_and_labels_are_unique_and_resolvable(files):
    yaml.safe_load(files["_variables.yml"])
    labels = []
    for rel, text in files.items():
        if rel.endswith(".qmd"):
            labels += re.findall(r"\{#(eq-[A-Za-z0-9-]+)\}", text)
    assert labels and len(labels) == len(set(labels))
    md_tables = [t for rel, t in files.items() if rel.startswith("tables/") and rel.endswith(".md")]
    tbl = [m for t in md_tables for m in re.findall(r"\{#(tbl-[a-z0-9-]+)\}", t)]
    assert len(tbl) == len(set(tbl)) == len(md_tables)
    # every LaTeX \eqref / \ref / \input / \includegraphics resolves to an exported label or file
    tex_labels = {m for t in files.values() if isinstance(t, str) for m in re.findall(r"\\label\{([^}]+)\}", t)}
    for rel, t in files.items():
        if not rel.endswith(".tex"):
            continue
        for ref in re.findall(r"\\(?:eq)?ref\{([^}]+)\}", t):
            assert ref in tex_labels, (rel, ref)
        for inp in re.findall(r"\\input\{([^}]+)\}", t):
            assert f"{inp}.tex" in files, (rel, inp)
        for g in re.findall(r"\\includegraphics(?:\[[^]]*\])?\{([^}]+)\}", t):
            assert g in files, (rel, g)


def test_figures_have_their_data_beside_them(files):
    figs = sorted({k.rsplit(".", 1)[0] for k in files if k.startswith("figures/")})
    assert len(figs) >= 8
    for f in figs:
        assert files[f"{f}.svg"].startswith("<?xml") and files[f"{f}.pdf"][:5] == b"%PDF-"
        assert files[f"{f}.csv"].count("\n") > 2
        assert b"CreationDate" not in files[f"{f}.pdf"] and "<dc:date>" not in files[f"{f}.svg"]


def _export_with_seed(seed: str, out: Path) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    r = subprocess.run([sys.executable, "-m", "mlsysim_sym", "export", "--dir", str(out)], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_export_is_byte_identical_across_hash_seeds_and_equals_the_committed_tree(tmp_path):
    t = time.perf_counter()
    a = _export_with_seed("0", tmp_path / "a")
    elapsed = time.perf_counter() - t
    b = _export_with_seed("12345", tmp_path / "b")
    assert a == b
    committed = {p.relative_to(ROOT / "book_exports").as_posix(): p.read_bytes()
                 for p in (ROOT / "book_exports").rglob("*") if p.is_file()}
    assert set(a) == set(committed)
    assert elapsed < 30, f"full export took {elapsed:.1f} s"


def test_only_one_chapter(tmp_path):
    assert run_export(str(tmp_path / "ch"), only="reliability") == []
    names = {p.relative_to(tmp_path / "ch").as_posix() for p in (tmp_path / "ch").rglob("*") if p.is_file()}
    assert "chapters/reliability.tex" in names and "figures/reliability-goodput.pdf" in names
    assert not any(n.startswith("chapters/") and n != "chapters/reliability.tex" for n in names)
    assert "tables/zoo-silicon.tex" not in names
    full = render()
    for n in names:
        if n.startswith(("figures/", "handcalc/", "traces/", "tables/")):
            assert (tmp_path / "ch" / n).read_bytes() == (full[n] if isinstance(full[n], bytes)
                                                         else full[n].encode()), n
    from mlsysim_sym.errors import MlsysimError

    with pytest.raises(MlsysimError, match="unknown topic"):
        render(only="nonesuch")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (CI installs it: .ci/run)")
def test_book_compiles_with_pdflatex_without_errors_or_undefined_references(tmp_path):
    out = tmp_path / "book"
    assert run_export(str(out)) == []
    t = time.perf_counter()
    for _ in range(3):  # longtable settles its column widths on the third pass
        r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "book.tex"], cwd=out,
                           capture_output=True, text=True, errors="replace", timeout=300)
        assert r.returncode == 0, r.stdout[-3000:]
    elapsed = time.perf_counter() - t
    log = (out / "book.log").read_text(encoding="latin-1")
    assert not re.search(r"^! ", log, re.M), log[-3000:]
    undefined = [ln for ln in log.splitlines() if re.search(r"undefined|Undefined", ln)]
    assert not undefined, undefined[:10]
    assert "Rerun to get" not in log
    pages = int(re.search(r"Output written on book\.pdf \((\d+) pages", log).group(1))
    assert pages > 20
    print(f"\nbook.pdf: {pages} pages, 3 pdflatex passes in {elapsed:.1f} s")
