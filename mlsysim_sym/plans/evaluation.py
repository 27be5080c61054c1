"""A plan through the three lenses of :mod:`mlsysim_sym.evaluation` (no evaluation of its own), as one document.

One accelerator: the single-device roofline (``evaluation._single``); more: the data-parallel fleet model over the
plan's fleet (``evaluation._distributed``). With ``ops``: the economics of that fleet in ``ops.region`` for
``ops.duration_days`` (``evaluation._economics``), priced at the utilisation the performance lens found (the
edition's rules apply as in ``SystemEvaluator``). Metric keys name their unit (``latency_ms``, ``tco_usd``,
``carbon_kg``); 0.3.0's names still address them in assertions.
"""
from __future__ import annotations

from typing import Any

from .assertions import METRICS, Check, check

#: 0.3.0's metric names in SystemEvaluation -> the unit-named keys of the plan document (one may feed two)
_RENAME = {"latency": ("latency_ms",), "throughput": ("throughput_per_s",),
           "step_latency": ("latency_ms", "step_latency_ms"), "comm_overhead": ("comm_overhead_ms",),
           "fleet_throughput": ("throughput_per_s",), "capex": ("capex_usd",), "energy_cost": ("energy_cost_usd",),
           "carbon_footprint": ("carbon_t",)}


def evaluate_resolved(r: Any) -> Any:
    """The :class:`~mlsysim_sym.evaluation.SystemEvaluation` of a resolved plan."""
    from .. import editions
    from ..evaluation import _RULE_MFU, SKIPPED, EvaluationLevel, SystemEvaluation, _distributed, _economics, _single

    w = r.plan.workload
    if r.total == 1:
        feas, perf, mfu = _single(r.model, r.hardware, w.batch_size, r.precision, r.efficiency)
    else:
        feas, perf, mfu = _distributed(r.model, r.fleet, w.batch_size, r.precision, r.efficiency, 1, 1,
                                       legacy_mfu=_RULE_MFU in editions.active().rules)
    if r.duration_days:
        macro = _economics(r.fleet, r.duration_days, mfu)
    else:
        macro = EvaluationLevel("Macro", SKIPPED, "No ops block in the plan: economics not evaluated",
                                notes=("add ops: {region, duration_days} to price the fleet",))
    return SystemEvaluation(r.name, feas, perf, macro)


def lens_metrics(level: Any, lens: str) -> dict[str, Any]:
    """A lens's metrics under unit-named keys (None where the lens did not compute one)."""
    from ..units import factor

    out: dict[str, Any] = {}
    for k, v in level.metrics.items():
        for new in _RENAME.get(k, (k,)):
            out.setdefault(new, None if v is None else float(v))
    if lens == "macro" and "carbon_t" in out:
        t = out["carbon_t"]
        out["carbon_kg"] = None if t is None else t * factor("tCO2e", "kgCO2e")
    order = list(METRICS[lens])
    return dict(sorted(out.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))


def document(r: Any, ev: Any) -> tuple[dict[str, Any], list[Check]]:
    """The plan's result document (JSON-ready) and the assertion checks."""
    lenses = {}
    for lens, level in zip(("feasibility", "performance", "macro"), ev.levels):
        lenses[lens] = {"status": level.status, "summary": level.summary, "metrics": lens_metrics(level, lens),
                        "units": {k: METRICS[lens].get(k, ("",))[0] for k in lens_metrics(level, lens)},
                        **({"notes": list(level.notes)} if level.notes else {})}
    checks = check(r.assertions, {k: v["metrics"] for k, v in lenses.items()})
    violations = [c for c in checks if not c.passed]
    status = "assertion_failed" if violations else ("infeasible" if ev.feasibility.status == "FAIL" else "ok")
    doc = {"status": status, "command": "eval", "plan": {"file": r.loc.file, "name": r.name,
                                                          "version": r.plan.version},
           "inputs": {**r.inputs, "efficiency": _efficiency(r, ev)}, **lenses,
           "assertions": [c.as_dict() for c in checks],
           "violations": [{"metric": c.metric, "value": c.value, "unit": c.unit, "max": c.max, "min": c.min,
                           "message": c.message, "where": c.where} for c in violations],
           "notes": list(r.notes), "stamp": dict(ev.stamp)}
    return doc, checks


def _efficiency(r: Any, ev: Any) -> float | None:
    """The efficiency the lenses used: the plan's, else the catalogue default the facade bound."""
    if r.efficiency is not None:
        return r.efficiency
    view = ev.performance.result
    values = getattr(getattr(view, "result", None), "values", None) or {}
    eta = values.get("eta_hw")
    return None if eta is None else float(eta)


def evaluate_plan(path: str) -> tuple[dict[str, Any], Any]:
    """Load, resolve and evaluate the plan at ``path``: (document, SystemEvaluation). Raises PlanError."""
    from .loader import load
    from .resolve import resolve

    plan, loc = load(path)
    r = resolve(plan, loc)
    ev = evaluate_resolved(r)
    doc, _ = document(r, ev)
    return doc, ev


__all__ = ["document", "evaluate_plan", "evaluate_resolved", "lens_metrics"]
