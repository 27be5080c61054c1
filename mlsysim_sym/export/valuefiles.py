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
            if sym and not eq_id and result.refs.get(sym) is not None and result.refs[sym].cited is None:
                names = None   # a value a search found (a replica count): it depends on everything the result used
            inputs = result.constants_for(names)
            out.append({"name": bv.name, "description": bv.description, "value": value, "unit": bv.unit,
                        "printed": printed, "si_value": float(result.values[sym]) if sym else value,
                        "si_unit": SYMBOLS[sym].unit if sym else "", "symbol": sym, "equation": eq_id,
                        "inputs": inputs, "input_values": input_values(inputs), "bibkeys": result.bibkeys_for(names),
                        "equations": equations_used(result, names), "rules": rules_used(result, names),
                        "topic": topic.slug, "field": bv.field,
                        "computation": {"resolver": bv.computation.resolver, **dict(bv.computation.args)}})
            rng = value_range(bv, view, value)
            if rng is not None:
                out[-1]["range"] = rng
            views[bv.name] = view
    ctx.cache["records"] = out
    ctx.cache["views"] = views
    return out


def value_range(bv: Any, view: Any, value: float) -> dict[str, Any] | None:
    """A book value's interval over its inputs' catalogued ranges, in the value's unit (low, high, printed as the
    value is, method, dominant input); None when no input it used has a range (the export is then unchanged)."""
    from ..analysis.ranges import _has_ranged_input
    from ..errors import InputError
    from .values import format_number

    if not _has_ranged_input(view.result):
        return None
    try:
        iv = view.interval(bv.field)
    except InputError:  # not a value field of the view (a property, a derived field): no interval
        return None
    if not iv.band:
        return None
    raw = getattr(view, bv.field)
    if hasattr(raw, "m_as") and iv.nominal:
        f = value / iv.nominal  # the display unit -> the book's unit (the same conversion the value had)
    else:
        f = 1.0
    lo, hi = sorted((iv.low * f, iv.high * f))
    dom = iv.dominant
    return {"low": lo, "high": hi, "low_printed": format_number(lo, bv.digits),
            "high_printed": format_number(hi, bv.digits), "method": iv.method,
            "dominant": None if dom is None else {"symbol": dom.name, "constant": dom.constant, "basis": dom.basis}}


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
          "input_values", "bibkeys", "rules", "computation", "range")  # range: only where an input has one


def _range_macros(r: dict[str, Any]) -> dict[str, Any]:
    """``\\Mlsys<name>Low`` / ``High`` beside a value with a band (empty otherwise: the template writes nothing)."""
    rng = r.get("range")
    if rng is None:
        return {"low_macro": "", "high_macro": "", "low": "", "high": "", "range_source": ""}
    dom = rng["dominant"]
    why = rng["method"] + (f"; dominated by {dom['symbol']} ({dom['constant'] or 'given'})" if dom else "")
    return {"low_macro": TeX("Mlsys" + r["name"] + "Low"), "high_macro": TeX("Mlsys" + r["name"] + "High"),
            "low": TeX(rng["low_printed"]), "high": TeX(rng["high_printed"]), "range_source": why}


@exporter("values")
def export_values(ctx: ExportContext, _files: dict[str, Any]) -> dict[str, Any]:
    """values.tex macros, values.json and _variables.yml."""
    from . import _env

    recs = records(ctx)
    values_ctx = [{"macro": TeX("Mlsys" + r["name"]), "printed": TeX(r["printed"]),
                   "source": f"{r['description']} [{r['equation']}; {', '.join(r['bibkeys'])}]",
                   **_range_macros(r)} for r in recs]
    macros = [str(m) for v in values_ctx for m in (v["macro"], v["low_macro"], v["high_macro"]) if m]
    if len(set(macros)) != len(macros):
        dup = sorted({m for m in macros if macros.count(m) > 1})
        raise ValueError(f"book value macros collide: {', '.join(dup)} (a value named <name>Low or <name>High "
                         "meets another value's range macro)")
    files: dict[str, Any] = {}
    files["values.tex"] = _env(True).get_template("values.tex.j2").render(**ctx.common, values=values_ctx)
    files["_variables.yml"] = _variables_yml(recs, ctx.common)
    files["values.json"] = json.dumps({"generated": GENERATED, **ctx.common,
                                       "values": [{k: r[k] for k in PUBLIC if k in r} for r in recs]},
                                      indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    return files


def _variables_yml(recs: list[dict[str, Any]], common: dict[str, str]) -> str:
    """Quarto project variables: ``{{< var mlsys.ResnetAhundredLatency >}}`` → ``0.568 ms``."""
    import yaml

    body = {"mlsys": {r["name"]: f"{r['printed'].replace('{,}', ',')} {r['unit']}".strip() for r in recs}}
    head = f"# {stamp(common)}\n"
    return head + yaml.safe_dump(body, sort_keys=True, allow_unicode=True, default_flow_style=False)
