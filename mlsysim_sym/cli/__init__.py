"""The ``mlsysim-sym`` command line (click). Imports are lazy: ``--help`` and ``zoo`` load neither SymPy nor pint.

Exit codes: 0 ok; 1 bad input or runtime error; 2 usage error; 3 a plan assertion failed; 4 infeasible (the
configuration does not fit in memory). JSON output (``-o json``) is exactly one document on stdout, with every
number as ``{"value", "unit"}`` or under a key naming its unit; diagnostics go to stderr.
"""
from __future__ import annotations

import json
import sys

import click

from .output import fail

FORMATS = ("text", "json", "markdown")
EXIT_HELP = """\b
Exit codes: 0 ok | 1 bad input or runtime error | 2 usage error |
            3 plan assertion failed | 4 infeasible (does not fit)"""


def _fmt_option(f):
    f = click.option("--edition", "edition", default=None, metavar="NAME",
                     help="Catalogue edition: default, or mlsysim-0.3.0 (0.3.0's values and rules). Also accepted "
                          "before the command.")(f)
    return click.option("-o", "--output", "output", type=click.Choice(FORMATS), default=None,
                        help="Output format (also accepted before the command).")(f)


def _resolve_format(ctx: click.Context, local: str | None, edition: str | None = None) -> str:
    """The output format, and — as a side effect every evaluating command needs first — the active edition."""
    chosen = edition or (ctx.obj or {}).get("edition")
    if chosen:
        from ..editions import set_edition

        set_edition(chosen)
    return local or (ctx.obj or {}).get("output") or "text"


EXAMPLES = """\b
Examples (each runs as written):
  mlsysim-sym zoo hardware --category cloud
  mlsysim-sym eval ResNet50 A100 --batch-size 32
  mlsysim-sym serve Llama3_8B H100 --seq-len 8192
  mlsysim-sym trace ResNet50 A100
  mlsysim-sym walls --wall 1
  mlsysim-sym audit
  mlsysim-sym -o json eval Llama3_8B H100
  mlsysim-sym schema > schema.json
  With a YAML plan (examples/ in the repository): eval PLAN.yaml (exit 3 if an
  assertion fails), optimize parallelism|batching|placement PLAN.yaml"""


@click.group(help="mlsysim-sym: the 22 walls of ML systems as cited symbolic equations.\n\n" + EXAMPLES + "\n\n"
                  + EXIT_HELP,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-o", "--output", "output", type=click.Choice(FORMATS), default=None, help="Output format.")
@click.option("--edition", "edition", default=None, metavar="NAME",
              help="Catalogue edition the numbers come from: default (our cited catalogue) or mlsysim-0.3.0.")
@click.pass_context
def cli(ctx: click.Context, output: str | None, edition: str | None) -> None:
    ctx.ensure_object(dict)
    ctx.obj["output"] = output
    ctx.obj["edition"] = edition


@cli.command(help="List the catalogue: hardware, models, grids, fabrics, clusters, nodes, knobs. "
                  "Examples: `zoo hardware --filter H100`, `zoo hardware --category cloud`, "
                  "`zoo hardware --field memory.bandwidth`, `zoo knobs --sources --filter stacks`, "
                  "`zoo hardware --kind estimate --filter Jetson`.")
@click.argument("kind", type=click.Choice(["hardware", "models", "grids", "fabrics", "clusters", "nodes", "knobs"]))
@click.option("--sources", is_flag=True,
              help="Show every value's provenance: kind, source and locator, conditions, note, working, range.")
@click.option("--kind", "row_kinds", multiple=True, metavar="KIND",
              help="Only values of this row kind (datasheet, paper, report, measurement, estimate, convention, "
                   "assumption; repeatable); implies --sources.")
@click.option("-f", "--filter", "filters", multiple=True, metavar="TEXT",
              help="Only entries whose key or name contains TEXT (case-insensitive; repeat to require several).")
@click.option("-c", "--category", default=None, metavar="NAME", help="Only entries of this category (e.g. cloud, edge).")
@click.option("--field", "fields", multiple=True, metavar="FIELD",
              help="Show these catalogue fields (e.g. memory.bandwidth, peak.fp8) instead of the default columns; "
                   "only entries that have one of them.")
@_fmt_option
@click.pass_context
def zoo(ctx: click.Context, kind: str, sources: bool, row_kinds: tuple[str, ...], filters: tuple[str, ...],
        category: str | None, fields: tuple[str, ...], output: str | None, edition: str | None) -> None:
    from .zoo import zoo_command

    zoo_command(kind, sources, _resolve_format(ctx, output, edition), filters=filters, category=category,
                fields=fields, row_kinds=row_kinds)


def _device(hardware: str, measured: bool):
    """The HARDWARE argument, or the device over its measured rows with --measured."""
    if not measured:
        return hardware
    from ..registry import measured_hardware

    return measured_hardware(hardware)


def _engine_options(f):
    f = click.option("-e", "--efficiency", type=float, default=None,
                     help="Hardware efficiency in (0, 1] (default: catalogue knob, 0.5).")(f)
    f = click.option("-p", "--precision", default="fp16", show_default=True, help="fp32|tf32|bf16|fp16|fp8|int8|int4")(f)
    f = click.option("-b", "--batch-size", type=int, default=1, show_default=True)(f)
    f = click.option("--measured", is_flag=True,
                     help="Use the device's measured rows (kind measurement) instead of its datasheet rows.")(f)
    return f


@cli.command("eval", help="Roofline of MODEL on HARDWARE (walls 1-2): latency, throughput, bottleneck, MFU. "
                          "`eval PLAN.yaml`: a plan's feasibility, performance and macro lenses and its assertions "
                          "(exit 3 when one fails); see `mlsysim-sym schema`.")
@click.argument("model")
@click.argument("hardware", required=False)
@_engine_options
@click.option("--training", is_flag=True, help="A training step (3x FLOPs, training memory).")
@click.option("--recompute", is_flag=True, help="Full activation recomputation (4x FLOPs).")
@click.option("-s", "--seq-len", type=int, default=2048, show_default=True, help="Sequence length (training memory).")
@click.option("--explain", is_flag=True, help="Print the derivation: symbolic, substituted, number.")
@click.option("--stack", default=None, metavar="NAME",
              help="Software stack whose cited GEMM-efficiency prior to use (knobs.stacks); --efficiency overrides.")
@click.option("--ranges", "ranges", is_flag=True,
              help="Each metric as nominal [low, high] over the catalogued ranges of its inputs, with the input "
                   "that dominates it (JSON: a \"range\" per metric).")
@click.option("--range", "given_ranges", multiple=True, metavar="SYMBOL=LOW:HIGH",
              help="A range for one input, by symbol in its SI unit (e.g. eta_hw=0.3:0.5); implies --ranges; "
                   "repeatable.")
@_fmt_option
@click.pass_context
def eval_(ctx: click.Context, model: str, hardware: str | None, batch_size: int, precision: str,
          efficiency: float | None, measured: bool, training: bool, recompute: bool, seq_len: int, explain: bool,
          stack: str | None, ranges: bool, given_ranges: tuple[str, ...], output: str | None,
          edition: str | None) -> None:
    from .commands import eval_command
    from .plan import eval_plan_command, is_plan_path

    fmt = _resolve_format(ctx, output, edition)
    if is_plan_path(model) or hardware is None:
        if hardware is not None:
            fail(f"eval takes a plan ({model}) or MODEL HARDWARE, not both", code=2)
        if not is_plan_path(model):
            fail("eval needs MODEL and HARDWARE, or a plan file PLAN.yaml", code=2)
        eval_plan_command(model, fmt)
        return
    eval_command(model, _device(hardware, measured), batch_size, precision, efficiency, training, recompute, seq_len,
                 explain, fmt, ranges=ranges or bool(given_ranges), given=_given_ranges(given_ranges), stack=stack)


def _given_ranges(items: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """``--range eta_hw=0.3:0.5`` -> {"eta_hw": (0.3, 0.5)} (a malformed one exits 2 naming it)."""
    out: dict[str, tuple[float, float]] = {}
    for item in items:
        sym, eq, rest = item.partition("=")
        lo, colon, hi = rest.partition(":")
        try:
            if not (sym.strip() and eq and colon):
                raise ValueError
            out[sym.strip()] = (float(lo), float(hi))
        except ValueError:
            fail(f"--range {item!r}: expected SYMBOL=LOW:HIGH (numbers in the symbol's SI unit), e.g. "
                 "eta_hw=0.3:0.5", code=2)
    return out


def _bare_number_in(value: str | None, unit: str) -> str | None:
    """An option that takes a quantity or a bare number: the number read in ``unit``, a quantity string passed on
    as given (the facade's unit check judges it)."""
    if value is None:
        return None
    try:
        return f"{float(value)} {unit}"
    except ValueError:
        return value


@cli.command(help="LLM serving of MODEL on HARDWARE (wall 4): TTFT, ITL, KV cache, feasibility. HARDWARE runs "
                  "prefill; --decode-hardware disaggregates decode onto another device (KV cache sent over "
                  "--network-bandwidth); --draft-model adds speculative decoding. "
                  "Examples: `serve Llama3_70B H100 --decode-hardware H200 --network-bandwidth 50`, "
                  "`serve Llama2_70B H100 -s 128 --output-len 2048 -b 480 -p fp8 --tensor-parallel 4 --stack trtllm`.")
@click.argument("model")
@click.argument("hardware")
@click.option("-s", "--seq-len", type=int, default=2048, show_default=True)
@_engine_options
@click.option("--prefill-chunk-tokens", type=int, default=None, help="Chunked prefill size in tokens.")
@click.option("--decode-hardware", default=None, metavar="HW",
              help="Decode device (disaggregated serving): its memory holds the weights and KV cache.")
@click.option("--network-bandwidth", default=None, metavar="BW",
              help="KV transfer bandwidth prefill -> decode: a number in GB/s or a quantity ('400 Gb/s').")
@click.option("--draft-model", default=None, metavar="MODEL", help="Draft model for speculative decoding.")
@click.option("--draft-acceptance-rate", type=float, default=None,
              help="Share of draft tokens accepted, in [0, 1] (default: catalogue knob).")
@click.option("--cached-prefix-len", type=int, default=None, help="Prompt tokens served from a prefix cache.")
@click.option("--tensor-parallel", type=int, default=None, metavar="N",
              help="Devices of one node serving the replica (tensor parallelism over the scale-up link, or PCIe on a card "
                   "without one).")
@click.option("--output-len", type=int, default=None, metavar="TOKENS",
              help="Output tokens per request: --seq-len is then the prompt, and the request latency and "
                   "throughput with every prompt's prefill are reported.")
@click.option("--stack", default=None, metavar="NAME",
              help="Software stack whose cited efficiency priors to use (knobs.stacks; an unknown name is refused "
                   "with the list); --efficiency overrides.")
@click.option("--bandwidth-efficiency", type=float, default=None,
              help="Achieved share of the rated memory bandwidth in (0, 1] (default: the stack's prior, else 1).")
@click.option("--kv-reread-share", type=float, default=None,
              help="Share of a grouped key/value head's other query heads that read it again in decode attention, "
                   "in [0, 1] (0: once per group; 1: once per query head; default: the stack's prior, else 0).")
@click.option("--request-overhead", default=None, metavar="TIME",
              help="The serving engine's fixed cost of one request call, charged once per prefill: a number in ms "
                   "or a quantity ('5 ms') (default: the stack's prior, else 0).")
@click.option("--explain", is_flag=True, help="Print the derivation.")
@_fmt_option
@click.pass_context
def serve(ctx: click.Context, model: str, hardware: str, seq_len: int, batch_size: int, precision: str,
          efficiency: float | None, measured: bool, prefill_chunk_tokens: int | None, decode_hardware: str | None,
          network_bandwidth: str | None, draft_model: str | None, draft_acceptance_rate: float | None,
          cached_prefix_len: int | None, tensor_parallel: int | None, output_len: int | None, stack: str | None,
          bandwidth_efficiency: float | None, kv_reread_share: float | None, request_overhead: str | None,
          explain: bool, output: str | None, edition: str | None) -> None:
    from .commands import serve_command

    fmt = _resolve_format(ctx, output, edition)
    network_bandwidth = _bare_number_in(network_bandwidth, "GB/s")
    request_overhead = _bare_number_in(request_overhead, "ms")
    serve_command(model, _device(hardware, measured), seq_len, batch_size, precision, efficiency, prefill_chunk_tokens,
                  explain, fmt, decode_hardware=decode_hardware and _device(decode_hardware, measured),
                  network_bandwidth=network_bandwidth, draft_model=draft_model,
                  draft_acceptance_rate=draft_acceptance_rate, cached_prefix_len=cached_prefix_len,
                  tensor_parallel=tensor_parallel, output_len=output_len, stack=stack,
                  bandwidth_efficiency=bandwidth_efficiency, kv_reread_share=kv_reread_share,
                  request_overhead=request_overhead)


@cli.command(help="Derivation and sources of an eval (MODEL HARDWARE) result, equation by equation: each "
                  "equation, its values substituted, the number, and the branch that was taken. "
                  "Example: `trace ResNet50 A100`.")
@click.argument("model")
@click.argument("hardware")
@_engine_options
@click.option("--training", is_flag=True)
@click.option("--ranges", "ranges", is_flag=True,
              help="Append each field's range over its inputs' catalogued ranges and the input that dominates it.")
@_fmt_option
@click.pass_context
def trace(ctx: click.Context, model: str, hardware: str, batch_size: int, precision: str, efficiency: float | None,
          measured: bool, training: bool, ranges: bool, output: str | None, edition: str | None) -> None:
    from .commands import trace_command

    fmt = _resolve_format(ctx, output, edition)
    trace_command(model, _device(hardware, measured), batch_size, precision, efficiency, training, fmt, ranges=ranges)


@cli.command(help="The 22 walls with their equations (Unicode in text, LaTeX in Markdown and JSON) and citations. "
                  "Example: `walls --wall 4`.")
@click.option("--domain", default=None, type=click.Choice(["node", "data", "algorithm", "fleet", "operations",
                                                           "analysis"], case_sensitive=False),
              help="Only the walls of this domain.")
@click.option("-w", "--wall", "number", type=click.IntRange(1, 22), default=None, help="Only this wall (1-22).")
@_fmt_option
@click.pass_context
def walls(ctx: click.Context, domain: str | None, number: int | None, output: str | None,
          edition: str | None) -> None:
    from .commands import walls_command

    walls_command(domain, _resolve_format(ctx, output, edition), number)


@cli.command(help="Detect this machine (CPU from the OS; GPUs through nvidia-smi or rocm-smi) and map it to the "
                  "nearest catalogue device, saying why, or that nothing matches. With --workload, evaluate that "
                  "model on the matched device.")
@click.option("-w", "--workload", default=None, metavar="MODEL", help="Also evaluate MODEL on the matched device.")
@_fmt_option
@click.pass_context
def audit(ctx: click.Context, workload: str | None, output: str | None, edition: str | None) -> None:
    from .commands import audit_command

    audit_command(workload, _resolve_format(ctx, output, edition))


@cli.command(help="Write the book exports (LaTeX equations, values.tex/json, traces); --check fails on drift "
                  "and says, for each book value that changed, old -> new and why (a constant's old and new value, "
                  "an equation, an edition rule, the edition). Writes only into a new or empty folder or one it "
                  "wrote before (its manifest.json), swaps the new tree in atomically, and never removes a file it "
                  "did not write. Compare two exports: `export --against OLD` (OLD -> a fresh export under "
                  "--edition) or `export --against OLD --dir NEW` (two folders as written).")
@click.option("--check", is_flag=True, help="Compare a fresh export with the folder and write nothing; exit 1 on "
                                            "drift with the report of what changed and why.")
@click.option("--dir", "target", default=None,
              help="Target folder (default: book_exports/ of the checkout; from an installed package, "
                   "./book_exports). With --against: the newer export folder, compared as written.")
@click.option("--only", "only", default=None, metavar="TOPIC",
              help="One chapter (a derivations/ module, e.g. roofline): a standalone export into --dir (default "
                   "book_exports-TOPIC/); with --check and no --dir, compare that chapter's files in book_exports/.")
@click.option("--against", "against", default=None, metavar="OLD",
              help="Report what changed from the export folder OLD (e.g. written from an older catalogue or "
                   "another edition) to a fresh export, or to --dir; writes nothing, exit 1 when they differ.")
@_fmt_option
@click.pass_context
def export(ctx: click.Context, check: bool, target: str | None, only: str | None, against: str | None,
           output: str | None, edition: str | None) -> None:
    from ..export.cli import export_command

    export_command(check, target, only, against=against, fmt=_resolve_format(ctx, output, edition))


@cli.command(help="Audit catalogue and bibliography (citations, units, ids, lock, generated code).")
@click.option("--update-lock", is_flag=True, help="Validate, then rewrite constants/catalog.lock.json.")
@_fmt_option
@click.pass_context
def check(ctx: click.Context, update_lock: bool, output: str | None, edition: str | None) -> None:
    from .commands import check_command

    check_command(update_lock, _resolve_format(ctx, output, edition))


@cli.command(help="The catalogue editions; `editions diff [A] [B]`: every book value under both, what differs and "
                  "which constant or declared rule causes it.")
@click.argument("action", required=False, type=click.Choice(["list", "diff"]), default="list")
@click.argument("first", required=False, default="default")
@click.argument("second", required=False, default="mlsysim-0.3.0")
@click.option("--all", "show_all", is_flag=True, help="diff: list the values that do not differ too.")
@_fmt_option
@click.pass_context
def editions(ctx: click.Context, action: str, first: str, second: str, show_all: bool, output: str | None,
             edition: str | None) -> None:
    from .commands import editions_command

    editions_command(action, first, second, show_all, _resolve_format(ctx, output, edition))


@cli.command(help="The JSON Schema (draft 2020-12) of a plan, generated from the model the plan loader uses.")
@click.option("-t", "--type", "kind", type=click.Choice(["plan", "workload", "hardware"]), default="plan",
              show_default=True, help="The whole plan, or one of its blocks.")
@_fmt_option
@click.pass_context
def schema(ctx: click.Context, kind: str, output: str | None, edition: str | None) -> None:
    from .plan import schema_command

    schema_command(kind, local_format(ctx, output))


@cli.command(help="Search a plan's design space: `parallelism` (TP x PP x DP split), `batching` (largest batch "
                  "meeting a p99 SLA; serving block or --sla-ms/--qps) or `placement` (region by TCO + carbon "
                  "price). Prints the winner, the Pareto front and why each runner-up lost.")
@click.argument("search", type=click.Choice(["parallelism", "batching", "placement"]))
@click.argument("plan")
@click.option("--carbon-tax", type=float, default=None, metavar="USD_PER_TONNE",
              help="placement: carbon price in USD per tonne CO2e (default: catalogue knob, 100).")
@click.option("--region", "regions", multiple=True, metavar="GRID",
              help="placement: a candidate region (repeatable; default US_Avg, Quebec, Iowa and the plan's).")
@click.option("--sla-ms", type=float, default=None, help="batching: p99 latency target in ms (overrides the plan).")
@click.option("--qps", type=float, default=None, help="batching: arrival rate in queries/s (overrides the plan).")
@_fmt_option
@click.pass_context
def optimize(ctx: click.Context, search: str, plan: str, carbon_tax: float | None, regions: tuple[str, ...],
             sla_ms: float | None, qps: float | None, output: str | None, edition: str | None) -> None:
    from .plan import optimize_command

    optimize_command(search, plan, _resolve_format(ctx, output, edition), carbon_tax, sla_ms, qps, regions)


def local_format(ctx: click.Context, local: str | None) -> str:
    """The output format without choosing an edition (a command that evaluates nothing)."""
    return local or (ctx.obj or {}).get("output") or "text"


@cli.command(help="Regenerate mlsysim_sym/_generated/numeric.py from the SymPy walls.")
def codegen() -> None:
    from .. import codegen as cg
    from ..paths import checkout_root

    if checkout_root() is None:
        fail("codegen rewrites the package's generated source: run it in a checkout of the repository, not on an "
             "installed package")

    changed = cg.write()
    click.echo("numeric.py regenerated" if changed else "numeric.py already current", err=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run click without its own exit handling, map errors to codes and one message.

    Whatever happens, the process ends with one of the documented exit codes and at most a line or two on
    stderr: a closed or broken standard output (``| head -1``) ends quietly with 1, an output encoding that
    cannot show a character shows an escape instead, and nothing a user can type reaches "internal error"."""
    if not _streams_usable():
        return 1
    _tolerant_encoding()
    args = list(sys.argv[1:] if argv is None else argv)
    fmt = "json" if _wants_json(args) else "text"
    try:
        code = _run(args, fmt)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except (OSError, ValueError) as exc:  # standard output went away while writing
        if _stdout_broken():
            return _quiet_broken_pipe()
        return _say(f"internal error: {type(exc).__name__}: {exc} (set MLSYSIM_SYM_DEBUG=1 for a traceback)", 1)


def _run(args: list[str], fmt: str) -> int:
    from ..errors import MlsysimError

    try:
        cli.main(args=args, prog_name="mlsysim-sym", standalone_mode=False)
    except click.exceptions.UsageError as exc:
        if fmt == "json":
            emit_error("usage", exc.format_message(), 2)
            return 2
        click.echo(exc.ctx.get_usage() + "\n" if exc.ctx else "", err=True, nl=False)
        click.echo(f"Error: {exc.format_message()}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.exceptions.ClickException as exc:
        click.echo(f"Error: {exc.format_message()}", err=True)
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) and exc.code in (0, 1, 2, 3, 4) else 1
    except MlsysimError as exc:
        if fmt == "json":
            return emit_error(type(exc).__name__, str(exc), exc.exit_code)
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except (BrokenPipeError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - a person gets one line, never a traceback
        import os

        if os.environ.get("MLSYSIM_SYM_DEBUG"):
            raise
        if isinstance(exc, (OSError, ValueError)) and _stdout_broken():
            raise
        missing = exc.name if isinstance(exc, ModuleNotFoundError) else None
        if missing and not missing.startswith("mlsysim_sym"):  # run without the package's declared dependencies
            message = (f"the package {missing.split('.')[0]!r} is not installed; install mlsysim-sym with its "
                       "dependencies (`pip install -e .` in a checkout, or `pip install .`)")
            if fmt == "json":
                return emit_error("MissingDependency", message, 1)
            click.echo(f"error: {message}", err=True)
            return 1
        message = f"internal error: {type(exc).__name__}: {exc} (set MLSYSIM_SYM_DEBUG=1 for a traceback)"
        if fmt == "json":
            return emit_error("InternalError", message, 1)
        click.echo(f"error: {message}", err=True)
        return 1
    return 0


def _streams_usable() -> bool:
    """False (after one line on stderr, if there is one) when standard output is closed: nothing can be
    written, so nothing is computed."""
    if sys.stdout is None or getattr(sys.stdout, "closed", False):
        if sys.stderr is not None and not getattr(sys.stderr, "closed", False):
            try:
                sys.stderr.write("error: standard output is closed; nothing to write to\n")
            except (OSError, ValueError):
                pass
        return False
    return True


def _tolerant_encoding() -> None:
    """Text output that the terminal's encoding cannot show becomes backslash escapes (``\\u03b7``), not a
    UnicodeEncodeError; JSON switches to ASCII escapes itself (see output.emit)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


def _stdout_broken() -> bool:
    try:
        return sys.stdout is None or sys.stdout.closed or not _fd_ok(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return True


def _fd_ok(fd: int) -> bool:
    import os

    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _quiet_broken_pipe() -> int:
    """The reader went away (``| head -1``): stop quietly, and point standard output at /dev/null so that the
    interpreter's final flush does not print 'Exception ignored … BrokenPipeError'."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return 1


def _say(message: str, code: int) -> int:
    try:
        click.echo(f"error: {message}", err=True)
    except (OSError, ValueError):
        pass
    return code


def _wants_json(args: list[str]) -> bool:
    for i, a in enumerate(args):
        if a in ("-o", "--output") and i + 1 < len(args) and args[i + 1] == "json":
            return True
        if a in ("-ojson", "--output=json"):
            return True
    return False


def emit_error(kind: str, message: str, code: int) -> int:
    try:
        sys.stdout.write(json.dumps({"status": "error", "error": {"type": kind, "message": message}}) + "\n")
    except (OSError, ValueError):
        pass
    try:
        click.echo(f"error: {message}", err=True)
    except (OSError, ValueError):
        pass
    return code
