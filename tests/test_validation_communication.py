"""Wall 14 against published numbers. Each test names its source (shared/reference/validation_sources.md §B.1, §B.5).

* Korthikanti et al. 2023 (arXiv 2205.05198), Table 3: four GPT configurations on Selene (DGX A100 80GB, 8 HDR
  200 Gb/s HCAs per node), s = 2048, V = 51,200, TP 8, no data parallelism. Their MFU and HFU follow from their
  printed iteration times (an identity); the iteration times themselves are a prediction from a cited efficiency
  prior. Micro-batch sizes and interleaving as in Calculon's validation configurations of the same table
  (calculon-ai/calculon, validation/*_seqsel.json): 22B one micro-batch of 4; the others micro-batch 1, interleaved
  ×3 for 175B and 530B.
* Narayanan et al. 2021 §5.1 Eq. 4: end-to-end training time 8·T·P/(n·X).
* nccl-tests doc/PERFORMANCE.md 'Summary': bus-bandwidth factors (master); the in-network factor from commit 4ec7c79.
"""
from __future__ import annotations

import pytest

from mlsysim_sym import (CollectiveModel, DistributedModel, Fleet, Models, TrainingFlopsModel, TrainingTimeModel,
                         TransformerWorkload)
from mlsysim_sym.catalog import catalog

SEQ, VOCAB = 2048, 51200
# name, heads, hidden, layers, PP, GPUs, global batch, interleave, micro-batches,
# published (full recompute s, selective + sequence parallel s, MFU %, HFU %)
KORTHIKANTI_TABLE3 = [
    ("22B", 64, 6144, 48, 1, 8, 4, 1, 1, (1.42, 1.10, 41.5, 43.7)),
    ("175B", 96, 12288, 96, 8, 64, 64, 3, 64, (18.13, 13.75, 51.4, 52.8)),
    ("530B", 128, 20480, 105, 35, 280, 280, 3, 280, (49.05, 37.83, 56.0, 57.0)),
    ("1T", 160, 25600, 128, 64, 512, 512, 1, 512, (94.42, 71.49, 56.3, 57.0)),
]
IDS = [r[0] for r in KORTHIKANTI_TABLE3]


def gpt(name: str, heads: int, h: int, layers: int):
    """A GPT of Korthikanti's shape; parameters 12·l·h²(1 + 13/12h + (V + s)/12lh) (Narayanan et al. §5.1)."""
    params = 12 * layers * h * h * (1 + 13 / (12 * h) + (VOCAB + SEQ) / (12 * layers * h))
    return TransformerWorkload(f"GPT {name}", parameters=params, layers=layers, hidden_dim=h, heads=heads)


def selene(gpus: int):
    return Fleet(name=f"Selene {gpus}", node="DGX_A100", count=gpus // 8, fabric="InfiniBand_HDR")


@pytest.mark.parametrize("row", KORTHIKANTI_TABLE3, ids=IDS)
def test_korthikanti2023_table3_mfu_and_hfu_from_the_printed_iteration_time(row):
    """MFU and HFU from the selective + sequence-parallel iteration time, within the rounding of the printed time
    and percentage (≤ 0.2 pp). Measured: MFU 41.68/51.40/56.05/56.27 %, HFU 43.84/52.78/56.97/57.01 %."""
    name, heads, h, layers, pp, gpus, batch, _, _, (_, t_sel, mfu, hfu) = row
    u = TrainingFlopsModel().solve(gpt(name, heads, h, layers), "A100", batch_size=batch, iteration_time=f"{t_sel} s",
                                   num_accelerators=gpus, seq_len=SEQ, activation_recomputation="selective")
    assert abs(100 * u.mfu - mfu) <= 0.2
    assert abs(100 * u.hfu - hfu) <= 0.2
    assert u.hfu > u.mfu  # selective recomputation re-runs attention: executed FLOPs exceed model FLOPs


def _predict(row, recompute: bool):
    name, heads, h, layers, pp, gpus, batch, v, m, _ = row
    prior = catalog().constants["knobs.distributed.training_efficiency_prior"].si
    return DistributedModel().solve(gpt(name, heads, h, layers), selene(gpus), batch_size=batch, precision="fp16",
                                    efficiency=prior, tp_size=8, pp_size=pp, v_stages=v, microbatch_count=m,
                                    seq_len=SEQ, activation_recomputation=recompute)


@pytest.mark.parametrize("row", KORTHIKANTI_TABLE3, ids=IDS)
def test_korthikanti2023_table3_iteration_time_from_the_palm_hfu_prior(row):
    """Predicted iteration time with η = PaLM's 57.8 % HFU (a TPU v4 measurement, not fitted to these rows).
    Measured error, selective + sequence parallel: −13.6 / +1.2 / +6.9 / +14.3 % (mean |error| 9.0 %; Calculon's
    own check on this table: 3.65 % mean with per-size efficiency tables). The goal is ≤ 15 % per row."""
    r = _predict(row, recompute=False)
    assert r.feasible  # Korthikanti's configurations fit in 80 GB
    err = r.step_latency_total.m_as("s") / row[-1][1] - 1
    assert abs(err) <= 0.15, f"{row[0]}: {err:+.1%}"


@pytest.mark.parametrize("row", KORTHIKANTI_TABLE3, ids=IDS)
def test_korthikanti2023_table3_iteration_time_with_full_recomputation(row):
    """The same prior with full recomputation: measured −17.4 / −1.8 / +7.1 / +13.0 % (the 22B row, one node and
    one micro-batch, is the farthest: a 4-sample step of a 6144-wide model runs its GEMMs below the prior's
    efficiency). Reported, bounded at 20 %."""
    r = _predict(row, recompute=True)
    err = r.step_latency_total.m_as("s") / row[-1][0] - 1
    assert abs(err) <= 0.20, f"{row[0]}: {err:+.1%}"
    assert r.step_latency_total > _predict(row, recompute=False).step_latency_total


@pytest.mark.parametrize("model,tokens,gpus,tflops,days_printed,days_formula", [
    ("GPT3", 300e9, 1024, 140, 34, 33.9),
    ("1T", 450e9, 3072, 163, 84, 83.2),
], ids=["gpt3-175B-34d", "1T-84d"])
def test_narayanan2021_eq4_end_to_end_training_time(model, tokens, gpus, tflops, days_printed, days_formula):
    """8·T·P/(n·X): GPT-3 175B (300B tokens, 1024 A100 at 140 TFLOP/s) 34 days; 1T (450B tokens, 3072 GPUs at
    163 TFLOP/s) 84 days as printed; the formula itself gives 33.9 and 83.2 days (validation_sources §E)."""
    m = Models.GPT3 if model == "GPT3" else TransformerWorkload("GPT 1T", parameters=1e12, layers=128,
                                                                 hidden_dim=25600, heads=160)
    r = TrainingTimeModel().solve(m, tokens=tokens, num_accelerators=gpus, achieved_flops=f"{tflops} TFLOP/s")
    days = r.training_time.m_as("d")
    assert round(days, 1) == days_formula
    assert abs(days - days_printed) <= 1.0


@pytest.mark.parametrize("n", [2, 3, 8, 64, 1000])
def test_nccl_tests_bus_bandwidth_factors_are_exact(n):
    """With α = 0, busbw = (S/t)·factor equals the link bandwidth for every collective: all-reduce 2(n−1)/n,
    reduce-scatter / all-gather / all-to-all (n−1)/n (nccl-tests 'Summary'), in-network all-reduce (n−1)/(n+1)."""
    size, link = 2.0**30, 450e9
    r = CollectiveModel().solve(message_bytes=f"{size} B", n_ranks=n, bandwidth=f"{link} B/s", latency="0 s")
    factors = {"ring_allreduce": 2 * (n - 1) / n, "reduce_scatter": (n - 1) / n, "all_gather": (n - 1) / n,
               "all_to_all": (n - 1) / n, "in_network_allreduce": (n - 1) / (n + 1)}
    for name, factor in factors.items():
        t = getattr(r, name).m_as("s")
        assert size / t * factor == pytest.approx(link, rel=1e-15), name
