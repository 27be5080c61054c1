"""Result views with MLSys·im 0.3.0's field names over an evaluated :class:`~mlsysim_sym.evaluate.Result`.

Fields are declared as ``attribute -> (symbol, unit)``; a field is a pint Quantity built on access (so the
evaluation itself stays on floats). Every view also carries ``.trace``, ``.sources``, ``.stamp``,
``.explain()``, ``to_dict()`` and notebook representations.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar

from .evaluate import Result


class LazyQ(tuple):
    """(value, unit) of a result extra, turned into a pint Quantity only when someone reads it."""

    __slots__ = ()

    def __new__(cls, value: float, unit: str) -> LazyQ:
        return tuple.__new__(cls, (value, unit))

    @classmethod
    def ms(cls, value: float, _new: Any = tuple.__new__) -> LazyQ:
        """A duration in milliseconds (the hot path of the serving resolvers: no Python-level __new__)."""
        return _new(cls, (value, "ms"))

    def quantity(self) -> Any:
        from .units import Q_

        return Q_(self[0], self[1])


class ResultView:
    """Base of every resolver result. ``_FIELDS``: attribute -> (symbol, display unit, or "" for a float,
    "int" for a count, "bool" for a flag). An extra of the same name overrides a field."""

    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {}
    _DERIVED: ClassVar[tuple[str, ...]] = ()  # properties computed from the values, exported by to_dict

    def __init__(self, result: Result, **extra: Any):
        object.__setattr__(self, "_result", result)
        object.__setattr__(self, "_extra", extra)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        extra = self._extra
        if name in extra:
            v = extra[name]
            return v.quantity() if isinstance(v, LazyQ) else v
        spec = self._FIELDS.get(name)
        if spec is None:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        sym, unit = spec
        value = self._result.values[sym]
        if unit == "":
            return float(value) if not isinstance(value, bool) else value
        if unit == "bool":
            return bool(value)
        if unit == "int":
            return int(value)
        return self._result.quantity(sym, unit)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __dir__(self) -> list[str]:
        return sorted(set(self._FIELDS) | set(self._extra) | set(self._DERIVED)
                      | {"trace", "sources", "stamp", "explain", "to_dict"})

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
        return self._result.explain()

    # ---- export ----------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Every field as ``{"value", "unit"}`` (numbers) or plain JSON values; non-finite numbers as strings."""
        out: dict[str, Any] = {}
        for name, (sym, unit) in self._FIELDS.items():
            if name in self._extra:  # an extra overrides the field (e.g. a result decided before an equation ran)
                continue
            v = self._result.values.get(sym)
            if unit == "int":
                out[name] = int(v)
            elif unit in ("", "bool") or isinstance(v, bool):
                out[name] = _json_number(v)
            else:
                q = self._result.quantity(sym, unit)
                out[name] = {"value": _json_number(float(q.magnitude)), "unit": unit}
        extras = dict(self._extra)
        for name in self._DERIVED:
            extras.setdefault(name, getattr(self, name))
        for name, v in extras.items():
            if isinstance(v, LazyQ):
                out[name] = {"value": _json_number(float(v[0])), "unit": v[1]}
            elif hasattr(v, "magnitude"):
                out[name] = {"value": _json_number(float(v.magnitude)), "unit": f"{v.units:~P}"}
            else:
                out[name] = v
        out["stamp"] = self.stamp
        return out

    def _repr_markdown_(self) -> str:
        rows = ["| field | value |", "|---|---|"]
        for name in self._FIELDS:
            v = getattr(self, name)
            rows.append(f"| {name} | {v:.6g~P} |" if hasattr(v, "magnitude") else f"| {name} | {v} |")
        return "\n".join(rows) + "\n\n" + self.trace.to_markdown()

    def _repr_latex_(self) -> str:
        lines = [f"{n.lhs} &= {n.latex} = {n.shown}" for n in self.trace.nodes]
        return "$$\\begin{aligned}" + r"\\ ".join(lines) + "\\end{aligned}$$"

    def __repr__(self) -> str:
        parts = []
        for name in list(self._FIELDS)[:6]:
            v = getattr(self, name)
            parts.append(f"{name}={v:.4g~P}" if hasattr(v, "magnitude") else f"{name}={v!r}")
        return f"{type(self).__name__}({', '.join(parts)}, ...)"


def _json_number(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v
