"""The one unit registry, built from our own definitions file (``units.txt``).

Bytes, FLOP, currency and CO2e are real dimensions, so ``1 GB + 5`` and ``1 TFLOP/s + 1 GB/s`` raise.
Decimal (KB…PB) and binary (KiB…TiB) prefixes are distinct. ``year`` is 365 days. Counts (param, token,
sample, request) are named dimensionless units (see docs/decisions/units.md).

pint is imported lazily: the registry is built on first use (~40 ms), so paths that never show a unit
(``--help``, ``zoo``) do not pay for ``import pint``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

DEFINITIONS = Path(__file__).with_name("units.txt")


@lru_cache(maxsize=1)
def ureg() -> Any:
    """The application registry (pint.UnitRegistry) built from ``units.txt`` only."""
    import pint

    reg = pint.UnitRegistry(str(DEFINITIONS), on_redefinition="raise", cache_folder=None)
    reg.formatter.default_format = "~P"
    return reg


def Q_(value: Any, unit: str | None = None) -> Any:
    """A Quantity of our registry: ``Q_(3.35, "TB/s")`` or ``Q_("3.35 TB/s")``."""
    reg = ureg()
    return reg.Quantity(value) if unit is None else reg.Quantity(value, unit)


@lru_cache(maxsize=512)
def unit(spec: str) -> Any:
    """A parsed Unit, cached (parsing costs ~150 µs; a cached Unit costs nothing)."""
    return ureg().Unit(spec)


@lru_cache(maxsize=512)
def dimensionality(spec: str) -> Any:
    """The dimensionality of a unit or dimension string ("GB/s" or "[information] / [time]")."""
    return ureg().get_dimensionality(spec) if spec else ureg().get_dimensionality("")


@lru_cache(maxsize=4096)
def si_factor(from_unit: str, to_unit: str) -> float:
    """Multiplier that converts a magnitude in ``from_unit`` to ``to_unit`` (raises on a dimension clash)."""
    from .errors import UnitError

    reg = ureg()
    try:
        return float(reg.Quantity(1.0, from_unit or "").m_as(to_unit or ""))
    except Exception as exc:  # pint raises several types; the user needs one message
        raise UnitError(f"cannot convert {from_unit or 'dimensionless'!r} to {to_unit or 'dimensionless'!r}: {exc}") from None


def parse_quantity(text: str, expect: str | None = None) -> Any:
    """Parse a user quantity string such as ``"50 GB/s"`` (never ``eval``); check its dimension."""
    from .errors import UnitError

    reg = ureg()
    try:
        q = reg.Quantity(text)
    except Exception as exc:
        raise UnitError(f"cannot parse quantity {text!r}: {exc}") from None
    if expect is not None and q.dimensionality != dimensionality(expect):
        raise UnitError(f"{text!r} has dimension {q.dimensionality}, expected {dimensionality(expect)}")
    return q


# ---- a pint-free display conversion for the CLI's hot path -------------------------------------------------
@lru_cache(maxsize=1)
def _prefixes() -> dict[str, float]:
    """Prefix symbols -> factor, read from units.txt (the same definitions pint uses)."""
    out: dict[str, float] = {}
    for line in DEFINITIONS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or "-" not in line.split("=", 1)[0]:
            continue
        parts = [p.strip() for p in line.split("=")]
        if len(parts) < 2 or not parts[0].endswith("-"):
            continue
        factor = float(eval_number(parts[1]))
        for alias in parts[2:]:
            out[alias.rstrip("-")] = factor
    return out


def eval_number(text: str) -> float:
    """A numeric literal of the definitions file: ``1e-3`` or ``2**10`` (no general evaluation)."""
    text = text.strip()
    if "**" in text:
        base, exp = text.split("**")
        return float(base) ** float(exp)
    return float(text)


_BASES = ("FLOP", "B", "s", "W", "J", "USD", "param", "token", "bit")


def _split(term: str) -> tuple[float, str] | None:
    if term in _BASES or term == "1":
        return 1.0, term
    for base in _BASES:
        if term.endswith(base) and term[: -len(base)] in _prefixes():
            return _prefixes()[term[: -len(base)]], base
    return None


def fast_factor(si_unit: str, display_unit: str) -> float | None:
    """Factor from ``si_unit`` to ``display_unit`` when they differ only by prefixes (``s``→``ms``,
    ``B/s``→``GB/s``); None when pint is needed. Keeps ``eval -o json`` free of the pint import."""
    if si_unit == display_unit:
        return 1.0
    a, b = si_unit.split("/"), display_unit.split("/")
    if len(a) != len(b) or len(a) > 2:
        return None
    factor = 1.0
    for i, (x, y) in enumerate(zip(a, b)):
        px, py = _split(x), _split(y)
        if px is None or py is None or px[1] != py[1]:
            return None
        ratio = px[0] / py[0]
        factor *= ratio if i == 0 else 1.0 / ratio
    return factor


def to_display(value: float, si_unit: str, display_unit: str) -> float:
    f = fast_factor(si_unit, display_unit)
    return value * f if f is not None else value * si_factor(si_unit, display_unit)
