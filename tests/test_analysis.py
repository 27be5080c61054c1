"""Walls 21 and 22: exact sensitivities (generated tangent code) and symbolic synthesis (generated inverses).

Properties, not examples: the tangent code equals SymPy's own derivative of each equation chained through the
computation (fast path = reference path); ∂T/∂BW = −T_mem/BW when memory-bound and 0 when compute-bound; the
elasticities of latency weighted by each input's time exponent sum to 1 (dimensional homogeneity: Euler's theorem);
both one-sided derivatives at a kink; every synthesised value meets its target forward to 1e-9 in its regime."""
from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim_sym as mlsysim
from mlsysim_sym._generated import tangent
from mlsysim_sym.analysis.sensitivity import SensitivitySolver, directional, sensitivity
from mlsysim_sym.analysis.synthesis import ROUND_TRIP, synthesize
from mlsysim_sym.errors import InputError
from mlsysim_sym.evaluate import run

LMS = ["Llama3_8B", "Llama3_70B", "Mistral_7B", "GPT2", "Qwen2_7B"]
OTHERS = ["ResNet50", "MobileNetV2", "BERT_Base"]
DEVICES = ["H100", "A100", "B200", "L4", "MI300X", "JetsonOrinNX", "T4"]


def _cases() -> list:
    from mlsysim_sym import Hardware, Models

    out = []
    for m in LMS + OTHERS:
        try:
            Models.get(m)
        except Exception:
            continue
        for h in DEVICES:
            try:
                Hardware.get(h)
            except Exception:
                continue
            out.append((m, h))
    return out


CASES = _cases()


# ---- the tangent code against SymPy's derivative, equation by equation --------------------------------------------
def _frozen(x: sp.Basic) -> sp.Basic:
    """A floor/ceiling at the point (an inactive branch may divide by zero: any constant will do there)."""
    return sp.Float(float(x)) if x.is_finite and x.is_real else sp.Integer(0)


def _reference_tangent(comp: str, values: dict, seed: str) -> dict[str, float]:
    """∂(every output)/∂seed by SymPy: each equation's local partials (sympy.diff, evaluated at the point) chained
    in equation order. Piecewise-constant nodes (floor, ceiling) are frozen at their value first."""
    from mlsysim_sym.walls import COMPUTATIONS, EQUATIONS, load_all
    from mlsysim_sym.walls._core import S

    load_all()
    d = {seed: 1.0}
    point = {S(k): sp.Float(v) for k, v in values.items()
             if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
    for eid in COMPUTATIONS[comp].order:
        eq = EQUATIONS[eid]
        rhs = eq.numeric_rhs()
        if isinstance(rhs, (sp.logic.boolalg.Boolean, sp.core.relational.Relational)):
            continue
        frozen = {n: _frozen(n.xreplace(point)) for n in sp.preorder_traversal(rhs)
                  if isinstance(n, (sp.floor, sp.ceiling))}
        rhs = rhs.xreplace(frozen)
        total = 0.0
        for s in rhs.free_symbols:
            ds = d.get(s.name, 0.0)
            if ds == 0.0:
                continue
            local = sp.diff(rhs, s).xreplace(point)
            local = sp.N(local)
            total += float(local) * ds
        d[eq.lhs] = total
    return d


@pytest.mark.parametrize("model,hw,batch", [("Llama3_8B", "H100", 1), ("Llama3_8B", "H100", 256),
                                            ("ResNet50", "A100", 1), ("ResNet50", "A100", 64),
                                            ("Llama3_70B", "A100", 1)])
def test_engine_tangent_equals_sympy_derivative(model, hw, batch):
    p = mlsysim.Engine.solve(model, hw, batch_size=batch)
    vals = p.result.values
    for seed in ("R_peak", "BW_mem", "eta_hw", "B", "P", "b_w", "tau_layer", "tau_disp", "f_act", "C_mem"):
        ref = _reference_tangent("engine.step", vals, seed)
        got = tangent.COMPUTATIONS["engine.step"](vals, {seed: 1.0})
        for out in ("T", "T_comp", "T_mem", "X", "MFU", "E"):
            assert math.isclose(got.get(out, 0.0), ref.get(out, 0.0), rel_tol=1e-9, abs_tol=1e-30), \
                (model, hw, batch, seed, out, got.get(out), ref.get(out))


def test_serving_and_queueing_tangents_equal_sympy_derivative():
    """serve.step (Piecewise, Max), tail.mmc (Erlang C: its fdiff in the offered load) and batch.cb (expm1,
    the capped-exponential shape's implicit derivative)."""
    s = mlsysim.ServingModel().solve("Llama3_8B", "H100", seq_len=4096, batch_size=8)
    for seed in ("BW_mem", "R_peak", "S", "B", "eta_hw"):
        ref = _reference_tangent("serve.step", s.result.values, seed)
        got = tangent.COMPUTATIONS["serve.step"](s.result.values, {seed: 1.0})
        for out in ("TTFT", "ITL", "KV", "X_tok"):
            assert math.isclose(got.get(out, 0.0), ref.get(out, 0.0), rel_tol=1e-9, abs_tol=1e-30), (seed, out)
    t = mlsysim.TailLatencyModel().solve(arrival_rate_qps=900, service_latency_ms=10, num_replicas=12)
    comp = t.result.steps[0]
    inputs = [k for k in ("lam", "lambda_q", "t_svc", "T_svc", "mu") if k in t.result.values]
    assert inputs
    for seed in inputs:
        ref = _reference_tangent(comp, t.result.values, seed)
        got = tangent.COMPUTATIONS[comp](t.result.values, {seed: 1.0})
        for out, g in got.items():
            # the server count's missing derivative must not leak into a direction that holds it still (nan·0)
            assert math.isfinite(g), (seed, out, g)
            if out in ref:
                assert math.isclose(g, ref[out], rel_tol=1e-7, abs_tol=1e-30), (seed, out, g, ref[out])
    moved = tangent.COMPUTATIONS[comp](t.result.values, {"c_srv": 1.0})
    assert math.isnan(moved["P_wait"]) and math.isnan(moved["p99"])   # a count has no derivative: nan, not 0


def test_erlang_c_derivative_matches_the_defining_series():
    from mlsysim_sym.walls._functions import ErlangC

    a = sp.Symbol("a", positive=True)
    for c in (1, 2, 5, 12):
        series = ErlangC(c, a).rewrite(sp.Sum).doit()
        for load in (0.3 * c, 0.7 * c, 0.95 * c):
            exact = float(sp.diff(series, a).subs(a, load).evalf(30))
            mine = float(ErlangC(sp.Integer(c), a).fdiff(2).subs(a, load).evalf(30))
            assert math.isclose(mine, exact, rel_tol=1e-12), (c, load, mine, exact)


# ---- the properties -------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(st.sampled_from(CASES), st.sampled_from([1, 2, 8, 32, 128, 512]))
def test_dT_dBW_is_minus_Tmem_over_BW_when_memory_bound_and_zero_when_compute_bound(case, batch):
    model, hw = case
    p = mlsysim.Engine.solve(model, hw, batch_size=batch)
    v = p.result.values
    if v["T_comp"] == v["T_mem"] or v["BW"] != v["BW_mem"]:
        return  # a kink, or a path other than main memory (offload, SRAM, flash): BW_mem is not on it
    s = sensitivity(p, "T", wrt=["BW_mem"])["BW_mem"]
    if p.bottleneck == "Memory":
        assert math.isclose(s.right, -v["T_mem"] / v["BW_mem"], rel_tol=1e-12)
        assert math.isclose(s.left, s.right, rel_tol=1e-15)
    else:
        assert s.right == 0.0 and s.left == 0.0


def _time_exponent(symbol: str) -> int:
    from mlsysim_sym.notation import SYMBOLS
    from mlsysim_sym.units import dimensionality

    return int(dict(dimensionality(SYMBOLS[symbol].unit)).get("[time]", 0))


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(CASES), st.sampled_from([1, 4, 64, 256]))
def test_latency_elasticities_weighted_by_time_exponent_sum_to_one(case, batch):
    """Latency is homogeneous of degree 1 under a change of time unit: scaling every input with a time dimension by
    λ^e scales T by λ. Euler: Σ e_i·ε_i = 1 (exactly the degree), for every model, device and batch."""
    model, hw = case
    p = mlsysim.Engine.solve(model, hw, batch_size=batch)
    sens = sensitivity(p, "T", keep_zero=True)
    if sens.kinks:
        return
    total = sum(_time_exponent(q.symbol) * (q.elasticity or 0.0) for q in sens.partials)
    assert math.isclose(total, 1.0, rel_tol=1e-9), (model, hw, batch, total)


def test_kv_cache_elasticities_sum_to_the_degree_of_its_monomial():
    """KV = B·S·k_tok with k_tok = 2·H_kv·N_L·b_w·d_head: homogeneous of degree 5 in (B, S, H_kv, N_L, b_w) (the
    head dimension h/H is floored, piecewise constant), and 6 with a catalogued head dimension."""
    s = mlsysim.ServingModel().solve("Llama3_8B", "H100", seq_len=4096, batch_size=8)
    sens = sensitivity(s, "KV", keep_zero=True)
    names = [n for n in ("B", "S", "N_L", "b_w", "H_kv_cat", "d_cat", "H", "h") if n in sens]
    total = sum(sens[n].elasticity for n in names)
    degree = 6 if s.result.values.get("d_cat", 0) > 0 else 5
    assert math.isclose(total, degree, rel_tol=1e-12), {n: sens[n].elasticity for n in names}


def test_both_one_sided_derivatives_at_the_ridge():
    """At T_comp = T_mem exactly, a step up in bandwidth leaves compute binding (right derivative 0) and a step
    down makes memory bind (left derivative −T_mem/BW); peak FLOP/s mirrors it."""
    p = mlsysim.Engine.solve("Llama3_8B", "H100", batch_size=64)
    v = dict(p.result.values)
    bw = v["D_vol"] / v["T_comp"]
    v["BW_mem"] = bw
    for _ in range(64):
        out, _ = run("engine.step", v)
        if out["T_mem"] == out["T_comp"]:
            break
        v["BW_mem"] = math.nextafter(v["BW_mem"], math.inf if out["T_mem"] > out["T_comp"] else 0.0)
    out, _ = run("engine.step", v)
    assert out["T_mem"] == out["T_comp"]
    v.update(out)
    up = tangent.COMPUTATIONS["engine.step"](v, {"BW_mem": 1.0}, 1.0)["T"]
    down = tangent.COMPUTATIONS["engine.step"](v, {"BW_mem": 1.0}, -1.0)["T"]
    assert up == 0.0
    assert math.isclose(down, -v["T_mem"] / v["BW_mem"], rel_tol=1e-12)
    up_r = tangent.COMPUTATIONS["engine.step"](v, {"R_peak": 1.0}, 1.0)["T"]
    down_r = tangent.COMPUTATIONS["engine.step"](v, {"R_peak": 1.0}, -1.0)["T"]
    assert up_r == 0.0 and math.isclose(down_r, -v["T_comp"] / v["R_peak"], rel_tol=1e-12)


# ---- SensitivitySolver --------------------------------------------------------------------------------------------
def test_sensitivity_solver_names_the_binding_lever_with_exact_elasticities():
    r = SensitivitySolver().solve("Llama3_8B", "H100")
    assert r.binding_constraint == "memory_bandwidth" and r.feasible
    v = r.result.values
    assert math.isclose(r.elasticities["memory_bandwidth"], -v["T_mem"] / v["T"], rel_tol=1e-12)
    assert r.elasticities["peak_flops"] == 0.0 and r.elasticities["memory_capacity"] == 0.0
    assert r.sensitivities["memory_bandwidth"] < 0  # 0.3.0's 10 % upgrade response, re-evaluated exactly
    c = SensitivitySolver().solve("ResNet50", "A100")
    assert c.binding_constraint == "peak_flops"
    assert r.sources and any(s.bibkey for s in r.sources)
    assert "elasticity" in r.explain()


def test_out_of_memory_names_the_capacity_wall_not_zeros():
    r = SensitivitySolver().solve("Llama3_70B", "A100")
    assert not r.feasible and r.binding_constraint == "memory_capacity"
    assert "capacity" in r.constraint_trace[0]


@pytest.mark.parametrize("pct", [0, -100, -150, float("nan")])
def test_bad_perturbation_is_refused(pct):
    with pytest.raises(InputError):
        SensitivitySolver().solve("Llama3_8B", "H100", perturbation_pct=pct)


def test_sensitivity_of_any_result_ranks_inputs_and_refuses_unknown_outputs():
    r = mlsysim.DistributedModel().solve(mlsysim.Models.Llama3_70B, mlsysim.Systems.Clusters.DgxH100SuperPodSU,
                                         batch_size=256, precision="bf16", tp_size=8, pp_size=4,
                                         microbatch_count=16)
    out = r.result.report[0]
    s = sensitivity(r, out)
    assert s.partials and s.binding is not None
    assert all(s.partials[i].magnitude >= s.partials[i + 1].magnitude for i in range(len(s.partials) - 1))
    with pytest.raises(InputError):
        sensitivity(r, "no_such_output")


# ---- synthesis ----------------------------------------------------------------------------------------------------
_SYNTH = [("latency", "bandwidth"), ("latency", "peak_flops"), ("latency", "efficiency"), ("latency", "batch"),
          ("throughput", "batch"), ("ttft", "peak_flops"), ("itl", "bandwidth"), ("itl", "batch")]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(CASES), st.sampled_from(_SYNTH), st.floats(0.05, 20.0))
def test_synthesis_round_trip_meets_the_target_in_its_regime(case, pair, scale):
    """Evaluating the forward wall with the synthesised value meets the target to 1e-9 in the stated regime; when
    no value does, the answer says why."""
    from mlsysim_sym.analysis.inverses import INVERSES, TARGETS, UNKNOWNS

    model, hw = case
    target, unknown = pair
    if target in ("ttft", "itl") and model not in LMS:
        return
    kw = {"seq_len": 2048} if target in ("ttft", "itl") else {}
    base = (mlsysim.ServingModel().solve(model, hw, seq_len=2048) if kw else mlsysim.Engine.solve(model, hw))
    out, _, si, _ = TARGETS[target]
    tv = base.result.values[out] * scale
    if not (tv > 0 and math.isfinite(tv)):
        return
    d = synthesize(model, hw, target, mlsysim.Q_(tv, si), unknown, **kw)
    if not d.feasible:
        assert d.reason
        return
    cand = {c[1]: c for c in INVERSES[pair]}[d.regime]
    v = dict(base.result.values)
    v[UNKNOWNS[unknown][0]] = d.value
    fwd, reg = run(cand[2], v)
    assert math.isclose(fwd[out], tv, rel_tol=ROUND_TRIP), (fwd[out], tv)
    assert all(reg[k] == i for k, i in cand[3].items())


def test_synthesis_says_which_wall_binds_when_nothing_meets_the_target():
    d = synthesize("Llama3_8B", "H100", "latency", "1 ms", "peak_flops")
    assert not d.feasible and "another term binds" in d.reason
    ok = synthesize("Llama3_8B", "H100", "latency", "1 ms", "bandwidth")
    assert ok.feasible and ok.regime == "memory-bound"
    assert ok.inverse is not None and "BW_req" in ok.explain()


def test_synthesis_solver_keeps_030_fields_and_adds_designs_on_a_device():
    r = mlsysim.SynthesisSolver().solve(mlsysim.Models.Language.Llama3_70B, mlsysim.Q_(50, "ms"), precision="fp16")
    assert math.isclose(r.required_bw.m_as("GB/s"), 2824.0, rel_tol=1e-12)  # 141.2 GB / 50 ms
    assert math.isclose(r.compute_memory_ratio.m_as("FLOP/B"), 2.0, rel_tol=1e-12)
    r2 = mlsysim.SynthesisSolver().solve("Llama3_8B", "30 ms", hardware="H100", batch_size=1)
    assert set(r2.designs) == {"bandwidth", "peak_flops", "efficiency", "batch", "memory"}
    assert math.isclose(r2.designs["memory"].value, r2.designs["memory"].inverse.values["M_req"])
    assert r2.designs["batch"].batch >= 1
    with pytest.raises(InputError):
        mlsysim.SynthesisSolver().solve("Llama3_8B", "-10 ms")
    with pytest.raises(InputError):
        synthesize("Llama3_8B", "H100", "latency", "1 ms", "capacity")


@pytest.mark.parametrize("scale", [0.6, 0.8, 0.95, 1.3, 3.0])
@pytest.mark.parametrize("pp", [1, 4])
def test_step_time_synthesis_round_trips_on_a_fleet(scale, pp):
    """A training step-time target (DistributedModel's T_step): the efficiency that meets it, checked forward."""
    kw = dict(batch_size=256, precision="bf16", tp_size=8, pp_size=pp, microbatch_count=16)
    r = mlsysim.DistributedModel().solve(mlsysim.Models.Llama3_70B, mlsysim.Systems.Clusters.DgxH100SuperPodSU, **kw)
    tv = r.result.values["T_step"] * scale
    d = synthesize(mlsysim.Models.Llama3_70B, mlsysim.Systems.Clusters.DgxH100SuperPodSU, "step_time",
                   mlsysim.Q_(tv, "s"), "efficiency", **kw)
    if not d.feasible:
        assert "> 1" in d.reason or "another term binds" in d.reason
        return
    assert 0 < d.value <= 1
    v = dict(r.result.values)
    v["eta_hw"] = d.value
    out, _ = run("comm.step", v)
    assert math.isclose(out["T_step"], tv, rel_tol=ROUND_TRIP)
    assert (d.value > r.result.values["eta_hw"]) == (scale < 1)


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_serving_synthesis_takes_servingmodel_options_and_meets_the_target(share):
    """A serving target solves through ServingModel's own options (stack, tensor parallelism, how the decode kernel
    reads grouped key/value heads): the largest batch within an ITL is smaller when each head is read once per query
    head, and the forward wall meets the target with it."""
    from mlsysim_sym.analysis.inverses import INVERSES

    kw = dict(seq_len=2048, stack="trtllm", kv_reread_share=share)
    base = mlsysim.ServingModel().solve("Llama3_8B", "H100", batch_size=1, **kw)
    tv = base.result.values["ITL"] * 1.5
    d = synthesize("Llama3_8B", "H100", "itl", mlsysim.Q_(tv, "s"), "batch", **kw)
    assert d.feasible
    cand = {c[1]: c for c in INVERSES[("itl", "batch")]}[d.regime]
    fwd, _ = run(cand[2], dict(base.result.values, B=d.value))
    assert math.isclose(fwd["ITL"], tv, rel_tol=ROUND_TRIP)
    grouped = synthesize("Llama3_8B", "H100", "itl", mlsysim.Q_(tv, "s"), "batch", seq_len=2048, stack="trtllm")
    assert d.value <= grouped.value * (1 + 1e-12) and (share == 0.0) == math.isclose(d.value, grouped.value)
    with pytest.raises(InputError):
        synthesize("Llama3_8B", "H100", "latency", "10 ms", "bandwidth", stack="trtllm")


def test_tail_latency_sensitivities_are_finite_and_match_a_finite_difference():
    """Wall 21 on wall 7: p99's elasticities in the arrival rate and the service time are numbers (they were all
    n/a while the server count's missing derivative leaked through nan·0), equal to a central difference of the
    solved model; the server count, a count with no continuous extension, stays n/a."""
    from mlsysim_sym.analysis.sensitivity import sensitivity

    def p99(qps: float, ms: float) -> float:
        return mlsysim.TailLatencyModel().solve(arrival_rate_qps=qps, service_latency_ms=ms,
                                               num_replicas=12).result.values["p99"]

    t = mlsysim.TailLatencyModel().solve(arrival_rate_qps=900, service_latency_ms=10, num_replicas=12)
    s = sensitivity(t, "p99")
    by = {p.symbol: p for p in s.partials}
    h = 1e-5
    fd = {"lam": (p99(900 * (1 + h), 10) - p99(900 * (1 - h), 10)) / (2 * h * p99(900, 10)),
          "t_svc": (p99(900, 10 * (1 + h)) - p99(900, 10 * (1 - h))) / (2 * h * p99(900, 10))}
    for sym, want in fd.items():
        assert by[sym].elasticity is not None and math.isfinite(by[sym].elasticity), sym
        assert math.isclose(by[sym].elasticity, want, rel_tol=1e-4), (sym, by[sym].elasticity, want)
    assert by["c_srv"].elasticity is None or math.isnan(by["c_srv"].elasticity)


def test_an_input_without_a_derivative_on_one_side_reads_na_and_the_others_are_ranked():
    """At tensor-parallel degree 1 a step up switches tensor parallelism on (no derivative: the tensor-parallel link
    is absent), a step down does not; the speculative-decoding terms fail (log 0) off the output's path. Before,
    either failure aborted the whole sensitivity ("a derivative divides by zero"); now N_tp's step-up partial is
    n/a, its step-down one a number, an input the output does not read is 0, and every other input is ranked."""
    from mlsysim_sym.analysis.sensitivity import sensitivity

    r = mlsysim.InferenceScalingModel().solve(model="Llama3_70B", hardware="B200", reasoning_steps=8)
    s = sensitivity(r, "T_reason")
    by = {p.symbol: p for p in s.partials}
    assert math.isnan(by["N_tp"].right) and math.isfinite(by["N_tp"].left) and by["N_tp"].kink
    assert "gamma_spec" not in by      # not read by T_reason without speculative decoding: 0, dropped
    assert all(math.isfinite(p.right) for sym, p in by.items() if sym != "N_tp")
    assert by["BW_mem"].elasticity < 0 < by["P"].elasticity
