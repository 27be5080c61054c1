"""Each derivation's key numbers, and where each comes from: a published figure of
../shared/reference/validation_sources.md (section and row named) or an identity of the walls."""
from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest

from mlsysim_sym import paths


def _mod(name: str):
    path = paths.derivations_dir() / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"derivations.{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("hw, published", [("A100", 153), ("H100", 295), ("H200", 206), ("MI300X", 247)])
def test_ridge_points(hw, published):
    # validation_sources.md §C.1 (peak dense FLOP/s ÷ HBM B/s). B200 is left out: the catalogue reads 7.7 TB/s
    # from the HGX page (292 FLOP/B) where the table uses 8 TB/s (281).
    _peak, _bw, ridge = _mod("roofline").ridge(hw)
    assert round(ridge) == published


def test_hello_roofline_crossover_is_where_intensity_passes_the_effective_ridge():
    # identity: the step turns compute-bound at the first batch whose intensity exceeds η·peak/BW
    rf = _mod("roofline")
    s = rf.sweep("ResNet50", "H100")
    from mlsysim_sym import Engine

    eff = Engine.solve(model="ResNet50", hardware="H100", batch_size=1, precision="fp16")
    ridge_eff = eff.peak_flops_actual.m_as("FLOP/s") / eff.result.values["BW_mem"]
    first = next(int(b) for b, i in zip(s["batch"], s["intensity"]) if i > ridge_eff)
    assert rf.crossover("ResNet50", "H100") == first == 2
    assert rf.crossover("Llama3_8B", "H100") is None  # decode stays memory-bound across the sweep
    # throughput rises monotonically along the sweep (identity of the roofline)
    assert np.all(np.diff(s["throughput"]) > 0)


def test_roofline_figure_places_each_workload_under_the_roof():
    data = _mod("roofline")._roofline()
    c = data.columns
    peak, bw, _ = _mod("roofline").ridge("H100")
    for s, x, y in zip(c["series"], c["intensity_flop_per_byte"], c["tflop_per_s"]):
        assert y <= min(bw.si * x, peak.si) / 1e12 * (1 + 1e-9)


def test_two_phases_kv_cache_per_token():
    # validation_sources.md §E "KV bytes/token, bf16 (M4, M6)": Llama-3-8B 131,072 B per token
    sv = _mod("serving")
    r = sv._solve("Llama3_8B", "H100", 2048, 1)
    assert r.kv_cache_size.m_as("B") == pytest.approx(2048 * 131072)
    # identity: KV grows linearly in batch × context
    r2 = sv._solve("Llama3_8B", "H100", 8192, 8)
    assert r2.kv_cache_size.m_as("B") == pytest.approx(8192 * 8 * 131072)


def test_two_phases_ttft_grows_with_context_and_itl_stays_near_the_weight_floor():
    data = _mod("serving")._phases_figure("context").columns
    assert all(np.diff(data["ttft_ms"]) > 0)
    # §C.2 decode floor: ITL ≥ weight bytes / HBM bandwidth (16.06 GB / 3.35 TB/s = 4.79 ms for Llama-3 8B)
    assert min(data["itl_ms"]) >= 8.03e9 * 2 / 3.35e12 * 1e3


def test_nine_million_question_tco_is_the_sum_of_its_parts():
    parts, total = _mod("operations")._tco_parts()
    assert sum(p[1] for p in parts) == pytest.approx(total, rel=1e-12)  # identity
    assert 8e6 < total < 12e6


def test_geography_carbon_is_energy_times_grid_intensity():
    from mlsysim_sym import catalog

    op = _mod("operations")
    cat = catalog()
    for dc in op.REGIONS:
        r = op._region(dc)
        grid = cat.entity("datacenter", dc).attrs["grid"]
        ci = cat.constants[f"grid.{grid}.carbon_intensity"].si
        # identity of wall 18 (no renewable share)
        assert r.operational_carbon_kg.m_as("kgCO2e") == pytest.approx(r.total_energy_kwh.m_as("kWh") * ci
                                                                       * _per_kwh(cat, grid), rel=1e-9)
    us = op._region("US_Hyperscale")
    # validation_sources.md §B.6 E1: 0.429 kgCO2e/kWh (the US-average grid Patterson et al. use)
    assert us.operational_carbon_kg.m_as("kgCO2e") / us.total_energy_kwh.m_as("kWh") == pytest.approx(0.429, abs=5e-4)


def _per_kwh(cat, grid):
    # the constant's SI unit: kgCO2e per joule or per kWh; scale to per kWh
    c = cat.constants[f"grid.{grid}.carbon_intensity"]
    return 3.6e6 if c.si_unit.endswith("/J") else 1.0


def test_sensitivity_tornado_elasticities():
    an = _mod("analysis")
    r, s = an.elasticities("Llama3_8B", "H100", 1)
    e = {p.symbol: p.elasticity for p in s.partials}
    # identity: memory-bound T = L + W/BW: ε(BW) = −ε(b_w) = −T_mem/T
    assert e["BW_mem"] == pytest.approx(-e["b_w"])
    assert e["BW_mem"] == pytest.approx(-(r.latency_memory / r.latency).m_as(""), rel=1e-9)
    r2, s2 = an.elasticities("ResNet50", "H100", 256)
    e2 = {p.symbol: p.elasticity for p in s2.partials}
    assert "R_peak" in e2 and e2["R_peak"] < 0 and "BW_mem" not in e2  # compute-bound: the peak, not BW


def test_reliability_young_daly_and_the_goodput_curve():
    rel = _mod("reliability")
    v = rel._LLAMA3.run().result.values
    # validation_sources.md §B.7 R1 + R3: M = 54 d / 419 = 3.09 h; Young 19.3 min, Daly 18.6 min (δ = 60 s)
    assert v["M_f"] / 3600 == pytest.approx(3.09, abs=0.005)
    assert v["tau_Y"] / 60 == pytest.approx(19.3, abs=0.05)
    assert v["tau_D"] / 60 == pytest.approx(18.6, abs=0.05)
    taus = np.linspace(60.0, 7200.0, 2000)
    g = rel.goodput_curve(taus, v)
    best = taus[int(np.argmax(g))]
    assert best == pytest.approx(v["tau_D"], rel=0.05)  # Daly's interval is (near) the curve's optimum
    assert float(rel.goodput_curve(np.array([v["tau_opt"]]), v)[0]) == pytest.approx(v["G_put"], rel=1e-12)
    assert math.isfinite(best)
