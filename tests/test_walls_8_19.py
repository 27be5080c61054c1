"""Invariants of walls 8-13, 15, 16 and 19 through their facades: constraints that must hold exactly, limits the
issue names (Daly's δ ≥ 2M, M/D/1 as c = 1, M/M/c at c_s = 1), and the relations between a wall's outputs."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlsysim_sym import (CheckpointModel, CompressionModel, DataModel, InferenceScalingModel, OrchestrationModel,
                         ReliabilityModel, ScalingModel, TopologyModel, TransformationModel)
from mlsysim_sym.errors import InputError

budgets = st.floats(1e18, 1e27)


@given(st.floats(1e6, 1e13))
def test_ingestion_utilisation_times_supply_is_demand(rate):
    r = DataModel().solve(f"{rate} B/s", "H100")
    assert r.utilization * r.supply_bw.m_as("B/s") == pytest.approx(rate)
    assert r.is_stalled == (r.utilization > 1)
    assert r.margin.m_as("B/s") == pytest.approx(r.supply_bw.m_as("B/s") - rate)


def test_ingestion_refuses_a_device_with_no_data_path():
    with pytest.raises(InputError, match="no catalogued data path"):
        DataModel().solve("1 GB/s", "T4")


@given(st.integers(1, 8192), st.floats(1e3, 1e7), st.floats(1e-4, 10))
def test_transformation_utilisation_and_slowdown_are_reciprocal(batch, sample, step):
    r = TransformationModel().solve(batch, f"{sample} B", accelerator_step_time=f"{step} s")
    assert 0 < r.accelerator_utilization <= 1 and r.slowdown_factor >= 1
    assert r.accelerator_utilization * r.slowdown_factor == pytest.approx(1)
    assert r.is_bottleneck == (r.transform_time > r.accelerator_step_time)


@given(st.integers(2, 10**6))
def test_topology_ring_and_torus_bisection_against_a_fat_tree(n):
    ring = TopologyModel().solve("InfiniBand_NDR", "ring", n)
    fat = TopologyModel().solve("InfiniBand_NDR", "fat_tree", n)
    assert ring.bisection_bw_fraction == pytest.approx(4 / n)
    assert fat.bisection_bw.m_as("B/s") == pytest.approx(fat.effective_bw.m_as("B/s") * n / 2)
    assert ring.hops_avg == pytest.approx(n / 4) and ring.diameter == n // 2


@given(budgets, st.sampled_from(["tokens_per_parameter", "parametric"]),
       st.sampled_from(["besiroglu2024", "hoffmann2022", "hoffmann2022_tex"]))
def test_every_allocation_spends_exactly_the_budget(c, allocation, fit):
    r = ScalingModel().solve(f"{c} FLOP", allocation=allocation, fit=fit)
    assert 6 * r.optimal_parameters.m_as("param") * r.optimal_tokens.m_as("token") == pytest.approx(c, rel=1e-9)


@given(budgets, st.sampled_from(["besiroglu2024", "hoffmann2022"]), st.sampled_from([0.5, 0.8, 1.25, 2.0]))
def test_the_parametric_frontier_minimises_the_fitted_loss_at_fixed_compute(c, fit, k):
    best = ScalingModel().solve(f"{c} FLOP", allocation="parametric", fit=fit)
    off = ScalingModel().solve(f"{c} FLOP", target_model_size=best.optimal_parameters.m_as("param") * k, fit=fit)
    assert off.predicted_loss > best.predicted_loss


@pytest.mark.parametrize("k", [1, 2, 8, 32])
def test_reasoning_time_is_prefill_plus_k_steps(k):
    r = InferenceScalingModel().solve("Llama3_8B", "H100", reasoning_steps=k)
    assert r.total_reasoning_time.m_as("s") == pytest.approx(r.ttft.m_as("s") + k * r.time_per_step.m_as("s"))
    assert r.tokens_generated == 50 * k


def test_best_of_n_shares_the_steps_and_sequential_repeats_them():
    one = InferenceScalingModel().solve("Llama3_8B", "H100", reasoning_steps=8)
    seq = InferenceScalingModel().solve("Llama3_8B", "H100", reasoning_steps=8, n_samples=4, strategy="sequential")
    best = InferenceScalingModel().solve("Llama3_8B", "H100", reasoning_steps=8, n_samples=4)
    decode = one.total_reasoning_time - one.ttft
    assert (seq.total_reasoning_time - seq.ttft).m_as("s") == pytest.approx(4 * decode.m_as("s"))
    assert best.total_reasoning_time < seq.total_reasoning_time and best.tokens_generated == seq.tokens_generated


@pytest.mark.parametrize("base, bits", [("fp32", 32), ("fp16", 16), ("int8", 8)])
def test_compression_to_the_baseline_width_changes_nothing(base, bits):
    r = CompressionModel().solve("Llama3_8B", "H100", target_bitwidth=bits, baseline_precision=base)
    assert r.compression_ratio == 1 and r.memory_savings_pct == 0 and r.inference_speedup == pytest.approx(1)


@given(st.integers(2, 15))
def test_quantised_decode_never_slows_down(bits):
    r = CompressionModel().solve("Llama3_70B", "H100", target_bitwidth=bits, baseline_precision="fp16")
    assert r.inference_speedup >= 1 and r.estimated_accuracy_delta <= 0
    assert r.accuracy_delta_low <= r.estimated_accuracy_delta


def test_compression_refuses_pruning_everything():
    with pytest.raises(InputError, match="sparsity must be below 1"):
        CompressionModel().solve("Llama3_8B", "H100", method="pruning", sparsity=1.0)


@given(st.floats(0.1, 1e4))
def test_young_and_daly_agree_to_first_order_as_delta_over_m_vanishes(ckpt_s):
    r = ReliabilityModel().solve("Training_1K", 720, checkpoint_time_s=ckpt_s)
    x = ckpt_s / (2 * r.fleet_mtbf.m_as("s"))
    if x < 1e-3:
        assert r.daly_interval.m_as("s") / r.young_interval.m_as("s") == pytest.approx(1, abs=0.05)
    assert 0 < r.goodput_ratio < 1
    assert r.failure_probability == pytest.approx(1 - math.exp(-r.expected_failures))


def test_reported_mtbf_wins_and_the_edition_ignores_it():
    from mlsysim_sym import edition

    reported = ReliabilityModel().solve("Meta_Llama3_16K_H100", 24)
    with edition("mlsysim-0.3.0"):
        old = ReliabilityModel().solve("Meta_Llama3_16K_H100", 24)
    assert reported.mtbf_source == "reported" and old.mtbf_source == "from components"
    assert old.fleet_mtbf.m_as("h") == pytest.approx(1 / (8 / 50_000 + 8 / 150_000) / 2048)  # 0.3.0: DGX 4+2 PSUs


@given(st.floats(0.01, 0.99))
def test_md1_waits_half_as_long_as_mm1(rho):
    md1 = OrchestrationModel().solve("Research_256", rho, 1.0)
    mm1 = OrchestrationModel().solve("Research_256", rho, 1.0, service_cv=1.0)
    assert mm1.avg_wait_time_days / md1.avg_wait_time_days == pytest.approx(2)
    assert md1.avg_wait_time_days.m_as("d") == pytest.approx(rho / (2 * (1 - rho)))


def test_an_unstable_cluster_queue_is_flagged_infinite():
    r = OrchestrationModel().solve("Research_256", 2.0, 1.0)
    assert not r.is_stable and math.isinf(r.avg_wait_time_days.magnitude) and math.isinf(r.avg_queue_length)


@given(st.integers(1, 4096), st.floats(0.1, 100))
def test_checkpoint_penalty_is_the_stall_over_the_interval(writers, hours):
    r = CheckpointModel().solve("Llama3_70B", "H100", n_writers=writers, checkpoint_interval_hours=hours)
    assert r.mfu_penalty_pct * r.checkpoint_interval.m_as("s") == pytest.approx(r.stall_time.m_as("s"))
    assert r.write_bandwidth.m_as("GB/s") <= 1000 + 1e-9      # the file system's aggregate limit binds
    a = CheckpointModel().solve("Llama3_70B", "H100", n_writers=writers, checkpoint_interval_hours=hours,
                                mode="async")
    assert a.stall_time.m_as("s") == pytest.approx(r.checkpoint_size.m_as("B") / writers / 64e9)


def test_checkpoint_interval_from_wall_15_for_an_mtbf():
    r = CheckpointModel().solve("Llama3_8B", "H100", mtbf_hours=3.09)
    stall, m = r.stall_time.m_as("s"), 3.09 * 3600
    young = math.sqrt(2 * stall * m)
    assert r.checkpoint_interval.m_as("s") == pytest.approx(young * (1 + math.sqrt(stall / (2 * m)) / 3
                                                                     + stall / (2 * m) / 9) - stall)


def test_taxonomy_lists_the_new_walls_with_their_resolvers():
    from mlsysim_sym import taxonomy, wall, walls_in_domain

    t = taxonomy()
    got = {w["number"]: tuple(w["resolvers"]) for d in t.values() for w in d}
    assert got[8] == ("DataModel",) and got[9] == ("TransformationModel",) and got[10] == ("TopologyModel",)
    assert got[11] == ("ScalingModel",) and got[12] == ("InferenceScalingModel",) and got[13] == ("CompressionModel",)
    assert got[15] == ("ReliabilityModel", "CheckpointModel") and got[16] == ("OrchestrationModel",)
    assert got[19] == ("CheckpointModel",)
    assert [w.number for w in walls_in_domain("data")] == [8, 9, 10]
    assert [w.number for w in walls_in_domain("algorithm")] == [11, 12, 13]
    assert wall(19).domain == "operations" and wall(16).domain == "fleet"
