"""Labelled book values: what a derivation module declares, and how it is evaluated and printed."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

MACRO_RE = re.compile(r"^[A-Za-z]+$")


@dataclass(frozen=True)
class Computation:
    """A resolver call on catalogue keys (hashable, so results are computed once per export)."""

    resolver: str
    args: tuple[tuple[str, Any], ...]

    def run(self) -> Any:
        """The result under the active edition (computed once per edition in a process)."""
        from .. import editions

        return _run(self, editions.active().name)

    def fresh(self) -> Any:
        return _solve(self)


@lru_cache(maxsize=None)
def _run(c: Computation, edition: str) -> Any:
    return _solve(c)


def _solve(c: Computation) -> Any:
    kw = dict(c.args)
    if c.resolver == "engine":
        from ..engine import Engine

        return Engine.solve(**kw)
    if c.resolver == "serving":
        from ..resolvers.serving import ServingModel

        return ServingModel().solve(**kw)
    import mlsysim_sym

    cls = getattr(mlsysim_sym, c.resolver, None)
    if cls is None or not hasattr(cls, "solve"):
        raise ValueError(f"unknown resolver {c.resolver!r}")
    return cls().solve(**kw)


def engine(model: str, hardware: str, **kw: Any) -> Computation:
    return Computation("engine", tuple(sorted({"model": model, "hardware": hardware, **kw}.items())))


def serving(model: str, hardware: str, **kw: Any) -> Computation:
    return Computation("serving", tuple(sorted({"model": model, "hardware": hardware, **kw}.items())))


def resolver(name: str, **kw: Any) -> Computation:
    """Any top-level resolver by class name, with keyword arguments (catalogue keys as strings)."""
    return Computation(name, tuple(sorted(kw.items())))


@dataclass(frozen=True)
class BookValue:
    """One number the book prints: macro name (letters only), what it is, how it is computed and shown."""

    name: str
    description: str
    computation: Computation
    field: str
    unit: str
    digits: int

    def __post_init__(self) -> None:
        if not MACRO_RE.match(self.name):
            raise ValueError(f"book value name {self.name!r} must be letters only (a LaTeX macro name)")

    def evaluate(self) -> tuple[float, str, Any]:
        """(value in ``unit``, printed string, the result view)."""
        view = self.computation.run()
        raw = getattr(view, self.field)
        value = float(raw.m_as(self.unit)) if hasattr(raw, "m_as") else float(raw)
        return value, format_number(value, self.digits), view


def format_number(v: float, digits: int) -> str:
    """Significant digits, thousands separators as ``{,}`` for LaTeX; refuses non-finite values."""
    if not math.isfinite(v):
        raise ValueError(f"refusing to print a non-finite value ({v})")
    if v == int(v) and abs(v) < 1e15:
        text = f"{int(v):,}".replace(",", "{,}")
        return text
    text = f"{v:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        return f"{mant}\\times 10^{{{int(exp)}}}"
    if "." not in text and abs(v) >= 1e4:
        text = f"{round(v):,}".replace(",", "{,}")
    return text


Resolver = Callable[..., Any]
