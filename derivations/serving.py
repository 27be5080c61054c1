"""LLM serving chapter: TTFT, ITL and KV cache of the book's reference deployment (wall 4)."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, serving

_L8_H100 = serving("Llama3_8B", "H100", seq_len=2048, batch_size=1, precision="fp16")
_L70_B200 = serving("Llama3_70B", "B200", seq_len=2048, batch_size=1, precision="fp16")

VALUES = [
    BookValue("LlamaEightHhundredTtft", "Llama-3 8B on H100, 2048-token prompt: time to first token", _L8_H100,
              "ttft", "ms", 4),
    BookValue("LlamaEightHhundredItl", "Llama-3 8B on H100: inter-token latency", _L8_H100, "itl", "ms", 3),
    BookValue("LlamaEightHhundredKvCache", "Llama-3 8B, 2048 tokens, batch 1: KV-cache size", _L8_H100,
              "kv_cache_size", "GB", 3),
    BookValue("LlamaSeventyBtwohundredItl", "Llama-3 70B on B200: inter-token latency", _L70_B200, "itl", "ms", 3),
]

# ---- The two phases of inference: prefill (TTFT) and decode (ITL) against batch and context; KV-cache pressure --
from mlsysim_sym.export.spec import BookFigure, BookTable, FigureData, TableData  # noqa: E402

TITLE = "The two phases of inference"
ORDER = 20
BATCHES = (1, 2, 4, 8, 16, 32, 64, 128)
CONTEXTS = (512, 1024, 2048, 4096, 8192, 16384, 32768)
KV_CONTEXTS = (2048, 8192, 32768, 131072)
KV_BATCHES = (1, 8, 32, 128)


def _solve(model: str, hw: str, seq_len: int, batch: int):
    from mlsysim_sym import ServingModel

    return ServingModel().solve(model=model, hardware=hw, seq_len=seq_len, batch_size=batch, precision="fp16")


def _phases_figure(axis: str) -> FigureData:
    xs = BATCHES if axis == "batch" else CONTEXTS
    cols: dict[str, list] = {axis: [], "ttft_ms": [], "itl_ms": []}
    for x in xs:
        r = _solve("Llama3_8B", "H100", 2048 if axis == "batch" else x, x if axis == "batch" else 1)
        cols[axis].append(int(x))
        cols["ttft_ms"].append(float(r.ttft.m_as("ms")))
        cols["itl_ms"].append(float(r.itl.m_as("ms")))

    def draw(ax, c):
        ax.loglog(c[axis], c["ttft_ms"], marker="o", ms=3, label="TTFT (prefill)")
        ax.loglog(c[axis], c["itl_ms"], marker="s", ms=3, label="ITL (decode)")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("Batch size [sequences] (context 2,048 tokens)" if axis == "batch"
                      else "Context length [tokens] (batch 1)")
        ax.set_ylabel("Latency [ms]")
        ax.set_title(f"Llama-3 8B on H100 (FP16): TTFT and ITL against {axis}")
        ax.legend(loc="upper left")

    return FigureData(cols, draw)


def _kv_table() -> TableData:
    rows = []
    for ctx in KV_CONTEXTS:
        for b in KV_BATCHES:
            r = _solve("Llama3_8B", "H100", ctx, b)
            rows.append([f"{ctx:,}", b, f"{r.kv_cache_size.m_as('GB'):.3g}", f"{r.total_memory_required.m_as('GB'):.3g}",
                         f"{float(r.memory_utilization):.2f}", "yes" if r.feasible else "no"])
    return TableData(["Context [tokens]", "Batch", "KV cache [GB]", "Weights + KV [GB]", "Share of 80 GB", "Fits"],
                     rows, align="rrrrrl",
                     note="Llama-3 8B at FP16 on one H100: the KV cache grows with context × batch and, past the "
                          "capacity, the deployment no longer fits (utilisation above 1).")


TABLES = [BookTable("kv-pressure", "KV-cache pressure: Llama-3 8B on H100 by context and batch", _kv_table)]
FIGURES = [
    BookFigure("phases-batch", "Prefill and decode latency against batch size (Llama-3 8B, H100, 2,048-token "
               "context)", lambda: _phases_figure("batch")),
    BookFigure("phases-context", "Prefill and decode latency against context length (Llama-3 8B, H100, batch 1)",
               lambda: _phases_figure("context")),
]
