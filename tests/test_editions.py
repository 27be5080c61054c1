"""Catalogue editions: a public, stamped choice of numbers (issue "One binding layer …", deliver 6)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import mlsysim_sym as mlsysim
from mlsysim_sym import editions
from mlsysim_sym.errors import UnknownKeyError


def test_default_and_the_030_edition_are_listed():
    names = set(editions.editions())
    assert {"default", "mlsysim-0.3.0"} <= names
    assert mlsysim.current_edition().name == "default"


def test_objects_taken_before_the_block_evaluate_with_the_active_edition():
    a100, resnet = mlsysim.Hardware.A100, mlsysim.Models.ResNet50   # taken before
    ours = mlsysim.Engine.solve(resnet, a100, batch_size=8)
    with mlsysim.edition("mlsysim-0.3.0"):
        theirs = mlsysim.Engine.solve(resnet, a100, batch_size=8)
        inside = mlsysim.Engine.solve(mlsysim.Models.ResNet50, mlsysim.Hardware.A100, batch_size=8)
    after = mlsysim.Engine.solve(resnet, a100, batch_size=8)
    assert theirs.latency == inside.latency
    assert ours.latency == after.latency
    assert ours.stamp["edition"] == "default" and theirs.stamp["edition"] == "mlsysim-0.3.0"
    assert theirs.stamp["catalog_hash"].endswith("+mlsysim-0.3.0")


def test_the_edition_cites_its_source_and_marks_rules():
    with mlsysim.edition("mlsysim-0.3.0"):
        p = mlsysim.Engine.solve("Llama3_8B", "H100", is_training=True, seq_len=2048)
    refs = {s.symbol: s for s in p.sources}
    assert refs["R_peak"].bibkey == "mlsysim2026registry" and "@mlsysim-0.3.0" in refs["R_peak"].ref
    assert refs["m_tok"].kind == "edition rule" and "engine-training-tokens" in refs["m_tok"].ref


def test_set_edition_is_context_local_and_restorable():
    import contextvars

    def inner():
        editions.set_edition("mlsysim-0.3.0")
        return mlsysim.Engine.solve("ResNet50", "H100").stamp["edition"]

    assert contextvars.copy_context().run(inner) == "mlsysim-0.3.0"
    assert mlsysim.current_edition().name == "default"


def test_unknown_edition_is_a_clear_error():
    with pytest.raises(UnknownKeyError, match="unknown edition 'codata2018'.*mlsysim-sym editions"):
        with mlsysim.edition("codata2018"):
            pass


def test_a_scenario_catalogue_keeps_its_own_values_under_an_edition():
    """An object built on a catalogue of its own (measured rows) is an explicit choice: the edition leaves it."""
    from mlsysim_sym.registry import measured_hardware

    hw = measured_hardware("H100")
    mine = mlsysim.Engine.solve("Llama3_8B", hw).latency
    with mlsysim.edition("mlsysim-0.3.0"):
        assert mlsysim.Engine.solve("Llama3_8B", hw).latency.m_as("ms") == pytest.approx(mine.m_as("ms"), rel=0.02)


def test_cli_edition_before_and_after_the_command_and_stamped():
    for args in (["--edition", "mlsysim-0.3.0", "eval", "ResNet50", "H100", "-o", "json"],
                 ["eval", "ResNet50", "H100", "--edition", "mlsysim-0.3.0", "-o", "json"]):
        r = subprocess.run([sys.executable, "-m", "mlsysim_sym", *args], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["stamp"]["edition"] == "mlsysim-0.3.0"


def test_diff_names_the_constant_or_rule_behind_every_difference():
    from mlsysim_sym.editions.diff import diff

    ds = diff("default", "mlsysim-0.3.0")
    assert len(ds) >= 19
    differing = [d for d in ds if d.differs]
    assert differing, "the 0.3.0 edition changes some printed values"
    for d in differing:
        assert d.causes, d.name
    ttft = next(d for d in ds if d.name == "LlamaEightHhundredTtft")
    assert any("hardware.H100.peak.fp16" in c for c in ttft.causes)
    assert all(not d.differs for d in diff("default", "default"))


def test_cli_editions_list_and_diff():
    r = subprocess.run([sys.executable, "-m", "mlsysim_sym", "editions", "diff", "-o", "json"], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["differing"] == len(doc["diffs"]) > 0 and all(d["causes"] for d in doc["diffs"])
