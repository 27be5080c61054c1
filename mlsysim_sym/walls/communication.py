"""FLEET domain, wall 14 (Communication): collectives, and a data/tensor/pipeline/expert-parallel training step.

Curation log (what the model ignores, and editorial choices):

* Collectives follow the α–β model with the bandwidth of one direction of a link (per-direction rows; a printed
  bidirectional total is halved where it is bound). Ring all-reduce moves ``2(n−1)/n`` of the message over each
  link in ``2(n−1)`` steps (Patarasuk & Yuan 2009; Thakur et al. 2005); reduce-scatter, all-gather and all-to-all
  ``(n−1)/n`` in ``n−1`` steps; a binomial tree ``2⌈log₂ n⌉`` full messages; a hierarchical all-reduce a
  reduce-scatter and an all-gather inside the node around a ring across nodes of the ``1/g`` shard each node
  owns; in-network reduction (NVLink SHARP) the bus-bandwidth factor ``(n−1)/(n+1)`` that nccl-tests applies under
  NCCL_ALGO=NVLS (a contributed commit, not in the master copy read), with one send and one receive of latency.
  With these times, nccl-tests' bus-bandwidth factors hold exactly (a test checks it).
* A replica is the TP × PP × EP group holding one copy of the model; data parallelism ``dp = N/(tp·pp·ep)`` (an
  exact split, checked). Each replica processes ``⌊B/dp⌋`` samples (at least one) of ``S`` tokens; its FLOPs are
  shared by its accelerators, its training state is Korthikanti's per rank (wall 2) with the micro-batches a
  1F1B pipeline holds in flight (the first stage holds ``⌊m/p⌋`` at once), its memory traffic is its weight shard
  plus activation traffic, and its step is the roofline of walls 1–2 with the framework's fixed overheads.
* Data parallelism all-reduces the gradient shard left after TP·PP (the adapters' share under LoRA): inside one
  node, across nodes one rank per node, or hierarchically when several ranks share a node (mlsysim 0.3.0's
  choice); a topology can be forced. ZeRO-1/2 move the same volume (a reduce-scatter and an all-gather); ZeRO-3
  adds an all-gather of the parameters (1.5× in total, Rajbhandari et al. 2020), the all-gather half of the same
  collective: a hierarchical exchange gathers the parameters hierarchically too (exact for the ring and hierarchical
  all-reduces, which are a reduce-scatter and an all-gather; for the tree and in-network ones, half is the
  estimate). The step is one optimizer step over ``GA`` micro-steps (the replica computes all of them), and the
  exchange is charged as often as it runs:
  accumulated gradients are exchanged once per optimizer step (DDP's ``no_sync`` synchronises them "in the first
  forward-backward pass exiting the context"), while ZeRO-3 gathers the parameters before every forward and backward
  and reduce-scatters the gradients after every backward (FSDP's FULL_SHARD), so its whole exchange runs once per
  micro-step. (0.3.0 divides the exchange by ``GA`` instead: rule distributed-accumulation-exchange.) ZeRO-1/2 are
  charged once per step, the lower bound: DeepSpeed's ZeRO-2 and FSDP's SHARD_GRAD_OP reduce per micro-step. With
  overlap a share ``η_ov`` hides behind the backward pass.
* Tensor parallelism all-reduces each layer's activations 4 times per training step (2 forward, 2 backward;
  Shoeybi et al. 2019), over NVLink when the TP group fits in a node, else over the fabric; a pipeline stage
  handles ``⌈L/p⌉`` layers. With sequence parallelism the 4 all-reduces become 4 all-gathers and 4
  reduce-scatters of the same bytes (Korthikanti et al. §4.2.2): the same time in the α–β model. The collectives
  are charged in sequence (an upper bound; frameworks overlap some).
* Expert parallelism exchanges ``B·S·h·bytes·k`` routed tokens (times the imbalance factor) with an all-to-all
  over the fabric. The pipeline bubble is ``(p−1)/(v·m + p−1)`` of the step (GPipe; interleaving divides it by v,
  Narayanan et al. 2021 §2.2.2), added as ``T·b/(1−b)`` to the busy time. Congestion multiplies communication,
  stragglers the whole step (Dean & Barroso 2013).
* The step's FLOPs count attention: per token, the weights' ``2·P_act`` (or the catalogued forward FLOPs) plus
  ``4·L·H·d·S`` for QKᵀ and AV over the context, three passes in training (PaLM Appendix B's ``6N + 12LHQT``; for
  a GPT shape this is Korthikanti's ``72·B·s·L·h²(1 + s/6h + V/12Lh)`` to within the embedding and bias terms,
  < 0.1 %). Executed (hardware) FLOPs add what recomputation re-ran: a whole forward pass under full
  recomputation (Narayanan's ``96·B·s·L·h²(…)``), the attention term twice more under selective recomputation
  (Korthikanti's HFU count). Replica compute time is the executed FLOPs; MFU and HFU are the model and executed
  FLOPs over the step at peak. Models with per-sequence or per-image FLOPs are charged them once per sample.
  Scaling efficiency is the replica's busy time over the step.
* A fused attention kernel, where the caller names one, executes half the score blocks under the causal mask and a
  backward of 2.5 forwards with the scores recomputed (FlashAttention-2 §3.1.1, §4.1; one more forward under full
  recomputation), and runs on its own roofline at the kernel's share of peak (``η_attn``); the weights keep the
  stack's ``η_hw``. MFU's model FLOPs do not change; HFU counts what ran. With no kernel, ``η_attn,x = η_hw`` and the
  count above.
* The memory-bound work streams at the device memory's bandwidth beside the GEMMs: between them, the stack's count of
  activation elements per token, layer and hidden unit (``c_ew``, as often as the FLOPs run); in the loss, a loss
  kernel's passes over the ``V`` logits of every token (``c_lg``: FlashAttention's fused cross-entropy reads a row
  twice in the forward, once in the backward, and writes its gradient once), where the caller names a loss kernel and
  the model catalogues its vocabulary. The output head's GEMMs read and write their own operands inside their FLOPs.
  Under full recomputation the re-run forward is charged at ``k_rf`` forwards of time (the named stack's measured
  cost where it catalogues one, else a catalogued convention of one whose range is the measured runs' spread); the
  hardware FLOPs keep one whole forward.
* Narayanan et al. §5.1 Eq. 4 estimates end-to-end training time as ``8·T·P/(n·X)`` (8 = 6 FLOPs per parameter
  per token plus a recomputed forward).
"""
from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import log2

from ._core import Cite, Equation, Wall, coefficient, register_computation, register_wall, sym
from .moe import EQ_BETA, EQ_N_ACC, N_acc, alpha_fab, beta_fab, f_imb, k_top, n_gpn
from .node import (BARROSO, EQ_K_MODEL, EQ_K_OPS, EQ_N_TOK, EQ_O_FWD, EQ_P_ACT, EQ_R_EFF, FEDUS, PALM_MFU, B, BW_mem, H,
                   N_L, O_fwd, P, R_eff, R_peak, S, b_w, eta_hw, h, k_model, k_ops, n_tok, recompute, training)
from .serving import HOFFMANN, VASWANI, c_attn, d_cat
from .training import (EQ_BW, EQ_FEASIBLE, EQ_K_TAX, EQ_L_LAT, EQ_SPILL, EQ_W, KORTHIKANTI_ACT, LORA,
                       TRAINING_EQUATIONS, BW, L_lat, M_train, N_dp, N_ep, N_pp, N_tp, P_tdp, W, b_opt, c_wg, f_act,
                       f_idle, f_lora, f_train, m_lora, m_xf, s_ckpt, z_stage)

PATARASUK = Cite("patarasuk2009bandwidth", "the bandwidth lower bound: an all-reduce sends at least 2(p−1)/p·n bytes "
                                          "per process; the ring algorithm attains it")
THAKUR = Cite("thakur2005optimization", "§4: ring and binomial-tree costs of reduce-scatter, all-gather, all-reduce, all-to-all")
NCCL = Cite("nvidia2024nccltests", "doc/PERFORMANCE.md, 'Summary': bus-bandwidth factors 2(n−1)/n (all-reduce), "
                                   "(n−1)/n (reduce-scatter, all-gather, all-to-all)")
NVLS = Cite("leung2024nvlsfactor", "doc/PERFORMANCE.md and src/all_reduce.cu: 'AllReduce (In-Network Reduction): "
                                   "(n-1)/(n+1)' under NCCL_ALGO=NVLS")
SHOEYBI = Cite("shoeybi2019megatron", "§3, Fig. 3: two all-reduces in the forward and two in the backward pass per layer")
KORTHIKANTI_SP = Cite("korthikanti2023reducing", "§4.2.2: with sequence parallelism the all-reduces become all-gathers "
                                               "and reduce-scatters of the same volume")
KORTHIKANTI_FLOPS = Cite("korthikanti2023reducing", "MFU and HFU as defined for Table 3: model FLOPs "
                                                  "72Bslh²(1 + s/6h + V/12lh) per iteration; with selective "
                                                  "recomputation the attention term s/6h doubles (s/3h) in HFU")
NARAYANAN_FLOPS = Cite("narayanan2021efficient", "§5.1: 96Bslh²(1 + s/6h + V/16lh) FLOPs per iteration with "
                                                "activation recomputation (4 passes)")
PALM_FLOPS = Cite("chowdhery2022palm", "Appendix B: model FLOPs per token 6N + 12LHQT (T the sequence length, Q "
                                      "the head dimension)")
NARAYANAN_TIME = Cite("narayanan2021efficient", "§5.1, Eq. 4: end-to-end training time ≈ 8TP/(nX)")
NARAYANAN_PP = Cite("narayanan2021efficient", "§2.2.1-2.2.2: the 1F1B bubble; interleaving v stages per device "
                                             "divides it by v")
GPIPE = Cite("huang2019gpipe", "§2.3: the bubble is (K−1)/(M+K−1) of the step for K stages and M micro-batches")
ZERO3 = Cite("rajbhandari2020zero", "§7.2.2: ZeRO-3 moves 3Ψ per step (1.5× data parallelism's 2Ψ)")
FSDP_SHARD = Cite("pytorch2023fsdpapi", "docstring of ShardingStrategy: FULL_SHARD 'unshards (via all-gather) before "
                                       "the forward, reshards after the forward, unshards before the backward "
                                       "computation, and reshards after the backward computation. For gradients, it "
                                       "synchronizes and shards them (via reduce-scatter) after the backward'")
DDP_NO_SYNC = Cite("pytorch2023ddpnosync", "docstring of DistributedDataParallel.no_sync: 'gradients will be "
                                          "accumulated on module variables, which will later be synchronized in the "
                                          "first forward-backward pass exiting the context'")
DEAN = Cite("dean2013tail", "'Living with latency variability': a synchronous step waits for its slowest worker")
XENTROPY = Cite("dao2023flashattnxentropy", "csrc/xentropy/xentropy_kernel.cu: the forward reads each row of "
                "logits twice (max and sum, then the sum of exponentials), the backward reads it once and writes its "
                "gradient once")
KORTHIKANTI_RC = Cite("korthikanti2023reducing", "Table 4: full recomputation makes a 22B layer's forward and backward "
                                               "+39 % slower, where one more forward is +33 % of its FLOPs")
KORTHIKANTI_PP = Cite("korthikanti2023reducing", "§4.2.3: under 1F1B the first stage holds the activations of p "
                                               "micro-batches")

# ---- generic collectives: time of one collective of an M-byte message over n ranks, per-direction bandwidth β ------
M_c = sym("M_c", r"M_{\text{coll}}", "B", "Message size of a collective (per rank)", "MB")
n_c = sym("n_c", r"n_{\text{coll}}", "", "Ranks in a collective", integer=True)
beta_c = sym("beta_c", r"\beta_{\text{coll}}", "B/s", "Link bandwidth of a collective, per direction", "GB/s")
alpha_c = sym("alpha_c", r"\alpha_{\text{coll}}", "s", "Per-step latency of a collective", "us")
g_c = sym("g_c", r"g_{\text{coll}}", "", "Ranks per node in a hierarchical collective", integer=True)
n_cn = sym("n_cn", r"n_{\text{coll,nodes}}", "", "Nodes a hierarchical collective spans", integer=True)
beta_in = sym("beta_in", r"\beta_{\text{in}}", "B/s", "Intra-node link bandwidth of a hierarchical collective", "GB/s")
alpha_in = sym("alpha_in", r"\alpha_{\text{in}}", "s", "Intra-node step latency of a hierarchical collective", "us")
T_ring = sym("T_ring", r"T_{\text{ring}}", "s", "Ring all-reduce time", "ms")
T_rs = sym("T_rs", r"T_{\text{RS}}", "s", "Ring reduce-scatter time", "ms")
T_ag = sym("T_ag", r"T_{\text{AG}}", "s", "Ring all-gather time", "ms")
T_tree = sym("T_tree", r"T_{\text{tree}}", "s", "Binomial-tree all-reduce time", "ms")
T_alltoall = sym("T_alltoall", r"T_{\text{A2A,coll}}", "s", "All-to-all time", "ms")
T_hier = sym("T_hier", r"T_{\text{hier}}", "s", "Hierarchical all-reduce time", "ms")
T_innet = sym("T_innet", r"T_{\text{SHARP}}", "s", "All-reduce time with in-network reduction", "ms")

c_two = coefficient("c_two", 2, "", "Two passes of a ring all-reduce: reduce-scatter then all-gather", PATARASUK)


def ring_allreduce(M, n, beta, alpha):
    return c_two * (n - 1) / n * M / beta + c_two * (n - 1) * alpha


def one_pass(M, n, beta, alpha):
    """Reduce-scatter, all-gather or all-to-all on a ring: (n−1)/n of the message over each link, n−1 steps."""
    return (n - 1) / n * M / beta + (n - 1) * alpha


def tree_allreduce(M, n, beta, alpha):
    return c_two * sp.ceiling(log2(n)) * (M / beta + alpha)


def hierarchical_allreduce(M, nodes, g, b_in, a_in, b_out, a_out):
    return c_two * one_pass(M, g, b_in, a_in) + ring_allreduce(M / g, nodes, b_out, a_out)


def innet_allreduce(M, n, beta, alpha):
    return (n - 1) / (n + 1) * M / beta + c_two * alpha


COLLECTIVES = (
    Equation("coll.ring_allreduce", "T_ring", ring_allreduce(M_c, n_c, beta_c, alpha_c),
             "Ring all-reduce: 2(n−1)/n of the message over each link, 2(n−1) steps", (PATARASUK, THAKUR, NCCL)),
    Equation("coll.reduce_scatter", "T_rs", one_pass(M_c, n_c, beta_c, alpha_c),
             "Ring reduce-scatter: (n−1)/n of the message, n−1 steps", (THAKUR, NCCL)),
    Equation("coll.all_gather", "T_ag", one_pass(M_c, n_c, beta_c, alpha_c),
             "Ring all-gather: (n−1)/n of the message, n−1 steps", (THAKUR, NCCL)),
    Equation("coll.all_to_all", "T_alltoall", one_pass(M_c, n_c, beta_c, alpha_c),
             "All-to-all: each rank sends (n−1)/n of its buffer, n−1 steps", (THAKUR, NCCL)),
    Equation("coll.tree_allreduce", "T_tree", tree_allreduce(M_c, n_c, beta_c, alpha_c),
             "Binomial-tree all-reduce: reduce then broadcast, ⌈log₂ n⌉ full messages each", (THAKUR,)),
    Equation("coll.nodes", "n_cn", n_c / g_c, "Nodes of a hierarchical collective: ranks over ranks per node"),
    Equation("coll.hierarchical_allreduce", "T_hier",
             hierarchical_allreduce(M_c, n_cn, g_c, beta_in, alpha_in, beta_c, alpha_c),
             "Hierarchical all-reduce: reduce-scatter in the node, ring across the nodes of the 1/g shard, "
             "all-gather in the node", (THAKUR, PATARASUK)),
    Equation("coll.in_network_allreduce", "T_innet", innet_allreduce(M_c, n_c, beta_c, alpha_c),
             "All-reduce with in-network reduction (NVLink SHARP): bus factor (n−1)/(n+1), one send and one receive",
             (NVLS,)),
)

# ---- the distributed training step ---------------------------------------------------------------------------------
B_g = sym("B_g", r"B_{\text{global}}", "", "Global batch size (samples per step across data parallelism)", integer=True)
N_rep = sym("N_rep", r"N_{\text{rep}}", "", "Accelerators in one model replica (TP × PP × EP)", integer=True)
GA_step = sym("GA_step", r"\text{GA}_{\text{step}}", "", "Gradient-accumulation steps per optimizer step",
              integer=True)
n_mb = sym("n_mb", "m", "", "Pipeline micro-batches per step", integer=True)
v_pp = sym("v_pp", "v", "", "Interleaved (virtual) pipeline stages per device", integer=True)
k_flight = sym("k_flight", r"k_{\text{flight}}", "", "Divisor of the replica batch for the activations in flight "
               "on the first pipeline stage", integer=True)
BW_intra = sym("BW_intra", r"\text{BW}_{\text{intra}}", "B/s", "Intra-node link bandwidth per accelerator, per "
               "direction", "GB/s")
alpha_intra = sym("alpha_intra", r"\alpha_{\text{intra}}", "s", "Intra-node collective step latency", "us")
w_topo = sym("w_topo", r"w_{\text{topo}}", "", "Data-parallel all-reduce: 0 automatic, 1 ring, 2 tree, "
             "3 hierarchical, 4 in-network reduction", integer=True)
r_node = sym("r_node", r"r_{\text{node}}", "", "Data-parallel ranks per node", integer=True)
n_span = sym("n_span", r"n_{\text{span}}", "", "Nodes a data-parallel group spans", integer=True)
BW_dp = sym("BW_dp", r"\text{BW}_{\text{DP}}", "B/s", "Link bandwidth of the data-parallel exchange", "GB/s")
alpha_dp = sym("alpha_dp", r"\alpha_{\text{DP}}", "s", "Step latency of the data-parallel exchange", "us")
f_lora_dp = sym("f_lora_dp", r"f_{\text{LoRA,DP}}", "", "Gradient share exchanged under LoRA when fixed by "
                "convention (0: the adapters' own share)")
f_grad = sym("f_grad", r"f_{\text{grad}}", "", "Share of the weight gradients exchanged by data parallelism")
D_grad = sym("D_grad", r"D_{\text{grad}}", "B", "Gradient bytes one data-parallel group exchanges", "GB")
T_dp_ar = sym("T_dp_ar", r"T_{\text{DP,AR}}", "s", "Gradient all-reduce time", "ms")
k_z3 = sym("k_z3", r"k_{\text{Z3}}", "", "Extra parameter all-gathers per step under ZeRO-3")
T_z3 = sym("T_z3", r"T_{\text{Z3}}", "s", "ZeRO-3 parameter all-gather time", "ms")
k_cong = sym("k_cong", r"k_{\text{cong}}", "", "Congestion factor on every collective (≥ 1)")
m_acc = sym("m_acc", r"m_{\text{acc}}", "", "Exchange accounting: 1 as often as it runs (once per optimizer step; "
            "ZeRO-3 once per micro-step), 0 divided over the accumulation steps (0.3.0)", integer=True)
n_xch = sym("n_xch", r"n_{\text{xch}}", "", "Data-parallel exchanges per optimizer step")
T_dp = sym("T_dp", r"T_{\text{DP}}", "s", "Data-parallel communication per optimizer step", "ms")
m_ov = sym("m_ov", r"m_{\text{ov}}", "", "Overlap flag: gradient exchange overlapped with the backward pass",
           integer=True)
eta_ov = sym("eta_ov", r"\eta_{\text{ov}}", "", "Share of the gradient exchange hidden by overlap")
T_dp_exp = sym("T_dp_exp", r"T_{\text{DP,exp}}", "s", "Exposed data-parallel communication", "ms")
V_tp = sym("V_tp", r"V_{\text{TP}}", "B", "Bytes of one tensor-parallel activation all-reduce", "MB")
BW_tp = sym("BW_tp", r"\text{BW}_{\text{TP}}", "B/s", "Link bandwidth of tensor parallelism", "GB/s")
alpha_tp = sym("alpha_tp", r"\alpha_{\text{TP}}", "s", "Step latency of tensor parallelism", "us")
T_tp = sym("T_tp", r"T_{\text{TP}}", "s", "Tensor-parallel communication per step", "ms")
V_ep = sym("V_ep", r"V_{\text{EP}}", "B", "Routed token bytes of the expert-parallel all-to-all", "MB")
T_ep = sym("T_ep", r"T_{\text{EP}}", "s", "Expert-parallel communication per step", "ms")
beta_bub = sym("beta_bub", r"\beta_{\text{bubble}}", "", "Pipeline bubble: idle share of the step")
T_comm = sym("T_comm", r"T_{\text{comm}}", "s", "Communication per step (data, tensor and expert parallel)", "ms")
T_comp_r = sym("T_comp_r", r"T_{\text{comp,rep}}", "s", "Replica compute time", "ms")
D_rep = sym("D_rep", r"D_{\text{rep}}", "B", "Bytes one accelerator of the replica streams per step", "GB")
T_mem_r = sym("T_mem_r", r"T_{\text{mem,rep}}", "s", "Replica memory time", "ms")
T_rep = sym("T_rep", r"T_{\text{rep}}", "s", "Replica step: the binding wall plus fixed overheads", "ms")
T_bub = sym("T_bub", r"T_{\text{bubble}}", "s", "Pipeline bubble time", "ms")
k_strag = sym("k_strag", r"k_{\text{strag}}", "", "Straggler factor on the step (≥ 1)")
T_step = sym("T_step", r"T_{\text{step}}", "s", "Distributed training step", "ms")
eta_scale = sym("eta_scale", r"\eta_{\text{scale}}", "", "Scaling efficiency: replica busy time over the step")
X_fleet = sym("X_fleet", r"X_{\text{fleet}}", "1/s", "Samples per second across the fleet")
X_node = sym("X_node", r"X_{\text{replica}}", "1/s", "Samples per second of one replica's busy time")
I_rep = sym("I_rep", r"I_{\text{rep}}", "FLOP/B", "Arithmetic intensity of one accelerator of the replica")
MFU_rep = sym("MFU_rep", r"\text{MFU}_{\text{rep}}", "", "Replica model FLOPs utilisation (3 × forward FLOPs)")
HFU_rep = sym("HFU_rep", r"\text{HFU}_{\text{rep}}", "", "Replica hardware FLOPs utilisation")
E_rep = sym("E_rep", r"E_{\text{rep}}", "J", "Replica energy per step")
ovh_rep = sym("ovh_rep", r"\text{ovh}_{\text{rep}}", "", "Fixed overheads exceed the replica's roofline time (1/0)")
B_tot = sym("B_tot", r"B_{\text{tot}}", "", "Samples processed per step across data parallelism", integer=True)
m_attn = sym("m_attn", r"m_{\text{attn}}", "", "Attention flag: a per-token model with attention heads, whose "
             "attention FLOPs grow with the sequence (1), else 0", integer=True)
h_att = sym("h_att", r"h_{\text{attn}}", "", "Attention width: query heads × head dimension", integer=True)
O_att = sym("O_att", r"O_{\text{attn}}", "FLOP", "Forward attention FLOPs per token over an S-token context "
            "(QKᵀ and AV)", "GFLOP")
k_att = sym("k_att", r"k_{\text{attn}}", "", "Executed attention FLOPs per forward attention FLOP with no fused kernel "
            "(Korthikanti et al.'s count)")
m_fa = sym("m_fa", r"m_{\text{FA}}", "", "Fused attention kernel: 1 where a FlashAttention-style kernel runs attention "
           "(causal score blocks skipped, scores recomputed in the backward), else 0", integer=True)
eta_att = sym("eta_att", r"\eta_{\text{attn}}", "", "Attention kernel efficiency: achieved share of peak on the kernel's "
              "executed FLOPs")
k_att_x = sym("k_att_x", r"k_{\text{attn,x}}", "", "Executed attention FLOPs per forward attention FLOP, as the step's "
              "attention kernel runs them")
eta_att_x = sym("eta_att_x", r"\eta_{\text{attn,x}}", "", "Efficiency the step's attention runs at")
k_rf = sym("k_rf", r"k_{\text{rf}}", "", "Time of the forward pass re-run under full recomputation, in forward "
           "passes at the step's own rates (1: what the forward cost)")
k_ops_t = sym("k_ops_t", r"k_{\text{ops},t}", "", "Forward passes' worth of time the weights and the memory-bound work "
              "take in the step (the recomputed one at its cost)")
k_att_t = sym("k_att_t", r"k_{\text{attn},t}", "", "Forward attention passes' worth of time the attention kernel takes in "
              "the step (the recomputed one at its cost)")
c_ew = sym("c_ew", r"c_{\text{ew}}", "", "Activation elements that cross between kernels per token, layer and hidden "
           "unit in one forward pass (read and written by the memory-bound kernels between the GEMMs); 0 where the "
           "stack's GEMM share already holds that work")
T_ew_r = sym("T_ew_r", r"T_{\text{ew,rep}}", "s", "Replica time of the memory-bound work between the GEMMs", "ms")
V_voc = sym("V_voc", r"V_{\text{voc}}", "", "Vocabulary size: logits per token (0 where none is catalogued)",
            integer=True)
c_lg = sym("c_lg", r"c_{\text{lg}}", "", "Logit element passes of the loss kernels per token and vocabulary entry in a "
           "training step (reads and writes of the logits outside the GEMMs); 0 where the GEMMs' share holds them")
T_lg_r = sym("T_lg_r", r"T_{\text{lg,rep}}", "s", "Replica time of the loss's memory-bound passes over the logits", "ms")
F_model = sym("F_model", r"F_{\text{model}}", "FLOP", "Model FLOPs per iteration (no recomputation)", "PFLOP")
F_hw = sym("F_hw", r"F_{\text{hw}}", "FLOP", "Hardware FLOPs per iteration (with what recomputation re-ran)", "PFLOP")
MFU_step = sym("MFU_step", r"\text{MFU}_{\text{step}}", "", "Model FLOPs utilisation of the distributed step")
HFU_step = sym("HFU_step", r"\text{HFU}_{\text{step}}", "", "Hardware FLOPs utilisation of the distributed step")
E_step = sym("E_step", r"E_{\text{step}}", "J", "Fleet energy per step")
D_tok = sym("D_tok", r"D_{\text{tok}}", "", "Training tokens")
X_gpu = sym("X_gpu", r"X_{\text{GPU}}", "FLOP/s", "Achieved FLOP/s per accelerator", "TFLOP/s")
t_train = sym("t_train", r"t_{\text{train}}", "s", "End-to-end training time", "d")

c_ar_tp = coefficient("c_ar_tp", 4, "", "Tensor-parallel all-reduces per layer per training step", SHOEYBI)
c_t8 = coefficient("c_t8", 8, "FLOP", "FLOPs per parameter per token with recomputation (6 + 2)", NARAYANAN_TIME)
DAO_CAUSAL = Cite("dao2023flashattention2", "§3.1.1 'Causal masking': blocks entirely above the diagonal are skipped, "
                  "about half of them for long sequences")
DAO_BWD = Cite("dao2023flashattention2", "§4.1: the backward pass is 2.5× the forward's FLOPs (five matrix products "
               "against two, the scores recomputed)")
c_causal = coefficient("c_causal", "1/2", "", "Share of the score blocks a causal fused kernel computes", DAO_CAUSAL)
c_fa_bwd = coefficient("c_fa_bwd", "5/2", "", "Fused-attention backward FLOPs per forward FLOP", DAO_BWD)

multi = sp.StrictGreaterThan
dp_on = multi(N_dp, 1)

# ---- FLOPs of a training iteration (walls 1 and 14): weights and attention, per pass ------------------------------
FLOPS_EQUATIONS = (
    Equation("shape.attention_width", "h_att", sp.Piecewise((H * d_cat, multi(d_cat, 0)), (h, True)),
             "Attention width: heads × the catalogued head dimension, else the hidden size", (VASWANI,),
             regimes=("heads × catalogued head dimension", "hidden size")),
    Equation("compute.attention_flops", "O_att", sp.Piecewise((c_attn * N_L * h_att * S, multi(m_attn, 0)), (0, True)),
             "Forward attention FLOPs per token over an S-token context: QKᵀ and AV in every layer (no causal "
             "halving, as Korthikanti et al. and PaLM count them)", (HOFFMANN, PALM_FLOPS),
             regimes=("attention", "no sequence-dependent attention term")),
    Equation("compute.k_attention", "k_att",
             sp.Piecewise((4, recompute), (6, sp.And(training, sp.Eq(s_ckpt, 1))), (k_ops, True)),
             "Executed attention FLOPs per forward attention FLOP: full recomputation re-runs the forward (4); "
             "selective recomputation re-runs the attention core (Korthikanti's count doubles the attention term: "
             "6); otherwise as the weights", (KORTHIKANTI_FLOPS, NARAYANAN_FLOPS),
             regimes=("full recomputation", "selective recomputation", "as the weights")),
    Equation("compute.k_attention_kernel", "k_att_x",
             sp.Piecewise((c_causal * (2 + c_fa_bwd), sp.And(multi(m_fa, 0), recompute)),
                          (c_causal * (1 + c_fa_bwd), sp.And(multi(m_fa, 0), training)),
                          (c_causal, multi(m_fa, 0)), (k_att, True)),
             "Executed attention FLOPs per forward attention FLOP as the kernel runs them: a fused causal kernel "
             "computes half the score blocks, and its backward 2.5 forwards (one more forward with full "
             "recomputation); with no fused kernel named, k_attn (Korthikanti et al.'s count)", (DAO_CAUSAL, DAO_BWD),
             regimes=("fused kernel, full recomputation", "fused kernel, training", "fused kernel, forward",
                      "no fused kernel: Korthikanti et al.'s count")),
    Equation("train.model_flops", "F_model", k_model * (O_fwd + O_att) * n_tok * B_tot,
             "Model FLOPs per iteration: 3 passes of the weights and of attention (PaLM's 6N + 12LHQT per token)",
             (PALM_FLOPS, KORTHIKANTI_FLOPS)),
    Equation("train.hardware_flops", "F_hw", (k_ops * O_fwd + k_att_x * O_att) * n_tok * B_tot,
             "Hardware FLOPs per iteration: what ran, recomputation included", (NARAYANAN_FLOPS, KORTHIKANTI_FLOPS)),
)
UTILISATION_EQUATIONS = (
    Equation("train.mfu", "MFU_step", F_model / (T_step * N_acc * R_peak), "Model FLOPs utilisation of the step",
             (PALM_MFU, KORTHIKANTI_FLOPS)),
    Equation("train.hfu", "HFU_step", F_hw / (T_step * N_acc * R_peak), "Hardware FLOPs utilisation of the step",
             (PALM_MFU, KORTHIKANTI_FLOPS)),
)

# ---- the distributed step -----------------------------------------------------------------------------------------
EQUATIONS = (
    Equation("comm.replica_size", "N_rep", N_tp * N_pp * N_ep, "Accelerators in one model replica"),
    Equation("comm.data_parallel", "N_dp", sp.Max(1, sp.floor(N_acc / N_rep)),
             "Data-parallel replicas: the fleet over the replica size (the facade checks that it divides exactly)"),
    Equation("comm.local_batch", "B", sp.Max(1, sp.floor(B_g / N_dp)),
             "Samples per replica per step (at least one)"),
    Equation("comm.samples", "B_tot", N_dp * B, "Samples processed per step across data parallelism"),
    Equation("comm.in_flight", "k_flight", sp.Piecewise((sp.Max(1, sp.floor(n_mb / N_pp)), multi(N_pp, 1)), (1, True)),
             "Micro-batch divisor for the activations the first 1F1B stage holds", (KORTHIKANTI_PP,),
             regimes=("pipelined", "no pipeline")),
    Equation("comm.memory_microsteps", "GA", GA_step * k_flight,
             "Micro-steps the replica batch is split over for activation memory"),
    Equation("comm.attention_efficiency", "eta_att_x", sp.Piecewise((eta_att, multi(m_fa, 0)), (eta_hw, True)),
             "Efficiency the attention runs at: the fused kernel's own share of peak, else the GEMMs'",
             regimes=("fused kernel's share", "the GEMMs' share")),
    Equation("comm.k_ops_time", "k_ops_t", sp.Piecewise((3 + k_rf, recompute), (k_ops, True)),
             "Passes' worth of time of the weights' GEMMs and the work between them: the forward and the backward's "
             "two, and under full recomputation the re-run forward at its measured cost (k_ops counts it as one "
             "whole forward of FLOPs)", (KORTHIKANTI_RC,),
             regimes=("full recomputation", "as the FLOPs")),
    Equation("comm.k_attention_time", "k_att_t",
             sp.Piecewise((k_att_x + (k_rf - 1) * c_causal, sp.And(multi(m_fa, 0), recompute)),
                          (k_att_x + k_rf - 1, recompute), (k_att_x, True)),
             "Passes' worth of time of attention: as the kernel executes them, the re-run forward at its measured "
             "cost under full recomputation", (KORTHIKANTI_RC, DAO_CAUSAL),
             regimes=("fused kernel, full recomputation", "full recomputation", "as the FLOPs")),
    Equation("comm.elementwise_time", "T_ew_r",
             sp.Piecewise((k_ops_t * c_ew * N_L * h * b_w * n_tok * B_tot / (BW_mem * N_acc),
                           sp.And(multi(m_xf, 0), multi(c_ew, 0))), (0, True)),
             "Memory-bound work between the GEMMs: the activations that cross between kernels (c_ew elements per "
             "token, layer and hidden unit in a forward) streamed as often as the passes run (k_ops_t forward "
             "passes' worth: the forward, the backward's two, a recomputed forward at its cost) at the device "
             "memory's bandwidth, the "
             "replica's share; none for a model that is not a transformer, or a count of 0", (KORTHIKANTI_ACT,),
             regimes=("transformer with a count", "none")),
    Equation("comm.logit_time", "T_lg_r",
             sp.Piecewise((c_lg * V_voc * b_w * n_tok * B_tot / (BW_mem * N_acc),
                           sp.And(multi(m_xf, 0), multi(c_lg, 0), multi(V_voc, 0))), (0, True)),
             "Memory-bound passes of the loss over the logits: c_lg reads and writes of the V logits of every token "
             "in a step (the loss kernel's forward and backward; the output head's GEMMs hold their own operands) at "
             "the device memory's bandwidth, the replica's share; none without a loss kernel's count or a vocabulary",
             (XENTROPY,), regimes=("loss kernel's passes", "none")),
    Equation("comm.replica_compute", "T_comp_r",
             k_ops_t * O_fwd * n_tok * B_tot / (R_eff * N_acc) + k_att_t * O_att * n_tok * B_tot
             / (R_peak * eta_att_x * N_acc) + T_ew_r + T_lg_r,
             "Replica compute: its share of the iteration's weight FLOPs at the achieved rate, of its attention "
             "FLOPs at the attention's, the memory-bound work between them and the loss's passes over the logits",
             (SHOEYBI, DAO_CAUSAL)),
    Equation("comm.replica_memory", "M_req",
             sp.Piecewise((M_train, multi(m_xf, 0)), (f_lora * W / N_rep, multi(m_lora, 0)),
                          ((c_wg * W + W / b_w * b_opt) / N_rep, True)),
             "Training state per accelerator: Korthikanti's per rank for a transformer, else weights, gradients "
             "and optimizer state of the shard", (KORTHIKANTI_PP,),
             regimes=("transformer training state", "LoRA", "weights, gradients, optimizer state")),
    Equation("comm.replica_traffic", "D_rep", W / N_rep * (1 + f_act * B),
             "Bytes one accelerator streams: its weight shard plus activation traffic"),
    Equation("comm.replica_memory_time", "T_mem_r", D_rep / BW, "Replica memory time"),
    Equation("comm.replica_step", "T_rep", sp.Max(T_comp_r, T_mem_r) + L_lat,
             "Replica step: the binding wall plus fixed overheads", regimes=("Compute", "Memory"),
             branches=(T_comp_r, T_mem_r)),
    Equation("comm.replica_overhead_dominated", "ovh_rep", sp.StrictGreaterThan(L_lat, sp.Max(T_comp_r, T_mem_r)),
             "Fixed overheads exceed the replica's roofline time"),
    Equation("comm.replica_throughput", "X_node", B / T_rep, "Samples per second of one replica"),
    Equation("comm.replica_intensity", "I_rep", F_hw / (N_acc * D_rep), "Arithmetic intensity per accelerator"),
    Equation("comm.replica_mfu", "MFU_rep", sp.Min(1, F_model / (T_rep * R_peak * N_acc)),
             "Replica MFU: model FLOPs over the replica's busy time", (PALM_MFU,)),
    Equation("comm.replica_hfu", "HFU_rep", sp.Min(1, F_hw / (T_rep * R_peak * N_acc)),
             "Replica HFU: executed FLOPs over the replica's busy time", (PALM_MFU,)),
    Equation("comm.replica_energy", "E_rep", P_tdp * (f_idle + (1 - f_idle) * HFU_rep) * N_rep * T_rep,
             "Replica energy per step", (BARROSO,)),
    # data parallelism
    Equation("comm.dp_ranks_per_node", "r_node", sp.Max(1, sp.floor(n_gpn / N_rep)),
             "Data-parallel ranks per node"),
    Equation("comm.dp_nodes", "n_span", sp.ceiling(N_dp / r_node), "Nodes a data-parallel group spans"),
    Equation("comm.dp_bandwidth", "BW_dp", sp.Piecewise((BW_intra, sp.LessThan(n_span, 1)), (beta_fab, True)),
             "Link of a flat data-parallel exchange: NVLink inside one node, else the fabric",
             regimes=("intra-node", "fabric")),
    Equation("comm.dp_latency", "alpha_dp", sp.Piecewise((alpha_intra, sp.LessThan(n_span, 1)), (alpha_fab, True)),
             "Step latency of a flat data-parallel exchange", regimes=("intra-node", "fabric")),
    Equation("comm.gradient_share", "f_grad",
             sp.Piecewise((f_lora_dp, sp.And(multi(m_lora, 0), multi(f_lora_dp, 0))), (f_train, True)),
             "Share of the gradients exchanged: the trainable share (LoRA: the adapters'), or a fixed convention",
             (LORA,), regimes=("fixed by convention", "trainable share")),
    Equation("comm.gradient_bytes", "D_grad", f_grad * W / (N_tp * N_pp),
             "Gradient bytes of one data-parallel group: the shard left after TP and PP"),
    Equation("comm.dp_allreduce", "T_dp_ar",
             sp.Piecewise(
                 (0, sp.LessThan(N_dp, 1)),
                 (tree_allreduce(D_grad, N_dp, BW_dp, alpha_dp), sp.Eq(w_topo, 2)),
                 (innet_allreduce(D_grad, N_dp, BW_dp, alpha_dp), sp.Eq(w_topo, 4)),
                 (ring_allreduce(D_grad, N_dp, BW_dp, alpha_dp),
                  sp.Or(sp.Eq(w_topo, 1), sp.LessThan(n_span, 1), sp.LessThan(r_node, 1))),
                 (hierarchical_allreduce(D_grad, n_span, r_node, BW_intra, alpha_intra, beta_fab, alpha_fab), True)),
             "Gradient all-reduce of data parallelism", (PATARASUK, THAKUR, NCCL, NVLS),
             regimes=("no data parallelism", "tree", "in-network reduction", "ring", "hierarchical")),
    Equation("comm.zero3_gathers", "T_z3",
             sp.Piecewise((k_z3 * T_dp_ar / c_two, sp.And(sp.GreaterThan(z_stage, 3), dp_on)), (0, True)),
             "ZeRO-3 parameter all-gathers beyond the gradient exchange: each the all-gather half of the gradient "
             "all-reduce, over the same collective (inside the node, across it, or hierarchically)", (ZERO3, THAKUR),
             regimes=("ZeRO-3", "parameters replicated")),
    Equation("comm.exchanges", "n_xch",
             sp.Piecewise((GA_step, sp.And(multi(m_acc, 0), sp.GreaterThan(z_stage, 3))), (1, multi(m_acc, 0)),
                          (1 / GA_step, True)),
             "Data-parallel exchanges per optimizer step: ZeRO-3 gathers and reduce-scatters every micro-step, "
             "accumulated gradients are exchanged once (0.3.0: the exchange divided over the accumulation steps)",
             (FSDP_SHARD, DDP_NO_SYNC), regimes=("every micro-step", "once per step", "divided over accumulation")),
    Equation("comm.dp_time", "T_dp", k_cong * (T_dp_ar + T_z3) * n_xch,
             "Data-parallel communication per optimizer step: congested, as often as the exchange runs", (DEAN,)),
    Equation("comm.dp_exposed", "T_dp_exp", sp.Piecewise(((1 - eta_ov) * T_dp, multi(m_ov, 0)), (T_dp, True)),
             "Exposed data-parallel communication", regimes=("overlapped", "sequential")),
    # tensor parallelism
    Equation("comm.tp_bytes", "V_tp", B * S * h * b_w, "Activation bytes of one tensor-parallel all-reduce",
             (SHOEYBI,)),
    Equation("comm.tp_bandwidth", "BW_tp", sp.Piecewise((BW_intra, sp.LessThan(N_tp, n_gpn)), (beta_fab, True)),
             "Tensor parallelism runs on NVLink when its group fits in a node", regimes=("intra-node", "fabric")),
    Equation("comm.tp_latency", "alpha_tp", sp.Piecewise((alpha_intra, sp.LessThan(N_tp, n_gpn)), (alpha_fab, True)),
             "Step latency of tensor parallelism", regimes=("intra-node", "fabric")),
    Equation("comm.tp_time", "T_tp",
             sp.Piecewise((k_cong * c_ar_tp * sp.ceiling(N_L / N_pp) * ring_allreduce(V_tp, N_tp, BW_tp, alpha_tp),
                           multi(N_tp, 1)), (0, True)),
             "Tensor-parallel communication: 4 activation all-reduces per layer of the stage (with sequence "
             "parallelism 4 all-gathers and 4 reduce-scatters, the same time)", (SHOEYBI, KORTHIKANTI_SP),
             regimes=("tensor parallel", "none")),
    # expert parallelism
    Equation("comm.ep_bytes", "V_ep", B * S * h * b_w * sp.Max(1, k_top) * f_imb,
             "Routed token bytes of the expert all-to-all", (FEDUS,)),
    Equation("comm.ep_time", "T_ep",
             sp.Piecewise((k_cong * one_pass(V_ep, N_ep, beta_fab, alpha_fab), multi(N_ep, 1)), (0, True)),
             "Expert-parallel all-to-all over the fabric", (THAKUR,), regimes=("expert parallel", "none")),
    # pipeline
    Equation("comm.bubble_fraction", "beta_bub", (N_pp - 1) / (v_pp * n_mb + N_pp - 1),
             "Pipeline bubble: idle share of the step", (GPIPE, NARAYANAN_PP)),
    Equation("comm.bubble_time", "T_bub",
             sp.Piecewise((T_rep * beta_bub / (1 - beta_bub), multi(N_pp, 1)), (0, True)),
             "Bubble time added to the replica's busy time", (GPIPE,), regimes=("pipelined", "no pipeline")),
    # the step
    Equation("comm.time", "T_comm", T_dp + T_tp + T_ep, "Communication per step"),
    Equation("comm.step", "T_step", k_strag * (T_rep + T_dp_exp + T_tp + T_ep + T_bub),
             "Distributed step: replica compute, exposed communication, bubble; the slowest worker sets it",
             (DEAN,)),
    Equation("comm.scaling_efficiency", "eta_scale", T_rep / T_step, "Scaling efficiency"),
    Equation("comm.fleet_throughput", "X_fleet", N_dp * B / T_step, "Samples per second across the fleet"),
)
EQ_E_STEP = Equation("comm.energy", "E_step",
                     N_acc * P_tdp * (f_idle + (1 - f_idle) * sp.Min(1, HFU_step)) * T_step,
                     "Fleet energy per step (linear power model at the step's utilisation)", (BARROSO,))
EQ_T_TRAIN = Equation("train.end_to_end_time", "t_train", c_t8 * D_tok * P / (N_acc * X_gpu),
                      "End-to-end training time from tokens, parameters, accelerators and achieved FLOP/s",
                      (NARAYANAN_TIME,))

register_wall(Wall(
    14, "Communication", "fleet", "DistributedModel",
    "A step across many accelerators cannot finish before its collectives do: gradients, activations and routed "
    "tokens cross links of finite bandwidth and latency, and a pipeline idles while it fills.",
    (*COLLECTIVES, *FLOPS_EQUATIONS, *UTILISATION_EQUATIONS, *EQUATIONS, EQ_E_STEP, EQ_T_TRAIN), (PATARASUK, SHOEYBI),
    monotonic=(("T_ring", "M_c", +1), ("T_ring", "beta_c", -1), ("T_dp", "k_cong", +1), ("T_step", "k_strag", +1),
               ("beta_bub", "n_mb", -1), ("T_tp", "h", +1), ("t_train", "D_tok", +1), ("t_train", "X_gpu", -1),
               ("T_ew_r", "c_ew", +1), ("k_ops_t", "k_rf", +1), ("T_lg_r", "c_lg", +1), ("T_lg_r", "V_voc", +1)),
    resolvers=("DistributedModel", "MoERoutingModel", "TrainingFlopsModel", "TrainingTimeModel"),
))
register_computation("coll.all", [eq.id for eq in COLLECTIVES],
                     "CollectiveModel: the α–β time of every collective for one message over n ranks")
_FLOPS = [EQ_P_ACT.id, EQ_O_FWD.id, EQ_N_TOK.id, EQ_K_OPS.id, EQ_K_MODEL.id, *(e.id for e in FLOPS_EQUATIONS)]
register_computation("train.flops_utilisation", [*_FLOPS, *(e.id for e in UTILISATION_EQUATIONS)],
                     "MFU and HFU of a training iteration from its time (PaLM Appendix B; Korthikanti et al. §6)")
register_computation("train.end_to_end", [EQ_T_TRAIN.id], "End-to-end training time (Narayanan et al. Eq. 4)")
register_computation(
    "comm.step",
    [EQ_N_ACC.id, EQ_BETA.id, EQ_R_EFF.id, EQ_W.id, *_FLOPS, *(e.id for e in TRAINING_EQUATIONS),
     *(e.id for e in EQUATIONS), EQ_BW.id, EQ_FEASIBLE.id, EQ_SPILL.id,
     EQ_K_TAX.id, EQ_L_LAT.id, *(e.id for e in UTILISATION_EQUATIONS), EQ_E_STEP.id],
    "DistributedModel: one data/tensor/pipeline/expert-parallel training step (wall 14)")
