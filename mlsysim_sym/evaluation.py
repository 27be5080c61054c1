"""``SystemEvaluator``: one call that reads a system through three lenses — Feasibility ("will it run?"),
Performance ("is it fast enough?") and Macro ("is it worth it?") — with MLSys·im 0.3.0's arguments, level names,
metric keys, ``to_dict()`` keys and scorecard text.

The evaluator computes nothing of its own. Every number on the scorecard is a field of a facade's result
(``Engine.solve``/``SingleNodeModel``, ``DistributedModel``, ``EconomicsModel``, ``DataModel``) converted to the unit
0.3.0 reports it in; each :class:`EvaluationLevel` keeps those results in ``results`` (``level.result`` is the
main one), so ``evaluation.performance.result.trace`` derives a latency and ``evaluation.sources`` lists every
cited row and argument behind the card, lens by lens.

Modelling choices (recorded in docs/decisions/evaluation.md):

* **Path.** One node (``nodes == 1``) or no fleet: the single-device roofline of ``hardware_obj``; otherwise the
  data-parallel ``DistributedModel`` over the fleet (its own accelerator; ``tp_size = pp_size = 1`` unless given —
  0.3.0 forces 1 and has no argument for them). Memory feasibility of the distributed path is SKIPPED, as in
  0.3.0: sizing per-accelerator training memory needs ZeRO and accumulation choices this call does not take.
* **Nodes.** The distributed model and the economics run on ``nodes`` nodes of the fleet (same node, fabric and
  site). 0.3.0 uses the whole fleet whatever ``nodes`` says; the ``mlsysim-0.3.0`` edition does the same (rule
  ``evaluator-node-count``).
* **Economics** only when a fleet and a positive ``duration_days`` are given (0 days is no operating period:
  SKIPPED). Its energy is priced at the utilisation the performance lens found: the node's MFU on the single path,
  the fleet's (node MFU × scaling efficiency) on the distributed one. 0.3.0 prices the distributed path at full
  utilisation (mfu = 1); the edition does too (rule ``evaluator-fleet-mfu``).
* **Metric types.** ``metrics`` keep 0.3.0's types: plain floats in GB, ms, 1/s, USD and tonnes (the unit is in
  the key or fixed by 0.3.0's documentation). The Quantities with their derivations are on ``level.result``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

PASS, FAIL, WARNING, SKIPPED = "PASS", "FAIL", "WARNING", "SKIPPED"
STATUSES = (PASS, FAIL, WARNING, SKIPPED)

#: the lens labels of the scorecard, in order (the third is 0.3.0's "Macro/Economics")
LENSES = ("Feasibility", "Performance", "Macro/Economics")
_RULE_NODES = "evaluator-node-count"
_RULE_MFU = "evaluator-fleet-mfu"


@dataclass
class EvaluationLevel:
    """One lens of an evaluation: a status (PASS, FAIL, WARNING or SKIPPED), the reason in one line, 0.3.0's
    metrics, and the results its numbers come from.

    ``results`` maps a facade name (``"SingleNodeModel"``, ``"DistributedModel"``, ``"EconomicsModel"``,
    ``"DataModel"``) to its result view; ``requirements`` are the cited rows a status compares against (an SLA
    latency); ``notes`` say what the lens did not evaluate or which edition rule it followed."""

    level_name: str
    status: str
    summary: str
    metrics: dict[str, Any] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    requirements: tuple[Any, ...] = ()
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            from .errors import InputError

            raise InputError(f"status must be one of {', '.join(STATUSES)}, got {self.status!r}")

    @property
    def result(self) -> Any:
        """The main result behind this lens (None for a lens that was skipped)."""
        return next(iter(self.results.values()), None)

    @property
    def sources(self) -> list[Any]:
        """The cited rows, arguments and fixed values behind this lens's numbers; a symbol is prefixed by the
        facade that used it (``EconomicsModel:c_unit``)."""
        from .evaluate import SourceRef

        out = list(self.requirements)
        for name, view in self.results.items():
            out += [SourceRef(f"{name}:{s.symbol}", s.ref, s.bibkey, s.locator, s.kind, s.printed)
                    for s in view.sources]
        return out

    @property
    def trace(self) -> dict[str, Any]:
        """The derivation of each result of this lens, by facade name."""
        return {name: view.trace for name, view in self.results.items()}

    def explain(self) -> str:
        lines = [f"{self.level_name} [{self.status}]: {self.summary}"]
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  requirement: {r}" for r in self.requirements]
        for name, view in self.results.items():
            lines += [f"  -- {name} --", *("    " + ln for ln in view.explain().splitlines())]
        return "\n".join(lines)


@dataclass
class SystemEvaluation:
    """The three-lens scorecard of one system (0.3.0's ``SystemEvaluation``), with provenance."""

    scenario_name: str
    feasibility: EvaluationLevel
    performance: EvaluationLevel
    macro: EvaluationLevel

    @property
    def levels(self) -> tuple[EvaluationLevel, EvaluationLevel, EvaluationLevel]:
        return self.feasibility, self.performance, self.macro

    @property
    def passed_all(self) -> bool:
        """Every lens passed or was skipped (a WARNING does not pass)."""
        return all(lv.status in (PASS, SKIPPED) for lv in self.levels)

    def scorecard(self) -> str:
        """The scorecard as text: a boxed header, then each lens's status and reason (0.3.0's layout)."""
        rule = "═" * 60
        lines = [f"╔{rule}╗", "║ MLSys·im SYSTEM EVALUATION", f"║ Scenario: {self.scenario_name}", f"╠{rule}╣"]
        for i, (label, lv) in enumerate(zip(LENSES, self.levels), start=1):
            lines += [f"║ Level {i}: {label} [{lv.status}]", f"║ ↳ {lv.summary}"]
            if i < len(LENSES):
                lines.append("╟" + "-" * 60 + "╢")
        lines.append(f"╚{rule}╝")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """One flat row (0.3.0's keys): ``scenario``, ``f_status``/``p_status``/``m_status``, then each lens's
        metrics prefixed ``f_``, ``p_``, ``m_`` (values as the metrics hold them)."""
        row: dict[str, Any] = {"scenario": self.scenario_name}
        for prefix, lv in zip("fpm", self.levels):
            row[f"{prefix}_status"] = lv.status
        for prefix, lv in zip("fpm", self.levels):
            row.update({f"{prefix}_{k}": v for k, v in lv.metrics.items()})
        return row

    # ---- provenance ------------------------------------------------------------------------------------------
    @property
    def results(self) -> dict[str, Any]:
        """Every facade result behind the card, keyed ``<lens>.<facade>`` (``performance.SingleNodeModel``)."""
        return {f"{lens}.{name}": view for lens, lv in zip(("feasibility", "performance", "macro"), self.levels)
                for name, view in lv.results.items()}

    @property
    def sources(self) -> list[Any]:
        """The cited rows, arguments and fixed values behind every number of the card (each once)."""
        seen: set[tuple[str, str]] = set()
        out = []
        for lv in self.levels:
            for s in lv.sources:
                if (s.symbol, s.ref) not in seen:
                    seen.add((s.symbol, s.ref))
                    out.append(s)
        return out

    @property
    def trace(self) -> dict[str, dict[str, Any]]:
        """Each lens's derivations: ``{"feasibility": {...}, "performance": {"SingleNodeModel": Trace}, ...}``."""
        return {lens: lv.trace for lens, lv in zip(("feasibility", "performance", "macro"), self.levels)}

    @property
    def stamp(self) -> dict[str, str]:
        """Version, catalogue hash, formula revision and edition (those of the results behind the card)."""
        for lv in (self.performance, self.feasibility, self.macro):
            if lv.result is not None:
                return lv.result.stamp
        from . import __version__, editions

        return {"version": __version__, "edition": editions.active().name}

    def explain(self) -> str:
        return "\n\n".join([self.scorecard(), *(lv.explain() for lv in self.levels)])

    def __str__(self) -> str:
        return self.scorecard()


# ---- SystemEvaluator ---------------------------------------------------------------------------------------------
def _fmt_count(v: float) -> str:
    return f"{v:,.0f}"


@lru_cache(maxsize=64)
def _sub_fleet(node: str, fabric: str, region: str | None, datacenter: str | None, count: int, name: str) -> Any:
    from .systems import Fleet

    return Fleet(name=name, node=node, count=count, fabric=fabric, region=region, datacenter=datacenter)


def nodes_of(fleet: Any, nodes: int) -> Any:
    """``nodes`` nodes of ``fleet``: the fleet itself when it has that many, else a cluster of the same node type,
    fabric, region and datacenter (the node count traces to the ``nodes`` argument)."""
    from .errors import InputError

    if nodes == fleet.count:
        return fleet
    if nodes > fleet.count:
        raise InputError(f"nodes ({nodes}) exceeds the {fleet.count} nodes of {fleet.name}")
    attrs = fleet.entity.attrs
    return _sub_fleet(attrs["node"], attrs["fabric"], attrs.get("region"), attrs.get("datacenter"), nodes,
                      f"{nodes} of {fleet.name}")


class SystemEvaluator:
    """Composes the facades into the three-lens scorecard (0.3.0's ``SystemEvaluator``)."""

    @staticmethod
    def evaluate(scenario_name: str, model_obj: Any, hardware_obj: Any, batch_size: int, precision: str,
                 efficiency: float | None, fleet_obj: Any = None, nodes: int = 1,
                 duration_days: float | None = None, *, tp_size: int = 1, pp_size: int = 1) -> SystemEvaluation:
        """Evaluate ``model_obj`` on ``hardware_obj`` (or on ``fleet_obj``) in the three lenses.

        ``nodes == 1`` or no fleet: single-device roofline (memory feasibility, latency, throughput, MFU).
        Otherwise the data-parallel fleet model on ``nodes`` nodes of the fleet (step latency, communication,
        scaling efficiency; memory feasibility SKIPPED). Economics (TCO, carbon in tonnes, energy cost, CapEx)
        when a fleet and ``duration_days`` > 0 are given, else SKIPPED. ``efficiency=None`` uses the catalogue
        default. Metric units: memory GB, latency ms, throughput 1/s, money USD, carbon t.
        """
        from . import editions
        from .binding import resolve_fleet, resolve_hardware, resolve_model
        from .validate import count, real

        ed = editions.active()
        legacy_nodes = _RULE_NODES in ed.rules
        model = resolve_model(model_obj, "model_obj")
        hardware = resolve_hardware(hardware_obj, "hardware_obj")
        fleet = None if fleet_obj is None else resolve_fleet(fleet_obj, "fleet_obj")
        nodes = count(0 if legacy_nodes else 1, 10**6)("nodes", nodes)
        if duration_days is not None:
            duration_days = real(0.0, 1e6)("duration_days", duration_days)
        name = str(scenario_name)

        single = fleet is None or nodes == 1
        if single:
            feasibility, performance, mfu = _single(model, hardware, batch_size, precision, efficiency)
        else:
            target = fleet if legacy_nodes else nodes_of(fleet, nodes)
            feasibility, performance, mfu = _distributed(model, target, batch_size, precision, efficiency,
                                                         tp_size, pp_size, legacy_mfu=_RULE_MFU in ed.rules)
        macro = EvaluationLevel("Macro", SKIPPED, "No Ops config provided",
                                notes=("no fleet and operating period given: economics not evaluated",))
        if fleet is not None and duration_days:
            target = fleet if legacy_nodes else nodes_of(fleet, max(nodes, 1))
            macro = _economics(target, duration_days, mfu)
        return SystemEvaluation(name, feasibility, performance, macro)


def _single(model: Any, hardware: Any, batch_size: int, precision: str,
            efficiency: float | None) -> tuple[EvaluationLevel, EvaluationLevel, float]:
    from .engine import SingleNodeModel
    from .units import factor

    p = SingleNodeModel().solve(model, hardware, batch_size=batch_size, precision=precision, efficiency=efficiency)
    v = p.result.values
    gb = factor("B", "GB")
    used, cap = v["M_req"] * gb, v["C_mem"] * gb
    ok = bool(p.feasible)
    feas = EvaluationLevel(
        "Memory Feasibility", PASS if ok else FAIL, f"{used:.1f} GB / {cap:.1f} GB used",
        {"memory_used_gb": used, "memory_capacity_gb": cap, "memory_utilization": v["M_req"] / v["C_mem"]},
        {"SingleNodeModel": p})
    bound = f"{p.bottleneck} Bound"
    perf = EvaluationLevel(
        "Single Node Performance", PASS if ok else FAIL, bound if ok else f"{bound} (infeasible)",
        {"latency": v["T"] * factor("s", "ms"), "throughput": v["X"], "mfu": p.mfu},  # SI values, scaled once
        {"SingleNodeModel": p})
    return feas, perf, p.mfu


def _distributed(model: Any, fleet: Any, batch_size: int, precision: str, efficiency: float | None,
                 tp_size: int, pp_size: int, legacy_mfu: bool) -> tuple[EvaluationLevel, EvaluationLevel, float]:
    from .resolvers.distributed import DistributedModel

    d = DistributedModel().solve(model, fleet, batch_size=batch_size, precision=precision, efficiency=efficiency,
                                 tp_size=tp_size, pp_size=pp_size)
    from .units import factor

    node_mfu = d.node_profile.mfu
    eff = d.scaling_efficiency
    dv, ms = d.result.values, factor("s", "ms")  # SI values scaled once (no Quantity per metric)
    fleet_mfu = node_mfu * eff
    feas = EvaluationLevel(
        "Feasibility", SKIPPED,
        "Memory feasibility not evaluated for the distributed path (requires ZeRO/accumulation assumptions; "
        "size it with TrainingMemoryModel)",
        notes=("per-accelerator training memory depends on the ZeRO stage and gradient accumulation, which this "
               "call does not take",))
    perf = EvaluationLevel(
        "Fleet Performance", PASS, f"Scaling Efficiency: {eff:.1%}",
        {"step_latency": dv["T_step"] * ms, "comm_overhead": dv["T_comm"] * ms,
         "fleet_throughput": dv["X_fleet"], "mfu": fleet_mfu, "node_mfu": node_mfu,
         "scaling_efficiency": eff},
        {"DistributedModel": d})
    if legacy_mfu:
        from . import editions

        perf.notes = (f"edition {editions.active().name}, rule {_RULE_MFU}: the economics prices the fleet at full "
                      "utilisation (mfu = 1)",)
        return feas, perf, 1.0
    return feas, perf, fleet_mfu


def priced(fleet: Any) -> bool:
    """Whether the economics can report CapEx for ``fleet``: its accelerator has a catalogued purchase price (under
    the active edition), or the edition prices a missing one at $0 as 0.3.0 did."""
    from . import editions

    ed = editions.active()
    ent = ed.entity(fleet.node.accelerator)
    return ent.values.get("unit_cost") is not None or "economics-missing-price" in ed.rules


def _economics(fleet: Any, duration_days: float, mfu: float) -> EvaluationLevel:
    from .resolvers.operations import EconomicsModel, SustainabilityModel
    from .units import factor

    u = min(max(mfu, 0.0), 1.0)
    if not priced(fleet):
        s = SustainabilityModel().solve(fleet, duration_days=duration_days, mfu=u)
        return EvaluationLevel(
            "Economics & Sustainability", WARNING,
            f"TCO: n/a (no catalogued purchase price for {fleet.node.accelerator.key})",
            {"tco_usd": None, "carbon_footprint": s.carbon_footprint_kg.m_as("kgCO2e") * factor("kgCO2e", "tCO2e"),
             "energy_cost": None, "capex": None},
            {"SustainabilityModel": s},
            notes=("TCO needs the accelerator's purchase price, which the catalogue lacks: carbon only",))
    e = EconomicsModel().solve(fleet, duration_days=duration_days, mfu=u)
    tco = e.tco_usd.m_as("USD")
    return EvaluationLevel(
        "Economics & Sustainability", PASS, f"TCO: ${_fmt_count(tco)}",
        {"tco_usd": tco, "carbon_footprint": e.carbon_footprint_kg.m_as("kgCO2e") * factor("kgCO2e", "tCO2e"),
         "energy_cost": e.opex_energy_usd.m_as("USD"), "capex": e.capex_usd.m_as("USD")},
        {"EconomicsModel": e})


__all__ = ["EvaluationLevel", "FAIL", "PASS", "SKIPPED", "STATUSES", "SystemEvaluation", "SystemEvaluator",
           "WARNING", "nodes_of", "priced"]
