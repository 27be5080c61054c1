"""Analysis chapter: the inverse problem (wall 22) — what a device needs to meet a latency target.

Sensitivities (wall 21) are printed by the book through their equations (``equations/sensitivity-*``); their values
depend on the operating point chosen in the text and are produced with ``mlsysim_sym.sensitivity(result, ...)``."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, resolver

_SEVENTY = resolver("SynthesisSolver", model="Llama3_70B", target_latency="50 ms", precision="fp16")
_EIGHT = resolver("SynthesisSolver", model="Llama3_8B", target_latency="30 ms", precision="fp16")

VALUES = [
    BookValue("SynthLlamaSeventyFiftyMsBandwidth", "Llama-3 70B, one pass in 50 ms (fp16, batch 1): bandwidth needed",
              _SEVENTY, "required_bw", "TB/s", 4),
    BookValue("SynthLlamaSeventyFiftyMsPeak", "same: peak rate needed at the default efficiency", _SEVENTY,
              "required_flops", "TFLOP/s", 4),
    BookValue("SynthLlamaSeventyFiftyMsCapacity", "same: capacity needed (the weights)", _SEVENTY, "required_memory",
              "GB", 4),
    BookValue("SynthLlamaEightThirtyMsBandwidth", "Llama-3 8B, one pass in 30 ms (fp16, batch 1): bandwidth needed",
              _EIGHT, "required_bw", "GB/s", 4),
    BookValue("SynthLlamaEightThirtyMsBalance", "same: balance point of the synthesised device", _EIGHT,
              "compute_memory_ratio", "FLOP/B", 3),
]

# ---- Sensitivity analysis: which constraint is worth improving (tornado of elasticities, wall 21) ---------------
from mlsysim_sym.export.spec import BookFigure, BookTable, FigureData, TableData  # noqa: E402

TITLE = "Sensitivity analysis and the inverse problem"
ORDER = 70
CASES = (("Llama3_8B", "H100", 1), ("ResNet50", "H100", 256))


def elasticities(model: str, hw: str, batch: int):
    """mlsysim_sym.sensitivity of the step latency: exact elasticities, ranked."""
    from mlsysim_sym import Engine, sensitivity

    r = Engine.solve(model=model, hardware=hw, batch_size=batch, precision="fp16")
    return r, sensitivity(r)


def _tornado() -> FigureData:
    cols: dict[str, list] = {"case": [], "symbol": [], "description": [], "source": [], "elasticity": []}
    for model, hw, b in CASES:
        r, s = elasticities(model, hw, b)
        for p in s.partials:
            cols["case"].append(f"{model} b={b} ({r.bottleneck.lower()}-bound)")
            cols["symbol"].append(p.symbol)
            cols["description"].append(p.description)
            cols["source"].append(p.source)
            cols["elasticity"].append(float(p.elasticity))

    def draw(ax, c):
        cases = list(dict.fromkeys(c["case"]))
        labels, vals, colors, ys = [], [], [], []
        y = 0
        for k, case in enumerate(cases):
            items = [(s, e) for cc, s, e in zip(c["case"], c["symbol"], c["elasticity"]) if cc == case][:6]
            for s, e in items:
                labels.append(s)
                vals.append(e)
                colors.append("#A51C30" if e > 0 else "#006395")
                ys.append(-y)
                y += 1
            ax.annotate(case, (0, -(y - len(items)) + 0.7), fontsize=8, fontweight="bold", ha="center")
            y += 1.2
        ax.barh(ys, vals, color=colors, height=0.7)
        ax.set_yticks(ys, labels)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_xlim(-1.15, 1.15)
        ax.set_xlabel("Elasticity of step latency (∂ln T / ∂ln x)")
        ax.set_title("Which input moves the latency? (H100, FP16)")
        ax.grid(axis="y", visible=False)

    return FigureData(cols, draw, size=(5.6, 4.2))


def _sens_table() -> TableData:
    rows = []
    for model, hw, b in CASES:
        r, s = elasticities(model, hw, b)
        for p in s.partials:
            rows.append([f"{model} b={b}", p.symbol, p.description, p.source, f"{p.elasticity:+.3f}"])
    return TableData(["Case", "Input", "Meaning", "Catalogue key", "Elasticity"], rows, align="lll" "p4cmr",
                     note="Elasticity = (x/T)·∂T/∂x, exact (forward-mode derivative of the walls); +1 means 1 % more "
                          "x costs 1 % more latency.")


TABLES = [BookTable("sensitivity", "Elasticities of the step latency", _sens_table)]
FIGURES = [BookFigure("tornado", "Sensitivity tornado: elasticity of the step latency to each input, for a "
                      "memory-bound and a compute-bound workload", _tornado)]
