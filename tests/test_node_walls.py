"""Walls 3, 5, 6, 7, MoE routing and the network roofline: invariants and golden vectors (mlsysim 0.3.0 run,
vector numbers of shared/reference/mlsysim_reference.md §5; `overlay` = 0.3.0's input values)."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsysim_sym import (ContinuousBatchingModel, EfficiencyModel, Hardware, Models, MoERoutingModel,
                         NetworkRooflineModel, ServingCapacityModel, Systems, TailLatencyModel, TransformerWorkload,
                         WeightStreamingModel, edition)
from mlsysim_sym._generated import numeric

REL = 1e-6


class O:
    """Registry objects; tests named ``…_overlay`` evaluate them under the mlsysim-0.3.0 edition."""

    models = type("M", (), {"__getitem__": lambda self, k: Models.get(k)})()
    hw = type("H", (), {"__getitem__": lambda self, k: Hardware.get(k)})()
    fleets = type("F", (), {"__getitem__": lambda self, k: Systems.Clusters.get(k)})()


@pytest.fixture(autouse=True)
def _edition(request):
    if request.node.originalname.endswith("_overlay"):
        with edition("mlsysim-0.3.0"):
            yield
    else:
        yield


def tail_model(qps, t_svc_ms, c, cv):
    return TailLatencyModel().solve(qps, t_svc_ms, num_replicas=c, service_time_cv=cv).result


def tail(v):
    return numeric.COMPUTATIONS["tail.mmc"][0](dict(v))[0]


tail_in = st.fixed_dictionaries({"lam": st.floats(0.0, 5000.0), "t_svc": st.floats(1e-4, 1.0),
                                 "c_srv": st.integers(1, 64).map(float), "cv_svc": st.floats(0.0, 3.0),
                                 "k_slo": st.just(5.0)})


@given(tail_in)
def test_p99_at_least_p50(v):
    out = tail(v)
    assert out["p99"] >= out["p50"] >= v["t_svc"]


@given(tail_in, st.floats(1e-6, 2.0))
def test_p99_non_decreasing_in_arrival_rate(v, delta):
    a, b = tail(v), tail(dict(v, lam=v["lam"] * (1 + delta) + 1e-9))
    assert b["p99"] >= a["p99"] * (1 - 1e-12)


@given(tail_in)
def test_more_servers_never_hurt(v):
    assert tail(dict(v, c_srv=v["c_srv"] + 1))["p99"] <= tail(v)["p99"] * (1 + 1e-12)


@pytest.mark.parametrize("args,p50,p99,rho,headroom", [
    ((80, 10, 1), 33.5001815, 229.101332, 0.8, 4.382026634673883),
    ((700, 10, 8), 12.3951444, 51.5153745, 0.875, 0.8303074895031972),
    ((700, 10, 8, 2.0), 15.9878611, 113.788436, 0.875, 2.0757687238),
])
def test_mlsysim030_tail_latency(args, p50, p99, rho, headroom):
    r = TailLatencyModel().solve(*args)
    assert r.p50_latency.m_as("ms") == pytest.approx(p50, rel=REL)
    assert r.p99_latency.m_as("ms") == pytest.approx(p99, rel=REL)
    assert r.queue_utilization == pytest.approx(rho) and r.slo_headroom_ratio == pytest.approx(headroom, rel=REL)


def test_mlsysim030_tail_latency_unstable():
    r = TailLatencyModel().solve(100, 10, 1)
    assert math.isinf(r.p99_latency.m_as("ms")) and r.queue_utilization == 1.0 and not r.is_stable


cb_in = st.fixed_dictionaries({
    "S_max": st.sampled_from([1024.0, 2048.0, 8192.0]), "p_page": st.sampled_from([1.0, 16.0, 128.0, 1024.0]),
    "C_mem": st.floats(2e10, 2e11), "P": st.floats(1e9, 8e9), "b_w": st.just(2.0), "M_size": st.just(0.0),
    "N_L": st.just(32.0), "H_kv_cat": st.just(8.0), "d_cat": st.just(128.0), "h": st.just(4096.0),
    "m_mla": st.just(0.0), "r_kv": st.just(0.0),
    "d_rope": st.just(0.0), "N_max": st.sampled_from([1.0, 32.0, 1e5]), "BW_mem": st.just(3.35e12),
    "R_peak": st.just(1e15), "eta_hw": st.just(0.5), "H": st.just(32.0), "tau_disp": st.just(1e-5),
    "eta_bw": st.sampled_from([0.8, 1.0]), "m_dc": st.sampled_from([0.0, 1.0]),
    "kappa_kv": st.sampled_from([0.0, 1.0])})


@given(cb_in, st.floats(0.01, 1.0))
def test_paged_users_at_least_static_users(v, frac):
    """With pages that divide S_max (so a full request wastes nothing), paging never fits fewer requests."""
    out = numeric.COMPUTATIONS["batch.cb"][0](dict(v, S_mean=v["S_max"] * frac))[0]
    assert out["N_paged"] >= out["N_static"]
    assert 0 <= out["frag_paged"] <= out["frag_static"] + 1e-12


def test_mlsysim030_v17_v18_continuous_batching_overlay():
    m, h = O.models["Llama3_8B"], O.hw["H100"]
    r = ContinuousBatchingModel().solve(m, h, 8192, mean_request_tokens=2048, max_batch_size=100000, page_size=16)
    assert (r.max_active_requests, r.static_max_active_requests) == (259, 65)
    assert r.throughput_tokens_per_sec == pytest.approx(10137.900319799353, rel=REL)
    assert r.static_throughput_tokens_per_sec == pytest.approx(6498.389051294002, rel=REL)
    assert r.paged_internal_fragmentation == pytest.approx(0.0038190447591995857, rel=REL)
    assert r.speedup_vs_static == pytest.approx(1.560063615732676, rel=REL)
    assert r.itl.m_as("ms") == pytest.approx(25.5476964, rel=REL)
    r = ContinuousBatchingModel().solve(m, h, 8192, mean_request_tokens=2048, max_batch_size=100000, page_size=2048)
    assert r.max_active_requests == 165 and r.speedup_vs_static == pytest.approx(1.409394114835547, rel=REL)
    assert r.paged_internal_fragmentation == pytest.approx(0.3626085093684578, rel=REL)


def test_mlsysim030_v20_paged_fragmentation_full_length():
    r = ContinuousBatchingModel().solve("Llama3_8B", "H100", 2050, max_batch_size=1, page_size=16)
    assert r.paged_internal_fragmentation == pytest.approx(14 / 2064, rel=1e-12)


def _custom_180b():
    return TransformerWorkload(name="Custom-180B", parameters="180e9 param", layers=80, hidden_dim=14848, heads=232,
                               kv_heads=8)


@pytest.mark.parametrize("batch,tps,util,fits", [(1, 3.3333333, 0.0078125, True), (127, 423.333333, 0.9921875, True),
                                                 (41666, 0.0, 325.515625, False)])
def test_mlsysim030_v56_weight_streaming_overlay(batch, tps, util, fits):
    r = WeightStreamingModel().solve(_custom_180b(), O.hw["Cerebras_CS3"], seq_len=2048, batch_size=batch, efficiency=0.4)
    assert r.feasible is fits
    assert r.throughput_tokens_per_sec == pytest.approx(tps, rel=REL, abs=1e-12)
    assert r.wafer_memory_utilization == pytest.approx(util, rel=REL)
    assert r.optimal_batch_size == 41666
    if batch == 1:
        assert r.bottleneck == "Interconnect-Bandwidth-Bound"
        assert r.layer_injection_time.m_as("ms") == pytest.approx(3.75, rel=REL)


def test_optimal_batch_is_where_compute_covers_injection():
    """Round trip: at B*, compute per layer (less dispatch) has just reached the injection time."""
    r = WeightStreamingModel().solve(_custom_180b(), "Cerebras_CS3", seq_len=2048, batch_size=1, efficiency=0.4)
    b = int(r.optimal_batch_size)
    lo = WeightStreamingModel().solve(_custom_180b(), "Cerebras_CS3", seq_len=2048, batch_size=b, efficiency=0.4)
    hi = WeightStreamingModel().solve(_custom_180b(), "Cerebras_CS3", seq_len=2048, batch_size=b + 1, efficiency=0.4)
    tau = lo.result.values["tau_disp"]
    assert lo.result.values["t_layer_c"] - tau <= lo.result.values["t_inj"] <= hi.result.values["t_layer_c"] - tau


def test_mlsysim030_serving_capacity_overlay():
    r = ServingCapacityModel().solve(O.models["Llama3_8B"], O.hw["H100"], qps=50, target_p99_latency_ms=3000,
                                     max_seq_len=8192, mean_request_tokens=1500, service_time_cv=0.5)
    assert r.required_replicas == 2 and r.active_batch_size == 32
    assert r.estimated_p99_latency.m_as("ms") == pytest.approx(2629.92992, rel=REL)
    assert r.queue_wait_p99.m_as("ms") == pytest.approx(99.6889664, rel=REL)
    assert r.utilization == pytest.approx(0.66720764, rel=REL)


def test_mlsysim030_moe_routing():
    r = MoERoutingModel().solve("Mixtral_8x7B", 8, 2048, ep_size=8, routing_imbalance_factor=1.5,
                                fleet="Training_512_H100")
    assert r.effective_active_experts == 3.0
    assert r.effective_active_parameters.m_as("param") == pytest.approx(1.935e10, rel=REL)
    assert r.token_dispatch_bytes.m_as("MB") == pytest.approx(352.321536, rel=REL)
    assert r.all_to_all_latency.m_as("ms") == pytest.approx(14.1418614, rel=REL)


@given(st.integers(1, 64), st.integers(1, 4096), st.floats(1.0, 4.0))
def test_moe_with_one_expert_is_dense(b, s, f):
    out = numeric.COMPUTATIONS["moe.routing"][0]({"B": float(b), "S": float(s), "h": 4096.0, "b_w": 2.0,
                                                   "E_exp": 1.0, "k_top": 1.0, "f_imb": f, "P_act": 7e9,
                                                   "N_ep": 1.0, "BW_fab": 1.0, "os_fab": 1.0, "alpha_fab": 0.0})[0]
    assert out["e_eff"] == 1 and out["m_route"] == 1 and out["P_act_eff"] == 7e9


def test_mlsysim030_network_roofline_overlay():
    r = NetworkRooflineModel().solve(O.models["Llama3_8B"], O.fleets["Research_256"])
    assert r.latency.m_as("ms") == pytest.approx(2569.6, rel=REL)
    assert r.mfu == pytest.approx(7.405681243680484e-08, rel=REL) and r.bottleneck == "Network"


@pytest.mark.parametrize("wt,flash,eta,mfu,occ,stall", [("attention", True, 0.5, 0.75, 0.45, 0.0),
                                                          ("ffn", False, 0.7, 0.6, 0.23, 0.17),
                                                          ("conv", False, 0.5, 0.4, None, None),
                                                          ("attention", True, 0.9, 0.85, None, None)])
def test_mlsysim030_efficiency(wt, flash, eta, mfu, occ, stall):
    r = EfficiencyModel().solve(None, "H100", workload_type=wt, use_flash_attention=flash, efficiency=eta)
    assert r.mfu == pytest.approx(mfu, rel=REL)
    if occ is not None:
        assert r.overhead_breakdown["occupancy_loss"] == pytest.approx(occ, rel=REL)
        assert r.overhead_breakdown["memory_stall"] == pytest.approx(stall, abs=1e-12)


def test_walls_1_to_7_are_the_node_domain():
    from mlsysim_sym import walls_in_domain, wall

    assert [w.number for w in walls_in_domain("node")] == [1, 2, 3, 4, 5, 6, 7]
    assert wall(7).resolver == "TailLatencyModel"


@given(st.integers(1, 40), st.floats(0.01, 0.99))
def test_erlang_c_recurrence_equals_the_defining_series(c, rho):
    import sympy as sp

    from mlsysim_sym.special import erlang_c
    from mlsysim_sym.walls._functions import ErlangC

    a = rho * c
    exact = float(ErlangC(sp.Integer(c), sp.Float(a, 30)).rewrite(sp.Sum).doit().evalf(30))
    assert erlang_c(c, a) == pytest.approx(exact, rel=1e-10)


def test_erlang_c_refuses_absurd_server_counts_instead_of_hanging():
    """One recurrence step per server: ten million servers answer in about a second; 10^15 (a fuzzed replica count)
    is a clear InputError, not an hours-long loop. An unstable queue answers 1 at any size."""
    from mlsysim_sym.errors import InputError
    from mlsysim_sym.special import ERLANG_MAX_SERVERS, erlang_c

    assert 0.0 <= erlang_c(ERLANG_MAX_SERVERS, 0.999 * ERLANG_MAX_SERVERS) < 1.0
    with pytest.raises(InputError, match="at most 10,000,000"):
        erlang_c(1e15, 1e14)
    assert erlang_c(1e15, 2e15) == 1.0


def test_serving_capacity_search_finds_the_smallest_replica_count():
    r = ServingCapacityModel().solve("Llama3_8B", "H100", qps=400, target_p99_latency_ms=3000, max_seq_len=8192,
                                     mean_request_tokens=1500, service_time_cv=0.5)
    c = r.required_replicas
    base = r.base_request_latency.m_as("ms")
    t_svc = 1000 / r.per_replica_qps_capacity

    def ok(n):
        v = tail_model(400, t_svc, n, 0.5).values
        return v["stable"] and base + max(0.0, v["p99"] * 1e3 - t_svc) <= 3000

    assert ok(c) and (c == 1 or not ok(c - 1))


@given(cb_in, st.floats(0.05, 1.0), st.floats(1e-6, 1.0))
def test_declared_monotonicity_wall_5(v, frac, delta):
    from mlsysim_sym.walls import WALLS

    base = dict(v, S_mean=v["S_max"] * frac)
    f = numeric.COMPUTATIONS["batch.cb"][0]
    for out_name, inp, sign in WALLS[5].monotonic:
        y0 = f(dict(base))[0][out_name]
        bumped = dict(base, **{inp: base[inp] * (1 + delta)})
        if inp == "S_max":
            bumped["S_mean"] = min(bumped["S_mean"], bumped["S_max"])
        y1 = f(bumped)[0][out_name]
        assert (y1 - y0) * sign >= 0, (out_name, inp)


ws_in = st.fixed_dictionaries({
    "S": st.sampled_from([512.0, 2048.0]), "B": st.integers(1, 512).map(float), "P": st.floats(1e9, 4e11),
    "N_L": st.sampled_from([32.0, 80.0]), "H": st.just(64.0), "H_kv_cat": st.just(8.0), "d_cat": st.just(128.0),
    "h": st.just(8192.0),
    "b_w": st.sampled_from([1.0, 2.0]), "f_sram": st.just(1.1), "C_mem": st.floats(1e10, 1e11),
    "m_prefill": st.sampled_from([0.0, 1.0]), "BW_inj": st.floats(1e10, 1e13), "R_peak": st.floats(1e14, 1e17),
    "eta_hw": st.floats(0.1, 1.0), "tau_disp": st.floats(0.0, 1e-5)})


@given(ws_in, st.floats(1e-6, 1.0))
def test_declared_monotonicity_wall_6(v, delta):
    from mlsysim_sym.walls import WALLS

    f = numeric.COMPUTATIONS["stream.ws"][0]
    for out_name, inp, sign in WALLS[6].monotonic:
        y0 = f(dict(v))[0][out_name]
        y1 = f(dict(v, **{inp: v[inp] * (1 + delta)}))[0][out_name]
        assert (y1 - y0) * sign >= -1e-12 * abs(y0), (out_name, inp)


@given(st.sampled_from(["2 B", "16 bit", "0.002 kB"]))
def test_unit_invariance_of_bindings(width):
    """The same input in B, bit or kB gives the same result (units are converted, not assumed)."""
    from mlsysim_sym import Scenario

    base = dict(N_L=32, H_kv=8, d_head=128, S=4096, B=2, m_mla=0, r_kv=0, d_rope=0)
    kv = Scenario("serve.kv", b_w=width, **base).evaluate()["KV"]
    assert kv == pytest.approx(2 * 32 * 8 * 128 * 4096 * 2 * 2, rel=1e-12)


@pytest.mark.parametrize("rho", [1e-4, 0.05, 0.183, 0.5, 0.51, 0.7, 0.9, 0.99, 0.999])
def test_capped_exp_shape_solves_its_equation_quickly(rho):
    """ρ·t = 1 − e^{−t} to ~1e-13 against a 50-digit root; a bounded number of Newton/Halley steps everywhere (the
    earlier stopping rule oscillated on the last ulp near ρ = 0.99 and ran 100 iterations)."""
    import mpmath
    from mlsysim_sym import special

    mpmath.mp.dps = 50
    t = special.capped_exp_shape(rho)
    ref = mpmath.findroot(lambda x: mpmath.mpf(rho) * x - (1 - mpmath.exp(-x)), mpmath.mpf(t))
    assert t == pytest.approx(float(ref), rel=1e-13)
    import types

    calls = []
    counting = types.SimpleNamespace(**{k: getattr(math, k) for k in dir(math) if not k.startswith("_")})
    counting.exp = lambda x: (calls.append(x), math.exp(x))[1]
    special.math = counting
    try:
        special.capped_exp_shape(rho)
    finally:
        special.math = math
    assert len(calls) <= 12


@pytest.mark.parametrize("x", [-1 / 2.718281828459045, -0.3678, -0.36, -0.3, -0.25, -0.1, -1e-8, 1e-3, 1.0, 1e3, 1e12])
def test_lambertw0_against_mpmath(x):
    import mpmath
    from mlsysim_sym.special import lambertw0

    ref = complex(mpmath.lambertw(mpmath.mpf(x))).real
    assert lambertw0(x) == pytest.approx(ref, rel=1e-12, abs=1e-12)


def test_serving_capacity_is_one_derivation_with_its_sources():
    """The plan is walls 5, 4 and 7 composed in equations (capacity.*): its fields are symbols of the derivation,
    the explanation shows each step, and the sources reach the datasheet rows of the device."""
    r = ServingCapacityModel().solve("Llama3_8B", "H100", qps=50, target_p99_latency_ms=3000, max_seq_len=8192,
                                     mean_request_tokens=1500)
    assert r.result.steps == ("capacity.replica", "capacity.fleet")
    text = r.explain()
    for eq in ("[batch.paged_requests]", "[capacity.serving_batch]", "[serve.ttft]", "[capacity.service_time]",
               "[tail.erlang_c]", "[capacity.p99]", "[capacity.meets_target]"):
        assert eq in text
    refs = {src.ref: src.bibkey for src in r.sources}
    assert refs["hardware.H100.memory.bandwidth"] and refs["model.Llama3_8B.params"]
    assert refs["knobs.serving.page_tokens"] == "kwon2023efficient"
    v = r.result.values
    assert r.per_replica_qps_capacity == pytest.approx(1 / v["t_svc"], rel=1e-12)
    assert r.estimated_p99_latency.m_as("s") == pytest.approx(v["L_base"] + v["w99"], rel=1e-12)
    assert r.feasible and r.bottleneck == "Feasible" and r.to_dict()["bottleneck"] == "Feasible"


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=0.5, max_value=2000), st.floats(min_value=500, max_value=20000))
def test_serving_capacity_plan_meets_its_target_with_the_fewest_replicas(qps, target):
    r = ServingCapacityModel().solve("Llama3_8B", "H100", qps=qps, target_p99_latency_ms=target, max_seq_len=4096,
                                     mean_request_tokens=1000, max_replicas=256)
    if r.feasible:
        assert r.estimated_p99_latency.m_as("ms") <= target * (1 + 1e-12)
        assert r.utilization < 1
        if r.required_replicas > 1:
            t_svc_ms = 1e3 / r.per_replica_qps_capacity
            v = tail_model(qps, t_svc_ms, r.required_replicas - 1, 1.0).values
            fewer = v["stable"] and r.base_request_latency.m_as("ms") + v["w99"] * 1e3 <= target
            assert not fewer
    else:
        assert r.required_replicas == 256
