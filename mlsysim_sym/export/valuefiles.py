"""Exporter ``values``: ``values.tex`` (one macro per value), ``values.json`` and Quarto's ``_variables.yml``."""
from __future__ import annotations

import json
from typing import Any

from .registry import ExportContext, exporter, stamp
from .texutil import TeX
from .tree import GENERATED


def records(ctx: ExportContext) -> list[dict[str, Any]]:
    """Every book value of the chosen topics, evaluated once per export (with its result view in ``ctx.cache``)."""
    if "records" in ctx.cache:
        return ctx.cache["records"]
    from ..notation import SYMBOLS
    from . import _equations_of, _lhs

    out: list[dict[str, Any]] = []
    views: dict[str, Any] = {}
    for topic in ctx.topics:
        for bv in topic.values:
            value, printed, view = bv.evaluate()
            result = view.result
            spec = view.field(bv.field)
            sym = spec.symbol if spec.kind == "value" and spec.symbol else ""
            names = (sym,) if sym else None
            eq_id = next((eid for step in result.steps for eid in _equations_of(step) if _lhs(eid) == sym), "")
            inputs = result.constants_for(names)
            out.append({"name": bv.name, "description": bv.description, "value": value, "unit": bv.unit,
                        "printed": printed, "si_value": float(result.values[sym]) if sym else value,
                        "si_unit": SYMBOLS[sym].unit if sym else "", "symbol": sym, "equation": eq_id,
                        "inputs": inputs, "input_values": input_values(inputs), "bibkeys": result.bibkeys_for(names),
                        "equations": equations_used(result, names), "rules": rules_used(result, names),
                        "topic": topic.slug, "field": bv.field,
                        "computation": {"resolver": bv.computation.resolver, **dict(bv.computation.args)}})
            views[bv.name] = view
    ctx.cache["records"] = out
    ctx.cache["views"] = views
    return out


def input_values(ids: list[str]) -> dict[str, dict[str, Any]]:
    """Each catalogue row a value used, as printed by its source (``value``, ``unit``) and in SI: what the next
    ``export --check`` compares to say which constant moved a number (ids keep an edition's ``@tag``)."""
    from .. import editions
    from ..catalog import constant_by_id

    out: dict[str, dict[str, Any]] = {}
    for cid in ids:
        c = constant_by_id(cid) or editions.active().catalog.constants.get(cid.split("@", 1)[0])
        if c is not None:
            out[cid] = {"value": c.value, "unit": c.unit, "si": c.si}
    return out


def equations_used(result: Any, names: tuple[str, ...] | None) -> list[str]:
    """Every equation the value's derivation used (the branch that bound), sub-results included."""
    from ..provenance import Sub

    leaves, eqs = result.closure(names)
    out = list(eqs)
    for sym in leaves:
        ref = result.refs.get(sym)
        if isinstance(ref, Sub) and ref.name in result.subs:
            out += [e for e in equations_used(result.subs[ref.name], None) if e not in out]
    return out


def rules_used(result: Any, names: tuple[str, ...] | None) -> list[str]:
    """The declared edition rules that bound an input of the value (none in the default edition)."""
    from ..provenance import Rule, Sub

    found: set[str] = set()
    for sym in result.leaves(names):
        ref = result.refs.get(sym)
        if isinstance(ref, Rule):
            found.add(ref.rule)
        elif isinstance(ref, Sub) and ref.name in result.subs:
            found |= set(rules_used(result.subs[ref.name], None))
    return sorted(found)


PUBLIC = ("name", "description", "value", "unit", "printed", "si_value", "si_unit", "equation", "equations", "inputs",
          "input_values", "bibkeys", "rules", "computation")


@exporter("values")
def export_values(ctx: ExportContext, _files: dict[str, Any]) -> dict[str, Any]:
    """values.tex macros, values.json and _variables.yml."""
    from . import _env

    recs = records(ctx)
    values_ctx = [{"macro": TeX("Mlsys" + r["name"]), "printed": TeX(r["printed"]),
                   "source": f"{r['description']} [{r['equation']}; {', '.join(r['bibkeys'])}]"} for r in recs]
    files: dict[str, Any] = {}
    files["values.tex"] = _env(True).get_template("values.tex.j2").render(**ctx.common, values=values_ctx)
    files["_variables.yml"] = _variables_yml(recs, ctx.common)
    files["values.json"] = json.dumps({"generated": GENERATED, **ctx.common,
                                       "values": [{k: r[k] for k in PUBLIC} for r in recs]},
                                      indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    return files


def _variables_yml(recs: list[dict[str, Any]], common: dict[str, str]) -> str:
    """Quarto project variables: ``{{< var mlsys.ResnetAhundredLatency >}}`` → ``0.568 ms``."""
    import yaml

    body = {"mlsys": {r["name"]: f"{r['printed'].replace('{,}', ',')} {r['unit']}".strip() for r in recs}}
    head = f"# {stamp(common)}\n"
    return head + yaml.safe_dump(body, sort_keys=True, allow_unicode=True, default_flow_style=False)
