"""Exporters registered by name, and the context they share.

Each exporter is a function ``(ctx, files so far) -> {relative path: text or bytes}`` registered with
:func:`exporter`; the export runs them in ``ORDER`` (equations, values, tables, figures, hand-calculations, traces, book,
bibliography) and then writes the manifest. ``mlsysim-sym export`` runs all of them; ``--only TOPIC`` runs them on
one derivation module (one chapter).
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .spec import BookFigure, BookTable
from .values import BookValue

Files = dict[str, "str | bytes"]


@dataclass(frozen=True)
class Exporter:
    name: str
    func: Callable[["ExportContext"], Files]
    doc: str


EXPORTERS: dict[str, Exporter] = {}
# run order: the bibliography scans what every other exporter cites, the book inputs what they wrote
ORDER = ("equations", "values", "tables", "figures", "handcalc", "traces", "book", "bibliography")


def exporter(name: str) -> Callable[[Callable[["ExportContext"], Files]], Callable[["ExportContext"], Files]]:
    """Register ``func`` as the exporter ``name`` (names are unique; registration order is run order)."""

    def deco(func: Callable[["ExportContext"], Files]) -> Callable[["ExportContext"], Files]:
        if name in EXPORTERS and EXPORTERS[name].func is not func:
            raise ValueError(f"exporter {name!r} registered twice")
        EXPORTERS[name] = Exporter(name, func, (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else "")
        return func

    return deco


@dataclass
class Topic:
    """One derivation module: a chapter of the book."""

    slug: str
    stem: str
    title: str
    order: int
    doc: str
    values: list[BookValue]
    tables: list[BookTable]
    figures: list[BookFigure]


@dataclass
class ExportContext:
    common: dict[str, str]
    topics: list[Topic]
    only: str | None = None
    progress: Callable[[str], None] = lambda _step: None
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def full(self) -> bool:
        return self.only is None


def topic_slug(stem: str) -> str:
    return stem.replace("_", "-")


def load_topics(folder: Path) -> list[Topic]:
    """Every derivation module of ``folder`` (sorted by ``ORDER`` then name); duplicate value names refused."""
    if not folder.is_dir():
        from ..errors import MlsysimError

        raise MlsysimError(f"{folder}: the book derivations folder is missing (a broken installation)")
    topics: list[Topic] = []
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"derivations.{path.stem}", path)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        doc = (mod.__doc__ or path.stem).strip()
        title = getattr(mod, "TITLE", doc.splitlines()[0].split(":")[0].strip().rstrip("."))
        topics.append(Topic(topic_slug(path.stem), path.stem, title, int(getattr(mod, "ORDER", 100)), doc,
                            list(getattr(mod, "VALUES", [])), list(getattr(mod, "TABLES", [])),
                            list(getattr(mod, "FIGURES", []))))
    topics.sort(key=lambda t: (t.order, t.slug))
    names = [v.name for t in topics for v in t.values]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError(f"duplicate book value names: {sorted(dup)}")
    for kind in ("tables", "figures"):
        seen = [f"{t.slug}-{x.name}" for t in topics for x in getattr(t, kind)]
        dup = {n for n in seen if seen.count(n) > 1}
        if dup:
            raise ValueError(f"duplicate book {kind}: {sorted(dup)}")
    return topics
