"""``mlsysim-sym zoo``: catalogue listings from the lock (no SymPy, no pint)."""
from __future__ import annotations

from ..catalog import Entity, catalog
from ..units import to_display
from .output import emit, num, table

KIND = {"hardware": "hardware", "models": "model", "grids": "grid", "fabrics": "fabric", "clusters": "cluster",
        "nodes": "node", "knobs": "knobs"}

COLUMNS = {
    "hardware": [("peak", "peak.{headline}", "TFLOP/s"), ("memory", "memory.capacity", "GB"),
                 ("bandwidth", "memory.bandwidth", "TB/s"), ("tdp", "tdp", "W")],
    "model": [("params", "params", "Gparam"), ("flops", "flops.inference", "GFLOP"), ("layers", "layers", "")],
    "grid": [("carbon", "carbon_intensity", "gCO2e/kWh"), ("pue", "pue", ""), ("wue", "wue", "L/kWh")],
    "fabric": [("bandwidth", "bandwidth", "Gb/s"), ("latency", "latency", "us"), ("oversub", "oversubscription", "")],
    "cluster": [("nodes", "node_count", "")],
    "node": [("accelerators", "accelerators_per_node", ""), ("intra_node_bw", "intra_node_bw", "GB/s")],
}


def _cell(ent: Entity, fld: str, unit: str) -> tuple[str, float | None]:
    fld = fld.replace("{headline}", ent.attrs.get("headline_precision", "fp16"))
    c = ent.values.get(fld)
    if c is None and fld.startswith("memory.") and ent.kind == "hardware":
        c = ent.values.get("sram." + fld.split(".", 1)[1])  # SRAM-only devices: on-chip memory is their memory
    if c is None:
        return "-", None
    v = to_display(c.si, c.si_unit, unit) if unit else c.si
    return num(v), v


def zoo_command(kind: str, sources: bool, fmt: str) -> None:
    cat = catalog()
    ek = KIND[kind]
    ents = cat.of_kind(ek)
    cols = COLUMNS.get(ek, [])
    sort_key = cols[0][1] if cols else None

    def key(e: Entity) -> tuple[float, str]:
        if sort_key is None:
            return (0.0, e.key)
        _, v = _cell(e, sort_key, cols[0][2])
        return (-(v or 0.0), e.key)

    ents = sorted(ents, key=key)
    if fmt == "json":
        doc = {kind: [{"key": e.key, "name": e.name, "category": e.category,
                       **{f: {"value": c.value, "unit": c.unit, "si": c.si, "si_unit": c.si_unit,
                              **({"bibkey": c.bibkey, "locator": c.locator, "kind": c.kind,
                                  "conditions": c.conditions} if sources else {})}
                          for f, c in e.values.items()}} for e in ents],
               "catalog_hash": cat.hash}
        emit(doc)
        return
    if sources:
        rows = [[e.key, f, c.printed, c.kind, f"{c.bibkey}: {c.locator}"] for e in ents for f, c in e.values.items()]
        print(table(["key", "field", "value", "kind", "source"], rows, fmt))
        return
    headers = ["key", "category", "name"] + [f"{h} ({u})" if u else h for h, _, u in cols]
    rows = [[e.key, e.category, e.name] + [_cell(e, f, u)[0] for _, f, u in cols] for e in ents]
    print(table(headers, rows, fmt))
