"""Whole-process timing of every ``mlsysim-sym`` command, side by side with mlsysim 0.3.0's CLI where it has one.

Usage (from the repository root)::

    python benchmarks/cli_timing.py [--runs 5] [--ref-runs 3] [--ref /work/ref03/bin/mlsysim]
                                    [--before PATH] [--json docs/cli_timing.json]

Each command runs ``--runs`` times as a fresh process (``python -m mlsysim_sym ...``, output discarded); the table
gives the median and the fastest run in seconds. With ``--ref`` (default ``$MLSYSIM_REF_CLI`` or
``/work/ref03/bin/mlsysim`` when present) the commands 0.3.0 has run there too. With ``--before PATH`` (a source
tree of an earlier revision, e.g. ``git archive HEAD | tar -x -C PATH``) our commands also run from that tree
(``PYTHONPATH=PATH``), for a before/after column. A benchmark, not a test: nothing here asserts (the fast
commands' bound is asserted, leniently, in ``tests/test_cli_output.py``).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (label, our arguments, 0.3.0's arguments or None where 0.3.0 has no such command)
COMMANDS: list[tuple[str, list[str], list[str] | None]] = [
    ("--help", ["--help"], ["--help"]),
    ("zoo hardware", ["zoo", "hardware"], ["zoo", "hardware"]),
    ("zoo models", ["zoo", "models"], ["zoo", "models"]),
    ("zoo hardware --filter H100", ["zoo", "hardware", "--filter", "H100"], None),
    ("walls", ["walls"], None),
    ("walls -o json", ["walls", "-o", "json"], None),
    ("trace ResNet50 A100", ["trace", "ResNet50", "A100"], None),
    ("eval ResNet50 A100", ["eval", "ResNet50", "A100"], ["eval", "ResNet50", "A100"]),
    ("eval ResNet50 A100 -o json", ["eval", "ResNet50", "A100", "-o", "json"],
     ["eval", "ResNet50", "A100", "-o", "json"]),
    ("eval Llama3_8B H100 --batch-size 32", ["eval", "Llama3_8B", "H100", "--batch-size", "32"],
     ["eval", "Llama3_8B", "H100", "--batch-size", "32"]),
    ("eval ResNet50 A100 --explain", ["eval", "ResNet50", "A100", "--explain"], None),
    ("serve Llama3_8B H100", ["serve", "Llama3_8B", "H100"], ["serve", "Llama3_8B", "H100"]),
    ("serve Llama3_8B H100 -o json", ["serve", "Llama3_8B", "H100", "-o", "json"],
     ["serve", "Llama3_8B", "H100", "-o", "json"]),
    ("audit", ["audit"], ["audit"]),
    ("schema", ["schema"], ["schema"]),
    ("editions", ["editions"], None),
    ("check", ["check"], None),
]


def run_once(argv: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[float, int]:
    t0 = time.perf_counter()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, timeout=300, cwd=cwd)
    return time.perf_counter() - t0, r.returncode


def measure(argv: list[str], runs: int, env: dict[str, str] | None = None,
            cwd: Path = ROOT) -> dict[str, float | int] | None:
    """Median and fastest of ``runs`` fresh processes (``cwd`` matters: ``python -m`` puts it first on the path)."""
    times, code = [], 0
    for _ in range(runs):
        t, code = run_once(argv, env, cwd)
        times.append(t)
    if code not in (0, 3, 4):  # a command this revision does not have (usage error) or one that failed
        return {"exit_code": code}
    return {"median_s": round(statistics.median(times), 4), "min_s": round(min(times), 4), "runs": runs,
            "exit_code": code}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ref-runs", type=int, default=3)
    default_ref = os.environ.get("MLSYSIM_REF_CLI") or ("/work/ref03/bin/mlsysim"
                                                       if Path("/work/ref03/bin/mlsysim").exists() else "")
    ap.add_argument("--ref", default=default_ref, help="mlsysim 0.3.0's CLI executable ('' to skip)")
    ap.add_argument("--before", default="", help="a source tree of an earlier revision, timed as 'before'")
    ap.add_argument("--json", default="", help="write the results here")
    ap.add_argument("--only", default="", help="comma-separated labels to run (default: all)")
    args = ap.parse_args()

    only = {s.strip() for s in args.only.split(",") if s.strip()}
    ours = [sys.executable, "-m", "mlsysim_sym"]
    env_before = dict(os.environ, PYTHONPATH=args.before) if args.before else None
    rows = {}
    for label, mine, theirs in COMMANDS:
        if only and label not in only:
            continue
        row: dict[str, object] = {"ours": measure(ours + mine, args.runs)}
        if env_before is not None:
            row["ours_before"] = measure(ours + mine, args.runs, env_before, Path(args.before))
        if args.ref and theirs is not None:
            row["mlsysim_0_3_0"] = measure([args.ref, *theirs], args.ref_runs)
        rows[label] = row
        print(_line(label, row), flush=True)
    doc = {"machine": {"platform": platform.platform(), "python": platform.python_version(),
                       "cpus": os.cpu_count()},
           "date": time.strftime("%Y-%m-%d"), "unit": "seconds, whole process (median and min of runs)",
           "commands": rows}
    if args.json:
        Path(args.json).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def _fmt(m: object) -> str:
    if not isinstance(m, dict):
        return "-"
    if "median_s" not in m:
        return f"(exit {m['exit_code']})"
    return f"{m['median_s']:.3f} (min {m['min_s']:.3f})"


def _line(label: str, row: dict[str, object]) -> str:
    parts = [f"{label:40s}", f"ours {_fmt(row['ours'])}"]
    if "ours_before" in row:
        parts.append(f"before {_fmt(row['ours_before'])}")
    if "mlsysim_0_3_0" in row:
        parts.append(f"0.3.0 {_fmt(row['mlsysim_0_3_0'])}")
    return "  ".join(parts)


if __name__ == "__main__":
    main()
