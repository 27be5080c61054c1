"""The symbol table: one row per symbol of every wall (name, LaTeX, SI unit, description, flags).

Rows are declared next to their equations, in the wall modules (``sym(...)`` in :mod:`mlsysim_sym.walls`). This
module holds the row type and the table. So that code which never imports SymPy (``eval -o json``, result fields,
the CLI) can still show a symbol's unit and name, the table starts from the copy that codegen writes into
``_generated/symbols.py``; loading the walls declares the live rows over it (tests fail when the copy is stale).

House notation of the *Machine Learning Systems* book: multi-letter roots and word subscripts are roman
(``R_{\\text{peak}}``, ``\\text{BW}``, ``\\eta_{\\text{hw}}``); batch is ``B``, parameters ``P``, sequence length
``S``, layers ``N_L``. Every symbol has its own LaTeX spelling (a test checks it).
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import UnknownKeyError


@dataclass(frozen=True, slots=True)
class Sym:
    name: str          # Python identifier used in SymPy and in generated code
    latex: str         # house notation
    unit: str          # SI unit of the float value ("" = dimensionless)
    description: str
    display_unit: str = ""  # unit for printing (defaults to unit)
    integer: bool = False   # a count that is an integer by nature (batch, layers, heads)
    signed: bool = False    # may be negative (a difference such as memory left over); else non-negative
    unbounded: bool = False  # may be +inf in a regime the result flags (an unstable queue's waits)

    @property
    def shown_unit(self) -> str:
        return self.display_unit or self.unit


SYMBOLS: dict[str, Sym] = {}


def register(*rows: Sym) -> None:
    """Put rows in the table (the wall modules' declarations replace the generated copy's)."""
    for row in rows:
        SYMBOLS[row.name] = row


def sym(name: str) -> Sym:
    try:
        return SYMBOLS[name]
    except KeyError:
        raise UnknownKeyError("symbol", name, SYMBOLS) from None


def _load_generated() -> None:
    try:
        from ._generated.symbols import ROWS
    except ImportError:  # before the first `mlsysim-sym codegen`
        return
    register(*(Sym(*row) for row in ROWS))


_load_generated()
