"""Wall 14 (Communication): DistributedModel, CollectiveModel and the training-FLOPs identities, as users call them."""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsysim_sym import (CollectiveModel, DistributedModel, Fleet, Models, Systems, TrainingFlopsModel,
                         TransformerWorkload, edition)
from mlsysim_sym.errors import InputError

LLAMA8, LLAMA70 = Models.Llama3_8B, Models.Llama3_70B
POD = Systems.Clusters.DgxH100SuperPodSU      # 32 × DGX H100 (256 GPUs)
LAB = Systems.Clusters.Lab_64_H100


def solve(**kw):
    args = dict(model=LLAMA70, fleet=POD, batch_size=256, precision="bf16", tp_size=8, pp_size=4)
    args.update(kw)
    return DistributedModel().solve(**args)


def test_result_has_030s_fields_and_ours():
    r = solve(microbatch_count=16)
    for name in ("dp_communication_latency", "tp_communication_latency", "ep_communication_latency",
                 "communication_latency", "pipeline_bubble_latency", "bubble_fraction", "step_latency_total",
                 "scaling_efficiency", "effective_throughput", "parallelism", "node_profile", "mfu", "hfu",
                 "energy", "model_flops", "hardware_flops", "feasible"):
        getattr(r, name)
    assert r.parallelism == {"dp": 8, "tp": 8, "pp": 4, "ep": 1}
    p = r.node_profile
    assert p.bottleneck in ("Compute", "Memory") and p.latency > p.latency_overhead
    assert r.step_latency_total >= p.latency
    assert 0 < r.scaling_efficiency <= 1
    assert r.bubble_fraction == pytest.approx(3 / (16 + 3))
    doc = json.loads(json.dumps(r.to_dict()))
    assert doc["step_latency_total"]["unit"] == "ms" and doc["stamp"]["edition"] == "default"
    assert doc["node_profile"]["latency"]["unit"] == "ms"
    assert r.constraint_trace[0].startswith("Distributed Wall: dp=8, tp=8, pp=4, ep=1")


def test_sources_cite_the_collectives_and_the_catalogue():
    r = solve()
    keys = set(r.result.bibkeys)
    assert {"patarasuk2009bandwidth", "shoeybi2019megatron", "huang2019gpipe", "korthikanti2023reducing"} <= keys
    refs = {s.symbol: s.ref for s in r.sources}
    assert refs["BW_intra"].startswith("node.DGX_H100.intra_node_bw")
    assert refs["alpha_intra"] == "knobs.distributed.nvlink_latency"


def test_tensor_parallel_stays_on_nvlink_inside_a_node_and_crosses_the_fabric_beyond():
    inside, across = solve(tp_size=8, pp_size=1), solve(tp_size=16, pp_size=1)
    assert inside.result.regime("BW_tp") == "intra-node" and across.result.regime("BW_tp") == "fabric"
    assert across.tp_communication_latency > inside.tp_communication_latency


def test_zero3_moves_one_and_a_half_times_the_gradient_bytes():
    """ZeRO-3 = gradient all-reduce + one parameter all-gather: 1.5× on a flat ring (Rajbhandari et al. §7.2.2)."""
    node = Fleet(name="one DGX", node="DGX_H100", count=1, fabric="InfiniBand_NDR")
    z0 = DistributedModel().solve(LLAMA8, node, batch_size=8, zero_stage=0)
    z3 = DistributedModel().solve(LLAMA8, node, batch_size=8, zero_stage=3)
    assert z3.dp_communication_latency.m_as("s") == pytest.approx(1.5 * z0.dp_communication_latency.m_as("s"))
    with edition("mlsysim-0.3.0"):  # 0.3.0 prices ZeRO-3 like plain data parallelism (rule distributed-zero3-gathers)
        assert DistributedModel().solve(LLAMA8, node, batch_size=8, zero_stage=3).dp_communication_latency == \
            DistributedModel().solve(LLAMA8, node, batch_size=8, zero_stage=0).dp_communication_latency


def test_topology_override_forces_the_collective():
    auto = solve(tp_size=1, pp_size=1)
    assert auto.result.regime("T_dp_ar") == "hierarchical"
    times = {t: solve(tp_size=1, pp_size=1, topology_override=t) for t in ("ring", "tree", "hierarchical",
                                                                          "in_network")}
    assert times["hierarchical"].dp_communication_latency == auto.dp_communication_latency
    assert times["tree"].dp_communication_latency > times["ring"].dp_communication_latency
    assert times["in_network"].dp_communication_latency < times["ring"].dp_communication_latency
    assert {t: r.dp_collective for t, r in times.items()} == {"ring": "ring", "tree": "tree",
                                                             "hierarchical": "hierarchical",
                                                             "in_network": "in-network reduction"}


def test_lora_exchanges_the_adapters_share_of_the_gradients():
    full, lora = solve(tp_size=8, pp_size=1), solve(tp_size=8, pp_size=1, is_lora=True)
    share = lora.result.values["f_train"]
    assert 0 < share < 0.01  # Llama-3 70B: 8·16·8192·80/70.6e9
    assert lora.result.values["D_grad"] == pytest.approx(share * full.result.values["D_grad"])


def test_overlap_hides_its_share_of_the_gradient_exchange():
    plain, hidden = solve(tp_size=8, pp_size=1), solve(tp_size=8, pp_size=1, overlap_comm=True)
    dp = plain.dp_communication_latency.m_as("s")
    assert (plain.step_latency_total - hidden.step_latency_total).m_as("s") == pytest.approx(0.85 * dp)
    assert hidden.exposed_dp_communication_latency.m_as("s") == pytest.approx(0.15 * dp)


def test_accumulated_gradients_are_exchanged_once_per_optimizer_step():
    """The step covers every micro-step of the global batch; DDP's no_sync exchanges the accumulated gradients once
    (rule distributed-accumulation-exchange: 0.3.0 divides the exchange by the accumulation steps)."""
    one, four = solve(tp_size=8, pp_size=1), solve(tp_size=8, pp_size=1, gradient_accumulation_steps=4)
    assert four.dp_communication_latency == one.dp_communication_latency
    assert four.result.regime("n_xch") == "once per step"
    with edition("mlsysim-0.3.0"):
        one, four = solve(tp_size=8, pp_size=1), solve(tp_size=8, pp_size=1, gradient_accumulation_steps=4)
    assert four.dp_communication_latency.m_as("s") == pytest.approx(one.dp_communication_latency.m_as("s") / 4)


def test_zero3_gathers_and_reduce_scatters_every_micro_step():
    """FSDP's FULL_SHARD gathers the parameters before each forward and backward and reduce-scatters after each
    backward: under accumulation the whole ZeRO-3 exchange runs once per micro-step."""
    z3 = dict(tp_size=8, pp_size=1, zero_stage=3)
    one, four = solve(**z3), solve(**z3, gradient_accumulation_steps=4)
    assert four.dp_communication_latency.m_as("s") == pytest.approx(4 * one.dp_communication_latency.m_as("s"))
    assert four.result.regime("n_xch") == "every micro-step"
    assert four.step_latency_total > one.step_latency_total


@settings(max_examples=25, deadline=None)
@given(ga=st.integers(1, 64), zero=st.integers(0, 3), tp=st.sampled_from([1, 8]))
def test_the_exchange_runs_once_per_step_or_once_per_micro_step(ga, zero, tp):
    """Invariant of the exchange's accounting: without ZeRO-3 the data-parallel time does not depend on the
    accumulation steps; with it, it is GA times the one-micro-step exchange; under the 0.3.0 edition it is divided
    by GA whatever the stage."""
    one, many = (solve(tp_size=tp, pp_size=1, zero_stage=zero, gradient_accumulation_steps=g) for g in (1, ga))
    base = one.dp_communication_latency.m_as("s")
    assert base > 0
    expected = base * ga if zero == 3 else base
    assert many.dp_communication_latency.m_as("s") == pytest.approx(expected, rel=1e-12)
    with edition("mlsysim-0.3.0"):
        one, many = (solve(tp_size=tp, pp_size=1, zero_stage=zero, gradient_accumulation_steps=g) for g in (1, ga))
    assert many.dp_communication_latency.m_as("s") == pytest.approx(one.dp_communication_latency.m_as("s") / ga,
                                                                     rel=1e-12)


def test_expert_parallelism_pays_an_all_to_all_over_the_fabric():
    moe = DistributedModel().solve(Models.Mixtral_8x7B, POD, batch_size=256, ep_size=8,
                                   moe_routing_imbalance_factor=1.5)
    assert moe.ep_communication_latency.m_as("s") > 0
    assert any("hot-expert" in line for line in moe.constraint_trace)


def test_attention_and_selective_recomputation_are_counted():
    """Our step charges attention (PaLM App. B) and the recomputed attention core; the mlsysim-0.3.0 edition does
    not (rule distributed-attention-flops), so its replica compute is shorter."""
    ours = solve()
    with edition("mlsysim-0.3.0"):
        theirs = solve()
    v = ours.result.values
    assert v["O_att"] > 0 and v["k_att"] == 6
    assert ours.node_profile.latency_compute > theirs.node_profile.latency_compute
    assert ours.hfu > ours.mfu
    assert theirs.result.refs["m_attn"].__class__.__name__ == "Rule"


def test_indivisible_split_and_bad_arguments_are_refused():
    with pytest.raises(InputError, match="must divide"):
        solve(tp_size=3, pp_size=1)
    with pytest.raises(InputError, match="must divide"):
        solve(tp_size=1024, pp_size=1024)
    for bad in (dict(batch_size=0), dict(efficiency=0.0), dict(overlap_efficiency=1.5), dict(tp_size=0),
                dict(congestion_factor=0.5), dict(topology_override="star"), dict(zero_stage=4),
                dict(microbatch_count=-1), dict(is_lora="yes")):
        with pytest.raises(InputError):
            solve(**bad)


def test_a_model_without_a_hidden_size_cannot_be_tensor_parallel():
    ok = DistributedModel().solve(Models.ResNet50, LAB, batch_size=512)
    assert ok.step_latency_total.m_as("s") > 0
    with pytest.raises(InputError, match="no catalogued hidden"):
        DistributedModel().solve(Models.ResNet50, LAB, batch_size=512, tp_size=8)


def test_user_fleet_keeps_the_catalogue_citations_of_its_parts():
    f = Fleet(name="Selene 280", node=Systems.Nodes.DGX_A100, count=35, fabric="InfiniBand_HDR")
    assert f.total_accelerators == 280
    r = DistributedModel().solve(LLAMA8, f, batch_size=280, tp_size=8, pp_size=1)
    kinds = {s.symbol: s.kind for s in r.sources}
    assert kinds["n_nodes"] == "user" and kinds["BW_fab"] != "user"
    with pytest.raises(InputError, match="catalogued node"):
        Fleet(name="x", node="DGX_Z", count=1, fabric="InfiniBand_HDR")
    with pytest.raises(InputError):
        Fleet(name="x", node="DGX_A100", count=0, fabric="InfiniBand_HDR")


@settings(max_examples=30, deadline=None)
@given(tp=st.sampled_from([1, 2, 4, 8]), pp=st.sampled_from([1, 2, 4]), batch=st.integers(1, 4096),
       mb=st.integers(1, 64), cong=st.floats(1.0, 3.0), strag=st.floats(1.0, 2.0), overlap=st.booleans(),
       zero=st.integers(0, 3), recompute=st.booleans())
def test_invariants_of_the_step(tp, pp, batch, mb, cong, strag, overlap, zero, recompute):
    r = solve(model=LLAMA8, tp_size=tp, pp_size=pp, batch_size=batch, microbatch_count=mb, congestion_factor=cong,
              straggler_factor=strag, overlap_comm=overlap, zero_stage=zero, activation_recomputation=recompute)
    v = r.result.values
    step = r.step_latency_total.m_as("s")
    assert math.isfinite(step) and step >= r.node_profile.latency.m_as("s") - 1e-15
    assert 0 < r.scaling_efficiency <= 1 + 1e-12
    assert 0 <= r.bubble_fraction < 1
    assert v["N_dp"] * v["N_rep"] == v["N_acc"]
    assert 0 < r.mfu <= r.hfu <= 1
    parts = (v["T_rep"] + v["T_dp_exp"] + v["T_tp"] + v["T_ep"] + v["T_bub"]) * strag
    assert step == pytest.approx(parts, rel=1e-12)


def test_more_congestion_or_stragglers_never_speed_up_the_step():
    base = solve().step_latency_total
    assert solve(congestion_factor=2.0).step_latency_total > base
    assert solve(straggler_factor=1.3).step_latency_total.m_as("s") == pytest.approx(1.3 * base.m_as("s"))


def test_collective_model_hierarchical_and_tree():
    r = CollectiveModel().solve(message_bytes="1 GB", n_ranks=64, bandwidth="50 GB/s", latency="5 us",
                                ranks_per_node=8, intra_node_bandwidth="450 GB/s", intra_node_latency="500 ns")
    # reduce-scatter and all-gather in the node, a ring across 8 nodes of the 1/8 shard
    rs = 7 / 8 * 1e9 / 450e9 + 7 * 500e-9
    ring = 2 * 7 / 8 * (1e9 / 8) / 50e9 + 2 * 7 * 5e-6
    assert r.hierarchical_allreduce.m_as("s") == pytest.approx(2 * rs + ring, rel=1e-12)
    assert r.tree_allreduce.m_as("s") == pytest.approx(2 * 6 * (1e9 / 50e9 + 5e-6), rel=1e-12)
    with pytest.raises(InputError, match="must divide"):
        CollectiveModel().solve(message_bytes="1 GB", n_ranks=60, bandwidth="50 GB/s", latency="5 us",
                                ranks_per_node=8)
    with pytest.raises(InputError):
        CollectiveModel().solve(message_bytes=1e9, n_ranks=8, bandwidth="50 GB/s", latency="5 us")


def test_training_flops_model_counts_attention_like_korthikanti():
    """For a GPT shape, model FLOPs = 72·B·s·l·h²(1 + s/6h + V/12lh) to within the embedding terms (< 0.1 %);
    with full recomputation Narayanan's 96·B·s·l·h²(1 + s/6h + V/16lh) to within 0.5 % (we count the logit layer
    as re-run with the rest of the forward pass; Megatron recomputes the transformer layers only)."""
    L, h, a, V, s, B = 48, 6144, 64, 51200, 2048, 4
    P = 12 * L * h * h * (1 + 13 / (12 * h) + (V + s) / (12 * L * h))
    w = TransformerWorkload("GPT 22B", parameters=P, layers=L, hidden_dim=h, heads=a)
    u = TrainingFlopsModel().solve(w, "A100", batch_size=B, iteration_time="1 s", num_accelerators=8, seq_len=s)
    korthikanti = 72 * B * s * L * h**2 * (1 + s / (6 * h) + V / (12 * L * h))
    assert u.model_flops.m_as("FLOP") == pytest.approx(korthikanti, rel=1e-3)
    full = TrainingFlopsModel().solve(w, "A100", batch_size=B, iteration_time="1 s", num_accelerators=8, seq_len=s,
                                      activation_recomputation="full")
    narayanan = 96 * B * s * L * h**2 * (1 + s / (6 * h) + V / (16 * L * h))
    assert full.hardware_flops.m_as("FLOP") == pytest.approx(narayanan, rel=5e-3)
