"""Scenario: bind every input of a computation explicitly, then evaluate it with provenance.

A binding is one of

* a catalogue id (``"hardware.H100.memory.bandwidth"``) — the cited row of the shipped catalogue, converted to SI
  (a Scenario names its rows explicitly, so the active edition does not replace them);
* a quantity with units (``"3.35 TB/s"`` or a pint Quantity) — a user value, checked against the symbol's unit;
* a plain number — a user value already in the symbol's SI unit (only for dimensionless symbols, to avoid
  silent unit mistakes).

Nothing is global: an input that is not bound is an error that lists what is missing. Example::

    sc = Scenario("serve.kv", N_L="model.Llama3_8B.layers", H_kv="model.Llama3_8B.kv_heads",
                  d_head=128, b_w="knobs.precision.fp16", S=8192, B=4, m_mla=0, r_kv=0, d_rope=0)
    r = sc.evaluate()
    r.quantity("KV", "GB"); print(r.explain())
"""
from __future__ import annotations

from typing import Any

from .catalog import catalog
from .errors import InputError, UnitError, UnknownKeyError
from .evaluate import Result, evaluate
from .provenance import Ref, Row, User


class Scenario:
    def __init__(self, computation: str, **bindings: Any):
        from ._generated import numeric

        if computation not in numeric.COMPUTATIONS:
            raise UnknownKeyError("computation", computation, numeric.COMPUTATIONS)
        self.computation = computation
        self.inputs: tuple[str, ...] = numeric.COMPUTATIONS[computation][1]
        self.outputs: tuple[str, ...] = numeric.COMPUTATIONS[computation][2]
        unknown = sorted(set(bindings) - set(self.inputs))
        if unknown:
            raise InputError(f"{computation} has no input(s) {', '.join(unknown)}; its inputs are "
                             f"{', '.join(self.inputs)}")
        self.bindings = dict(bindings)

    def missing(self) -> list[str]:
        return [s for s in self.inputs if s not in self.bindings]

    def bind(self, **bindings: Any) -> Scenario:
        """A new scenario with more (or replaced) bindings."""
        return Scenario(self.computation, **{**self.bindings, **bindings})

    def _resolve(self, sym: str, value: Any) -> tuple[float, Ref]:
        """(SI value, reference) of one binding, checked against the symbol's domain (:func:`domain_of`)."""
        from .notation import SYMBOLS

        row = SYMBOLS[sym]
        unit = row.unit
        if isinstance(value, str) and value.split(".", 1)[0] in ("hardware", "model", "grid", "fabric", "node",
                                                                  "cluster", "datacenter", "knobs"):
            c = catalog().get(value)
            if c.si_unit != unit and not _same_dimension(c.si_unit, unit):
                raise UnitError(f"{sym} is in {unit or 'dimensionless'}, but {value} is in {c.si_unit}")
            from .units import si_factor

            factor = 1.0 if c.si_unit == unit else si_factor(c.si_unit, unit)
            return domain_of(sym)(sym, c.si * factor), Row(c.id)
        if isinstance(value, str) or hasattr(value, "m_as"):
            return domain_of(sym, quantity=True)(sym, value), User(_short(value))
        if unit and unit not in _COUNT_UNITS:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                raise UnitError(f"{sym} has unit {unit}: give a quantity such as '{value} {unit}' or a catalogue id")
        return float(domain_of(sym)(sym, value)), User(_short(value))

    def evaluate(self) -> Result:
        missing = self.missing()
        if missing:
            raise InputError(f"{self.computation} needs bindings for: {', '.join(missing)}")
        from . import editions

        values: dict[str, float] = {}
        refs: dict[str, Ref] = {}
        for sym, val in self.bindings.items():
            values[sym], refs[sym] = self._resolve(sym, val)
        ed = editions.active()
        return evaluate([self.computation], values, refs, self.outputs, catalog().hash, edition=ed.name)


_COUNT_UNITS = ("param", "token")
#: The largest magnitude (in the symbol's SI unit) a binding may have: far beyond any physical value, small
#: enough that products of a few of them stay finite in double precision.
LIMIT = 1e30


def domain_of(sym: str, quantity: bool = False) -> Any:
    """The domain of a symbol's value, from the symbol table: non-negative (or signed), finite, at most
    :data:`LIMIT`, and an integer where the symbol is a count by nature."""
    from . import validate
    from .notation import SYMBOLS

    row = SYMBOLS[sym]
    lo = -LIMIT if row.signed else 0.0
    if quantity:
        return validate.quantity(row.unit, lo, LIMIT, lo_open=False, shown_unit=row.unit)
    if row.integer:
        return validate.count(0, int(LIMIT))
    return validate.real(lo, LIMIT)


def _short(value: Any) -> str:
    from .validate import shown

    return shown(value, 60).strip("'")


def _same_dimension(a: str, b: str) -> bool:
    from .units import dimensionality

    return dimensionality(a) == dimensionality(b)
