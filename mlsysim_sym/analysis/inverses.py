"""The inverses wall 22 derives (plain data, shared by the wall module that derives them and the solver that runs
them; imports nothing).

Each entry: (target, unknown) -> candidates, one per regime: (computation of the inverse, regime label, forward
computation, {lhs: branch index the regime fixes}). Branch indices are those the generated code reports: the
authored ``branches`` of a Max/Min, the argument order of a Piecewise."""
from __future__ import annotations

#: target name -> (forward output, target symbol, SI unit, shown unit)
TARGETS: dict[str, tuple[str, str, str, str]] = {
    "latency": ("T", "T_tgt", "s", "ms"),
    "throughput": ("X", "X_tgt", "1/s", "1/s"),
    "ttft": ("TTFT", "TTFT_tgt", "s", "ms"),
    "itl": ("ITL", "ITL_tgt", "s", "ms"),
    "step_time": ("T_step", "T_step_tgt", "s", "ms"),
}
#: unknown name -> (input symbol it solves for, symbol of the answer)
UNKNOWNS: dict[str, tuple[str, str]] = {
    "bandwidth": ("BW_mem", "BW_req"),
    "peak_flops": ("R_peak", "R_req"),
    "efficiency": ("eta_hw", "eta_req"),
    "batch": ("B", "B_req"),
    "recompute_cost": ("k_rf", "k_rf_req"),
}
COMPUTE, MEMORY = 0, 1      # roofline.latency: Max(T_comp, T_mem)
HBM = 3                     # memory.bandwidth_path: main memory
COLOCATED = 1               # serve.ttft: colocated prefill
AUTOREGRESSIVE = 1          # serve.itl: no speculative decoding
PREFILL_COMPUTE = 0         # serve.prefill_linear / serve.prefill_attention: Max(compute, memory)
DECODE_MEMORY = 0           # serve.decode_linear / serve.decode_attention: Max(memory, compute)
TP, ONE_DEVICE = 0, 1       # serve.*_allreduce: tensor parallel or one device
PIPELINED, NO_PIPELINE = 0, 1   # comm.bubble_time
KERNEL, GEMM_SHARE = 0, 1       # comm.attention_efficiency: a fused attention kernel's share, or the GEMMs'
FULL_RECOMPUTE = 0              # comm.k_ops_time: full recomputation
KERNEL_RECOMPUTE, PLAIN_RECOMPUTE = 0, 1    # comm.k_attention_time: fused kernel or not, full recomputation
COUNTED, NO_COUNT = 0, 1        # comm.elementwise_time: a stack's element-wise count, or none

INVERSES: dict[tuple[str, str], tuple[tuple[str, str, str, dict[str, int]], ...]] = {
    ("latency", "bandwidth"): (("synth.latency.bandwidth", "memory-bound", "engine.step", {"T": MEMORY, "BW": HBM}),),
    ("latency", "peak_flops"): (("synth.latency.peak", "compute-bound", "engine.step", {"T": COMPUTE}),),
    ("latency", "efficiency"): (("synth.latency.efficiency", "compute-bound", "engine.step", {"T": COMPUTE}),),
    ("latency", "batch"): (("synth.latency.batch_compute", "compute-bound", "engine.step", {"T": COMPUTE}),
                           ("synth.latency.batch_memory", "memory-bound", "engine.step", {"T": MEMORY, "BW": HBM})),
    ("throughput", "batch"): (("synth.throughput.batch_compute", "compute-bound", "engine.step", {"T": COMPUTE}),
                              ("synth.throughput.batch_memory", "memory-bound", "engine.step",
                               {"T": MEMORY, "BW": HBM})),
    ("ttft", "peak_flops"): (("synth.ttft.peak", "colocated, compute-bound prefill", "serve.step",
                              {"TTFT": COLOCATED, "T_plin": PREFILL_COMPUTE, "T_pattn": PREFILL_COMPUTE}),),
    ("itl", "bandwidth"): (("synth.itl.bandwidth", "autoregressive, memory-bound decode", "serve.step",
                            {"ITL": AUTOREGRESSIVE, "T_dlin": DECODE_MEMORY, "T_dattn": DECODE_MEMORY}),),
    ("itl", "batch"): (("synth.itl.batch", "autoregressive, memory-bound decode on one device", "serve.step",
                        {"ITL": AUTOREGRESSIVE, "T_dlin": DECODE_MEMORY, "T_dattn": DECODE_MEMORY,
                         "T_ar_dec": ONE_DEVICE}),
                       ("synth.itl.batch_tp", "autoregressive, memory-bound decode, tensor parallel", "serve.step",
                        {"ITL": AUTOREGRESSIVE, "T_dlin": DECODE_MEMORY, "T_dattn": DECODE_MEMORY,
                         "T_ar_dec": TP})),
    ("step_time", "efficiency"): (("synth.step.efficiency_pipelined", "compute-bound replica, pipelined", "comm.step",
                                   {"T_rep": COMPUTE, "T_bub": PIPELINED, "eta_att_x": GEMM_SHARE}),
                                  ("synth.step.efficiency", "compute-bound replica, no pipeline", "comm.step",
                                   {"T_rep": COMPUTE, "T_bub": NO_PIPELINE, "eta_att_x": GEMM_SHARE}),
                                  ("synth.step.efficiency_kernel_pipelined",
                                   "compute-bound replica, pipelined, fused attention kernel", "comm.step",
                                   {"T_rep": COMPUTE, "T_bub": PIPELINED, "eta_att_x": KERNEL}),
                                  ("synth.step.efficiency_kernel",
                                   "compute-bound replica, no pipeline, fused attention kernel", "comm.step",
                                   {"T_rep": COMPUTE, "T_bub": NO_PIPELINE, "eta_att_x": KERNEL})),
}


def _recompute_cost() -> tuple[tuple[str, str, str, dict[str, int]], ...]:
    """The recomputed forward's cost (``k_rf``) that meets a measured step under full recomputation: one candidate
    per pipeline, attention kernel and element-wise regime, since the cost enters each of them (the bubble through
    the replica's time, attention's passes as the kernel runs them, the memory-bound work as often as the passes)."""
    out = []
    for pipe, pipe_label, pipe_branch in (("_pipelined", "pipelined", PIPELINED), ("", "no pipeline", NO_PIPELINE)):
        for kern, kern_label, att, att_t in (("_kernel", "fused attention kernel", KERNEL, KERNEL_RECOMPUTE),
                                             ("", "attention at the GEMMs' share", GEMM_SHARE, PLAIN_RECOMPUTE)):
            for ew, ew_label, ew_branch in (("_counted", "element-wise count", COUNTED), ("", "no element-wise count",
                                                                                         NO_COUNT)):
                out.append((f"synth.step.recompute{kern}{ew}{pipe}",
                            f"compute-bound replica, full recomputation, {pipe_label}, {kern_label}, {ew_label}",
                            "comm.step", {"T_rep": COMPUTE, "T_bub": pipe_branch, "eta_att_x": att,
                                          "k_ops_t": FULL_RECOMPUTE, "k_att_t": att_t, "T_ew_r": ew_branch}))
    return tuple(out)


INVERSES[("step_time", "recompute_cost")] = _recompute_cost()
