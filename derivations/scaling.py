"""Scaling to 1,000 GPUs: ring all-reduce, pipeline bubbles and scaling efficiency (wall 14) on DGX H100 fleets."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, resolver

_EIGHT_1K = resolver("DistributedModel", model="Llama3_8B", fleet="Training_1K", batch_size=4096, precision="bf16")
_EIGHT_1K_OVERLAP = resolver("DistributedModel", model="Llama3_8B", fleet="Training_1K", batch_size=4096,
                             precision="bf16", overlap_comm=True)
_SEVENTY_1K = resolver("DistributedModel", model="Llama3_70B", fleet="Training_1K", batch_size=1024,
                       precision="bf16", tp_size=8, pp_size=8, microbatch_count=16)

VALUES = [
    BookValue("ScaleLlamaEightThousandStep", "Llama-3 8B, data parallel on 1,024 H100 (Training_1K, HDR), 4 sequences "
              "per GPU: step time", _EIGHT_1K, "step_latency_total", "s", 3),
    BookValue("ScaleLlamaEightThousandAllReduce", "same: gradient all-reduce per step (NVLink, then a ring over "
              "128 nodes)", _EIGHT_1K, "dp_communication_latency", "ms", 3),
    BookValue("ScaleLlamaEightThousandEfficiency", "same: scaling efficiency", _EIGHT_1K, "scaling_efficiency", "", 3),
    BookValue("ScaleLlamaEightThousandOverlapEfficiency", "same with the all-reduce overlapped with the backward "
              "pass: scaling efficiency", _EIGHT_1K_OVERLAP, "scaling_efficiency", "", 3),
    BookValue("ScaleLlamaSeventyThousandBubble", "Llama-3 70B on 1,024 H100 (TP8 PP8 DP16, 16 micro-batches): "
              "pipeline bubble fraction", _SEVENTY_1K, "bubble_fraction", "", 3),
    BookValue("ScaleLlamaSeventyThousandEfficiency", "same: scaling efficiency", _SEVENTY_1K, "scaling_efficiency",
              "", 3),
    BookValue("ScaleLlamaSeventyThousandMfu", "same: model FLOPs utilisation", _SEVENTY_1K, "mfu", "", 3),
]

# ---- scaling efficiency against GPU count, all-reduce and bubbles -------------------------------------------------
from mlsysim_sym.export.spec import BookFigure, BookTable, FigureData, TableData  # noqa: E402

TITLE = "Scaling to 1,000 GPUs"
ORDER = 40
NODES = (1, 2, 4, 8, 16, 32, 64, 128)          # DGX H100 nodes of 8 GPUs: 8 to 1,024 GPUs
SEQ_PER_GPU = 4
FABRICS = ("InfiniBand_NDR", "InfiniBand_HDR", "Ethernet_100G")
PP_SIZES = (1, 2, 4, 8, 16)
MICROBATCHES = (1, 4, 16, 64)


def fleet(nodes: int, fabric: str):
    from mlsysim_sym.systems import Fleet

    return Fleet(name=f"DGX H100 x{nodes} {fabric}", node="DGX_H100", count=nodes, fabric=fabric)


def data_parallel(nodes: int, fabric: str, overlap: bool = False):
    """Llama-3 8B, pure data parallelism, SEQ_PER_GPU sequences of 2,048 tokens per GPU (weak scaling)."""
    from mlsysim_sym import DistributedModel

    f = fleet(nodes, fabric)
    return DistributedModel().solve(model="Llama3_8B", fleet=f, batch_size=SEQ_PER_GPU * f.total_accelerators,
                                    precision="bf16", overlap_comm=overlap)


def pipelined(nodes: int, fabric: str, pp: int = 4, microbatches: int = 16):
    """Llama-3 70B, TP8 (one node) × PP ``pp`` × the remaining data parallelism."""
    from mlsysim_sym import DistributedModel

    f = fleet(nodes, fabric)
    return DistributedModel().solve(model="Llama3_70B", fleet=f, batch_size=f.total_accelerators, precision="bf16",
                                    tp_size=8, pp_size=pp, microbatch_count=microbatches)


def ring_ranks(r) -> tuple[str, int]:
    """What the gradient ring runs over: the GPUs of one node (NVLink ring) or the nodes (hierarchical)."""
    v = r.result.values
    if r.result.regimes.get("T_dp_ar") == 3:
        return "GPUs (NVLink)", int(v["N_dp"])
    return "nodes (fabric)", int(v["n_span"])


def _scaling_table() -> TableData:
    rows = []
    for n in NODES:
        r = data_parallel(n, "InfiniBand_NDR")
        ring, k = ring_ranks(r)
        rows.append([f"{n * 8:,}", n, f"{k} {ring}", f"{2 * (k - 1) / k:.4f}",
                     f"{r.dp_communication_latency.m_as('ms'):.1f}", f"{r.step_latency_total.m_as('ms'):,.0f}",
                     f"{float(r.scaling_efficiency):.3f}", f"{float(r.mfu):.3f}"])
    return TableData(["GPUs", "Nodes", "Ring over n", "Ring factor 2(n-1)/n", "All-reduce [ms]", "Step [ms]",
                      "Scaling efficiency", "MFU"], rows, align="rrlrrrrr",
                     note="Llama-3 8B in BF16, data parallel, 4 sequences of 2,048 tokens per GPU, DGX H100 nodes on "
                          "InfiniBand NDR. The 16 GB gradient is reduced inside each node over NVLink, then one ring "
                          "over the nodes moves 2(n-1)/n of each GPU's shard: the factor, and so the all-reduce time, "
                          "saturates as the fleet grows.")


def _bubble_table() -> TableData:
    rows = []
    for pp in PP_SIZES:
        row: list = [pp]
        for m in MICROBATCHES:
            row.append(f"{float(pipelined(16, 'InfiniBand_NDR', pp, m).bubble_fraction):.3f}")
        rows.append(row)
    return TableData(["Pipeline stages"] + [f"m = {m}" for m in MICROBATCHES], rows, align="rrrrr",
                     note="Bubble fraction (p-1)/(m + p-1) of a 1F1B step for p stages and m micro-batches "
                          "(Llama-3 70B, TP8, on 128 H100): it is small only when m is much larger than p.")


def _efficiency() -> FigureData:
    cols: dict[str, list] = {"series": [], "gpus": [], "scaling_efficiency": []}

    def add(name: str, gpus: int, eff: float) -> None:
        cols["series"].append(name)
        cols["gpus"].append(int(gpus))
        cols["scaling_efficiency"].append(float(eff))

    names = {"InfiniBand_NDR": "InfiniBand NDR (400 Gb/s)", "InfiniBand_HDR": "InfiniBand HDR (200 Gb/s)",
             "Ethernet_100G": "Ethernet (100 Gb/s)"}
    for fab in FABRICS:
        for n in NODES:
            add(f"Llama-3 8B DP, {names[fab]}", n * 8, data_parallel(n, fab).scaling_efficiency)
    for n in NODES:
        add("Llama-3 8B DP, NDR, all-reduce overlapped", n * 8,
            data_parallel(n, "InfiniBand_NDR", overlap=True).scaling_efficiency)
    for n in NODES:
        if n >= 4:
            add("Llama-3 70B TP8 PP4 (m = 16), NDR", n * 8, pipelined(n, "InfiniBand_NDR").scaling_efficiency)

    def draw(ax, c):
        styles = (("-", "o", "#006395"), ("--", "s", "#E67817"), (":", "v", "#CB202D"), ("-.", "^", "#008F45"),
                  ("-", "D", "#7E317B"))
        for k, name in enumerate(dict.fromkeys(c["series"])):
            xs = [g for s, g in zip(c["series"], c["gpus"]) if s == name]
            ys = [e for s, e in zip(c["series"], c["scaling_efficiency"]) if s == name]
            ls, mk, col = styles[k % 5]
            ax.plot(xs, ys, ls=ls, marker=mk, ms=3, color=col, label=name)
        ax.set_xscale("log", base=2)
        ax.axhline(1.0, color="0.5", lw=0.8, ls=":")
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("GPUs [H100, 8 per DGX node]")
        ax.set_ylabel("Scaling efficiency [busy time / step time]")
        ax.set_title("Scaling efficiency against GPU count (BF16, 2,048-token sequences)")
        ax.legend(loc="lower left", fontsize=6.5)

    return FigureData(cols, draw, size=(5.6, 3.9))


TABLES = [
    BookTable("data-parallel", "Data-parallel Llama-3 8B from 8 to 1,024 H100: the ring all-reduce and the "
              "scaling efficiency", _scaling_table),
    BookTable("bubbles", "Pipeline bubble fraction by pipeline depth and micro-batch count", _bubble_table),
]
FIGURES = [BookFigure("efficiency-gpus", "Scaling efficiency against GPU count: data parallelism on three fabrics, "
                      "with the all-reduce overlapped, and a TP8 × PP4 pipeline", _efficiency)]
