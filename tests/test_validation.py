"""Measured rows (kind measurement) beside datasheet rows, chosen by a scenario; the H100 validation report."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlsysim_sym.catalog import catalog, prefer_measured
from mlsysim_sym.registry import measured_hardware
from mlsysim_sym.resolvers.serving import ServingModel

ROOT = Path(__file__).resolve().parents[1]


def test_measured_rows_are_measurements_beside_the_datasheet_rows():
    v = catalog().entity("hardware", "H100").values
    for fld in ("memory.bandwidth", "peak.bf16"):
        assert v[fld].kind == "datasheet"
        m = v["measured." + fld]
        assert m.kind == "measurement" and m.bibkey == "mlsysimsym2026h100measure" and m.conditions
        assert m.si < v[fld].si  # sustained below peak


def test_prefer_measured_swaps_values_and_keeps_their_provenance():
    hw = measured_hardware("H100")
    default = ServingModel().solve("Llama3_8B", "H100", seq_len=2048, precision="bf16")
    chosen = ServingModel().solve("Llama3_8B", hw, seq_len=2048, precision="bf16")
    ratio = catalog().constants["hardware.H100.memory.bandwidth"].si / \
        catalog().constants["hardware.H100.measured.memory.bandwidth"].si
    assert chosen.itl > default.itl
    w_kv = default.result.values["W"] + default.result.values["KV"]
    assert (chosen.itl - default.itl).m_as("s") == pytest.approx(w_kv / default.result.values["BW_mem"] * (ratio - 1),
                                                                 rel=1e-9)
    refs = {s.symbol: (s.ref, s.kind) for s in chosen.sources}
    assert refs["BW_mem"] == ("hardware.H100.measured.memory.bandwidth", "measurement")
    assert refs["R_peak"] == ("hardware.H100.measured.peak.bf16", "measurement")
    assert prefer_measured(catalog()).entity("hardware", "A100") is catalog().entity("hardware", "A100")


def test_cli_measured_flag_and_its_error():
    run = lambda *a: subprocess.run([sys.executable, "-m", "mlsysim_sym", *a], capture_output=True, text=True,  # noqa: E731
                                    cwd=ROOT)
    r = run("serve", "Llama3_8B", "H100", "-p", "bf16", "--measured", "-o", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert any(s["kind"] == "measurement" for s in doc["sources"])
    r = run("eval", "ResNet50", "A100", "--measured")
    assert r.returncode == 1 and "no measured rows" in r.stderr and r.stdout == ""


def test_h100_validation_report_is_current():
    """docs/validation/h100_sxm5.md is generated from the measurements and our walls: a changed wall or constant
    that moves a prediction makes it stale (regenerate with tools/validation/gpu_report.py)."""
    sys.path.insert(0, str(ROOT / "tools" / "validation"))
    import gpu_report

    assert gpu_report.render() == gpu_report.REPORT.read_text(encoding="utf-8")


def test_overlay_rows_cite_the_override_not_the_shipped_row():
    from mlsysim_sym.catalog import with_overrides
    from mlsysim_sym.engine import Engine
    from mlsysim_sym.objects import HardwareNode

    cat = with_overrides(catalog(), {"hardware.H100.memory.bandwidth": {"si": 3.0e12, "unit": "B/s"}},
                         bibkey="mlsysimsym2026h100measure", locator="a scenario's bandwidth", kind="measurement")
    p = Engine.solve("Llama3_8B", HardwareNode(cat.entity("hardware", "H100"), cat))
    src = {s.symbol: s for s in p.sources}["BW_mem"]
    assert src.ref.startswith("hardware.H100.memory.bandwidth@")
    assert (src.bibkey, src.kind) == ("mlsysimsym2026h100measure", "measurement")


def test_results_on_a_scenario_catalogue_are_stamped_with_it():
    hw = measured_hardware("H100")
    base = catalog().hash
    assert ServingModel().solve("Llama3_8B", "H100", seq_len=2048).stamp["catalog_hash"] == base
    assert ServingModel().solve("Llama3_8B", hw, seq_len=2048).stamp["catalog_hash"] == base + "+measured"
