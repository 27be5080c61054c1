"""A fused attention kernel named in DistributedModel (attention_kernel=): causal score blocks skipped and the
scores recomputed in the backward (FlashAttention-2 §3.1.1, §4.1), at the kernel's own share of peak on the fleet's
accelerator (knobs.kernels); with none named the step is what it was (Korthikanti et al.'s count, the GEMMs'
efficiency)."""
from __future__ import annotations

import math

import pytest

import mlsysim_sym as mlsysim
from mlsysim_sym.analysis.synthesis import ROUND_TRIP, synthesize
from mlsysim_sym.catalog import catalog
from mlsysim_sym.errors import InputError
from mlsysim_sym.evaluate import run

A100 = mlsysim.Fleet(name="8 A100", node="DGX_A100", count=1, fabric="InfiniBand_HDR")
H100 = mlsysim.Fleet(name="8 H100", node="DGX_H100", count=1, fabric="InfiniBand_NDR")
B200 = mlsysim.Fleet(name="8 B200", node="DGX_B200", count=1, fabric="InfiniBand_NDR")
MODEL = mlsysim.TransformerWorkload("long-context decoder", parameters=420997120, layers=24, hidden_dim=1024, heads=16)
KW = dict(batch_size=16, precision="bf16", zero_stage=3, gradient_accumulation_steps=2, overlap_comm=True,
          seq_len=65536, stack="fsdp")


def _solve(fleet=A100, **extra):
    return mlsysim.DistributedModel().solve(MODEL, fleet, **{**KW, **extra})


@pytest.mark.parametrize("recompute, passes", [(False, 3.5), (True, 4.5)])
def test_the_kernel_executes_half_the_score_blocks_and_recomputes_them_in_the_backward(recompute, passes):
    plain = _solve(activation_recomputation=recompute)
    fused = _solve(activation_recomputation=recompute, attention_kernel="flash_triton")
    assert fused.result.values["k_att_x"] == pytest.approx(passes / 2)
    assert plain.result.values["k_att_x"] == plain.result.values["k_att"]
    # model FLOPs (MFU's count) do not change with the kernel; the executed ones do
    assert fused.model_flops.m_as("FLOP") == pytest.approx(plain.model_flops.m_as("FLOP"), rel=1e-12)
    v = fused.result.values
    executed = (v["k_ops"] * v["O_fwd"] + passes / 2 * v["O_att"]) * v["n_tok"] * v["B_tot"]
    assert v["F_hw"] == pytest.approx(executed, rel=1e-12)


def test_attention_runs_at_the_kernels_share_and_the_weights_at_the_stacks():
    r = _solve(attention_kernel="flash_triton")
    v, cat = r.result.values, catalog()
    assert v["eta_att"] == cat.constants["knobs.kernels.flash_triton.attention_efficiency_on_A100"].si
    assert v["eta_hw"] == cat.constants["knobs.stacks.fsdp.gemm_efficiency_on_A100"].si
    weights = v["k_ops"] * v["O_fwd"] * v["n_tok"] * v["B_tot"] / (v["R_peak"] * v["eta_hw"] * v["N_acc"])
    attention = v["k_att_x"] * v["O_att"] * v["n_tok"] * v["B_tot"] / (v["R_peak"] * v["eta_att"] * v["N_acc"])
    between = v["k_ops"] * v["c_ew"] * v["N_L"] * v["h"] * v["b_w"] * v["n_tok"] * v["B_tot"] / (v["BW_mem"] * v["N_acc"])
    assert v["T_ew_r"] == pytest.approx(between, rel=1e-12) and between > 0     # fsdp charges it (test_stacks)
    assert v["T_comp_r"] == pytest.approx(weights + attention + between, rel=1e-12)
    refs = {s.symbol: s.ref for s in r.sources}
    assert refs["eta_att"] == "knobs.kernels.flash_triton.attention_efficiency_on_A100"
    assert "flash_triton" in refs["m_fa"]
    # a given share wins, and a faster kernel never makes the step slower
    fast = _solve(attention_kernel="flash_triton", attention_efficiency=0.6)
    assert fast.result.values["eta_att"] == 0.6 and fast.step_latency_total < r.step_latency_total


def test_no_kernel_named_leaves_the_step_as_it_was():
    """Without a kernel the attention runs at the GEMMs' efficiency on Korthikanti's count, and the attention
    share argument is not used (nor cited)."""
    r = _solve()
    v = r.result.values
    assert v["m_fa"] == 0 and v["eta_att_x"] == v["eta_hw"]
    assert v["T_comp_r"] == pytest.approx(v["F_hw"] / (v["R_peak"] * v["eta_hw"] * v["N_acc"]) + v["T_ew_r"], rel=1e-12)
    assert "eta_att" not in {s.symbol for s in r.sources}
    same = _solve(attention_efficiency=0.9)
    assert same.step_latency_total == r.step_latency_total


def test_a_kernel_without_a_share_on_the_device_is_refused_and_an_unknown_one_too():
    with pytest.raises(InputError, match="flash_triton.*B200.*attention_efficiency="):
        _solve(B200, attention_kernel="flash_triton")
    given = _solve(B200, attention_kernel="flash_triton", attention_efficiency=0.2)
    assert given.result.values["eta_att"] == 0.2
    with pytest.raises(InputError, match="not catalogued.*flash2.*flash_triton"):
        _solve(attention_kernel="xformers")
    with pytest.raises(InputError, match="attention_kernel must be the name"):
        _solve(attention_kernel=3)
    # the name is normalised like a stack's
    assert _solve(attention_kernel=" Flash_Triton ").result.values["m_fa"] == 1


def test_every_kernel_prior_is_cited_with_a_range_and_working():
    rows = [c for c in catalog().constants.values() if c.id.startswith("knobs.kernels.")]
    assert {c.id for c in rows} >= {"knobs.kernels.flash_triton.attention_efficiency_on_A100",
                                    "knobs.kernels.flash2.attention_efficiency_on_A100"}
    for c in rows:
        assert c.bibkey and c.locator and c.range is not None and c.range_basis and c.working
        lo, hi = c.si_range
        assert 0 < lo <= c.si <= hi <= 1


@pytest.mark.parametrize("scale", [0.8, 1.3])
def test_step_time_synthesis_round_trips_with_a_kernel(scale):
    """The GEMM efficiency that meets a step time, with the kernel's attention at its own share (the inverse's
    fused-kernel regime), checked forward."""
    kw = {**KW, "attention_kernel": "flash_triton"}
    r = mlsysim.DistributedModel().solve(MODEL, A100, **kw)
    tv = r.result.values["T_step"] * scale
    d = synthesize(MODEL, A100, "step_time", mlsysim.Q_(tv, "s"), "efficiency", **kw)
    if not d.feasible:
        assert scale < 1
        return
    v = dict(r.result.values)
    v["eta_hw"] = d.value
    out, _ = run("comm.step", v)
    assert math.isclose(out["T_step"], tv, rel_tol=ROUND_TRIP)
    assert out["eta_att_x"] == v["eta_att"]


def test_a_part_on_the_same_die_reads_the_other_parts_priors():
    """The A100 40GB catalogues no efficiency priors: through its priors_from (the A100 80GB: same die, SMs, clocks
    and peaks) a DGX A100 320GB fleet reads the FSDP share and the Triton kernel's share measured on the A100, while
    the HBM it is charged for is its own (the memory-bound work between the GEMMs runs at its 1.555 TB/s, not the
    80 GB part's 2.039); a prior catalogued for the part itself would be read first."""
    a40 = mlsysim.Fleet(name="8 A100 40GB", node="DGX_A100_320GB", count=1, fabric="InfiniBand_HDR")
    r = _solve(a40, attention_kernel="flash_triton", batch_size=8, seq_len=2048)
    refs = {s.symbol: s.ref for s in r.sources}
    assert refs["eta_att"] == "knobs.kernels.flash_triton.attention_efficiency_on_A100"
    assert refs["eta_hw"] == "knobs.stacks.fsdp.gemm_efficiency_on_A100"
    same = _solve(attention_kernel="flash_triton", batch_size=8, seq_len=2048)
    v, w = r.result.values, same.result.values
    # the same die computes alike; the element-wise traffic runs at each part's own memory bandwidth
    assert math.isclose(v["T_comp_r"] - v["T_ew_r"], w["T_comp_r"] - w["T_ew_r"], rel_tol=1e-9)
    assert math.isclose(v["T_ew_r"] * v["BW_mem"], w["T_ew_r"] * w["BW_mem"], rel_tol=1e-9)
    assert v["BW_mem"] < w["BW_mem"] and r.step_latency_total > same.step_latency_total


def test_the_triton_kernel_on_h100_reads_its_estimated_share():
    """The Triton kernel's H100 share is an estimate (FlashAttention-2's H100 figure over the paper's A100 speed-up
    against FlashAttention), with its range; an H100 fleet naming the kernel reads it."""
    r = _solve(H100, attention_kernel="flash_triton")
    refs = {s.symbol: s.ref for s in r.sources}
    assert refs["eta_att"] == "knobs.kernels.flash_triton.attention_efficiency_on_H100"
    c = catalog().constants["knobs.kernels.flash_triton.attention_efficiency_on_H100"]
    assert c.kind == "estimate" and c.working and math.isclose(c.si, (335 / 989.4 / 3.0 + 335 / 989.4 / 1.7) / 2,
                                                                 abs_tol=5e-4)
