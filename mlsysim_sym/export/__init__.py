"""Book exports: equations, values, tables, figures, hand-calculations, traces, a compilable book, a manifest.

Everything under ``book_exports/`` is produced here by the exporters registered in
:mod:`mlsysim_sym.export.registry` (one module per kind), deterministically (sorted, no timestamps, ``\\n`` line
endings, figures with fixed fonts and metadata), each text file opening with a "GENERATED — do not edit" header that
names the catalogue hash, formula revision and edition. ``run_export(check=True)`` renders into memory and reports
every file that would change: CI fails on drift.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

import jinja2

from .. import __version__, paths
from .registry import EXPORTERS, ORDER, ExportContext, Topic, load_topics
from .texutil import TEX_SPECIALS, TeX, tex_escape  # noqa: F401 - re-exported
from .tree import GENERATED
from .values import BookValue

MANIFEST = "manifest.json"


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
    """Every ``VALUES`` of every module in the ``derivations`` folder (in chapter order)."""
    return [v for t in load_topics(folder) for v in t.values]


def _register() -> None:
    # import order is run order
    from . import equations, valuefiles, tables, figures, handcalc, traces, book  # noqa: F401


def topics(derivations: Path | None = None) -> list[Topic]:
    return load_topics(derivations or paths.derivations_dir())


_MEMO: dict[tuple, dict[str, Any]] = {}


def render(derivations: Path | None = None, only: str | None = None,
           progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Relative path -> file content (``str``, or ``bytes`` for PDF figures) of the whole export, or with ``only``
    of one chapter (a derivation module's name) as a standalone export. Memoised in the process on everything the
    export reads (derivation files and their times, edition, catalogue hash, formula revision)."""
    from .. import editions
    from ..evaluate import REVISION

    folder = derivations or paths.derivations_dir()
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                         for p in [*folder.glob("*.py"), *folder.glob("*.toml")])) if folder.is_dir() else ()
    key = (str(folder), stamp, only, editions.active().name, editions.active().catalog.hash, REVISION)
    if key not in _MEMO:
        _MEMO.clear()
        _MEMO[key] = _render(folder, only, progress)
    elif progress is not None:
        for name in ORDER:
            progress(name)
    return dict(_MEMO[key])


def _render(derivations: Path, only: str | None, progress: Callable[[str], None] | None) -> dict[str, Any]:
    from .. import editions
    from ..evaluate import REVISION
    from ..walls import load_all

    load_all()
    _register()
    common = {"catalog_hash": editions.active().catalog.hash, "revision": REVISION, "edition": editions.active().name,
              "version": __version__}
    all_topics = topics(derivations)
    if only is not None:
        chosen = [t for t in all_topics if only in (t.slug, t.stem)]
        if not chosen:
            from ..errors import MlsysimError

            raise MlsysimError(f"unknown topic {only!r}; the topics are: {', '.join(t.slug for t in all_topics)}")
        all_topics = chosen
    ctx = ExportContext(common, all_topics, only=None if only is None else all_topics[0].slug,
                        progress=progress or (lambda _s: None))
    files: dict[str, Any] = {}
    for name in ORDER:
        exp = EXPORTERS[name]
        ctx.progress(name)
        produced = exp.func(ctx, files)
        clash = set(produced) & set(files)
        if clash:
            raise ValueError(f"exporter {name!r} writes files another one wrote: {sorted(clash)[:5]}")
        files.update(produced)
    files[MANIFEST] = manifest(files, common, ctx)
    return files


def manifest(files: dict[str, Any], common: dict[str, str], ctx: ExportContext) -> str:
    doc = {"generated": GENERATED, "version": __version__, **common,
           "exporters": [[n, EXPORTERS[n].doc] for n in ORDER],
           "topics": [t.slug for t in ctx.topics],
           "files": {k: hashlib.sha256(_bytes(v)).hexdigest() for k, v in sorted(files.items())}}
    if "matplotlib" in ctx.cache:
        doc["matplotlib"] = ctx.cache["matplotlib"]
    return json.dumps(doc, indent=1, sort_keys=True) + "\n"


def _bytes(v: Any) -> bytes:
    return v if isinstance(v, bytes) else v.encode("utf-8")


def _equations_of(step: str) -> tuple[str, ...]:
    from .._generated import numeric

    return numeric.COMPUTATIONS[step][4]


def _lhs(eid: str) -> str:
    from .._generated import numeric

    return numeric.EQUATIONS[eid][0]


def default_target(only: str | None = None) -> Path:
    """``book_exports/`` of the checkout; from an installed package, ``book_exports/`` in the current folder. With
    ``only``, ``book_exports-<topic>/`` beside it (a standalone chapter; the full export is left alone)."""
    root = paths.checkout_root()
    base = root if root is not None else Path.cwd()
    return base / ("book_exports" if only is None else f"book_exports-{only.replace('_', '-')}")


def run_export(target: str | None = None, check: bool = False, only: str | None = None,
               progress: Callable[[str], None] | None = None) -> list[str]:
    """Write (or, with ``check``, compare) the export into ``target`` (default :func:`default_target`); return
    the drift problems (empty when current). Writing follows :mod:`mlsysim_sym.export.tree`: only into a folder
    export owns, atomically, never removing anything it did not write."""
    from .tree import target_path, write_tree

    out = target_path(target if target is not None else default_target(only))
    files = render(only=only, progress=progress)
    if check:
        return drift(out, files)
    write_tree(out, files)
    return []


FIGURE_BINARY = (".svg", ".pdf")


def drift(out: Path, files: dict[str, Any]) -> list[str]:
    """What differs between ``files`` and the folder ``out`` (missing, differing and unexpected files), as lines.
    :func:`mlsysim_sym.export.explain.compare` says, value by value, why."""
    if not out.is_dir():
        return [f"missing: {out} does not exist"]
    return [f"{status}: {out.name}/{rel}" for status, rel in file_diffs(out, files)]


def file_diffs(out: Path, files: dict[str, Any]) -> list[tuple[str, str]]:
    """(status, relative path) for every file that differs between ``files`` and the folder ``out``: ``missing``
    (in ``files`` only), ``differs``, ``unexpected`` (in the folder only).

    Figure renders (``.svg``/``.pdf``) depend on the matplotlib version as well as on the data: when the folder's
    manifest records another matplotlib version than the one installed, they are compared through their data
    (the ``.csv`` beside each, always compared) and only their presence is checked."""
    from .tree import files_in

    other_mpl = _other_matplotlib(out, files)
    problems: list[tuple[str, str]] = []
    for rel, content in sorted(files.items()):
        path = out / rel
        try:
            current = path.read_bytes() if path.is_file() else None
        except OSError:
            current = b""
        if current is None:
            problems.append(("missing", rel))
            continue
        if other_mpl and rel.startswith("figures/") and rel.endswith(FIGURE_BINARY):
            continue
        if rel == MANIFEST and other_mpl:
            if _manifest_sans_figures(current) == _manifest_sans_figures(_bytes(content)):
                continue
        if current != _bytes(content):
            problems.append(("differs", rel))
    if out.is_dir():
        for rel in sorted(files_in(out) - set(files)):
            problems.append(("unexpected", rel))
    return problems


def _other_matplotlib(out: Path, files: dict[str, Any]) -> bool:
    try:
        theirs = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("matplotlib")
    except (OSError, ValueError, AttributeError):
        return False
    ours = json.loads(files[MANIFEST]).get("matplotlib") if MANIFEST in files else None
    return bool(theirs and ours and theirs != ours)


def _manifest_sans_figures(raw: bytes) -> Any:
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    doc.pop("matplotlib", None)
    doc["files"] = {k: v for k, v in doc.get("files", {}).items()
                    if not (k.startswith("figures/") and k.endswith(FIGURE_BINARY))}
    return doc
