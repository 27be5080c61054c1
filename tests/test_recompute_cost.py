"""The recomputed forward's cost in DistributedModel (knobs.distributed.recompute_forward_cost): under full
recomputation the step's time charges the re-run forward at ``k_rf`` forwards — the convention is one whole forward,
what 0.3.0 and every HFU count charge — while the hardware FLOPs keep one whole forward. The convention carries the
measured runs' spread as its range (torchtitan's paired 13B runs 0.78, Korthikanti et al.'s Table 4 1.17), so a
checkpointed step's interval says how far that spread moves it."""
from __future__ import annotations

import pytest

import mlsysim_sym as mlsysim
from mlsysim_sym.catalog import catalog
from mlsysim_sym.errors import InputError

A100 = mlsysim.Fleet(name="8 A100", node="DGX_A100", count=1, fabric="InfiniBand_HDR")
MODEL = mlsysim.TransformerWorkload("7B-shaped decoder", parameters=6.7e9, layers=32, hidden_dim=4096, heads=32)
KW = dict(batch_size=64, precision="bf16", zero_stage=3, gradient_accumulation_steps=2, overlap_comm=True,
          seq_len=2048, stack="fsdp")
KEY = "knobs.distributed.recompute_forward_cost"


def _solve(**extra):
    return mlsysim.DistributedModel().solve(MODEL, A100, **{**KW, **extra})


def _parts(v: dict) -> tuple[float, float, float]:
    """One forward's time of the weights, the attention and the work between the GEMMs, per replica accelerator."""
    per = v["n_tok"] * v["B_tot"] / v["N_acc"]
    weights = v["O_fwd"] * per / (v["R_peak"] * v["eta_hw"])
    attention = v["O_att"] * per / (v["R_peak"] * v["eta_att_x"])
    between = v["c_ew"] * v["N_L"] * v["h"] * v["b_w"] * per / v["BW_mem"]
    return weights, attention, between


def test_the_knob_is_a_convention_carrying_the_measured_spread():
    c = catalog().constants[KEY]
    assert c.kind == "convention" and c.si == 1.0
    lo, hi = c.si_range
    assert lo < 1.0 < hi and (lo, hi) == (0.78, 1.17)
    assert "torchtitan" in c.range_basis and "Table 4" in c.range_basis


@pytest.mark.parametrize("kernel", [None, "flash_triton"])
def test_at_the_convention_the_recomputed_forward_costs_one_forward(kernel):
    r = _solve(activation_recomputation=True, attention_kernel=kernel)
    v = r.result.values
    assert v["k_rf"] == 1.0 and v["k_ops_t"] == v["k_ops"] == 4 and v["k_att_t"] == v["k_att_x"]
    weights, attention, between = _parts(v)
    assert v["T_comp_r"] == pytest.approx(4 * weights + v["k_att_x"] * attention + 4 * between, rel=1e-12)
    assert {s.symbol: s.ref for s in r.sources}["k_rf"] == KEY


@pytest.mark.parametrize("kernel, causal", [(None, 1.0), ("flash_triton", 0.5)])
@pytest.mark.parametrize("cost", [0.5, 0.78, 1.17, 2.0])
def test_a_given_cost_charges_the_rerun_forward_at_it_and_the_flops_keep_one_forward(kernel, causal, cost):
    base = _solve(activation_recomputation=True, attention_kernel=kernel)
    r = _solve(activation_recomputation=True, attention_kernel=kernel, recompute_forward_cost=cost)
    v = r.result.values
    weights, attention, between = _parts(v)
    # the re-run forward's share of the attention is what the kernel executes of one forward (half under a causal
    # fused kernel), at the cost given
    att = base.result.values["k_att_x"] + (cost - 1) * causal
    assert v["k_ops_t"] == 3 + cost and v["k_att_t"] == pytest.approx(att, rel=1e-12)
    assert v["T_comp_r"] == pytest.approx((3 + cost) * weights + att * attention + (3 + cost) * between, rel=1e-12)
    assert r.hardware_flops.m_as("FLOP") == pytest.approx(base.hardware_flops.m_as("FLOP"), rel=1e-12)
    assert r.model_flops.m_as("FLOP") == pytest.approx(base.model_flops.m_as("FLOP"), rel=1e-12)
    # a dearer re-run is never faster
    assert (r.step_latency_total > base.step_latency_total) == (cost > 1)


def test_without_full_recomputation_the_cost_is_neither_used_nor_cited():
    r = _solve()
    v = r.result.values
    assert v["k_ops_t"] == v["k_ops"] == 3 and v["k_att_t"] == v["k_att_x"]
    assert "k_rf" not in {s.symbol for s in r.sources}
    assert _solve(recompute_forward_cost=2.0).step_latency_total == r.step_latency_total
    # the interval reaches inputs over every branch (analysis/chain.py): the cost is one, and moves nothing here
    assert all(i.band == (r.mfu, r.mfu) for i in r.interval("mfu").inputs if i.symbol == "k_rf")


def test_a_checkpointed_steps_interval_moves_the_cost_over_its_range():
    r = _solve(activation_recomputation=True, attention_kernel="flash_triton")
    iv = r.interval("mfu")
    (rc,) = [i for i in iv.inputs if i.symbol == "k_rf"]
    assert rc.constant == KEY and (rc.low, rc.high) == (0.78, 1.17)
    low, high = rc.band                     # MFU falls as the re-run forward costs more
    assert low < r.mfu < high
    cheap = _solve(activation_recomputation=True, attention_kernel="flash_triton", recompute_forward_cost=0.78)
    dear = _solve(activation_recomputation=True, attention_kernel="flash_triton", recompute_forward_cost=1.17)
    assert high == pytest.approx(cheap.mfu, rel=1e-12) and low == pytest.approx(dear.mfu, rel=1e-12)
    assert iv.method.startswith("exact")


def test_the_cost_is_checked_at_the_boundary():
    for bad in (-0.5, 11.0, float("nan"), "one"):
        with pytest.raises(InputError, match="recompute_forward_cost"):
            _solve(activation_recomputation=True, recompute_forward_cost=bad)
