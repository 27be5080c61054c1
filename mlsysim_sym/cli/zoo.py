"""``mlsysim-sym zoo``: catalogue listings from the lock (no SymPy, no pint), filtered by key or name text,
category and field."""
from __future__ import annotations

from typing import Any

from ..catalog import Entity, catalog
from ..units import to_display
from .output import emit, fail, num, table, title

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


def _field_column(ents: list[Entity], fld: str) -> tuple[str, str, str]:
    """A --field column: the field's catalogued unit (the first entry that has it), as the header shows it."""
    for e in ents:
        c = e.values.get(fld)
        if c is not None:
            return (fld, fld, c.unit if c.unit not in ("1", "dimensionless") else "")
    return (fld, fld, "")


def select(ents: list[Entity], filters: tuple[str, ...] = (), category: str | None = None,
           fields: tuple[str, ...] = ()) -> list[Entity]:
    """The entries whose key or name contains every filter text, of the category, having one of the fields."""
    out = ents
    for f in filters:
        t = f.lower()
        out = [e for e in out if t in e.key.lower() or t in e.name.lower()]
    if category:
        c = category.lower()
        out = [e for e in out if (e.category or "").lower() == c]
    if fields:
        out = [e for e in out if any(f in e.values for f in fields)]
    return out


def _source_block(e: Entity, f: str, c: Any) -> list[str]:
    """One value's provenance as the auditor reads it: value, kind, source and locator, conditions, note, working,
    range."""
    lines = [f"{e.key}.{f} = {c.printed}   [{c.kind}]",
             f"    source:     {c.bibkey}, {c.locator} (read {c.read})",
             f"    conditions: {c.conditions}"]
    if c.note:
        lines.append(f"    note:       {c.note}")
    if c.working:
        lines.append(f"    working:    {c.working}")
    if c.range is not None:
        lines.append(f"    range:      [{c.range[0]:g}, {c.range[1]:g}] {c.unit}".rstrip() + f" ({c.range_basis})")
    return lines


def zoo_command(kind: str, sources: bool, fmt: str, filters: tuple[str, ...] = (), category: str | None = None,
                fields: tuple[str, ...] = (), row_kinds: tuple[str, ...] = ()) -> None:
    cat = catalog()
    if row_kinds:
        from ..catalog import KINDS

        bad = [k for k in row_kinds if k not in KINDS]
        if bad:
            fail(f"no row kind {', '.join(map(repr, bad))}; the kinds are: {', '.join(KINDS)}")
        sources = True
    ek = KIND[kind]
    everything = cat.of_kind(ek)
    if category:
        known = sorted({e.category for e in everything if e.category}, key=str.lower)
        if category.lower() not in {k.lower() for k in known}:
            fail(f"no {kind} category {category!r}; the categories are: {', '.join(known) or 'none'}")
    if fields:
        known_fields = sorted({f for e in everything for f in e.values})
        unknown = [f for f in fields if f not in known_fields]
        if unknown:
            import difflib

            hints = [f"{u!r}" + (f" (did you mean {close[0]!r}?)" if (close := difflib.get_close_matches(
                u, known_fields, 1)) else "") for u in unknown]
            fail(f"no {kind} entry has the field {', '.join(hints)}; fields include: "
                 + ", ".join(known_fields[:40]) + (" …" if len(known_fields) > 40 else ""))
    ents = select(everything, filters, category, fields)
    if row_kinds:
        ents = [e for e in ents if any(c.kind in row_kinds for f, c in e.values.items() if not fields or f in fields)]
    cols = [_field_column(ents, f) for f in fields] if fields else COLUMNS.get(ek, [])
    sort_key = cols[0][1] if cols else None

    def key(e: Entity) -> tuple[float, str]:
        if sort_key is None:
            return (0.0, e.key)
        _, v = _cell(e, sort_key, cols[0][2])
        return (-(v or 0.0), e.key)

    ents = sorted(ents, key=key)
    if fmt == "json":
        def keep(f: str, c: Any) -> bool:
            return (not fields or f in fields) and (not row_kinds or c.kind in row_kinds)

        doc = {kind: [{"key": e.key, "name": e.name, "category": e.category,
                       **{f: {"value": c.value, "unit": c.unit, "si": c.si, "si_unit": c.si_unit,
                              **({"bibkey": c.bibkey, "locator": c.locator, "kind": c.kind, "read": c.read,
                                  "conditions": c.conditions, "note": c.note, "working": c.working,
                                  "range": list(c.range) if c.range is not None else None,
                                  "range_basis": c.range_basis} if sources else {})}
                          for f, c in e.values.items() if keep(f, c)}} for e in ents],
               "count": len(ents), "catalog_hash": cat.hash}
        emit(doc)
        return
    scope = "".join([f" matching {' and '.join(repr(f) for f in filters)}" if filters else "",
                     f" in category {category}" if category else ""])
    print(title(f"{kind.capitalize()}: {len(ents)} of {len(everything)} entries{scope}", fmt))
    if not ents:
        print("nothing matches; `mlsysim-sym zoo " + kind + "` lists everything")
        return
    if sources:
        chosen = [(e, f, c) for e in ents for f, c in e.values.items()
                  if (not fields or f in fields) and (not row_kinds or c.kind in row_kinds)]
        if fmt == "markdown":
            rows = [[e.key, f, c.printed, c.kind, f"{c.bibkey}: {c.locator}", c.conditions, c.note, c.working,
                     f"[{c.range[0]:g}, {c.range[1]:g}] ({c.range_basis})" if c.range is not None else ""]
                    for e, f, c in chosen]
            print(table(["key", "field", "value", "kind", "source", "conditions", "note", "working", "range"], rows,
                        fmt, right=()))
        else:
            print("\n\n".join("\n".join(_source_block(e, f, c)) for e, f, c in chosen))
        return
    headers = ["key", "category", "name"] + [f"{h} ({u})" if u else h for h, _, u in cols]
    rows = [[e.key, e.category or "", e.name] + [_cell(e, f, u)[0] for _, f, u in cols] for e in ents]
    print(table(headers, rows, fmt, right=tuple(headers[3:])))
