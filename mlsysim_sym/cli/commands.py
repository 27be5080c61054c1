"""The CLI commands that evaluate walls (eval, serve, trace), list them (walls), export and audit."""
from __future__ import annotations

import sys
from typing import Any

import click

from ..notation import SYMBOLS
from .output import CliError, emit, num, table

def _sources(result: Any) -> list[dict[str, str]]:
    return [{"symbol": s.symbol, "ref": s.ref, "bibkey": s.bibkey, "locator": s.locator, "kind": s.kind,
             "value": s.printed} for s in result.sources]


def _gb(value: float) -> str:
    from ..units import factor

    return f"{value * factor('B', 'GB'):.4g}"


def _table(view: Any, fmt: str, skip: tuple[str, ...] = ()) -> str:
    """The result's fields as a text or Markdown table (values in their display units, from the field spec)."""
    rows = []
    for name, v, unit in view.rows():
        if name in skip or v is None or isinstance(v, (dict, list)):
            continue
        shown = num(v) if isinstance(v, (int, float)) else str(v)
        rows.append([name, shown, unit])
    return table(["metric", "value", "unit"], rows, fmt)


def eval_command(model: str, hardware: str, batch: int, precision: str, efficiency: float | None, training: bool,
                 recompute: bool, seq_len: int, explain: bool, fmt: str) -> None:
    from ..engine import Engine

    p = Engine.solve(model, hardware, batch_size=batch, precision=precision, efficiency=efficiency,
                     is_training=training, activation_recomputation=recompute, seq_len=seq_len)
    r = p.result
    fits = bool(r.values["feasible"])
    if fmt == "json":
        results = p.to_dict()
        stamp = results.pop("stamp")
        for k in ("hardware_name", "model_name", "precision", "batch_size"):
            results.pop(k, None)
        emit({"status": "ok" if fits else "infeasible", "command": "eval",
              "inputs": {"model": p.model_name, "hardware": p.hardware_name, "batch_size": batch,
                         "precision": p.precision, "efficiency": r.values["eta_hw"], "is_training": training,
                         "activation_recomputation": recompute, "seq_len": seq_len},
              "results": results, "sources": _sources(r), "stamp": stamp})
    else:
        click.echo(f"{p.model_name} on {p.hardware_name}: batch {batch}, {p.precision}, "
                   f"efficiency {r.values['eta_hw']:g}" + (" (training)" if training else "")
                   + ("" if r.edition == "default" else f"; edition {r.edition}"))
        click.echo(_table(p, fmt, skip=("hardware_name", "model_name", "precision", "batch_size")))
        if r.values["eta_hw"] > 0.6:
            click.echo("warning: efficiency above 0.6 is optimistic for most workloads", err=True)
        if explain:
            click.echo("")
            click.echo(p.explain())
        else:
            click.echo("\nSources: " + ", ".join(sorted(r.bibkeys)))
    if not fits:
        click.echo(f"infeasible: {p.model_name} needs {_gb(r.values['M_req'])} GB, {p.hardware_name} has "
                   f"{_gb(r.values['C_mem'])} GB", err=True)
        raise SystemExit(4)


#: 0.3.0's `serve -o json` keys (each names its unit) -> the ServingModel result field it shows
SERVE_JSON = {"ttft_ms": "ttft", "itl_ms": "itl", "tokens_per_sec": "tokens_per_second",
              "kv_cache_gb": "kv_cache_size", "model_weights_gb": "model_weights_size",
              "total_memory_gb": "total_memory_required", "memory_utilization": "memory_utilization"}
SERVE_CHUNK_JSON = {"prefill_chunks": "prefill_chunks", "prefill_chunk_time_ms": "prefill_chunk_time",
                    "decode_stall_bound_ms": "decode_stall_bound"}


def serve_document(s: Any, seq_len: int, batch: int, chunk: int | None) -> dict[str, Any]:
    """0.3.0's serve JSON keys over the result's field spec (a key's unit suffix is its field's display unit)."""
    fields = s.to_dict()
    doc: dict[str, Any] = {"model": s.model_name, "hardware": s.decode_hardware_name, "seq_len": seq_len,
                           "batch_size": batch, "precision": s.precision, "efficiency": s.result.values["eta_hw"],
                           "feasible": bool(fields["feasible"])}
    for key, name in (SERVE_JSON | (SERVE_CHUNK_JSON if chunk else {})).items():
        v = fields[name]
        doc[key] = v["value"] if isinstance(v, dict) else v
    return doc


def serve_command(model: str, hardware: str, seq_len: int, batch: int, precision: str, efficiency: float | None,
                  chunk: int | None, explain: bool, fmt: str) -> None:
    from ..resolvers.serving import ServingModel

    s = ServingModel().solve(model, hardware, seq_len=seq_len, batch_size=batch, precision=precision,
                             efficiency=efficiency, prefill_chunk_tokens=chunk)
    r = s.result
    v = r.values
    fits = bool(v["feasible_serve"])
    doc = serve_document(s, seq_len, batch, chunk)
    if fmt == "json":
        emit({"status": "ok" if fits else "infeasible", "command": "serve", **doc, "sources": _sources(r),
              "stamp": r.stamp})
    else:
        rows = [[k, num(val) if isinstance(val, (int, float)) else str(val), ""] for k, val in doc.items()]
        click.echo(table(["metric", "value", ""], rows, fmt))
        click.echo("")
        click.echo(s.explain() if explain else "Sources: " + ", ".join(sorted(r.bibkeys)))
    if not fits:
        click.echo(f"infeasible: {s.model_name} at batch {batch} and {seq_len} tokens needs {_gb(v['M_serve'])} GB "
                   f"(weights {_gb(v['W'])} GB + KV cache {_gb(v['KV'])} GB), {s.decode_hardware_name} has "
                   f"{_gb(v['C_mem'])} GB: {_gb(v['M_serve'] - v['C_mem'])} GB over", err=True)
        raise SystemExit(4)


def trace_command(model: str, hardware: str, batch: int, precision: str, efficiency: float | None,
                  training: bool, fmt: str) -> None:
    from ..engine import Engine

    p = Engine.solve(model, hardware, batch_size=batch, precision=precision, efficiency=efficiency,
                     is_training=training)
    if fmt == "json":
        emit({"status": "ok", "command": "trace", **p.trace.as_dict()})
    elif fmt == "markdown":
        click.echo(p.trace.to_markdown())
    else:
        click.echo(p.explain())


def walls_command(domain: str | None, fmt: str) -> None:
    from ..trace import to_latex
    from ..walls import WALLS, load_all

    load_all()
    items = [w for _, w in sorted(WALLS.items()) if domain is None or w.domain == domain.lower()]
    if not items:
        click.echo(f"no wall of the {domain} domain is implemented yet; implemented: "
                   + ", ".join(sorted({w.domain for w in WALLS.values()})), err=True)
    if fmt == "json":
        emit({"walls": [{"number": w.number, "name": w.name, "domain": w.domain, "resolver": w.resolver,
                         "summary": w.summary,
                         "equations": [{"id": e.id, "lhs": e.lhs, "rhs": str(e.numeric_rhs()),
                                        "latex": f"{SYMBOLS[e.lhs].latex} = {to_latex(e.numeric_rhs())}",
                                        "cites": [c.bibkey for c in e.cites]} for e in w.equations]}
                        for w in items]})
        return
    for w in items:
        click.echo(f"Wall {w.number}: {w.name} ({w.domain}; {w.resolver})")
        click.echo(f"  {w.summary}")
        for e in w.equations:
            click.echo(f"  [{e.id}] {e.lhs} = {e.numeric_rhs()}")
        click.echo("")


def export_command(check: bool, target: str | None) -> None:
    from ..export import default_target, run_export
    from ..export.tree import target_path

    out = target_path(target if target is not None else default_target())
    problems = run_export(str(out), check=check)
    if problems:
        for line in problems[:50]:
            click.echo(line, err=True)
        more = " (first 50 listed)" if len(problems) > 50 else ""
        raise CliError(f"{out} is stale: {len(problems)} difference(s){more}; run `mlsysim-sym export"
                       f"{'' if target is None else ' --dir ' + str(out)}`")
    click.echo(f"{out} is current" if check else f"{out} written", err=True)


def check_command(update_lock: bool, fmt: str) -> None:
    from ..audit import audit
    from ..paths import PACKAGE_DIR, data_root

    if update_lock and PACKAGE_DIR in data_root().parents:
        raise CliError("--update-lock rewrites the catalogue lock: run it in a checkout (or with MLSYSIM_SYM_DATA "
                       "pointing at your own copy of the data), not on an installed package")
    report = audit(update_lock=update_lock)
    if fmt == "json":
        emit(report)
    else:
        for k, v in report.items():
            if k != "problems":
                click.echo(f"{k}: {v}")
        for p in report["problems"]:
            click.echo(f"problem: {p}", err=True)
    if report["problems"]:
        sys.exit(1)


def editions_command(action: str, first: str, second: str, show_all: bool, fmt: str) -> None:
    from .. import editions as eds

    if action == "list":
        rows = []
        doc = []
        for e in eds.editions().values():
            doc.append({"name": e.name, "description": e.description, "values_replaced": len(e.overrides),
                        "attributes_replaced": len(e.attrs), "rules": list(e.rules), "source": e.source})
            rows.append([e.name, str(len(e.overrides)), ", ".join(e.rules) or "-", e.description])
        if fmt == "json":
            emit({"editions": doc, "active": eds.active().name})
        else:
            click.echo(table(["edition", "values", "rules", "description"], rows, fmt))
        return
    from ..editions.diff import diff

    diffs = diff(first, second)
    shown = [d for d in diffs if d.differs or show_all]
    if fmt == "json":
        emit({"first": first, "second": second, "values": len(diffs), "differing": sum(d.differs for d in diffs),
              "diffs": [d.as_dict() for d in shown]})
        return
    rows = []
    for d in shown:
        a = "error" if d.a is None else num(d.a, 6)
        b = "error" if d.b is None else num(d.b, 6)
        rel = "" if d.relative is None else f"{d.relative:+.3%}"
        rows.append([d.name, f"{a} {d.unit}".strip(), f"{b} {d.unit}".strip(), rel, "; ".join(d.causes) or "-"])
    click.echo(f"{sum(d.differs for d in diffs)} of {len(diffs)} book values differ between {first} and {second}")
    click.echo(table(["value", first, second, "change", "because"], rows, fmt))
