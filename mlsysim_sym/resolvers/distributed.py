"""DistributedModel (wall 14): a data/tensor/pipeline/expert-parallel training step on a cluster, with 0.3.0's
argument and result names, declared over the computation ``comm.step``; and two identities of the same wall,
``TrainingFlopsModel`` (MFU and HFU from a measured iteration time) and ``TrainingTimeModel`` (Narayanan et al.'s
end-to-end training time).

The cluster's accelerator sets the roofline of one model replica (walls 1-2); its node sets the NVLink bandwidth
and how many data-parallel ranks share a node; its fabric the bandwidth, oversubscription and latency of every
collective that leaves a node. Defaults are catalogue knobs (efficiency, overlap efficiency, the NVLink step
latency, ZeRO-3's extra gathers), never literals here.
"""
from __future__ import annotations

from typing import Any

from ..binding import (Check, Obj, SameAs, View, arg, attention_kernel_arg, attr, custom, default_knob, derived, facade,
                       fixed, info, kernel_default, knob, knob_default, link, loss_default, loss_kernel_arg, missing, out,
                       peak, precision_arg, regime, row, stack_arg, stack_default, width)
from ..binding.groups import FLEET_COUNT, WORKLOAD_FLOPS, WORKLOAD_SIZE, device_roofline, efficiency_arg, fabric, profile_fields
from ..binding.reads import Absence, Ctx, error
from ..provenance import Attr, Fixed
from ..validate import (BATCH, DEGREE, EFFICIENCY, FACTOR, FRACTION0, POSITIVE, TOKENS, choice, count, flag,
                        quantity, real)

#: activation elements per token, layer and hidden unit: Korthikanti et al.'s count is 17 (34 bytes at 16-bit); a
#: hundred-fold margin above any block's count keeps a mistyped value from passing
ELEMENTS = real(0.0, 1e3)
#: a loss kernel's passes over each logit: its count is a handful; a hundred keeps a mistyped value from passing
PASSES = real(0.0, 100.0)
#: a recomputed forward's time in forward passes: measured runs sit near one; ten keeps a mistyped value from passing
RECOMPUTE_COST = real(0.0, 10.0)
#: topology_override → w_topo (None binds 0: the collective follows placement, as 0.3.0 always does)
TOPOLOGIES = {"ring": 1.0, "tree": 2.0, "hierarchical": 3.0, "in_network": 4.0}
_ACCEL = "fleet.node.accelerator"
_WIDTH = "tensor and expert parallelism exchange activations of the hidden size"


def _attention(ctx: Ctx) -> list:
    """m_attn: 1 for a per-token model with attention heads (its attention FLOPs grow with the sequence)."""
    ent = ctx.entity("model")
    per_token = ent.attrs.get("flops_basis") == "token" and ent.attrs.get("workload") in ("transformer", "moe")
    on = per_token and "heads" in ent.values
    return [(1.0 if on else 0.0, Attr(ent.key, "attention", "per-token attention" if on else "none counted"))]


def _kernel(ctx: Ctx) -> list:
    """m_fa: 1 where the caller names a fused attention kernel (its efficiency prior is read by the
    attention_efficiency argument), else 0."""
    k = ctx.static.get("attention_kernel")
    if k is None:
        return [(0.0, Fixed("no fused attention kernel named: attention counted as Korthikanti et al. count it"))]
    return [(1.0, Fixed(f"attention kernel {k}: causal score blocks skipped, scores recomputed in the backward"))]


def _parallelism(view: Any) -> dict[str, int]:
    v = view._result.values
    return {"dp": int(v["N_dp"]), "tp": int(v["N_tp"]), "pp": int(v["N_pp"]), "ep": int(v["N_ep"])}


class ReplicaProfile(View):
    """One model replica's roofline step (0.3.0's ``node_profile``, a PerformanceProfile), read from the same
    evaluated result as the distributed step."""

    __slots__ = ()
    FIELDS = profile_fields(latency="T_rep", compute="T_comp_r", memory="T_mem_r", overhead="L_lat",
                            throughput="X_node", intensity="I_rep", energy="E_rep", footprint="M_req",
                            peak_flops="R_eff", peak_bw="BW", mfu="MFU_rep", hfu="HFU_rep",
                            overhead_dominated="ovh_rep",
                            feasible="feasible", spill="M_spill", memory_path="BW")
    TRACE = ("Replica: TP{N_tp:int} x PP{N_pp:int} x EP{N_ep:int} = {N_rep:int} accelerators process {B:int} "
             "samples of {n_tok:int} tokens per step.",
             "Memory Wall: {M_req:GB} per accelerator {feasible?fits|exceeds} {C_mem:GB}.")


def _node_profile(view: Any) -> ReplicaProfile:
    return ReplicaProfile(view._result, view._objs, view._static)


DistributedModel = facade(
    "DistributedModel",
    computation="comm.step",
    objects=[Obj("model", "model"), Obj("fleet", "fleet")],
    args=[
        arg("batch_size", "B_g", BATCH, 1, doc="global batch (samples per optimizer step across data parallelism)"),
        precision_arg(),
        efficiency_arg(_ACCEL),
        arg("tp_size", "N_tp", DEGREE, 1), arg("pp_size", "N_pp", DEGREE, 1), arg("ep_size", "N_ep", DEGREE, 1),
        arg("v_stages", "v_pp", DEGREE, 1), arg("microbatch_count", "n_mb", DEGREE, 1),
        arg("topology_override", "w_topo", choice(TOPOLOGIES), None,
            encode=TOPOLOGIES, none=(0.0, Fixed("the data-parallel collective follows placement")),
            doc="force the data-parallel all-reduce: ring, tree, hierarchical or in_network (NVLink/IB SHARP)"),
        arg("zero_stage", "z_stage", count(0, 3), 0),
        arg("is_lora", "m_lora", flag(), False, encode=float),
        arg("activation_recomputation", ("m_recomp", "s_ckpt"), flag(), False,
            encode=lambda on: (1.0, 2.0) if on else (0.0, 1.0),
            doc="full recomputation (4× forward FLOPs); otherwise selective recomputation of attention"),
        arg("recompute_forward_cost", "k_rf", RECOMPUTE_COST, None,
            none=stack_default("recompute_forward_cost", "distributed.recompute_forward_cost"),
            doc="time of the forward re-run under full recomputation, in forward passes at the step's own rates "
                "(default: the named stack's measured cost, else the catalogue's convention, one whole forward, "
                "with the measured runs' spread as its range); the hardware FLOPs keep one whole forward"),
        arg("overlap_comm", "m_ov", flag(), False, encode=float),
        arg("overlap_efficiency", "eta_ov", FRACTION0, None, none=knob_default("distributed.overlap_efficiency")),
        arg("congestion_factor", "k_cong", FACTOR, 1.0), arg("straggler_factor", "k_strag", FACTOR, 1.0),
        arg("moe_routing_imbalance_factor", "f_imb", FACTOR, 1.0),
        arg("gradient_accumulation_steps", "GA_step", DEGREE, 1,
            doc="micro-steps the global batch is computed in per optimizer step: the accumulated gradients are "
                "exchanged once per step, ZeRO-3's gathers and reduce-scatter every micro-step"),
        arg("seq_len", "S", TOKENS, 2048),
        stack_arg(),
        attention_kernel_arg(),
        arg("elementwise_traffic", "c_ew", ELEMENTS, None,
            none=stack_default("elementwise_traffic", "stacks.rated.elementwise_traffic"),
            doc="activation elements crossing between kernels per token, layer and hidden unit in one forward, "
                "streamed by the memory-bound kernels between the GEMMs (default: the stack's prior — fsdp's counts "
                "Korthikanti et al.'s stored activations — else 0, that work held in the GEMMs' share)"),
        loss_kernel_arg(),
        arg("logit_passes", "c_lg", PASSES, None,
            none=loss_default("logit_passes", (0.0, "no loss kernel named: the logits' traffic is held in the GEMMs' "
                                                     "share")),
            doc="reads and writes of each logit by the loss's kernels in a training step, outside the output head's "
                "GEMMs (default: the loss_kernel's count; none named, 0)"),
        arg("attention_efficiency", "eta_att", EFFICIENCY, None,
            none=kernel_default("attention_efficiency", _ACCEL,
                                (1.0, "no fused attention kernel named: attention runs at the GEMMs' efficiency")),
            doc="achieved share of peak of the fused attention kernel on its executed FLOPs (default: the "
                "attention_kernel's prior on the fleet's accelerator; unused without a kernel)"),
    ],
    reads=[
        *device_roofline(_ACCEL), width(), *FLEET_COUNT, *fabric(), custom(("m_fa",), _kernel, ()),
        link("fleet.node", ("intra_node_bw",), "BW_intra", absent=error("a node needs its intra-node bandwidth")),
        knob("distributed.nvlink_latency", "alpha_intra"), knob("distributed.zero3_extra_gathers", "k_z3"),
        *WORKLOAD_FLOPS, *WORKLOAD_SIZE,
        row("model", "params", "P", absent=missing("training needs a parameter count")),
        row("model", "layers", "N_L", absent=default_knob("engine.layers_if_unknown")),
        row("model", "hidden", "h", absent=missing(_WIDTH)), row("model", "heads", "H"),
        row("model", "head_dim", "d_cat"),
        row("model", "vocab", "V_voc", absent=Absence("value", value=0.0, why="no vocabulary catalogued: the loss's "
                                                                             "passes over the logits are not charged")),
        row("model", "experts.active", "k_top", absent=Absence("value", value=1.0, why="a dense model: one path")),
        attr("model", "flops_basis", "m_tok", {"token": 1.0}),
        attr("model", "workload", "m_xf", {"transformer": 1.0, "moe": 1.0}),
        custom(("m_attn",), _attention, ("model",)),
        knob("engine.activation_traffic_fraction", "f_act"), knob("engine.layer_tax", "tau_layer"),
        knob("engine.layer_tax_training_factor", "k_tax_train"), knob("engine.idle_power_fraction", "f_idle"),
        knob("optimizer.adam", "b_opt"), knob("engine.lora_memory_factor", "f_lora"),
        knob("training.lora_rank", "r_lora"), knob("training.buffer_fraction", "f_buf"),
        fixed("m_train", 1, "a distributed step is a training step"),
        fixed("D_b", 1, "the replica batch is already per data-parallel rank"),
        fixed("m_sp", 1, "sequence parallelism with tensor parallelism (Korthikanti et al. §4.2.2)"),
        fixed("f_trainable", 1, "full training: every parameter is trainable (LoRA: is_lora)"),
        fixed("f_lora_dp", 0, "LoRA exchanges the adapters' own gradients"),
        fixed("m_acc", 1, "the exchange is charged as often as it runs (declared deviation "
                          "distributed-accumulation-exchange)"),
    ],
    checks=[Check(lambda v: (v["n_nodes"] * v["n_gpn"]) % (v["N_tp"] * v["N_pp"] * v["N_ep"]) == 0,
                  "Infeasible 4D parallelism: TP({N_tp:.0f}) × PP({N_pp:.0f}) × EP({N_ep:.0f}) must divide the "
                  "cluster's accelerators ({n_nodes:.0f} nodes × {n_gpn:.0f}) exactly")],
    fields=[
        out("dp_communication_latency", "T_dp", "ms"), out("tp_communication_latency", "T_tp", "ms"),
        out("ep_communication_latency", "T_ep", "ms"), out("communication_latency", "T_comm", "ms"),
        out("pipeline_bubble_latency", "T_bub", "ms"), out("bubble_fraction", "beta_bub"),
        out("step_latency_total", "T_step", "ms"), out("scaling_efficiency", "eta_scale"),
        out("effective_throughput", "X_fleet", "1/s"), derived("parallelism", _parallelism),
        derived("node_profile", _node_profile, doc="one replica's roofline step (0.3.0's PerformanceProfile)"),
        out("mfu", "MFU_step", doc="model FLOPs utilisation of the step (PaLM App. B: attention included)"),
        out("hfu", "HFU_step", doc="hardware FLOPs utilisation of the step (recomputation included)"),
        out("model_flops", "F_model", "PFLOP"), out("hardware_flops", "F_hw", "PFLOP"),
        out("energy", "E_step", "kJ"), out("exposed_dp_communication_latency", "T_dp_exp", "ms"),
        regime("dp_collective", "T_dp_ar"), out("feasible", "feasible", "bool"),
        info("model_name", "model"), info("fleet_name", "fleet"), info("precision", "precision"),
    ],
    trace=["Distributed Wall: dp={N_dp:int}, tp={N_tp:int}, pp={N_pp:int}, ep={N_ep:int}; step latency {T_step:ms}.",
           (lambda v: v["N_ep"] > 1 and v["f_imb"] > 1,
            "MoE Routing: expert-parallel traffic inflated by {f_imb:.2f}x for hot-expert imbalance."),
           (lambda v: v["N_dp"] > 1, "Data parallelism: {dp_collective} all-reduce of {D_grad:GB} per group."),
           "Memory Wall: {M_req:GB} per accelerator {feasible?fits|exceeds} {C_mem:GB}."],
    report=("T_step", "T_dp", "T_tp", "T_ep", "T_bub", "eta_scale", "X_fleet", "MFU_step"),
    requires=("workload", "fleet"), walls=(14,),
    doc="A distributed training step (0.3.0's DistributedModel): one TP × PP × EP replica on the roofline, data-, "
        "tensor- and expert-parallel collectives over NVLink and the fabric, the pipeline bubble, congestion and "
        "stragglers; scaling efficiency, throughput, MFU and HFU.")
DistributedResult = DistributedModel.result_class


TrainingFlopsModel = facade(
    "TrainingFlopsModel",
    computation="train.flops_utilisation",
    objects=[Obj("model", "model"), Obj("hardware", "hardware")],
    args=[
        arg("batch_size", "B_tot", BATCH, doc="global batch (samples per iteration)"),
        arg("iteration_time", "T_step", quantity("s", 0.0, 1e9, shown_unit="s"), doc="measured time per iteration"),
        arg("num_accelerators", "N_acc", DEGREE),
        arg("seq_len", "S", TOKENS, 2048), precision_arg(),
        arg("activation_recomputation", ("m_recomp", "s_ckpt"), choice(("none", "selective", "full")), "selective",
            encode={"none": (0.0, 0.0), "selective": (0.0, 1.0), "full": (1.0, 2.0)}),
    ],
    reads=[peak("hardware"), *WORKLOAD_FLOPS,
           row("model", "params", "P", absent=missing("model FLOPs need a parameter count")),
           row("model", "layers", "N_L", absent=missing("attention FLOPs need the layer count")),
           row("model", "hidden", "h", absent=missing("attention FLOPs need the hidden size")),
           row("model", "heads", "H"), row("model", "head_dim", "d_cat"),
           attr("model", "flops_basis", "m_tok", {"token": 1.0}), custom(("m_attn",), _attention, ("model",)),
           fixed("m_train", 1, "an iteration of training"),
           fixed("m_fa", 0, "attention FLOPs as Korthikanti et al. count them (no fused kernel's causal skipping)")],
    fields=[out("model_flops", "F_model", "PFLOP"), out("hardware_flops", "F_hw", "PFLOP"),
            out("mfu", "MFU_step"), out("hfu", "HFU_step"), info("model_name", "model"),
            info("hardware_name", "hardware")],
    trace=["Utilisation: {F_model:PFLOP} model FLOPs in {T_step:s} on {N_acc:int} accelerators = MFU {MFU_step:%}."],
    report=("F_model", "F_hw", "MFU_step", "HFU_step"),
    requires=("workload", "hardware"), walls=(14,),
    doc="MFU and HFU of a training iteration from its measured time: model FLOPs 3 passes of 2N per token plus "
        "attention (PaLM App. B, Korthikanti et al. §6), hardware FLOPs with what recomputation re-ran.")

TrainingTimeModel = facade(
    "TrainingTimeModel",
    computation="train.end_to_end",
    objects=[Obj("model", "model")],
    args=[arg("tokens", "D_tok", POSITIVE, doc="training tokens"), arg("num_accelerators", "N_acc", DEGREE),
          arg("achieved_flops", "X_gpu", quantity("FLOP/s", 0.0, 1e18, shown_unit="TFLOP/s"),
              doc="achieved FLOP/s per accelerator, e.g. '140 TFLOP/s'")],
    reads=[row("model", "params", "P", absent=error("the training time needs a parameter count"))],
    fields=[out("training_time", "t_train", "d"), info("model_name", "model")],
    trace=["Training time: 8 × {D_tok:.4g} tokens × {P:Gparam} / ({N_acc:int} × {X_gpu:TFLOP/s}) = {t_train:d}."],
    report=("t_train",), walls=(14,), requires=("workload",),
    doc="End-to-end training time 8·T·P/(n·X) (Narayanan et al. 2021, Eq. 4: 6 FLOPs per parameter and token plus "
        "a recomputed forward pass).")

_BYTES = quantity("B", 0.0, 1e18, lo_open=False, shown_unit="MB")
_LINK = quantity("B/s", 0.0, 1e16, shown_unit="GB/s")
_ALPHA = quantity("s", 0.0, 1.0, lo_open=False, shown_unit="us")

CollectiveModel = facade(
    "CollectiveModel",
    computation="coll.all",
    args=[
        arg("message_bytes", "M_c", _BYTES, doc="bytes each rank contributes (the buffer nccl-tests calls size)"),
        arg("n_ranks", "n_c", DEGREE), arg("bandwidth", "beta_c", _LINK, doc="link bandwidth per direction"),
        arg("latency", "alpha_c", _ALPHA, doc="per-step latency α of the α–β model"),
        arg("ranks_per_node", "g_c", DEGREE, 1, doc="hierarchical all-reduce: ranks sharing a node"),
        arg("intra_node_bandwidth", "beta_in", _LINK, None, none=SameAs("beta_c")),
        arg("intra_node_latency", "alpha_in", _ALPHA, None, none=SameAs("alpha_c")),
    ],
    checks=[Check(lambda v: v["n_c"] % v["g_c"] == 0,
                  "ranks_per_node ({g_c:.0f}) must divide n_ranks ({n_c:.0f})")],
    fields=[out("ring_allreduce", "T_ring", "ms"), out("reduce_scatter", "T_rs", "ms"),
            out("all_gather", "T_ag", "ms"), out("all_to_all", "T_alltoall", "ms"),
            out("tree_allreduce", "T_tree", "ms"), out("hierarchical_allreduce", "T_hier", "ms"),
            out("in_network_allreduce", "T_innet", "ms")],
    report=("T_ring", "T_rs", "T_ag", "T_alltoall", "T_tree", "T_hier", "T_innet"),
    walls=(14,),
    doc="The α–β time of each collective for one message over n ranks (per-direction bandwidth): ring all-reduce, "
        "reduce-scatter, all-gather, all-to-all, binomial tree, hierarchical (inside nodes, then across), and "
        "in-network reduction (NVLink/IB SHARP).")

__all__ = ["CollectiveModel", "DistributedModel", "DistributedResult", "ReplicaProfile", "TOPOLOGIES",
           "TrainingFlopsModel", "TrainingTimeModel"]
