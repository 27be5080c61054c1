"""A serving runtime's fixed cost per request call (``request_overhead``, symbol tau_req): charged once per prefill
in the time to first token, hence once per request in its latency; a convention of 0 where no stack names one, so
the rated walls and 0.3.0 parity are unchanged. TensorRT-LLM v0.5's value is read through the walls from the GPT-J
rows of its first-token table (derivations/prior_inversions.py), which the validation report therefore does not
judge."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

import mlsysim_sym as mlsysim
from mlsysim_sym.catalog import catalog
from mlsysim_sym.errors import DimensionError, InputError, UnitError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from derivations import prior_inversions as p  # noqa: E402
from derivations import validation as v  # noqa: E402

FIELD = "stacks.trtllm_pre_xqa.request_overhead"


def _serve(**kw):
    base = dict(seq_len=128, batch_size=1, precision="fp8")
    base.update(kw)
    return mlsysim.ServingModel().solve(mlsysim.Models.Llama2_7B, "H100", **base)


def test_no_stack_charges_no_request_overhead():
    plain = _serve()
    zero = _serve(request_overhead="0 ms")
    assert plain.ttft.m_as("ms") == pytest.approx(zero.ttft.m_as("ms"), rel=1e-15)
    assert any(s.symbol == "tau_req" and s.ref == "knobs.stacks.rated.request_overhead" for s in plain.sources)


def test_the_stack_prior_adds_exactly_its_value_to_the_first_token():
    row = catalog().constants["knobs." + FIELD]
    named = _serve(stack="trtllm_pre_xqa")
    without = _serve(stack="trtllm_pre_xqa", request_overhead="0 ms")
    assert named.ttft.m_as("s") - without.ttft.m_as("s") == pytest.approx(row.si, rel=1e-9)
    assert any(s.symbol == "tau_req" and s.ref == "knobs." + FIELD for s in named.sources)
    # the decode step does not pay it: the call's cost is once per prefill
    assert named.itl.m_as("ms") == pytest.approx(without.itl.m_as("ms"), rel=1e-15)


def test_a_given_overhead_is_charged_once_per_request():
    a = _serve(stack="trtllm_pre_xqa", request_overhead="0 ms", output_len=64, batch_size=8)
    b = _serve(stack="trtllm_pre_xqa", request_overhead="2 ms", output_len=64, batch_size=8)
    assert b.ttft.m_as("ms") - a.ttft.m_as("ms") == pytest.approx(2.0, rel=1e-9)
    assert b.request_latency.m_as("ms") - a.request_latency.m_as("ms") == pytest.approx(2.0, rel=1e-9)
    assert float(b.request_tokens_per_second) < float(a.request_tokens_per_second)


@pytest.mark.parametrize("bad", ["-1 ms", "11 s", "nan ms", "1 GB", "2**3 ms", "inf ms"])
def test_a_bad_overhead_is_refused(bad):
    with pytest.raises((InputError, UnitError, DimensionError)):
        _serve(request_overhead=bad)


def test_the_catalogued_overhead_is_what_the_walls_read_from_gptj():
    row = catalog().constants["knobs." + FIELD]
    median, low, high = p.overhead_prior(FIELD)
    assert row.si * 1e3 == pytest.approx(median, abs=5e-3)
    lo, hi = row.si_range
    assert lo * 1e3 == pytest.approx(low, abs=5e-3) and hi * 1e3 == pytest.approx(high, abs=5e-3)
    assert "prior_inversions" in row.working
    assert p.stale() == []


@pytest.mark.parametrize("field", ["stacks.trtllm.request_overhead", "stacks.trtllm.request_overhead_on_A100"])
def test_release_080s_overheads_are_what_the_walls_read_from_its_gptj_rows(field):
    """TensorRT-LLM 0.8.0's page: the median of the H200, H100 and L40S machines' readings (3.5-4.1 ms) is the trtllm
    stack's; the A100 machine's (6.9 ms) is catalogued on its own, and an A100 call reads it."""
    row = catalog().constants["knobs." + field]
    median, low, high = p.overhead_prior(field)
    assert row.si * 1e3 == pytest.approx(median, abs=5e-3)
    lo, hi = row.si_range
    assert lo * 1e3 == pytest.approx(low, abs=5e-3) and hi * 1e3 == pytest.approx(high, abs=5e-3)
    runs = [run for run in p.LATENCY_RUNS if run.prior == field]
    assert runs and all(run.stack == "trtllm" and run.bibkey == "nvidia2024trtllmperf080" for run in runs)
    assert {run.hardware for run in runs} == ({"A100"} if field.endswith("_on_A100") else {"H200", "H100", "L40S"})
    hw = "A100" if field.endswith("_on_A100") else "H100"
    res = mlsysim.ServingModel().solve(mlsysim.Models.Llama2_7B, hw, seq_len=128, stack="trtllm",
                                       precision="fp16" if hw == "A100" else "fp8")
    assert {s.ref for s in res.sources if s.symbol == "tau_req"} == {"knobs." + field}


@pytest.mark.parametrize("run", p.LATENCY_RUNS, ids=lambda r: r.label)
def test_each_reading_reproduces_its_published_latency(run):
    """Forward with the overhead read from it, the walls give the run's published first-token latency."""
    left = dict(p.overheads())[run]
    assert 0 < left < run.ttft_ms
    res = mlsysim.ServingModel().solve(getattr(mlsysim.Models, run.model), run.hardware, seq_len=run.prompt,
                                       batch_size=1, precision=run.precision, stack=run.stack,
                                       request_overhead=f"{left} ms")
    assert res.ttft.m_as("ms") == pytest.approx(run.ttft_ms, rel=1e-12)


def test_a_moved_reading_is_named(monkeypatch):
    monkeypatch.setattr(p, "overhead_prior", lambda field: (1.0, 0.5, 1.5))
    msgs = [m for m in p.stale() if "request_overhead" in m]
    fields = {run.prior for run in p.LATENCY_RUNS}            # every row read from latency runs is named
    assert len(msgs) == len(fields) == 3 and all("now read 1.000 [0.500, 1.500] ms" in m for m in msgs)


def test_the_interval_carries_the_overheads_range():
    """The first-token interval of a named stack spans the prior's range at least (exact bounds: TTFT rises with
    tau_req, a declared monotonicity)."""
    from mlsysim_sym.analysis.ranges import interval

    row = catalog().constants["knobs." + FIELD]
    res = _serve(stack="trtllm_pre_xqa")
    iv = interval(res, "ttft")
    lo, hi = row.si_range
    assert iv.high_si - iv.low_si >= (hi - lo) * (1 - 1e-9)
    assert iv.low_si <= res.ttft.m_as("s") <= iv.high_si


def test_the_source_rows_are_not_judged_and_the_others_of_the_table_are():
    judged = v.report()
    ids = {j.id for j in judged}
    assert not any("gptj" in i and "ttft" in i and i.endswith("-128") and ("-h100-" in i or "-a100-" in i)
                   for i in ids)
    # the same table's other GPT-J rows are judged, the L40S's 128-token row (a third device) among them
    assert {"trtllm-h100-gptj-6b-ttft-tp1-2048", "trtllm-a100-gptj-6b-ttft-tp1-2048",
            "trtllm-l40s-gptj-6b-ttft-tp1-128"} <= ids
    row = catalog().constants["knobs." + FIELD]
    assert not v.judged_on_its_source(row)
    for run in p.LATENCY_RUNS:
        assert not any(j.bibkey == run.bibkey and j.locator in run.locator for j in judged)
    assert math.isfinite(row.si)
