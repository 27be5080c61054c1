"""Invariants of walls 1, 2 and 4, checked with hypothesis on the generated code (same code the API runs)."""
from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from mlsysim_sym._generated import numeric
from mlsysim_sym.walls import WALLS, load_all

load_all()

mag = st.floats(min_value=-3, max_value=3).map(lambda e: 10.0 ** e)


def roofline_inputs(draw_train=st.sampled_from([0.0, 1.0])):
    return st.fixed_dictionaries({
        "B": st.integers(1, 512).map(float), "O_fwd": mag.map(lambda x: x * 1e9), "P": mag.map(lambda x: x * 1e8),
        "R_peak": mag.map(lambda x: x * 1e14), "eta_hw": st.floats(0.05, 1.0), "b_w": st.sampled_from([0.5, 1.0, 2.0, 4.0]),
        "f_act": st.floats(0.0, 0.5), "BW_mem": mag.map(lambda x: x * 1e12), "BW_host": mag.map(lambda x: x * 3e10),
        "BW_sram": st.just(0.0), "C_sram": st.just(0.0), "BW_flash": st.just(0.0),
        "C_mem": mag.map(lambda x: x * 8e10), "M_req": mag.map(lambda x: x * 1e9), "N_L": st.integers(1, 128).map(float),
        "tau_disp": st.floats(0.0, 1e-3), "tau_layer": st.floats(0.0, 1e-4), "k_tax_train": st.just(3.0),
        "m_train": draw_train, "m_recomp": st.sampled_from([0.0, 1.0]), "P_tdp": mag.map(lambda x: x * 300.0),
        "f_idle": st.floats(0.0, 0.9), "M_size": st.just(0.0), "S": st.integers(1, 8192).map(float),
        "m_tok": st.sampled_from([0.0, 1.0]),
    })


def roof(v):
    return numeric.COMPUTATIONS["engine.roofline"][0](dict(v))


@given(roofline_inputs())
def test_mfu_and_hfu_are_in_unit_interval(v):
    out, _ = roof(v)
    assert 0 <= out["MFU"] <= 1 and 0 <= out["HFU"] <= 1
    assert out["HFU"] >= out["MFU"] - 1e-15


@given(roofline_inputs())
def test_latency_is_at_least_each_wall(v):
    out, reg = roof(v)
    assert out["T"] >= out["T_comp"] and out["T"] >= out["T_mem"]
    assert reg["T"] == (0 if out["T_comp"] >= out["T_mem"] else 1)


@given(roofline_inputs(), st.integers(-8, 8))
def test_power_of_two_homogeneity(v, k):
    """Scaling every rate by 2**k divides both wall times by exactly 2**k."""
    out, _ = roof(v)
    w = dict(v)
    for r in ("R_peak", "BW_mem", "BW_host"):
        w[r] = v[r] * 2.0 ** k
    out2, _ = roof(w)
    assert out2["T_comp"] == out["T_comp"] / 2.0 ** k
    assert out2["T_mem"] == out["T_mem"] / 2.0 ** k


@given(roofline_inputs())
def test_infinite_bandwidth_is_compute_bound(v):
    w = dict(v, BW_mem=1e300, BW_host=1e300, C_mem=1e300)
    out, reg = roof(w)
    assert reg["T"] == 0  # Compute
    assert math.isclose(out["T"], out["T_comp"] + out["L_lat"], rel_tol=1e-12)


@given(roofline_inputs(), st.floats(1e-6, 1.0))
def test_declared_monotonicity_walls_1_2(v, delta):
    for wall_no in (1, 2):
        for out_name, inp, sign in WALLS[wall_no].monotonic:
            comp = "engine.footprint" if out_name == "M_req" else "engine.roofline"
            base = dict(v)
            if comp == "engine.footprint":
                base.update(b_opt=12.0, f_lora=1.1, m_lora=0.0)
            if inp not in numeric.COMPUTATIONS[comp][1]:
                continue
            f = numeric.COMPUTATIONS[comp][0]
            y0 = f(dict(base))[0][out_name]
            y1 = f(dict(base, **{inp: base[inp] * (1 + delta)}))[0][out_name]
            assert (y1 - y0) * sign >= -1e-12 * abs(y0), (out_name, inp)


serve_inputs = st.fixed_dictionaries({
    "B": st.integers(1, 64).map(float), "S": st.integers(16, 32768).map(float), "P": mag.map(lambda x: x * 1e9),
    "P_act": mag.map(lambda x: x * 1e9), "N_L": st.integers(1, 128).map(float), "H": st.integers(1, 128).map(float),
    "H_kv": st.integers(1, 16).map(float), "d_head": st.sampled_from([64.0, 128.0]), "b_w": st.sampled_from([1.0, 2.0]),
    "R_peak": mag.map(lambda x: x * 1e14), "eta_hw": st.floats(0.05, 1.0), "tau_disp": st.floats(0.0, 1e-4),
    "tau_layer": st.floats(0.0, 1e-4), "BW_mem": mag.map(lambda x: x * 1e12), "C_mem": mag.map(lambda x: x * 8e10),
    "c_pre": st.just(0.0), "q_chunk": st.just(0.0), "m_disagg": st.just(0.0), "BW_xfer": st.just(1e11),
    "m_mla": st.just(0.0), "r_kv": st.just(0.0), "d_rope": st.just(0.0), "m_spec": st.just(0.0), "P_d": st.just(0.0),
    "k_tok_d": st.just(0.0), "alpha_acc": st.floats(0.0, 0.99), "gamma_spec": st.just(4.0), "M_size": st.just(0.0),
})


def serve(v):
    return numeric.COMPUTATIONS["serve.step"][0](dict(v))[0]


@given(serve_inputs, st.floats(1e-6, 1.0))
def test_declared_monotonicity_wall_4(v, delta):
    for out_name, inp, sign in WALLS[4].monotonic:
        if inp == "R_peak" or inp in v:
            y0 = serve(v)[out_name]
            y1 = serve(dict(v, **{inp: v[inp] * (1 + delta)}))[out_name]
            assert (y1 - y0) * sign >= -1e-12 * abs(y0), (out_name, inp)


@given(serve_inputs)
def test_gqa_with_all_heads_is_mha(v):
    """KV cache with H_kv = H equals the multi-head-attention cache 2·L·H·d·S·B·bytes."""
    w = dict(v, H_kv=v["H"])
    kv = serve(w)["KV"]
    assert kv == 2 * v["N_L"] * v["H"] * v["d_head"] * v["b_w"] * v["S"] * v["B"]


@given(serve_inputs, st.integers(1, 3))
def test_ttft_is_linear_in_new_prompt_tokens(v, parts):
    """With the context fixed, prefill time is affine in the tokens actually prefilled (cache hits skip)."""
    S = v["S"]
    cs = [0.0, float(int(S // 4)), float(int(S // 2))]
    ts = [serve(dict(v, c_pre=c))["TTFT"] for c in cs]
    ns = [S - c for c in cs]
    slope1 = (ts[0] - ts[1]) / (ns[0] - ns[1])
    slope2 = (ts[1] - ts[2]) / (ns[1] - ns[2])
    assert math.isclose(slope1, slope2, rel_tol=1e-9)


@given(serve_inputs, st.floats(0.0, 0.99))
def test_speculative_decoding_with_free_draft_never_slows_decode(v, alpha):
    w = dict(v, m_spec=1.0, P_d=0.0, k_tok_d=0.0, alpha_acc=alpha)
    assert serve(w)["ITL"] <= serve(v)["ITL"] * (1 + 1e-12)


train_inputs = st.fixed_dictionaries({
    "P": mag.map(lambda x: x * 1e9), "b_w": st.sampled_from([2.0, 4.0]), "b_opt": st.sampled_from([0.0, 4.0, 12.0]),
    "N_tp": st.sampled_from([1.0, 2.0, 8.0]), "N_pp": st.sampled_from([1.0, 4.0]), "N_ep": st.just(1.0),
    "N_dp": st.sampled_from([1.0, 8.0, 64.0]), "D_b": st.just(1.0), "GA": st.just(1.0), "z_stage": st.just(0.0),
    "m_sp": st.sampled_from([0.0, 1.0]), "s_ckpt": st.sampled_from([0.0, 1.0, 2.0]), "h": st.sampled_from([1024.0, 4096.0]),
    "H": st.sampled_from([16.0, 32.0]), "S": st.sampled_from([512.0, 2048.0]), "N_L": st.integers(1, 96).map(float),
    "f_trainable": st.just(1.0), "m_lora": st.just(0.0), "r_lora": st.just(16.0), "f_buf": st.just(0.05),
    "B": st.integers(1, 64).map(float),
})


def train(v):
    return numeric.COMPUTATIONS["train.memory"][0](dict(v))[0]


@given(train_inputs)
def test_training_memory_non_increasing_in_zero_stage(v):
    totals = [train(dict(v, z_stage=float(z)))["M_req"] for z in range(4)]
    assert all(a >= b - 1e-6 for a, b in zip(totals, totals[1:]))


@given(train_inputs, st.integers(1, 3))
def test_training_memory_non_increasing_in_dp(v, z):
    a = train(dict(v, z_stage=float(z), N_dp=1.0))["M_req"]
    b = train(dict(v, z_stage=float(z), N_dp=8.0))["M_req"]
    assert b <= a


@given(train_inputs)
def test_recomputation_never_increases_activations(v):
    acts = [train(dict(v, s_ckpt=s))["M_a"] for s in (0.0, 1.0, 2.0)]
    assert acts[0] >= acts[1] >= acts[2]


@settings(max_examples=20)
@given(st.integers(1, 64), st.sampled_from([512, 2048, 8192]))
def test_moe_with_all_parameters_active_equals_dense(batch, seq):
    """A mixture whose experts are all active (one expert, top-1) serves exactly like a dense model."""
    from mlsysim_sym.catalog import catalog, with_overrides
    from mlsysim_sym.objects import Workload
    from mlsysim_sym.resolvers.serving import ServingModel

    cat = catalog()
    p = cat.get("model.Mixtral_8x7B.params").si
    as_one_expert = with_overrides(cat, {"model.Mixtral_8x7B.params.active": {"si": p, "unit": "param"}},
                                   bibkey="mlsysim2026registry", locator="property test")
    as_dense = with_overrides(cat, {"model.Mixtral_8x7B.params.active": None, "model.Mixtral_8x7B.experts": None,
                                    "model.Mixtral_8x7B.experts.active": None},
                              bibkey="mlsysim2026registry", locator="property test")
    a = ServingModel().solve(Workload(as_one_expert.entity("model", "Mixtral_8x7B"), as_one_expert), "H100",
                             seq_len=seq, batch_size=batch)
    b = ServingModel().solve(Workload(as_dense.entity("model", "Mixtral_8x7B"), as_dense), "H100",
                             seq_len=seq, batch_size=batch)
    for k in ("TTFT", "ITL", "KV", "M_serve"):
        assert a.result.values[k] == b.result.values[k]
