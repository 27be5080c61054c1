"""What differs between two editions for every value the book exports, and which constant or declared rule
causes it (``mlsysim-sym editions diff [A] [B]``).

Each book value is evaluated under both editions. A difference is explained by the leaves its derivation used:
a catalogue row whose value differs between the editions (named by its id in each, with both printed values), an
input rebound by one edition's declared rule (named by the rule), or a branch that bound in one edition and not
the other (the leaves only one derivation used).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..provenance import Rule


@dataclass
class ValueDiff:
    name: str
    description: str
    unit: str
    a: float | None
    b: float | None
    error_a: str = ""
    error_b: str = ""
    causes: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        if self.a is None or self.b is None:
            return self.a is not self.b or self.error_a != self.error_b
        return not math.isclose(self.a, self.b, rel_tol=1e-12, abs_tol=0.0)

    @property
    def relative(self) -> float | None:
        if self.a is None or self.b is None or self.a == 0:
            return None
        return self.b / self.a - 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "unit": self.unit, "a": self.a, "b": self.b,
                "relative": self.relative, "differs": self.differs, "causes": self.causes,
                **({"error_a": self.error_a} if self.error_a else {}), **({"error_b": self.error_b} if self.error_b else {})}


def _evaluate(bv: Any, ed: Any) -> tuple[Any, float | None, str]:
    from .. import editions
    from ..errors import MlsysimError

    with editions.edition(ed):
        try:
            view = bv.computation.fresh()
            raw = getattr(view, bv.field)
            value = float(raw.m_as(bv.unit)) if hasattr(raw, "m_as") else float(raw)
            return view, value, ""
        except MlsysimError as exc:
            return None, None, str(exc)


def _leaf_refs(view: Any, field_name: str) -> dict[str, Any]:
    spec = view.field(field_name)
    names = (spec.symbol,) if spec.kind == "value" and spec.symbol else None
    r = view.result
    return {s: (r.refs.get(s), r.values.get(s)) for s in r.leaves(names)}


def explain(va: Any, vb: Any, field_name: str) -> list[str]:
    from ..catalog import constant_by_id

    la, lb = _leaf_refs(va, field_name), _leaf_refs(vb, field_name)
    causes: list[str] = []
    for sym in sorted(set(la) | set(lb)):
        (ra, xa), (rb, xb) = la.get(sym, (None, None)), lb.get(sym, (None, None))
        for ref in (ra, rb):
            if isinstance(ref, Rule) and f"rule {ref.rule}" not in causes:
                causes.append(f"rule {ref.rule}")
        if ra is None or rb is None:
            only = "second" if ra is None else "first"
            causes.append(f"{sym}: used only in the {only} edition's derivation (another branch bound)")
            continue
        if xa != xb and not isinstance(ra, Rule) and not isinstance(rb, Rule):
            ca = constant_by_id(ra.cited) if ra.cited else None
            cb = constant_by_id(rb.cited) if rb.cited else None
            shown_a = f"{ca.id} = {ca.printed}" if ca else f"{ra.text()} = {xa:.6g}"
            shown_b = f"{cb.id} = {cb.printed}" if cb else f"{rb.text()} = {xb:.6g}"
            causes.append(f"{sym}: {shown_a} -> {shown_b}")
    return causes


def diff(a: str = "default", b: str = "mlsysim-0.3.0") -> list[ValueDiff]:
    """Every book value under editions ``a`` and ``b``, with the causes of each difference."""
    from .. import editions, paths
    from ..export import load_derivations

    ea, eb = editions.get(a), editions.get(b)
    out: list[ValueDiff] = []
    for bv in load_derivations(paths.derivations_dir()):
        va, xa, erra = _evaluate(bv, ea)
        vb, xb, errb = _evaluate(bv, eb)
        d = ValueDiff(bv.name, bv.description, bv.unit, xa, xb, erra, errb)
        if d.differs and va is not None and vb is not None:
            d.causes = explain(va, vb, bv.field)
        elif d.differs:
            d.causes = [f"error in the {'first' if va is None else 'second'} edition: {erra or errb}"]
        out.append(d)
    return out


__all__ = ["ValueDiff", "diff", "explain"]
