"""The CLI commands that evaluate walls (eval, serve, trace), list them (walls), export and audit."""
from __future__ import annotations

import sys
from typing import Any

import click

from ..notation import SYMBOLS
from ..units import to_display
from .output import CliError, emit, num, table

ENGINE_OUT = (("latency", "T", "ms"), ("latency_compute", "T_comp", "ms"), ("latency_memory", "T_mem", "ms"),
              ("latency_overhead", "L_lat", "ms"), ("throughput", "X", "1/s"), ("arithmetic_intensity", "I", "FLOP/B"),
              ("energy", "E", "J"), ("memory_footprint", "M_req", "GB"), ("peak_flops_actual", "R_eff", "TFLOP/s"),
              ("peak_bw_actual", "BW", "GB/s"), ("mfu", "MFU", ""), ("hfu", "HFU", ""))


def _q(result: Any, sym: str, unit: str) -> dict[str, Any]:
    v = float(result.values[sym])
    return {"value": to_display(v, SYMBOLS[sym].unit, unit) if unit else v, "unit": unit}


def _sources(result: Any) -> list[dict[str, str]]:
    return [{"symbol": s.symbol, "ref": s.ref, "bibkey": s.bibkey, "locator": s.locator, "kind": s.kind,
             "value": s.printed} for s in result.sources]


def eval_command(model: str, hardware: str, batch: int, precision: str, efficiency: float | None, training: bool,
                 recompute: bool, seq_len: int, explain: bool, fmt: str) -> None:
    from ..engine import Engine

    p = Engine.solve(model, hardware, batch_size=batch, precision=precision, efficiency=efficiency,
                     is_training=training, activation_recomputation=recompute, seq_len=seq_len)
    r = p.result
    fits = bool(r.values["feasible"])
    if fmt == "json":
        results = {name: _q(r, sym, unit) for name, sym, unit in ENGINE_OUT}
        results.update(bottleneck=p.bottleneck, memory_path=p.memory_path, feasible=fits,
                       overhead_dominated=bool(r.values["overhead_dominated"]))
        emit({"status": "ok" if fits else "infeasible", "command": "eval",
              "inputs": {"model": p.model_name, "hardware": p.hardware_name, "batch_size": batch,
                         "precision": p.precision, "efficiency": r.values["eta_hw"], "is_training": training,
                         "activation_recomputation": recompute, "seq_len": seq_len},
              "results": results, "sources": _sources(r), "stamp": r.stamp})
    else:
        rows = [[name, num(_q(r, sym, unit)["value"]), unit] for name, sym, unit in ENGINE_OUT]
        rows += [["bottleneck", p.bottleneck, ""], ["memory path", p.memory_path, ""], ["feasible", num(fits), ""]]
        click.echo(f"{p.model_name} on {p.hardware_name}: batch {batch}, {p.precision}, "
                   f"efficiency {r.values['eta_hw']:g}" + (" (training)" if training else ""))
        click.echo(table(["metric", "value", "unit"], rows, fmt))
        if r.values["eta_hw"] > 0.6:
            click.echo("warning: efficiency above 0.6 is optimistic for most workloads", err=True)
        if explain:
            click.echo("")
            click.echo(p.explain())
        else:
            click.echo("\nSources: " + ", ".join(sorted(r.bibkeys)))
    if not fits:
        click.echo(f"infeasible: needs {r.values['M_req'] / 1e9:.4g} GB, device has {r.values['C_mem'] / 1e9:.4g} GB",
                   err=True)
        raise SystemExit(4)


def serve_command(model: str, hardware: str, seq_len: int, batch: int, precision: str, efficiency: float | None,
                  chunk: int | None, explain: bool, fmt: str) -> None:
    from ..resolvers.serving import ServingModel

    s = ServingModel().solve(model, hardware, seq_len=seq_len, batch_size=batch, precision=precision,
                             efficiency=efficiency, prefill_chunk_tokens=chunk)
    r = s.result
    v = r.values
    fits = bool(v["feasible_serve"])
    doc: dict[str, Any] = {
        "model": s.model_name, "hardware": s.decode_hardware_name, "seq_len": seq_len, "batch_size": batch,
        "precision": s.precision, "efficiency": v["eta_hw"], "feasible": fits,
        "ttft_ms": v["TTFT"] * 1e3, "itl_ms": v["ITL"] * 1e3, "tokens_per_sec": v["B"] / v["ITL"],
        "kv_cache_gb": v["KV"] / 1e9, "model_weights_gb": v["W"] / 1e9, "total_memory_gb": v["M_serve"] / 1e9,
        "memory_utilization": v["U_mem"]}
    if chunk:
        doc.update(prefill_chunks=int(v["n_chunks"]), prefill_chunk_time_ms=v["T_chunk"] * 1e3,
                   decode_stall_bound_ms=v["T_chunk"] * 1e3)
    if fmt == "json":
        emit({"status": "ok" if fits else "infeasible", "command": "serve", **doc, "sources": _sources(r),
              "stamp": r.stamp})
    else:
        rows = [[k, num(val) if isinstance(val, (int, float)) else str(val), ""] for k, val in doc.items()]
        click.echo(table(["metric", "value", ""], rows, fmt))
        click.echo("")
        click.echo(s.explain() if explain else "Sources: " + ", ".join(sorted(r.bibkeys)))
    if not fits:
        over = (v["M_serve"] - v["C_mem"]) / 1e9
        click.echo(f"infeasible: {s.model_name} at batch {batch} and {seq_len} tokens needs {v['M_serve'] / 1e9:.4g} GB "
                   f"(weights {v['W'] / 1e9:.4g} GB + KV cache {v['KV'] / 1e9:.4g} GB), {s.decode_hardware_name} has "
                   f"{v['C_mem'] / 1e9:.4g} GB: {over:.4g} GB over", err=True)
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
        more = f" (first 50 listed)" if len(problems) > 50 else ""
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
