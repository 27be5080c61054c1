"""Explicit scenarios: every input bound to a catalogue id, a quantity or a count; nothing implicit."""
from __future__ import annotations

import pytest

from mlsysim_sym import Scenario, calc_kv_cache_size
from mlsysim_sym.errors import InputError, UnitError

LLAMA_KV = dict(N_L="model.Llama3_8B.layers", H_kv="model.Llama3_8B.kv_heads", d_head=128,
                b_w="knobs.precision.fp16", S=8192, B=4, m_mla=0, r_kv=0, d_rope=0)


def test_scenario_evaluates_with_sources_of_each_binding():
    r = Scenario("serve.kv", **LLAMA_KV).evaluate()
    assert r["KV"] == calc_kv_cache_size(32, 8, 128, 8192, 4, 2)
    refs = {s.symbol: s.ref for s in r.sources}
    assert refs["N_L"] == "model.Llama3_8B.layers" and refs["B"].startswith("user:")


def test_quantities_are_converted_and_checked():
    r = Scenario("serve.kv", **{**LLAMA_KV, "b_w": "1 B"}).evaluate()
    assert r["KV"] == calc_kv_cache_size(32, 8, 128, 8192, 4, 1)
    with pytest.raises(UnitError):
        Scenario("serve.kv", **{**LLAMA_KV, "b_w": "1 s"}).evaluate()
    with pytest.raises(UnitError, match="give a quantity"):
        Scenario("serve.kv", **{**LLAMA_KV, "b_w": 2}).evaluate()


def test_missing_and_unknown_inputs_are_named():
    with pytest.raises(InputError, match="needs bindings for: .*H_kv"):
        Scenario("serve.kv", S=1).evaluate()
    with pytest.raises(InputError, match="has no input"):
        Scenario("serve.kv", nonsense=1)


def test_bind_returns_a_new_scenario():
    base = Scenario("serve.kv", **LLAMA_KV)
    longer = base.bind(S=16384)
    assert longer.evaluate()["KV"] == 2 * base.evaluate()["KV"]
