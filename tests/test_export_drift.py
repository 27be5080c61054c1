"""Drift that explains itself (issue 14): ``export --check`` and ``export --against OLD`` name each book value that
changed, its old and new number, and the constant (old and new value), equation, rule or edition that changed it;
``-o json`` gives the same report as data; every exported file is stamped with the package version."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlsysim_sym import __version__, editions
from mlsysim_sym.cli import main
from mlsysim_sym.export import render, run_export
from mlsysim_sym.export.cli import drift_report
from mlsysim_sym.export.explain import value_changes

ROOT = Path(__file__).resolve().parents[1]
KNOB = "knobs.engine.efficiency"


@pytest.fixture(scope="module")
def old(tmp_path_factory) -> Path:
    """An export of the default edition and the shipped catalogue, written once for the module."""
    out = tmp_path_factory.mktemp("drift") / "old"
    assert run_export(str(out)) == []
    return out


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _value(report, name: str):
    return {v.name: v for v in report.values}[name]


def test_values_json_records_each_input_constants_value_and_the_equations_used():
    doc = json.loads(render()["values.json"])
    v = {r["name"]: r for r in doc["values"]}["ResnetAhundredLatency"]
    assert v["input_values"][KNOB] == {"value": 0.5, "unit": "", "si": 0.5}
    assert set(v["input_values"]) == set(v["inputs"])
    assert v["equation"] in v["equations"] and v["rules"] == []


def test_no_drift_prints_current(old, capsys):
    assert main(["export", "--check", "--dir", str(old)]) == 0
    assert "is current" in capsys.readouterr().err
    assert main(["export", "--check", "--dir", str(old), "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "current" and doc["values"] == [] and doc["files"]["differ"] == 0


def test_a_changed_constant_is_named_with_its_old_and_new_value(old, capsys):
    """A catalogue where knobs.engine.efficiency is 0.45 (an edition overriding that one row): the check names
    ResnetAhundredLatency, 0.568 → its new number, because knobs.engine.efficiency 0.5 → 0.45; exit 1."""
    ed = editions.Edition("test-efficiency-045", "knobs.engine.efficiency at 0.45",
                          overrides={KNOB: {"si": 0.45, "unit": ""}}, bibkey="chowdhery2022palm", locator="test")
    with editions.edition(ed):
        report = drift_report(str(old))
        new_printed = json.loads(render()["values.json"])
        assert main(["export", "--check", "--dir", str(old)]) == 1
    text = capsys.readouterr().out
    new = {r["name"]: r["printed"] for r in new_printed["values"]}["ResnetAhundredLatency"]
    assert not report.current and new != "0.568"
    v = _value(report, "ResnetAhundredLatency")
    assert (v.old, v.new, v.unit) == ("0.568", new, "ms")
    kinds = {c.kind: c for c in v.causes}
    assert kinds["constant"].data["id"] == KNOB and kinds["constant"].text == f"{KNOB} 0.5 → 0.45"
    assert kinds["edition"].text == "edition default → test-efficiency-045"
    assert f"ResnetAhundredLatency: 0.568 → {new} ms" in text and f"because {KNOB} 0.5 → 0.45" in text
    assert "edition default → test-efficiency-045" in text and "only in their stamp" in text
    # a value that does not use the knob is not listed
    assert all(any(c.data.get("id") == KNOB for c in v.causes) for v in report.values if v.status == "changed")


def test_another_catalogue_version_with_json_output(old, tmp_path):
    """The author's path between two catalogue versions: a copied constants tree (MLSYSIM_SYM_DATA) with one knob
    changed; `export --check --dir OLD -o json` reports the value, old → new and the constant, exit 1."""
    data = tmp_path / "data"
    _copy(ROOT / "constants", data / "constants")
    shutil.copy(ROOT / "citations.bib", data / "citations.bib")
    engine = data / "constants" / "knobs" / "engine.toml"
    text = engine.read_text(encoding="utf-8")
    assert 'field = "efficiency"\nvalue = 0.5\n' in text
    engine.write_text(text.replace('field = "efficiency"\nvalue = 0.5\n', 'field = "efficiency"\nvalue = 0.45\n'),
                      encoding="utf-8")
    env = dict(os.environ, MLSYSIM_SYM_DATA=str(data))
    r = subprocess.run([sys.executable, "-m", "mlsysim_sym", "-o", "json", "export", "--check", "--dir", str(old)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert doc["status"] == "stale" and doc["stamp"]["changed"] == ["catalog_hash"]
    v = {x["name"]: x for x in doc["values"]}["ResnetAhundredLatency"]
    assert v["old"] == "0.568" and v["new"] != "0.568" and v["new_value"] > v["old_value"]
    const = [c for c in v["causes"] if c["kind"] == "constant"]
    assert const == [{"kind": "constant", "text": f"{KNOB} 0.5 → 0.45", "id": KNOB,
                      "old": {"value": 0.5, "unit": "", "si": 0.5}, "new": {"value": 0.45, "unit": "", "si": 0.45}}]
    assert doc["files"]["stamp_only"] > 0 and "values.json" in doc["files"]["by_kind"]


def test_a_changed_equation_is_named(old, tmp_path):
    """The old export printed another number from another text of roofline.latency (formula revision "oldrev"):
    the report names the equation and both revisions."""
    prev = _copy(old, tmp_path / "prev")
    eq = prev / "equations" / "roofline-latency.tex"
    eq.write_text(eq.read_text(encoding="utf-8").replace("\\label{eq:roofline-latency}",
                                                         "+ 1\n  \\label{eq:roofline-latency}"), encoding="utf-8")
    doc = json.loads((prev / "values.json").read_text(encoding="utf-8"))
    doc["revision"] = "oldrev"
    rec = {r["name"]: r for r in doc["values"]}["ResnetAhundredLatency"]
    rec["printed"], rec["value"] = "0.5", 0.5
    (prev / "values.json").write_text(json.dumps(doc), encoding="utf-8")
    man = json.loads((prev / "manifest.json").read_text(encoding="utf-8"))
    man["revision"] = "oldrev"
    (prev / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    report = drift_report(str(prev))
    v = _value(report, "ResnetAhundredLatency")
    assert (v.old, v.new) == ("0.5", "0.568")
    formula = [c for c in v.causes if c.kind == "formula"]
    assert formula and formula[0].data["equation"] == "roofline.latency"
    assert "equation roofline.latency changed (formulas oldrev → " in formula[0].text
    assert "equations/roofline-latency.tex" in report.by_kind()["equations"]["changed"]


def test_two_editions_between_two_export_folders(old, tmp_path, capsys):
    """`export --against OLD --dir NEW`: two folders as written (here the default edition and mlsysim-0.3.0)."""
    new = tmp_path / "new"
    with editions.edition("mlsysim-0.3.0"):
        assert run_export(str(new)) == []
    assert main(["export", "--against", str(old), "--dir", str(new)]) == 1
    text = capsys.readouterr().out
    assert "edition default → mlsysim-0.3.0" in text
    report = drift_report(str(new), against=str(old))
    assert report.values and all(any(c.kind == "edition" for c in v.causes) for v in report.values)
    assert any(c.kind == "constant" for v in report.values for c in v.causes)
    assert any(c.kind == "rule" for v in report.values for c in v.causes)
    # and the way back says the same, reversed
    back = drift_report(str(old), against=str(new))
    assert {v.name for v in back.values} == {v.name for v in report.values}


def test_an_old_export_without_recorded_input_values_names_the_catalogue():
    old = {"values": [{"name": "X", "printed": "1", "value": 1.0, "unit": "ms", "inputs": [KNOB],
                       "equation": "roofline.latency", "computation": {"resolver": "engine"}}]}
    new = {"values": [{"name": "X", "printed": "2", "value": 2.0, "unit": "ms", "inputs": [KNOB],
                       "input_values": {KNOB: {"value": 0.45, "unit": "", "si": 0.45}},
                       "equation": "roofline.latency", "equations": ["roofline.latency"],
                       "computation": {"resolver": "engine"}}]}
    (v,) = value_changes(old, new, {"catalog_hash": "a"}, {"catalog_hash": "b"}, lambda _eid: False)
    assert (v.old, v.new) == ("1", "2")
    assert [c.kind for c in v.causes] == ["catalogue"] and KNOB in v.causes[0].text


def test_every_exported_file_is_stamped_with_the_package_version():
    stamp = f"mlsysim-sym {__version__}"
    for name, content in render().items():
        if name.endswith(".json"):
            assert json.loads(content)["version"] == __version__, name
        elif isinstance(content, bytes) or name.endswith(".svg"):
            raw = content if isinstance(content, bytes) else content.encode()
            assert stamp.encode() in raw, name
        else:
            assert stamp in content.splitlines()[0], name
