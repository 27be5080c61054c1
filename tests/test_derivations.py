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
    # the catalogued US-average grid (LowCarbonPower, 2023: 353.73 g/kWh); Patterson et al.'s 0.429 kgCO2e/kWh
    # (validation_sources.md §B.6 E1) is the 2019-era figure: the grid's intensity fell about 18 % since
    per_kwh = us.operational_carbon_kg.m_as("kgCO2e") / us.total_energy_kwh.m_as("kWh")
    assert per_kwh == pytest.approx(cat.constants["grid.US_Avg.carbon_intensity"].value / 1000, rel=1e-9)
    assert 0.75 < per_kwh / 0.429 < 0.9


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


# ---- why LLM inference is memory-bound ----------------------------------------------------------------------------
def test_memory_bound_decode_intensity_is_batch_over_weight_bytes_and_crosses_at_the_ridge():
    mb = _mod("memory_bound")
    # validation_sources.md §C.1: 16-bit decode does 2 FLOPs per 2-byte weight per sequence, so the weights-only
    # intensity is b FLOP/B at batch b and the step stays bandwidth-bound until b reaches the ridge (H100 295)
    for b in (1, 8, 256):
        assert mb.decode("Llama3_8B", "H100", b)["i_weights"] == pytest.approx(b, rel=1e-12)
    assert round(mb.ridge("H100")[2]) == 295
    assert mb.weight_crossover("Llama3_8B", "H100") == math.ceil(mb.ridge("H100")[2]) == 296
    assert mb.weight_crossover("Llama3_8B", "A100") == 154  # §C.1 A100 ridge 153 FLOP/B


def test_memory_bound_kv_reads_cap_the_intensity():
    mb = _mod("memory_bound")
    # §C.1: KV reads do not amortise over the batch. §E "KV bytes/token, bf16": Llama-3-8B 131,072 B per token, so
    # the weights + KV intensity tends to 2P / (2,048 × 131,072 B) = 59.8 FLOP/B, below every ridge (§C.1)
    d = mb.decode("Llama3_8B", "H100", 1, 2048)
    assert d["kv"] == pytest.approx(2048 * 131072)
    assert mb.kv_ceiling("Llama3_8B", "H100", 2048) == pytest.approx(2 * 8.03e9 / (2048 * 131072), rel=1e-3)
    assert mb.kv_crossover("Llama3_8B", "H100", 2048) == "never"
    # identity: the intensity rises monotonically with the batch and stays below its ceiling
    xs = [mb.decode("Llama3_8B", "H100", b)["i_weights_kv"] for b in mb.BATCHES]
    assert all(np.diff(xs) > 0) and max(xs) < mb.kv_ceiling("Llama3_8B", "H100", 2048)


def test_memory_bound_values_and_the_engine_step():
    mb = _mod("memory_bound")
    p = mb._L8_H100.run()
    # identity of wall 2 (memory.traffic W(1 + f_act·b), roofline.intensity 2P·b/D): at FP16, I = b / (1 + f_act·b)
    f_act = p.result.values["f_act"]
    assert p.arithmetic_intensity.m_as("FLOP/B") == pytest.approx(1 / (1 + f_act), rel=1e-12)
    assert mb._L8_H100_B256.run().arithmetic_intensity.m_as("FLOP/B") == pytest.approx(256 / (1 + 256 * f_act))
    # §C.2 decode floor: a batch-1 step streams at least the 16.06 GB of weights at 3.35 TB/s (4.79 ms)
    assert p.latency_memory.m_as("ms") >= 8.03e9 * 2 / 3.35e12 * 1e3
    assert str(p.bottleneck) == "Memory" and p.latency_compute < p.latency_memory


# ---- memory, capacity and MoE ---------------------------------------------------------------------------------------
def test_training_memory_model_states_are_zero_16_bytes_per_param():
    mc = _mod("memory_capacity")
    # validation_sources.md §B.3 M1 (ZeRO, Rajbhandari et al. 2020): (2 + 2 + K)Ψ with K = 12, then
    # (2+2)Ψ + KΨ/N, 2Ψ + (2+K)Ψ/N, (2+2+K)Ψ/N for ZeRO stages 1, 2, 3
    for model in mc.TRAIN_MODELS:
        r = mc.training(model)
        psi = r.result.values["P"]
        states = (r.weights + r.gradients + r.optimizer_state).m_as("B")
        assert states == pytest.approx(16 * psi, rel=1e-12)
    psi, n = mc.training("Llama3_8B").result.values["P"], mc.ZERO_DP
    expected = {1: 4 * psi + 12 * psi / n, 2: 2 * psi + 14 * psi / n, 3: 16 * psi / n}
    for z, want in expected.items():
        r = mc.training("Llama3_8B", z, n)
        assert (r.weights + r.gradients + r.optimizer_state).m_as("B") == pytest.approx(want, rel=1e-12)


def test_training_memory_activations_are_korthikanti_selective():
    mc = _mod("memory_capacity")
    # §B.3 M2 (Korthikanti et al. 2022, Table 2): selective recomputation keeps sbh·34/t bytes per layer (t = 1 here)
    r = mc.training("Llama3_8B")
    v = r.result.values
    assert r.activations.m_as("B") == pytest.approx(v["S"] * 1 * v["h"] * 34 * v["N_L"], rel=1e-12)
    # identity: the breakdown sums to the total, and the total against 80 GB decides the fit
    tot = sum(getattr(r, f).m_as("GB") for f, _ in mc.PARTS)
    assert tot == pytest.approx(r.total_memory.m_as("GB"), rel=1e-12)
    assert not r.feasible and mc.training("Llama3_8B", 3, mc.ZERO_DP).feasible
    data = mc._breakdown().columns
    assert len(data["gigabytes"]) == len(mc._cases()) * len(mc.PARTS)


def test_serving_capacity_replicas_cover_the_load():
    mc = _mod("memory_capacity")
    # identity (Little/Erlang): enough replicas that the offered load stays below capacity, and the fewest such
    for q in mc.QPS:
        r = mc.capacity(q, 5000)
        n, per = int(r.required_replicas), float(r.per_replica_qps_capacity)
        assert n * per > q and n >= math.ceil(q / per)
        assert r.estimated_p99_latency.m_as("ms") <= 5000
    assert int(mc._CAPACITY.run().required_replicas) == int(mc.capacity(200, 5000).required_replicas)


def test_moe_imbalance_scales_the_active_experts():
    mc = _mod("memory_capacity")
    # identity: with imbalance f the step waits for f·k experts (Mixtral top-2 of 8, DeepSeek-V3 top-8); balanced
    # routing gives the published active parameters (§B.2 C4: DeepSeek-V3 37B active)
    for f in mc.IMBALANCE:
        r = mc.routing("Mixtral_8x7B", f)
        assert float(r.effective_active_experts) == pytest.approx(2 * f)
        base = mc.routing("Mixtral_8x7B", 1.0).effective_active_parameters.m_as("Gparam")
        assert r.effective_active_parameters.m_as("Gparam") == pytest.approx(base * f)
    assert mc.routing("DeepSeek_V3", 1.0).effective_active_parameters.m_as("Gparam") == pytest.approx(37)


# ---- scaling to 1,000 GPUs ------------------------------------------------------------------------------------------
def test_scaling_ring_allreduce_is_the_nccl_bus_bandwidth_factor():
    sc = _mod("scaling")
    # validation_sources.md §B.5 N1 (nccl-tests PERFORMANCE.md): all-reduce bus BW = alg BW × 2(n−1)/n;
    # reduce-scatter/all-gather (n−1)/n. The hierarchical exchange = 2 × one NVLink pass + one fabric ring.
    for n in (1, 16, 128):
        r = sc.data_parallel(n, "InfiniBand_NDR")
        v = r.result.values
        D, g = v["D_grad"], v["r_node"]
        if n == 1:
            want = 2 * (g - 1) / g * D / v["BW_intra"] + 2 * (g - 1) * v["alpha_intra"]
        else:
            nodes = v["n_span"]
            intra = 2 * ((g - 1) / g * D / v["BW_intra"] + (g - 1) * v["alpha_intra"])
            want = intra + 2 * (nodes - 1) / nodes * (D / g) / v["beta_fab"] + 2 * (nodes - 1) * v["alpha_fab"]
        assert r.dp_communication_latency.m_as("s") == pytest.approx(want, rel=1e-12)
    # the catalogue fabric: NDR 400 Gb/s = 50 GB/s per direction (§B.8 H12)
    assert sc.data_parallel(2, "InfiniBand_NDR").result.values["beta_fab"] == pytest.approx(50e9)


def test_scaling_bubble_fraction_is_gpipe():
    sc = _mod("scaling")
    # §C.4 / GPipe and Narayanan §2.2: bubble = (p−1)/(m + p−1) for p stages and m micro-batches
    for pp in (2, 8):
        for m in (1, 16):
            assert float(sc.pipelined(16, "InfiniBand_NDR", pp, m).bubble_fraction) == pytest.approx(
                (pp - 1) / (m + pp - 1))
    assert float(sc._SEVENTY_1K.run().bubble_fraction) == pytest.approx(7 / 23)


def test_scaling_efficiency_falls_with_gpus_and_overlap_recovers_it():
    sc = _mod("scaling")
    c = sc._efficiency().columns
    for name in dict.fromkeys(c["series"]):
        ys = [e for s, e in zip(c["series"], c["scaling_efficiency"]) if s == name]
        assert all(0 < y <= 1 for y in ys) and all(np.diff(ys) <= 1e-12)  # monotone non-increasing with GPUs
    thousand = sc._EIGHT_1K.run()
    # identity: scaling efficiency = replica busy time / step time, and overlap hides (η_ov) of the exchange
    v = thousand.result.values
    assert float(thousand.scaling_efficiency) == pytest.approx(v["T_rep"] / v["T_step"], rel=1e-9)
    assert float(sc._EIGHT_1K_OVERLAP.run().scaling_efficiency) > float(thousand.scaling_efficiency)
    # a faster fabric is never worse at the same size (NDR 400 vs HDR 200 Gb/s)
    ndr, hdr = sc.data_parallel(128, "InfiniBand_NDR"), sc.data_parallel(128, "InfiniBand_HDR")
    assert ndr.scaling_efficiency > hdr.scaling_efficiency
