"""Memory, capacity and MoE: the training-memory breakdown (wall 2), replicas for a QPS and a p99 (walls 4, 5, 7)
and expert imbalance (mixture-of-experts routing)."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, resolver

_TRAIN = resolver("TrainingMemoryModel", model="Llama3_8B", hardware="H100", batch_size=1, seq_len=2048,
                  precision="bf16")
_TRAIN_Z3 = resolver("TrainingMemoryModel", model="Llama3_8B", hardware="H100", batch_size=1, seq_len=2048,
                     precision="bf16", dp_size=8, zero_stage=3)
_CAPACITY = resolver("ServingCapacityModel", model="Llama3_8B", hardware="H100", qps=200, target_p99_latency_ms=5000,
                     max_seq_len=2048, mean_request_tokens=512)
_MOE = resolver("MoERoutingModel", model="Mixtral_8x7B", batch_size=8, seq_len=2048, routing_imbalance_factor=1.5,
                ep_size=8, fleet="DgxH100SuperPodSU")

VALUES = [
    BookValue("MemLlamaEightTrainTotal", "Llama-3 8B training on one H100 (BF16, Adam, batch 1, 2,048 tokens, "
              "selective recomputation): memory per rank", _TRAIN, "total_memory", "GB", 4),
    BookValue("MemLlamaEightTrainOptimizer", "same: optimizer state (FP32 master, m, v)", _TRAIN, "optimizer_state",
              "GB", 4),
    BookValue("MemLlamaEightTrainActivations", "same: activations (Korthikanti, selective)", _TRAIN, "activations",
              "GB", 4),
    BookValue("MemLlamaEightZeroThreeTotal", "same over 8 data-parallel ranks with ZeRO-3: memory per rank", _TRAIN_Z3,
              "total_memory", "GB", 4),
    BookValue("CapLlamaEightReplicas", "Llama-3 8B on H100, 200 requests/s, p99 ≤ 5 s (512-token prompts): "
              "replicas needed", _CAPACITY, "required_replicas", "", 3),
    BookValue("CapLlamaEightReplicaQps", "same: requests per second one replica sustains", _CAPACITY,
              "per_replica_qps_capacity", "1/s", 3),
    BookValue("MoeMixtralActiveParams", "Mixtral 8x7B at routing imbalance 1.5: effective active parameters",
              _MOE, "effective_active_parameters", "Gparam", 4),
    BookValue("MoeMixtralAllToAll", "same, 8-way expert parallelism over the SuperPOD fabric: all-to-all time",
              _MOE, "all_to_all_latency", "ms", 3),
]

# ---- tables and the training-memory breakdown figure ------------------------------------------------------------
from mlsysim_sym.export.spec import BookFigure, BookTable, FigureData, TableData  # noqa: E402

TITLE = "Memory, capacity and MoE"
ORDER = 30
TRAIN_MODELS = ("BERT_Large", "GPT2", "Llama2_7B", "Llama3_8B", "Llama2_13B")
PARTS = (("weights", "Weights"), ("gradients", "Gradients"), ("optimizer_state", "Optimizer state"),
         ("activations", "Activations"), ("communication_buffers", "Buffers"))
ZERO_DP = 8
QPS = (10, 50, 100, 200, 500, 1000)
P99_MS = (1500, 5000)
MOE_MODELS = ("Mixtral_8x7B", "DeepSeek_V3")
IMBALANCE = (1.0, 1.25, 1.5, 2.0)


def training(model: str, zero_stage: int = 0, dp: int = 1):
    from mlsysim_sym import TrainingMemoryModel

    return TrainingMemoryModel().solve(model=model, hardware="H100", batch_size=1, seq_len=2048, precision="bf16",
                                       dp_size=dp, zero_stage=zero_stage)


def capacity(qps: int, p99_ms: int):
    from mlsysim_sym import ServingCapacityModel

    return ServingCapacityModel().solve(model="Llama3_8B", hardware="H100", qps=qps, target_p99_latency_ms=p99_ms,
                                        max_seq_len=2048, mean_request_tokens=512)


def routing(model: str, imbalance: float):
    from mlsysim_sym import MoERoutingModel

    return MoERoutingModel().solve(model=model, batch_size=8, seq_len=2048, routing_imbalance_factor=imbalance)


def _cases():
    """(label, result): each model unsharded on one H100, then Llama-3 8B with ZeRO 1-3 over 8 ranks."""
    out = [(m, training(m)) for m in TRAIN_MODELS]
    out += [(f"Llama3_8B ZeRO-{z} ×{ZERO_DP}", training("Llama3_8B", z, ZERO_DP)) for z in (1, 2, 3)]
    return out


def _memory_table() -> TableData:
    rows = []
    for label, r in _cases():
        rows.append([label, f"{r.result.values['P'] / 1e9:.3g}"] + [f"{getattr(r, f).m_as('GB'):.3g}" for f, _ in PARTS]
                    + [f"{r.total_memory.m_as('GB'):.4g}", "yes" if r.feasible else "no"])
    return TableData(["Model", "Params [B]"] + [f"{t} [GB]" for _, t in PARTS] + ["Total [GB]", "Fits 80 GB"], rows,
                     align="p2.6cmp1.1cmp1.2cmp1.3cmp1.3cmp1.7cmp1.1cmp1.1cmp1cm",
                     note="Per rank on H100, BF16 mixed precision with Adam (16 B/param of model states before "
                          "sharding), batch 1, 2,048 tokens, selective recomputation with sequence parallelism; "
                          "buffers are the catalogue's communication-buffer share of the weights. ZeRO shards the "
                          "optimizer state (1), the gradients (2) and the weights (3) over the data-parallel ranks.")


def _capacity_table() -> TableData:
    rows = []
    for p99 in P99_MS:
        for q in QPS:
            r = capacity(q, p99)
            rows.append([f"{p99 / 1000:g}", q, int(r.required_replicas), f"{float(r.per_replica_qps_capacity):.3g}",
                         f"{float(r.utilization):.2f}", f"{r.estimated_p99_latency.m_as('ms'):,.0f}",
                         "yes" if r.feasible else "no"])
    return TableData(["p99 target [s]", "QPS", "Replicas", "QPS per replica", "Utilisation", "Estimated p99 [ms]",
                      "Meets target"], rows, align="rrrrrrl",
                     note="Llama-3 8B on H100 (FP16), continuous batching up to 32 sequences, 512-token prompts, "
                          "128 output tokens, exponential service times: the fewest replicas whose queueing tail "
                          "plus request latency meets the p99 target.")


def _moe_table() -> TableData:
    rows = []
    for model in MOE_MODELS:
        for f in IMBALANCE:
            r = routing(model, f)
            rows.append([model, f"{f:g}", f"{float(r.effective_active_experts):g}",
                         f"{r.effective_active_parameters.m_as('Gparam'):.4g}",
                         f"{float(r.active_parameter_multiplier):.3g}"])
    return TableData(["Model", "Imbalance", "Effective experts per token", "Active params [B]", "× balanced"], rows,
                     align="lrrrr",
                     note="Routing imbalance f: the busiest expert receives f times its fair share, so a step "
                          "waits for f·k experts' worth of weights and FLOPs (k the top-k of the router).")


def _breakdown() -> FigureData:
    cols: dict[str, list] = {"case": [], "component": [], "gigabytes": []}
    for label, r in _cases():
        for f, title in PARTS:
            cols["case"].append(label)
            cols["component"].append(title)
            cols["gigabytes"].append(float(getattr(r, f).m_as("GB")))
    cap = float(training("Llama3_8B").available_memory.m_as("GB"))

    def draw(ax, c):
        cases = list(dict.fromkeys(c["case"]))
        comps = list(dict.fromkeys(c["component"]))
        bottom = [0.0] * len(cases)
        colors = ("#006395", "#E67817", "#A51C30", "#008F45", "#7E317B")
        for k, comp in enumerate(comps):
            vals = [next(g for cc, cp, g in zip(c["case"], c["component"], c["gigabytes"]) if cc == case and cp == comp)
                    for case in cases]
            ax.bar(range(len(cases)), vals, bottom=bottom, color=colors[k % 5], width=0.7, label=comp)
            bottom = [b + v for b, v in zip(bottom, vals)]
        for i, tot in enumerate(bottom):
            ax.annotate(f"{tot:.0f}", (i, tot), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=7)
        ax.axhline(cap, color="0.2", lw=0.9, ls="--")
        ax.annotate(f"H100 capacity {cap:.0f} GB", (-0.4, cap), xytext=(0, 3), textcoords="offset points",
                    fontsize=7, color="0.2")
        ax.set_xticks(range(len(cases)), [x.replace("_", " ").replace(" ZeRO", "\nZeRO") for x in cases],
                      rotation=35, ha="right", fontsize=7)
        ax.set_ylabel("Memory per GPU [GB]")
        ax.set_ylim(0, max(bottom) * 1.12)
        ax.set_title("Training memory per GPU (BF16, Adam, batch 1, 2,048 tokens)")
        ax.legend(loc="upper right", fontsize=7)
        ax.grid(axis="x", visible=False)

    return FigureData(cols, draw, size=(5.6, 4.0))


TABLES = [
    BookTable("training-memory", "Training memory per rank on H100: weights, gradients, optimizer state, "
              "activations and buffers", _memory_table),
    BookTable("serving-capacity", "Replicas of Llama-3 8B on H100 for a request rate and a p99 target",
              _capacity_table),
    BookTable("moe-imbalance", "Mixture-of-experts routing imbalance: experts and parameters a token waits for",
              _moe_table),
]
FIGURES = [BookFigure("training-memory", "Training-memory breakdown per GPU: five models unsharded, then Llama-3 8B "
                      "with ZeRO stages 1-3 over 8 data-parallel ranks, against the H100's 80 GB", _breakdown)]
