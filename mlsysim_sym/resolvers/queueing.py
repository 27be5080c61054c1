"""TailLatencyModel (wall 7) and ServingCapacityModel (walls 4, 5, 7): replicas for a QPS and p99 target."""
from __future__ import annotations

from typing import Any, ClassVar

from ..catalog import catalog
from ..engine import efficiency_binding, knob, normalize_precision, resolve_hardware, resolve_model
from ..errors import InputError
from ..evaluate import Result, evaluate, run
from ..results import LazyQ, ResultView
from .batching import bind_request_lengths, cb_static_inputs, request_lengths
from ..validate import NONNEG, POSITIVE, REPLICAS
from .common import catalog_hash_of, check_int, static_inputs
from .serving import serving_static_inputs

_TAIL_REPORT = ("p50", "p99", "rho_rep", "stable", "headroom")


class TailLatencyResult(ResultView):
    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {
        "p50_latency": ("p50", "ms"), "p99_latency": ("p99", "ms"), "queue_utilization": ("rho_rep", ""),
        "is_stable": ("stable", "bool"), "slo_headroom_ratio": ("headroom", ""),
    }
    constraint_trace = None


def _positive(value: Any, name: str) -> float:
    return POSITIVE(name, value)


def _non_negative(value: Any, name: str) -> float:
    return NONNEG(name, value)


def tail(arrival_rate_qps: float, service_latency_ms: float, num_replicas: int = 1,
         service_time_cv: float = 1.0) -> Result:
    lam = _non_negative(arrival_rate_qps, "arrival_rate_qps")
    t = _positive(service_latency_ms, "service_latency_ms")
    c = REPLICAS("num_replicas", num_replicas)
    cv = _non_negative(service_time_cv, "service_time_cv")
    values = {"lam": lam, "t_svc": t / 1e3, "c_srv": float(c), "cv_svc": cv}
    refs = {"lam": "arg:arrival_rate_qps", "t_svc": "arg:service_latency_ms", "c_srv": "arg:num_replicas",
            "cv_svc": "arg:service_time_cv"}
    values["k_slo"], refs["k_slo"] = knob("tail", "slo_multiple")
    return evaluate(["tail.mmc"], values, refs, _TAIL_REPORT, catalog().hash)


class TailLatencyModel:
    """Erlang-C M/M/c tail latency with a Kingman correction (0.3.0's TailLatencyModel)."""

    requires = ("arrival_rate", "service_latency")
    produces = "TailLatencyResult"

    def solve(self, arrival_rate_qps: float, service_latency_ms: float, num_replicas: int = 1,
              service_time_cv: float = 1.0) -> TailLatencyResult:
        return TailLatencyResult(tail(arrival_rate_qps, service_latency_ms, num_replicas, service_time_cv))


class ServingCapacityModel:
    """Replicas needed for a QPS at a p99 target: continuous batching gives per-replica capacity, the serving
    wall gives the base request latency, the tail wall the queueing wait (computations ``capacity.replica``
    and ``capacity.fleet``, one derivation).

    The replica count is the smallest c whose plan meets the target. The p99 wait is non-increasing in c, so
    it is found by galloping up from the smallest stable c and bisecting (O(log c) evaluations of wall 7), not
    by 0.3.0's linear scan over 1..1024; the answer is the same smallest c."""

    requires = ("workload", "hardware", "qps", "target_p99_latency_ms")
    produces = "ServingCapacityResult"

    def solve(self, model: Any, hardware: Any, qps: float, target_p99_latency_ms: float, max_seq_len: int = 2048,
              mean_request_tokens: float | None = None, output_tokens: int = 128, max_batch_size: int = 32,
              precision: str = "fp16", efficiency: float | None = None, max_replicas: int = 1024,
              service_time_cv: float = 1.0) -> ServingCapacityResult:
        m = resolve_model(model)
        hw = resolve_hardware(hardware)
        prec = normalize_precision(precision)
        q = _positive(qps, "qps")
        target = _positive(target_p99_latency_ms, "target_p99_latency_ms")
        n_out = check_int(output_tokens, "output_tokens")
        cmax = REPLICAS("max_replicas", max_replicas)
        lengths = request_lengths(max_seq_len, mean_request_tokens, max_batch_size)
        cv = _non_negative(service_time_cv, "service_time_cv")
        if m.workload not in ("transformer", "moe"):
            raise InputError(f"{m.key} is a {m.workload or 'non-transformer'} workload; serving capacity needs a "
                             "transformer language model")
        sv, sr = _capacity_static_inputs(m, hw, prec)
        values = dict(sv)
        refs = dict(sr)
        if efficiency is not None:  # else the catalogue default, bound with the static inputs
            values["eta_hw"], refs["eta_hw"] = efficiency_binding(efficiency)
        bind_request_lengths(values, refs, lengths)
        values["n_out"], refs["n_out"] = float(n_out), "arg:output_tokens"
        values["lam"], refs["lam"] = q, "arg:qps"
        values["L_target"], refs["L_target"] = target / 1e3, "arg:target_p99_latency_ms"
        values["cv_svc"], refs["cv_svc"] = cv, "arg:service_time_cv"
        out, regimes = run("capacity.replica", values)
        values.update(out)
        stamp_hash = catalog_hash_of(m, hw)
        if not out["feasible_serve"] or not out["feasible_cb"] or not out["X_paged"] > 0:
            inf = float("inf")
            r = Result(values, refs, ("capacity.replica",), regimes, _CAP_REPORT[:3], stamp_hash)
            return ServingCapacityResult(
                r, feasible=False, required_replicas=cmax, qps_capacity=0.0, utilization=inf,
                estimated_p99_latency=_ms(inf), queue_wait_p99=_ms(inf),
                bottleneck="Memory" if (not out["feasible_serve"] or not out["feasible_cb"]) else "Capacity",
                constraint_trace=["Serving Capacity: infeasible before queueing because the model does not fit "
                                  "or has no token capacity."])
        fleet: dict[int, tuple[dict[str, Any], dict[str, int]]] = {}

        def meets(c: int) -> bool:
            values["c_srv"] = float(c)
            fleet[c] = run("capacity.fleet", values)
            return bool(fleet[c][0]["meets_slo"])

        lo = hi = min(cmax, int(q * out["t_svc"]) + 1)  # the smallest stable c (or the cap)
        feasible = meets(hi)
        while not feasible and hi < cmax:
            lo, hi = hi + 1, min(cmax, hi * 2)
            feasible = meets(hi)
        if feasible:
            while lo < hi:
                mid = (lo + hi) // 2
                if meets(mid):
                    hi = mid
                else:
                    lo = mid + 1
        required = lo if feasible else cmax  # meets_slo at `required` is then `feasible`
        if required not in fleet:
            meets(required)
        values["c_srv"], refs["c_srv"] = float(required), "search:smallest c meeting the target (≤ max_replicas)"
        fo, fr = fleet[required]
        values.update(fo)
        regimes.update(fr)
        r = Result(values, refs, ("capacity.replica", "capacity.fleet"), regimes, _CAP_REPORT, stamp_hash)
        return ServingCapacityResult(r)


_CAP_REPORT = ("X_rep", "t_svc", "L_base", "c_srv", "L_p99", "X_cap")


def _capacity_static_inputs(m: Any, hw: Any, prec: str) -> tuple[dict[str, float], dict[str, str]]:
    """Walls 4, 5 and 7 inputs fixed by (model, device, precision): those of continuous batching and serving
    (one device for prefill and decode, no prompt cache, no chunking, no draft model) and the SLO knob."""
    def build(values: dict[str, float], refs: dict[str, str]) -> None:
        for v, r in (cb_static_inputs(m, hw, prec), serving_static_inputs(m, hw, hw, prec)):
            values.update(v)
            refs.update(r)
        for sym, val, ref in (("c_pre", 0.0, "default:no cached prefix"), ("q_chunk", 0.0, "default:no chunking"),
                              ("m_disagg", 0.0, "default:colocated prefill and decode"),
                              ("m_spec", 0.0, "default:no draft model"), ("P_d", 0.0, "absent:draft_model"),
                              ("k_tok_d", 0.0, "absent:draft_model")):
            values[sym], refs[sym] = val, ref
        values["BW_xfer"], refs["BW_xfer"] = knob("serving", "disaggregation_bandwidth")
        values["alpha_acc"], refs["alpha_acc"] = knob("serving", "acceptance_rate")
        values["k_slo"], refs["k_slo"] = knob("tail", "slo_multiple")
        values["eta_hw"], refs["eta_hw"] = efficiency_binding(None)

    v, r, _ = static_inputs("capacity", (m, hw), (prec,), build)
    return v, r


class ServingCapacityResult(ResultView):
    """Replica count and latency budget with 0.3.0's field names (each field a symbol of the derivation)."""

    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {
        "qps_target": ("lam", ""), "target_p99_latency": ("L_target", "ms"), "active_batch_size": ("B", "int"),
        "ttft": ("TTFT", "ms"), "itl": ("ITL", "ms"), "base_request_latency": ("L_base", "ms"),
        "per_replica_qps_capacity": ("X_rep", ""), "required_replicas": ("c_srv", "int"),
        "qps_capacity": ("X_cap", ""), "utilization": ("rho_q", ""), "estimated_p99_latency": ("L_p99", "ms"),
        "queue_wait_p99": ("w99", "ms"), "feasible": ("meets_slo", "bool"),
    }
    _DERIVED = ("bottleneck",)

    @property
    def bottleneck(self) -> str:
        """What binds: "Memory" or "Capacity" before queueing, else "Feasible", "Tail Latency" (stable queue, p99
        over the target at max_replicas) or "Capacity" (unstable even at max_replicas)."""
        if "bottleneck" in self._extra:
            return self._extra["bottleneck"]
        v = self._result.values
        return "Feasible" if v["meets_slo"] else ("Tail Latency" if v["stable"] else "Capacity")

    @property
    def constraint_trace(self) -> list[str]:
        x = self._extra
        if "constraint_trace" in x:
            return x["constraint_trace"]
        v = self._result.values
        return [f"Serving Capacity: {int(v['c_srv'])} replicas provide {v['X_cap']:.2f} QPS for target "
                f"{v['lam']:.2f} QPS at utilization {v['rho_q']:.2%}.",
                f"Tail Latency: base request latency {v['L_base'] * 1e3:.6g} ms; estimated P99 "
                f"{v['L_p99'] * 1e3:.6g} ms vs target {v['L_target'] * 1e3:.6g} ms."]


_ms = LazyQ.ms
