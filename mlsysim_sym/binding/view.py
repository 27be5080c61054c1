"""Result views: 0.3.0's field names over an evaluated :class:`~mlsysim_sym.evaluate.Result`, from one field spec.

A facade's result fields are data — ``out("latency", "T", "ms")``, ``out("feasible", "feasible", "bool")``,
``regime("bottleneck", "T")``, ``info("hardware_name", "hardware", "name")`` — and that one spec serves every
reader: attribute access (a pint Quantity in the display unit, built without re-parsing the unit), ``to_dict()``
(``{"value", "unit"}``), the CLI's text, JSON and Markdown, and the book exporters. No unit conversion is written by
hand anywhere else; a constraint trace is a template over the same symbols (``{M_req:GB}``).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..evaluate import Result
from ..notation import SYMBOLS
from ..units import factor as unit_factor
from ..units import quantity


@dataclass(frozen=True)
class Field:
    """One result field. ``unit``: a display unit (a Quantity), "" (a float), "int", "bool" or "str"."""

    name: str
    symbol: str | None
    unit: str = ""
    when: str | Callable[[dict[str, Any]], bool] | None = None   # present only when this holds (else None)
    kind: str = "value"      # value | regime | info | derived
    source: tuple[str, str] | None = None        # info: (object argument, attribute)
    fn: Callable[[Any], Any] | None = None       # derived: view -> value
    doc: str = ""


def out(name: str, symbol: str, unit: str = "", *, when: Any = None, doc: str = "") -> Field:
    return Field(name, symbol, unit, when, "value", doc=doc)


def regime(name: str, symbol: str, doc: str = "") -> Field:
    """The label of the branch that bound in the equation computing ``symbol`` (e.g. "Compute" or "Memory")."""
    return Field(name, symbol, "str", None, "regime", doc=doc)


def info(name: str, obj: str, attr: str = "name", doc: str = "") -> Field:
    """An attribute of an object argument (its name), or a static option's value (``info("precision", "precision",
    "")``)."""
    return Field(name, None, "str", None, "info", (obj, attr), doc=doc)


def derived(name: str, fn: Callable[[Any], Any], unit: str = "", doc: str = "") -> Field:
    """A field that is not one symbol (a list, a record of the arguments …): ``fn(view)``."""
    return Field(name, None, unit, None, "derived", fn=fn, doc=doc)


class _FieldDescriptor:
    """Reads one value field: ``values[symbol]`` scaled to the display unit, as a Quantity of our registry."""

    __slots__ = ("f", "factor", "_q")

    def __init__(self, f: Field):
        self.f = f
        self.factor: float | None = None
        self._q = None

    def __get__(self, view: Any, owner: type) -> Any:
        if view is None:
            return self
        extra = view._extra
        if extra and self.f.name in extra:
            return extra[self.f.name]
        return read_field(view._result.values, self.f, self)


def display_value(values: dict[str, Any], f: Field, d: Any = None) -> Any:
    """A value field in its display unit as a plain number (a float, int or bool; None when ``when`` fails).
    Needs no pint for prefix-only conversions (s → ms, B → GB), so JSON output stays pint-free."""
    if f.when is not None:
        ok = f.when(values) if callable(f.when) else values.get(f.when)
        if not ok:
            return None
    v = values[f.symbol]
    unit = f.unit
    if unit == "":
        return v if isinstance(v, bool) else float(v)
    if unit == "bool":
        return bool(v)
    if unit == "int":
        return int(v)
    factor = d.factor if d is not None else None
    if factor is None:
        factor = unit_factor(SYMBOLS[f.symbol].unit, unit)
        if d is not None:
            d.factor = factor
    return float(v) * factor


def read_field(values: dict[str, Any], f: Field, d: Any = None) -> Any:
    """A value field as users read it: a Quantity of our registry in the display unit (or a float, int, bool)."""
    v = display_value(values, f, d)
    if v is None or f.unit in ("", "bool", "int"):
        return v
    return quantity(v, f.unit)


class View:
    """Base of every facade's result: fields from the spec, plus ``.trace``, ``.sources``, ``.stamp``,
    ``.explain()``, ``to_dict()``, ``constraint_trace`` and notebook representations."""

    __slots__ = ("_result", "_objs", "_static", "_extra")
    FIELDS: ClassVar[tuple[Field, ...]] = ()
    TRACE: ClassVar[tuple[str, ...]] = ()
    _BY_NAME: ClassVar[dict[str, Field]] = {}

    def __init__(self, result: Result, objs: dict[str, Any] | None = None, static: dict[str, Any] | None = None,
                 extra: dict[str, Any] | None = None):
        object.__setattr__(self, "_result", result)
        object.__setattr__(self, "_objs", objs or {})
        object.__setattr__(self, "_static", static or {})
        object.__setattr__(self, "_extra", extra or {})

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        by_name = {}
        for f in cls.FIELDS:
            by_name[f.name] = f
            if f.kind == "value":
                setattr(cls, f.name, _FieldDescriptor(f))
        cls._BY_NAME = by_name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        extra = self._extra
        if name in extra:
            return extra[name]
        f = self._BY_NAME.get(name)
        if f is not None:
            return self._other(f)
        raise AttributeError(f"{type(self).__name__} has no field {name!r}")

    def _other(self, f: Field) -> Any:
        if f.kind == "regime":
            return self._result.regime(f.symbol)
        if f.kind == "info":
            obj, attr = f.source
            if obj in self._static:
                return self._static[obj]
            o = self._objs.get(obj)
            return None if o is None else getattr(o, attr)
        if f.kind == "derived":
            return f.fn(self)
        return read_field(self._result.values, f)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __dir__(self) -> list[str]:
        return sorted({f.name for f in self.FIELDS} | set(self._extra)
                      | {"trace", "sources", "stamp", "explain", "to_dict", "constraint_trace", "result", "interval",
                         "intervals"})

    # ---- provenance -------------------------------------------------------------------------------------
    @property
    def result(self) -> Result:
        return self._result

    @property
    def trace(self) -> Any:
        return self._result.trace

    @property
    def sources(self) -> list[Any]:
        return self._result.sources

    @property
    def stamp(self) -> dict[str, str]:
        return self._result.stamp

    def explain(self) -> str:
        """The derivation; then, for each field whose inputs' ranges move it, its range and the input that
        dominates it (nothing is added when no input has a range)."""
        from ..analysis.ranges import explain_lines

        text = self._result.explain()
        lines = explain_lines(self)
        return text + "\n\nRanges (over the inputs' catalogued ranges):\n" + "\n".join(lines) if lines else text

    def interval(self, name: str, *, ranges: Any = None, samples: int | None = None) -> Any:
        """The range of field ``name`` over the ranges of the inputs it used (computed on call; see
        :func:`mlsysim_sym.analysis.ranges.interval`). ``ranges``: {input symbol: (low, high)} given by the caller."""
        from ..analysis.ranges import SAMPLES, interval

        return interval(self, name, ranges=ranges, samples=SAMPLES if samples is None else samples)

    def intervals(self, names: Any = None, *, ranges: Any = None) -> dict[str, Any]:
        """:meth:`interval` of every numeric field (or of ``names``), over one shared box of ranged inputs."""
        from ..analysis.ranges import intervals

        return intervals(self, names, ranges=ranges)

    @property
    def constraint_trace(self) -> list[str] | None:
        if "constraint_trace" in self._extra:
            return self._extra["constraint_trace"]
        if not self.TRACE:
            return None
        values = self._result.values
        lines = []
        for t in self.TRACE:
            if isinstance(t, tuple):  # (condition, template): a line only when the condition holds
                when, t = t
                if not (when(values) if callable(when) else values.get(when)):
                    continue
            lines.append(render(t, self))
        return lines

    # ---- export ------------------------------------------------------------------------------------------
    def field(self, name: str) -> Field:
        return self._BY_NAME[name]

    def _plain(self, f: Field) -> tuple[Any, str]:
        """(value in the display unit, unit) without building a Quantity: what JSON and tables show."""
        extra = self._extra
        if extra and f.name in extra:
            v = extra[f.name]
        elif f.kind == "value":
            d = type(self).__dict__.get(f.name)
            v = display_value(self._result.values, f, d if isinstance(d, _FieldDescriptor) else None)
            return v, ("" if f.unit in ("", "int", "bool", "str") else f.unit)
        else:
            v = self._other(f)
        if hasattr(v, "magnitude"):
            return float(v.magnitude), (f.unit or f"{v.units:~P}")
        return v, ("" if f.unit in ("", "int", "bool", "str") else f.unit)

    def to_dict(self) -> dict[str, Any]:
        """Every field as ``{"value", "unit"}`` (quantities) or plain JSON values; non-finite numbers as strings."""
        doc: dict[str, Any] = {}
        for f in self.FIELDS:
            v, unit = self._plain(f)
            doc[f.name] = {"value": jsonable(v), "unit": unit} if unit and v is not None else jsonable(v)
        doc["stamp"] = self.stamp
        return doc

    def rows(self) -> list[tuple[str, Any, str]]:
        """(name, value in its display unit, unit) for each field: what the CLI's text and Markdown tables show."""
        return [(f.name, *self._plain(f)) for f in self.FIELDS]

    def _repr_markdown_(self) -> str:
        lines = ["| field | value |", "|---|---|"]
        for name, v, unit in self.rows():
            shown = f"{v:.6g} {unit}".strip() if isinstance(v, float) else str(v)
            lines.append(f"| {name} | {shown} |")
        return "\n".join(lines) + "\n\n" + self.trace.to_markdown()

    def _repr_latex_(self) -> str:
        lines = [f"{n.lhs} &= {n.latex} = {n.shown}" for n in self.trace.nodes]
        return "$$\\begin{aligned}" + r"\\ ".join(lines) + "\\end{aligned}$$"

    def __repr__(self) -> str:
        parts = []
        for name, v, unit in self.rows()[:6]:
            parts.append(f"{name}={v:.4g} {unit}".rstrip() if isinstance(v, float) else f"{name}={v!r}")
        return f"{type(self).__name__}({', '.join(parts)}, ...)"


def jsonable(v: Any, unit: str = "") -> Any:
    if isinstance(v, View):  # a nested result (DistributedModel's node_profile): its fields, stamped once above
        doc = v.to_dict()
        doc.pop("stamp", None)
        return doc
    if hasattr(v, "magnitude"):
        return {"value": _num(float(v.magnitude)), "unit": unit or f"{v.units:~P}"}
    if isinstance(v, float):
        return _num(v)
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    return v


def _num(v: float) -> Any:
    return v if math.isfinite(v) else str(v)


# ---- constraint-trace templates -------------------------------------------------------------------------------------
_TOKEN = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}?]*))?(?:\?([^}|]*)\|([^}]*))?\}")


def render(template: str, view: View) -> str:
    """Fill ``{SYM:UNIT}`` (a value in a unit, 6 significant digits), ``{SYM:%}`` (a share as a percentage),
    ``{SYM:int}``, ``{SYM?yes|no}`` (by truth) and ``{field}`` (any field of the view, or a symbol) in a template."""
    values = view._result.values

    def one(m: re.Match[str]) -> str:
        name, unit, yes, no = m.group(1), m.group(2), m.group(3), m.group(4)
        if yes is not None:
            return yes if (values[name] if name in values else getattr(view, name)) else no
        if unit is not None and unit.startswith("."):  # a format specification: {X_cap:.2f}
            v = values[name] if name in values else getattr(view, name)
            return format(float(v), unit)
        if name in values and name not in view._BY_NAME:
            v = values[name]
            if unit is None:
                return f"{v:.6g}" if isinstance(v, float) else str(v)
            if unit == "%":
                return f"{v:.2%}"
            if unit == "int":
                return str(int(v))
            f = Field(name, name, unit)
            return f"{float(read_field(values, f).magnitude):.6g} {unit}"
        v = getattr(view, name)
        if hasattr(v, "magnitude"):
            return f"{float(v.magnitude):.6g} {unit or ''}".strip()
        return f"{v:.6g}" if isinstance(v, float) else str(v)

    return _TOKEN.sub(one, template)


__all__ = ["Field", "View", "derived", "info", "jsonable", "out", "read_field", "regime", "render"]
