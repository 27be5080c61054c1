"""The validation report (derivations/validation.py, data derivations/validation_set.toml): every published row
predicted with cited priors, judged per regime against issue 15's bars. What holds is asserted; what does not is
measured and stated (docs/validation/report.md), never hidden.

Measured on this catalogue (73 rows): training 25 rows, mean |error| 8.5 % (Korthikanti's 8 step times 9.4 %;
MosaicML's 15 FSDP MFU rows 5.2 %; Llama 3's two MFU rows −22 % and −37 %, whose interleaving and overlap the table
does not print), 17/25 inside their range (68 %: below the 80 % asked), widest ±37 %; serving 30 TensorRT-LLM rows,
mean |error| 58.7 % (227 % before the structural fixes), 8/30 inside; energy and carbon 9 rows, 0.14 %; identities
9/9 within the printed precision.

Now (177 rows): training 125 rows — every row of MosaicML's H100 BF16 and A100 80GB tables instead of the 15 H100 rows
at 2,048 tokens — 21.4 % (H100 rows 6.6 % without checkpointing; A100 rows predicted ~30 % slow), 86/125 inside the
ranges (the fsdp prior's range is the published FSDP spread; widest +65 %, four MosaicML 13B rows over ±50 %);
serving 34 rows, 23.5 %, 17/34 inside, widest ±23 %.

With an FSDP prior per device (IBM/Meta's blog runs the same FSDP code on A100 and H100 side by side): training
16.1 %, 51/125 inside (the per-device ranges are narrower than MosaicML's spread), widest ±31 %. With each row's
attention kernel (MosaicML's A100 rows: FlashAttention's Triton kernel; IBM's: SDPA FlashAttention-2) on its own
roofline: 13.2 %, 71/125 inside. With MosaicML's A100 40GB table judged too (78 rows on DGX A100 320GB nodes, the
40 GB part reading the 80 GB part's priors): 13.5 % over 203 rows (that table alone 14.1 %), 134/203 inside. With
the H100 rows naming their Triton kernel too (its H100 share estimated from FlashAttention-2's H100 figure): 13.1 %,
146/203 inside. With both FSDP priors read through the walls from their source runs (derivations/prior_inversions.py:
the GEMMs' share that reproduces each run with its attention at FlashAttention-2's share; A100 0.616 [0.555, 0.699],
H100 0.432 [0.367, 0.504], instead of the runs' whole-step shares, 0.6005 [0.471, 0.689] and 0.42 [0.33, 0.45]):
13.3 %, 139/203 inside — no better, and said so: the priors now mean the share the walls use them as. With the
memory-bound work between the GEMMs on its own roofline for the fsdp stack (Korthikanti et al.'s 17 activation elements
per token, layer and hidden unit, streamed k_ops times at the memory's bandwidth) and the priors read again with it
(A100 0.632 [0.570, 0.711], H100 0.444 [0.380, 0.516]): 11.4 %, 147/203 inside. With the data-parallel exchange
charged as often as it runs (ZeRO-3's gathers and reduce-scatter every micro-step, over the same hierarchical
collective as the gradients; rule distributed-accumulation-exchange) and the priors read again through it (A100 0.608
[0.561, 0.689], H100 0.437 [0.374, 0.508]): 11.4 %, 139/203 inside. With the recomputed forward's cost a catalogued
convention (one forward) carrying the measured runs' spread, 0.78-1.17 forwards (torchtitan's paired 13B runs,
Korthikanti et al.'s Table 4; neither judged): 11.4 % (nominal unchanged), 162/203 inside, widest ±36 %. With
MosaicML's learned positional table (max_seq_len × d_model of the printed parameters, a lookup) no longer run as GEMM
FLOPs, the MFU converted back to the table's 6N: 11.5 %, 162/203 inside. With the loss's passes over the logits
charged where the runs name their loss kernel (MosaicML's default, FlashAttention's fused cross-entropy: 4 passes over
50,368 logits per token, counted from its kernel): 11.0 %, 164/203 inside (80.8 %)."""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from mlsysim_sym.catalog import catalog

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from derivations import validation as v  # noqa: E402


@pytest.fixture(scope="module")
def rows():
    return v.report()


@pytest.fixture(scope="module")
def summary():
    return v.summary()


def test_every_row_cites_a_source_in_the_bibliography(rows):
    bib = catalog().bib
    assert len(rows) >= 50
    for j in rows:
        assert j.bibkey in bib, j.id
        assert j.locator and j.conditions, j.id
    ids = [j.id for j in rows]
    assert len(ids) == len(set(ids))


def test_no_prior_comes_from_a_row_it_is_judged_on(rows):
    """Every prior a judged row used is a knobs.stacks row whose source is none of the report's sources, or — for a
    document split by table (NVIDIA's ResNet-50 README: the prior from its training table, its inference tables
    judged) — whose table no judged row cites."""
    cat = catalog()
    judged_sources = {j.bibkey for j in rows}
    for j in rows:
        for prior in filter(None, (p.strip() for p in j.prior.split(","))):
            if prior.startswith("none"):
                continue
            row = cat.constants["knobs." + prior]
            assert not v.judged_on_its_source(row), (j.id, prior, row.bibkey)
            assert row.bibkey not in judged_sources or row.bibkey in v.PRIOR_TABLES, (j.id, prior, row.bibkey)
            if prior.endswith(".kv_reread_share"):
                # a kernel's read pattern, read in its code or documentation: 0 (grouped) or 1 (per query head)
                assert row.si in (0.0, 1.0) and row.note, prior
            else:
                assert row.range is not None and row.range_basis, prior   # every efficiency prior states its spread


def test_energy_and_carbon_chains_within_two_percent(summary):
    """Patterson et al. 2021 Table 4 (GPT-3, T5), Luccioni et al. 2023 (BLOOM), Touvron et al. 2023 Table 2 (Llama 2
    13B/34B/70B with the carbon factor of the 7B row): mean |error| 0.14 %, worst 0.43 %."""
    s = summary["energy and carbon"]
    assert s["rows"] == 9 and s["mae"] <= 0.02 and s["max_abs_error"] <= 0.02


def test_identities_agree_to_the_printed_precision(summary, rows):
    """ZeRO model states (Rajbhandari et al. 2020 Fig. 1), MFU from Korthikanti et al.'s printed iteration times
    (their rounding carried as a range), OPT-13B's 800 KB of KV cache per token (Kwon et al. 2023 §3)."""
    assert summary["identity"]["agree"] == summary["identity"]["rows"] == 9
    assert all(j.ok for j in rows if j.regime == "identity")


def _mosaic_priors(device: str) -> tuple[str, str]:
    """The priors a MosaicML row lists (reading the device's, or the part's whose priors it reads): without and with
    full recomputation."""
    rest = (f"kernels.flash_triton.attention_efficiency_on_{device}, losses.fused_xentropy.logit_passes, "
            f"stacks.fsdp.elementwise_traffic, stacks.fsdp.gemm_efficiency_on_{device}")
    return rest, f"{rest}, stacks.fsdp.recompute_forward_cost"


def _mosaic(rows, hw: str, ckpt: bool | None = None) -> list:
    return [j for j in rows if j.id.startswith("mosaicml-mpt-") and j.args["node"] == f"DGX_{hw.upper()}"
            and (ckpt is None or j.args["activation_recomputation"] == ckpt)]


def test_training_error_and_its_ranges(summary, rows):
    """Issue 15's training bar is mean |error| ≤ 10 %. It held at 8.5 % over 25 rows (15 of them MosaicML's H100
    rows at 2,048 tokens); with every row of MosaicML's H100 BF16 and A100 80GB tables judged (113 rows) and IBM's
    fms-fsdp 34B/70B it was 21.4 % over 125 rows with one fsdp prior for every device, 16.1 % with the prior measured
    on each device (knobs.stacks.fsdp.gemm_efficiency_on_A100 / _on_H100), 13.2 % with each A100 row's attention
    kernel on its own roofline, 13.5 % over 203 rows with MosaicML's A100 40GB table (78 rows, 14.1 %) judged as
    well, 13.1 % with the H100 rows' kernel on its roofline too, 13.3 % with both FSDP priors read through the
    walls (their source runs reproduced by the walls, not their whole-step HFU), 11.4 % with the memory-bound
    work between the GEMMs charged for the fsdp stack, and stays 11.4 % with the data-parallel exchange charged as
    often as it runs and the priors read again through it, and with the recomputed forward's cost carrying its
    measured spread (the nominal stays one forward), 11.5 % with MosaicML's positional table no longer run as
    GEMM FLOPs, 11.0 % with its fused cross-entropy's passes over the logits charged — over the bar —, and 9.1 %
    with the fsdp stack's recomputed forward at its measured cost (0.777 forwards, torchtitan's paired 13B runs),
    megatron's at Korthikanti et al.'s Table 4 (1.17), and IBM/Meta's H100 runs read with the 10 % of each step their
    profile shows as exposed network taken off (the H100 prior 0.437 → 0.466): under the bar.

    Ranges: each device's prior carries the spread of that device's published FSDP runs read through the walls (A100
    0.561-0.648, H100 0.414-0.525; none judged), the element-wise count 12-17, each kernel's the paper's range, and
    under full recomputation the stack's recomputed forward's cost (fsdp 0.556-1, torchtitan's 70B runs read at its
    13B run's share up to the convention; megatron 1.155-1.185, Table 4's printed digit; neither judged; the
    convention's 0.78-1.17 for a stack without its own): widest ±33 %, so the ±50 % width holds for every row; 165 of
    203 rows hold the published value (81.3 %; 164 with the recomputation at the convention; 162 before
    the loss's passes over the logits were charged, 139 with the recomputation held at one forward, 147 before the
    exchange was charged per micro-step; outside are MosaicML's checkpointed rows the cost's range does not reach,
    above it on both devices, and its small-model rows without checkpointing, below it on A100)."""
    s = summary["training"]
    assert s["rows"] == 203 and 0.085 <= s["mae"] <= 0.095
    assert s["inside"] == 165 and s["inside"] / s["rows"] >= 0.8
    assert s["widest"] <= 0.5
    assert all(max(-j.width[0], j.width[1]) <= 0.5 for j in rows if j.regime.startswith("training"))


def test_mosaicml_tables_are_judged_in_full(rows):
    """Every row of MosaicML's 'H100 80GB BF16' (52), 'A100 80GB' (61) and 'A100 40GB' (78) tables, none picked: the
    generator (tools/validation/mosaicml_rows.py) writes them all, with unique ids."""
    assert len(_mosaic(rows, "h100")) == 52 and len(_mosaic(rows, "a100")) == 61
    assert len(_mosaic(rows, "a100_320gb")) == 78
    assert len({j.id for j in rows}) == len(rows)


def test_mosaicml_rows_read_their_devices_fsdp_prior_and_their_kernel(rows):
    """Each MosaicML row reads the FSDP prior measured on its own device and names the attention kernel its run used
    (FlashAttention's Triton kernel: attn_impl 'triton' in every mpt yaml and the benchmark script's default), at
    that kernel's share on the device: A100 from FlashAttention-2's abstract, H100 an estimate from its H100 figure.
    Mean error with the memory-bound work between the GEMMs charged and the priors read through the walls with it:
    H100 −13.2 % (−12.4 % before the exchange was charged per micro-step, −10.4 % without the element-wise term,
    −12.1 % with the runs' HFU as the prior), A100 −2.3 % (+0.4 % before, +2.8 % without the term, +1.1 % with the
    whole-step prior, −32 % with OPT's share and no kernel); the H100 bias is in the checkpointed rows. With the
    fsdp stack's measured recomputed forward (0.777) and the H100 prior read without IBM's exposed network: H100
    −7.7 %, A100 +2.2 %."""
    h100, a100 = _mosaic(rows, "h100"), _mosaic(rows, "a100")
    for group, dev in ((h100, "H100"), (a100, "A100")):
        assert {j.prior for j in group} == set(_mosaic_priors(dev))
        # the recomputed forward's cost is listed where the run recomputes, and only there
        assert all(("stacks.fsdp.recompute_forward_cost" in j.prior) == bool(j.args["activation_recomputation"])
                   for j in group)
    assert all(j.args.get("attention_kernel") == "flash_triton" for j in a100 + h100)
    h_bias, a_bias = (sum(j.error for j in g) / len(g) for g in (h100, a100))
    assert -0.10 <= h_bias <= -0.05 and -0.05 <= a_bias <= 0.05
    # 10.5 % (11.0 % before the loss's passes were charged, 10.7 % with the positional table's parameters run as GEMM
    # FLOPs, 10.4 % before the exchange was charged per micro-step, 12.2 % without the element-wise term)
    assert sum(abs(j.error) for j in a100) / len(a100) <= 0.11
    # 8.9 % (13.4 % with the H100 prior read from IBM's whole steps and the recomputed forward at one forward)
    assert sum(abs(j.error) for j in h100) / len(h100) <= 0.10
    # mean error −4.0 %, |error| 5.4 % (−7.9 % and 8.2 % with the H100 prior read from IBM's whole steps)
    unchecked = _mosaic(rows, "h100", False)
    assert -0.06 <= sum(j.error for j in unchecked) / len(unchecked) <= -0.02
    assert sum(abs(j.error) for j in unchecked) / len(unchecked) <= 0.06
    # the long unchecked A100 sequences, attention-bound, were −35 % with attention counted without the kernel
    long = [j for j in a100 if j.args["seq_len"] >= 16384 and not j.args["activation_recomputation"]]
    # −0.1 % … +11.0 % (−0.0 % … +12.5 % before the loss's passes were charged, −0.8 % … +9.5 % with the positional
    # table's parameters run as GEMM FLOPs)
    assert len(long) == 11 and all(-0.02 <= j.error <= 0.12 for j in long)


def test_mosaicml_positional_tables_are_lookups_not_gemms():
    """MPT at the cited commit learns a positional table (configuration_mpt.py: learned_pos_emb defaults to True, ALiBi
    off, neither set by the yamls or the benchmark script), max_seq_len × d_model parameters that the table's N
    includes: the walls run the forward FLOPs without them (two per other parameter), and the MFU is counted back the
    way the table counts it (6N with N as printed), so the predicted MFU is the one the table would print for the
    predicted step."""
    data = tomllib.loads((ROOT / "derivations" / "validation_mosaicml.toml").read_text(encoding="utf-8"))["row"]
    assert all(r["args"]["lookup_params"] == r["args"]["seq_len"] * r["args"]["shape"][1] for r in data)
    row = next(r for r in data if r["id"] == "mosaicml-mpt-125m-a100-s65536-8-gpus")
    a = row["args"]
    heads, d, layers, n = a["shape"]
    res, field, per, _ = v._predict(row)
    vals = res.result.values
    assert vals["O_fwd"] == pytest.approx(2 * (n - 65536 * d), rel=1e-12) and vals["P"] == n
    attn = 4 * layers * d * 65536
    assert per == pytest.approx((2 * (n - 65536 * d) + attn) / (2 * n + attn), rel=1e-12)
    j = v.judge(row)
    assert j.predicted == pytest.approx(res.mfu / per, rel=1e-12) and j.low < j.predicted < j.high


def test_fsdp_rows_with_full_recomputation_on_a100(rows):
    """The checkpointed A100 rows of both FSDP tables (fms-fsdp 34B/70B with SDPA FlashAttention-2, and MosaicML's
    22) were all predicted too slow with OPT's share (−10 % to −41 %); with the A100 prior read through the walls and
    their kernels they lie within −26 % … +13 %, and with the fsdp stack's measured recomputed forward (0.777
    forwards) within −21 % … +19 %."""
    ckpt = [j for j in rows if j.id.startswith("fms-fsdp")] + _mosaic(rows, "a100", True)
    assert len(ckpt) == 24 and all(-0.22 <= j.error <= 0.20 for j in ckpt)
    assert all(j.args.get("attention_kernel") == "flash2" for j in rows if j.id.startswith("fms-fsdp"))


def test_korthikanti_step_times_within_18_percent_each(rows):
    """The eight iteration times of Korthikanti et al. Tables 3/5 with the megatron prior (PaLM's HFU): −17.4 % to
    +14.3 %, mean 9.4 %, with the recomputed forward at the convention's one forward; −14.2 % to +17.7 %, mean 10.3 %,
    at megatron's own measured cost (1.17 forwards, the same paper's Table 4, which times one layer)."""
    k = [j for j in rows if j.id.startswith("korthikanti") and j.regime == "training step"]
    assert len(k) == 8
    assert max(abs(j.error) for j in k) <= 0.18
    assert sum(abs(j.error) for j in k) / 8 <= 0.105


def test_structural_fixes_reduce_the_serving_error(summary, rows):
    """Wall 4 before (0.3.0's shape: decode on memory only, no prefill in the request mix, every key/value head read
    once) and after, on the same priors: the mean |error| over the 66 TensorRT-LLM rows (LLaMA 2, GPT-J 6B and
    Falcon-180B on A100, H100, L40S and H200) falls far below the before and within issue 15's bar (25 %); the LLaMA
    128/128 rows at batch 384-1,280 fall from +182 %-+947 % to −5 %-+34 % (each kernel on its own rooflines)."""
    s = summary["serving"]
    assert s["rows"] == 66 + 115 and s["mae_before"] > 5 * s["mae"] and s["mae"] <= 0.25
    first = [j for j in rows if not j.id.startswith("trtllm080-")]       # the v0.5/v0.6 tables and the H200 posts
    big = [j for j in first if j.regime == "serving throughput" and j.id.endswith("-128-128") and "llama" in j.id
           and j.args["batch_size"] >= 384]
    assert len(big) == 6 and all(-0.06 <= j.error <= 0.35 for j in big)
    big_batch = [j for j in rows if j.regime == "serving throughput" and "-128-128" in j.id]
    assert len(big_batch) > 20 and all(abs(j.error) < abs(j.before_error) for j in big_batch)


def test_cnn_inference_rows_every_inference_row_judged_with_the_training_tables_priors(rows, summary):
    """NVIDIA's eager-PyTorch ResNet-50 v1.5 README: the pytorch stack's CNN priors come from its one-GPU training rows
    (0.2275 of the fp16 peak in mixed precision, 0.5665 of the fp32 peak in FP32); all 36 inference rows (V100 and T4,
    mixed precision and FP32, batch 1-256) are judged with them. Mixed precision from batch 64: V100 within +13 %,
    T4 about +50 %; below, a ~12-13 ms floor per batch in the published numbers (the benchmark loop's fixed cost)
    makes the prediction up to 16× too fast. FP32 from batch 16: V100 −14 … +3 %, T4 +30 … +35 %. No bar is set."""
    every = [j for j in rows if j.regime == "CNN inference throughput"]
    assert len(every) == 36 and summary["CNN inference"]["rows"] == 36
    for prec in ("fp16", "fp32"):
        mine = [j for j in every if j.args["precision"] == prec]
        assert len(mine) == 18 and {j.args["batch_size"] for j in mine} == {1, 2, 4, 8, 16, 32, 64, 128, 256}
        assert all(j.prior == f"stacks.pytorch.cnn_efficiency_{prec}" for j in mine)
    fp32 = [j for j in every if j.args["precision"] == "fp32" and j.args["batch_size"] >= 16]
    assert all(-0.15 <= j.error <= 0.03 for j in fp32 if j.args["hardware"] == "V100")
    assert all(0.29 <= j.error <= 0.36 for j in fp32 if j.args["hardware"] == "T4")
    cnn = [j for j in every if j.args["precision"] == "fp16"]
    big = [j for j in cnn if j.args["batch_size"] >= 64]
    assert all(0 < j.error <= 0.14 for j in big if j.args["hardware"] == "V100")
    assert all(0.45 <= j.error <= 0.55 for j in big if j.args["hardware"] == "T4")
    assert all(j.args["batch_size"] / j.published >= 0.012 for j in cnn)        # the published per-batch floor
    assert max(j.error for j in cnn) > 10 and summary["CNN inference"]["bar"] is None


def test_per_query_head_kv_reads_fix_the_pre_xqa_grouped_query_rows(rows):
    """TensorRT-LLM v0.5/v0.6 read each key/value head once per query head (stack trtllm_pre_xqa): its four
    Llama-2-70B long-output rows were +148 % to +343 % with the cache read once per group, and are −24 % to +18 %."""
    pre = [j for j in rows if not j.id.startswith("trtllm080-") and (
           j.regime == "serving throughput" and "-70b-" in j.id and j.id.endswith("-128-2048")
           or (j.id.endswith("-2048-2048") and "-70b-" in j.id))]
    assert len(pre) == 4
    assert all(-0.24 <= j.error <= 0.18 for j in pre)
    assert all("stacks.trtllm_pre_xqa.kv_reread_share" in j.prior.split(", ") for j in pre)


def test_trtllm080_page_is_judged_in_full_with_the_kernel_its_release_picks(rows):
    """TensorRT-LLM 0.8.0's performance page: its 79 throughput rows and 36 of its 40 first-token rows (the GPT-J
    128-token ones give the trtllm stack's request overhead) are judged, written by tools/validation/trtllm080_rows.py
    (the file is its output). Llama-2-70B decodes with XQA (the release's support check: 8 query heads per key/value
    head, head size 128), read as the stack's once-per-group re-read share; Mistral 7B and Falcon-180B, refused by it,
    with the masked kernel (re-read share 1). Measured: 68/115 inside their ranges, mean |error| 18.3 %; the
    one-key/value-head models 5.9 % off H200; Llama-2-70B's long outputs +28 % to +68 % (XQA read slower than once
    per group at the prior's bandwidth)."""
    import subprocess

    tool = Path(__file__).parents[1] / "tools" / "validation" / "trtllm080_rows.py"
    out = subprocess.run([sys.executable, str(tool)], check=True, capture_output=True, text=True).stdout
    assert out == v.SET_TRTLLM080.read_text(encoding="utf-8")
    v08 = [j for j in rows if j.id.startswith("trtllm080-")]
    thr = [j for j in v08 if j.regime == "serving throughput"]
    ttft = [j for j in v08 if j.regime == "serving TTFT"]
    assert len(thr) == 79 and len(ttft) == 36 and len({j.id for j in v08}) == 115
    assert not any(j.args["model"] == "GPT_J_6B" and j.args["input_len"] == 128 for j in ttft)
    for j in thr:
        masked = j.args["model"] in ("Mistral_7B", "Falcon_180B")
        assert (j.args.get("kv_reread_share") == 1) == masked
        # the masked-kernel rows read no re-read prior (their share is the row's, from the release's code)
        assert ("stacks.trtllm.kv_reread_share" in j.prior.split(", ")) == (not masked)
    one_head = [j for j in thr if j.args["model"] in ("GPT_J_6B", "Llama2_7B") and j.args["hardware"] != "H200"]
    assert sum(abs(j.error) for j in one_head) / len(one_head) <= 0.07
    xqa_long = [j for j in thr if j.args["model"] == "Llama2_70B" and j.args["output_len"] == 2048
                and j.args["hardware"] != "L40S"]
    assert all(0.2 <= j.error <= 0.7 for j in xqa_long)


def test_report_is_reproducible_and_the_set_parses():
    data = tomllib.loads(v.SET.read_text(encoding="utf-8"))["row"]
    assert len(tomllib.loads(v.SET_MOSAICML.read_text(encoding="utf-8"))["row"]) == 191
    assert {r["regime"] for r in data} >= {"training step", "serving throughput", "serving TTFT", "energy and carbon",
                                          "identity"}
    again = [v.judge(r) for r in data[:3]]
    assert [j.predicted for j in again] == [j.predicted for j in v.report()[:3]]


def test_the_set_is_one_list_read_by_the_report_and_by_check(tmp_path):
    """validation_set.toml names the set's further files (``include``), in the order they are judged; the report and
    the citation audit read that one list: a named file that is missing is an error, and ``check`` flags a
    validation_*.toml that no include names (it would be audited but not judged)."""
    from mlsysim_sym import paths

    assert v.SETS == (v.SET, v.SET_MOSAICML, v.SET_TRTLLM080)
    assert [j.id for j in v.report()][:3] == [r["id"] for r in tomllib.loads(v.SET.read_text(encoding="utf-8"))["row"][:3]]
    (tmp_path / "validation_set.toml").write_text('include = ["validation_b.toml", "validation_a.toml"]\n',
                                                  encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="validation_b.toml"):
        paths.validation_sets(tmp_path)
    for name in ("validation_a.toml", "validation_b.toml"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert [f.name for f in paths.validation_sets(tmp_path)] == ["validation_set.toml", "validation_b.toml",
                                                                  "validation_a.toml"]
    assert paths.validation_sets(tmp_path / "nowhere") == ()


def test_check_flags_a_validation_file_no_include_names(tmp_path, monkeypatch):
    import shutil

    from mlsysim_sym import audit, paths

    data = tmp_path / "data"
    shutil.copytree(paths.constants_dir(), data / "constants")
    shutil.copy(paths.bib_path(), data / "citations.bib")
    shutil.copytree(paths.derivations_dir(), data / "derivations", ignore=shutil.ignore_patterns("__pycache__"))
    (data / "derivations" / "validation_extra.toml").write_text("", encoding="utf-8")
    monkeypatch.setattr(paths, "data_root", lambda: data)
    problems = audit.audit()["problems"]
    assert any("validation_extra.toml: not in validation_set.toml's include list" in p for p in problems)


def test_report_page_is_current():
    """docs/validation/report.md is generated from the report: `python tools/validation/validation_report.py`."""
    import subprocess

    run = subprocess.run([sys.executable, str(ROOT / "tools" / "validation" / "validation_report.py"), "--check"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a100_40gb_rows_read_the_a100_priors_through_priors_from(rows):
    """MosaicML's A100 40GB table runs on DGX A100 320GB nodes (eight A100 40GB, NVIDIA's MLPerf Training v0.7 system
    description). The 40 GB part catalogues no priors of its own: it reads the A100 80GB's (hardware attribute
    priors_from: the same die, SMs, clocks and peaks), its FSDP share and its Triton FlashAttention share, while its
    own rows give its memory — its 1.555 TB/s HBM among them, which the memory-bound work between the GEMMs runs at.
    Measured: mean |error| 10.1 %, mean error −9.0 % checkpointed and +9.3 % not (11.0 %, −6.7 % and +11.9 % before
    the exchange was charged per micro-step and the priors read again; 14.1 %, −7.7 % and +16.5 % with
    neither that term nor the priors read through the walls; the MPT-125M rows +20 % … +50 % then, up to +40 % now:
    small models still reach a smaller share of peak than the walls give them). With the fsdp stack's measured
    recomputed forward (0.777 forwards): 8.5 %, −3.6 % checkpointed, +8.3 % not."""
    g = _mosaic(rows, "a100_320gb")
    assert {j.prior for j in g} == set(_mosaic_priors("A100"))
    assert all(j.args.get("attention_kernel") == "flash_triton" for j in g)
    assert 0.075 <= sum(abs(j.error) for j in g) / len(g) <= 0.095
    ck, no = _mosaic(rows, "a100_320gb", True), _mosaic(rows, "a100_320gb", False)
    assert -0.06 <= sum(j.error for j in ck) / len(ck) <= -0.02
    assert 0.08 <= sum(j.error for j in no) / len(no) <= 0.15
