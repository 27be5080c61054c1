"""Invariants of the walls, checked with hypothesis on the generated code (the same code the API runs).

The generic part needs no per-wall code: every wall's declared monotonicity is driven by strategies built from the
symbol table — a symbol's unit sets the magnitudes drawn, its integer flag draws integers, and the constants the
equations compare it with (``m_train > 0``, ``z_stage >= 2``, ``w_type == 3``) set the codes drawn for flags and
modes. A draw the output check refuses (a value outside every meaningful range) is discarded, not counted.
"""
from __future__ import annotations

import math
from functools import lru_cache

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlsysim_sym import evaluate
from mlsysim_sym._generated import numeric
from mlsysim_sym.errors import InputError
from mlsysim_sym.notation import SYMBOLS
from mlsysim_sym.walls import COMPUTATIONS, EQUATIONS, WALLS, load_all
from mlsysim_sym.walls._core import computation_inputs

load_all()

#: magnitudes by SI unit: (lowest, highest) drawn log-uniformly
RANGES = {"s": (1e-7, 10.0), "B": (1e3, 1e12), "B/s": (1e8, 1e13), "FLOP": (1e6, 1e16), "FLOP/s": (1e11, 1e17),
          "param": (1e6, 1e12), "W": (1.0, 1e3), "1/s": (1e-2, 1e4), "J": (1e-3, 1e3), "FLOP/B": (1e-1, 1e4)}


@lru_cache(maxsize=None)
def codes(name: str) -> tuple[float, ...]:
    """The modes of a flag or a mode symbol: the constants the equations compare it with, and their neighbours.
    A symbol is a mode when it is a flag (``m_…``), is tested for equality (``w_type == 3``) or against several
    constants (``z_stage >= 1, 2, 3``); a count compared with one constant (``N_pp > 1``) is not."""
    out: set[float] = set()
    equality = False
    for eq in EQUATIONS.values():
        for rel in eq.rhs.atoms(sp.Rel):
            lhs, rhs = rel.args
            for a, b in ((lhs, rhs), (rhs, lhs)):
                if isinstance(a, sp.Symbol) and a.name == name and b.is_number:
                    out.add(float(b))
                    equality |= isinstance(rel, sp.Eq)
    if not (name.startswith("m_") or equality or len(out) > 1):
        return ()
    return tuple(sorted(out | {c + 1 for c in out} | {c - 1 for c in out if c >= 1}))


def strategy(name: str) -> st.SearchStrategy[float]:
    row = SYMBOLS[name]
    found = codes(name)
    if found and row.integer:
        return st.sampled_from(found)
    if row.integer:
        return st.integers(1, 4096).map(float)
    if row.unit in RANGES:
        lo, hi = RANGES[row.unit]
        return st.floats(math.log10(lo), math.log10(hi)).map(lambda e: 10.0 ** e)
    return st.floats(0.01, 1.0)   # dimensionless shares, efficiencies, factors


def inputs(comp: str) -> st.SearchStrategy[dict[str, float]]:
    return st.fixed_dictionaries({n: strategy(n) for n in computation_inputs(COMPUTATIONS[comp])})


def monotonic_cases() -> list[tuple[int, str, str, int, str]]:
    """(wall, output, input, sign, computation) for every declared monotonicity, in a computation where the input
    is bound and the output computed."""
    out = []
    for n, w in sorted(WALLS.items()):
        for o, i, sign in w.monotonic:
            comp = next((c for c in sorted(COMPUTATIONS) if i in numeric.COMPUTATIONS[c][1]
                         and o in numeric.COMPUTATIONS[c][2]), None)
            assert comp is not None, f"wall {n}: no computation has input {i} and output {o}"
            out.append((n, o, i, sign, comp))
    return out


def run(comp: str, v: dict[str, float]) -> dict[str, float]:
    return evaluate.run(comp, dict(v))[0]


@pytest.mark.parametrize("wall,out,inp,sign,comp", monotonic_cases(),
                         ids=[f"wall{w}-{o}-{i}" for w, o, i, _, _ in monotonic_cases()])
@settings(max_examples=60, deadline=None)
@given(data=st.data(), delta=st.floats(1e-6, 1.0))
def test_declared_monotonicity_of_every_wall(wall, out, inp, sign, comp, data, delta):
    v = data.draw(inputs(comp))
    bumped = dict(v, **{inp: v[inp] * (1 + delta) if not SYMBOLS[inp].integer else v[inp] + 1})
    try:
        y0, y1 = run(comp, v)[out], run(comp, bumped)[out]
    except InputError:
        assume(False)
        return
    assume(math.isfinite(y0) and math.isfinite(y1))
    assert (y1 - y0) * sign >= -1e-9 * abs(y0), (out, inp, y0, y1)


def test_every_wall_declares_monotonicity():
    for n, w in WALLS.items():
        assert w.monotonic, f"wall {n} declares no monotonicity"


# ---- the roofline step (walls 1 and 2) ---------------------------------------------------------------------------
def step(v):
    return evaluate.run("engine.step", dict(v))


@settings(max_examples=100, deadline=None)
@given(inputs("engine.step"))
def test_mfu_and_hfu_are_in_unit_interval_and_latency_covers_each_wall(v):
    try:
        out, reg = step(v)
    except InputError:
        assume(False)
        return
    assert 0 <= out["MFU"] <= 1 and 0 <= out["HFU"] <= 1 and out["HFU"] >= out["MFU"] - 1e-15
    assert out["T"] >= out["T_comp"] and out["T"] >= out["T_mem"]
    assert reg["T"] == (0 if out["T_comp"] >= out["T_mem"] else 1)


@settings(max_examples=100, deadline=None)
@given(inputs("engine.step"), st.integers(-8, 8))
def test_power_of_two_homogeneity(v, k):
    """Scaling every rate by 2**k divides both wall times by exactly 2**k."""
    try:
        out, _ = step(v)
        w = dict(v, R_peak=v["R_peak"] * 2.0 ** k, BW_mem=v["BW_mem"] * 2.0 ** k, BW_host=v["BW_host"] * 2.0 ** k,
                 BW_sram=v["BW_sram"] * 2.0 ** k, BW_flash=v["BW_flash"] * 2.0 ** k)
        out2, _ = step(w)
    except InputError:
        assume(False)
        return
    assert out2["T_comp"] == out["T_comp"] / 2.0 ** k
    assert out2["T_mem"] == out["T_mem"] / 2.0 ** k


@settings(max_examples=100, deadline=None)
@given(inputs("engine.step"))
def test_infinite_bandwidth_is_compute_bound(v):
    w = dict(v, BW_mem=1e300, BW_host=1e300, BW_sram=0.0, BW_flash=0.0, C_mem=1e300)
    try:
        out, reg = step(w)
    except InputError:
        assume(False)
        return
    assert reg["T"] == 0  # Compute
    assert math.isclose(out["T"], out["T_comp"] + out["L_lat"], rel_tol=1e-12)


# ---- serving (wall 4) ---------------------------------------------------------------------------------------------
serve_inputs = st.fixed_dictionaries({
    "S": st.integers(128, 32768).map(float), "B": st.integers(1, 64).map(float), "P": st.floats(1e9, 1e11),
    "P_act_cat": st.just(0.0), "N_L": st.integers(8, 96).map(float), "H": st.sampled_from([32.0, 64.0]),
    "h": st.sampled_from([4096.0, 8192.0]), "d_cat": st.just(128.0), "H_kv_cat": st.sampled_from([0.0, 8.0]),
    "r_kv": st.just(0.0), "d_rope": st.just(0.0), "m_mla": st.just(0.0), "b_w": st.sampled_from([1.0, 2.0]),
    "M_size": st.just(0.0), "c_pre": st.just(0.0), "R_peak": st.floats(1e14, 2e15), "eta_hw": st.floats(0.1, 1.0),
    "q_chunk": st.just(0.0), "tau_disp": st.floats(0.0, 1e-4), "m_disagg": st.just(0.0), "BW_xfer": st.just(1e11),
    "BW_mem": st.floats(1e12, 8e12), "tau_layer": st.floats(0.0, 1e-5), "m_spec": st.just(0.0),
    "alpha_acc": st.just(0.7), "gamma_spec": st.just(4.0), "P_d": st.just(0.0), "k_tok_d": st.just(0.0),
    "C_mem": st.floats(4e10, 2e11), "eta_bw": st.floats(0.5, 1.0), "m_dc": st.sampled_from([0.0, 1.0]),
    "N_tp": st.just(1.0), "BW_tp": st.just(0.0), "alpha_tp": st.just(0.0), "b_act": st.just(0.0),
    "n_gen": st.just(0.0),
    "kappa_kv": st.sampled_from([0.0, 0.5, 1.0]), "tau_req": st.sampled_from([0.0, 4.8e-3]),
})


def serve(v):
    return numeric.COMPUTATIONS["serve.step"][0](dict(v))[0]


@given(serve_inputs)
def test_gqa_with_all_heads_is_mha(v):
    """KV cache with H_kv = H equals the multi-head-attention cache 2·L·H·d·S·B·bytes."""
    kv = serve(dict(v, H_kv_cat=v["H"]))["KV"]
    assert kv == serve(dict(v, H_kv_cat=0.0))["KV"] == 2 * v["N_L"] * v["H"] * v["d_cat"] * v["b_w"] * v["S"] * v["B"]


@given(serve_inputs)
def test_head_dim_falls_back_to_hidden_over_heads(v):
    assert serve(dict(v, d_cat=0.0))["d_head"] == v["h"] // v["H"]


@given(serve_inputs, st.integers(1, 3))
def test_ttft_is_linear_in_new_prompt_tokens(v, parts):
    """With the context fixed, prefill time is affine in the tokens actually prefilled (cache hits skip), within
    one roofline: on compute (0.3.0's prefill, m_dc = 0)."""
    S = v["S"]
    cs = [0.0, float(int(S // 4)), float(int(S // 2))]
    ts = [serve(dict(v, c_pre=c, m_dc=0.0))["TTFT"] for c in cs]
    ns = [S - c for c in cs]
    slope1 = (ts[0] - ts[1]) / (ns[0] - ns[1])
    slope2 = (ts[1] - ts[2]) / (ns[1] - ns[2])
    assert math.isclose(slope1, slope2, rel_tol=1e-9)


@given(serve_inputs)
def test_each_phase_is_the_longer_of_its_two_rooflines(v):
    """Prefill and decode take at least their compute and at least their memory traffic (m_dc = 1), and never
    less than 0.3.0's one-sided rooflines (m_dc = 0)."""
    ours, ref = serve(dict(v, m_dc=1.0)), serve(dict(v, m_dc=0.0))
    assert ours["T_pre"] >= ref["T_pre"] and ours["ITL0"] >= ref["ITL0"]
    assert ours["T_pre"] >= ours["F_pre"] / ours["R_eff"] * (1 - 1e-12)
    assert ours["T_dstep"] >= ours["F_dec"] / ours["R_eff"] * (1 - 1e-12)
    assert ours["T_dstep"] >= (ours["W"] + ours["KV"] * ours["n_kvread"]) / (v["BW_mem"] * v["eta_bw"]) * (1 - 1e-12)


@given(serve_inputs)
def test_each_phase_is_its_kernels_rooflines_in_sequence(v):
    """Linear layers and attention are separate kernels, each on its own rooflines, run one after the other: a phase
    is their sum, never less than one roofline over the whole phase, and with 0.3.0's one-sided rule (m_dc = 0) it is
    exactly 0.3.0's F_pre/R and (W + KV)/BW."""
    ours = serve(dict(v, m_dc=1.0))
    bw = v["BW_mem"] * v["eta_bw"]
    assert ours["T_dstep"] == ours["T_dlin"] + ours["T_dattn"] and ours["T_pre"] == ours["T_plin"] + ours["T_pattn"]
    one_roofline = max((ours["W"] + ours["KV"] * ours["n_kvread"]) / bw, ours["F_dec"] / ours["R_eff"])
    assert ours["T_dstep"] >= one_roofline * (1 - 1e-12)
    assert ours["T_dstep"] <= ((ours["W"] + ours["KV"] * ours["n_kvread"]) / bw + ours["F_dec"] / ours["R_eff"]) \
        * (1 + 1e-12)
    old = serve(dict(v, m_dc=0.0))
    assert math.isclose(old["T_dstep"], (old["W"] + old["KV"] * old["n_kvread"]) / bw, rel_tol=1e-12)
    assert math.isclose(old["T_pre"], old["F_pre"] / old["R_eff"], rel_tol=1e-12)


@given(serve_inputs, st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_kv_rereads_only_slow_decode_and_vanish_without_grouping(v, k1, k2):
    """The share κ of a group's query heads that read their key/value head again: reads run from 1 (κ = 0) to
    H/H_kv (κ = 1), linearly; a decode step never gets faster as κ grows; prefill, the cache's size and memory do not
    depend on κ; with one key/value head per query head (MHA) κ changes nothing."""
    lo, hi = sorted((k1, k2))
    a, b = serve(dict(v, kappa_kv=lo)), serve(dict(v, kappa_kv=hi))
    g = v["H"] / a["H_kv"]
    assert math.isclose(a["n_kvread"], 1 + lo * (g - 1), rel_tol=1e-12) and 1 <= a["n_kvread"] <= g
    assert b["ITL"] >= a["ITL"] * (1 - 1e-12) and b["T_dstep"] >= a["T_dstep"] * (1 - 1e-12)
    assert (a["TTFT"], a["KV"], a["M_serve"]) == (b["TTFT"], b["KV"], b["M_serve"])
    mha = dict(v, H_kv_cat=0.0)
    assert serve(dict(mha, kappa_kv=lo))["ITL"] == serve(dict(mha, kappa_kv=hi))["ITL"]


@given(serve_inputs, st.integers(2, 4096))
def test_request_mix_decodes_at_the_mean_context(v, n):
    """With n output tokens, the request time is TTFT at the prompt plus n − 1 decode steps at S + n/2; within the
    memory roofline that equals the average of the steps at each context (the step is affine in the context)."""
    w = dict(v, n_gen=float(n), m_dc=0.0, m_spec=0.0, N_tp=1.0)
    out = serve(w)
    assert math.isclose(out["S_gen"], v["S"] + n / 2, rel_tol=1e-15)
    steps = [serve(dict(w, S=v["S"] + k, n_gen=0.0))["ITL"] for k in (1, n - 1)]
    assert math.isclose(out["ITL_gen"], (steps[0] + steps[1]) / 2, rel_tol=1e-9)
    assert math.isclose(out["T_req"], out["TTFT"] + (n - 1) * out["ITL_gen"], rel_tol=1e-12)
    assert math.isclose(out["X_req"], v["B"] * n / out["T_req"], rel_tol=1e-12)
    assert out["M_serve"] >= serve(dict(w, n_gen=0.0))["M_serve"]


@given(serve_inputs, st.floats(0.0, 0.99))
def test_speculative_decoding_with_free_draft_never_slows_decode(v, alpha):
    w = dict(v, m_spec=1.0, P_d=0.0, k_tok_d=0.0, alpha_acc=alpha)
    assert serve(w)["ITL"] <= serve(v)["ITL"] * (1 + 1e-12)


# ---- training state (wall 2) ---------------------------------------------------------------------------------------
train_inputs = st.fixed_dictionaries({
    "P": st.floats(1e8, 1e12), "b_w": st.sampled_from([2.0, 4.0]), "b_opt": st.sampled_from([0.0, 4.0, 12.0]),
    "N_tp": st.sampled_from([1.0, 2.0, 8.0]), "N_pp": st.sampled_from([1.0, 4.0]), "N_ep": st.just(1.0),
    "N_dp": st.sampled_from([1.0, 8.0, 64.0]), "D_b": st.just(1.0), "GA": st.just(1.0), "z_stage": st.just(0.0),
    "m_sp": st.sampled_from([0.0, 1.0]), "s_ckpt": st.sampled_from([0.0, 1.0, 2.0]), "h": st.sampled_from([1024.0, 4096.0]),
    "H": st.sampled_from([16.0, 32.0]), "S": st.sampled_from([512.0, 2048.0]), "N_L": st.integers(1, 96).map(float),
    "f_trainable": st.just(1.0), "m_lora": st.just(0.0), "r_lora": st.just(16.0), "f_buf": st.just(0.05),
    "B": st.integers(1, 64).map(float), "C_mem": st.just(8e10),
})


def train(v):
    return numeric.COMPUTATIONS["train.memory"][0](dict(v))[0]


@given(train_inputs)
def test_training_memory_non_increasing_in_zero_stage(v):
    totals = [train(dict(v, z_stage=float(z)))["M_train"] for z in range(4)]
    assert all(a >= b - 1e-6 for a, b in zip(totals, totals[1:]))


@given(train_inputs, st.integers(1, 3))
def test_training_memory_non_increasing_in_dp(v, z):
    a = train(dict(v, z_stage=float(z), N_dp=1.0))["M_train"]
    b = train(dict(v, z_stage=float(z), N_dp=8.0))["M_train"]
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
