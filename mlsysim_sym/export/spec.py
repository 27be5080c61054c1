"""What a derivation module declares besides ``VALUES``: result tables (``TABLES``) and figures (``FIGURES``).

Both are computed lazily (``build`` is called once per export) from the walls' results, so a derivation holds no
pasted numbers. A table is a header and rows of cells; a cell may carry the citation of the number it prints
(:class:`Cited`). A figure is the data it plots (the CSV written beside it) and a function that draws that data, and
only that data, on one matplotlib ``Axes``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Cited:
    """A printed cell and the bibliography key (and locator) of the source that prints it."""

    text: str
    bibkey: str = ""
    locator: str = ""


@dataclass
class TableData:
    """Header (plain text; units in brackets) and rows (str, int, float or :class:`Cited` cells)."""

    columns: list[str]
    rows: list[list[Any]]
    align: str = ""          # one letter per column (l, r, or p{..} widths as "p3cm"); default: l then r
    note: str = ""


@dataclass(frozen=True)
class BookTable:
    name: str                # slug: tables/<topic>-<name>.{md,csv,tex}
    caption: str
    build: Callable[[], TableData]

    def __post_init__(self) -> None:
        if not SLUG_RE.match(self.name):
            raise ValueError(f"table name {self.name!r} must be a lower-case slug")


@dataclass
class FigureData:
    """The plotted data (column name -> list, equal lengths: the CSV beside the figure) and its drawing."""

    columns: dict[str, list[Any]]
    draw: Callable[[Any, dict[str, list[Any]]], None]
    size: tuple[float, float] = (5.6, 3.6)
    notes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lengths = {len(v) for v in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"figure columns differ in length: { {k: len(v) for k, v in self.columns.items()} }")


@dataclass(frozen=True)
class BookFigure:
    name: str                # slug: figures/<topic>-<name>.{svg,pdf,csv}
    caption: str
    build: Callable[[], FigureData]

    def __post_init__(self) -> None:
        if not SLUG_RE.match(self.name):
            raise ValueError(f"figure name {self.name!r} must be a lower-case slug")


# The book's palette (mlsysim's viz): crimson, blue, orange, red, green, violet.
PALETTE = ("#A51C30", "#006395", "#E67817", "#CB202D", "#008F45", "#7E317B")
