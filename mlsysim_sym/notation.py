"""The symbol table: one row per symbol of every wall (name, LaTeX, SI unit, description).

House notation of the *Machine Learning Systems* book: multi-letter roots and word subscripts are roman
(``R_{\\text{peak}}``, ``\\text{BW}``, ``\\eta_{\\text{hw}}``, ``D_{\\text{vol}}``, ``L_{\\text{lat}}``); batch is
``B``, parameters ``P``, sequence length ``S``, layers ``N_L``.

This module is plain data (no SymPy, no pint) so that the CLI can describe symbols without importing either.
The unit is the SI unit the evaluator uses for the symbol's float value ("" = dimensionless count or ratio);
walls are dimension-checked against it when they are registered.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import UnknownKeyError


@dataclass(frozen=True, slots=True)
class Sym:
    name: str          # Python identifier used in SymPy and in generated code
    latex: str         # house notation
    unit: str          # SI unit of the float value ("" = dimensionless)
    description: str
    display_unit: str = ""  # unit for printing (defaults to unit)
    integer: bool = False   # a count that is an integer by nature (batch, layers, heads)
    signed: bool = False    # may be negative (a difference such as memory left over); else non-negative
    unbounded: bool = False  # may be +inf in a regime the result flags (an unstable queue's waits)

    @property
    def shown_unit(self) -> str:
        return self.display_unit or self.unit


_ROWS: tuple[Sym, ...] = (
    # ---- wall 1 compute / wall 2 memory (the roofline, Engine.solve)
    Sym("O_fwd", r"O_{\text{fwd}}", "FLOP", "Forward-pass FLOPs per inference (per token, image or sequence)", "GFLOP"),
    Sym("B", r"B", "", "Batch size (samples or sequences per step)", integer=True),
    Sym("m_train", r"m_{\text{train}}", "", "Training mode flag (1 = training step, 0 = inference)", integer=True),
    Sym("m_recomp", r"m_{\text{recomp}}", "", "Activation-recomputation flag (1 = recompute the forward pass)", integer=True),
    Sym("m_tok", r"m_{\text{tok}}", "", "FLOPs are counted per token (decoder LMs, SSMs): 1, else 0", integer=True),
    Sym("n_tok", r"n_{\text{tok}}", "", "Tokens each sample contributes to the step (training: S; decode: 1)"),
    Sym("k_ops", r"k_{\text{ops}}", "", "Executed FLOPs per forward FLOP (1 inference, 3 training, 4 with recomputation)"),
    Sym("k_model", r"k_{\text{model}}", "", "Useful (model) FLOPs per forward FLOP (1 inference, 3 training)"),
    Sym("R_peak", r"R_{\text{peak}}", "FLOP/s", "Peak math rate of the device at the chosen precision", "TFLOP/s"),
    Sym("eta_hw", r"\eta_{\text{hw}}", "", "Hardware efficiency: achieved / peak FLOP/s"),
    Sym("R_eff", r"R_{\text{eff}}", "FLOP/s", "Achieved math rate", "TFLOP/s"),
    Sym("P", r"P", "param", "Parameter count", "Gparam"),
    Sym("b_w", r"b_{\text{w}}", "B", "Bytes per stored parameter (precision width)"),
    Sym("M_size", r"M_{\text{size}}", "B", "Catalogued model size for size-only models (0 = use parameters)", "GB"),
    Sym("O_step", r"O_{\text{step}}", "FLOP", "FLOPs of one denoising step", "GFLOP"),
    Sym("n_steps", r"n_{\text{steps}}", "", "Denoising steps per generation", integer=True),
    Sym("W", r"\lvert W \rvert", "B", "Weight bytes", "GB"),
    Sym("f_act", r"f_{\text{act}}", "", "Activation traffic per sample, as a fraction of weight bytes"),
    Sym("D_vol", r"D_{\text{vol}}", "B", "Bytes moved per step (weights plus activation traffic)", "GB"),
    Sym("BW_mem", r"\text{BW}_{\text{mem}}", "B/s", "Main-memory (HBM/DRAM) bandwidth", "TB/s"),
    Sym("BW_sram", r"\text{BW}_{\text{SRAM}}", "B/s", "On-chip SRAM bandwidth (0 if none)", "TB/s"),
    Sym("C_sram", r"C_{\text{SRAM}}", "B", "On-chip SRAM capacity (0 if none)", "MB"),
    Sym("BW_flash", r"\text{BW}_{\text{flash}}", "B/s", "Flash read bandwidth (0 if none)", "GB/s"),
    Sym("BW_host", r"\text{BW}_{\text{host}}", "B/s", "Host-link bandwidth per direction (offload path)", "GB/s"),
    Sym("BW", r"\text{BW}", "B/s", "Bandwidth of the path the weights stream from", "TB/s"),
    Sym("C_mem", r"C_{\text{mem}}", "B", "Main-memory capacity", "GB"),
    Sym("M_req", r"M_{\text{req}}", "B", "Memory the step requires on the device", "GB"),
    Sym("M_spill", r"M_{\text{spill}}", "B", "Bytes that do not fit and spill to host memory", "GB"),
    Sym("b_opt", r"b_{\text{opt}}", "B", "Optimizer-state bytes per parameter (Adam: FP32 master + 2 moments)"),
    Sym("m_lora", r"m_{\text{LoRA}}", "", "LoRA flag (1 = only adapters are trained)", integer=True),
    Sym("f_lora", r"f_{\text{LoRA}}", "", "Training footprint of LoRA as a multiple of weight bytes"),
    Sym("T_comp", r"T_{\text{comp}}", "s", "Compute time: the compute wall", "ms"),
    Sym("T_mem", r"T_{\text{mem}}", "s", "Memory time: the memory wall", "ms"),
    Sym("tau_disp", r"\tau_{\text{disp}}", "s", "Fixed dispatch overhead per step", "ms"),
    Sym("N_L", r"N_L", "", "Layers", integer=True),
    Sym("tau_layer", r"\tau_{\text{layer}}", "s", "Framework overhead per layer per forward pass", "ms"),
    Sym("k_tax", r"k_{\text{tax}}", "", "Per-layer overhead multiplier (3 in training: forward + backward)"),
    Sym("L_lat", r"L_{\text{lat}}", "s", "Fixed overheads per step (dispatch plus per-layer tax)", "ms"),
    Sym("T", r"T", "s", "Step latency", "ms"),
    Sym("X", r"X", "1/s", "Throughput (samples per second)"),
    Sym("I", r"I", "FLOP/B", "Arithmetic intensity of the step"),
    Sym("MFU", r"\text{MFU}", "", "Model FLOPs utilisation"),
    Sym("HFU", r"\text{HFU}", "", "Hardware FLOPs utilisation (counts recomputation)"),
    Sym("P_tdp", r"P_{\text{TDP}}", "W", "Thermal design power"),
    Sym("f_idle", r"f_{\text{idle}}", "", "Share of TDP drawn at zero utilisation"),
    Sym("E", r"E", "J", "Energy per step"),
    Sym("feasible", r"\text{fits}", "", "Whether the step fits in device memory (1/0)"),
    # ---- walls 1-2 (extra)
    Sym("k_tax_train", r"k_{\text{tax,train}}", "", "Per-layer overhead multiplier in training (forward + backward launches)"),
    Sym("overhead_dominated", r"\text{ovh}", "", "Whether fixed overheads exceed the roofline time (1/0)"),
    Sym("P_act", r"P_{\text{act}}", "param", "Parameters active per token (all of them for a dense model)", "Gparam"),
    # ---- wall 3: software efficiency
    Sym("eta_ref", r"\eta_{\text{ref}}", "", "Reference efficiency the MFU bands are stated at"),
    Sym("w_type", r"w", "", "Workload type: 0 attention+flash, 1 attention, 2 FFN, 3 convolution, 4 other", integer=True),
    Sym("e_flash", r"e_{\text{flash}}", "", "MFU of flash attention at the reference efficiency"),
    Sym("cap_flash", r"\bar{e}_{\text{flash}}", "", "Cap on flash-attention MFU"),
    Sym("e_attn", r"e_{\text{attn}}", "", "MFU of unfused attention at the reference efficiency"),
    Sym("e_ffn", r"e_{\text{FFN}}", "", "MFU of FFN/GEMM layers at the reference efficiency"),
    Sym("cap_ffn", r"\bar{e}_{\text{FFN}}", "", "Cap on FFN MFU"),
    Sym("e_conv", r"e_{\text{conv}}", "", "MFU of convolutions at the reference efficiency"),
    Sym("cap_conv", r"\bar{e}_{\text{conv}}", "", "Cap on convolution MFU"),
    Sym("e_other", r"e_{\text{other}}", "", "MFU of other kernels at the reference efficiency"),
    Sym("k_occ", r"k_{\text{occ}}", "", "Occupancy headroom factor"),
    Sym("MFU_w", r"\text{MFU}_{w}", "", "Achievable MFU of the workload type"),
    Sym("R_ach", r"R_{\text{ach}}", "FLOP/s", "Achievable FLOP/s", "TFLOP/s"),
    Sym("L_occ", r"\ell_{\text{occ}}", "", "Occupancy loss"),
    Sym("L_stall", r"\ell_{\text{stall}}", "", "Memory-stall loss"),
    # ---- wall 5: continuous batching
    Sym("S_max", r"S_{\max}", "", "Maximum request length (tokens)", integer=True),
    Sym("S_mean", r"\bar{S}", "", "Mean request length (tokens)"),
    Sym("N_max", r"N_{\max}", "", "Maximum batch (concurrent requests)", integer=True),
    Sym("p_page", r"p", "", "Paged-KV block size (tokens)", integer=True),
    Sym("M_kvfree", r"M_{\text{KV,free}}", "B", "Memory left for KV cache after the weights", "GB", signed=True),
    Sym("T_budget", r"T_{\text{budget}}", "", "KV-cache capacity in tokens"),
    Sym("N_static", r"N_{\text{static}}", "", "Requests a static max-length reservation fits", integer=True),
    Sym("frag_static", r"f_{\text{static}}", "", "Unused share of each static reservation"),
    Sym("rho_len", r"\rho_{S}", "", "Mean over maximum request length"),
    Sym("t_len", r"t", "", "Capped-exponential shape: S_max over the exponential scale"),
    Sym("K_pages", r"K", "", "Pages of a maximum-length request", integer=True),
    Sym("r_page", r"r", "", "Probability a request outlasts one more page"),
    Sym("E_blocks", r"E[\lceil S/p \rceil]", "", "Expected pages per request"),
    Sym("a_alloc", r"a", "", "Expected tokens allocated per request"),
    Sym("frag_paged", r"f_{\text{paged}}", "", "Unused share of the last page"),
    Sym("N_paged", r"N_{\text{paged}}", "", "Requests paged allocation fits", integer=True),
    Sym("t_step_p", r"t_{\text{paged}}", "s", "Decode step at the paged batch", "ms"),
    Sym("t_step_s", r"t_{\text{static}}", "s", "Decode step at the static batch", "ms"),
    Sym("X_paged", r"X_{\text{paged}}", "1/s", "Decode tokens per second, paged"),
    Sym("X_static", r"X_{\text{static}}", "1/s", "Decode tokens per second, static"),
    Sym("speedup_cb", r"s_{\text{paged}}", "", "Paged over static throughput", unbounded=True),
    Sym("KV_paged", r"M_{\text{KV,paged}}", "B", "KV bytes allocated, paged", "GB"),
    Sym("KV_static", r"M_{\text{KV,static}}", "B", "KV bytes reserved, static", "GB"),
    Sym("TTFT_cb", r"\text{TTFT}_{\max}", "s", "Prefill of a full batch of maximum-length requests", "ms"),
    Sym("feasible_cb", r"\text{fits}", "", "At least one request fits (1/0)"),
    # ---- wall 6: weight streaming
    Sym("f_sram", r"f_{\text{SRAM}}", "", "SRAM working-memory overhead factor on the KV cache"),
    Sym("m_prefill", r"m_{\text{prefill}}", "", "Phase flag (1 = prefill, 0 = decode)", integer=True),
    Sym("BW_inj", r"\text{BW}_{\text{inj}}", "B/s", "Weight-injection bandwidth into the wafer/chip", "GB/s"),
    Sym("KV_ws", r"M_{\text{KV}}", "B", "KV cache held on chip", "GB"),
    Sym("M_sram_req", r"M_{\text{SRAM}}", "B", "On-chip memory required (KV plus working overhead)", "GB"),
    Sym("U_sram", r"U_{\text{SRAM}}", "", "On-chip memory utilisation"),
    Sym("feasible_ws", r"\text{fits}", "", "KV cache fits on chip (1/0)"),
    Sym("P_l", r"P_{\ell}", "param", "Parameters per layer", "Mparam"),
    Sym("t_inj", r"t_{\text{inj}}", "s", "Time to stream one layer's weights in", "ms"),
    Sym("F_layer", r"O_{\ell}", "FLOP", "FLOPs of one layer for the batch", "GFLOP"),
    Sym("t_layer_c", r"t_{\text{comp}}", "s", "Compute time of one layer", "ms"),
    Sym("t_layer", r"t_{\ell}", "s", "Time per layer (the slower of compute and injection)", "ms"),
    Sym("T_ws", r"T_{\text{pass}}", "s", "Time of one pass over all layers", "ms"),
    Sym("X_ws", r"X_{\text{tok}}", "1/s", "Tokens per second"),
    Sym("B_star", r"B^{*}", "", "Batch at which compute covers weight injection", integer=True),
    # ---- wall 7: tail latency
    Sym("lam", r"\lambda", "1/s", "Arrival rate (queries per second)"),
    Sym("t_svc", r"t_{\text{svc}}", "s", "Mean service time", "ms", unbounded=True),
    Sym("c_srv", r"c", "", "Servers (replicas)", integer=True),
    Sym("cv_svc", r"c_{v}", "", "Coefficient of variation of service time"),
    Sym("mu_svc", r"\mu", "1/s", "Service rate per server"),
    Sym("a_load", r"a", "", "Offered load λ/μ (Erlangs)"),
    Sym("rho_q", r"\rho", "", "Utilisation λ/(cμ)"),
    Sym("P_wait", r"P_{W}", "", "Probability an arrival waits (Erlang C)"),
    Sym("r_drain", r"r", "1/s", "Decay rate of the waiting-time tail cμ(1−ρ)"),
    Sym("kappa", r"\kappa", "", "Kingman variability factor (c_v²+1)/2"),
    Sym("w50", r"W_{50}", "s", "Median queueing wait", "ms", unbounded=True),
    Sym("w99", r"W_{99}", "s", "99th-percentile queueing wait", "ms", unbounded=True),
    Sym("p50", r"T_{50}", "s", "Median latency", "ms", unbounded=True),
    Sym("p99", r"T_{99}", "s", "99th-percentile latency", "ms", unbounded=True),
    Sym("rho_rep", r"\rho", "", "Reported utilisation (1 when unstable)"),
    Sym("stable", r"\text{stable}", "", "ρ < 1 (1/0)"),
    Sym("k_slo", r"k_{\text{SLO}}", "", "SLO threshold as a multiple of the service time"),
    Sym("headroom", r"h_{\text{SLO}}", "", "p99 wait over the SLO threshold"),
    # ---- serving capacity (walls 4, 5, 7 composed)
    Sym("n_out", r"n_{\text{out}}", "", "Output tokens per request", integer=True),
    Sym("L_base", r"L_{\text{base}}", "s", "Request latency without queueing (TTFT + n_out·ITL)", "ms"),
    Sym("L_p99", r"L_{99}", "s", "Estimated p99 request latency with queueing", "ms", unbounded=True),
    Sym("L_target", r"L_{\text{target}}", "s", "p99 latency target", "ms"),
    Sym("meets_slo", r"\text{meets}", "", "Stable queue and p99 within the target (1/0)"),
    Sym("X_cap", r"X_{\text{cap}}", "1/s", "Requests per second the replicas serve"),
    Sym("X_rep", r"X_{\text{rep}}", "1/s", "Requests per second one replica completes"),
    # ---- MoE routing and the network roofline
    Sym("E_exp", r"E", "", "Routed experts", integer=True),
    Sym("k_top", r"k", "", "Experts per token (top-k)", integer=True),
    Sym("f_imb", r"f_{\text{imb}}", "", "Routing imbalance factor (≥ 1)"),
    Sym("e_eff", r"e_{\text{eff}}", "", "Effective active experts per token"),
    Sym("m_route", r"m_{\text{route}}", "", "Active-parameter multiplier from imbalance"),
    Sym("P_act_eff", r"P_{\text{act,eff}}", "param", "Effective active parameters", "Gparam"),
    Sym("N_ep_r", r"N_{\text{EP}}", "", "Expert-parallel degree", integer=True),
    Sym("D_route", r"D_{\text{route}}", "B", "Token payload routed per step", "MB"),
    Sym("D_dispatch", r"D_{\text{dispatch}}", "B", "Payload leaving the local expert shard", "MB"),
    Sym("BW_fab", r"\text{BW}_{\text{fab}}", "B/s", "Fabric bandwidth per rank", "GB/s"),
    Sym("os_fab", r"\text{os}", "", "Fabric oversubscription"),
    Sym("alpha_fab", r"\alpha", "s", "Fabric latency per message", "us"),
    Sym("T_a2a", r"T_{\text{A2A}}", "s", "All-to-all time", "ms"),
    Sym("N_acc", r"N", "", "Accelerators in the fleet", integer=True),
    Sym("R_fleet", r"R_{\text{fleet}}", "FLOP/s", "Fleet peak FLOP/s", "PFLOP/s"),
    Sym("beta_fab", r"\beta", "B/s", "Effective fabric bandwidth BW/os", "GB/s"),
    Sym("D_sync", r"D_{\text{sync}}", "B", "Gradient bytes synchronised per step", "GB"),
    Sym("O_train", r"O_{\text{train}}", "FLOP", "Training FLOPs per token-step (6P)", "GFLOP"),
    Sym("I_net", r"I_{\text{net}}", "FLOP/B", "Communication intensity"),
    Sym("T_net", r"T_{\text{net}}", "s", "Network time", "ms"),
    Sym("T_nc", r"T_{\text{comp}}", "s", "Compute time", "ms"),
    Sym("T_nr", r"T", "s", "Step latency (network roofline)", "ms"),
    Sym("MFU_net", r"\text{MFU}", "", "MFU under the network roofline"),
    # ---- wall 2: training state
    Sym("N_tp", r"N_{\text{TP}}", "", "Tensor-parallel degree", integer=True),
    Sym("N_pp", r"N_{\text{PP}}", "", "Pipeline-parallel degree", integer=True),
    Sym("N_ep", r"N_{\text{EP}}", "", "Expert-parallel degree", integer=True),
    Sym("N_dp", r"N_{\text{DP}}", "", "Data-parallel degree (ZeRO sharding)", integer=True),
    Sym("D_b", r"D_{b}", "", "Ranks the global batch is split over (1 when the batch is per device)", integer=True),
    Sym("GA", r"\text{GA}", "", "Gradient-accumulation steps", integer=True),
    Sym("z_stage", r"z", "", "ZeRO stage (0-3)", integer=True),
    Sym("m_sp", r"m_{\text{SP}}", "", "Sequence-parallel flag", integer=True),
    Sym("s_ckpt", r"s_{\text{ckpt}}", "", "Activation checkpointing: 0 none, 1 selective, 2 full", integer=True),
    Sym("h", r"h", "", "Hidden size", integer=True),
    Sym("H", r"H", "", "Attention heads", integer=True),
    Sym("S", r"S", "", "Sequence length (tokens)", integer=True),
    Sym("f_train", r"f_{\text{train}}", "", "Trainable fraction of the parameters"),
    Sym("f_trainable", r"f_{\text{trainable}}", "", "Trainable fraction requested (full fine-tuning: 1)"),
    Sym("r_lora", r"r", "", "LoRA rank", integer=True),
    Sym("f_buf", r"f_{\text{buf}}", "", "Communication buffers as a fraction of gradient bytes"),
    Sym("P_r", r"P_{r}", "param", "Parameters held per model-parallel rank", "Gparam"),
    Sym("b_mb", r"b", "", "Micro-batch per rank", integer=True),
    Sym("L_s", r"N_{L,s}", "", "Layers per pipeline stage", integer=True),
    Sym("M_w", r"M_{\text{w}}", "B", "Weight bytes per rank", "GB"),
    Sym("M_g", r"M_{\text{g}}", "B", "Gradient bytes per rank", "GB"),
    Sym("M_o", r"M_{\text{opt}}", "B", "Optimizer-state bytes per rank", "GB"),
    Sym("M_a", r"M_{\text{act}}", "B", "Activation bytes per rank", "GB"),
    Sym("M_buf", r"M_{\text{buf}}", "B", "Communication-buffer bytes per rank", "GB"),
    Sym("U_train", r"U_{\text{mem}}", "", "Training memory utilisation (required / capacity)"),
    # ---- wall 4: serving
    Sym("c_pre", r"c", "", "Cached prompt-prefix tokens (not recomputed)", integer=True),
    Sym("n_new", r"n", "", "New prompt tokens to prefill", integer=True),
    Sym("d_head", r"d", "", "Per-head dimension", integer=True),
    Sym("H_kv", r"H_{\text{kv}}", "", "Key/value heads", integer=True),
    Sym("r_kv", r"d_{c}", "", "MLA compressed KV dimension", integer=True),
    Sym("d_rope", r"d_{\text{rope}}", "", "MLA decoupled RoPE key dimension", integer=True),
    Sym("m_mla", r"m_{\text{MLA}}", "", "Multi-head latent attention flag", integer=True),
    Sym("k_tok", r"k_{\text{KV}}", "B", "KV-cache bytes per token (all layers)", "KB"),
    Sym("KV", r"M_{\text{KV}}", "B", "KV-cache bytes", "GB"),
    Sym("F_pre", r"O_{\text{pre}}", "FLOP", "Prefill FLOPs", "TFLOP"),
    Sym("T_pre", r"T_{\text{pre}}", "s", "Prefill compute time", "ms"),
    Sym("q_chunk", r"q", "", "Prefill chunk size in tokens (0 = no chunking)", integer=True),
    Sym("n_chunks", r"n_{\text{chunk}}", "", "Prefill chunks", integer=True),
    Sym("q_max", r"q_{\max}", "", "Tokens in the largest prefill chunk", integer=True),
    Sym("T_chunk", r"T_{\text{chunk}}", "s", "Time of the largest prefill chunk (decode stall bound)", "ms"),
    Sym("m_disagg", r"m_{\text{disagg}}", "", "Disaggregated prefill/decode flag", integer=True),
    Sym("BW_xfer", r"\text{BW}_{\text{xfer}}", "B/s", "KV transfer bandwidth prefill → decode pool", "GB/s"),
    Sym("TTFT", r"\text{TTFT}", "s", "Time to first token", "ms"),
    Sym("ITL0", r"\text{ITL}_{0}", "s", "Inter-token latency of one target decode step", "ms"),
    Sym("m_spec", r"m_{\text{spec}}", "", "Speculative decoding flag", integer=True),
    Sym("alpha_acc", r"\alpha", "", "Draft-token acceptance rate"),
    Sym("gamma_spec", r"\gamma", "", "Draft tokens per verification", integer=True),
    Sym("P_d", r"P_{\text{draft}}", "param", "Draft-model parameters", "Gparam"),
    Sym("W_d", r"\lvert W_{\text{draft}} \rvert", "B", "Draft weight bytes", "GB"),
    Sym("k_tok_d", r"k_{\text{KV,draft}}", "B", "Draft KV bytes per token", "KB"),
    Sym("t_draft", r"t_{\text{draft}}", "s", "One draft decode step", "ms"),
    Sym("E_tok", r"E[\text{tokens}]", "", "Expected tokens per verification pass"),
    Sym("ITL", r"\text{ITL}", "s", "Inter-token latency", "ms"),
    Sym("M_serve", r"M_{\text{serve}}", "B", "Serving memory: weights, KV cache, draft weights", "GB"),
    Sym("U_mem", r"U_{\text{mem}}", "", "Memory utilisation (required / capacity)"),
    Sym("feasible_serve", r"\text{fits}", "", "Whether serving fits in decode-device memory (1/0)"),
    Sym("hit_ratio", r"h_{\text{cache}}", "", "Prompt-cache hit ratio"),
)

SYMBOLS: dict[str, Sym] = {}


def register(*rows: Sym) -> None:
    """Add rows to the table (wall modules add their own symbols); a name may be defined once."""
    for row in rows:
        old = SYMBOLS.get(row.name)
        if old is not None and old != row:
            raise ValueError(f"symbol {row.name!r} defined twice with different metadata")
        SYMBOLS[row.name] = row


register(*_ROWS)


def sym(name: str) -> Sym:
    try:
        return SYMBOLS[name]
    except KeyError:
        raise UnknownKeyError("symbol", name, SYMBOLS) from None
