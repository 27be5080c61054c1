"""The CLI commands that evaluate walls (eval, serve, trace), list them (walls), export and audit."""
from __future__ import annotations

import sys
from typing import Any

import click

from ..notation import SYMBOLS
from .output import CliError, emit, fail, num, report, table, title, unit_text
from .output import report as report_table

def _sources(result: Any) -> list[dict[str, str]]:
    return [{"symbol": s.symbol, "ref": s.ref, "bibkey": s.bibkey, "locator": s.locator, "kind": s.kind,
             "value": s.printed} for s in result.sources]


def _gb(value: float) -> str:
    from ..units import factor

    return num(value * factor("B", "GB"))


def _entity(kind: str, name: str) -> Any:
    """The catalogue entity a name refers to, or None (the solver then reports the name itself)."""
    from ..catalog import catalog

    try:
        return catalog().entity(kind, name)
    except Exception:  # noqa: BLE001 - an unknown or aliased name: the resolver's own error says what it is
        return None


def _rows(view: Any, basis: str | None, skip: tuple[str, ...] = ()) -> list[tuple[str, Any, str]]:
    """The result's fields (values in their display units, from the field spec) with units that read as units."""
    rows = []
    for name, v, unit in view.rows():
        if name in skip or v is None or isinstance(v, (dict, list)):
            continue
        rows.append((name, v if isinstance(v, (int, float)) else str(v), unit_text(unit, basis)))
    return rows


def _basis(model: str) -> str | None:
    m = _entity("model", model)
    return m.attrs.get("flops_basis") if m is not None else None


def input_warnings(model: str, hardware: str | None, precision: str, seq_len: int | None,
                   what: str = "seq_len") -> list[str]:
    """Warnings for inputs the catalogue does not cover: a sequence beyond the model's context window, a
    precision the device has no catalogued rate for (served by its fp16/bf16 twin)."""
    out = []
    m = _entity("model", model)
    if m is not None and seq_len is not None:
        ctx = m.values.get("context")
        if ctx is not None and seq_len > ctx.si:
            out.append(f"warning: {what} {num(seq_len)} is beyond {m.name}'s context window of {num(ctx.si)} tokens "
                       f"(catalogued: {ctx.bibkey}); the result extrapolates past what the model supports")
    h = _entity("hardware", hardware) if hardware else None
    if h is not None and f"peak.{precision}" not in h.values:
        have = sorted(f[5:] for f in h.values if f.startswith("peak.") and not f.endswith("_sparse"))
        twin = {"bf16": "fp16", "fp16": "bf16"}.get(precision)
        if twin and f"peak.{twin}" in h.values:
            out.append(f"warning: {h.key} has no catalogued {precision} rate; its {twin} rate is used (catalogued: "
                       f"{', '.join(have)})")
    return out


def _warn(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)


def overhead_note(latency_ms: float, overhead_ms: float) -> str:
    share = overhead_ms / latency_ms if latency_ms else 0.0
    return (f"dispatch and framework overhead dominates: {num(overhead_ms)} of {num(latency_ms)} ms ({share:.0%}); "
            "compute and memory times are small beside it (a larger batch amortises it)")


def _range_doc(iv: Any) -> dict[str, Any]:
    """A metric's interval as JSON: low, high (its display unit), method and the dominant input."""
    dom = iv.dominant
    return {"low": iv.low, "high": iv.high, "method": iv.method,
            "dominant": None if dom is None else {"symbol": dom.name, "constant": dom.constant, "basis": dom.basis}}


def _with_ranges(rows: list[tuple[str, Any, str]], ivs: dict[str, Any]) -> list[list[str]]:
    """metric | value [low, high] | unit | dominant input, for the text and Markdown tables."""
    out = []
    for name, v, unit in rows:
        iv = ivs.get(name)
        if iv is None or not isinstance(v, (int, float)) or isinstance(v, bool):
            out.append([name, v if isinstance(v, str) else num(v), unit, ""])
            continue
        dom = iv.dominant
        shown = f"{num(v)} [{num(iv.low)}, {num(iv.high)}]"
        why = "" if dom is None else (f"{dom.name} ({dom.constant})" if dom.constant else f"{dom.name} (given)")
        if not iv.exact:
            why += f" {iv.method}"
        out.append([name, shown, unit, why.strip()])
    return out


def eval_command(model: str, hardware: str, batch: int, precision: str, efficiency: float | None, training: bool,
                 recompute: bool, seq_len: int, explain: bool, fmt: str, *, ranges: bool = False,
                 given: dict[str, tuple[float, float]] | None = None, stack: str | None = None) -> None:
    from ..engine import Engine

    p = Engine.solve(model, hardware, batch_size=batch, precision=precision, efficiency=efficiency,
                     is_training=training, activation_recomputation=recompute, seq_len=seq_len, stack=stack)
    r = p.result
    fits = bool(r.values["feasible"])
    _warn(input_warnings(model, hardware, precision, seq_len if training else None))
    ivs = p.intervals(ranges=given) if ranges else {}
    if fmt == "json":
        results = p.to_dict()
        stamp = results.pop("stamp")
        for k in ("hardware_name", "model_name", "precision", "batch_size"):
            results.pop(k, None)
        for name, iv in ivs.items():
            cur = results.get(name)
            if cur is None:
                continue
            cur = cur if isinstance(cur, dict) else {"value": cur, "unit": ""}
            results[name] = {**cur, "range": _range_doc(iv)}
        emit({"status": "ok" if fits else "infeasible", "command": "eval",
              "inputs": {"model": p.model_name, "hardware": p.hardware_name, "batch_size": batch,
                         "precision": p.precision, "efficiency": r.values["eta_hw"], "is_training": training,
                         "activation_recomputation": recompute, "seq_len": seq_len},
              "results": results, "sources": _sources(r), "stamp": stamp})
    else:
        rows = _rows(p, _basis(model), skip=("hardware_name", "model_name", "precision", "batch_size"))
        notes = []
        lat, ovh = r.values["T"] * 1e3, r.values["L_lat"] * 1e3
        if r.values.get("overhead_dominated"):
            rows = [(n, f"{v} (overhead-dominated)" if n == "bottleneck" else v, u) for n, v, u in rows]
            notes.append("note: " + overhead_note(lat, ovh))
        head = (f"{p.model_name} on {p.hardware_name}: batch {num(batch)}, {p.precision}, "
                f"efficiency {num(r.values['eta_hw'])}" + (f", training at seq_len {num(seq_len)}" if training else "")
                + ("" if r.edition == "default" else f"; edition {r.edition}"))
        if ranges:
            body = _with_ranges(rows, ivs)
            out = [title(head, fmt), table(["metric", "value [low, high]", "unit", "dominant input"], body, fmt)]
            out += [("> " if fmt == "markdown" else "") + n for n in notes]
            if not any(iv.band for iv in ivs.values()):
                out.append(("> " if fmt == "markdown" else "") + "note: no input of this result has a range "
                           "(catalogue rows with a range, or --range SYMBOL=LOW:HIGH)")
            click.echo("\n".join(out))
        else:
            click.echo(report(head, rows, fmt, notes))
        if efficiency is not None and efficiency > 0.6:   # a stack's prior is cited and measured; a guess is not
            click.echo("warning: efficiency above 0.6 is optimistic for most workloads", err=True)
        click.echo("")
        click.echo(p.explain() if explain else "Sources: " + ", ".join(sorted(r.bibkeys)))
    if not fits:
        click.echo(f"infeasible: {p.model_name} needs {_gb(r.values['M_req'])} GB, {p.hardware_name} has "
                   f"{_gb(r.values['C_mem'])} GB", err=True)
        raise SystemExit(4)


#: 0.3.0's `serve -o json` keys (each names its unit) -> the ServingModel result field it shows
SERVE_JSON = {"ttft_ms": "ttft", "itl_ms": "itl", "tokens_per_sec": "tokens_per_second",
              "kv_cache_gb": "kv_cache_size", "model_weights_gb": "model_weights_size",
              "total_memory_gb": "total_memory_required", "memory_utilization": "memory_utilization"}
SERVE_MIX_JSON = {"request_latency_ms": "request_latency", "request_tokens_per_sec": "request_tokens_per_second",
                  "mean_itl_ms": "mean_itl"}
SERVE_CHUNK_JSON = {"prefill_chunks": "prefill_chunks", "prefill_chunk_time_ms": "prefill_chunk_time",
                    "decode_stall_bound_ms": "decode_stall_bound"}
#: a JSON key's unit suffix -> (the metric's name in text, its unit)
_SUFFIX = {"_ms": "ms", "_gb": "GB"}


def serve_document(s: Any, seq_len: int, batch: int, chunk: int | None) -> dict[str, Any]:
    """0.3.0's serve JSON keys over the result's field spec (a key's unit suffix is its field's display unit)."""
    fields = s.to_dict()
    doc: dict[str, Any] = {"model": s.model_name, "hardware": s.decode_hardware_name, "seq_len": seq_len,
                           "batch_size": batch, "precision": s.precision, "efficiency": s.result.values["eta_hw"],
                           "feasible": bool(fields["feasible"])}
    mix = SERVE_MIX_JSON if s.result.values.get("n_gen", 0) > 0 else {}
    for key, name in (SERVE_JSON | (SERVE_CHUNK_JSON if chunk else {}) | mix).items():
        v = fields[name]
        doc[key] = v["value"] if isinstance(v, dict) else v
    return doc


def _serve_rows(doc: dict[str, Any]) -> list[tuple[str, Any, str]]:
    rows = []
    for key, v in doc.items():
        if key in ("model", "hardware", "seq_len", "batch_size", "precision", "efficiency", "feasible"):
            continue
        name, unit = ("throughput", "tok/s") if key == "tokens_per_sec" else \
            ("request throughput", "tok/s") if key == "request_tokens_per_sec" else (key, "")
        for suffix, u in _SUFFIX.items():
            if key.endswith(suffix) and not unit:
                name, unit = key[: -len(suffix)], u
        rows.append((name, v, unit))
    return rows + [("feasible", bool(doc["feasible"]), "")]


def serve_command(model: str, hardware: str, seq_len: int, batch: int, precision: str, efficiency: float | None,
                  chunk: int | None, explain: bool, fmt: str, **options: Any) -> None:
    """``options``: ServingModel's multi-device and speculative arguments (decode_hardware, network_bandwidth,
    draft_model, draft_acceptance_rate, cached_prefix_len), passed when given."""
    from ..resolvers.serving import ServingModel

    given = {k: v for k, v in options.items() if v is not None}
    s = ServingModel().solve(model, hardware, seq_len=seq_len, batch_size=batch, precision=precision,
                             efficiency=efficiency, prefill_chunk_tokens=chunk, **given)
    r = s.result
    v = r.values
    fits = bool(v["feasible_serve"])
    doc = serve_document(s, seq_len, batch, chunk)
    if given.get("decode_hardware"):
        doc["prefill_hardware"] = _entity("hardware", hardware).name if _entity("hardware", hardware) else hardware
    _warn(input_warnings(model, hardware, precision, seq_len))
    if given.get("decode_hardware"):
        _warn([w for w in input_warnings(model, given["decode_hardware"], precision, None)])
    if fmt == "json":
        emit({"status": "ok" if fits else "infeasible", "command": "serve", **doc, "sources": _sources(r),
              "stamp": r.stamp})
    else:
        where = doc["hardware"] if "prefill_hardware" not in doc else \
            f"{doc['prefill_hardware']} (prefill) → {doc['hardware']} (decode)"
        extra = [f"{k.replace('_', ' ')} {given[k]}" for k in ("network_bandwidth", "draft_model",
                                                                  "draft_acceptance_rate", "cached_prefix_len",
                                                                  "tensor_parallel", "output_len", "stack", "kv_reread_share",
                                                                  "request_overhead")
                 if k in given]
        head = (f"{s.model_name} on {where}: seq_len {num(seq_len)}, batch {num(batch)}, {s.precision}, "
                f"efficiency {num(doc['efficiency'])}" + "".join(f", {e}" for e in extra)
                + ("" if r.edition == "default" else f"; edition {r.edition}"))
        click.echo(report(head, _serve_rows({k: x for k, x in doc.items() if k != "prefill_hardware"}), fmt))
        click.echo("")
        click.echo(s.explain() if explain else "Sources: " + ", ".join(sorted(r.bibkeys)))
    if not fits:
        click.echo(f"infeasible: {s.model_name} at batch {batch} and {num(seq_len)} tokens needs {_gb(v['M_serve'])} GB "
                   f"(weights {_gb(v['W'])} GB + KV cache {_gb(v['KV'])} GB), {s.decode_hardware_name} has "
                   f"{_gb(v['C_mem'])} GB: {_gb(v['M_serve'] - v['C_mem'])} GB over", err=True)
        raise SystemExit(4)


def trace_command(model: str, hardware: str, batch: int, precision: str, efficiency: float | None,
                  training: bool, fmt: str, *, ranges: bool = False) -> None:
    """The derivation; ``ranges`` appends the result's range lines (``explain()``'s; off by default so that trace
    stays a fast command: the range check loads the tangent code)."""
    from ..engine import Engine

    p = Engine.solve(model, hardware, batch_size=batch, precision=precision, efficiency=efficiency,
                     is_training=training)
    if fmt == "json":
        emit({"status": "ok", "command": "trace", **p.trace.as_dict()})
        return
    head = (f"Derivation of {p.model_name} on {p.hardware_name}: batch {num(batch)}, {p.precision}"
            + (", training" if training else ""))
    notes = []
    if p.result.values.get("overhead_dominated"):
        notes.append("note: " + overhead_note(p.result.values["T"] * 1e3, p.result.values["L_lat"] * 1e3))
    if fmt == "markdown":
        click.echo(title(head, fmt))
        click.echo(p.trace.to_markdown())
    else:
        click.echo(head)
        click.echo("")
        click.echo(p.explain() if ranges else p.result.explain())
    for n in notes:
        click.echo(("> " if fmt == "markdown" else "") + n)


def wall_lines(eid: str) -> list[str]:
    """One equation of a wall as text lines (a Piecewise one branch a line), from the generated forms."""
    from .._generated.equation_text import EQUATIONS
    from ..trace import readable

    e = EQUATIONS[eid]
    lhs = readable(e["lhs"])
    if e["kind"] == "piecewise" and e["top"]:
        width = max(len(b["text"]) for b in e["branches"])
        conds = [f"if {b['cond']}" if b["cond"] else "otherwise" for b in e["branches"]]
        cw = max(len(c) for c in conds)
        pad = " " * (len(lhs) + 3)
        labels = e["regimes"]
        out = []
        for i, b in enumerate(e["branches"]):
            label = f"   ({labels[i]})" if i < len(labels) and labels[i] else ""
            out.append(f"{lhs + ' = ' if i == 0 else pad}{b['text'].ljust(width)}  {conds[i].ljust(cw)}{label}".rstrip())
        return out
    return [f"{lhs} = {e['text']}"]


def walls_command(domain: str | None, fmt: str, number: int | None = None) -> None:
    """The 22 walls and their equations from the generated readable forms (no SymPy)."""
    from .._generated.equation_text import EQUATIONS, WALLS

    items = [w for w in WALLS if (domain is None or w[2] == domain.lower()) and (number is None or w[0] == number)]
    if not items:
        fail(f"no wall matches; walls are numbered 1-{len(WALLS)} in the domains "
             + ", ".join(dict.fromkeys(w[2] for w in WALLS)))
    if fmt == "json":
        emit({"count": len(items), "walls": [
            {"number": n, "name": name, "domain": dom, "resolver": res, "resolvers": list(resolvers),
             "summary": summary,
             "equations": [{"id": eid, "lhs": EQUATIONS[eid]["lhs"], "title": EQUATIONS[eid]["title"],
                            "text": EQUATIONS[eid]["text"], "rhs": EQUATIONS[eid]["sympy"],
                            "latex": f"{SYMBOLS[EQUATIONS[eid]['lhs']].latex} = {EQUATIONS[eid]['latex']}",
                            "cites": [b for b, _ in EQUATIONS[eid]["cites"]]} for eid in eqs]}
            for n, name, dom, res, summary, eqs, resolvers in items]})
        return
    neq = sum(len(w[5]) for w in items)
    scope = f" of the {domain.lower()} domain" if domain else ""
    click.echo(title(f"{len(items)} wall{'s' if len(items) != 1 else ''}{scope}, {neq} equations", fmt))
    for n, name, dom, res, summary, eqs, _ in items:
        if fmt == "markdown":
            click.echo(f"\n### Wall {n}: {name} ({dom}; {res})\n\n{summary}\n")
            for eid in eqs:
                e = EQUATIONS[eid]
                click.echo(f"- `{eid}` {e['title']}: $ {SYMBOLS[e['lhs']].latex} = {e['latex']} $")
            continue
        click.echo(f"\nWall {n}: {name} ({dom}; {res})")
        click.echo(f"  {summary}")
        for eid in eqs:
            lines = wall_lines(eid)
            click.echo(f"  [{eid}] {EQUATIONS[eid]['title']}")
            for ln in lines:
                click.echo(f"      {ln}")


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
        rows = [(k, v if isinstance(v, (int, float)) else str(v), "") for k, v in report.items() if k != "problems"]
        click.echo(report_table("Catalogue and bibliography audit: "
                                + ("no problems" if not report["problems"] else f"{len(report['problems'])} problem(s)"),
                                rows, fmt))
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
            click.echo(title(f"{len(doc)} catalogue editions (active: {eds.active().name})", fmt))
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


def audit_command(workload: str | None, fmt: str, probe: Any = None) -> None:
    """``audit``: this machine, the catalogue device each GPU (or, with none, the CPU) maps to, and why."""
    from ..detect import audit

    machine, matches = audit(probe)
    evals = []
    if workload:
        for m in matches:
            if m.key is None:
                continue
            from ..engine import Engine

            p = Engine.solve(workload, m.key)
            evals.append((m.key, p))
    best = next((m.key for m in matches if m.key), None)
    if fmt == "json":
        emit({"status": "ok", "command": "audit", "environment": machine.as_dict(),
              "matches": [m.as_dict() for m in matches], "reference_hardware": best, "workload": workload,
              "evaluations": [{"hardware": k, "latency": {"value": p.latency.m_as("ms"), "unit": "ms"},
                               "throughput": {"value": p.throughput.m_as("1/s"), "unit": "1/s"},
                               "bottleneck": p.bottleneck, "feasible": bool(p.feasible)} for k, p in evals]})
        return
    cpu = machine.cpu
    cores = f"{cpu.cores} logical cores" if cpu.cores else "cores unknown"
    if cpu.physical_cores:
        cores += f", {cpu.physical_cores} physical"
    rows: list[tuple[str, Any, str]] = [("platform", machine.platform, ""), ("cpu", f"{cpu.name} ({cores})", ""),
                                        ("cpu_source", cpu.source, "")]
    for g in machine.gpus:
        mem = f", {g.memory_bytes / 2 ** 30:.1f} GiB" if g.memory_bytes else ""
        rows.append(("gpu", f"{g.count} x {g.name}{mem}", ""))
    if not machine.gpus:
        rows.append(("gpu", "none found", ""))
    for m in matches:
        rows.append((f"match ({m.device.kind})", m.key if m.key else "nothing in the catalogue matches", ""))
    head = f"This machine: {'GPU' if machine.gpus else 'CPU only'} — " + (
        f"nearest catalogue device {best}" if best else "no catalogue device matches")
    notes = []
    for m in matches:
        what = f"{m.device.name}" + (f" (x{m.device.count})" if m.device.count > 1 else "")
        if m.key:
            notes.append(f"{what} -> {m.key} ({m.name}): " + "; ".join(m.reasons)
                         + (f"; next nearest: {m.runner_up}" if m.runner_up else ""))
        else:
            hint = (" The catalogue's generic CPU entry is a convention, not this CPU: `mlsysim-sym eval MODEL "
                    "ReferenceCPU`." if m.device.kind == "cpu" else
                    " Pick the nearest device by hand from `mlsysim-sym zoo hardware`.")
            notes.append(f"{what}: " + "; ".join(m.reasons) + "." + hint)
    notes += machine.notes
    click.echo(report(head, rows, fmt, notes))
    for key, p in evals:
        click.echo("")
        click.echo(report(f"{p.model_name} on {key} ({p.hardware_name}): batch 1, {p.precision}",
                          [("latency", p.latency.m_as("ms"), "ms"),
                           ("throughput", p.throughput.m_as("1/s"), unit_text("1/s", _basis(workload))),
                           ("bottleneck", p.bottleneck, ""), ("feasible", bool(p.feasible), "")], fmt))
