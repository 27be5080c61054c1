"""Hardware acceleration chapter: the roofline (walls 1-2) on the book's reference workloads."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, engine

_RESNET_A100 = engine("ResNet50", "A100", batch_size=1, precision="fp16")
_RESNET_A100_B32 = engine("ResNet50", "A100", batch_size=32, precision="fp16")
_LLAMA8_H100 = engine("Llama3_8B", "H100", batch_size=1, precision="fp16")

VALUES = [
    BookValue("ResnetAhundredLatency", "ResNet-50 on A100, batch 1, FP16: step latency", _RESNET_A100,
              "latency", "ms", 3),
    BookValue("ResnetAhundredThroughput", "ResNet-50 on A100, batch 1: throughput", _RESNET_A100,
              "throughput", "1/s", 4),
    BookValue("ResnetAhundredIntensity", "ResNet-50 on A100, batch 1: arithmetic intensity", _RESNET_A100,
              "arithmetic_intensity", "FLOP/B", 4),
    BookValue("ResnetAhundredMfu", "ResNet-50 on A100, batch 1: MFU", _RESNET_A100, "mfu", "", 3),
    BookValue("ResnetAhundredBatchThirtyTwoIntensity", "ResNet-50 on A100, batch 32: arithmetic intensity",
              _RESNET_A100_B32, "arithmetic_intensity", "FLOP/B", 4),
    BookValue("LlamaEightHhundredLatency", "Llama-3 8B on H100, batch 1 decode step: latency", _LLAMA8_H100,
              "latency", "ms", 3),
]

# ---- Hello Roofline: the batch sweep, the crossover and the roofline with the workloads on it ------------------
import numpy as np  # noqa: E402

from mlsysim_sym.export.spec import BookFigure, BookTable, Cited, FigureData, TableData  # noqa: E402

TITLE = "Hello Roofline"
ORDER = 10
SWEEP_BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
SWEEP_WORKLOADS = (("ResNet50", "H100"), ("Llama3_8B", "H100"))
RIDGE_DEVICES = ("A100", "H100", "H200", "B200", "MI300X")
PLACED = (("ResNet50", 1), ("ResNet50", 32), ("ResNet50", 256), ("Llama3_8B", 1), ("Llama3_8B", 64))


def sweep(model: str, hardware: str) -> dict[str, np.ndarray]:
    """Engine.sweep_grid (the walls' vectorised code) over SWEEP_BATCHES at the catalogue efficiency."""
    from mlsysim_sym import Engine

    g = Engine.sweep_grid(model, hardware, batch_sizes=list(SWEEP_BATCHES), precision="fp16")
    return {"batch": np.asarray(SWEEP_BATCHES), "latency_ms": np.ravel(g.latency_s) * 1e3,
            "throughput": np.ravel(g.throughput), "intensity": np.ravel(g.values["I"]),
            "mfu": np.ravel(g.mfu), "bound": np.ravel(g.bottleneck)}


def crossover(model: str, hardware: str) -> int | None:
    """The smallest swept batch at which the step is compute-bound (None: memory-bound throughout)."""
    s = sweep(model, hardware)
    hits = [int(b) for b, k in zip(s["batch"], s["bound"]) if str(k) == "Compute"]
    return hits[0] if hits else None


def _sweep_table() -> TableData:
    rows = []
    for model, hw in SWEEP_WORKLOADS:
        s = sweep(model, hw)
        for i, b in enumerate(s["batch"]):
            rows.append([model, int(b), f"{s['intensity'][i]:.1f}", f"{s['latency_ms'][i]:.3g}",
                         f"{s['throughput'][i]:,.0f}", f"{s['mfu'][i]:.3f}", str(s["bound"][i])])
    return TableData(["Workload", "Batch", "Intensity [FLOP/B]", "Latency [ms]", "Throughput [1/s]", "MFU", "Bound"],
                     rows, align="lrrrrrl",
                     note="H100, FP16, catalogue efficiency; Engine.sweep_grid evaluates the roofline walls "
                          "on the whole batch grid in one call.")


def ridge(hw: str) -> tuple[object, object, float]:
    from mlsysim_sym import catalog

    c = catalog().constants
    peak, bw = c[f"hardware.{hw}.peak.fp16"], c[f"hardware.{hw}.memory.bandwidth"]
    return peak, bw, peak.si / bw.si


def _ridge_table() -> TableData:
    rows = []
    for hw in RIDGE_DEVICES:
        peak, bw, r = ridge(hw)
        x = crossover("ResNet50", hw)
        rows.append([hw, Cited(peak.printed, peak.bibkey, peak.locator), Cited(bw.printed, bw.bibkey, bw.locator),
                     f"{r:.0f}", "-" if x is None else str(x)])
    return TableData(["Device", "Peak FP16 (dense)", "Memory bandwidth", "Ridge [FLOP/B]", "ResNet-50 crossover batch"],
                     rows, align="lrrrr",
                     note="Ridge point = peak / bandwidth (datasheet roof). The crossover batch is the smallest swept "
                          "batch at which ResNet-50 is compute-bound at the catalogue efficiency (its ridge is "
                          "η times lower).")


def _roofline() -> FigureData:
    from mlsysim_sym import Engine

    peak, bw, r = ridge("H100")
    xs = np.logspace(-1, 4, 61)
    roof = np.minimum(bw.si * xs, peak.si) / 1e12
    cols: dict[str, list] = {"series": [], "label": [], "intensity_flop_per_byte": [], "tflop_per_s": []}
    for x, y in zip(xs, roof):
        cols["series"].append("roof")
        cols["label"].append("H100 FP16 roof")
        cols["intensity_flop_per_byte"].append(float(x))
        cols["tflop_per_s"].append(float(y))
    for model, b in PLACED:
        p = Engine.solve(model=model, hardware="H100", batch_size=b, precision="fp16")
        cols["series"].append(str(p.bottleneck))
        cols["label"].append(f"{model} b={b}")
        cols["intensity_flop_per_byte"].append(float(p.arithmetic_intensity.m_as("FLOP/B")))
        cols["tflop_per_s"].append(float(p.mfu) * peak.si / 1e12)

    def draw(ax, c):
        roof_x = [x for s, x in zip(c["series"], c["intensity_flop_per_byte"]) if s == "roof"]
        roof_y = [y for s, y in zip(c["series"], c["tflop_per_s"]) if s == "roof"]
        ax.loglog(roof_x, roof_y, color="#A51C30", label="H100 roof: min(BW·I, peak)")
        ax.axvline(r, color="0.4", lw=0.8, ls=":")
        ax.annotate(f"ridge {r:.0f} FLOP/B", (r, peak.si / 1e12), xytext=(r * 1.3, peak.si / 1e12 * 0.35),
                    fontsize=8, color="0.3")
        markers = {"Memory": ("o", "#006395"), "Compute": ("s", "#E67817")}
        for s, lab, x, y in zip(c["series"], c["label"], c["intensity_flop_per_byte"], c["tflop_per_s"]):
            if s == "roof":
                continue
            m, col = markers.get(s, ("^", "#7E317B"))
            ax.plot([x], [y], marker=m, color=col, ls="none", ms=5)
            ax.annotate(lab, (x, y), xytext=(4, -10), textcoords="offset points", fontsize=7)
        for s, (m, col) in markers.items():
            ax.plot([], [], marker=m, color=col, ls="none", label=f"{s.lower()}-bound workload")
        ax.set_xlabel("Arithmetic intensity [FLOP/byte]")
        ax.set_ylabel("Attained performance [TFLOP/s]")
        ax.set_title("Roofline of the H100 (FP16, dense) with workloads placed")
        ax.set_xlim(0.1, 1e4)
        ax.set_ylim(0.1, 3000)
        ax.legend(loc="lower right")

    return FigureData(cols, draw)


def _sweep_figure() -> FigureData:
    cols: dict[str, list] = {"workload": [], "batch": [], "throughput_per_s": [], "bound": []}
    for model, hw in SWEEP_WORKLOADS:
        s = sweep(model, hw)
        for i, b in enumerate(s["batch"]):
            cols["workload"].append(model)
            cols["batch"].append(int(b))
            cols["throughput_per_s"].append(float(s["throughput"][i]))
            cols["bound"].append(str(s["bound"][i]))

    def draw(ax, c):
        for i, w in enumerate(dict.fromkeys(c["workload"])):
            xb = [b for ww, b in zip(c["workload"], c["batch"]) if ww == w]
            yt = [t for ww, t in zip(c["workload"], c["throughput_per_s"]) if ww == w]
            kb = [k for ww, k in zip(c["workload"], c["bound"]) if ww == w]
            ax.loglog(xb, yt, marker="o", ms=3, label=f"{w} on H100")
            first = next((b for b, k in zip(xb, kb) if k == "Compute"), None)
            if first is not None:
                y = yt[xb.index(first)]
                ax.annotate(f"compute-bound from batch {first}", (first, y), xytext=(8, -14),
                            textcoords="offset points", fontsize=7)
        ax.set_xlabel("Batch size [samples]")
        ax.set_ylabel("Throughput [samples/s]")
        ax.set_title("Batch sweep: throughput saturates past the crossover")
        ax.legend(loc="lower right")

    return FigureData(cols, draw)


TABLES = [
    BookTable("batch-sweep", "Batch sweep of ResNet-50 and Llama-3 8B on H100 (FP16)", _sweep_table),
    BookTable("ridge-points", "Ridge points and the compute/memory crossover", _ridge_table),
]
FIGURES = [
    BookFigure("roofline", "The H100 roofline (FP16, dense) with workloads placed at their arithmetic intensity "
               "and attained rate (MFU × peak)", _roofline),
    BookFigure("batch-sweep", "Throughput against batch size: the memory-bound slope and the compute-bound "
               "plateau", _sweep_figure),
]
