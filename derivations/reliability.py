"""Operations chapter: failures (wall 15), shared-cluster queues (wall 16) and checkpoints (wall 19)."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, resolver

_LLAMA3 = resolver("ReliabilityModel", fleet="Meta_Llama3_16K_H100", job_duration_hours=1296)
_T512 = resolver("ReliabilityModel", fleet="Training_512_H100", job_duration_hours=720)
_QUEUE = resolver("OrchestrationModel", fleet="Research_256", arrival_rate_jobs_per_day=0.9, avg_job_duration_days=1)
_SLOTS = resolver("OrchestrationModel", fleet="Research_256", arrival_rate_jobs_per_day=24, avg_job_duration_days=1,
                  gpus_per_job=8, service_cv=1)
_CKPT = resolver("CheckpointModel", model="Llama3_70B", hardware="H100", n_writers=64)
_CKPT_ASYNC = resolver("CheckpointModel", model="Llama3_70B", hardware="H100", n_writers=64, mode="async",
                       mtbf_hours=3.09)

VALUES = [
    BookValue("RelLlamaThreeMtbf", "Llama 3 405B on 16,384 H100: mean time between interruptions", _LLAMA3,
              "fleet_mtbf", "h", 3),
    BookValue("RelLlamaThreeYoung", "same, 60 s checkpoints: Young's interval", _LLAMA3, "young_interval", "min", 3),
    BookValue("RelLlamaThreeDaly", "same: Daly's interval", _LLAMA3, "daly_interval", "min", 3),
    BookValue("RelLlamaThreeGoodput", "same: goodput at Daly's interval", _LLAMA3, "goodput_ratio", "", 3),
    BookValue("RelFiveTwelveMtbf", "512 H100 (64 DGX) from component rates: fleet MTBF", _T512, "fleet_mtbf", "h", 3),
    BookValue("QueueResearchWait", "Research_256 as one server, 0.9 one-day jobs a day: mean wait", _QUEUE,
              "avg_wait_time_days", "d", 3),
    BookValue("QueueResearchSlotsWait", "same cluster as 32 eight-GPU slots, 24 jobs a day, exponential durations: "
              "mean wait", _SLOTS, "avg_wait_time_days", "min", 3),
    BookValue("CkptSeventySize", "Llama-3 70B with Adam at FP16: checkpoint size", _CKPT, "checkpoint_size", "TB", 3),
    BookValue("CkptSeventyWrite", "same, 64 writers at 7 GB/s each: write time", _CKPT, "write_time_seconds", "s", 3),
    BookValue("CkptSeventyAsyncPenalty", "same, asynchronous, MTBF 3.09 h: MFU penalty at Daly's interval",
              _CKPT_ASYNC, "mfu_penalty_pct", "", 3),
]

# ---- Reliability: MTBF and the Young-Daly interval (goodput against the checkpoint interval) --------------------
import numpy as np  # noqa: E402

from mlsysim_sym.export.spec import BookFigure, FigureData  # noqa: E402

TITLE = "Reliability: MTBF and the Young–Daly interval"
ORDER = 80


def goodput_curve(taus_s: np.ndarray, values: dict) -> np.ndarray:
    """The Daly branch of rel.goodput (wall 15) evaluated at each checkpoint interval τ (the walls' SymPy tree)."""
    import sympy as sp

    from mlsysim_sym.walls import EQUATIONS, load_all

    load_all()
    rhs = EQUATIONS["rel.goodput"].numeric_rhs()
    daly = rhs.args[0][0] if isinstance(rhs, sp.Piecewise) else rhs
    syms = sorted(daly.free_symbols, key=lambda s: s.name)
    f = sp.lambdify(syms, daly, "numpy")
    args = [taus_s if s.name == "tau_opt" else float(values[s.name]) for s in syms]
    return np.asarray(f(*args), dtype=float)


def _goodput() -> FigureData:
    r = _LLAMA3.run().result
    v = r.values
    taus = np.linspace(60.0, 7200.0, 120)
    g = goodput_curve(taus, v)
    cols = {"tau_min": [float(t / 60) for t in taus], "goodput": [float(x) for x in g]}
    young, daly = float(v["tau_Y"]) / 60, float(v["tau_D"]) / 60
    g_y, g_d = (float(x) for x in goodput_curve(np.array([v["tau_Y"], v["tau_D"]]), v))

    def draw(ax, c):
        ax.plot(c["tau_min"], c["goodput"], color="#A51C30", label="goodput (Daly's segment model)")
        ax.plot([young], [g_y], marker="o", color="#006395", ls="none", label=f"Young √(2δM) = {young:.1f} min")
        ax.plot([daly], [g_d], marker="s", color="#E67817", ls="none", label=f"Daly = {daly:.1f} min")
        ax.set_xscale("log")
        ax.set_xlabel("Checkpoint interval τ [min]")
        ax.set_ylabel("Goodput [share of wall-clock time]")
        ax.set_title(f"Llama 3 405B on 16,384 H100: M = {float(v['M_f']) / 3600:.2f} h, δ = {float(v['delta_ck']):.0f} s")
        ax.legend(loc="lower center")

    return FigureData(cols, draw)


FIGURES = [BookFigure("goodput", "Goodput against the checkpoint interval, with Young's and Daly's optima", _goodput)]
