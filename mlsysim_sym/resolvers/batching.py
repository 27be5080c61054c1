"""ContinuousBatchingModel (wall 5): static versus paged KV allocation, declared over ``batch.cb``."""
from __future__ import annotations

from ..binding import (Check, Obj, SameAs, arg, default_knob, facade, fixed, knob_default, memory, out, peak,
                       precision_arg, row, width)
from ..binding.groups import efficiency_arg, stack_args, transformer_shape
from ..binding.reads import error
from ..validate import BATCH, TOKENS, real

_PURPOSE = "continuous batching needs transformer dimensions"

ContinuousBatchingModel = facade(
    "ContinuousBatchingModel",
    computation="batch.cb",
    objects=[Obj("model", "model"), Obj("hardware", "hardware")],
    args=[
        arg("max_seq_len", "S_max", TOKENS),
        arg("mean_request_tokens", "S_mean", real(0.0, 1e9, lo_open=True), None, none=SameAs("S_max"),
            doc="mean request length (default: every request at max_seq_len)"),
        arg("max_batch_size", "N_max", BATCH, 1),
        arg("page_size", "p_page", TOKENS, None, none=knob_default("serving.page_tokens")),
        precision_arg(),
        efficiency_arg(), *stack_args(),
    ],
    reads=[
        peak("hardware"), memory("hardware"),
        row("hardware", "dispatch_tax", "tau_disp", absent=default_knob("engine.dispatch_tax")),
        width(), row("model", "params", "P", absent=error(_PURPOSE)),
        fixed("M_size", 0, "a served language model weighs parameters × width"),
        *transformer_shape(_PURPOSE), fixed("m_dc", 1, "both rooflines in a decode step (declared deviation "
                                                        "serving-decode-compute)"),
    ],
    checks=[Check(lambda v: v["S_mean"] <= v["S_max"],
                  "mean_request_tokens ({S_mean:g}) must be at most max_seq_len ({S_max:.0f})")],
    fields=[
        out("throughput_tokens_per_sec", "X_paged"), out("max_active_requests", "N_paged"),
        out("static_throughput_tokens_per_sec", "X_static"), out("static_max_active_requests", "N_static"),
        out("mean_request_tokens", "S_mean"), out("paged_internal_fragmentation", "frag_paged"),
        out("static_internal_fragmentation", "frag_static"), out("paged_kv_cache_size", "KV_paged", "GB"),
        out("static_kv_cache_size", "KV_static", "GB"), out("ttft", "TTFT_cb", "ms"), out("itl", "t_step_p", "ms"),
        out("speedup_vs_static", "speedup_cb"), out("feasible", "feasible_cb", "bool"),
    ],
    trace=["Memory Wall: {feasible_cb?Passed|FAILED}. Paged allocation fits {N_paged:int} concurrent requests "
           "(Weights: {W:GB}, Max KV available: {M_kvfree:GB}).",
           "Batching Wall: static reservation fits {N_static:int} requests ({frag_static:%} of each unused); "
           "{p_page:int}-token pages fit {N_paged:int} ({frag_paged:%} unused in last blocks)."],
    report=("X_paged", "N_paged", "X_static", "N_static", "speedup_cb"),
    requires=("workload", "hardware"), walls=(5,),
    doc="Continuous batching (0.3.0's ContinuousBatchingModel): how many requests fit with static max-length "
        "reservations versus paged KV blocks, and the decode throughput of each.")
ContinuousBatchingResult = ContinuousBatchingModel.result_class

__all__ = ["ContinuousBatchingModel", "ContinuousBatchingResult"]
