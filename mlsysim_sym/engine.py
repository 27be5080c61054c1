"""``Engine.solve`` and ``SingleNodeModel``: the single-node roofline (walls 1 and 2), with 0.3.0's signature
and result fields, declared as a facade over the computation ``engine.step``.

Defaults come from the catalogue, never from literals here: ``efficiency=None`` means the catalogue knob
``knobs.engine.efficiency`` (0.5, an assumption with its rationale), and the trace cites it. A transformer's
training step holds Korthikanti's per-layer training state (the ``M_train`` branch of the footprint); other
workloads hold weights, gradients and optimizer state. One device: no tensor, pipeline or expert parallelism,
no collective buffers; ZeRO shards over ``dp_size`` as 0.3.0 does.
"""
from __future__ import annotations

from typing import Any

from .binding import (Obj, View, arg, attr, default_knob, derived, facade, fixed, info, knob, missing,
                      out, precision_arg, resolve_hardware, resolve_model, row, stack_arg, width)
from .binding.groups import DEVICE_ROOFLINE, WORKLOAD_FLOPS, WORKLOAD_SIZE, efficiency_arg, profile_fields
from .errors import OOMError
from .validate import BATCH, DEGREE, EFFICIENCY, TOKENS, count, flag


class _Profile(View):
    """Result of :meth:`Engine.solve` (0.3.0's field names)."""

    __slots__ = ()

    @property
    def energy_per_inference(self) -> Any:
        return self.energy

    def summary(self) -> str:
        return "\n".join([
            f"Feasible: {self.feasible}",
            f"Bottleneck: {self.bottleneck}",
            f"Latency: {self.latency:~.4g}",
            f"  Compute: {self.latency_compute:~.4g}",
            f"  Memory: {self.latency_memory:~.4g}",
            f"  Overhead: {self.latency_overhead:~.4g}",
            f"Throughput: {self.throughput:~.4g}",
            f"MFU: {self.mfu:.3f}",
            f"HFU: {self.hfu:.3f}",
            f"Memory Footprint: {self.memory_footprint:~.4g}",
        ])


def _oom(values: dict[str, Any], objs: dict[str, Any]) -> str:
    from .units import factor

    gb = factor("B", "GB")
    return (f"{objs['model'].key} needs {values['M_req'] * gb:.4g} GB but {objs['hardware'].key} has "
            f"{values['C_mem'] * gb:.4g} GB")


_ENGINE = dict(
    computation="engine.step",
    objects=[Obj("model", "model"), Obj("hardware", "hardware")],
    args=[
        arg("batch_size", "B", BATCH, 1),
        precision_arg(),
        efficiency_arg(),
        arg("raise_errors", None, flag(), False),
        arg("is_training", "m_train", flag(), False, encode=float),
        arg("seq_len", "S", TOKENS, 2048),
        arg("zero_stage", "z_stage", count(0, 3), 0),
        arg("dp_size", "N_dp", DEGREE, 1),
        arg("is_lora", "m_lora", flag(), False, encode=float),
        arg("activation_recomputation", ("m_recomp", "s_ckpt"), flag(), False,
            encode=lambda on: (1.0, 2.0) if on else (0.0, 0.0),
            doc="full recomputation: 4× forward FLOPs, only each layer's input kept"),
        stack_arg(),
    ],
    reads=[
        *DEVICE_ROOFLINE, width(), *WORKLOAD_FLOPS, *WORKLOAD_SIZE,
        row("model", "params", "P", absent=missing("the compute wall needs a FLOP count or a parameter count to "
                                                   "derive one (2 FLOPs per parameter)")),
        row("model", "layers", "N_L", absent=default_knob("engine.layers_if_unknown")),
        attr("model", "flops_basis", "m_tok", {"token": 1.0}),
        attr("model", "workload", "m_xf", {"transformer": 1.0, "moe": 1.0}),
        row("model", "hidden", "h", absent=missing("training memory needs the hidden size")),
        row("model", "heads", "H", absent=missing("activation_checkpointing='none' needs the head count")),
        knob("engine.activation_traffic_fraction", "f_act"), knob("engine.layer_tax", "tau_layer"),
        knob("engine.layer_tax_training_factor", "k_tax_train"), knob("engine.idle_power_fraction", "f_idle"),
        knob("optimizer.adam", "b_opt"), knob("engine.lora_memory_factor", "f_lora"),
        knob("training.lora_rank", "r_lora"),
        fixed("N_tp", 1, "one device: no tensor parallelism"), fixed("N_pp", 1, "one device: no pipeline"),
        fixed("N_ep", 1, "one device: no expert parallelism"),
        fixed("D_b", 1, "Engine.solve's batch is per device"), fixed("GA", 1, "no gradient accumulation"),
        fixed("m_sp", 1, "sequence parallelism (no effect without tensor parallelism)"),
        fixed("f_trainable", 1, "full training: every parameter is trainable"),
        fixed("f_buf", 0, "one device: no collective buffers"),
    ],
    fields=[
        *profile_fields(latency="T", compute="T_comp", memory="T_mem", overhead="L_lat", throughput="X",
                        intensity="I", energy="E", footprint="M_req", peak_flops="R_eff", peak_bw="BW", mfu="MFU",
                        hfu="HFU", overhead_dominated="overhead_dominated", feasible="feasible", spill="M_spill",
                        memory_path="BW"),
        info("hardware_name", "hardware"), info("model_name", "model"), info("precision", "precision"),
        derived("batch_size", lambda view: int(view._result.values["B"]), "int"),
    ],
    trace=["Memory Wall: {feasible?Passed|FAILED}. Required {M_req:GB} {feasible?<=|>} Available {C_mem:GB} on "
           "{hardware_name}.",
           "Bandwidth path: {memory_path}.",
           "Bottleneck: {bottleneck}."],
    report=("T", "T_comp", "T_mem", "L_lat", "X", "I", "E", "M_req", "R_eff", "BW", "MFU", "HFU", "feasible"),
    raises=("raise_errors", "feasible", OOMError, _oom),
    view_base=_Profile,
    requires=("workload", "hardware"),
    walls=(1, 2),
)

SingleNodeModel = facade(
    "SingleNodeModel", **_ENGINE, view_name="PerformanceProfile",
    doc="Roofline latency, throughput, utilisation, energy and memory feasibility of one step on one device "
        "(walls 1 and 2); ``efficiency=None`` uses the catalogue default (knobs.engine.efficiency = 0.5).")
PerformanceProfile = SingleNodeModel.result_class
_SPEC = SingleNodeModel.spec


class SweepGrid:
    """Arrays of a vectorised Engine sweep over batch sizes × efficiencies (SI floats; shape (n_batch, n_eff))."""

    def __init__(self, values: dict[str, Any], regimes: dict[str, Any], batch_sizes: Any, efficiencies: Any,
                 steps: list[str], refs: Any):
        self.values, self.regimes, self.steps, self.refs = values, regimes, steps, refs
        self.batch_sizes, self.efficiencies = batch_sizes, efficiencies

    def __getitem__(self, symbol: str) -> Any:
        return self.values[symbol]

    @property
    def latency_s(self) -> Any:
        return self.values["T"]

    @property
    def throughput(self) -> Any:
        return self.values["X"]

    @property
    def mfu(self) -> Any:
        return self.values["MFU"]

    @property
    def bottleneck(self) -> Any:
        import numpy as np

        return np.where(self.regimes["T"] == 0, "Compute", "Memory")

    @property
    def feasible(self) -> Any:
        return self.values["feasible"]


class Engine:
    """The single-node analytical engine (0.3.0's ``Engine``): ``Engine.solve`` is :class:`SingleNodeModel`."""

    spec = _SPEC
    result_class = PerformanceProfile

    @staticmethod
    def solve(*args: Any, **kwargs: Any) -> Any:
        """Roofline latency, throughput, utilisation, energy and memory feasibility of one step.

        ``Engine.solve(model, hardware, batch_size=1, precision="fp16", efficiency=None, raise_errors=False,
        is_training=False, seq_len=2048, zero_stage=0, dp_size=1, is_lora=False, activation_recomputation=False)``.
        ``efficiency=None`` uses the catalogue default (``knobs.engine.efficiency`` = 0.5). Training executes 3×
        the forward FLOPs (4× with ``activation_recomputation``); transformer training memory is Korthikanti's
        per-layer state (ZeRO over ``dp_size``), other workloads weights + gradients + Adam state.
        """
        result, objs, statics, _ = _SPEC.solve(args, kwargs)
        return PerformanceProfile(result, objs, {"precision": statics[0]})

    @staticmethod
    def sweep_grid(model: Any, hardware: Any, batch_sizes: Any = (1,), efficiencies: Any = None,
                   precision: str = "fp16", is_training: bool = False, seq_len: int = 2048,
                   activation_recomputation: bool = False) -> SweepGrid:
        """Vectorised sweep: the walls' NumPy code (generated from the same SymPy trees) evaluated on the grid
        batch_sizes × efficiencies in one pass. ``efficiencies=None`` uses the catalogue default."""
        import numpy as np

        from . import editions
        from ._generated import numeric_np

        objs = _SPEC.resolve_objects({"model": model, "hardware": hardware})
        statics = _SPEC.static_values({"precision": precision})
        ed = editions.active()
        entry = _SPEC.static_entry(ed, objs, statics)
        bs = np.asarray([BATCH("batch_size", b) for b in np.atleast_1d(batch_sizes)], dtype=float)
        if efficiencies is None:
            effs = np.asarray([entry.nones["efficiency"][0][1][0]])
        else:
            effs = np.asarray([EFFICIENCY("efficiency", e) for e in np.atleast_1d(efficiencies)])
        values: dict[str, Any] = dict(entry.values)
        recompute = flag()("activation_recomputation", activation_recomputation)
        values.update(m_train=1.0 if flag()("is_training", is_training) else 0.0, m_recomp=1.0 if recompute else 0.0,
                      s_ckpt=2.0 if recompute else 0.0, m_lora=0.0, S=float(TOKENS("seq_len", seq_len)),
                      z_stage=0.0, N_dp=1.0)
        refs: dict[str, Any] = {}
        if ed.rules:
            from .editions.rules import apply_rules

            apply_rules(ed, "engine.step", values, refs)
        values["B"] = bs[:, None]
        values["eta_hw"] = effs[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            out, regimes = numeric_np.COMPUTATIONS["engine.step"](values)
        values.update(out)
        shape = (len(bs), len(effs))
        values = {k: np.broadcast_to(v, shape) if isinstance(v, np.ndarray) else v for k, v in values.items()}
        regimes = {k: np.broadcast_to(v, shape) for k, v in regimes.items()}
        return SweepGrid(values, regimes, bs, effs, ["engine.step"], refs)

    @staticmethod
    def sweep(model: Any, hardware_list: list[Any], batch_sizes: list[int] | None = None,
              precisions: list[str] | None = None, efficiency: float | None = None) -> list[dict[str, Any]]:
        """0.3.0's sweep: one dict per (hardware, batch, precision); cases that do not fit are skipped."""
        rows: list[dict[str, Any]] = []
        for hw in hardware_list:
            for prec in precisions or ["fp16"]:
                for b in batch_sizes or [1]:
                    p = Engine.solve(model, hw, batch_size=b, precision=prec, efficiency=efficiency)
                    if not p.feasible:
                        continue
                    rows.append({"hardware": resolve_hardware(hw).name, "batch_size": b, "precision": prec,
                                 "latency": p.latency, "throughput": p.throughput, "bottleneck": p.bottleneck,
                                 "mfu": p.mfu, "profile": p})
        return rows


Engine.solve.__signature__ = _SPEC.signature()  # type: ignore[attr-defined]

__all__ = ["Engine", "PerformanceProfile", "SingleNodeModel", "SweepGrid", "resolve_hardware", "resolve_model"]
