"""The recomputed forward's cost in DistributedModel (knobs.distributed.recompute_forward_cost): under full
recomputation the step's time charges the re-run forward at ``k_rf`` forwards — the convention is one whole forward,
what 0.3.0 and every HFU count charge — while the hardware FLOPs keep one whole forward. The convention carries the
measured runs' spread as its range (torchtitan's paired 13B runs 0.78, Korthikanti et al.'s Table 4 1.17), so a
checkpointed step's interval says how far that spread moves it. A named stack that catalogues its own measured cost
(fsdp from torchtitan's paired runs, megatron from Korthikanti et al.'s Table 4) is charged that instead; wall 22
reads the cost back from a measured step (``synthesize(..., "recompute_cost")``)."""
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
@pytest.mark.parametrize("stack", [None, "pytorch"])
def test_at_the_convention_the_recomputed_forward_costs_one_forward(kernel, stack):
    """No stack, or a stack with no measured cost of its own: the convention."""
    r = _solve(activation_recomputation=True, attention_kernel=kernel, stack=stack)
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
    assert (r.step_latency_total > base.step_latency_total) == (cost > base.result.values["k_rf"])


def test_without_full_recomputation_the_cost_is_neither_used_nor_cited():
    r = _solve()
    v = r.result.values
    assert v["k_ops_t"] == v["k_ops"] == 3 and v["k_att_t"] == v["k_att_x"]
    assert "k_rf" not in {s.symbol for s in r.sources}
    assert _solve(recompute_forward_cost=2.0).step_latency_total == r.step_latency_total
    # the interval reaches inputs over every branch (analysis/chain.py): the cost is one, and moves nothing here
    assert all(i.band == (r.mfu, r.mfu) for i in r.interval("mfu").inputs if i.symbol == "k_rf")


@pytest.mark.parametrize("stack, key, rng", [(None, KEY, (0.78, 1.17)),
                                              ("fsdp", "knobs.stacks.fsdp.recompute_forward_cost", (0.556, 1.0))])
def test_a_checkpointed_steps_interval_moves_the_cost_over_its_range(stack, key, rng):
    r = _solve(activation_recomputation=True, attention_kernel="flash_triton", stack=stack)
    iv = r.interval("mfu")
    (rc,) = [i for i in iv.inputs if i.symbol == "k_rf"]
    assert rc.constant == key and (rc.low, rc.high) == rng
    low, high = rc.band                     # MFU falls as the re-run forward costs more
    assert low < r.mfu < high
    cheap = _solve(activation_recomputation=True, attention_kernel="flash_triton", stack=stack,
                   recompute_forward_cost=rng[0])
    dear = _solve(activation_recomputation=True, attention_kernel="flash_triton", stack=stack,
                  recompute_forward_cost=rng[1])
    assert high == pytest.approx(cheap.mfu, rel=1e-12) and low == pytest.approx(dear.mfu, rel=1e-12)
    assert iv.method.startswith("exact")


@pytest.mark.parametrize("stack, value", [("fsdp", 0.777), ("megatron", 1.17), ("torch_compile", 1.0),
                                          (None, 1.0)])
def test_a_stack_that_measured_its_cost_is_charged_it_and_cited(stack, value):
    r = _solve(activation_recomputation=True, stack=stack)
    v = r.result.values
    assert v["k_rf"] == value and v["k_ops_t"] == pytest.approx(3 + value, rel=1e-12)
    cited = {s.symbol: s.ref for s in r.sources}["k_rf"]
    key = f"knobs.stacks.{stack}.recompute_forward_cost" if value != 1.0 else KEY
    assert cited == key and catalog().constants[key].si == value
    # a value the caller gives wins over the stack's
    assert _solve(activation_recomputation=True, stack=stack, recompute_forward_cost=2.0).result.values["k_rf"] == 2.0


def test_the_stacks_costs_are_measured_and_cited_to_runs_of_that_stack():
    cat = catalog().constants
    fsdp, megatron = cat["knobs.stacks.fsdp.recompute_forward_cost"], cat["knobs.stacks.megatron.recompute_forward_cost"]
    assert fsdp.bibkey == "pytorch2024torchtitana100" and "1,914" in fsdp.locator and "2,162" in fsdp.locator
    assert megatron.bibkey == "korthikanti2023reducing" and "Table 4" in megatron.locator
    # the working is the arithmetic of the pair: 3 (2162/1914 − 1) / 0.5 forwards, and 3 × 0.39
    assert fsdp.si == pytest.approx(round(3 * (2162 / 1914 - 1) / 0.5, 3), abs=0) and megatron.si == 3 * 0.39
    assert fsdp.si_range[0] < fsdp.si < fsdp.si_range[1] == cat[KEY].si


@pytest.mark.parametrize("kernel", [None, "flash_triton"])
@pytest.mark.parametrize("cost", [0.6, 1.3])
def test_wall_22_reads_the_cost_back_from_a_measured_step(kernel, cost):
    """synthesize(..., 'recompute_cost'): the cost that gives a step, checked forward, in the regime the run is in."""
    from mlsysim_sym.analysis.synthesis import synthesize

    step = _solve(activation_recomputation=True, attention_kernel=kernel, recompute_forward_cost=cost)
    kw = {k: v for k, v in KW.items() if k != "batch_size"}
    design = synthesize(MODEL, A100, "step_time", step.step_latency_total, "recompute_cost", batch_size=64,
                        activation_recomputation=True, attention_kernel=kernel, **kw)
    assert design.value == pytest.approx(cost, rel=1e-9) and "full recomputation" in design.regime
    assert "at most" in design.reason
    # the flag is read as the facade binds it: 1 is full recomputation too
    again = synthesize(MODEL, A100, "step_time", step.step_latency_total, "recompute_cost", batch_size=64,
                       activation_recomputation=1, attention_kernel=kernel, **kw)
    assert again.value == design.value
    with pytest.raises(InputError, match="activation_recomputation=True"):
        synthesize(MODEL, A100, "step_time", step.step_latency_total, "recompute_cost", batch_size=64, **kw)


def test_the_cost_is_checked_at_the_boundary():
    for bad in (-0.5, 11.0, float("nan"), "one"):
        with pytest.raises(InputError, match="recompute_forward_cost"):
            _solve(activation_recomputation=True, recompute_forward_cost=bad)
