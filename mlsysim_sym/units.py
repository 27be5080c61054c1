"""The one unit registry, built from our own definitions file (``units.txt``).

Bytes, FLOP, currency and CO2e are real dimensions, so ``1 GB + 5`` and ``1 TFLOP/s + 1 GB/s`` raise.
Decimal (KB…PB) and binary (KiB…TiB) prefixes are distinct. ``year`` is 365 days. Counts (param, token,
sample, request) are named dimensionless units (see docs/decisions/units.md).

pint is imported lazily: the registry is built on first use (~40 ms), so paths that never show a unit
(``--help``, ``zoo``) do not pay for ``import pint``.
"""
from __future__ import annotations

import math
import re
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
    # a format spec with a magnitude part only (f"{q:.2f}") takes its unit part from default_format: pint's coming
    # behaviour, opted into now so that formatting a result neither warns (DeprecationWarning) nor falls back to
    # full unit names
    reg.separate_format_defaults = True
    return reg


def Q_(value: Any, unit: str | None = None) -> Any:
    """A Quantity of our registry: ``Q_(3.35, "TB/s")`` or ``Q_("3.35 TB/s")``."""
    reg = ureg()
    return reg.Quantity(value) if unit is None else reg.Quantity(value, unit)


@lru_cache(maxsize=512)
def unit(spec: str) -> Any:
    """A parsed Unit, cached (parsing costs ~150 µs; a cached Unit costs nothing). Safe on any text: see
    :func:`parse_unit`."""
    return parse_unit(spec)


@lru_cache(maxsize=512)
def dimensionality(spec: str) -> Any:
    """The dimensionality of a unit or dimension string ("GB/s" or "[information] / [time]")."""
    return ureg().get_dimensionality(spec) if spec else ureg().get_dimensionality("")


@lru_cache(maxsize=4096)
def si_factor(from_unit: str, to_unit: str) -> float:
    """Multiplier that converts a magnitude in ``from_unit`` to ``to_unit`` (raises on a dimension clash)."""
    from .errors import UnitError

    try:
        return float(ureg().Quantity(1.0, unit(from_unit)).m_as(unit(to_unit)))
    except UnitError:
        raise
    except Exception as exc:  # pint raises several types; the user needs one message
        raise UnitError(f"cannot convert {from_unit or 'dimensionless'!r} to {to_unit or 'dimensionless'!r}: {exc}") from None


# ---- safe parsing of user text: a number and a unit, nothing else -------------------------------------------
# pint's own string parser evaluates arithmetic ("9**9**8 GB/s" runs for minutes, "nan GB/s" is a number).
# User text goes through this small grammar instead: a finite decimal literal, then a unit built from unit
# names of the registry, ``*``/``/``/``·``, parentheses and small integer exponents (``^2``, ``**-1``).
_NUMBER = re.compile(r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(?![\w.])\s*")
_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z%\u00b5\u03bc\u00b0][A-Za-z0-9_\u00b5\u03bc]*)|(?P<int>-?\d+)(?![.\d])"
                    r"|(?P<pow>\*\*|\^)|(?P<op>[*/\u00b7])|(?P<lp>\()|(?P<rp>\)))")
_MAX_TEXT = 120
_MAX_EXPONENT = 4


def _tokens(text: str) -> list[tuple[str, str]]:
    from .errors import UnitError

    out: list[tuple[str, str]] = []
    pos = 0
    while text[pos:].strip():
        m = _TOKEN.match(text, pos)
        if m is None:
            raise UnitError(f"cannot parse unit {text!r}: unexpected {text[pos:].strip()[:10]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _UnitParser:
    """Recursive descent over ``product := factor (('*' | '/' | '·' | juxtaposition) factor)*`` and
    ``factor := (name | '1' | '(' product ')') [('^' | '**') small-integer]``; names are looked up, not evaluated."""

    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def fail(self, why: str) -> Any:
        from .errors import UnitError

        raise UnitError(f"cannot parse unit {self.text!r}: {why}")

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        t = self.peek()
        if t is None:
            self.fail("it ends early")
        self.i += 1
        return t  # type: ignore[return-value]

    def parse(self) -> Any:
        u = self.product()
        if self.peek() is not None:
            self.fail(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return u

    def product(self) -> Any:
        u = self.factor()
        while (t := self.peek()) is not None and t[0] != "rp":
            if t[0] == "op":
                self.i += 1
                u = u / self.factor() if t[1] == "/" else u * self.factor()
            elif t[0] in ("name", "int", "lp"):  # juxtaposition multiplies ("kW h")
                u = u * self.factor()
            else:
                self.fail(f"unexpected {t[1]!r}")
        return u

    def factor(self) -> Any:
        kind, text = self.take()
        reg = ureg()
        if kind == "name":
            if not reg.parse_unit_name(text):
                from .errors import UnitError

                raise UnitError(f"unknown unit {text!r} in {self.text!r}")
            u = reg.Unit(text)
        elif kind == "int" and text == "1":
            u = reg.Unit("")
        elif kind == "lp":
            u = self.product()
            if self.take()[0] != "rp":
                self.fail("missing ')'")
        else:
            return self.fail(f"unexpected {text!r}")
        if (t := self.peek()) is not None and t[0] == "pow":
            self.i += 1
            kind, text = self.take()
            if kind != "int" or abs(int(text)) > _MAX_EXPONENT:
                self.fail(f"an exponent must be an integer between -{_MAX_EXPONENT} and {_MAX_EXPONENT}")
            u = u ** int(text)
        return u


@lru_cache(maxsize=1024)
def parse_unit(text: str) -> Any:
    """A Unit of our registry from ``text`` ("GB/s", "gCO2e/kWh", "1/(s*B)", "m**3/J", ""), never by evaluating
    it: names are looked up in the registry one by one. Raises UnitError."""
    from .errors import UnitError

    if not isinstance(text, str):
        raise UnitError(f"a unit must be text such as 'GB/s', not {type(text).__name__}")
    if len(text) > _MAX_TEXT:
        raise UnitError(f"unit text is too long ({len(text)} characters)")
    if text.strip() == "":
        return ureg().Unit("")
    return _UnitParser(text).parse()


def parse_quantity(text: str, expect: str | None = None) -> Any:
    """A user quantity such as ``"50 GB/s"``: a finite decimal number and a unit (:func:`parse_unit`), nothing
    else (no arithmetic, no ``nan``/``inf``); its dimension checked against ``expect``. Raises UnitError."""
    from .errors import UnitError

    if not isinstance(text, str):
        raise UnitError(f"a quantity must be text such as '50 GB/s', not {type(text).__name__}")
    shown = text if len(text) <= 60 else text[:57] + "..."
    if len(text) > _MAX_TEXT:
        raise UnitError(f"quantity text is too long ({len(text)} characters): {shown!r}")
    m = _NUMBER.match(text)
    if m is None:
        raise UnitError(f"cannot parse quantity {shown!r}: it must be a number followed by a unit, e.g. '50 GB/s'")
    value = float(m.group(1))
    if not math.isfinite(value):
        raise UnitError(f"cannot parse quantity {shown!r}: the number is not finite")
    u = parse_unit(text[m.end():])
    q = ureg().Quantity(value, u)
    if expect is not None and q.dimensionality != dimensionality(expect):
        raise UnitError(f"{shown!r} has dimension {q.dimensionality or 'dimensionless'}, expected "
                        f"{dimensionality(expect) or 'dimensionless'} (a quantity in {expect or 'no unit'})")
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


# ---- fast result quantities ----------------------------------------------------------------------------------------
# A result field is a pint Quantity of our registry. pint's constructor re-validates its arguments (~5 µs, and
# parsing a unit string costs ~100 µs); here the unit is parsed once per unit string and the Quantity is made
# directly from its magnitude and units container. The fast path is checked against pint's own constructor once,
# when first used, and falls back to it if pint ever changes its internals.
_QFAST: dict[str, Any] = {}
_QCLASS: list[Any] = []


def _fast_ok(cls: Any, units: Any, unit_obj: Any) -> bool:
    try:
        q = object.__new__(cls)
        q._magnitude = 1.5
        q._units = units
        ref = cls(1.5, unit_obj)
        return bool(q == ref) and f"{q:~P}" == f"{ref:~P}" and q.to_base_units() == ref.to_base_units()
    except Exception:  # noqa: BLE001 - any surprise means: use pint's constructor
        return False


def quantity(value: float, unit_text: str) -> Any:
    """``value`` in ``unit_text`` as a Quantity of our registry (fast: the unit is parsed once per text)."""
    hit = _QFAST.get(unit_text)
    if hit is None:
        reg = ureg()
        u = parse_unit(unit_text)
        cls = reg.Quantity
        hit = _QFAST[unit_text] = (cls, u._units, u, _fast_ok(cls, u._units, u))
    cls, units, u, fast = hit
    if fast:
        q = object.__new__(cls)
        q._magnitude = value
        q._units = units
        return q
    return cls(value, u)


@lru_cache(maxsize=1024)
def factor(from_unit: str, to_unit: str) -> float:
    """The multiplier from ``from_unit`` to ``to_unit`` (prefix-only changes without pint; else through pint)."""
    f = fast_factor(from_unit, to_unit)
    return f if f is not None else si_factor(from_unit, to_unit)
