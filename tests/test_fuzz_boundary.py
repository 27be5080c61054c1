"""Fuzz the input boundary in the suite: a short run of the generator of ``tools/fuzz_boundary.py``.

Over the CLI's commands, options and values and over the facades' arguments: no traceback, an exit code in
{0, 1, 2, 3, 4}, no nan/inf/negative number in a successful result, nothing over 5 s; over export's target
layouts: nothing outside the target (and nothing foreign inside it) is touched. The long run (≥ 2,000 inputs)
is ``python tools/fuzz_boundary.py``.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

_spec = importlib.util.spec_from_file_location(
    "fuzz_boundary", Path(__file__).resolve().parents[1] / "tools" / "fuzz_boundary.py")
fuzz = sys.modules["fuzz_boundary"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)  # type: ignore[union-attr]


def _check(item) -> None:
    tally = fuzz.Tally()
    fuzz.run_one(item, tally)
    assert not tally.failures, tally.failures


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzz.cli_args())
def test_cli_inputs(args):
    _check(("cli", args))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzz.py_call())
def test_python_facade_inputs(call):
    _check(("py", call))


@pytest.mark.parametrize("layout", fuzz.EXPORT_LAYOUTS)
def test_export_layouts(layout):
    _check(("export", layout))


def test_the_oracle_catches_what_it_should():
    """The oracle itself: nan, inf and negatives are found, allowed fields are not flagged."""
    assert fuzz.bad_numbers({"a": {"value": float("nan")}, "b": -1, "c": "inf", "d": 2}) == [".a.value=nan", ".b=-1",
                                                                                          ".c=inf"]
    assert fuzz.bad_numbers({"p99_latency": float("inf")}, allowed=frozenset({"p99_latency"})) == []
