"""The command line: outputs, exit codes, lazy imports (run in subprocesses, as a user would)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlsysim_sym", *args], capture_output=True, text=True, timeout=120)


PROBE = ("import sys\nfrom mlsysim_sym.cli import main\nrc = main({args!r})\n"
         "sys.stderr.write('MODULES %s %s\\n' % ('sympy' in sys.modules, 'pint' in sys.modules))\n")


@pytest.mark.parametrize("args", [["--help"], ["zoo", "hardware"], ["zoo", "models", "-o", "json"], ["eval", "--help"]])
def test_help_and_zoo_import_neither_sympy_nor_pint(args):
    r = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, timeout=120)
    assert "MODULES False False" in r.stderr, r.stderr


def test_eval_json_imports_no_sympy():
    r = subprocess.run([sys.executable, "-c", PROBE.format(args=["eval", "ResNet50", "A100", "-o", "json"])],
                       capture_output=True, text=True, timeout=120)
    assert "MODULES False False" in r.stderr


def test_eval_json_is_one_document_with_units_and_stamp():
    r = cli("eval", "ResNet50", "A100", "-o", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["results"]["latency"] == {"value": pytest.approx(0.5675641, rel=1e-6), "unit": "ms"}
    assert doc["results"]["bottleneck"] == "Compute"
    assert {"version", "catalog_hash", "formula_revision"} <= set(doc["stamp"])
    assert any(s["bibkey"] == "nvidia2021a100ds" for s in doc["sources"])


def test_output_flag_before_the_command():
    r = cli("-o", "json", "eval", "ResNet50", "A100")
    assert r.returncode == 0 and json.loads(r.stdout)["command"] == "eval"


def test_serve_json_keys_name_their_units():
    r = cli("serve", "Llama3_8B", "H100", "-s", "2048", "-o", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["itl_ms"] == pytest.approx(5.19415984, rel=1e-6) and doc["kv_cache_gb"] == pytest.approx(0.268435456)


@pytest.mark.parametrize("args,code,needle", [
    (["eval", "ResNet5O", "A100"], 1, "did you mean 'ResNet50'"),
    (["eval", "ResNet50", "A1OO"], 1, "did you mean"),
    (["eval", "ResNet50", "A100", "-p", "fp6"], 1, "precision 'fp6' is not supported"),
    (["eval", "ResNet50", "A100", "-b", "0"], 1, "batch_size must be an integer in [1, 1e+09], got 0"),
    (["eval", "ResNet50", "A100", "-e", "1.5"], 1, "efficiency must be a number in [1e-06, 1], got 1.5"),
    (["eval", "ResNet50", "A100", "-e", "0"], 1, "efficiency must be a number in [1e-06, 1], got 0.0"),
    (["eval", "ResNet50", "A100", "-p", "fp8"], 1, "A100 has no catalogued fp8 rate"),
    (["eval", "ResNet50", "A100", "-b", "x"], 2, "Invalid value"),
    (["frobnicate"], 2, "No such command"),
    (["eval", "Llama3_70B", "A100"], 4, "infeasible"),
], ids=["unknown-model", "unknown-hardware", "unknown-precision", "batch-zero", "efficiency-high",
        "efficiency-zero", "precision-not-catalogued", "usage-type", "usage-command", "infeasible"])
def test_bad_input_gives_one_message_and_the_documented_code(args, code, needle):
    r = cli(*args)
    assert r.returncode == code, (r.returncode, r.stderr)
    assert needle in r.stderr
    assert "Traceback" not in r.stderr


def test_json_error_document():
    r = cli("eval", "ResNet5O", "A100", "-o", "json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["status"] == "error" and "ResNet50" in doc["error"]["message"]


def test_trace_explains_with_sources():
    r = cli("trace", "ResNet50", "A100")
    assert r.returncode == 0
    assert "T = L_lat + max(T_comp, T_mem)" in r.stdout and "Compute" in r.stdout
    assert "nvidia2021a100ds" in r.stdout


def test_zoo_sources_and_walls():
    r = cli("zoo", "hardware", "--sources")
    assert r.returncode == 0 and "nvidia2021a100ds" in r.stdout
    r = cli("walls", "-o", "json")
    assert r.returncode == 0 and {w["number"] for w in json.loads(r.stdout)["walls"]} >= {1, 2, 4}


def test_check_reports_counts():
    r = cli("check", "-o", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["uncited"] == 0 and doc["constants"] > 1000 and doc["bibkeys"] > 50 and not doc["problems"]
    # where citations lead: by document type, and the rows that end at mlsysim 0.3.0's own registry
    from mlsysim_sym.audit import REFERENCE_REGISTRY
    from mlsysim_sym.catalog import catalog

    assert sum(doc["by_source_type"].values()) == doc["cited"]
    assert doc["reference_registry_rows"] == sum(1 for c in catalog() if c.bibkey == REFERENCE_REGISTRY)
    assert doc["reference_registry_share"] == round(doc["reference_registry_rows"] / doc["constants"], 4)


def test_malformed_constants_file_gives_file_line_and_exit_1(tmp_path):
    """A broken catalogue (here: a unit that does not parse) stops every command with one located message."""
    import os
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    data = tmp_path / "data"
    shutil.copytree(root / "constants", data / "constants")
    shutil.copy(root / "citations.bib", data / "citations.bib")
    a100 = data / "constants" / "hardware" / "cloud" / "A100.toml"
    a100.write_text(a100.read_text(encoding="utf-8").replace('unit = "TFLOPS"', 'unit = "TFLOPZ"', 1))
    env = dict(os.environ, MLSYSIM_SYM_DATA=str(data))
    for args in (["eval", "ResNet50", "A100"], ["zoo", "hardware"], ["check"]):
        r = subprocess.run([sys.executable, "-m", "mlsysim_sym", *args], capture_output=True, text=True, env=env,
                           timeout=120)
        assert r.returncode == 1, (args, r.stderr)
        assert "constants/hardware/cloud/A100.toml:" in r.stderr and "TFLOPZ" in r.stderr
        assert "Traceback" not in r.stderr


def test_a_missing_dependency_is_named_not_an_internal_error():
    """Run without the declared dependencies (here bibtexparser hidden from the import system): one line naming
    the package and how to install, exit 1."""
    probe = ("import sys\n"
             "class Block:\n"
             "    def find_spec(self, name, path=None, target=None):\n"
             "        if name.split('.')[0] == 'bibtexparser':\n"
             "            raise ModuleNotFoundError(f\"No module named '{name}'\", name=name)\n"
             "sys.meta_path.insert(0, Block())\n"
             "from mlsysim_sym.cli import main\n"
             "sys.exit(main(['check']))\n")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "the package 'bibtexparser' is not installed" in r.stderr and "pip install" in r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
