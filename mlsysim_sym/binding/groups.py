"""Reads that several facades share: a device on the roofline, a workload's FLOPs and size, a transformer's shape,
a fleet's fabric; and the result fields of 0.3.0's PerformanceProfile, which three facades report over their own
symbols. Facades list these groups beside their own reads and fields; they never import each other.
"""
from __future__ import annotations

from ..errors import InputError
from ..provenance import Absent, Attr, Row
from ..validate import EFFICIENCY, FRACTION0, quantity
from .facade import Arg, arg, stack_arg, stack_default
from .reads import Ctx, Read, bound, custom, default_knob, error, fixed, knob, link, memory, peak, row
from .view import Field, derived, out, regime

# ---- a device on the roofline (walls 1, 2) ----------------------------------------------------------------------
def device_roofline(path: str = "hardware") -> tuple[Read, ...]:
    """A device's peak at the facade's precision, main memory, SRAM and flash tiers, TDP, host link (absent: the
    catalogue's offload default) and dispatch tax (absent: the catalogue default), from the object at ``path``
    (``"hardware"``, or ``"fleet.node.accelerator"`` for a cluster's accelerator)."""
    return (
        peak(path), memory(path),
        row(path, "sram.capacity", "C_sram"), row(path, "sram.bandwidth", "BW_sram"),
        row(path, "flash.bandwidth", "BW_flash"), row(path, "tdp", "P_tdp"),
        link(path, ("host_link.bandwidth",), "BW_host", absent=default_knob("engine.offload_bandwidth")),
        row(path, "dispatch_tax", "tau_disp", absent=default_knob("engine.dispatch_tax")),
    )


DEVICE_ROOFLINE = device_roofline("hardware")


# ---- the serving rooflines (walls 4, 5, 12 and serving capacity) ----------------------------------------------------
def efficiency_arg(device: str = "hardware") -> Arg:
    """``efficiency`` (0.3.0's argument, in its place) with the named ``stack``'s GEMM prior as its default — the
    prior measured on the accelerator at ``device`` where the stack catalogues one, its CNN prior for a
    convolutional network (refused if the stack has none) — else ``knobs.engine.efficiency``."""
    return arg("efficiency", "eta_hw", EFFICIENCY, None,
               none=stack_default("gemm_efficiency", "engine.efficiency", by_workload=(("cnn", "cnn_efficiency"),),
                                  device=device),
               doc="achieved share of peak in compute-bound phases (default: the stack's prior — for a CNN its "
                   "cnn_efficiency — else 0.5)")


def stack_args() -> tuple[Arg, ...]:
    """``stack``, ``bandwidth_efficiency``, ``kv_reread_share`` and ``request_overhead`` (ours; after 0.3.0's arguments, so positional
    calls keep working)."""
    return (stack_arg(),
            arg("bandwidth_efficiency", "eta_bw", EFFICIENCY, None,
                none=stack_default("bandwidth_efficiency", "stacks.rated.bandwidth_efficiency"),
                doc="achieved share of the rated memory bandwidth (default: the stack's prior, else 1)"),
            arg("kv_reread_share", "kappa_kv", FRACTION0, None,
                none=stack_default("kv_reread_share", "stacks.rated.kv_reread_share"),
                doc="share of a grouped key/value head's other query heads that read it again in decode attention "
                    "(0: read once per group; 1: once per query head, a kernel with a thread block per query head; "
                    "default: the stack's prior, else 0)"),
            arg("request_overhead", "tau_req", quantity("s", 0.0, 10.0, lo_open=False, shown_unit="ms"), None,
                none=stack_default("request_overhead", "stacks.rated.request_overhead", device="hardware"),
                doc="the engine's fixed cost of one request call, charged once per prefill (set-up, first "
                    "sampling, output copy; default: the stack's prior — measured on the device where the stack "
                    "catalogues one — else 0)"))


def _tp_link(ctx: Ctx) -> list:
    """(BW_tp, alpha_tp): the device's scale-up link (NVLink) per direction with the NVLink ring step, or — a device
    with none (L40S, T4) — its host link (PCIe) per direction with the PCIe ring step; absent both, zero (the
    facade's check refuses tensor parallelism then)."""
    ent = ctx.entity("hardware")
    for fld, step in (("scaleup_link.bandwidth", "knobs.distributed.nvlink_latency"),
                      ("host_link.bandwidth", "knobs.distributed.pcie_latency")):
        c = ent.values.get(fld) if ent is not None else None
        if c is not None:
            return [bound(c, per_direction=True), ctx.knob(step)]
    key = ent.key if ent is not None else "hardware"
    return [(0.0, Absent(key, "scaleup_link.bandwidth")), (0.0, Absent(key, "host_link.bandwidth"))]


def serving_rooflines(*, tensor_parallel: bool = False, request_mix: bool = False) -> tuple[Read, ...]:
    """Both rooflines in prefill and decode (``m_dc = 1``; the 0.3.0 edition's rule sets 0), the link, ring step
    latency and all-reduced activation width for tensor parallelism (NVLink, else PCIe: :func:`_tp_link`), and — for facades that do not take them as arguments — one device and
    no request mix."""
    reads: list[Read] = [fixed("m_dc", 1, "both rooflines in prefill and decode (declared deviation "
                                          "serving-decode-compute)")]
    if tensor_parallel:
        reads += [custom(("BW_tp", "alpha_tp"), _tp_link, ("hardware",)), knob("serving.activation_width", "b_act")]
    else:
        reads += [fixed("N_tp", 1, "one device serves the replica"), fixed("BW_tp", 0, "no tensor parallelism"),
                  fixed("alpha_tp", 0, "no tensor parallelism"), fixed("b_act", 0, "no tensor parallelism")]
    if not request_mix:
        reads.append(fixed("n_gen", 0, "no request mix"))
    return tuple(reads)


# ---- a workload's FLOPs and weights (wall 1) ------------------------------------------------------------------------
def _flops(ctx: Ctx) -> list:
    """(O_cat, m_diff, O_step, n_steps): the catalogued forward FLOPs, or a diffusion model's per-step FLOPs and
    steps (its ``flops.inference`` row is per denoising step)."""
    ent = ctx.entity("model")
    f, n = ent.values.get("flops.inference"), ent.values.get("diffusion.steps")
    wl = ent.attrs.get("workload", "")
    flag = Attr(ent.key, "workload", wl or "—")
    if wl == "diffusion":
        if f is None or n is None:
            raise InputError(f"{ent.key} needs catalogued flops.inference (per denoising step) and diffusion.steps")
        return [(0.0, Absent(ent.key, "flops.inference per generation")), (1.0, flag), (f.si, Row(f.id)),
                (n.si, Row(n.id))]
    cat = (f.si, Row(f.id)) if f is not None else (0.0, Absent(ent.key, "flops.inference"))
    return [cat, (0.0, flag), (0.0, Absent(ent.key, "per-step FLOPs")), (0.0, Absent(ent.key, "diffusion.steps"))]


def _size_only(ctx: Ctx) -> list:
    """M_size: a size-only model's catalogued size (embedding tables); a model with a parameter count weighs
    parameters × width, so its size row (if any) is not what the roofline streams."""
    ent = ctx.entity("model")
    size = ent.values.get("model_size")
    if size is not None and "params" not in ent.values:
        return [(size.si, Row(size.id))]
    return [(0.0, Absent(ent.key, "model_size"))]


WORKLOAD_FLOPS = (
    custom(("O_cat", "m_diff", "O_step", "n_steps"), _flops, ("model",)),
    row("model", "params.active", "P_act_cat"),
)
WORKLOAD_SIZE = (custom(("M_size",), _size_only, ("model",)),)


def transformer_shape(purpose: str, prefix: str = "", path: str = "model", *, with_h: bool = True) -> tuple[Read, ...]:
    """Layers, heads (required), hidden size, catalogued head dimension and KV heads (absent: the shape
    equations derive them), and the multi-head-latent-attention dimensions. ``prefix`` names the symbols of a
    second model (a draft: ``N_L`` → ``N_L`` of the sub-evaluation)."""
    p = prefix
    reads = [row(path, "layers", p + "N_L", absent=error(purpose)), row(path, "heads", p + "H", absent=error(purpose)),
             row(path, "head_dim", p + "d_cat"), row(path, "kv_heads", p + "H_kv_cat"),
             custom((p + "r_kv", p + "d_rope", p + "m_mla"), _mla(path), (path,))]
    if with_h:
        reads.insert(2, row(path, "hidden", p + "h", absent=_hidden_needed(purpose)))
    return tuple(reads)


def _hidden_needed(purpose: str):
    from .reads import missing

    return missing(f"{purpose} (the head dimension is hidden size / heads when none is catalogued)")


def _mla(path: str):
    def fn(ctx: Ctx) -> list:
        ent = ctx.entity(path)
        r, d = ent.values.get("mla.kv_rank"), ent.values.get("mla.rope_dim")
        if r is not None and d is not None:
            return [(r.si, Row(r.id)), (d.si, Row(d.id)), (1.0, Attr(ent.key, "attention", "multi-head latent"))]
        return [(0.0, Absent(ent.key, "mla.kv_rank")), (0.0, Absent(ent.key, "mla.rope_dim")),
                (0.0, Attr(ent.key, "attention", "multi-head / grouped-query"))]
    return fn


# ---- a fleet: nodes, accelerators, fabric (walls 14 and the network roofline) ------------------------------------------
FLEET_COUNT = (
    row("fleet", "node_count", "n_nodes", absent=error("a cluster needs its node count")),
    row("fleet.node", "accelerators_per_node", "n_gpn", absent=error("a node needs its accelerator count")),
)


def fabric(path: str = "fleet.fabric") -> tuple[Read, ...]:
    """The fabric's per-direction bandwidth, oversubscription (absent: non-blocking) and per-message latency."""
    from .reads import Absence

    return (link(path, ("bandwidth",), "BW_fab", absent=error("the fabric needs its bandwidth")),
            row(path, "oversubscription", "os_fab", absent=Absence("value", value=1.0, why="non-blocking fabric")),
            row(path, "latency", "alpha_fab", absent=error("the fabric needs its per-message latency")))


# ---- 0.3.0's ServingResult: the serving step, whichever computation (ServingModel's, a reasoning query's) ran it ----
def serving_fields() -> tuple[Field, ...]:
    """The fields of 0.3.0's ServingResult over wall 4's symbols, in its order (ServingModel reports them and more;
    InferenceScalingModel nests them as ``serving_detail``)."""
    return (
        out("ttft", "TTFT", "ms"), out("itl", "ITL", "ms"), out("kv_cache_size", "KV", "GB"),
        out("model_weights_size", "W", "GB"), out("total_memory_required", "M_serve", "GB"),
        out("memory_utilization", "U_mem"), out("prompt_cache_hit_ratio", "hit_ratio"),
        out("feasible", "feasible_serve", "bool"), out("prefill_chunks", "n_chunks", "int"),
        out("prefill_chunk_time", "T_chunk", "ms", when="q_chunk"),
        out("decode_stall_bound", "T_chunk", "ms", when="q_chunk"),
    )


# ---- 0.3.0's PerformanceProfile: one roofline step, whatever computation produced it ---------------------------------
def profile_fields(*, latency: str, compute: str, memory: str, overhead: str, throughput: str, intensity: str,
                   energy: str, footprint: str, peak_flops: str, peak_bw: str, mfu: str, hfu: str,
                   overhead_dominated: str, feasible: str | None = None, spill: str | None = None,
                   memory_path: str | None = None) -> tuple[Field, ...]:
    """The fields of 0.3.0's PerformanceProfile, in its order, over the symbols of one computation (Engine.solve's
    step, DistributedModel's replica, the network roofline). ``feasible=None``: a model with no memory constraint
    (always feasible); ``spill=None``: no offload path (the offload fields are None)."""
    fields = [
        out("latency", latency, "ms"), out("latency_compute", compute, "ms"), out("latency_memory", memory, "ms"),
        out("latency_overhead", overhead, "ms"), out("throughput", throughput, "1/s"),
        out("arithmetic_intensity", intensity, "FLOP/B"), out("energy", energy, "J"),
        out("memory_footprint", footprint, "GB"), out("peak_flops_actual", peak_flops, "TFLOP/s"),
        out("peak_bw_actual", peak_bw, "GB/s"), out("mfu", mfu), out("hfu", hfu),
        out("feasible", feasible, "bool") if feasible else derived("feasible", lambda view: True, "bool",
                                                                   doc="no memory constraint in this model"),
        out("overhead_dominated", overhead_dominated, "bool"),
        regime("bottleneck", latency, "the branch of the latency's Max that bound (ties: the first listed)"),
    ]
    if memory_path:
        fields.append(regime("memory_path", memory_path, "where the weights stream from: main memory, on-chip "
                                                         "SRAM, flash, host offload"))
    if spill and feasible:
        fields += [out("offload_spill_bytes", spill, "GB", when=lambda v: not v[feasible]),
                   out("offload_effective_bw", peak_bw, "GB/s", when=lambda v: not v[feasible])]
    else:
        fields += [derived("offload_spill_bytes", lambda view: None, doc="no offload path in this model"),
                   derived("offload_effective_bw", lambda view: None, doc="no offload path in this model")]
    return tuple(fields)


__all__ = ["DEVICE_ROOFLINE", "FLEET_COUNT", "WORKLOAD_FLOPS", "WORKLOAD_SIZE", "device_roofline", "fabric",
           "profile_fields", "serving_fields", "transformer_shape"]
