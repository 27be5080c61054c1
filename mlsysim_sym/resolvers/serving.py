"""ServingModel (wall 4): TTFT, ITL, KV cache, speculative decoding, chunked prefill, prompt-cache hits,
disaggregated prefill/decode — 0.3.0's argument and result names, declared over the computation ``serve.step``.

The prefill device sets the math rate and dispatch overhead; the decode device (the prefill device unless
``decode_hardware`` is given) sets the memory the KV cache and weights stream from. A draft model's KV bytes per
token come from its own architecture (a sub-evaluation of ``serve.kv_per_token`` whose sources are carried).
"""
from __future__ import annotations

from ..binding import (Check, Obj, SubEval, arg, default_knob, facade, fixed, info, knob, knob_default, memory, out,
                       peak, precision_arg, present, regime, row, width)
from ..binding.groups import serving_fields, serving_rooflines, efficiency_arg, stack_args, transformer_shape
from ..binding.reads import error
from ..provenance import Fixed
from ..validate import BATCH, DEGREE, FRACTION0, TOKENS, TOKENS0, quantity

_PURPOSE = "the serving wall needs transformer dimensions"

ServingModel = facade(
    "ServingModel",
    computation="serve.step",
    objects=[Obj("model", "model", workloads=("transformer", "moe"), purpose="ServingModel serves language models"),
             Obj("hardware", "hardware"), Obj("decode_hardware", "hardware", default_to="hardware"),
             Obj("draft_model", "model", optional=True)],
    args=[
        arg("seq_len", "S", TOKENS),
        arg("batch_size", "B", BATCH, 1),
        precision_arg(),
        efficiency_arg(),
        arg("network_bandwidth", "BW_xfer", quantity("B/s", 0.0, 1e16, shown_unit="GB/s"), None,
            none=knob_default("serving.disaggregation_bandwidth")),
        arg("draft_acceptance_rate", "alpha_acc", FRACTION0, None, none=knob_default("serving.acceptance_rate")),
        arg("cached_prefix_len", "c_pre", TOKENS0, 0),
        arg("prefill_chunk_tokens", "q_chunk", TOKENS, None, none=(0.0, Fixed("no chunked prefill"))),
        arg("tensor_parallel", "N_tp", DEGREE, 1, doc="devices of one node serving the replica (tensor parallelism)"),
        arg("output_len", "n_gen", TOKENS0, 0,
            doc="output tokens per request: seq_len is then the prompt, and the request-mix fields are reported"),
        *stack_args(),
    ],
    order=("model", "hardware", "seq_len", "batch_size", "precision", "efficiency", "decode_hardware",
           "network_bandwidth", "draft_model", "draft_acceptance_rate", "cached_prefix_len", "prefill_chunk_tokens",
           "tensor_parallel", "output_len", "stack", "bandwidth_efficiency", "kv_reread_share", "request_overhead"),
    reads=[
        peak("hardware"), row("hardware", "dispatch_tax", "tau_disp", absent=default_knob("engine.dispatch_tax")),
        memory("decode_hardware"), width(), knob("engine.layer_tax", "tau_layer"),
        knob("serving.draft_lookahead", "gamma_spec"),
        row("model", "params", "P", absent=error(_PURPOSE)), row("model", "params.active", "P_act_cat"),
        fixed("M_size", 0, "a served language model weighs parameters × width"),
        *transformer_shape(_PURPOSE),
        present("decode_hardware", "m_disagg"), present("draft_model", "m_spec"),
        row("draft_model", "params", "P_d", absent=error("the draft's weights need it"), none=0.0),
        *serving_rooflines(tensor_parallel=True, request_mix=True),
    ],
    subs=[SubEval("k_tok_d", "serve.kv_per_token", "k_tok", {"model": "draft_model"},
                  transformer_shape("the draft model's KV cache needs it"), inherit=("b_w",), name="draft")],
    checks=[Check(lambda v: v["c_pre"] < v["S"], "cached_prefix_len ({c_pre:.0f}) must be < seq_len ({S:.0f})"),
            Check(lambda v: v["N_tp"] <= 1 or v["BW_tp"] > 0,
                  "tensor_parallel ({N_tp:.0f}) needs a link between the devices: neither a scale-up link "
                  "(NVLink) nor a host link (PCIe) is catalogued")],
    fields=[
        *serving_fields(),
        out("tokens_per_second", "X_tok", doc="generated tokens per second across the batch (B / ITL)"),
        out("request_latency", "T_req", "ms", when=lambda v: v["n_gen"] > 0,
            doc="the batch's prompts prefilled and output_len tokens generated (None without output_len)"),
        out("request_tokens_per_second", "X_req", when=lambda v: v["n_gen"] > 0,
            doc="output tokens per second over the request mix, every prompt's prefill charged"),
        out("mean_itl", "ITL_gen", "ms", when=lambda v: v["n_gen"] > 0,
            doc="inter-token latency at the mean decode context of the request mix"),
        regime("prefill_bound", "T_plin", doc="which roofline binds the prefill's linear layers: compute or memory"),
        regime("decode_bound", "T_dlin", doc="which roofline binds a decode step's linear layers: memory or compute"),
        regime("decode_attention_bound", "T_dattn",
               doc="which roofline binds a decode step's attention: memory (the KV cache) or compute"),
        info("decode_hardware_name", "decode_hardware"), info("model_name", "model"), info("precision", "precision"),
    ],
    trace=["Memory Wall: {feasible_serve?Passed|FAILED}. Required {M_serve:GB} (Weights: {W:GB}, KV Cache: {KV:GB}) "
           "{feasible_serve?<=|>} Available {C_mem:GB} on {decode_hardware_name}.",
           ("q_chunk", "Serving Wall: Chunked prefill uses {n_chunks:int} chunks of up to {q_chunk:int} tokens; decode "
                       "interference is bounded by {T_chunk:ms} per prefill chunk.")],
    report=("TTFT", "ITL", "KV", "W", "M_serve", "U_mem", "feasible_serve"),
    requires=("workload", "hardware"), walls=(4,),
    doc="LLM serving on one device (0.3.0's ServingModel): time to first token, inter-token latency, KV cache, "
        "memory feasibility; speculative decoding, chunked prefill, prompt-cache hits, disaggregated decode.")
ServingResult = ServingModel.result_class

__all__ = ["ServingModel", "ServingResult"]
