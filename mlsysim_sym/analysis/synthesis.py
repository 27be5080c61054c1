"""Wall 22 at run time: MLSys·im's ``SynthesisSolver`` and :func:`synthesize`, the inverse of a wall per regime.

The inverses themselves were derived symbolically when the code was generated (:mod:`mlsysim_sym.walls.synthesis`);
here they are evaluated on the same bound inputs as the forward facade (``Engine.solve`` for latency and throughput,
``ServingModel`` for TTFT and ITL), one candidate per regime. A candidate is accepted only when the forward wall,
evaluated again with the synthesised value, lands in the regime the inverse assumed and meets the target (relative
1e-9): the round trip is the check. When no regime accepts, the answer says which wall binds instead.

``SynthesisSolver().solve(model, target_latency, precision, efficiency)`` returns 0.3.0's bare answer (bandwidth,
peak rate and capacity for one pass at batch 1, no overheads); with ``hardware=`` it adds ``designs``: each of
bandwidth, peak rate and efficiency that would meet the target on that device with everything else as catalogued,
and the largest batch that does.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..evaluate import Result, run, run_steps
from ..provenance import Arg
from ..validate import quantity as _quantity
from .inverses import INVERSES, TARGETS, UNKNOWNS

ROUND_TRIP = 1e-9
_TARGET_DOMAIN = {"s": _quantity("s", 0.0, 1e9, shown_unit="ms"), "1/s": _quantity("1/s", 0.0, 1e15)}


@dataclass(frozen=True)
class Design:
    """One synthesised value: what ``unknown`` must be for the device to meet ``target``, in which regime."""

    target: str
    target_value: float          # SI
    unknown: str
    symbol: str
    value: float | None          # SI (None: no value of this input meets the target)
    regime: str
    achieved: float | None       # the forward wall at the synthesised value (SI)
    catalogued: float            # the input's value as catalogued / given (SI)
    reason: str
    inverse: Result | None = None

    @property
    def feasible(self) -> bool:
        return self.value is not None

    @property
    def batch(self) -> int | None:
        """For a batch: the integer batch (largest within a latency, smallest reaching a throughput)."""
        if self.unknown != "batch" or self.value is None:
            return None
        return math.ceil(self.value - 1e-9) if self.target == "throughput" else math.floor(self.value + 1e-9)

    def quantity(self) -> Any:
        from ..notation import SYMBOLS
        from ..units import factor, quantity

        if self.value is None:
            return None
        row = SYMBOLS[self.symbol]
        shown = row.shown_unit
        return quantity(self.value * factor(row.unit, shown), shown) if row.unit else self.value

    @property
    def sources(self) -> Any:
        return self.inverse.sources if self.inverse is not None else []

    def explain(self) -> str:
        return self.inverse.explain() if self.inverse is not None else self.reason

    def __repr__(self) -> str:
        q = self.quantity()
        shown = f"{q:~.4g}" if hasattr(q, "magnitude") else repr(q)
        return f"Design({self.unknown}={shown}, {self.regime}: {self.reason})"


def _forward(target: str, model: Any, hardware: Any, batch_size: int, precision: str, efficiency: Any,
             seq_len: int | None, options: dict[str, Any]) -> Any:
    if target == "step_time":
        from .. import DistributedModel

        return DistributedModel().solve(model, hardware, batch_size=batch_size, precision=precision,
                                        efficiency=efficiency, **({"seq_len": seq_len} if seq_len else {}), **options)
    if target in ("ttft", "itl"):
        from .. import ServingModel

        return ServingModel().solve(model, hardware, seq_len=seq_len or 2048, batch_size=batch_size,
                                    precision=precision, efficiency=efficiency, **options)
    if options:
        raise InputError(f"options {sorted(options)} apply to a serving target (ServingModel's: stack, "
                         f"tensor_parallel, kv_reread_share, …) or a step-time target (a fleet) only")
    from ..engine import Engine

    return Engine.solve(model, hardware, batch_size=batch_size, precision=precision, efficiency=efficiency)


def synthesize(model: Any, hardware: Any, target: str, value: Any, unknown: str, *, batch_size: int = 1,
               precision: str = "fp16", efficiency: float | None = None, seq_len: int | None = None,
               **options: Any) -> Design:
    """What ``unknown`` ('bandwidth', 'peak_flops', 'efficiency', 'batch'; 'recompute_cost' for a step time under full
    recomputation) must be on ``hardware`` for ``model`` to
    meet ``target`` ('latency', 'throughput', 'ttft', 'itl' — with ServingModel's ``options`` such as stack,
    tensor_parallel, kv_reread_share —; 'step_time' with a fleet as ``hardware`` and DistributedModel's ``options``
    such as tp_size, pp_size, microbatch_count) = ``value`` (a quantity or a string
    such as "20 ms"), everything else as catalogued or given; solved per regime and checked forward."""
    if target not in TARGETS:
        raise InputError(f"unknown synthesis target {target!r} (targets: {', '.join(TARGETS)})")
    if (target, unknown) not in INVERSES:
        have = sorted(u for t, u in INVERSES if t == target)
        raise InputError(f"no inverse of {target} for {unknown!r} (for {target}: {', '.join(have)})")
    tv = float(_TARGET_DOMAIN[TARGETS[target][2]](target, value))
    base = _forward(target, model, hardware, batch_size, precision, efficiency, seq_len, options)
    if unknown == "recompute_cost" and not base.result.values["m_recomp"]:   # the flag as the facade bound it
        raise InputError("recompute_cost is the time of the forward re-run under full recomputation: pass "
                         "activation_recomputation=True (without it the step does not depend on it)")
    return _design(base.result, target, tv, unknown)


def _design(res: Result, target: str, tv: float, unknown: str) -> Design:
    """The design for ``unknown`` from the forward facade's evaluated result ``res`` (its bound inputs are the
    inverse's), one candidate per regime, each checked forward."""
    out, goal, _, _ = TARGETS[target]
    sym_in, sym_out = UNKNOWNS[unknown]
    reasons = []
    for comp, label, forward, regime in INVERSES[(target, unknown)]:
        vals = dict(res.values)
        vals[goal] = tv
        try:
            got, _ = run(comp, vals)
        except InputError as exc:
            reasons.append(f"{label}: {exc}")
            continue
        u = got[sym_out]
        if not (math.isfinite(u) and u > 0):
            reasons.append(f"{label}: no positive {unknown} meets it (the inverse gives {u:.4g})")
            continue
        if unknown == "efficiency" and u > 1:
            reasons.append(f"{label}: needs η = {u:.4g} > 1 (faster than the device's peak)")
            continue
        fwd = dict(res.values)
        fwd[sym_in] = u
        reg = run_steps(res.steps, fwd)  # the forward computations the facade ran, again, at the synthesised value
        held = all(reg.get(k) == i for k, i in regime.items())
        met = math.isclose(fwd[out], tv, rel_tol=ROUND_TRIP)
        if not held:
            reasons.append(f"not {label}: at {unknown} = {u:.4g} another term binds ({out} = {fwd[out]:.4g} "
                           f"against {tv:.4g})")
            continue
        if not met:
            reasons.append(f"{label}: the forward wall gives {fwd[out]:.6g}, not {tv:.6g}")
            continue
        refs = dict(res.refs.items()) if hasattr(res.refs, "items") else dict(res.refs)
        refs[goal] = Arg(target)
        inv = Result({**vals, **got}, refs, (comp,), {}, (sym_out,), res._catalog_hash, res.subs, res.edition)
        bound = _BOUND.get((target, unknown), "at least")
        return Design(target, tv, unknown, sym_out, u, label, fwd[out], float(res.values[sym_in]),
                      f"{bound} this; checked forward: {out} = {fwd[out]:.6g} at {unknown} = {u:.6g}", inv)
    why = "; ".join(reasons) or "no regime"
    return Design(target, tv, unknown, sym_out, None, "none", None, float(res.values[sym_in]),
                  f"no {unknown} meets {target} = {tv:.6g} on this device: {why}")


#: which side of the synthesised value meets the target (the walls are monotone in each unknown)
_BOUND = {("latency", "batch"): "at most", ("itl", "batch"): "at most", ("throughput", "batch"): "at least",
          ("step_time", "recompute_cost"): "at most"}


def _capacity(res: Result, tv: float) -> Design:
    """Memory is not an inverse: the capacity a device needs is the footprint the forward wall computes (below it the
    model spills to the host link, a different regime); reported as a design beside the inverses."""
    v = res.values
    return Design("latency", tv, "memory", "M_req", float(v["M_req"]), "fits (no offload)", None, float(v["C_mem"]),
                  "at least this: the footprint held without spilling to the host link (forward wall 2)", res)


class SynthesisResult:
    """0.3.0's SynthesisResult (the bare inverse, its fields delegated) plus ``designs`` on a device."""

    def __init__(self, bare: Any, designs: dict[str, Design]):
        self._bare = bare
        self.designs = designs

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._bare, name)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self._bare.to_dict())
        d["designs"] = {k: {"value_si": v.value, "regime": v.regime, "reason": v.reason, "batch": v.batch}
                        for k, v in self.designs.items()}
        return d

    def __repr__(self) -> str:
        return f"SynthesisResult(required_bw={self._bare.required_bw:~.4g}, designs={list(self.designs)})"


class SynthesisSolver:
    """The inverse problem (wall 22): 0.3.0's ``SynthesisSolver.solve(model, target_latency, precision,
    efficiency)``; ``hardware=`` adds the per-regime designs on that device (bandwidth, peak rate, efficiency,
    largest batch), each checked forward."""

    requires = ("workload", "target_latency")
    walls = (22,)

    def solve(self, model: Any, target_latency: Any, precision: str = "fp16", efficiency: float | None = None,
              hardware: Any = None, batch_size: int = 1) -> SynthesisResult:
        from ..resolvers.synthesis import SynthesisModel

        bare = SynthesisModel().solve(model, target_latency, precision=precision, efficiency=efficiency)
        designs: dict[str, Design] = {}
        if hardware is not None:  # one forward evaluation on the device serves every design
            res = _forward("latency", model, hardware, batch_size, precision, efficiency, None, {}).result
            tv = float(bare.result.values["T_tgt"])
            for unknown in ("bandwidth", "peak_flops", "efficiency", "batch"):
                designs[unknown] = _design(res, "latency", tv, unknown)
            designs["memory"] = _capacity(res, tv)
        return SynthesisResult(bare, designs)


__all__ = ["Design", "ROUND_TRIP", "SynthesisResult", "SynthesisSolver", "synthesize"]
