"""Why LLM inference is memory-bound: decode intensity against the device ridge (walls 1-2 and 4)."""
from __future__ import annotations

import math

from mlsysim_sym.export.values import BookValue, engine

_L8_H100 = engine("Llama3_8B", "H100", batch_size=1, precision="fp16")
_L8_H100_B256 = engine("Llama3_8B", "H100", batch_size=256, precision="fp16")
_L70_B200 = engine("Llama3_70B", "B200", batch_size=1, precision="fp16")

VALUES = [
    BookValue("MbLlamaEightDecodeIntensity", "Llama-3 8B decode step on H100, batch 1, FP16: arithmetic intensity",
              _L8_H100, "arithmetic_intensity", "FLOP/B", 3),
    BookValue("MbLlamaEightDecodeMfu", "same: model FLOPs utilisation", _L8_H100, "mfu", "", 2),
    BookValue("MbLlamaEightDecodeMemoryTime", "same: time to stream the step's bytes (memory wall)", _L8_H100,
              "latency_memory", "ms", 3),
    BookValue("MbLlamaEightDecodeComputeTime", "same: time of the step's FLOPs at the catalogue efficiency",
              _L8_H100, "latency_compute", "ms", 3),
    BookValue("MbLlamaEightBatchTwoFiftySixIntensity", "Llama-3 8B decode on H100, batch 256: arithmetic intensity",
              _L8_H100_B256, "arithmetic_intensity", "FLOP/B", 3),
    BookValue("MbLlamaSeventyBtwohundredIntensity", "Llama-3 70B decode on B200, batch 1: arithmetic intensity",
              _L70_B200, "arithmetic_intensity", "FLOP/B", 3),
]

# ---- decode intensity against the ridge: three byte counts, one FLOP count --------------------------------------
from mlsysim_sym.export.spec import BookFigure, BookTable, Cited, FigureData, TableData  # noqa: E402

TITLE = "Why LLM inference is memory-bound"
ORDER = 15
BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)
CONTEXTS = (2048, 8192)
CASES = (("Llama3_8B", "A100"), ("Llama3_8B", "H100"), ("Llama3_8B", "H200"), ("Llama3_8B", "B200"),
         ("Llama3_8B", "MI300X"), ("Llama3_70B", "H200"), ("Llama3_70B", "B200"))


def ridge(hw: str) -> tuple[object, object, float]:
    """Datasheet ridge point: catalogue peak FP16 (dense) over HBM bandwidth, in FLOP/byte."""
    from mlsysim_sym import catalog

    c = catalog().constants
    peak, bw = c[f"hardware.{hw}.peak.fp16"], c[f"hardware.{hw}.memory.bandwidth"]
    return peak, bw, peak.si / bw.si


def effective_ridge(hw: str) -> float:
    """The ridge at the catalogue efficiency: η·peak / bandwidth (what the engine's roofline compares against)."""
    from mlsysim_sym import Engine

    p = Engine.solve(model="Llama3_8B", hardware=hw, batch_size=1, precision="fp16")
    return p.peak_flops_actual.m_as("FLOP/s") / p.result.values["BW_mem"]


def decode(model: str, hw: str, batch: int, context: int = 2048) -> dict[str, float]:
    """One decode step at ``batch``: its FLOPs (2·P per token) over three byte counts.

    * weights only — the textbook bound, 2P·b / W (≈ b FLOP/B at FP16);
    * weights + KV cache at ``context`` tokens (the serving wall's bytes, W + KV): the KV reads do not amortise;
    * the engine's step (weights plus activation traffic, f_act·W per sample: wall 2's ``memory.traffic``)."""
    from mlsysim_sym import Engine, ServingModel

    p = Engine.solve(model=model, hardware=hw, batch_size=batch, precision="fp16")
    v = p.result.values
    flops = float(v["k_ops"] * v["O_fwd"] * batch * v["n_tok"])
    s = ServingModel().solve(model=model, hardware=hw, seq_len=context, batch_size=batch, precision="fp16")
    w, kv = s.model_weights_size.m_as("B"), s.kv_cache_size.m_as("B")
    return {"flops": flops, "weights": w, "kv": kv, "i_weights": flops / w, "i_weights_kv": flops / (w + kv),
            "i_engine": float(p.arithmetic_intensity.m_as("FLOP/B")), "bound": str(p.bottleneck)}


def weight_crossover(model: str, hw: str) -> int:
    """Smallest batch at which the weights-only decode intensity reaches the datasheet ridge."""
    d = decode(model, hw, 1)
    return math.ceil(ridge(hw)[2] / d["i_weights"] - 1e-9)


def kv_ceiling(model: str, hw: str, context: int) -> float:
    """Upper limit of the weights + KV intensity as the batch grows: 2P / (KV bytes of one sequence)."""
    d = decode(model, hw, 1, context)
    return d["flops"] / d["kv"]


def kv_crossover(model: str, hw: str, context: int) -> str:
    """Smallest batch at which 2P·b/(W + b·KV) reaches the datasheet ridge, or "never" (ceiling below it)."""
    d = decode(model, hw, 1, context)
    r = ridge(hw)[2]
    if d["flops"] <= r * d["kv"]:
        return "never"
    return f"{math.ceil(r * d['weights'] / (d['flops'] - r * d['kv']) - 1e-9):,}"


def _table() -> TableData:
    rows = []
    for model, hw in CASES:
        peak, bw, r = ridge(hw)
        d1 = decode(model, hw, 1)
        d256 = decode(model, hw, 256)
        rows.append([model, hw, Cited(peak.printed, peak.bibkey, peak.locator),
                     Cited(bw.printed, bw.bibkey, bw.locator),
                     f"{r:.0f}", f"{d1['i_engine']:.3g}", str(weight_crossover(model, hw)),
                     f"{kv_ceiling(model, hw, 2048):.3g}", kv_crossover(model, hw, 2048), d256["bound"]])
    return TableData(["Model", "Device", "Peak FP16 (dense)", "HBM bandwidth", "Ridge [FLOP/B]", "I, b=1 [FLOP/B]",
                      "Weights-only crossover batch",
                      "Weights + KV ceiling [FLOP/B]", "Weights + KV crossover batch", "Engine bound at b=256"], rows,
                     align="llp1.5cmp1.3cmrp1.2cmp1.4cmp1.4cmp1.4cmp1.2cm",
                     note="I: the engine's decode-step intensity (weights plus activation traffic). The "
                          "weights-only crossover is the batch at which 2P·b/W reaches the ridge. With a 2,048-token "
                          "KV cache per sequence the intensity 2P·b/(W + b·KV) can never exceed 2P/KV: where that "
                          "ceiling is below the ridge (never), decode stays memory-bound at any batch; the engine's "
                          "step, which also streams activations, is memory-bound at every batch.")


def _figure() -> FigureData:
    cols: dict[str, list] = {"series": [], "batch": [], "intensity_flop_per_byte": []}
    for b in BATCHES:
        d = decode("Llama3_8B", "H100", b)
        series = [("weights only: 2P·b / W", d["i_weights"]), ("engine step: + activation traffic", d["i_engine"])]
        for ctx in CONTEXTS:
            series.append((f"weights + KV cache, {ctx:,} tokens", decode("Llama3_8B", "H100", b, ctx)["i_weights_kv"]))
        for name, i in series:
            cols["series"].append(name)
            cols["batch"].append(int(b))
            cols["intensity_flop_per_byte"].append(float(i))
    r = ridge("H100")[2]
    r_eff = effective_ridge("H100")
    b_star = weight_crossover("Llama3_8B", "H100")

    def draw(ax, c):
        styles = (("-", "#006395"), ("--", "#E67817"), ("-.", "#008F45"), (":", "#7E317B"))
        for k, name in enumerate(dict.fromkeys(c["series"])):
            xs = [b for s, b in zip(c["series"], c["batch"]) if s == name]
            ys = [i for s, i in zip(c["series"], c["intensity_flop_per_byte"]) if s == name]
            ls, col = styles[k % 4]
            ax.loglog(xs, ys, marker="o", ms=3, ls=ls, color=col, label=name)
        ax.set_xscale("log", base=2)
        ax.axhline(r, color="#A51C30", lw=1.0)
        ax.annotate(f"H100 ridge {r:.0f} FLOP/B (datasheet)", (1, r), xytext=(0, 3), textcoords="offset points",
                    fontsize=7, color="#A51C30")
        ax.axhline(r_eff, color="#A51C30", lw=0.8, ls=":")
        ax.annotate(f"ridge at catalogue efficiency {r_eff:.0f} FLOP/B", (1, r_eff), xytext=(0, 3),
                    textcoords="offset points", fontsize=7, color="#A51C30")
        ax.axvline(b_star, color="0.5", lw=0.8, ls=":")
        ax.annotate(f"weights-only crossover b = {b_star}", (b_star, 0.62), xytext=(-4, 0),
                    textcoords="offset points", fontsize=7, color="0.3", ha="right")
        ax.set_ylim(0.5, 1000)
        ax.set_xlabel("Decode batch size [sequences]")
        ax.set_ylabel("Arithmetic intensity [FLOP/byte]")
        ax.set_title("Llama-3 8B decode on H100 (FP16): intensity against the ridge")
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.74), fontsize=6.5)

    return FigureData(cols, draw, size=(5.6, 3.9))


TABLES = [BookTable("decode-intensity", "Decode intensity against the ridge point, by model and device (FP16)",
                    _table)]
FIGURES = [BookFigure("intensity-batch", "Decode arithmetic intensity against batch size for Llama-3 8B on H100, "
                      "with three byte counts, against the datasheet and effective ridge points", _figure)]
