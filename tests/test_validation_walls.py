"""Published checks for walls 8-19 (../shared/reference/validation_sources.md §B.2, §B.3, §B.7), each test named
by its source; plus the reference vectors of 0.3.0's documentation that our default edition keeps.

Each test prints (in its assertion message) the figure it measures, so a failing run says how far off it is."""
from __future__ import annotations

import math

import pytest

from mlsysim_sym import (CheckpointModel, CompressionModel, OrchestrationModel, ReliabilityModel, ScalingModel,
                         TopologyModel, TrainingComputeModel, TrainingMemoryModel, TransformationModel,
                         TransformerWorkload)

# ---- §B.7 R1/R3: Llama 3 405B interruptions (Dubey et al. 2024, §3.3.4, Table 5) and Young/Daly ----------------------


def test_dubey2024_llama3_405b_mtbi_is_3_09_hours():
    """419 unexpected interruptions in 54 days: 54·24/419 = 3.093 h, both as the cluster's reported MTBF and from
    the component rates derived from Table 5 (which reproduce it by construction: the check is the machinery)."""
    r = ReliabilityModel().solve("Meta_Llama3_16K_H100", job_duration_hours=54 * 24)
    assert r.mtbf_source == "reported"
    assert r.fleet_mtbf.m_as("h") == pytest.approx(54 * 24 / 419, rel=1e-4)
    assert r.expected_failures == pytest.approx(419, rel=1e-4)
    # the same fleet from its parts: 2,048 DGX H100 nodes at the Table-5 rates (integer-hour rounded MTTFs)
    assert r.node_mtbf.m_as("h") / 2048 == pytest.approx(54 * 24 / 419, rel=1e-5)


def test_young1974_daly2006_llama3_interval_19_3_and_18_6_minutes():
    """δ = 60 s on M = 3.09 h: Young √(2δM) = 19.3 min, Daly's higher-order form 18.6 min (§B.7 R3)."""
    r = ReliabilityModel().solve("Meta_Llama3_16K_H100", job_duration_hours=720, checkpoint_time_s=60)
    assert round(r.young_interval.m_as("min"), 1) == 19.3
    assert round(r.daly_interval.m_as("min"), 1) == 18.6
    assert r.optimal_checkpoint_interval == r.daly_interval            # the default edition reports Daly's
    young = ReliabilityModel().solve("Meta_Llama3_16K_H100", job_duration_hours=720, interval="young")
    assert young.optimal_checkpoint_interval == young.young_interval


def test_daly2006_interval_is_the_mtbf_beyond_its_validity_limit():
    """Daly's estimate holds for δ < 2M; at δ ≥ 2M the optimum is M itself (checkpoint as rarely as failures)."""
    m = ReliabilityModel().solve("Meta_Llama3_16K_H100", job_duration_hours=1)
    big = ReliabilityModel().solve("Meta_Llama3_16K_H100", job_duration_hours=1,
                                   checkpoint_time_s=3 * m.fleet_mtbf.m_as("s"))
    assert big.daly_interval.m_as("s") == pytest.approx(m.fleet_mtbf.m_as("s"), rel=1e-12)


def test_daly2006_goodput_counts_rework_that_first_order_omits():
    """Daly's expected-time goodput is below 0.3.0's 1 − δ/τ − R/M by about the rework share τ/(2M)."""
    daly = ReliabilityModel().solve("Meta_Llama3_16K_H100", job_duration_hours=720)
    first = ReliabilityModel().solve("Meta_Llama3_16K_H100", job_duration_hours=720, interval="young")
    tau, m = first.optimal_checkpoint_interval.m_as("s"), first.fleet_mtbf.m_as("s")
    assert first.goodput_ratio - daly.goodput_ratio == pytest.approx(tau / (2 * m), rel=0.15)


# ---- §B.2 C1-C3: training compute 6ND -----------------------------------------------------------------------------------

CHINCHILLA = TransformerWorkload("Chinchilla 70B", parameters="70e9 param", layers=80, hidden_dim=8192, heads=64)


@pytest.mark.parametrize("model, tokens, published, spread, source", [
    ("GPT3", 300e9, 3.14e23, 0.01, "brown2020 Table D.1"),
    ("Llama3_405B", 15.6e12, 3.8e25, 0.01, "dubey2024 §3.2"),
    (CHINCHILLA, 1.4e12, 5.76e23, 0.15, "hoffmann2022 Table 3 (±15 % C2 spread)"),
], ids=["brown2020_gpt3", "dubey2024_llama3_405b", "hoffmann2022_chinchilla"])
def test_6nd_training_compute_within_the_stated_spread(model, tokens, published, spread, source):
    c = TrainingComputeModel().solve(model, tokens=tokens).compute_6nd.m_as("FLOP")
    assert abs(c / published - 1) <= spread, f"{source}: 6ND {c:.4g} vs {published:.3g} ({c / published - 1:+.2%})"


def test_palm2022_attention_term_adds_to_6nd():
    r = TrainingComputeModel().solve(CHINCHILLA, tokens=1.4e12, seq_len=2048)
    extra = 12 * 80 * 64 * 128 * 2048 * 1.4e12
    assert r.compute_with_attention.m_as("FLOP") - r.compute_6nd.m_as("FLOP") == pytest.approx(extra, rel=1e-12)


# ---- §B.2 C2: compute-optimal allocation at Chinchilla's budget ------------------------------------------------------------

GOPHER_BUDGET = "5.76e23 FLOP"


def test_besiroglu2024_fit_optimum_near_70b_and_1_4t():
    """The replication's fit at 5.76e23 FLOPs: 72.2 B parameters (+3.2 % vs Chinchilla's 70 B) on 1.33 T tokens
    (−5.1 % vs 1.4 T)."""
    r = ScalingModel().solve(GOPHER_BUDGET, allocation="parametric", fit="besiroglu2024")
    n, d = r.optimal_parameters.m_as("param"), r.optimal_tokens.m_as("token")
    assert abs(n / 70e9 - 1) < 0.05, f"N* {n:.4g} ({n / 70e9 - 1:+.1%} vs 70 B)"
    assert abs(d / 1.4e12 - 1) < 0.06, f"D* {d:.4g} ({d / 1.4e12 - 1:+.1%} vs 1.4 T)"


def test_hoffmann2022_approach3_fit_optimum_against_40b():
    """Hoffmann et al.'s approach 3 projects ~40 B at the Gopher budget (Fig. 4 caption). Their printed, rounded
    Eq. 10 constants give 32.2 B (−19.5 %); the unrounded TeX-source constants 40.4 B (+0.9 %). Both reported."""
    printed = ScalingModel().solve(GOPHER_BUDGET, allocation="parametric", fit="hoffmann2022")
    tex = ScalingModel().solve(GOPHER_BUDGET, allocation="parametric", fit="hoffmann2022_tex")
    n_printed, n_tex = printed.optimal_parameters.m_as("param"), tex.optimal_parameters.m_as("param")
    assert n_printed / 40e9 - 1 == pytest.approx(-0.195, abs=0.005)
    assert abs(n_tex / 40e9 - 1) < 0.02


def test_hoffmann2022_rule_gives_20_tokens_per_parameter():
    r = ScalingModel().solve("1.2e20 FLOP")
    assert r.optimal_parameters.m_as("param") == pytest.approx(1e9)
    assert r.tokens_per_parameter == pytest.approx(20)


def test_fixed_size_and_fixed_tokens_spend_the_budget_on_the_other():
    n = ScalingModel().solve("6e21 FLOP", target_model_size=1e9)
    d = ScalingModel().solve("6e21 FLOP", target_tokens=1e12)
    assert n.optimal_tokens.m_as("token") == pytest.approx(1e12)
    assert d.optimal_parameters.m_as("param") == pytest.approx(1e9)


def test_gpu_days_convert_through_the_device_peak_and_mfu():
    r = ScalingModel().solve("1 day", hardware="H100", precision="bf16", mfu=0.4)
    assert r.compute_budget_flops.m_as("FLOP") == pytest.approx(86400 * 989.4e12 * 0.4)
    assert r.gpu_days.m_as("d") == pytest.approx(1.0)


# ---- §B.3 M1: ZeRO stages, 7.5 B on N_d = 64 (Rajbhandari et al. 2020, Fig. 1) ------------------------------------------

@pytest.mark.parametrize("stage, expected_gb", [(0, 120.0), (1, 31.40625), (2, 16.640625), (3, 1.875)],
                         ids=["rajbhandari2020_baseline", "rajbhandari2020_pos", "rajbhandari2020_pos_g",
                              "rajbhandari2020_pos_g_p"])
def test_rajbhandari2020_zero_model_states_exactly(stage, expected_gb):
    """(2+2+K)Ψ, 2Ψ+2Ψ+KΨ/N, 2Ψ+(2+K)Ψ/N, (2+2+K)Ψ/N with Ψ = 7.5e9, K = 12, N = 64: Fig. 1's 120 / 31.4 / 16.6 /
    1.9 GB exactly (decimal GB)."""
    w = TransformerWorkload("ZeRO 7.5B", parameters="7.5e9 param", layers=1, hidden_dim=4096, heads=32)
    r = TrainingMemoryModel().solve(w, "H100", batch_size=64, dp_size=64, zero_stage=stage)
    states = (r.weights + r.gradients + r.optimizer_state).m_as("GB")
    assert states == pytest.approx(expected_gb, rel=1e-12)


# ---- §B.3: BLOOM-176B checkpoint sizes (BigScience model card) -----------------------------------------------------------

BLOOM = TransformerWorkload("BLOOM 176B", parameters="176247271424 param", layers=70, hidden_dim=14336, heads=112)


def test_bigscience_bloom_checkpoint_sizes_within_5_percent():
    """The model card prints 'Bf16 weights: 329GB' and 'Full checkpoint with optimizer states: 2.3TB'; both match
    binary units (329 GiB, 2.3 TiB). Ours: weights 328.3 GiB (−0.2 %), full 2.244 TiB (−2.4 %)."""
    r = CheckpointModel().solve(BLOOM, "H100", precision="bf16")
    weights = r.weights_size.m_as("GiB")
    full = r.checkpoint_size.m_as("TiB")
    assert abs(weights / 329 - 1) < 0.05, f"{weights:.1f} GiB"
    assert abs(full / 2.3 - 1) < 0.05, f"{full:.3f} TiB"


# ---- 0.3.0 reference vectors kept by the default edition (reference §5) ---------------------------------------------------

def test_mlsysim030_vector33_fat_tree_and_dragonfly_fractions():
    assert TopologyModel().solve("InfiniBand_NDR", "fat_tree", 27).bisection_bw_fraction == 1.0
    assert TopologyModel().solve("InfiniBand_NDR", "dragonfly", 64).bisection_bw_fraction == 0.85


def test_dally2004_torus_and_ring_bisection_cuts():
    """A 4×4×4 torus bisection cuts 2·4² = 32 links; a 64-node ring 2; against 32 for a non-blocking cut."""
    t = TopologyModel().solve("InfiniBand_NDR", "torus_3d", 64)
    r = TopologyModel().solve("InfiniBand_NDR", "ring", 64)
    link = t.effective_bw.m_as("GB/s") / t.bisection_bw_fraction
    assert t.bisection_bw.m_as("GB/s") == pytest.approx(32 * link)
    assert r.bisection_bw.m_as("GB/s") == pytest.approx(2 * link)
    assert t.hops_avg == pytest.approx(3 * 4 / 4) and r.hops_avg == pytest.approx(16)
    assert t.diameter == 6 and r.diameter == 32


def test_mlsysim030_vector52_md1_wait_and_queue_ratios():
    """M/D/1, D = 1 day: ρ = 0.9 vs 0.5 waits 9.0× longer with a 16.2× longer queue."""
    hi = OrchestrationModel().solve("Research_256", 0.9, 1.0)
    lo = OrchestrationModel().solve("Research_256", 0.5, 1.0)
    assert hi.avg_wait_time_days / lo.avg_wait_time_days == pytest.approx(9.0)
    assert hi.avg_queue_length / lo.avg_queue_length == pytest.approx(16.2)


def test_kleinrock1975_mmc_limit_of_the_cluster_queue():
    """With exponential durations (c_s = 1) Allen–Cunneen is exact M/M/c: for c = 2, a = 1 the wait is
    C(2, 1)·D/(c − a) = D/3."""
    r = OrchestrationModel().solve("Research_256", 1.0, 1.0, gpus_per_job=128, service_cv=1.0)
    assert r.concurrent_jobs == 2
    assert r.avg_wait_time_days.m_as("d") == pytest.approx(1 / 3)


def test_mlsysim030_vector57_transformation_bottleneck():
    """B = 2048 samples of 150 KB at 16 × 850 samples/s × 150 KB against a 48 ms step: CPU-bound, utilisation 32 %."""
    r = TransformationModel().solve(2048, "150 KB", f"{16 * 850 * 150e3} B/s", "48 ms")
    assert r.is_bottleneck and round(r.accelerator_utilization, 2) == 0.32


def test_mlsysim030_vector53_int4_ratio_follows_the_baseline():
    fp32 = CompressionModel().solve("Llama3_70B", "H100", target_bitwidth=4)
    fp16 = CompressionModel().solve("Llama3_70B", "H100", target_bitwidth=4, baseline_precision="fp16")
    assert (fp32.compression_ratio, fp32.memory_savings_pct) == (8.0, 87.5)
    assert (fp16.compression_ratio, fp16.memory_savings_pct) == (4.0, 75.0)
    assert math.isclose(fp16.inference_speedup, 4.0)  # decode at B = 1 stays memory-bound at 4×
