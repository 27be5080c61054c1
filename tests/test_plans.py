"""YAML plans: `eval PLAN.yaml`, `schema`, `optimize` (the documents' command lines), located errors, the schema
against the loader, the fleet and region a plan builds (docs/decisions/plans.md)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
EXAMPLE = EXAMPLES / "example_cluster.yaml"
OLD_STYLE = EXAMPLES / "plan_mlsysim_0_3_0.yaml"
SERVING = EXAMPLES / "serving_plan.yaml"
DOCS_EXAMPLE = """\
version: "1.0"
workload: {name: "Llama3_70B", batch_size: 4096}
hardware: {name: "H100", nodes: 64}
ops: {region: "Quebec", duration_days: 14.0}
constraints:
  assert:
    - metric: "performance.latency"
      max: 50.0
"""


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlsysim_sym", *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


# ---- the documents' command lines -----------------------------------------------------------------------------------
def test_example_is_the_documents_example_verbatim():
    assert yaml.safe_load(EXAMPLE.read_text()) == yaml.safe_load(DOCS_EXAMPLE)


def test_eval_example_cluster_text(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "example_cluster.yaml")
    r = cli("eval", "example_cluster.yaml", cwd=tmp_path)
    assert r.returncode == 3, r.stderr          # 64 H100 train a 4,096-sequence step in ~2 minutes, not 50 ms
    for text in ("Feasibility [SKIPPED]", "Performance [PASS]", "Macro (economics) [PASS]", "tco_usd", "Assertions",
                 "FAIL", "edition default"):
        assert text in r.stdout
    assert "assertion failed: example_cluster.yaml:7:7: performance.latency" in r.stderr
    assert "e+0" not in r.stdout                # no scientific notation for a person


def test_eval_example_cluster_json_jq_line(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "example_cluster.yaml")
    r = cli("--output", "json", "eval", "example_cluster.yaml", cwd=tmp_path)
    assert r.returncode == 3
    doc = json.loads(r.stdout)
    assert isinstance(doc["macro"]["metrics"]["tco_usd"], float) and doc["macro"]["metrics"]["tco_usd"] > 0
    assert doc["status"] == "assertion_failed"
    assert [v["metric"] for v in doc["violations"]] == ["performance.latency"]
    assert doc["violations"][0]["max"] == 50.0 and doc["violations"][0]["unit"] == "ms"
    for lens in ("feasibility", "performance", "macro"):
        assert set(doc[lens]) >= {"status", "summary", "metrics"}
    assert {"version", "catalog_hash", "edition"} <= set(doc["stamp"])
    assert doc["inputs"]["accelerators"] == 64 and doc["inputs"]["node"] == "DGX_H100"
    assert doc["inputs"]["region"] == "Quebec"
    if shutil.which("jq"):
        out = subprocess.run(f"{sys.executable} -m mlsysim_sym --output json eval example_cluster.yaml | "
                             "jq .macro.metrics.tco_usd", shell=True, capture_output=True, text=True, cwd=tmp_path,
                             timeout=120)
        assert float(out.stdout) == pytest.approx(doc["macro"]["metrics"]["tco_usd"])


def test_schema_to_file_and_it_validates_the_plans(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    r = subprocess.run(f"{sys.executable} -m mlsysim_sym schema > schema.json", shell=True, cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    schema = json.loads((tmp_path / "schema.json").read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema" and schema["$id"]
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    for plan in (DOCS_EXAMPLE, OLD_STYLE.read_text(), SERVING.read_text()):
        assert list(v.iter_errors(yaml.safe_load(plan))) == []
    bad = yaml.safe_load(DOCS_EXAMPLE.replace("nodes:", "nodez:"))
    assert any("nodez" in e.message for e in v.iter_errors(bad))


def test_schema_is_generated_from_the_loader_model():
    from mlsysim_sym.plans.model import Plan
    from mlsysim_sym.plans.schema import json_schema

    s = json_schema()
    assert set(s["properties"]) == {(f.alias or n) for n, f in Plan.model_fields.items()}
    hw = s["$defs"]["Hardware"]["properties"]
    assert {"name", "nodes", "accelerators", "node_count", "accelerators_per_node", "intra_node_bw",
            "fabric_bandwidth", "precision", "efficiency"} <= set(hw)
    assert s["$defs"]["Constraints"]["properties"].keys() == {"assert"}
    assert s["$defs"]["Hardware"]["additionalProperties"] is False


def test_schema_imports_neither_sympy_nor_pint():
    probe = ("import sys, io, contextlib\nfrom mlsysim_sym.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()): rc = main(['schema'])\n"
             "print(rc, 'sympy' in sys.modules, 'pint' in sys.modules, 'matplotlib' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert r.stdout.split() == ["0", "False", "False", "False"], r.stderr


def test_optimize_parallelism_example(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "example_cluster.yaml")
    r = cli("optimize", "parallelism", "example_cluster.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for text in ("Winner", "split", "TP 2 PP 16 DP 2", "Pareto front", "Why the others lost", "memory screen"):
        assert text in r.stdout
    doc = json.loads(cli("optimize", "parallelism", "example_cluster.yaml", "-o", "json", cwd=tmp_path).stdout)
    assert doc["best_config"] == {"tp": 2, "pp": 16, "dp": 2}
    assert doc["result"]["pareto_front"] and doc["result"]["runner_ups"]
    assert all(u["reason"] for u in doc["result"]["runner_ups"])


def test_optimize_placement_example_with_carbon_tax(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "example_cluster.yaml")
    r = cli("optimize", "placement", "example_cluster.yaml", "--carbon-tax", "150", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Quebec" in r.stdout and "$150/t" in r.stdout and "carbon price" in r.stdout
    md = cli("optimize", "placement", "example_cluster.yaml", "--carbon-tax", "150", "-o", "markdown", cwd=tmp_path)
    assert md.returncode == 0 and "| region |" in md.stdout and md.stdout.startswith("# ")
    doc = json.loads(cli("-o", "json", "optimize", "placement", "example_cluster.yaml", "--carbon-tax", "150",
                         "--region", "Iowa", "--region", "Norway", cwd=tmp_path).stdout)
    assert {c["region"] for c in doc["result"]["top_candidates"]} == {"Iowa", "Norway"}


def test_optimize_batching_reads_the_serving_block_and_options():
    r = cli("-o", "json", "optimize", "batching", str(SERVING))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["result"]["is_feasible"] and doc["best_config"]["max_batch_size"] >= 1
    tight = json.loads(cli("-o", "json", "optimize", "batching", str(SERVING), "--sla-ms", "3000").stdout)
    assert tight["best_config"]["max_batch_size"] < doc["best_config"]["max_batch_size"]
    missing = cli("optimize", "batching", str(EXAMPLE))
    assert missing.returncode == 1 and "--sla-ms" in missing.stderr and "example_cluster.yaml" in missing.stderr


# ---- 0.3.0's fields, assertions, exit codes -------------------------------------------------------------------------
def test_mlsysim_0_3_0_style_plan_fails_one_assertion():
    r = cli("-o", "json", "eval", str(OLD_STYLE))
    assert r.returncode == 3
    doc = json.loads(r.stdout)
    assert doc["plan"]["name"] == "Llama-3 8B pre-training on 32 H100"
    assert doc["inputs"]["node_count"] == 4 and doc["inputs"]["accelerators_per_node"] == 8
    assert doc["inputs"]["precision"] == "bf16" and doc["inputs"]["efficiency"] == 0.45
    assert [a["passed"] for a in doc["assertions"]] == [True, True, False]
    assert doc["violations"][0]["metric"] == "macro.carbon_footprint" and doc["violations"][0]["unit"] == "tCO2e"
    text = cli("eval", str(OLD_STYLE))
    assert text.returncode == 3 and "1 of 3 assertions failed" in text.stdout and "macro.carbon_footprint" in text.stderr


def test_passing_plan_exits_0_and_unit_bounds_convert(tmp_path):
    p = write(tmp_path, DOCS_EXAMPLE.replace("max: 50.0", 'max: "3 min"\n      min: "1 s"'))
    r = cli("-o", "json", "eval", p)
    assert r.returncode == 0, r.stdout
    a = json.loads(r.stdout)["assertions"][0]
    assert a["max"] == pytest.approx(180_000.0) and a["min"] == pytest.approx(1000.0) and a["passed"]


def test_single_device_plan_and_markdown():
    r = cli("eval", str(SERVING), "-o", "markdown")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Plan") and "| memory_used_gb |" in r.stdout


def test_region_reaches_the_economics(tmp_path):
    quebec = json.loads(cli("-o", "json", "eval", write(tmp_path, DOCS_EXAMPLE, "q.yaml")).stdout)
    iowa = json.loads(cli("-o", "json", "eval", write(tmp_path, DOCS_EXAMPLE.replace("Quebec", "Iowa"),
                                                       "i.yaml")).stdout)
    assert iowa["macro"]["metrics"]["carbon_kg"] > 20 * quebec["macro"]["metrics"]["carbon_kg"]


def test_plan_numbers_are_system_evaluator_numbers(tmp_path):
    """The plan reuses the evaluator: the same fleet through SystemEvaluator gives the same lenses."""
    from mlsysim_sym.evaluation import SystemEvaluator
    from mlsysim_sym.plans.evaluation import evaluate_plan
    from mlsysim_sym.systems import Fleet

    doc, _ = evaluate_plan(write(tmp_path, DOCS_EXAMPLE))
    fleet = Fleet(name="ref", node="DGX_H100", count=8, fabric="InfiniBand_NDR", region="Quebec")
    ev = SystemEvaluator.evaluate("ref", "Llama3_70B", "H100", 4096, "fp16", None, fleet_obj=fleet, nodes=8,
                                  duration_days=14.0)
    assert doc["performance"]["metrics"]["latency_ms"] == pytest.approx(ev.performance.metrics["step_latency"])
    assert doc["macro"]["metrics"]["tco_usd"] == pytest.approx(ev.macro.metrics["tco_usd"])
    assert doc["macro"]["metrics"]["carbon_t"] == pytest.approx(ev.macro.metrics["carbon_footprint"])


def test_nodes_means_total_accelerators(tmp_path):
    from mlsysim_sym.plans.loader import load_text
    from mlsysim_sym.plans.resolve import resolve

    a = resolve(*load_text(DOCS_EXAMPLE, "a.yaml"))
    b = resolve(*load_text(DOCS_EXAMPLE.replace("nodes: 64", "accelerators: 64"), "b.yaml"))
    c = resolve(*load_text(DOCS_EXAMPLE.replace("nodes: 64", "node_count: 8, accelerators_per_node: 8"), "c.yaml"))
    assert a.total == b.total == c.total == 64 and a.fleet.count == 8 and a.fleet.node.accelerators_per_node == 8
    d = resolve(*load_text(DOCS_EXAMPLE.replace("nodes: 64", 'nodes: 64, accelerators_per_node: 4, '
                                                             'intra_node_bw: "300 GB/s", fabric_bandwidth: "25 GB/s"'),
                           "d.yaml"))
    assert d.fleet.count == 16 and d.fleet.fabric.bandwidth.m_as("GB/s") == pytest.approx(25.0)
    assert d.fleet.node.intra_node_bw.m_as("GB/s") == pytest.approx(300.0)


# ---- located errors ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("edit, expected", [
    (("nodes: 64", "nodez: 64"), "plan.yaml:3:26: hardware.nodez: unknown key; did you mean 'nodes'?"),
    (("Llama3_70B", "Llama3_70b"), "plan.yaml:2:18: workload.name: unknown model 'Llama3_70b'; did you mean "
                                   "'Llama3_70B'?"),
    (("Quebec", "Quebek"), "plan.yaml:4:15: ops.region: unknown grid 'Quebek'; did you mean 'Quebec'?"),
    (("max: 50.0", "max: \"50 GB/s\""), "plan.yaml:8:12: constraints.assert[0].max:"),
    (("performance.latency", "performance.latncy"), "did you mean 'performance.latency'?"),
    (("nodes: 64", 'nodes: 64, fabric_bandwidth: "9**9**8 GB/s"'), "hardware.fabric_bandwidth:"),
    (("nodes: 64", 'nodes: 64, fabric_bandwidth: "50 GB"'), "expected [information] / [time]"),
    (("nodes: 64", "nodes: 64, accelerators: 32"), "plan.yaml:3:11: hardware: the accelerator counts disagree"),
    (("nodes: 64", "node_count: 8"), "node_count needs accelerators_per_node"),
    (("batch_size: 4096", "batch_size: 4096.5"), "workload.batch_size: an integer is expected, got 4096.5"),
    (("batch_size: 4096", "batch_size: .nan"), "workload.batch_size"),
    (('version: "1.0"', "version: 2"), "plan.yaml:1:10: version: unsupported plan version '2'"),
    (('version: "1.0"\n', ""), "plan.yaml:1:1: version: required key is missing"),
    (("ops: {", "ops: {region: Iowa, region: Iowa, "), "duplicate key"),
])
def test_errors_name_file_line_column_and_field(tmp_path, edit, expected):
    p = write(tmp_path, DOCS_EXAMPLE.replace(*edit))
    r = cli("eval", p)
    assert r.returncode == 1, r.stdout
    assert expected in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    j = cli("-o", "json", "eval", p)
    assert json.loads(j.stdout)["status"] == "error"


def test_yaml_syntax_and_unsafe_yaml_are_located(tmp_path):
    for text, expected in (("version: '1.0'\nworkload: {name: x\n", "plan.yaml:3:1: not valid YAML"),
                           ("a: !!python/object/apply:os.system [ls]\n", "plan.yaml:1:4: a: unsupported YAML value"),
                           ("x: &a [*a]\n", "alias refers to itself"),
                           ("", "the plan is empty")):
        r = cli("eval", write(tmp_path, text))
        assert r.returncode == 1 and expected in r.stderr, r.stderr
    r = cli("eval", str(tmp_path / "missing.yaml"))
    assert r.returncode == 1 and "no such plan file" in r.stderr


def test_eval_usage_errors():
    assert cli("eval", "Llama3_8B").returncode == 2
    assert cli("eval", str(EXAMPLE), "H100").returncode == 2


def test_help_lists_plan_commands_and_exit_codes():
    r = cli("--help")
    assert "schema" in r.stdout and "optimize" in r.stdout and "3 plan assertion failed" in r.stdout
