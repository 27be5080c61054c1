"""Compare our resolvers with mlsysim 0.3.0's recorded outputs (tests/data/mlsysim_0_3_0/*.json).

Two catalogues are compared against 0.3.0:

* ``overlay`` — our walls evaluated on 0.3.0's *effective input values* (``overlay.json``): any difference left
  is a difference of **model**, and must be covered by a declared model deviation (``docs/deviations.toml``);
* ``default`` — our walls on our cited catalogue: differences are data (declared per constant) or model.

Used by ``tests/test_parity.py`` and by ``tools/parity/report.py``. Reads only committed data: mlsysim itself
is never imported here.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .catalog import Catalog, catalog, with_overrides
from .errors import MlsysimError

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "mlsysim_0_3_0"
REL = 1e-6


@lru_cache(maxsize=4)
def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def overlay_catalog() -> Catalog:
    ov = load("overlay.json")
    return with_overrides(catalog(), ov["overrides"], bibkey="mlsysim2026registry",
                          locator="mlsysim 0.3.0 effective registry value (tests/data/mlsysim_0_3_0/overlay.json)",
                          note="parity overlay: the value mlsysim 0.3.0 uses, for comparing models only")


class _Objects:
    """Hardware/model objects built over one catalogue (default or overlay)."""

    def __init__(self, cat: Catalog):
        from .objects import HardwareNode, Workload
        from .systems import Fleet

        self.hw = {e.key: HardwareNode(e, cat) for e in cat.of_kind("hardware")}
        self.models = {e.key: Workload(e, cat) for e in cat.of_kind("model")}
        self.fleets = {e.key: Fleet(e, cat) for e in cat.of_kind("cluster")}

    def resolve(self, path: Any) -> Any:
        if isinstance(path, dict) and "constructor_args" in path:
            from .objects import TransformerWorkload

            args = {k: v for k, v in path["constructor_args"].items() if k != "architecture"}
            return TransformerWorkload(**args)
        key = path.rsplit(".", 1)[1]
        if path.startswith("Hardware."):
            return self.hw[key]
        if path.startswith("Systems.Clusters."):
            return self.fleets[key]
        return self.models[key]


@lru_cache(maxsize=2)
def objects(which: str) -> _Objects:
    return _Objects(overlay_catalog() if which == "overlay" else catalog())


def _num(x: Any) -> Any:
    return float(x) if isinstance(x, str) and x in ("inf", "-inf", "nan") else x


def close(a: Any, b: Any, rel: float = REL) -> bool:
    a, b = _num(a), _num(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return a == b
    a, b = float(a), float(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


@dataclass
class Outcome:
    case_id: int
    resolver: str
    ok: bool
    mismatches: dict[str, tuple[Any, Any]]
    error: str = ""


def _si(q: Any, unit: str) -> float | None:
    return None if q is None else float(q.m_as(unit))


ENGINE_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "latency_s": ("latency", lambda p: _si(p.latency, "s")),
    "latency_compute_s": ("latency_compute", lambda p: _si(p.latency_compute, "s")),
    "latency_memory_s": ("latency_memory", lambda p: _si(p.latency_memory, "s")),
    "latency_overhead_s": ("latency_overhead", lambda p: _si(p.latency_overhead, "s")),
    "throughput_per_s": ("throughput", lambda p: _si(p.throughput, "1/s")),
    "arithmetic_intensity_flop_per_byte": ("arithmetic_intensity", lambda p: _si(p.arithmetic_intensity, "FLOP/B")),
    "energy_j": ("energy", lambda p: _si(p.energy, "J")),
    "memory_footprint_bytes": ("memory_footprint", lambda p: _si(p.memory_footprint, "B")),
    "peak_flops_actual_flop_per_s": ("peak_flops_actual", lambda p: _si(p.peak_flops_actual, "FLOP/s")),
    "peak_bw_actual_bytes_per_s": ("peak_bw_actual", lambda p: _si(p.peak_bw_actual, "B/s")),
    "mfu": ("mfu", lambda p: p.mfu),
    "hfu": ("hfu", lambda p: p.hfu),
    "feasible": ("feasible", lambda p: p.feasible),
    "bottleneck": ("bottleneck", lambda p: p.bottleneck),
    "overhead_dominated": ("overhead_dominated", lambda p: p.overhead_dominated),
    "offload_spill_bytes": ("offload_spill_bytes", lambda p: _si(p.offload_spill_bytes, "B")),
}

SERVING_FIELDS: dict[str, Callable[[Any], Any]] = {
    "ttft_s": lambda r: _si(r.ttft, "s"),
    "itl_s": lambda r: _si(r.itl, "s"),
    "kv_cache_size_bytes": lambda r: _si(r.kv_cache_size, "B"),
    "model_weights_size_bytes": lambda r: _si(r.model_weights_size, "B"),
    "total_memory_required_bytes": lambda r: _si(r.total_memory_required, "B"),
    "memory_utilization": lambda r: r.memory_utilization,
    "feasible": lambda r: r.feasible,
    "prefill_chunks": lambda r: r.prefill_chunks,
    "prompt_cache_hit_ratio": lambda r: r.prompt_cache_hit_ratio,
    "prefill_chunk_time_s": lambda r: _si(r.prefill_chunk_time, "s"),
}

TRAINING_FIELDS: dict[str, Callable[[Any], Any]] = {
    "total_memory_bytes": lambda r: _si(r.total_memory, "B"),
    "weights_bytes": lambda r: _si(r.weights, "B"),
    "gradients_bytes": lambda r: _si(r.gradients, "B"),
    "optimizer_state_bytes": lambda r: _si(r.optimizer_state, "B"),
    "activations_bytes": lambda r: _si(r.activations, "B"),
    "communication_buffers_bytes": lambda r: _si(r.communication_buffers, "B"),
    "memory_utilization": lambda r: r.memory_utilization,
    "feasible": lambda r: r.feasible,
}


def _q(attr: str, unit: str) -> Callable[[Any], Any]:
    return lambda r: _si(getattr(r, attr), unit)


def _f(attr: str) -> Callable[[Any], Any]:
    return lambda r: getattr(r, attr)


CB_FIELDS = {"throughput_tokens_per_sec": _f("throughput_tokens_per_sec"), "max_active_requests": _f("max_active_requests"),
             "static_throughput_tokens_per_sec": _f("static_throughput_tokens_per_sec"),
             "static_max_active_requests": _f("static_max_active_requests"), "mean_request_tokens": _f("mean_request_tokens"),
             "paged_internal_fragmentation": _f("paged_internal_fragmentation"),
             "static_internal_fragmentation": _f("static_internal_fragmentation"),
             "paged_kv_cache_size_bytes": _q("paged_kv_cache_size", "B"),
             "static_kv_cache_size_bytes": _q("static_kv_cache_size", "B"), "ttft_s": _q("ttft", "s"),
             "itl_s": _q("itl", "s"), "speedup_vs_static": _f("speedup_vs_static"), "feasible": _f("feasible")}
WS_FIELDS = {"feasible": _f("feasible"), "throughput_tokens_per_sec": _f("throughput_tokens_per_sec"),
             "layer_compute_time_s": _q("layer_compute_time", "s"), "layer_injection_time_s": _q("layer_injection_time", "s"),
             "optimal_batch_size": _f("optimal_batch_size"), "wafer_memory_utilization": _f("wafer_memory_utilization"),
             "bottleneck": _f("bottleneck")}
TAIL_FIELDS = {"p50_latency_s": _q("p50_latency", "s"), "p99_latency_s": _q("p99_latency", "s"),
               "queue_utilization": _f("queue_utilization"), "is_stable": _f("is_stable"),
               "slo_headroom_ratio": _f("slo_headroom_ratio")}
MOE_FIELDS = {"effective_active_experts": _f("effective_active_experts"),
              "effective_active_parameters_count": _q("effective_active_parameters", "param"),
              "active_parameter_multiplier": _f("active_parameter_multiplier"),
              "token_dispatch_bytes": _q("token_dispatch_bytes", "B"), "all_to_all_latency_s": _q("all_to_all_latency", "s")}
CAP_FIELDS = {"required_replicas": _f("required_replicas"), "qps_capacity": _f("qps_capacity"),
              "per_replica_qps_capacity": _f("per_replica_qps_capacity"), "utilization": _f("utilization"),
              "estimated_p99_latency_s": _q("estimated_p99_latency", "s"), "queue_wait_p99_s": _q("queue_wait_p99", "s"),
              "base_request_latency_s": _q("base_request_latency", "s"), "active_batch_size": _f("active_batch_size"),
              "ttft_s": _q("ttft", "s"), "itl_s": _q("itl", "s"), "bottleneck": _f("bottleneck"), "feasible": _f("feasible")}
NET_FIELDS = {"latency_s": _q("latency", "s"), "latency_compute_s": _q("latency_compute", "s"),
              "latency_memory_s": _q("latency_memory", "s"),
              "arithmetic_intensity_flop_per_byte": _q("arithmetic_intensity", "FLOP/B"),
              "memory_footprint_bytes": _q("memory_footprint", "B"), "mfu": _f("mfu"), "bottleneck": _f("bottleneck"),
              "throughput_per_s": _q("throughput", "1/s"), "peak_bw_actual_bytes_per_s": _q("peak_bw_actual", "B/s")}
EFF_FIELDS = {"mfu": _f("mfu"), "achievable_flops_flop_per_s": _q("achievable_flops", "FLOP/s"),
              "peak_flops_flop_per_s": _q("peak_flops", "FLOP/s")}


def _compare(expected: dict[str, Any], fields: dict[str, Callable[[Any], Any]], got: Any) -> dict[str, tuple[Any, Any]]:
    bad = {}
    for key, fn in fields.items():
        if key not in expected:
            continue
        mine = fn(got)
        if not close(mine, expected[key]):
            bad[key] = (expected[key], mine)
    return bad


def engine_cases(which: str = "overlay") -> Iterator[Outcome]:
    yield from _engine_outcomes(load("parity_engine.json")["cases"], which)


def _engine_outcomes(cases: list[dict[str, Any]], which: str) -> Iterator[Outcome]:
    from .engine import Engine

    objs = objects(which)
    for case in cases:
        kw = dict(case["inputs"])
        exp = case.get("result")
        if exp is None or "error" in case:
            continue
        kw["model"] = objs.resolve(kw["model"])
        kw["hardware"] = objs.resolve(kw["hardware"])
        kw.pop("raise_errors", None)
        try:
            p = Engine.solve(**kw)
        except MlsysimError as exc:
            yield Outcome(case["id"], "Engine.solve", False, {}, f"{type(exc).__name__}: {exc}")
            continue
        fields = {k: v[1] for k, v in ENGINE_FIELDS.items()}
        bad = _compare(exp, fields, p)
        yield Outcome(case["id"], "Engine.solve", not bad, bad)


RESOLVERS = ("ServingModel", "TrainingMemoryModel", "SingleNodeModel", "ContinuousBatchingModel",
             "WeightStreamingModel", "TailLatencyModel", "MoERoutingModel", "ServingCapacityModel",
             "NetworkRooflineModel", "EfficiencyModel")


def resolver_cases(which: str = "overlay", resolvers: tuple[str, ...] = RESOLVERS) -> Iterator[Outcome]:
    yield from _resolver_outcomes(load("parity_node_resolvers.json")["cases"], which, resolvers)


def _resolver_outcomes(cases: list[dict[str, Any]], which: str, resolvers: tuple[str, ...]) -> Iterator[Outcome]:
    from .resolvers.batching import ContinuousBatchingModel
    from .resolvers.moe import MoERoutingModel, NetworkRooflineModel
    from .resolvers.node import SingleNodeModel
    from .resolvers.queueing import ServingCapacityModel, TailLatencyModel
    from .resolvers.serving import ServingModel
    from .resolvers.streaming import EfficiencyModel, WeightStreamingModel
    from .resolvers.training import TrainingMemoryModel

    objs = objects(which)
    table = {"ServingModel": (ServingModel, SERVING_FIELDS), "TrainingMemoryModel": (TrainingMemoryModel, TRAINING_FIELDS),
             "SingleNodeModel": (SingleNodeModel, {k: v[1] for k, v in ENGINE_FIELDS.items()}),
             "ContinuousBatchingModel": (ContinuousBatchingModel, CB_FIELDS),
             "WeightStreamingModel": (WeightStreamingModel, WS_FIELDS), "TailLatencyModel": (TailLatencyModel, TAIL_FIELDS),
             "MoERoutingModel": (MoERoutingModel, MOE_FIELDS), "ServingCapacityModel": (ServingCapacityModel, CAP_FIELDS),
             "NetworkRooflineModel": (NetworkRooflineModel, NET_FIELDS), "EfficiencyModel": (EfficiencyModel, EFF_FIELDS)}
    for case in cases:
        name = case["resolver"]
        if name not in resolvers or name not in table or case.get("result") is None:
            continue
        cls, fields = table[name]
        kw = {}
        for k, v in case["kwargs"].items():
            if (isinstance(v, str) and v.startswith(("Models.", "Hardware.", "Systems.Clusters."))) or \
                    (isinstance(v, dict) and "constructor_args" in v):
                v = objs.resolve(v)
            elif isinstance(v, dict) and "value_si" in v:
                from .units import Q_

                v = Q_(v["value_si"], v["si_unit"].replace("byte", "B"))
            kw[k] = v
        try:
            got = cls().solve(**kw)
        except MlsysimError as exc:
            yield Outcome(case["id"], name, False, {}, f"{type(exc).__name__}: {exc}")
            continue
        except TypeError as exc:
            yield Outcome(case["id"], name, False, {}, f"TypeError: {exc}")
            continue
        bad = _compare(case["result"], fields, got)
        yield Outcome(case["id"], name, not bad, bad)


# ---- reverting a declared deviation ---------------------------------------------------------------------------
# A declared model deviation is *checked*, not just matched by a rule: evaluating our own equations with the
# deviation's rule switched back to 0.3.0's (through the inputs of the generated computations, never a second copy
# of an equation) must reproduce 0.3.0's recorded numbers to 1e-6. Then nothing else differs in those cases.
# Deviations that 0.3.0 expresses as a sentinel or an exception cannot be reverted through inputs; they are
# listed in STRUCTURAL and checked field by field in tests/test_parity.py.

def _set(**fixed: float) -> Callable[[dict[str, Any]], None]:
    def apply(v: dict[str, Any]) -> None:
        v.update(fixed)
    return apply


def _copy(dst: str, src: str) -> Callable[[dict[str, Any]], None]:
    def apply(v: dict[str, Any]) -> None:
        v[dst] = v[src]
    return apply


def _query_heads_as_half_kv_heads(v: dict[str, Any]) -> None:
    """0.3.0's streaming prefill attention is 2·H_kv·d·S²·B; ours is 4·H·d·S²·B: H = H_kv/2 gives theirs (H enters
    no other streaming equation)."""
    v["H"] = v["H_kv"] / 2


def _attention_dim_from_hidden(v: dict[str, Any]) -> None:
    """0.3.0 uses hidden//heads in attention FLOPs and head_dim in the KV cache. Binding d_head = hidden//heads and
    rescaling H_kv by head_dim/(hidden//heads) keeps H_kv·d_head (the KV cache) exact while the attention FLOPs
    take 0.3.0's width."""
    d_attn = float(int(v["h"]) // int(v["H"]))
    v["H_kv"] = v["H_kv"] * v["d_head"] / d_attn
    v["d_head"] = d_attn


# deviation id -> ((computations whose inputs the rule enters), how to set them back to 0.3.0's rule)
REVERTS: dict[str, tuple[tuple[str, ...], Callable[[dict[str, Any]], None]]] = {
    "engine-training-tokens": (("engine.roofline",), _set(m_tok=0.0)),
    "serving-moe-active-params": (("serve.step", "capacity.replica"), _copy("P_act", "P")),
    "serving-attention-head-dim": (("serve.step",), _attention_dim_from_hidden),
    "streaming-prefill-attention": (("stream.ws",), _query_heads_as_half_kv_heads),
    # decided while binding (mlsysim_sym.rules): no computation's inputs to rewrite
    "size-only-no-flops": ((), None),
}
# deviation id -> why it is checked field by field instead of reverted
# deviations about how a model is catalogued: reverted by evaluating a copy of the model as 0.3.0 stores it
MODEL_COPY = {"vit-transformer-dims": "0.3.0 stores ViT_Large as a generic workload (parameters and FLOPs only)"}
STRUCTURAL = {
    "cb-infeasible-sentinel": "0.3.0 returns sentinels (fragmentation 0, ITL 1e6 ms); every other field must match",
    "input-validation": "0.3.0 coerces the input; we raise InputError",
    "explicit-precision": "0.3.0 falls back to the FP16 peak; we raise InputError (no parity case reaches it)",
    "missing-dims-error": "0.3.0 substitutes 32 heads and 4096 hidden; we raise InputError (no parity case)",
    "capacity-units": "a catalogue difference (GB as printed); the overlay uses 0.3.0's GiB values",
}


@contextmanager
def reverting(deviation: str) -> Iterator[None]:
    """Evaluate with one declared deviation's rule set back to 0.3.0's (for parity checks only)."""
    from ._generated import numeric as _num

    names, apply = REVERTS[deviation]
    saved = {n: _num.COMPUTATIONS[n] for n in names}

    def wrap(fn: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
        def reverted(v: dict[str, Any]) -> Any:
            v = dict(v)
            apply(v)
            return fn(v)
        return reverted

    from .rules import reverting_rules

    try:
        for n, entry in saved.items():
            _num.COMPUTATIONS[n] = (wrap(entry[0]), *entry[1:])
        with reverting_rules(deviation):
            yield
    finally:
        _num.COMPUTATIONS.update(saved)


def generic_copy(model: Any) -> Any:
    """A workload as 0.3.0 stores ViT_Large: parameters and FLOPs only, no transformer dimensions."""
    from dataclasses import replace

    from .objects import Workload

    e = model.entity
    values = {k: c for k, c in e.values.items() if k not in ("layers", "heads", "hidden", "kv_heads", "head_dim")}
    attrs = dict(e.attrs, workload="generic")
    return Workload(replace(e, values=values, attrs=attrs), model._cat)


def rerun(case: dict[str, Any], which: str = "overlay", deviation: str | None = None) -> Outcome:
    """Run one recorded case again, optionally with a deviation reverted; the Outcome of that run."""
    engine = "inputs" in case and "resolver" not in case
    generic = deviation in MODEL_COPY
    inputs = case.get("inputs") or case.get("kwargs")
    key = inputs["model"].rsplit(".", 1)[1] if isinstance(inputs.get("model"), str) else None
    objs = objects(which)
    saved = objs.models.get(key) if key else None
    try:
        if generic and saved is not None:
            objs.models[key] = generic_copy(saved)
        with reverting(deviation) if deviation in REVERTS else nullcontext():
            run_ = _engine_outcomes if engine else (lambda c, w: _resolver_outcomes(c, w, RESOLVERS))
            return next(run_([case], which))
    finally:
        if saved is not None:
            objs.models[key] = saved
