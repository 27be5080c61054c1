"""Efficiency priors by software stack (constants/knobs/stacks.toml), wall 4 on both rooflines with tensor
parallelism and a request mix, serving capacity charging each request's prefill, and `zoo --sources`."""
from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

import mlsysim_sym as mlsysim
from mlsysim_sym import ServingCapacityModel, ServingModel
from mlsysim_sym.catalog import catalog
from mlsysim_sym.cli import cli
from mlsysim_sym.errors import InputError


def test_a_named_stack_supplies_cited_priors_and_the_trace_names_them():
    r = ServingModel().solve("Llama3_8B", "H100", seq_len=2048, batch_size=32, stack="vllm")
    cat = catalog()
    assert r.result.values["eta_hw"] == cat.constants["knobs.stacks.vllm.gemm_efficiency"].si
    assert r.result.values["eta_bw"] == cat.constants["knobs.stacks.vllm.bandwidth_efficiency"].si
    ids = {c.ref for c in r.sources}
    assert {"knobs.stacks.vllm.gemm_efficiency", "knobs.stacks.vllm.bandwidth_efficiency"} <= ids
    assert "knobs.stacks.vllm" in r.explain()


def test_precision_specific_prior_wins_and_a_given_efficiency_wins_over_the_stack():
    cat = catalog()
    r8 = ServingModel().solve("Llama2_7B", "H100", seq_len=128, precision="fp8", stack="trtllm")
    assert r8.result.values["eta_hw"] == cat.constants["knobs.stacks.trtllm.gemm_efficiency_fp8"].si
    mine = ServingModel().solve("Llama2_7B", "H100", seq_len=128, precision="fp8", stack="trtllm", efficiency=0.3,
                                bandwidth_efficiency=0.5)
    assert mine.result.values["eta_hw"] == 0.3 and mine.result.values["eta_bw"] == 0.5


def test_no_stack_keeps_the_defaults_and_an_unknown_stack_is_refused():
    r = ServingModel().solve("Llama3_8B", "H100", seq_len=2048)
    assert r.result.values["eta_hw"] == catalog().constants["knobs.engine.efficiency"].si
    assert r.result.values["eta_bw"] == 1.0
    with pytest.raises(InputError, match="not catalogued.*megatron"):
        ServingModel().solve("Llama3_8B", "H100", seq_len=2048, stack="tgi")


def test_training_stack_prior_in_distributed_model():
    fleet = mlsysim.Fleet(name="Selene 64", node="DGX_A100", count=8, fabric="InfiniBand_HDR")
    r = mlsysim.DistributedModel().solve("GPT3", fleet, batch_size=64, tp_size=8, pp_size=8, microbatch_count=64,
                                         stack="megatron")
    assert r.result.values["eta_hw"] == catalog().constants["knobs.stacks.megatron.gemm_efficiency"].si


@pytest.mark.parametrize("node, device", [("DGX_A100", "A100"), ("DGX_H100", "H100")])
def test_a_stack_prior_measured_on_the_fleets_device_is_read_first(node, device):
    """fsdp catalogues a prior per device (IBM/Meta's blog ran the same FSDP code on A100 and H100): a fleet of that
    device reads it, with its own citation, before the stack's general prior; a given efficiency still wins."""
    cat = catalog()
    fleet = mlsysim.Fleet(name="eight", node=node, count=1, fabric="InfiniBand_NDR")
    r = mlsysim.DistributedModel().solve("Llama2_7B", fleet, batch_size=16, zero_stage=3, stack="fsdp")
    row = cat.constants[f"knobs.stacks.fsdp.gemm_efficiency_on_{device}"]
    assert r.result.values["eta_hw"] == row.si
    assert f"knobs.stacks.fsdp.gemm_efficiency_on_{device}" in {c.ref for c in r.sources}
    # read through the walls from published FSDP runs (derivations/prior_inversions.py); cited to the median run's source
    assert row.bibkey in ("pytorch2024maximizingfsdp", "pytorch2024torchtitana100") and row.range is not None
    assert "prior_inversions" in row.working
    mine = mlsysim.DistributedModel().solve("Llama2_7B", fleet, batch_size=16, zero_stage=3, stack="fsdp",
                                            efficiency=0.5)
    assert mine.result.values["eta_hw"] == 0.5


def test_a_device_without_its_own_prior_reads_the_stacks_general_one():
    cat = catalog()
    fleet = mlsysim.Fleet(name="eight B200", node="DGX_B200", count=1, fabric="InfiniBand_NDR")
    r = mlsysim.DistributedModel().solve("Llama2_7B", fleet, batch_size=16, zero_stage=3, stack="fsdp")
    assert r.result.values["eta_hw"] == cat.constants["knobs.stacks.fsdp.gemm_efficiency"].si
    # the single-node facades look at their hardware argument the same way
    e = mlsysim.Engine.solve("Llama2_7B", "H100", batch_size=8, stack="fsdp")
    assert e.result.values["eta_hw"] == cat.constants["knobs.stacks.fsdp.gemm_efficiency_on_H100"].si
    e = mlsysim.Engine.solve("Llama2_7B", "H200", batch_size=8, stack="fsdp")
    assert e.result.values["eta_hw"] == cat.constants["knobs.stacks.fsdp.gemm_efficiency"].si


def test_a_stack_inherits_what_it_does_not_catalogue():
    """trtllm_pre_xqa (TensorRT-LLM v0.5-v0.7) differs from trtllm in its generation-attention kernel and in the
    measured fixed cost of its v0.5 generate call: it catalogues its own kv_reread_share and request_overhead and
    reads trtllm's GEMM and bandwidth priors (the stacks table's `inherits`), cited as trtllm's."""
    from mlsysim_sym.binding.facade import stack_lineage

    cat = catalog()
    ent = cat.entities[("knobs", "stacks")]
    assert stack_lineage(ent, "trtllm_pre_xqa") == ("trtllm_pre_xqa", "trtllm")
    assert stack_lineage(ent, "vllm") == ("vllm",)
    own = {"trtllm_pre_xqa.kv_reread_share", "trtllm_pre_xqa.request_overhead"}
    assert {f for f in ent.values if f.startswith("trtllm_pre_xqa.")} == own
    r = ServingModel().solve("Llama2_70B", "H100", seq_len=128, precision="fp8", stack="trtllm_pre_xqa")
    refs = {s.symbol: s.ref for s in r.sources}
    assert refs["eta_hw"] == "knobs.stacks.trtllm.gemm_efficiency_fp8"
    assert refs["eta_bw"] == "knobs.stacks.trtllm.bandwidth_efficiency"
    assert refs["kappa_kv"] == "knobs.stacks.trtllm_pre_xqa.kv_reread_share"
    assert refs["tau_req"] == "knobs.stacks.trtllm_pre_xqa.request_overhead"


def test_prior_lookup_order():
    from mlsysim_sym.binding.facade import prior_names
    assert prior_names("gemm_efficiency", "fp8", "H100") == (
        "gemm_efficiency_fp8_on_H100", "gemm_efficiency_on_H100", "gemm_efficiency_fp8", "gemm_efficiency")
    assert prior_names("gemm_efficiency", None, None) == ("gemm_efficiency",)


def test_decode_is_compute_bound_at_large_batch_and_memory_bound_at_small():
    small = ServingModel().solve("Llama3_8B", "H100", seq_len=64, batch_size=1, stack="trtllm")
    large = ServingModel().solve("Llama3_8B", "H100", seq_len=64, batch_size=1024, stack="trtllm")
    assert small.decode_bound == "memory" and large.decode_bound == "compute"
    with mlsysim.edition("mlsysim-0.3.0"):   # 0.3.0's rule: decode on memory only
        old = ServingModel().solve("Llama3_8B", "H100", seq_len=64, batch_size=1024, stack="trtllm")
    assert old.itl < large.itl


def test_short_prompt_prefill_reads_the_weights():
    r = ServingModel().solve("Llama2_70B", "H100", seq_len=16, batch_size=1, precision="fp8", stack="trtllm")
    assert r.prefill_bound == "memory"
    w = r.result.values["W"]
    assert r.ttft.m_as("s") >= w / (r.result.values["BW_mem"] * r.result.values["eta_bw"])


def test_tensor_parallelism_divides_the_work_and_adds_all_reduces():
    one = ServingModel().solve("Llama2_70B", "H100", seq_len=2048, batch_size=8, precision="fp8")
    four = ServingModel().solve("Llama2_70B", "H100", seq_len=2048, batch_size=8, precision="fp8", tensor_parallel=4)
    v = four.result.values
    assert v["T_ar_dec"] > 0 and one.result.values["T_ar_dec"] == 0
    assert four.itl < one.itl and four.itl.m_as("s") > one.itl.m_as("s") / 4
    assert math.isclose(v["U_mem"] * 4, one.result.values["U_mem"], rel_tol=1e-12)
    with pytest.raises(InputError, match="link between the devices"):
        ServingModel().solve("Llama3_8B", "T4", seq_len=128, tensor_parallel=2)


def test_tensor_parallelism_without_nvlink_rings_over_pcie():
    """A device with no scale-up link (L40S) all-reduces over its host link, per direction, at NCCL's PCIe ring step."""
    r = ServingModel().solve("Llama2_70B", "L40S", seq_len=128, batch_size=1, precision="fp8", tensor_parallel=4)
    v = r.result.values
    refs = {s.symbol: s.ref for s in r.sources if s.symbol in ("BW_tp", "alpha_tp")}
    assert refs == {"BW_tp": "hardware.L40S.host_link.bandwidth", "alpha_tp": "knobs.distributed.pcie_latency"}
    assert v["BW_tp"] == pytest.approx(32e9) and v["alpha_tp"] == pytest.approx(1e-6)
    h100 = ServingModel().solve("Llama2_70B", "H100", seq_len=128, batch_size=1, precision="fp8", tensor_parallel=4)
    assert v["T_ar_pre"] > 10 * h100.result.values["T_ar_pre"]     # 32 GB/s of PCIe against 450 GB/s of NVLink


def test_tensor_parallel_all_reduces_carry_the_16_bit_activations():
    """FP8 weights inside a float16 network (nvidia2023trtllmperf's builds): the row-parallel GEMMs' partial sums are
    all-reduced at 16 bits, as an FP16 model's are; FP32 weights keep 32-bit activations."""
    kw = dict(seq_len=2048, batch_size=1, tensor_parallel=4)
    v = {p: ServingModel().solve("Llama2_70B", "H100", precision=p, **kw).result.values for p in ("fp8", "fp16", "fp32")}
    assert [v[p]["b_ar"] for p in ("fp8", "fp16", "fp32")] == [2.0, 2.0, 4.0]
    assert v["fp8"]["T_ar_pre"] == pytest.approx(v["fp16"]["T_ar_pre"], rel=1e-12)
    latency = v["fp16"]["T_ar_pre"] - (v["fp32"]["T_ar_pre"] - v["fp16"]["T_ar_pre"])   # the α part, no bytes
    assert 0 < latency < v["fp16"]["T_ar_pre"]
    r = ServingModel().solve("Llama2_70B", "H100", precision="fp8", **kw)
    assert {(s.ref, s.bibkey) for s in r.sources if s.symbol == "b_act"} == {
        ("knobs.serving.activation_width", "nvidia2023trtllmperf")}


def test_request_mix_fields_only_with_output_len():
    r = ServingModel().solve("Llama2_7B", "A100", seq_len=128, batch_size=64)
    assert r.request_tokens_per_second is None and r.request_latency is None
    m = ServingModel().solve("Llama2_7B", "A100", seq_len=128, batch_size=64, output_len=128)
    assert m.request_latency.m_as("s") == pytest.approx(m.ttft.m_as("s") + 127 * m.mean_itl.m_as("s"), rel=1e-12)
    assert float(m.request_tokens_per_second) == pytest.approx(64 * 128 / m.request_latency.m_as("s"), rel=1e-12)
    assert float(m.request_tokens_per_second) < float(m.tokens_per_second)   # prefill is charged


def test_serving_capacity_charges_prefill_at_the_input_length():
    kw = dict(qps=20, target_p99_latency_ms=5000, max_seq_len=4096, mean_request_tokens=2176, output_tokens=128)
    ours = ServingCapacityModel().solve("Llama3_8B", "H100", **kw)
    with mlsysim.edition("mlsysim-0.3.0"):
        old = ServingCapacityModel().solve("Llama3_8B", "H100", **kw)
    assert ours.result.values["S"] == 2176 - 128 and old.result.values["S"] == 2176
    assert ours.per_replica_qps_capacity < old.per_replica_qps_capacity   # prefill occupies the replica


def test_zoo_sources_show_note_working_kind_and_range_and_filter_by_kind():
    run = CliRunner().invoke(cli, ["zoo", "knobs", "--sources", "--filter", "stacks"])
    assert run.exit_code == 0, run.output
    assert "working:" in run.output and "range:" in run.output and "[estimate]" in run.output
    js = CliRunner().invoke(cli, ["-o", "json", "zoo", "hardware", "--kind", "estimate", "--filter", "H100"])
    doc = json.loads(js.output)
    rows = [v for e in doc["hardware"] for k, v in e.items() if isinstance(v, dict)]
    assert rows and all(v["kind"] == "estimate" and v["working"] for v in rows)
    bad = CliRunner().invoke(cli, ["zoo", "hardware", "--kind", "guess"])
    assert bad.exit_code != 0 and "row kind" in (bad.output + str(bad.exception))


def test_check_reports_shares_by_kind_and_source_type_and_the_working_count():
    from mlsysim_sym.audit import audit

    doc = audit()
    assert not doc["problems"], doc["problems"][:3]
    assert doc["estimates_without_working"] == 0
    assert math.isclose(sum(doc["by_kind_share"].values()), 1.0, abs_tol=1e-3)
    assert math.isclose(sum(doc["by_source_type_share"].values()), 1.0, abs_tol=1e-3)


def test_serve_cli_takes_tensor_parallel_output_len_and_stack():
    args = ["-o", "json", "serve", "Llama2_70B", "H100", "-s", "128", "--output-len", "2048", "-b", "480", "-p", "fp8",
            "--tensor-parallel", "4", "--stack", "trtllm"]
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 0, run.output
    doc = json.loads(run.output)
    assert doc["request_tokens_per_sec"] < doc["tokens_per_sec"] and doc["request_latency_ms"] > doc["ttft_ms"]
    assert doc["efficiency"] == catalog().constants["knobs.stacks.trtllm.gemm_efficiency_fp8"].si
    plain = json.loads(CliRunner().invoke(cli, ["-o", "json", "serve", "Llama2_7B", "A100"]).output)
    assert "request_tokens_per_sec" not in plain       # 0.3.0's keys unless a request mix is asked for
    bad = CliRunner().invoke(cli, ["serve", "Llama2_7B", "A100", "--stack", "tgi"])
    assert bad.exit_code == 1 and "not catalogued" in (bad.output + str(bad.exception))


def test_engine_and_eval_take_a_stack():
    p = mlsysim.Engine.solve("Llama3_8B", "H100", batch_size=32, stack="pytorch")
    assert p.result.values["eta_hw"] == catalog().constants["knobs.stacks.pytorch.gemm_efficiency"].si
    run = CliRunner().invoke(cli, ["eval", "Llama3_8B", "H100", "-b", "32", "--stack", "pytorch"])
    assert run.exit_code == 0 and "efficiency 0.768" in run.output and "optimistic" not in run.output


def test_a_cnn_reads_the_stacks_cnn_prior_and_a_stack_without_one_is_refused():
    """A convolutional network named with a stack takes that stack's cnn_efficiency (NVIDIA's eager-PyTorch ResNet-50
    training rows), not its GEMM share measured on large GEMMs; a stack or precision with no CNN prior is refused
    with the stacks that have one, and an explicit efficiency still wins; transformers keep the GEMM prior."""
    cat = catalog()
    cnn = cat.constants["knobs.stacks.pytorch.cnn_efficiency_fp16"]
    r = mlsysim.Engine.solve("ResNet50", "V100", batch_size=256, precision="fp16", stack="pytorch")
    assert r.result.values["eta_hw"] == cnn.si and r.result.refs["eta_hw"].id == cnn.id
    assert cnn.si < cat.constants["knobs.stacks.pytorch.gemm_efficiency"].si / 3
    for kw in (dict(precision="int8", stack="pytorch"), dict(precision="fp16", stack="vllm")):
        with pytest.raises(InputError, match=r"no catalogued cnn_efficiency_.*: give efficiency= or a stack that has one: pytorch \(cnn_efficiency_fp16\)"):
            mlsysim.Engine.solve("ResNet50", "H100", batch_size=256, **kw)
    given = mlsysim.Engine.solve("ResNet50", "H100", batch_size=256, precision="int8", stack="pytorch", efficiency=0.3)
    assert given.result.values["eta_hw"] == 0.3
    llm = mlsysim.Engine.solve("Llama3_8B", "H100", batch_size=32, stack="pytorch")
    assert llm.result.values["eta_hw"] == cat.constants["knobs.stacks.pytorch.gemm_efficiency"].si
    run = CliRunner().invoke(cli, ["eval", "ResNet50", "T4", "-b", "64", "--stack", "vllm"])
    assert run.exit_code == 1 and "no catalogued cnn_efficiency_fp16" in (run.output + str(run.exception))


# ---- grouped-query decode: how often the kernel reads each key/value head (shape.kv_reads) ---------------------------
def _attention_stream(r) -> float:
    """The decode step's attention streaming the KV cache, seconds: the cache read n_kvread times."""
    v = r.result.values
    return v["KV"] * v["n_kvread"] / (v["BW_mem"] * v["eta_bw"] * v["N_tp"])


def test_pre_xqa_kernel_reads_each_kv_head_once_per_query_head():
    cat = catalog()
    kw = dict(seq_len=4096, batch_size=64, precision="fp8")
    grouped = ServingModel().solve("Llama2_70B", "H100", stack="trtllm", **kw)
    per_head = ServingModel().solve("Llama2_70B", "H100", stack="trtllm_pre_xqa", **kw)
    g, p = grouped.result.values, per_head.result.values
    assert g["kappa_kv"] == cat.constants["knobs.stacks.trtllm.kv_reread_share"].si == 0
    assert p["kappa_kv"] == cat.constants["knobs.stacks.trtllm_pre_xqa.kv_reread_share"].si == 1
    assert g["n_kvread"] == 1 and p["n_kvread"] == p["H"] / p["H_kv"] == 8
    # the cache's size in memory is the same; only the bytes streamed per step differ
    assert p["KV"] == g["KV"] and p["U_mem"] == g["U_mem"]
    assert per_head.itl > grouped.itl
    assert p["T_dattn"] >= _attention_stream(per_head) * (1 - 1e-12)
    assert math.isclose(p["T_dattn"] - g["T_dattn"], _attention_stream(per_head) - _attention_stream(grouped),
                        rel_tol=1e-9) and p["T_dlin"] == g["T_dlin"]
    ids = {c.ref for c in per_head.sources}
    assert "knobs.stacks.trtllm_pre_xqa.kv_reread_share" in ids
    assert "nvidia2023trtllmmmha" in per_head.result.bibkeys


def test_kv_reread_share_is_inert_for_multi_head_attention_and_interpolates_for_gqa():
    # Llama 2 7B has one key/value head per query head: nothing to read again
    a = ServingModel().solve("Llama2_7B", "A100", seq_len=2048, batch_size=16, kv_reread_share=0.0)
    b = ServingModel().solve("Llama2_7B", "A100", seq_len=2048, batch_size=16, kv_reread_share=1.0)
    assert a.result.values["n_kvread"] == b.result.values["n_kvread"] == 1 and a.itl == b.itl
    # a grouped model: reads grow linearly in the share, from 1 to H/H_kv
    reads = [ServingModel().solve("Llama3_8B", "H100", seq_len=2048, batch_size=16,
                                  kv_reread_share=k).result.values["n_kvread"] for k in (0.0, 0.25, 0.5, 1.0)]
    assert reads == [1.0, 1.75, 2.5, 4.0]


def test_kv_reread_share_default_reproduces_the_rooflines_and_bad_values_are_refused():
    none = ServingModel().solve("Llama2_70B", "H100", seq_len=2048, batch_size=8, precision="fp8")
    assert none.result.values["kappa_kv"] == 0 and none.result.values["n_kvread"] == 1
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(InputError, match="kv_reread_share"):
            ServingModel().solve("Llama2_70B", "H100", seq_len=2048, kv_reread_share=bad)
    # an explicit share wins over the stack's prior
    mine = ServingModel().solve("Llama2_70B", "H100", seq_len=2048, stack="trtllm_pre_xqa", kv_reread_share=0.0)
    assert mine.result.values["n_kvread"] == 1


def test_continuous_batching_reads_the_cache_as_the_stack_kernel_does():
    kw = dict(max_seq_len=4096, max_batch_size=256, precision="fp8")
    one = mlsysim.ContinuousBatchingModel().solve("Llama2_70B", "H200", stack="trtllm", **kw)
    per_head = mlsysim.ContinuousBatchingModel().solve("Llama2_70B", "H200", stack="trtllm_pre_xqa", **kw)
    assert per_head.result.values["n_kvread"] == 8 and one.result.values["n_kvread"] == 1
    assert per_head.itl > one.itl and per_head.max_active_requests == one.max_active_requests


def test_serve_cli_takes_kv_reread_share():
    runner = CliRunner()
    res = runner.invoke(cli, ["serve", "Llama2_70B", "H100", "-s", "128", "--output-len", "2048", "-b", "64", "-p",
                              "fp8", "--tensor-parallel", "4", "--stack", "trtllm", "--kv-reread-share", "1",
                              "--output", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    base = json.loads(runner.invoke(cli, ["serve", "Llama2_70B", "H100", "-s", "128", "--output-len", "2048", "-b",
                                          "64", "-p", "fp8", "--tensor-parallel", "4", "--stack", "trtllm",
                                          "--output", "json"]).output)
    assert doc["mean_itl_ms"] > base["mean_itl_ms"]
    bad = runner.invoke(cli, ["serve", "Llama2_70B", "H100", "--kv-reread-share", "2"])
    assert bad.exit_code == 1 and "kv_reread_share" in (bad.output + str(bad.exception))


def test_prior_lookup_follows_the_device_lineage():
    """A part that reads another's priors (hardware attribute priors_from) tries its own rows first, then the
    other part's, then the stack's general prior."""
    from mlsysim_sym.binding.facade import device_lineage, prior_names

    cat = catalog()
    assert device_lineage(cat.entities[("hardware", "A100_40GB")], cat) == ("A100_40GB", "A100")
    assert device_lineage(cat.entities[("hardware", "H100")], cat) == ("H100",)
    assert device_lineage(None, cat) == ()
    assert prior_names("gemm_efficiency", None, ("A100_40GB", "A100")) == (
        "gemm_efficiency_on_A100_40GB", "gemm_efficiency_on_A100", "gemm_efficiency")


def test_priors_from_names_a_part_with_the_same_peaks():
    """priors_from is a claim that two parts share their silicon: it must name a catalogued part with the same
    peak rate at every precision both catalogue and the same SM count (memory may differ), and no chain may loop."""
    cat = catalog()
    linked = [e for (kind, _), e in cat.entities.items() if kind == "hardware" and e.attrs.get("priors_from")]
    assert linked, "no part reads another's priors"
    for e in linked:
        other = cat.entities.get(("hardware", e.attrs["priors_from"]))
        assert other is not None and other.key != e.key, e.key
        shared = {f for f in e.values if f.startswith("peak.") or f == "sm_count"} & set(other.values)
        assert any(f.startswith("peak.") for f in shared), e.key
        for f in shared:
            assert math.isclose(e.values[f].si, other.values[f].si, rel_tol=1e-12), (e.key, f)


def test_fsdp_charges_the_memory_bound_work_between_the_gemms():
    """The fsdp stack names how many activation elements cross between kernels per token, layer and hidden unit in a
    forward (Korthikanti et al. §4.1, Eq. 1: 34 bytes at 16-bit = 17); the walls stream them as often as the FLOPs run
    (k_ops) at the memory's bandwidth. Without a stack the count is the rated convention, 0 (0.3.0's step, the work
    held in the efficiency); a caller's count wins; the term grows as h per token, the GEMMs as h², so its share of the
    step falls as the model widens."""
    cat = catalog()
    fleet = mlsysim.Fleet(name="eight", node="DGX_A100", count=1, fabric="InfiniBand_HDR")

    def step(hidden: int, **kw):
        w = mlsysim.TransformerWorkload(f"{hidden}h", parameters=12 * 24 * hidden ** 2, layers=24, hidden_dim=hidden,
                                        heads=hidden // 64)
        return mlsysim.DistributedModel().solve(w, fleet, batch_size=64, precision="bf16", zero_stage=3, **kw)

    r = step(1024, stack="fsdp")
    v = r.result.values
    assert v["c_ew"] == cat.constants["knobs.stacks.fsdp.elementwise_traffic"].si == 17
    assert "knobs.stacks.fsdp.elementwise_traffic" in {c.ref for c in r.sources}
    assert v["T_ew_r"] == pytest.approx(v["k_ops"] * 17 * 24 * 1024 * 2 * v["n_tok"] * v["B_tot"]
                                        / (v["BW_mem"] * v["N_acc"]), rel=1e-12)
    recomputed = step(1024, stack="fsdp", activation_recomputation=True).result.values
    # the re-run forward streams them again, at the stack's measured cost of that forward (3 + k_rf against 3)
    k_rf = cat.constants["knobs.stacks.fsdp.recompute_forward_cost"].si
    assert recomputed["k_rf"] == k_rf
    assert recomputed["T_ew_r"] == pytest.approx(v["T_ew_r"] * (3 + k_rf) / 3, rel=1e-12)
    plain = step(1024).result.values
    assert plain["c_ew"] == 0 and plain["T_ew_r"] == 0
    assert step(1024, stack="megatron").result.values["T_ew_r"] == 0    # a whole-step prior holds the work
    assert step(1024, stack="fsdp", elementwise_traffic=5).result.values["c_ew"] == 5
    share = [step(h, stack="fsdp").result.values for h in (768, 2048, 8192)]
    shares = [x["T_ew_r"] / x["T_comp_r"] for x in share]
    assert shares[0] > shares[1] > shares[2] > 0
    with pytest.raises(InputError):
        step(1024, stack="fsdp", elementwise_traffic=-1)
