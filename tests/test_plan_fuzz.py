"""Fuzz YAML plans (structure, types, units, keys, broken YAML) through `eval`, `optimize`: no traceback, an exit
code in {0..4}, one JSON document, errors naming the file and line:column, no nan/inf/negative metric. The long
run is ``python tools/fuzz_boundary.py`` (plans are one of its input kinds)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings

_spec = importlib.util.spec_from_file_location(
    "fuzz_boundary", Path(__file__).resolve().parents[1] / "tools" / "fuzz_boundary.py")
fuzz = sys.modules.get("fuzz_boundary")
if fuzz is None:
    fuzz = sys.modules["fuzz_boundary"] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(fuzz)  # type: ignore[union-attr]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzz.plan_input())
def test_plans_never_crash_and_errors_are_located(item):
    tally = fuzz.Tally()
    fuzz.run_one(item, tally)
    assert not tally.failures, tally.failures


def test_the_plan_oracle_sees_a_located_error(tmp_path):
    tally = fuzz.Tally()
    fuzz.run_plan("version: '1.0'\nworkload: {name: Llama3_8B}\nhardware: {name: H100, nodez: 2}\n", ["eval"], tally)
    assert not tally.failures, tally.failures
    assert tally.outcomes["plan eval rc=1"] == 1


def test_an_efficiency_the_walls_refuse_is_refused_at_its_line(tmp_path):
    """The plan's bound on efficiency is the facades' (1e-6, found by this fuzzer: 1.4e-254 passed the plan's
    own (0, 1] and failed later without a location)."""
    tally = fuzz.Tally()
    fuzz.run_plan("version: '1.0'\nworkload: {name: Llama3_8B}\nhardware:\n  name: H100\n  efficiency: 1.0e-7\n",
                  ["eval"], tally)
    assert not tally.failures, tally.failures
    assert tally.outcomes["plan eval rc=1"] == 1
