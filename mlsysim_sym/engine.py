"""``Engine.solve``: the single-node roofline (walls 1 and 2) with MLSys·im 0.3.0's signature and fields.

The facade only translates arguments into a scenario (symbol -> SI value + where it came from), evaluates the
generated code of the walls, and packages the result; all physics is in :mod:`mlsysim_sym.walls.node`.

Defaults come from the catalogue, never from literals here: ``efficiency=None`` means the catalogue knob
``knobs.engine.efficiency`` (0.5, an assumption with its rationale), and the trace cites it.
"""
from __future__ import annotations

from typing import Any, ClassVar

from .binding import catalog_hash_of, static_inputs
from .catalog import catalog
from .errors import InputError, OOMError
from .evaluate import evaluate
from .objects import PRECISIONS, HardwareNode, Workload
from .registry import Hardware, Models
from .results import ResultView
from .rules import reverted
from .validate import BATCH, EFFICIENCY, count, flag

_REPORT = ("T", "T_comp", "T_mem", "L_lat", "X", "I", "E", "M_req", "R_eff", "BW", "MFU", "HFU", "feasible")


class PerformanceProfile(ResultView):
    """Result of :meth:`Engine.solve` (0.3.0's field names)."""

    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {
        "latency": ("T", "ms"),
        "latency_compute": ("T_comp", "ms"),
        "latency_memory": ("T_mem", "ms"),
        "latency_overhead": ("L_lat", "ms"),
        "throughput": ("X", "1/s"),
        "arithmetic_intensity": ("I", "FLOP/B"),
        "energy": ("E", "J"),
        "memory_footprint": ("M_req", "GB"),
        "peak_flops_actual": ("R_eff", "TFLOP/s"),
        "peak_bw_actual": ("BW", "GB/s"),
        "mfu": ("MFU", ""),
        "hfu": ("HFU", ""),
        "feasible": ("feasible", "bool"),
        "overhead_dominated": ("overhead_dominated", "bool"),
    }
    _DERIVED = ("bottleneck", "memory_path")

    @property
    def bottleneck(self) -> str:
        """"Compute" or "Memory": the branch of Max(T_comp, T_mem) that bound (ties: Compute)."""
        return self._result.regime("T")

    @property
    def memory_path(self) -> str:
        """Which bandwidth path the weights streamed from (main memory, on-chip SRAM, flash, host offload)."""
        return self._result.regime("BW")

    @property
    def offload_spill_bytes(self) -> Any:
        return None if self._result.values["feasible"] else self._result.quantity("M_spill", "GB")

    @property
    def offload_effective_bw(self) -> Any:
        return None if self._result.values["feasible"] else self._result.quantity("BW", "GB/s")

    @property
    def constraint_trace(self) -> list[str]:
        v = self._result.values
        need, have = v["M_req"] / 1e9, v["C_mem"] / 1e9
        verdict = "Passed" if v["feasible"] else "FAILED"
        rel = "<=" if v["feasible"] else ">"
        return [f"Memory Wall: {verdict}. Required {need:.6g} GB {rel} Available {have:.6g} GB "
                f"on {self._extra['hardware_name']}.",
                f"Bandwidth path: {self.memory_path}.",
                f"Bottleneck: {self.bottleneck}."]

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


def resolve_model(model: Any) -> Workload:
    if isinstance(model, Workload):
        return model
    if isinstance(model, str):
        return Models.get(model)
    raise InputError(f"model must be a Models.* entry or a registry key, not {type(model).__name__}")


def resolve_hardware(hardware: Any) -> HardwareNode:
    if isinstance(hardware, HardwareNode):
        return hardware
    if isinstance(hardware, str):
        return Hardware.get(hardware)
    raise InputError(f"hardware must be a Hardware.* entry or a registry key, not {type(hardware).__name__}")


def normalize_precision(precision: Any) -> str:
    if precision in PRECISIONS:  # already a canonical key (the common case)
        return precision
    if not isinstance(precision, str):
        raise InputError(f"precision must be a string such as 'fp16', not {type(precision).__name__}")
    key = precision.strip().lower()
    if key not in PRECISIONS:
        raise InputError(f"precision {precision!r} is not supported; supported: {', '.join(sorted(PRECISIONS))}")
    return key


def check_batch(batch_size: Any, name: str = "batch_size") -> int:
    """A batch size or token count: an integer in [1, 1e9] (:data:`mlsysim_sym.validate.BATCH`)."""
    return BATCH(name, batch_size)


def check_fraction(value: Any, name: str) -> float:
    """An efficiency: a share of peak in [1e-6, 1] (:data:`mlsysim_sym.validate.EFFICIENCY`)."""
    return EFFICIENCY(name, value)


_KNOBS: dict[tuple[str, str, str], tuple[float, str]] = {}


def knob(topic: str, field: str) -> tuple[float, str]:
    """A catalogue default (SI value and its reference), memoised per catalogue."""
    cat = catalog()
    k = (cat.hash, topic, field)
    hit = _KNOBS.get(k)
    if hit is None:
        c = cat.entity("knobs", topic).values[field]
        hit = _KNOBS[k] = (c.si, "const:" + c.id)
    return hit


def precision_bytes(precision: str) -> tuple[float, str]:
    return knob("precision", precision)


def efficiency_binding(efficiency: Any) -> tuple[float, str]:
    if efficiency is None:
        return knob("engine", "efficiency")
    return check_fraction(efficiency, "efficiency"), "arg:efficiency"


def bind_workload(model: Workload, values: dict[str, float], refs: dict[str, str]) -> list[str]:
    """Bind P, M_size, O_fwd and N_L for a workload; return the extra computations its FLOPs need.

    FLOPs: the catalogued ``flops.inference`` (per token, image or sequence, as its row says); for a
    diffusion model that count is per denoising step and is multiplied by the steps (an equation); a model
    with no catalogued count gets 2 FLOPs per active parameter (an equation, Kaplan et al. 2020).
    A size-only model (embedding tables) has ``model_size`` and no parameter count.
    """
    e = model.entity.values
    steps: list[str] = []
    p, size = e.get("params"), e.get("model_size")
    if p is None and size is None:
        raise InputError(f"{model.key} has no catalogued parameter count or model size; the roofline needs one")
    if p is not None:
        values["P"], refs["P"] = p.si, "const:" + p.id
    else:
        values["P"], refs["P"] = 0.0, f"absent:{model.key}.params"
    if size is not None and p is None:
        values["M_size"], refs["M_size"] = size.si, "const:" + size.id
    else:
        values["M_size"], refs["M_size"] = 0.0, f"absent:{model.key}.model_size"
    f = e.get("flops.inference")
    if model.workload == "diffusion":
        n = e.get("diffusion.steps")
        if f is None or n is None:
            raise InputError(f"{model.key} needs catalogued flops.inference (per step) and diffusion.steps")
        values["O_step"], refs["O_step"] = f.si, "const:" + f.id
        values["n_steps"], refs["n_steps"] = n.si, "const:" + n.id
        steps.append("workload.diffusion_flops")
    elif f is not None:
        values["O_fwd"], refs["O_fwd"] = f.si, "const:" + f.id
    else:
        act = e.get("params.active") or p
        if act is None and reverted("size-only-no-flops"):  # 0.3.0: 2 FLOPs × an absent count = 0 FLOPs
            values["P_act"], refs["P_act"] = 0.0, "rule:size-only-no-flops (mlsysim 0.3.0: zero FLOPs)"
            steps.append("workload.forward_flops")
            act = False
        if act is None:
            raise InputError(f"{model.key} has no catalogued inference FLOPs and no parameter count to derive them "
                             "from (2 FLOPs per parameter); the compute wall needs one of them")
        if act:
            values["P_act"], refs["P_act"] = act.si, "const:" + act.id
            steps.append("workload.forward_flops")
    values["m_tok"] = 1.0 if model.flops_basis == "token" else 0.0
    refs["m_tok"] = f"derived:{model.key} flops_basis = {model.flops_basis or 'unspecified'}"
    layers = e.get("layers")
    if layers is not None:
        values["N_L"], refs["N_L"] = layers.si, "const:" + layers.id
    else:
        values["N_L"], refs["N_L"] = knob("engine", "layers_if_unknown")
    return steps


class SweepGrid:
    """Arrays of a vectorised Engine sweep over batch sizes × efficiencies (SI floats; shape (n_batch, n_eff))."""

    def __init__(self, values: dict[str, Any], regimes: dict[str, Any], batch_sizes: Any, efficiencies: Any,
                 steps: list[str], refs: dict[str, str]):
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


def _static_inputs(model: Workload, hw: HardwareNode, prec: str) -> tuple[dict[str, float], dict[str, str],
                                                                       list[str]]:
    """Inputs fixed by (model, device, precision): device, workload, precision width and catalogue knobs, plus
    the computations the workload's FLOPs need. Memoised; the per-call arguments are bound on top of a copy."""
    def build(values: dict[str, float], refs: dict[str, str]) -> tuple[str, ...]:
        hv, hr = hw.bind(prec, catalog().entity("knobs", "engine"))
        values.update(hv)
        refs.update(hr)
        values["b_w"], refs["b_w"] = precision_bytes(prec)
        kv, kr = _engine_knobs()
        values.update(kv)
        refs.update(kr)
        return tuple(bind_workload(model, values, refs))

    v, r, steps = static_inputs("engine", (model, hw), (prec,), build)
    return v, r, list(steps)


class Engine:
    """The single-node analytical engine (0.3.0's ``Engine``)."""

    @staticmethod
    def solve(model: Any, hardware: Any, batch_size: int = 1, precision: str = "fp16",
              efficiency: float | None = None, raise_errors: bool = False, is_training: bool = False,
              seq_len: int = 2048, zero_stage: int = 0, dp_size: int = 1, is_lora: bool = False,
              activation_recomputation: bool = False) -> PerformanceProfile:
        """Roofline latency, throughput, utilisation, energy and memory feasibility of one step.

        ``efficiency=None`` uses the catalogue default (``knobs.engine.efficiency`` = 0.5). Training executes
        3× the forward FLOPs (4× with ``activation_recomputation``); transformer training memory follows
        :class:`~mlsysim_sym.resolvers.training.TrainingMemoryModel` (weights, gradients, Adam state,
        Korthikanti activations; ZeRO over ``dp_size``), other workloads weights + gradients + Adam state.
        """
        model = resolve_model(model)
        hw = resolve_hardware(hardware)
        b = check_batch(batch_size)
        prec = normalize_precision(precision)
        is_training = flag()("is_training", is_training)
        activation_recomputation = flag()("activation_recomputation", activation_recomputation)
        is_lora = flag()("is_lora", is_lora)
        raise_errors = flag()("raise_errors", raise_errors)
        zero_stage = count(0, 3)("zero_stage", zero_stage)
        dp_size = count(1, 10**6)("dp_size", dp_size)
        base_v, base_r, steps = _static_inputs(model, hw, prec)
        values = dict(base_v)
        refs = dict(base_r)
        values["B"], refs["B"] = float(b), "arg:batch_size"
        values["eta_hw"], refs["eta_hw"] = efficiency_binding(efficiency)
        values["m_train"], refs["m_train"] = (1.0 if is_training else 0.0), "flag:is_training"
        values["m_recomp"], refs["m_recomp"] = (1.0 if activation_recomputation else 0.0), "flag:activation_recomputation"
        values["m_lora"], refs["m_lora"] = (1.0 if is_lora else 0.0), "flag:is_lora"
        values["S"], refs["S"] = float(check_batch(seq_len, "seq_len")), "arg:seq_len"
        if is_training and model.workload in ("transformer", "moe"):
            from .resolvers.training import bind_training_memory

            # 0.3.0's single-device footprint: the whole batch on this device, ZeRO sharding over dp_size,
            # no collective buffers (one device), activations kept (or fully recomputed).
            steps += bind_training_memory(model, values, refs, batch_size=b, seq_len=seq_len, precision=prec,
                                          strategy="full" if activation_recomputation else "none",
                                          zero_stage=zero_stage, dp=dp_size, is_lora=is_lora,
                                          buffer_fraction=0.0, buffer_ref="derived:single device, no collectives")
        else:
            steps.append("engine.footprint")
        steps.append("engine.roofline")
        result = evaluate(steps, values, refs, _REPORT, catalog_hash_of(model, hw))
        profile = PerformanceProfile(result, hardware_name=hw.name, model_name=model.name, precision=prec,
                                     batch_size=b)
        if raise_errors and not result.values["feasible"]:
            raise OOMError(f"{model.key} needs {result.values['M_req'] / 1e9:.4g} GB but {hw.key} has "
                           f"{result.values['C_mem'] / 1e9:.4g} GB")
        return profile

    @staticmethod
    def sweep_grid(model: Any, hardware: Any, batch_sizes: Any = (1,), efficiencies: Any = None,
                   precision: str = "fp16", is_training: bool = False, seq_len: int = 2048,
                   activation_recomputation: bool = False) -> SweepGrid:
        """Vectorised sweep: the walls' NumPy code (generated from the same SymPy trees) evaluated on the grid
        batch_sizes × efficiencies in one pass. ``efficiencies=None`` uses the catalogue default."""
        import numpy as np

        from ._generated import numeric_np

        model = resolve_model(model)
        hw = resolve_hardware(hardware)
        prec = normalize_precision(precision)
        bs = np.asarray([check_batch(b) for b in np.atleast_1d(batch_sizes)], dtype=float)
        if efficiencies is None:
            effs = np.asarray([knob("engine", "efficiency")[0]])
        else:
            effs = np.asarray([check_fraction(float(e), "efficiency") for e in np.atleast_1d(efficiencies)])
        base_v, base_r, steps = _static_inputs(model, hw, prec)
        values: dict[str, Any] = dict(base_v)
        refs = dict(base_r)
        values.update(m_train=1.0 if is_training else 0.0, m_recomp=1.0 if activation_recomputation else 0.0,
                      m_lora=0.0, S=float(check_batch(seq_len, "seq_len")))
        if is_training and model.workload in ("transformer", "moe"):
            from .resolvers.training import bind_training_memory

            steps += bind_training_memory(model, values, refs, batch_size=1, seq_len=seq_len, precision=prec,
                                          strategy="full" if activation_recomputation else "none",
                                          buffer_fraction=0.0, buffer_ref="derived:single device, no collectives")
        else:
            steps.append("engine.footprint")
        steps.append("engine.roofline")
        values["B"] = bs[:, None]
        values["eta_hw"] = effs[None, :]
        regimes: dict[str, Any] = {}
        with np.errstate(divide="ignore", invalid="ignore"):
            for step in steps:
                out, reg = numeric_np.COMPUTATIONS[step](values)
                values.update(out)
                regimes.update(reg)
        shape = (len(bs), len(effs))
        values = {k: np.broadcast_to(v, shape) if isinstance(v, np.ndarray) else v for k, v in values.items()}
        regimes = {k: np.broadcast_to(v, shape) for k, v in regimes.items()}
        return SweepGrid(values, regimes, bs, effs, steps, refs)

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


def _engine_knobs() -> tuple[dict[str, float], dict[str, str]]:
    """The roofline's catalogue defaults (called once per static binding; ``knob`` memoises the lookups)."""
    v: dict[str, float] = {}
    r: dict[str, str] = {}
    for sym, (topic, fld) in _ENGINE_KNOBS.items():
        v[sym], r[sym] = knob(topic, fld)
    return v, r


_ENGINE_KNOBS = {
    "f_act": ("engine", "activation_traffic_fraction"),
    "tau_layer": ("engine", "layer_tax"),
    "k_tax_train": ("engine", "layer_tax_training_factor"),
    "f_idle": ("engine", "idle_power_fraction"),
    "b_opt": ("optimizer", "adam"),
    "f_lora": ("engine", "lora_memory_factor"),
}
