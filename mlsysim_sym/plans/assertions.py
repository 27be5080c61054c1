"""Plan assertions: ``lens.metric`` names, the unit each metric is documented in, and the check.

A metric is addressed by its unit-named key (``performance.latency_ms``) or by 0.3.0's name (``performance.latency``,
``macro.carbon_footprint``); a bound is a number in the metric's documented unit or a text with a unit (``"50 ms"``,
``"2 t"`` is not a unit: write ``"2000 kgCO2e"``), converted by the unit registry. A metric the evaluation did not
compute (a lens SKIPPED, a TCO without a purchase price) is a violation, as in 0.3.0.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: lens -> unit-named key -> (unit, dimension reference for unit texts, description, 0.3.0 / short names)
METRICS: dict[str, dict[str, tuple[str, str, str, tuple[str, ...]]]] = {
    "feasibility": {
        "memory_used_gb": ("GB", "B", "memory a device needs", ("memory_used",)),
        "memory_capacity_gb": ("GB", "B", "memory a device has", ("memory_capacity",)),
        "memory_utilization": ("", "", "needed / available (fraction)", ()),
    },
    "performance": {
        "latency_ms": ("ms", "s", "latency of one step (fleet: the training step)", ("latency",)),
        "step_latency_ms": ("ms", "s", "fleet training step", ("step_latency",)),
        "comm_overhead_ms": ("ms", "s", "communication per fleet step", ("comm_overhead",)),
        "throughput_per_s": ("1/s", "1/s", "samples per second (fleet: all replicas)",
                             ("throughput", "fleet_throughput")),
        "mfu": ("", "", "model FLOPs utilisation (fraction)", ()),
        "node_mfu": ("", "", "one replica's MFU (fraction)", ()),
        "scaling_efficiency": ("", "", "fleet scaling efficiency (fraction)", ()),
    },
    "macro": {
        "tco_usd": ("USD", "USD", "total cost of ownership over the period", ("tco",)),
        "capex_usd": ("USD", "USD", "amortised purchase cost over the period", ("capex",)),
        "energy_cost_usd": ("USD", "USD", "electricity cost over the period", ("energy_cost",)),
        "carbon_kg": ("kgCO2e", "kgCO2e", "operational carbon over the period", ()),
        "carbon_t": ("tCO2e", "kgCO2e", "operational carbon over the period, tonnes",
                     ("carbon_footprint", "carbon")),
    },
}


def metric_names() -> list[str]:
    out = []
    for lens, table in METRICS.items():
        for key, (_, _, _, aliases) in table.items():
            out += [f"{lens}.{key}", *(f"{lens}.{a}" for a in aliases)]
    return out


def resolve_metric(name: str) -> tuple[str, str] | None:
    """(lens, unit-named key) of ``name`` (either spelling), or None."""
    lens, _, key = name.strip().partition(".")
    table = METRICS.get(lens)
    if table is None:
        return None
    if key in table:
        return lens, key
    for k, (_, _, _, aliases) in table.items():
        if key in aliases:
            return lens, k
    return None


def bound_value(bound: Any, lens: str, key: str) -> float:
    """A bound in the metric's unit: a number as given, a text through the unit registry. Raises MlsysimError."""
    if not isinstance(bound, str):
        return float(bound)
    from ..errors import UnitError
    from ..units import parse_quantity

    unit, dim, _, _ = METRICS[lens][key]
    try:
        return float(parse_quantity(bound, expect=dim).m_as(unit))
    except UnitError as exc:
        raise UnitError(f"{exc} (the metric {lens}.{key} is in {unit or 'no unit (a fraction)'})") from None


@dataclass
class Check:
    metric: str          # as written in the plan
    key: str             # lens.unit_named_key
    unit: str
    value: float | None
    max: float | None
    min: float | None
    where: str           # file:line:col of the assertion
    passed: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "key": self.key, "unit": self.unit, "value": self.value, "max": self.max,
                "min": self.min, "passed": self.passed, "message": self.message, "where": self.where}


def check(specs: list[tuple[str, str, str, float | None, float | None, str]],
          metrics: dict[str, dict[str, Any]]) -> list[Check]:
    """Each (metric as written, lens, key, max, min, where) against ``metrics[lens][key]``."""
    out = []
    for written, lens, key, hi, lo, where in specs:
        unit = METRICS[lens][key][0]
        value = metrics.get(lens, {}).get(key)
        u = f" {unit}" if unit else ""
        if value is None:
            out.append(Check(written, f"{lens}.{key}", unit, None, hi, lo, where, False,
                             f"{written} was not evaluated for this plan (see the {lens} lens)"))
            continue
        fails = []
        if hi is not None and value > hi:
            fails.append(f"{written} = {value:,.6g}{u} exceeds max {hi:,.6g}{u}")
        if lo is not None and value < lo:
            fails.append(f"{written} = {value:,.6g}{u} is below min {lo:,.6g}{u}")
        msg = "; ".join(fails) if fails else f"{written} = {value:,.6g}{u} within bounds"
        out.append(Check(written, f"{lens}.{key}", unit, float(value), hi, lo, where, not fails, msg))
    return out


__all__ = ["Check", "METRICS", "bound_value", "check", "metric_names", "resolve_metric"]
