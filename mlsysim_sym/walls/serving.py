"""NODE walls 4 (Serving): prefill (TTFT), decode (ITL), KV cache, speculative decoding.

Curation log:

* Prefill FLOPs are ``2·P_act`` per new token (active parameters: a mixture of experts runs only its routed
  experts; mlsysim 0.3.0 charges all parameters, a declared deviation) for the weights plus attention ``4·L·H·d·S`` per new token (QKᵀ and
  AV, 2 FLOP per multiply-accumulate each; Hoffmann et al. 2022 App. F). Every new token attends to the full
  final context S (no causal halving), as in mlsysim 0.3.0; tokens in a cached prefix are not recomputed.
* Both phases are rooflines (Williams et al. 2009), one per operator (Yuan et al. 2024, LLM-Viewer): the linear
  layers and attention are separate kernels that run one after the other, so each takes the longer of its bytes at
  the achieved bandwidth and its FLOPs at the achieved rate, and the phase is their sum. A prefill's linear layers
  take their FLOPs or one read of the weights, its attention its FLOPs or the write of the new KV cache; a decode
  step's linear layers take one read of the weights (Pope et al. 2022 §3.1) or ``2·P_act`` FLOPs per sequence, its
  attention the KV cache's read or its FLOPs over the context; plus the per-layer framework tax. One roofline over
  the whole step (the step's bytes against its FLOPs) would let attention's memory traffic hide behind the linear
  layers' compute, which two kernels run in sequence cannot do: at hundreds of sequences (GEMMs compute-bound,
  attention memory-bound) it predicts decode faster than any published maximum throughput. mlsysim 0.3.0 charges
  prefill on compute only and decode on memory only: a declared deviation (``serving-decode-compute``), switched
  back by ``m_dc = 0``, under which the sums reduce to 0.3.0's ``F_pre/R`` and ``(W + KV)/BW``.
* Memory streams at a share ``η_bw`` of the rated bandwidth (1 unless a software stack's prior or the caller
  says otherwise): sustained HBM bandwidth is below the datasheet's (``knobs.stacks``).
* Tensor parallelism over ``N_tp`` devices of one node (Shoeybi et al. 2019 §3) divides FLOPs, bytes and memory
  by ``N_tp`` and adds two all-reduces of the activations per layer per pass (after attention and after the
  MLP), each a ring over the node's scale-up link (on a card without one, its PCIe host link at NCCL's PCIe ring
  step): ``2(N_tp−1)/N_tp · tokens·h·b_AR / BW_link + 2(N_tp−1)·α``. The all-reduced activations are at the wider of
  the weights' width and 16 bits: an FP8, INT8 or INT4 GEMM returns its partial sums to a 16-bit network
  (TensorRT-LLM's FP8 engines are built ``--dtype float16``).
* A request mix (``n_gen`` output tokens per request, S then being the prompt): the batch's prompts are
  prefilled once at their input length, then ``n_gen − 1`` decode steps run at the mean context
  ``S + n_gen/2`` (exact where the step is linear in the context, i.e. within one regime); the batch yields
  ``B·n_gen`` tokens in ``TTFT + (n_gen−1)·ITL``. Serving memory is the KV cache at the end of generation.
* A decode kernel reads the cache of each key/value head ``n_kvread = 1 + κ·(H/H_kv − 1)`` times per step: once
  for its group of query heads when the kernel processes the group together (κ = 0: the GQA paper's count and
  mlsysim 0.3.0's, a kernel like TensorRT-LLM's XQA), once per query head when it runs one thread block per query
  head (κ = 1: TensorRT-LLM's masked multi-head attention kernel before XQA). κ is a software stack's prior
  (``knobs.stacks.*.kv_reread_share``); the cache's size in memory does not change. L2 hits between the blocks of
  one group are not modelled.
* KV cache per token is ``2·L·H_kv·d`` elements for MHA/GQA (Ainslie et al. 2023) and ``L·(d_c + d_rope)``
  for multi-head latent attention (DeepSeek-AI 2024 §2.1.2), at the serving precision.
* Speculative decoding: a draft proposes γ tokens (γ memory-bound draft steps) and the target verifies them in
  one pass; the expected tokens per pass is ``(1 − α^{γ+1})/(1 − α)`` (Leviathan et al. 2023, Eq. 1).
* Disaggregated serving ships the KV cache from the prefill to the decode pool once, over a link of the
  catalogued bandwidth; decode then runs on the decode device.
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, Wall, coefficient, register_computation, register_wall, sym

HOFFMANN = Cite("hoffmann2022training", "Appendix F, Table A4: attention logits and reduce, 2·seq·key_size·heads FLOPs each")
KAPLAN_FWD = Cite("kaplan2020scaling", "§2.1, Table 1: forward pass ≈ 2N FLOPs per token")
POPE = Cite("pope2022efficiently", "§3.1: decode is memory-bound, each step loads all weights and the KV cache")
GQA = Cite("ainslie2023gqa", "§2: grouped-query attention keeps H_kv < H key/value heads")
MLA = Cite("deepseekai2024v2", "§2.1.2: MLA caches a d_c latent plus a d_h^R decoupled RoPE key per token per layer")
LEVIATHAN = Cite("leviathan2023fast", "§3.1, Eq. 1: expected tokens per iteration (1 − α^{γ+1})/(1 − α)")
VLLM = Cite("kwon2023efficient", "§2.3 and §4: KV cache size per token and its management")
VASWANI = Cite("vaswani2017attention", "§3.2.2: d_k = d_v = d_model/h for each of the h heads")
SARATHI = Cite("agrawal2023sarathi", "§3: chunked prefills split a prompt into equal compute chunks piggybacked with decodes")
ROOFLINE = Cite("williams2009roofline", "§2, Fig. 1: attainable FLOP/s = min(peak FLOP/s, bandwidth × intensity)")
MEGATRON_TP = Cite("shoeybi2019megatron", "§3, Fig. 3: two all-reduces per transformer layer in the forward pass "
                   "(after self-attention and after the MLP)")
TRT_MMHA = Cite("nvidia2023trtllmmmha", "decoderMaskedMultiheadAttentionTemplate.h: one thread block per query head "
                "(hi = blockIdx.x) and sequence, reading the cache of key/value head hi / qhead_per_kv")
PER_OP = Cite("yuan2024llminference", "the authors' LLM-Viewer, model_analyzer.py (ModelAnalyzer.analyze): each "
              "operator of a layer (the linear projections, QKᵀ, softmax, SV) sits on the roofline at its own "
              "arithmetic intensity; a stage's time is the sum of its operators' times")
NCCL_RING = Cite("nvidia2024nccltests", "'Summary': a ring all-reduce moves 2(n−1)/n of the buffer per rank")
TRT_DTYPE = Cite("nvidia2023trtllmperf", "'Benchmarking per Model': the FP8 engines are built with '--dtype float16' "
                 "beside '--enable_fp8 --fp8_kv_cache' (FP8 GEMMs and KV cache in a float16 network)")


from .node import EQ_P_ACT, EQ_R_EFF, B, BW_mem, C_mem, H, N_L, P_act, R_eff, S, b_w, c_fwd, h, tau_disp, tau_layer
from .training import EQ_W, N_tp, W

c_pre = sym("c_pre", r"n_{\text{cached}}", "", "Cached prompt-prefix tokens (not recomputed)", integer=True)
n_new = sym("n_new", "n", "", "New prompt tokens to prefill", integer=True)
d_cat = sym("d_cat", r"d_{\text{cat}}", "", "Per-head dimension as catalogued (0: none catalogued)", integer=True)
d_head = sym("d_head", "d", "", "Per-head dimension", integer=True)
H_kv_cat = sym("H_kv_cat", r"H_{\text{kv,cat}}", "", "Key/value heads as catalogued (0: none catalogued)",
               integer=True)
H_kv = sym("H_kv", r"H_{\text{kv}}", "", "Key/value heads", integer=True)
r_kv = sym("r_kv", "d_{c}", "", "MLA compressed KV dimension", integer=True)
d_rope = sym("d_rope", r"d_{\text{rope}}", "", "MLA decoupled RoPE key dimension", integer=True)
m_mla = sym("m_mla", r"m_{\text{MLA}}", "", "Multi-head latent attention flag", integer=True)
k_tok = sym("k_tok", r"k_{\text{KV}}", "B", "KV-cache bytes per token (all layers)", "KB")
KV = sym("KV", r"M_{\text{KV}}", "B", "KV-cache bytes", "GB")
F_pre = sym("F_pre", r"O_{\text{pre}}", "FLOP", "Prefill FLOPs", "TFLOP")
T_pre = sym("T_pre", r"T_{\text{pre}}", "s", "Prefill time: its linear layers plus its attention, each on its rooflines", "ms")
m_dc = sym("m_dc", r"m_{\text{2roof}}", "", "Both rooflines charged in prefill and decode (1) or 0.3.0's compute-only "
           "prefill and memory-only decode (0)", integer=True)
eta_bw = sym("eta_bw", r"\eta_{\text{bw}}", "", "Achieved share of the rated memory bandwidth")
kappa_kv = sym("kappa_kv", r"\kappa_{\text{KV}}", "", "Share of a key/value head's other query heads that read it "
               "again in decode attention (0: once per group, 1: once per query head)")
tau_req = sym("tau_req", r"\tau_{\text{req}}", "s", "Fixed engine overhead of one request call (set-up, first "
              "sampling, output copy and synchronisation), once per prefill", "ms")
n_kvread = sym("n_kvread", r"n_{\text{KV,read}}", "", "Reads of each cached key/value head per decode step")
# the same symbols as walls 2 and 14 (one declaration each; wall 14's module imports this one)
BW_tp = sym("BW_tp", r"\text{BW}_{\text{TP}}", "B/s", "Link bandwidth of tensor parallelism", "GB/s")
alpha_tp = sym("alpha_tp", r"\alpha_{\text{TP}}", "s", "Step latency of tensor parallelism", "us")
b_act = sym("b_act", r"b_{\text{act}}", "B", "Bytes per element of the activations a quantised network passes "
            "between its GEMMs (16-bit)")
b_ar = sym("b_ar", r"b_{\text{AR}}", "B", "Bytes per element all-reduced between tensor-parallel ranks")
T_ar_pre = sym("T_ar_pre", r"T_{\text{AR,pre}}", "s", "Tensor-parallel all-reduces of one prefill", "ms")
T_ar_dec = sym("T_ar_dec", r"T_{\text{AR,dec}}", "s", "Tensor-parallel all-reduces of one decode step", "ms")
F_dec = sym("F_dec", r"O_{\text{dec}}", "FLOP", "FLOPs of one decode step across the batch", "GFLOP")
T_dstep = sym("T_dstep", r"T_{\text{dec}}", "s", "Decode step on the rooflines: its linear layers plus its attention", "ms")
T_dlin = sym("T_dlin", r"T_{\text{dec,lin}}", "s", "A decode step's linear layers: the longer of streaming the weights and "
             "their FLOPs", "ms")
T_dattn = sym("T_dattn", r"T_{\text{dec,attn}}", "s", "A decode step's attention: the longer of streaming the KV cache and "
              "its FLOPs", "ms")
T_dattn_gen = sym("T_dattn_gen", r"\bar{T}_{\text{dec,attn}}", "s", "A decode step's attention at the mean decode context",
                  "ms")
T_plin = sym("T_plin", r"T_{\text{pre,lin}}", "s", "A prefill's linear layers: the longer of their FLOPs and one read of "
             "the weights", "ms")
T_pattn = sym("T_pattn", r"T_{\text{pre,attn}}", "s", "A prefill's attention: the longer of its FLOPs and writing the new "
              "KV cache", "ms")
n_gen = sym("n_gen", r"n_{\text{gen}}", "", "Output tokens per request of the request mix (0: none given)", integer=True)
S_gen = sym("S_gen", r"\bar{S}_{\text{gen}}", "", "Mean context of the request mix's decode steps (tokens)")
KV_gen = sym("KV_gen", r"\bar{M}_{\text{KV,gen}}", "B", "KV-cache bytes at the mean decode context", "GB")
F_dec_gen = sym("F_dec_gen", r"\bar{O}_{\text{dec,gen}}", "FLOP", "Decode-step FLOPs at the mean decode context", "GFLOP")
T_dstep_gen = sym("T_dstep_gen", r"\bar{T}_{\text{dec,gen}}", "s", "Decode step (rooflines) at the mean decode context", "ms")
ITL_gen = sym("ITL_gen", r"\overline{\text{ITL}}_{\text{gen}}", "s", "Mean inter-token latency over the request mix", "ms")
t_draft_gen = sym("t_draft_gen", r"\bar{t}_{\text{draft}}", "s", "One draft step at the mean decode context", "ms")
T_req = sym("T_req", r"T_{\text{req}}", "s", "Time for the batch to prefill its prompts and generate n_gen tokens", "ms")
X_req = sym("X_req", r"X_{\text{req}}", "1/s", "Output tokens per second over the request mix, prefill charged")
KV_peak = sym("KV_peak", r"M_{\text{KV,peak}}", "B", "KV-cache bytes at the end of generation", "GB")
q_chunk = sym("q_chunk", "q", "", "Prefill chunk size in tokens (0 = no chunking)", integer=True)
n_chunks = sym("n_chunks", r"n_{\text{chunk}}", "", "Prefill chunks", integer=True)
q_max = sym("q_max", r"q_{\max}", "", "Tokens in the largest prefill chunk", integer=True)
T_chunk = sym("T_chunk", r"T_{\text{chunk}}", "s", "Time of the largest prefill chunk (decode stall bound)", "ms")
m_disagg = sym("m_disagg", r"m_{\text{disagg}}", "", "Disaggregated prefill/decode flag", integer=True)
BW_xfer = sym("BW_xfer", r"\text{BW}_{\text{xfer}}", "B/s", "KV transfer bandwidth prefill → decode pool", "GB/s")
TTFT = sym("TTFT", r"\text{TTFT}", "s", "Time to first token", "ms")
ITL0 = sym("ITL0", r"\text{ITL}_{0}", "s", "Inter-token latency of one target decode step", "ms")
m_spec = sym("m_spec", r"m_{\text{spec}}", "", "Speculative decoding flag", integer=True)
alpha_acc = sym("alpha_acc", r"\alpha_{\text{acc}}", "", "Draft-token acceptance rate")
gamma_spec = sym("gamma_spec", r"\gamma", "", "Draft tokens per verification", integer=True)
P_d = sym("P_d", r"P_{\text{draft}}", "param", "Draft-model parameters", "Gparam")
W_d = sym("W_d", r"\lvert W_{\text{draft}} \rvert", "B", "Draft weight bytes", "GB")
k_tok_d = sym("k_tok_d", r"k_{\text{KV,draft}}", "B", "Draft KV bytes per token", "KB")
t_draft = sym("t_draft", r"t_{\text{draft}}", "s", "One draft decode step", "ms")
E_tok = sym("E_tok", r"E[\text{tokens}]", "", "Expected tokens per verification pass")
ITL = sym("ITL", r"\text{ITL}", "s", "Inter-token latency", "ms")
X_tok = sym("X_tok", r"X_{\text{gen}}", "1/s", "Generated tokens per second across the batch")
M_serve = sym("M_serve", r"M_{\text{serve}}", "B", "Serving memory: weights, KV cache, draft weights", "GB")
U_mem = sym("U_mem", r"U_{\text{mem}}", "", "Memory utilisation (required / capacity)")
feasible_serve = sym("feasible_serve", r"\text{fits}_{\text{serve}}", "",
                     "Whether serving fits in decode-device memory (1/0)")
hit_ratio = sym("hit_ratio", r"h_{\text{cache}}", "", "Prompt-cache hit ratio")

c_attn = coefficient("c_attn", 4, "FLOP", "Attention FLOPs per layer·head·dim per token pair (QKᵀ and AV)", HOFFMANN)
c_kv = coefficient("c_kv", 2, "", "Cached tensors per layer and head: one key and one value", VLLM)

chunking = sp.StrictGreaterThan(q_chunk, 0)

# ---- the shape of a transformer, where the catalogue leaves a field out (equations, so their sources are computed)
EQ_D_HEAD = Equation("shape.head_dim", "d_head",
                     sp.Piecewise((d_cat, sp.StrictGreaterThan(d_cat, 0)), (sp.floor(h / H), True)),
                     "Per-head dimension: as catalogued, else hidden size over heads", (VASWANI,),
                     regimes=("catalogued", "hidden / heads"))
EQ_H_KV = Equation("shape.kv_heads", "H_kv",
                   sp.Piecewise((H_kv_cat, sp.StrictGreaterThan(H_kv_cat, 0)), (H, True)),
                   "Key/value heads: as catalogued (grouped-query attention), else one per query head", (GQA,),
                   regimes=("catalogued", "multi-head attention: one per query head"))
EQ_N_KVREAD = Equation("shape.kv_reads", "n_kvread",
                       sp.Piecewise((1, sp.StrictGreaterThan(m_mla, 0)), (1 + kappa_kv * sp.Max(0, H / H_kv - 1), True)),
                       "Reads of each cached key/value head per decode step: once for its group of H/H_kv query heads, "
                       "plus a share κ of the group's other heads that read it again (a kernel with one thread block "
                       "per query head); never fewer than one", (GQA, TRT_MMHA),
                       regimes=("MLA latent: read once", "MHA/GQA heads"))
SHAPE_EQUATIONS = (EQ_D_HEAD, EQ_H_KV)



def _linear_flops(tokens: sp.Expr) -> sp.Expr:
    """FLOPs of the linear layers (the weights) for ``tokens`` new tokens per sequence across the batch."""
    return c_fwd * P_act * tokens * B


def _attention_flops(tokens: sp.Expr, context: sp.Expr) -> sp.Expr:
    """FLOPs of attention (QKᵀ and AV) for ``tokens`` new tokens per sequence over ``context`` across the batch."""
    return c_attn * N_L * H * d_head * tokens * context * B


def _pass_flops(tokens: sp.Expr, context: sp.Expr) -> sp.Expr:
    """FLOPs of a pass: its linear layers plus its attention. One builder for a prefill, a prefill chunk and a
    decode step (one token)."""
    return _linear_flops(tokens) + _attention_flops(tokens, context)


EQ_N_NEW = Equation("serve.new_tokens", "n_new", sp.Max(1, S - c_pre), "Prompt tokens to prefill (cache hits skipped)")
EQ_F_PRE = Equation("serve.prefill_flops", "F_pre", _pass_flops(n_new, S),
                    "Prefill FLOPs: weights plus attention over the full context", (KAPLAN_FWD, HOFFMANN))


def _all_reduces(tokens: sp.Expr) -> sp.Expr:
    """Two ring all-reduces per layer of ``tokens``·h activations of b_AR bytes over the node's scale-up link (none on
    one device). One builder for prefill and decode, so the two cannot drift apart."""
    ring = 2 * (N_tp - 1) / N_tp * tokens * h * b_ar / BW_tp + 2 * (N_tp - 1) * alpha_tp
    return sp.Piecewise((2 * N_L * ring, sp.StrictGreaterThan(N_tp, 1)), (0, True))


def kernel_roofline(bytes_: sp.Expr, flops: sp.Expr, *, compute_first: bool = False,
                    devices: sp.Expr = N_tp) -> tuple[sp.Expr, tuple]:
    """One kernel on its rooflines: the longer of moving ``bytes_`` at the achieved bandwidth and ``flops`` at the
    achieved rate, over ``devices`` (the tensor-parallel group; wall 5's single device passes 1). The flag m_dc = 0
    (0.3.0's rule) drops the branch 0.3.0 did not charge: memory in a prefill, compute in a decode step. Branch
    order: (compute, memory) for a prefill, (memory, compute) for a decode step, as the regimes are named."""
    mem = bytes_ / (BW_mem * eta_bw * devices)
    comp = flops / (R_eff * devices)
    if compute_first:
        mem = m_dc * mem
        return sp.Max(comp, mem), (comp, mem)
    comp = m_dc * comp
    return sp.Max(mem, comp), (mem, comp)


_PLIN, _PLIN_BR = kernel_roofline(W, _linear_flops(n_new), compute_first=True)
_PATTN, _PATTN_BR = kernel_roofline(k_tok * n_new * B, _attention_flops(n_new, S), compute_first=True)
EQ_T_PLIN = Equation("serve.prefill_linear", "T_plin", _PLIN,
                     "A prefill's linear layers: their FLOPs at the achieved rate or one read of the weights, "
                     "whichever is longer", (ROOFLINE, POPE, PER_OP), regimes=("compute", "memory"), branches=_PLIN_BR)
EQ_T_PATTN = Equation("serve.prefill_attention", "T_pattn", _PATTN,
                      "A prefill's attention: its FLOPs at the achieved rate or writing the new KV cache, whichever is "
                      "longer", (ROOFLINE, PER_OP), regimes=("compute", "memory"), branches=_PATTN_BR)
EQ_T_PRE = Equation("serve.prefill_time", "T_pre", T_plin + T_pattn,
                    "Prefill time: the linear layers and attention are separate kernels, run one after the other, each "
                    "on its own rooflines", (ROOFLINE, PER_OP))
EQ_B_AR = Equation("serve.allreduce_width", "b_ar", sp.Max(b_w, b_act),
                   "All-reduced activations: at the weights' width, or at the 16-bit width of the activations where "
                   "the weights are narrower (an FP8, INT8 or INT4 GEMM returns its partial sums to a 16-bit network)",
                   (TRT_DTYPE, MEGATRON_TP), regimes=("weights' width", "16-bit activations"), branches=(b_w, b_act))
EQ_T_AR_PRE = Equation("serve.prefill_allreduce", "T_ar_pre", _all_reduces(B * n_new),
                       "Tensor-parallel all-reduces of the prefill (two per layer)", (MEGATRON_TP, NCCL_RING),
                       regimes=("tensor parallel", "one device"))
EQ_N_CHUNKS = Equation("serve.chunks", "n_chunks",
                       sp.Piecewise((sp.Max(1, sp.ceiling(n_new / q_chunk)), chunking), (1, True)),
                       "Prefill chunks", (SARATHI,), regimes=("chunked", "whole prompt"))
EQ_Q_MAX = Equation("serve.largest_chunk", "q_max", sp.Piecewise((sp.Min(q_chunk, n_new), chunking), (n_new, True)),
                    "Tokens in the largest chunk", (SARATHI,), regimes=("chunked", "whole prompt"))
EQ_T_CHUNK = Equation("serve.chunk_time", "T_chunk",
                      _pass_flops(q_max, S) / (R_eff * N_tp) + tau_disp,
                      "Largest chunk's time: how long one chunk stalls decode", (SARATHI,))
EQ_K_TOK = Equation("serve.kv_per_token", "k_tok",
                    sp.Piecewise((N_L * (r_kv + d_rope) * b_w, sp.StrictGreaterThan(m_mla, 0)),
                                 (c_kv * N_L * H_kv * d_head * b_w, True)),
                    "KV-cache bytes per token", (VLLM, GQA, MLA), regimes=("MLA latent", "MHA/GQA keys and values"))
EQ_KV = Equation("serve.kv_cache", "KV", k_tok * S * B, "KV-cache bytes for the batch at context S", (VLLM,))
EQ_TTFT = Equation("serve.ttft", "TTFT",
                   sp.Piecewise((T_pre + T_ar_pre + tau_disp * n_chunks + tau_req + KV / BW_xfer,
                                 sp.StrictGreaterThan(m_disagg, 0)),
                                (T_pre + T_ar_pre + tau_disp * n_chunks + tau_req, True)),
                   "Time to first token: prefill, its all-reduces, one dispatch per chunk, the engine's fixed cost "
                   "of the request call, KV transfer if disaggregated", (POPE, SARATHI),
                   regimes=("disaggregated", "colocated"))
EQ_F_DEC = Equation("serve.decode_flops", "F_dec", _pass_flops(1, S),
                    "Decode-step FLOPs: 2·P_act per sequence plus attention over the context", (KAPLAN_FWD, HOFFMANN))
_DLIN, _DLIN_BR = kernel_roofline(W, _linear_flops(1))
EQ_T_DLIN = Equation("serve.decode_linear", "T_dlin", _DLIN,
                     "A decode step's linear layers: stream the weights, or their FLOPs (2·P_act per sequence) at the "
                     "achieved rate, whichever is longer", (POPE, ROOFLINE, PER_OP), regimes=("memory", "compute"),
                     branches=_DLIN_BR)


def _decode_attention(kv: sp.Symbol, context: sp.Expr) -> tuple[sp.Expr, tuple]:
    """Attention of a decode step: stream the KV cache (each key/value head read ``n_kvread`` times) or its FLOPs
    over ``context``, whichever is longer."""
    return kernel_roofline(kv * n_kvread, _attention_flops(1, context))


_DATTN, _DATTN_BR = _decode_attention(KV, S)
EQ_T_DATTN = Equation("serve.decode_attention", "T_dattn", _DATTN,
                      "A decode step's attention: stream the KV cache, or its FLOPs over the context at the achieved "
                      "rate, whichever is longer", (POPE, ROOFLINE, PER_OP), regimes=("memory", "compute"),
                      branches=_DATTN_BR)
EQ_T_DSTEP = Equation("serve.decode_roofline", "T_dstep", T_dlin + T_dattn,
                      "Decode step: the linear layers and attention are separate kernels, run one after the other, "
                      "each on its own rooflines", (POPE, ROOFLINE, PER_OP))
EQ_T_AR_DEC = Equation("serve.decode_allreduce", "T_ar_dec", _all_reduces(B),
                       "Tensor-parallel all-reduces of one decode step (two per layer)", (MEGATRON_TP, NCCL_RING),
                       regimes=("tensor parallel", "one device"))
EQ_ITL0 = Equation("serve.decode_step", "ITL0", T_dstep + N_L * tau_layer + T_ar_dec,
                   "One decode step: the roofline step, the layer tax and the tensor-parallel all-reduces", (POPE,))
EQ_W_D = Equation("serve.draft_weights", "W_d", P_d * b_w, "Draft weight bytes")


def _draft_step(context: sp.Expr) -> sp.Expr:
    return (W_d + k_tok_d * context * B) / (BW_mem * eta_bw)


def _itl(step: sp.Symbol, draft: sp.Symbol) -> sp.Expr:
    return sp.Piecewise(((gamma_spec * draft + step) / E_tok, sp.StrictGreaterThan(m_spec, 0)), (step, True))


EQ_T_DRAFT = Equation("serve.draft_step", "t_draft", _draft_step(S),
                      "One draft decode step (memory-bound, no layer tax)", (LEVIATHAN, POPE))
EQ_E_TOK = Equation("serve.expected_tokens", "E_tok",
                    sp.Piecewise((1 + gamma_spec, sp.GreaterThan(alpha_acc, 1)),
                                 (1 + alpha_acc * (1 - alpha_acc**gamma_spec) / (1 - alpha_acc), True)),
                    "Expected tokens per verification pass", (LEVIATHAN,), regimes=("every draft accepted", "geometric"))
EQ_ITL = Equation("serve.itl", "ITL", _itl(ITL0, t_draft),
                  "Inter-token latency", (POPE, LEVIATHAN), regimes=("speculative", "autoregressive"))
EQ_KV_PEAK = Equation("serve.kv_peak", "KV_peak", k_tok * (S + n_gen) * B,
                      "KV-cache bytes at the end of generation (S when no request mix is given)", (VLLM,))
EQ_M_SERVE = Equation("serve.memory", "M_serve", W + KV_peak + m_spec * W_d,
                      "Serving memory: weights, KV cache at the end of generation, draft weights", (VLLM,))
EQ_FEASIBLE = Equation("serve.feasible", "feasible_serve", sp.LessThan(M_serve, C_mem * N_tp),
                       "Serving fits in the memory of the tensor-parallel group")
EQ_U_MEM = Equation("serve.utilisation", "U_mem", M_serve / (C_mem * N_tp), "Memory utilisation")
EQ_HIT = Equation("serve.cache_hit_ratio", "hit_ratio", c_pre / S, "Prompt-cache hit ratio")

EQ_X_TOK = Equation("serve.tokens_per_second", "X_tok", B / ITL, "Generated tokens per second across the batch",
                    (POPE,))

# ---- a request mix: prompts of S tokens, n_gen output tokens each ---------------------------------------------------
EQ_S_GEN = Equation("serve.mean_decode_context", "S_gen", S + n_gen / 2,
                    "Mean context of the decode steps that follow the prompt")
EQ_KV_GEN = Equation("serve.kv_mean_decode", "KV_gen", k_tok * S_gen * B, "KV cache at the mean decode context", (VLLM,))
EQ_F_DEC_GEN = Equation("serve.decode_flops_mean", "F_dec_gen", _pass_flops(1, S_gen),
                        "Decode-step FLOPs at the mean decode context", (KAPLAN_FWD, HOFFMANN))
_DATTN_GEN, _DATTN_GEN_BR = _decode_attention(KV_gen, S_gen)
EQ_T_DATTN_GEN = Equation("serve.decode_attention_mean", "T_dattn_gen", _DATTN_GEN,
                          "A decode step's attention at the mean decode context", (POPE, ROOFLINE, PER_OP),
                          regimes=("memory", "compute"), branches=_DATTN_GEN_BR)
EQ_T_DSTEP_GEN = Equation("serve.decode_roofline_mean", "T_dstep_gen", T_dlin + T_dattn_gen,
                          "Decode step at the mean decode context: the linear layers (independent of the context) "
                          "plus attention", (POPE, ROOFLINE, PER_OP))
EQ_T_DRAFT_GEN = Equation("serve.draft_step_mean", "t_draft_gen", _draft_step(S_gen),
                          "One draft step at the mean decode context", (LEVIATHAN, POPE))
EQ_ITL_GEN = Equation("serve.itl_mean", "ITL_gen", _itl(T_dstep_gen + N_L * tau_layer + T_ar_dec, t_draft_gen),
                      "Mean inter-token latency over the request mix", (POPE, LEVIATHAN),
                      regimes=("speculative", "autoregressive"))
EQ_T_REQ = Equation("serve.request_time", "T_req", TTFT + sp.Max(0, n_gen - 1) * ITL_gen,
                    "The batch prefills its prompts (first token) and decodes the remaining n_gen − 1 tokens")
EQ_X_REQ = Equation("serve.request_throughput", "X_req", B * n_gen / T_req,
                    "Output tokens per second over the request mix, every prompt's prefill charged")

SERVING_EQUATIONS = (EQ_N_KVREAD, EQ_N_NEW, EQ_F_PRE, EQ_T_PLIN, EQ_T_PATTN, EQ_T_PRE, EQ_B_AR, EQ_T_AR_PRE, EQ_N_CHUNKS,
                     EQ_Q_MAX, EQ_T_CHUNK, EQ_K_TOK, EQ_KV, EQ_TTFT, EQ_F_DEC, EQ_T_DLIN, EQ_T_DATTN, EQ_T_DSTEP,
                     EQ_T_AR_DEC, EQ_ITL0, EQ_W_D, EQ_T_DRAFT, EQ_E_TOK, EQ_ITL,
                     EQ_X_TOK, EQ_KV_PEAK, EQ_M_SERVE, EQ_FEASIBLE, EQ_U_MEM, EQ_HIT, EQ_S_GEN, EQ_KV_GEN, EQ_F_DEC_GEN,
                     EQ_T_DATTN_GEN, EQ_T_DSTEP_GEN, EQ_T_DRAFT_GEN, EQ_ITL_GEN, EQ_T_REQ, EQ_X_REQ)

register_wall(Wall(
    4, "Serving", "node", "ServingModel",
    "An LLM answers no faster than its prefill (TTFT) and generates no faster than it can stream weights and "
    "KV cache, or compute, per step (ITL).",
    (*SHAPE_EQUATIONS, *SERVING_EQUATIONS), (POPE,),
    monotonic=(("TTFT", "S", +1), ("TTFT", "R_peak", -1), ("ITL", "S", +1), ("ITL", "BW_mem", -1), ("ITL", "eta_bw", -1),
               ("ITL", "eta_hw", -1), ("TTFT", "eta_hw", -1), ("TTFT", "eta_bw", -1), ("X_req", "eta_hw", +1),
               ("X_req", "eta_bw", +1), ("T_req", "eta_hw", -1), ("T_req", "eta_bw", -1), ("ITL", "kappa_kv", +1),
               ("X_req", "kappa_kv", -1),
               ("TTFT", "tau_req", +1), ("T_req", "tau_req", +1), ("X_req", "tau_req", -1),
               ("KV", "S", +1), ("KV", "B", +1), ("KV", "H_kv", +1)),
    resolvers=("ServingModel", "ServingCapacityModel"),
))
register_computation("serve.kv", ["serve.kv_per_token", "serve.kv_cache"], "KV-cache size (calc_kv_cache_size)")
register_computation("serve.kv_per_token", [EQ_D_HEAD.id, EQ_H_KV.id, EQ_K_TOK.id],
                     "KV-cache bytes per token of a catalogued transformer (a draft model's, in ServingModel)")
register_computation(
    "serve.step",
    [EQ_P_ACT.id, EQ_R_EFF.id, EQ_W.id, *[e.id for e in SHAPE_EQUATIONS], *[e.id for e in SERVING_EQUATIONS]],
    "ServingModel: prefill, decode, KV cache, speculative decoding, feasibility (wall 4)")
