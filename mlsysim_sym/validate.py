"""One validation path for every value a user gives: Python arguments, CLI options, Scenario bindings.

A :class:`Domain` says what a value may be — an integer count, a real number in a range, a flag, one of some
choices, or a quantity with a unit — and turns an accepted value into the plain Python value the binding layer
uses (``int``, ``float`` in SI, ``bool``, ``str``). Anything else raises :class:`~mlsysim_sym.errors.InputError`
with one message that names the argument, the value and the allowed range::

    batch_size must be an integer in [1, 1e+09], got 1.5

Rules that hold for every domain (the input boundary of the whole package):

* ``bool`` is not a number (``True`` is no batch size); strings are not numbers (``'1'`` is refused, not
  coerced); ``nan`` and ``±inf`` are never accepted; huge integers are compared exactly, never overflow.
* Ranges are closed unless stated; the message prints them as intervals (``(0, 1]``).
* Upper bounds are part of the domain: they keep every result finite (a 1e308 batch makes an infinite
  latency, not a big one) and every evaluation fast (the Erlang recurrence of wall 7 is linear in the replica
  count). Each bound is stated next to the argument that has it.
* Quantities accept a pint Quantity of any compatible unit or text such as ``"50 GB/s"`` (parsed by
  :func:`mlsysim_sym.units.parse_quantity`, which evaluates nothing); a bare number is refused, because its
  unit would be a guess.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import InputError, UnitError


def shown(value: Any, limit: int = 40) -> str:
    """``repr`` of a value for an error message, shortened (a 401-digit integer is not printed whole)."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fmt(x: float) -> str:
    if abs(x) < 1e6 and float(x).is_integer():
        return str(int(x))
    return f"{float(x):g}"


@dataclass(frozen=True, slots=True)
class Domain:
    """What one value may be. ``kind``: count | real | flag | choice | quantity."""

    kind: str
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    options: tuple[str, ...] = ()
    unit: str = ""          # quantity: the SI unit the value is returned in
    shown_unit: str = ""    # quantity: the unit the range is printed in

    # ---- description ---------------------------------------------------------------------------------
    def interval(self) -> str:
        if self.kind == "quantity":
            f = _factor(self.unit, self.shown_unit or self.unit)
            lo = None if self.lo is None else self.lo * f
            hi = None if self.hi is None else self.hi * f
            u = f" {self.shown_unit or self.unit}" if (self.shown_unit or self.unit) else ""
        else:
            lo, hi, u = self.lo, self.hi, ""
        left = "(" if self.lo_open or lo is None else "["
        right = ")" if self.hi_open or hi is None else "]"
        return f"{left}{'-inf' if lo is None else _fmt(lo)}, {'inf' if hi is None else _fmt(hi)}{right}{u}"

    def describe(self) -> str:
        if self.kind == "count":
            return f"an integer in {self.interval()}"
        if self.kind == "real":
            return f"a number in {self.interval()}"
        if self.kind == "flag":
            return "True or False"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(o) for o in self.options)
        if self.kind == "text":
            return "text"
        return f"a quantity in {self.interval()} (e.g. '{_example(self)}')"

    # ---- checking ----------------------------------------------------------------------------------------
    def __call__(self, name: str, value: Any) -> Any:
        return _CHECKERS[self.kind](self, name, value)

    def error(self, name: str, value: Any, why: str = "") -> InputError:
        tail = f" ({why})" if why else ""
        return InputError(f"{name} must be {self.describe()}, got {shown(value)}{tail}")

    def in_range(self, x: float) -> bool:
        if self.lo is not None and (x < self.lo or (self.lo_open and x == self.lo)):
            return False
        if self.hi is not None and (x > self.hi or (self.hi_open and x == self.hi)):
            return False
        return True


def _example(d: Domain) -> str:
    u = d.shown_unit or d.unit
    lo = 1.0 if d.lo is None else max(d.lo * _factor(d.unit, u), 1.0)
    return f"{_fmt(lo)} {u}".strip()


def _factor(si: str, shown_unit: str) -> float:
    if si == shown_unit:
        return 1.0
    from .units import si_factor

    return si_factor(si, shown_unit)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _count(d: Domain, name: str, value: Any) -> int:
    if type(value) is int and d.in_range(value):  # the common case, without the ABC checks
        return value
    if not _is_number(value):
        raise d.error(name, value, _why_type(value))
    if isinstance(value, numbers.Integral):
        v = int(value)
    else:
        try:
            f = float(value)
        except (OverflowError, ValueError):
            raise d.error(name, value) from None
        if not math.isfinite(f) or not f.is_integer():
            raise d.error(name, value)
        v = int(f)
    if not d.in_range(v):
        raise d.error(name, value)
    return v


def _real(d: Domain, name: str, value: Any) -> float:
    if type(value) is float and d.in_range(value):  # a finite float in range (nan fails every comparison)
        if value == value and value not in (math.inf, -math.inf):
            return value
    if not _is_number(value):
        raise d.error(name, value, _why_type(value))
    try:
        f = float(value)
    except (OverflowError, ValueError):
        raise d.error(name, value) from None
    if not math.isfinite(f) or not d.in_range(f):
        raise d.error(name, value)
    return f


def _flag(d: Domain, name: str, value: Any) -> bool:
    if value is True or value is False:
        return value
    if isinstance(value, numbers.Integral) and int(value) in (0, 1):  # numpy bools, 0/1
        return bool(value)
    raise d.error(name, value)


def _choice(d: Domain, name: str, value: Any) -> str:
    if isinstance(value, str):
        if value in d.options:
            return value
        low = value.strip().lower()
        for o in d.options:
            if o.lower() == low:
                return o
    raise d.error(name, value)


def _quantity(d: Domain, name: str, value: Any) -> float:
    ours = getattr(value, "_REGISTRY", None) is _registry()
    if ours or (not isinstance(value, str) and hasattr(value, "magnitude") and hasattr(value, "units")):
        try:  # a Quantity of our registry (the hot path), or of another pint registry (re-read through our parser)
            f = _ours_in(value, d.unit) if ours else \
                float(_parse(f"{float(value.magnitude)!r} {value.units:~}", d.unit).m_as(d.unit))
        except Exception as exc:  # noqa: BLE001 - pint's DimensionalityError and friends: a unit problem
            raise UnitError(f"{name} must be {d.describe()}, got {shown(value)}: {exc}") from None
    elif isinstance(value, str):
        try:
            f = float(_parse(value, d.unit).m_as(d.unit))
        except UnitError as exc:
            raise UnitError(f"{name} must be {d.describe()}, got {shown(value)}: {exc}") from None
    else:
        raise d.error(name, value, "give a quantity with its unit" if _is_number(value) else _why_type(value))
    if not math.isfinite(f) or not d.in_range(f):
        raise d.error(name, value)
    return f


#: (units of a Quantity of our registry, SI unit) -> multiplicative factor: pint's conversion, done once per unit
_FACTORS: dict[tuple[Any, str], float] = {}


def _ours_in(q: Any, unit: str) -> float:
    """A Quantity of our registry in ``unit``: pint converts the unit once (a DimensionalityError if it cannot);
    later calls multiply by the cached factor (every unit of the registry is multiplicative)."""
    key = (q._units, unit)
    f = _FACTORS.get(key)
    if f is None:
        f = float(q._REGISTRY.Quantity(1.0, q._units).m_as(unit))
        _FACTORS[key] = f
    return float(q._magnitude) * f


def _parse(text: str, unit: str) -> Any:
    from .units import parse_quantity

    return parse_quantity(text, unit)


@lru_cache(maxsize=1)
def _registry() -> Any:
    """Our pint registry (imported lazily: validating plain numbers needs no pint)."""
    from .units import ureg

    return ureg()


def _why_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool is not a number"
    if isinstance(value, str):
        return "text is not a number; pass a number"
    if isinstance(value, complex):
        return "a complex number"
    return f"{type(value).__name__} is not a number"


def _text(d: Domain, name: str, value: Any) -> str:
    if isinstance(value, str) and len(value) <= 200:
        return value
    raise d.error(name, value)


_CHECKERS = {"count": _count, "real": _real, "flag": _flag, "choice": _choice, "quantity": _quantity,
             "text": _text}


# ---- constructors -------------------------------------------------------------------------------------------
def count(lo: int = 1, hi: int = 10**9) -> Domain:
    """An integer count in [lo, hi] (an integral float such as 8.0 is accepted and returned as int)."""
    return Domain("count", lo, hi)


def real(lo: float | None = None, hi: float | None = None, *, lo_open: bool = False,
         hi_open: bool = False) -> Domain:
    return Domain("real", lo, hi, lo_open, hi_open)


def fraction(lo: float = 0.0, *, lo_open: bool = True) -> Domain:
    """A share in (0, 1] (or [lo, 1])."""
    return Domain("real", lo, 1.0, lo_open, False)


def flag() -> Domain:
    return Domain("flag")


def choice(options: Iterable[str]) -> Domain:
    return Domain("choice", options=tuple(options))


def text() -> Domain:
    """Any short text (a label that maps to a code, unknown labels included)."""
    return Domain("text")


def quantity(unit: str, lo: float | None = 0.0, hi: float | None = None, *, lo_open: bool = True,
             shown_unit: str = "") -> Domain:
    """A quantity returned in ``unit`` (SI); bounds are in ``unit`` too and printed in ``shown_unit``."""
    return Domain("quantity", lo, hi, lo_open, False, (), unit, shown_unit or unit)


# ---- the shared domains of the package's arguments (one place for each bound and its reason) -------------------
#: Batch sizes, sequence lengths, request lengths: up to 1e9 (far above any real deployment; keeps every
#: FLOP count below 1e38 so no latency overflows).
BATCH = count(1, 10**9)
TOKENS = count(1, 10**9)
TOKENS0 = count(0, 10**9)
#: Parallel degrees and replica counts: wall 7's Erlang recurrence is linear in the replica count, 1e5 replicas
#: take ~15 ms; no fleet in the catalogue has more than 1e5 accelerators.
DEGREE = count(1, 10**6)
REPLICAS = count(1, 100_000)
#: Efficiency: a share of peak; the floor of 1e-6 keeps latencies finite (0.3.0 accepted 5e-324 → inf).
EFFICIENCY = real(1e-6, 1.0)
FRACTION0 = real(0.0, 1.0)
FACTOR = real(1.0, 1e3)            # multipliers ≥ 1 (imbalance, congestion, stragglers)
NONNEG = real(0.0, 1e12)
POSITIVE = real(0.0, 1e12, lo_open=True)
