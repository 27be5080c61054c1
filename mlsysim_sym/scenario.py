"""Scenario: bind every input of a computation explicitly, then evaluate it with provenance.

A binding is one of

* a catalogue id (``"hardware.H100.memory.bandwidth"``) — the cited row, converted to SI;
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

    def _resolve(self, sym: str, value: Any) -> tuple[float, str]:
        from .notation import SYMBOLS

        unit = SYMBOLS[sym].unit
        if isinstance(value, str) and value.split(".", 1)[0] in ("hardware", "model", "grid", "fabric", "node",
                                                                  "cluster", "datacenter", "knobs"):
            c = catalog().get(value)
            if c.si_unit != unit and not _same_dimension(c.si_unit, unit):
                raise UnitError(f"{sym} is in {unit or 'dimensionless'}, but {value} is in {c.si_unit}")
            from .units import si_factor

            factor = 1.0 if c.si_unit == unit else si_factor(c.si_unit, unit)
            return c.si * factor, "const:" + c.id
        if isinstance(value, str) or hasattr(value, "m_as"):
            from .units import parse_quantity

            q = parse_quantity(value, unit) if isinstance(value, str) else value
            try:
                return float(q.m_as(unit)), f"user:{value}"
            except Exception:  # noqa: BLE001 - pint's dimension errors vary
                raise UnitError(f"{sym} must be in {unit or 'dimensionless'} units, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"{sym}: cannot bind {value!r}")
        if unit and unit not in ("param",):
            raise UnitError(f"{sym} has unit {unit}: give a quantity such as '{value} {unit}' or a catalogue id")
        return float(value), "user:" + repr(value)

    def evaluate(self) -> Result:
        missing = self.missing()
        if missing:
            raise InputError(f"{self.computation} needs bindings for: {', '.join(missing)}")
        values: dict[str, float] = {}
        refs: dict[str, str] = {}
        for sym, val in self.bindings.items():
            values[sym], refs[sym] = self._resolve(sym, val)
        return evaluate([self.computation], values, refs, self.outputs, catalog().hash)


def _same_dimension(a: str, b: str) -> bool:
    from .units import dimensionality

    return dimensionality(a) == dimensionality(b)
