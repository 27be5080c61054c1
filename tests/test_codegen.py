"""The numeric module is generated from the walls, and the generated code equals the SymPy reference."""
from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlsysim_sym import codegen
from mlsysim_sym._generated import numeric
from mlsysim_sym.errors import InputError
from mlsysim_sym.notation import SYMBOLS
from mlsysim_sym.walls import COEFFICIENTS, COMPUTATIONS, EQUATIONS, load_all
from mlsysim_sym.walls._core import S, computation_inputs

load_all()

positive = st.floats(min_value=-6, max_value=6).map(lambda e: 10.0 ** e)
count = st.integers(min_value=1, max_value=10**6).map(float)
flag = st.sampled_from([0.0, 1.0])


def test_generated_module_is_current():
    assert codegen.is_current(), "run `mlsysim-sym codegen`"


def _exact(v):
    """A drawn value for the reference path: integers exactly (so ceil(log2(128)) is 7, not 8 from a 50-digit
    logarithm's last digit), other floats at 50 digits."""
    if isinstance(v, float):
        return sp.Integer(int(v)) if v.is_integer() and abs(v) < 2**53 else sp.Float(v, 50)
    return v


def _reference(name: str, values: dict[str, float]) -> dict[str, float]:
    """Evaluate a computation with SymPy substitution (the slow reference path)."""
    env = dict(values)
    coeffs = {S(n): c.value for n, c in COEFFICIENTS.items()}
    for eid in COMPUTATIONS[name].order:
        eq = EQUATIONS[eid]
        subs = {S(k): _exact(v) for k, v in env.items()}
        val = eq.rhs.xreplace(coeffs).xreplace(subs)
        env[eq.lhs] = bool(val) if isinstance(val, sp.logic.boolalg.BooleanAtom) else float(sp.N(val, 30))
    return env


def _out_of_domain(name: str, v) -> bool:
    if isinstance(v, bool):
        return False
    row = SYMBOLS[name]
    return math.isnan(v) or (v == math.inf and not row.unbounded) or v == -math.inf or (v < 0 and not row.signed)


def _inputs(name, data):
    ins = computation_inputs(COMPUTATIONS[name])
    vals = {}
    for n in ins:
        if n.startswith("m_") or n in ("s_ckpt", "z_stage"):
            vals[n] = data.draw(st.sampled_from([0.0, 1.0, 2.0, 3.0]) if n in ("s_ckpt", "z_stage") else flag, label=n)
        elif n in ("alpha_acc", "eta_hw", "f_idle", "f_act", "f_trainable", "f_buf",  # shares and fit exponents:
                   "a_fit", "b_fit", "s_sp", "s_thr", "eta_sus", "k_cut", "beta_df"):  # in (0, 1) by nature
            vals[n] = data.draw(st.floats(min_value=0.05, max_value=0.95), label=n)
        elif n in SYMBOLS and SYMBOLS[n].integer:  # a count (tokens, layers, chunk size): integers by nature,
            vals[n] = data.draw(count, label=n)   # so ceil/floor of their ratios are exact on both paths
        else:
            vals[n] = data.draw(positive, label=n)
    return vals


#: the computations in shards, each drawn as one example: the inputs of every computation at once outgrow what
#: Hypothesis draws for one example
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
@settings(max_examples=40, suppress_health_check=[HealthCheck.large_base_example])  # inputs of a shard's computations
@given(data=st.data())
def test_generated_equals_sympy_reference(shard, data):
    for name in sorted(COMPUTATIONS)[shard::SHARDS]:
        vals = _inputs(name, data)
        try:
            fast, _ = numeric.COMPUTATIONS[name][0](dict(vals))
        except (InputError, OverflowError):  # refused (the evaluator turns an overflow into InputError too): the
            try:                             # reference must overflow or show an out-of-domain output as well
                ref = _reference(name, vals)
            except (OverflowError, InputError):   # refused by the reference too (Erlang C over too many servers)
                continue
            assert any(_out_of_domain(k, ref[k]) for k in numeric.COMPUTATIONS[name][2]), (name, vals)
            continue
        ref = _reference(name, vals)
        for k, v in fast.items():
            r = ref[k]
            if isinstance(v, bool) or isinstance(r, bool):
                assert bool(v) == bool(r), (name, k)
            else:
                assert math.isclose(v, r, rel_tol=1e-9, abs_tol=1e-12), (name, k, v, r)


@settings(max_examples=15)
@given(st.sampled_from(["ResNet50", "Llama3_8B", "Mixtral_8x7B", "Mamba_2_8B", "StableDiffusion_v1_5"]),
       st.sampled_from(["A100", "H100", "JetsonOrinNano", "B200"]), st.booleans())
def test_vectorised_sweep_equals_scalar_solve(model, hw, training):
    """Fast path = reference path: the NumPy code (generated from the same trees) matches Engine.solve."""
    from mlsysim_sym import Engine

    bs, effs = [1, 8, 64, 512], [0.2, 0.5, 1.0]
    grid = Engine.sweep_grid(model, hw, batch_sizes=bs, efficiencies=effs, is_training=training, seq_len=1024)
    for i, b in enumerate(bs):
        for j, e in enumerate(effs):
            p = Engine.solve(model, hw, batch_size=b, efficiency=e, is_training=training, seq_len=1024)
            assert math.isclose(float(grid.latency_s[i, j]), p.latency.m_as("s"), rel_tol=1e-12)
            assert math.isclose(float(grid.mfu[i, j]), p.mfu, rel_tol=1e-12)
            assert grid.bottleneck[i, j] == p.bottleneck
