"""The click-facing glue of plans: ``eval PLAN.yaml``, ``schema``, ``optimize parallelism|batching|placement``.

Exit codes: 0 ok; 1 a plan that does not load (every problem with file:line:column and field); 3 an assertion
failed (JSON ``"status": "assertion_failed"`` with the violations; text lists them); 4 the single-device
feasibility lens failed (does not fit). JSON is one document on stdout.
"""
from __future__ import annotations

import math
from typing import Any

import click

from .output import emit, table

LENS_TITLES = (("feasibility", "Feasibility"), ("performance", "Performance"), ("macro", "Macro (economics)"))


def is_plan_path(arg: str) -> bool:
    return arg.lower().endswith((".yaml", ".yml"))


def show(v: Any) -> str:
    """A number a person reads: thousands separated, no scientific notation between 1e-4 and 1e15."""
    if v is None:
        return "n/a"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if not isinstance(v, float):
        return str(v)
    if not math.isfinite(v):
        return str(v)
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1e15 or a < 1e-4:
        return f"{v:.4g}"
    if a >= 1e4:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:,.0f}" if v == int(v) else f"{v:,.1f}"
    return f"{v:.4g}"


def _stamp_line(stamp: dict[str, Any]) -> str:
    return ("mlsysim-sym " + str(stamp.get("version", "?")) + "; catalogue " + str(stamp.get("catalog_hash", "?"))
            + "; formulas " + str(stamp.get("formula_revision", "?")) + "; edition " + str(stamp.get("edition", "?")))


def _heading(text: str, fmt: str, level: int = 2) -> str:
    return f"{'#' * level} {text}" if fmt == "markdown" else text


# ---- eval PLAN -------------------------------------------------------------------------------------------------------
def _located(path: str, fn: Any, *args: Any) -> Any:
    """Run ``fn``; a model's own error (no split fits, an input outside a domain) is reported against the plan."""
    from ..errors import MlsysimError
    from ..plans.loader import PlanError

    try:
        return fn(*args)
    except PlanError:
        raise
    except MlsysimError as exc:
        err = PlanError([f"{path}: {exc}"])
        err.exit_code = getattr(exc, "exit_code", 1)
        raise err from None


def eval_plan_command(path: str, fmt: str) -> None:
    from ..plans.evaluation import evaluate_plan

    doc, _ = _located(path, evaluate_plan, path)
    if fmt == "json":
        emit(doc)
    else:
        click.echo(render_plan(doc, fmt))
    _finish(doc, fmt)


def _finish(doc: dict[str, Any], fmt: str) -> None:
    if doc["status"] == "assertion_failed":
        if fmt != "json":
            for v in doc["violations"]:
                click.echo(f"assertion failed: {v['where']}: {v['message']}", err=True)
        raise SystemExit(3)
    if doc["status"] == "infeasible":
        click.echo(f"infeasible: {doc['feasibility']['summary']}", err=True)
        raise SystemExit(4)


def render_plan(doc: dict[str, Any], fmt: str) -> str:
    i = doc["inputs"]
    lines = [_heading(f"Plan {doc['plan']['name']} ({doc['plan']['file']})", fmt, 1),
             f"{i['model']} on {i['accelerators']:,} x {i['hardware']} ({i['node_count']:,} node"
             f"{'s' if i['node_count'] != 1 else ''} of {i['node']}; fabric {i['fabric']}), batch "
             f"{i['batch_size']:,}, seq_len {i['seq_len']:,}, {i['precision']}"
             + (f", efficiency {i['efficiency']:g}" if i["efficiency"] is not None else "")
             + (f"; {i['region']} for {show(i['duration_days'])} days" if i["duration_days"] else "")]
    lines += [f"note: {n}" for n in doc["notes"]]
    for lens, title in LENS_TITLES:
        lv = doc[lens]
        lines += ["", _heading(f"{title} [{lv['status']}]: {lv['summary']}", fmt, 2)]
        rows = [[k, show(v), _unit(lv["units"].get(k, ""))] for k, v in lv["metrics"].items()]
        if rows:
            lines.append(table(["metric", "value", "unit"], rows, fmt))
    if doc["assertions"]:
        lines += ["", _heading("Assertions", fmt, 2)]
        rows = []
        for a in doc["assertions"]:
            bound = " and ".join(x for x in (f"<= {show(a['max'])}" if a["max"] is not None else "",
                                             f">= {show(a['min'])}" if a["min"] is not None else "") if x)
            rows.append([a["metric"], bound, show(a["value"]), a["unit"], "pass" if a["passed"] else "FAIL"])
        lines.append(table(["assertion", "bound", "value", "unit", "result"], rows, fmt))
        bad = [a for a in doc["assertions"] if not a["passed"]]
        if bad:
            lines.append(f"{len(bad)} of {len(doc['assertions'])} assertion{'s' if len(doc['assertions']) > 1 else ''}"
                         " failed: " + "; ".join(a["message"] for a in bad))
    lines += ["", _stamp_line(doc["stamp"])]
    return "\n".join(lines)


# ---- schema ------------------------------------------------------------------------------------------------------------
def schema_command(kind: str, fmt: str) -> None:
    import json
    import sys

    from ..plans.schema import json_schema

    text = json.dumps(json_schema(kind), indent=2, ensure_ascii=False)
    if fmt == "markdown":
        text = f"```json\n{text}\n```"
    sys.stdout.write(text + "\n")


# ---- optimize --------------------------------------------------------------------------------------------------------
def optimize_command(search: str, path: str, fmt: str, carbon_tax: float | None, sla_ms: float | None,
                     qps: float | None, regions: tuple[str, ...]) -> None:
    _located(path, _optimize, search, path, fmt, carbon_tax, sla_ms, qps, regions)


def _optimize(search: str, path: str, fmt: str, carbon_tax: float | None, sla_ms: float | None,
              qps: float | None, regions: tuple[str, ...]) -> None:
    from ..plans.loader import PlanError, load
    from ..plans.resolve import resolve

    plan, loc = load(path)
    r = resolve(plan, loc)
    w = r.plan.workload
    if search == "parallelism":
        if r.total < 2:
            raise PlanError([loc.error(("hardware",), "optimize parallelism needs more than one accelerator "
                                                      "(set hardware.nodes or hardware.accelerators)")])
        from ..optimizers import ParallelismOptimizer

        res = ParallelismOptimizer().solve(r.model, r.fleet, batch_size=w.batch_size, precision=r.precision,
                                           efficiency=r.efficiency, seq_len=w.seq_len)
        title = f"3D parallelism of {r.model.key} on {r.total:,} x {r.hardware.key} (batch {w.batch_size:,})"
        winner = [("split", _cfg(res.best_config)), ("MFU", show(res.best_mfu)),
                  ("step time", _q(res.best_step_time)), ("throughput", _q(res.best_throughput)),
                  ("candidates", f"{res.candidates_evaluated:,} evaluated, {res.search_space_size:,} valid "
                                 f"({res.search_space})")]
    elif search == "batching":
        s = r.plan.serving
        sla = sla_ms if sla_ms is not None else (s.sla_latency_ms if s else None)
        rate = qps if qps is not None else (s.arrival_rate_qps if s else None)
        missing = [n for n, v in (("serving.sla_latency_ms (or --sla-ms)", sla),
                                  ("serving.arrival_rate_qps (or --qps)", rate)) if v is None]
        if missing:
            raise PlanError([loc.error(("serving",) if s else (), "optimize batching needs " + " and ".join(missing))])
        from ..optimizers import BatchingOptimizer

        replicas = (s.num_replicas if s and s.num_replicas else None) or r.total
        kw = {"max_search_batch": s.max_search_batch} if s and s.max_search_batch else {}
        res = BatchingOptimizer().solve(r.model, r.hardware, seq_len=w.seq_len, sla_latency_ms=sla,
                                        arrival_rate_qps=rate, num_replicas=replicas, precision=r.precision,
                                        efficiency=r.efficiency, **kw)
        title = (f"Batching of {r.model.key} on {r.hardware.key} x {replicas:,} replicas: p99 <= {show(sla)} ms at "
                 f"{show(rate)} queries/s, {w.seq_len:,} tokens")
        winner = [("batch", f"{res.best_batch_size:,}" if res.is_feasible else "none meets the SLA"),
                  ("p99 latency", _q(res.p99_latency)), ("SLO headroom", show(res.slo_headroom_ratio)),
                  ("throughput", f"{show(res.max_throughput)} tok/s (capacity {show(res.capacity_throughput)} tok/s)"),
                  ("candidates", f"{res.total_searched:,} ({res.search_space})")]
    else:
        from ..optimizers import PlacementOptimizer
        from ..optimizers.placement import DEFAULT_REGIONS

        if regions:
            chosen = list(regions)
        else:
            chosen = [x if isinstance(x, str) else x.key for x in DEFAULT_REGIONS]
            if r.region and r.region not in chosen:
                chosen.append(r.region)
        days = r.duration_days or 30.0
        eta = r.efficiency if r.efficiency is not None else _default_eta()
        res = PlacementOptimizer().solve(r.fleet, duration_days=days, regions=chosen, carbon_tax_per_ton=carbon_tax,
                                         mfu=eta)
        tax = carbon_tax if carbon_tax is not None else None
        title = (f"Placement of {r.fleet.name} for {show(days)} days"
                 + (f", carbon priced at ${show(tax)}/t" if tax is not None else ", default carbon price"))
        winner = [("region", res.best_region), ("TCO", f"${show(res.lowest_tco)}"),
                  ("carbon", f"{show(res.carbon_footprint)} t"), ("PUE", show(res.pue)),
                  ("objective", f"${show(res.objective_value)} (TCO + carbon x price)"),
                  ("candidates", ", ".join(chosen))]
    doc = {"status": "ok", "command": "optimize", "search": search,
           "plan": {"file": loc.file, "name": r.name, "version": r.plan.version}, "inputs": r.inputs,
           "best_config": res.best_config, "objective_value": res.objective_value, "result": res.to_dict(),
           "notes": list(r.notes), "stamp": _stamp(res)}
    if fmt == "json":
        emit(doc)
        return
    click.echo(render_optimization(title, winner, doc["result"], fmt, doc["notes"], doc["stamp"]))


def _default_eta() -> float:
    from .. import editions

    return float(editions.active().knob("knobs.engine.efficiency").si)


def _cfg(cfg: dict[str, Any]) -> str:
    return " ".join(f"{k.upper() if len(k) <= 2 else k} {show(v)}" for k, v in cfg.items())


def _q(v: Any) -> str:
    if hasattr(v, "magnitude"):
        return f"{show(float(v.magnitude))} {_unit(f'{v.units:~P}')}".strip()
    if isinstance(v, dict) and "value" in v:
        return f"{show(v['value'])} {_unit(str(v.get('unit', '')))}".strip()
    return show(v)


def _unit(unit: str) -> str:
    return "samples/s" if unit.replace(" ", "") in ("1/s", "/s") else unit


def _stamp(res: Any) -> dict[str, Any]:
    from .. import __version__, editions
    from .._generated import numeric

    ed = editions.active()
    return {"version": __version__, "catalog_hash": ed.catalog.hash, "formula_revision": numeric.REVISION,
            "edition": ed.name}


def _row_cells(row: dict[str, Any], cols: list[str]) -> list[str]:
    out = []
    for c in cols:
        v = row.get(c)
        out.append(_cfg(v) if c == "config" and isinstance(v, dict) else _q(v))
    return out


def render_optimization(title: str, winner: list[tuple[str, str]], result: dict[str, Any], fmt: str,
                        notes: list[str], stamp: dict[str, Any], limit: int = 12) -> str:
    lines = [_heading(title, fmt, 1)]
    lines += [f"note: {n}" for n in notes]
    lines += ["", _heading("Winner", fmt, 2), table(["", "best"], [[k, v] for k, v in winner], fmt)]
    front = result.get("pareto_front") or []
    if front:
        cols = [c for c in front[0] if c != "term_growth"]
        lines += ["", _heading(f"Pareto front ({len(front)} non-dominated)", fmt, 2),
                  table(cols, [_row_cells(r, cols) for r in front[:limit]], fmt)]
        if len(front) > limit:
            lines.append(f"... and {len(front) - limit} more (-o json lists all)")
    ups = result.get("runner_ups") or []
    if ups:
        lines += ["", _heading(f"Why the others lost ({len(ups)})", fmt, 2),
                  table(["candidate", "binding", "reason"],
                        [[_cfg(u.get("config", {})), str(u.get("binding", "")), str(u.get("reason", ""))]
                         for u in ups[:limit]], fmt)]
        if len(ups) > limit:
            lines.append(f"... and {len(ups) - limit} more (-o json lists all)")
    lines += ["", _stamp_line(stamp)]
    return "\n".join(lines)
