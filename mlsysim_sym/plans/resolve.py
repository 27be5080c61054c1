"""From a validated plan to the objects the facades take: the model, the device, the fleet (``Fleet(...)``), the
operating site and period, and the assertions with their bounds in each metric's unit. Every problem is reported
with the plan's ``file:line:column`` and field.

Decisions (docs/decisions/plans.md):

* ``hardware.nodes`` (the documents' key) and ``hardware.accelerators`` (0.3.0's) are the TOTAL accelerators, as
  ``nodes`` historically meant in 0.3.0's plans; ``node_count`` x ``accelerators_per_node`` may say the same.
* Accelerators per node: the plan's, else the catalogued node of that accelerator whose size divides the total
  (``DGX_H100``: 8 H100), else the device's own accelerator count (a GB200 NVL72 tray), else 1. 0.3.0 went
  straight to the device count, so 64 H100 were 64 one-GPU nodes on a 50 GB/s network.
* Intra-node bandwidth: the plan's (per direction), else the catalogued node's, else the device's scale-up link,
  its host link, and last the fabric's. Fabric: ``hardware.fabric`` (a catalogued key), else InfiniBand_NDR, whose
  400 Gb/s is 0.3.0's default 50 GB/s and whose 5 us latency is 0.3.0's fallback; ``fabric_bandwidth`` replaces
  the bandwidth (the latency and oversubscription stay the catalogued fabric's).
* The fleet carries ``ops.region``, so the economics prices the region's PUE and carbon (0.3.0's plan path lost it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .loader import Located, PlanError, dotted, suggest

DEFAULT_FABRIC = "InfiniBand_NDR"


@dataclass
class Resolved:
    plan: Any
    loc: Located
    name: str
    model: Any
    hardware: Any
    precision: str
    efficiency: float | None
    total: int
    per_node: int
    node_count: int
    fleet: Any
    node_label: str
    fabric_label: str
    region: str | None
    duration_days: float | None
    assertions: list[tuple[str, str, str, float | None, float | None, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def inputs(self) -> dict[str, Any]:
        return {"model": self.model.key, "hardware": self.hardware.key, "batch_size": self.plan.workload.batch_size,
                "seq_len": self.plan.workload.seq_len, "precision": self.precision, "efficiency": self.efficiency,
                "accelerators": self.total, "node_count": self.node_count, "accelerators_per_node": self.per_node,
                "node": self.node_label, "fabric": self.fabric_label, "region": self.region,
                "duration_days": self.duration_days}


def resolve(plan: Any, loc: Located, *, need_ops: bool = False) -> Resolved:
    """Resolve every name of ``plan`` against the catalogue and build its fleet. Raises PlanError (all problems)."""
    from .model import PLAN_VERSIONS

    problems: list[str] = []
    if plan.version not in PLAN_VERSIONS:
        problems.append(loc.error(("version",), f"unsupported plan version {plan.version!r}; this release reads "
                                                f"{', '.join(repr(v) for v in PLAN_VERSIONS)}"))
    model = _lookup("model", plan.workload.name, ("workload", "name"), loc, problems)
    hw = _lookup("hardware", plan.hardware.name, ("hardware", "name"), loc, problems)
    precision = plan.hardware.precision
    try:
        from ..binding.resolve import normalize_precision

        precision = normalize_precision(precision, "hardware.precision")
        if hw is not None and precision not in hw.precisions() and precision not in ("fp16", "bf16"):
            problems.append(loc.error(("hardware", "precision"), f"{hw.key} has no catalogued {precision} peak; "
                                                                  f"catalogued: {', '.join(hw.precisions())}"))
    except Exception as exc:  # noqa: BLE001 - InputError from the one validation path
        problems.append(loc.error(("hardware", "precision"), _plain(exc)))
    region = None
    if plan.ops is not None:
        region = plan.ops.region
        if _lookup("grid", region, ("ops", "region"), loc, problems) is None:
            region = None
    elif need_ops:
        pass
    total, per_node, node_key, notes = _topology(plan, loc, hw, problems)
    fabric_key = plan.hardware.fabric or DEFAULT_FABRIC
    if plan.hardware.fabric is not None:
        _lookup("fabric", fabric_key, ("hardware", "fabric"), loc, problems)
    checks = _assertions(plan, loc, problems)
    if problems:
        raise PlanError(problems)
    name = plan.name or loc.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    fleet, node_label, fabric_label = _fleet(plan, hw, total, per_node, node_key, fabric_key, region, name, notes)
    return Resolved(plan, loc, name, model, hw, precision, plan.hardware.efficiency, total, per_node,
                    total // per_node, fleet, node_label, fabric_label, region,
                    plan.ops.duration_days if plan.ops is not None else None, checks, notes)


def _plain(exc: Exception) -> str:
    return str(exc).strip() or type(exc).__name__


_KINDS = {"model": ("model", "mlsysim-sym zoo models"), "hardware": ("hardware", "mlsysim-sym zoo hardware"),
          "grid": ("grid", "mlsysim-sym zoo grids"), "fabric": ("fabric", "mlsysim-sym zoo fabrics")}


def _lookup(kind: str, key: str, path: tuple, loc: Located, problems: list[str]) -> Any:
    """The catalogued object ``key`` of ``kind`` (looked up in the catalogue's dictionaries), else a problem."""
    from ..catalog import catalog

    cat = catalog()
    ent = cat.entities.get((kind, key))
    if ent is None:
        known = sorted(k for (kd, k) in cat.entities if kd == kind)
        problems.append(loc.error(path, f"unknown {kind} {key!r}{suggest(key, known)} (see `{_KINDS[kind][1]}`)"))
        return None
    if kind == "model":
        from ..binding.resolve import resolve_model

        return resolve_model(key)
    if kind == "hardware":
        from ..binding.resolve import resolve_hardware

        return resolve_hardware(key)
    return ent


def _topology(plan: Any, loc: Located, hw: Any, problems: list[str]) -> tuple[int, int, str | None, list[str]]:
    h = plan.hardware
    notes: list[str] = []
    totals = [(f, getattr(h, f)) for f in ("nodes", "accelerators") if getattr(h, f) is not None]
    if h.node_count is not None:
        if h.accelerators_per_node is None:
            problems.append(loc.error(("hardware", "node_count"), "node_count needs accelerators_per_node (the "
                                                                  "total is node_count x accelerators_per_node)"))
            return 1, 1, None, notes
        totals.append(("node_count x accelerators_per_node", h.node_count * h.accelerators_per_node))
    if len({v for _, v in totals}) > 1:
        problems.append(loc.error(("hardware",), "the accelerator counts disagree: " +
                                  ", ".join(f"{f} = {v:,}" for f, v in totals) + " (nodes and accelerators both "
                                  "mean the total)"))
        return 1, 1, None, notes
    total = totals[0][1] if totals else 1
    if total > 10**6:
        problems.append(loc.error(("hardware",), f"{total:,} accelerators is more than this model sizes (10^6)"))
        return 1, 1, None, notes
    if h.nodes is not None:
        notes.append(f"hardware.nodes = {h.nodes:,} read as the total accelerators (its historical meaning in "
                     "mlsysim plans)")
    if hw is None:
        return total, 1, None, notes
    node_key = None
    per_node = h.accelerators_per_node
    if per_node is None:
        for ent in _catalogued_nodes(hw.key):
            n = int(ent.values["accelerators_per_node"].si)
            if n <= total and total % n == 0:
                per_node, node_key = n, ent.key
                break
        if per_node is None:
            n = hw.accelerator_count
            per_node = n if total % n == 0 else 1
    else:
        node_key = next((e.key for e in _catalogued_nodes(hw.key)
                         if int(e.values["accelerators_per_node"].si) == per_node), None)
        if total % per_node != 0:
            problems.append(loc.error(("hardware", "accelerators_per_node"),
                                      f"{total:,} accelerators do not divide into nodes of {per_node:,}"))
            return total, 1, None, notes
    return total, per_node, node_key, notes


def _catalogued_nodes(device: str) -> list[Any]:
    from ..catalog import catalog

    return sorted((e for e in catalog().of_kind("node") if e.attrs.get("accelerator") == device
                   and "accelerators_per_node" in e.values), key=lambda e: e.key)


def _assertions(plan: Any, loc: Located, problems: list[str]) -> list[tuple]:
    from ..errors import MlsysimError
    from .assertions import bound_value, metric_names, resolve_metric

    out = []
    if plan.constraints is None:
        return out
    for i, a in enumerate(plan.constraints.asserts):
        base = ("constraints", "assert", i)
        hit = resolve_metric(a.metric)
        if hit is None:
            problems.append(loc.error(base + ("metric",), f"unknown metric {a.metric!r}"
                                      f"{suggest(a.metric, metric_names())} (metrics: lens.name, e.g. "
                                      "performance.latency, macro.tco_usd, macro.carbon_kg)"))
            continue
        if a.max is None and a.min is None:
            problems.append(loc.error(base, "an assertion needs max or min"))
            continue
        bounds = {}
        for side in ("max", "min"):
            raw = getattr(a, side)
            if raw is None:
                bounds[side] = None
                continue
            try:
                bounds[side] = bound_value(raw, *hit)
            except MlsysimError as exc:
                problems.append(loc.error(base + (side,), _plain(exc)))
                bounds[side] = None
        out.append((a.metric, hit[0], hit[1], bounds["max"], bounds["min"], loc.where(base)))
    return out


def _fleet(plan: Any, hw: Any, total: int, per_node: int, node_key: str | None, fabric_key: str,
           region: str | None, name: str, notes: list[str]) -> tuple[Any, str, str]:
    """The plan's cluster as a ``Fleet``: catalogued node and fabric where the plan allows, else user-built parts
    whose values trace to the plan's fields."""
    from ..catalog import Entity, catalog, user_row
    from ..systems import Fleet
    from ..units import factor

    h = plan.hardware
    count = total // per_node
    fleet_name = f"{name}: {count:,} x {per_node} {hw.key}"
    cat = catalog()
    custom_node = node_key is None or h.intra_node_bw is not None
    custom_fabric = h.fabric_bandwidth is not None
    gbs = factor("GB/s", "B/s")
    if custom_node:
        key = f"Plan_{per_node}x{hw.key}"
        if h.intra_node_bw is not None:
            intra = user_row(f"node.{key}", "intra_node_bw", h.intra_node_bw * gbs, "B/s",
                             "plan hardware.intra_node_bw")
            why = "the plan's intra_node_bw"
        else:
            src = (cat.entity("node", node_key).values["intra_node_bw"] if node_key else
                   hw.entity.values.get("scaleup_link.bandwidth") or hw.entity.values.get("host_link.bandwidth"))
            if src is None:
                src = (user_row(f"node.{key}", "intra_node_bw", h.fabric_bandwidth * gbs, "B/s",
                                "plan hardware.fabric_bandwidth") if custom_fabric
                       else cat.entity("fabric", fabric_key).values["bandwidth"])
            intra, why = src, f"catalogued {src.id}" if src.kind != "user" else "the fabric bandwidth"
        node_ent = Entity("node", key, f"{per_node} x {hw.key} (plan)", "Custom", {"accelerator": hw.key},
                          {"accelerators_per_node": user_row(f"node.{key}", "accelerators_per_node", float(per_node),
                                                             "", "plan hardware (accelerators per node)"),
                           "intra_node_bw": intra}, "<user>")
        notes.append(f"node: {per_node} x {hw.key} per node, intra-node bandwidth from {why}")
        node_label = node_ent.name
    else:
        node_ent = cat.entity("node", node_key)
        node_label = node_key
        if h.accelerators_per_node is None:
            notes.append(f"node: the catalogued {node_key} ({per_node} x {hw.key}); set "
                         "hardware.accelerators_per_node to choose another grouping")
    base_fabric = cat.entity("fabric", fabric_key)
    if custom_fabric:
        fkey = f"Plan_{fabric_key}_{h.fabric_bandwidth:g}GBps".replace(".", "_")
        values = dict(base_fabric.values)
        values["bandwidth"] = user_row(f"fabric.{fkey}", "bandwidth", h.fabric_bandwidth * gbs, "B/s",
                                       "plan hardware.fabric_bandwidth")
        fabric_ent = Entity("fabric", fkey, f"{base_fabric.name} at {h.fabric_bandwidth:g} GB/s (plan)", "Custom",
                            dict(base_fabric.attrs), values, "<user>")
        fabric_label = fabric_ent.name
    else:
        fabric_ent = base_fabric
        fabric_label = fabric_key
    if not custom_node and not custom_fabric:
        return Fleet(name=fleet_name, node=node_key, count=count, fabric=fabric_key, region=region), node_label, \
            fabric_label
    from ..systems import NetworkFabric, Node

    fleet_key = "Plan_" + "".join(ch if ch.isalnum() else "_" for ch in fleet_name)
    attrs = {"node": node_ent.key, "fabric": fabric_ent.key}
    if region:
        attrs["region"] = region
    ent = Entity("cluster", fleet_key, fleet_name, "Custom", attrs,
                 {"node_count": user_row(f"cluster.{fleet_key}", "node_count", float(count), "", "plan hardware "
                                                                                                  "(node count)")},
                 "<user>")
    return PlanFleet(ent, cat, Node(node_ent, cat), NetworkFabric(fabric_ent, cat)), node_label, fabric_label


def _plan_fleet_class() -> Any:
    from ..systems import Fleet

    class _PlanFleet(Fleet):
        """A fleet whose node or fabric the plan built (not catalogued)."""

        def __init__(self, entity: Any, cat: Any, node: Any, fabric: Any):
            super().__init__(entity, cat)
            self._node, self._fabric = node, fabric

        @property
        def node(self) -> Any:
            return self._node

        @property
        def fabric(self) -> Any:
            return self._fabric

    return _PlanFleet


def PlanFleet(entity: Any, cat: Any, node: Any, fabric: Any) -> Any:  # noqa: N802 - a class built lazily
    global _PLAN_FLEET
    if _PLAN_FLEET is None:
        _PLAN_FLEET = _plan_fleet_class()
    return _PLAN_FLEET(entity, cat, node, fabric)


_PLAN_FLEET: Any = None

__all__ = ["DEFAULT_FABRIC", "Resolved", "dotted", "resolve"]
