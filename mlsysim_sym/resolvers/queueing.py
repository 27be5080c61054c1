"""TailLatencyModel (wall 7) and ServingCapacityModel (walls 4, 5, 7): replicas for a QPS and p99 target."""
from __future__ import annotations

from typing import Any, ClassVar

from ..catalog import catalog
from ..engine import check_fraction, knob
from ..errors import InputError
from ..evaluate import Result, evaluate, run
from ..results import LazyQ, ResultView
from .batching import cb_result
from .common import check_int
from .serving import serving_result

_TAIL_REPORT = ("p50", "p99", "rho_rep", "stable", "headroom")


class TailLatencyResult(ResultView):
    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {
        "p50_latency": ("p50", "ms"), "p99_latency": ("p99", "ms"), "queue_utilization": ("rho_rep", ""),
        "is_stable": ("stable", "bool"), "slo_headroom_ratio": ("headroom", ""),
    }
    constraint_trace = None


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InputError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def tail(arrival_rate_qps: float, service_latency_ms: float, num_replicas: int = 1,
         service_time_cv: float = 1.0) -> Result:
    if isinstance(arrival_rate_qps, bool) or not isinstance(arrival_rate_qps, (int, float)) or not arrival_rate_qps >= 0:
        raise InputError(f"arrival_rate_qps must be >= 0, got {arrival_rate_qps!r}")
    lam = float(arrival_rate_qps)
    t = _positive(service_latency_ms, "service_latency_ms")
    c = check_int(num_replicas, "num_replicas")
    if isinstance(service_time_cv, bool) or not isinstance(service_time_cv, (int, float)) or service_time_cv < 0:
        raise InputError(f"service_time_cv must be >= 0, got {service_time_cv!r}")
    values = {"lam": lam, "t_svc": t / 1e3, "c_srv": float(c), "cv_svc": float(service_time_cv)}
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
    wall gives the base request latency, the tail wall the queueing wait.

    The replica count is found by bisection over c (the p99 wait is non-increasing in c), not 0.3.0's linear
    scan over 1..1024; the answer is the same smallest c."""

    requires = ("workload", "hardware", "qps", "target_p99_latency_ms")
    produces = "ServingCapacityResult"

    def solve(self, model: Any, hardware: Any, qps: float, target_p99_latency_ms: float, max_seq_len: int = 2048,
              mean_request_tokens: float | None = None, output_tokens: int = 128, max_batch_size: int = 32,
              precision: str = "fp16", efficiency: float | None = None, max_replicas: int = 1024,
              service_time_cv: float = 1.0) -> ServingCapacityResult:
        q = _positive(qps, "qps")
        target = _positive(target_p99_latency_ms, "target_p99_latency_ms")
        n_out = check_int(output_tokens, "output_tokens")
        cmax = check_int(max_replicas, "max_replicas")
        if efficiency is not None:
            check_fraction(efficiency, "efficiency")
        cb = cb_result(model, hardware, max_seq_len, mean_request_tokens, max_batch_size, None, precision, efficiency)
        cbv = cb.values
        n = max(1, int(cbv["N_paged"]))
        sv = serving_result(model, hardware, max(1, int(cbv["S_mean"])), n, precision, efficiency)[0]
        svv = sv.values
        per_rep = cbv["X_paged"] / n_out
        base_ms = (svv["TTFT"] + svv["ITL"] * n_out) * 1e3
        sv_ok, cb_ok = bool(svv["feasible_serve"]), bool(cbv["feasible_cb"])
        extra: dict[str, Any] = {"qps_target": q, "active_batch_size": n, "ttft": _ms(svv["TTFT"] * 1e3),
                                 "itl": _ms(svv["ITL"] * 1e3), "target_p99_latency": _ms(target),
                                 "base_request_latency": _ms(base_ms), "per_replica_qps_capacity": per_rep}
        subs = {"batching": cb, "serving": sv}
        if not sv_ok or not cb_ok or per_rep <= 0:
            extra.update(feasible=False, required_replicas=cmax, qps_capacity=0.0, utilization=float("inf"),
                         estimated_p99_latency=_ms(float("inf")), queue_wait_p99=_ms(float("inf")),
                         bottleneck="Memory" if (not sv_ok or not cb_ok) else "Capacity",
                         constraint_trace=["Serving Capacity: infeasible before queueing because the model does "
                                           "not fit or has no token capacity."])
            return ServingCapacityResult(_with_subs(sv, subs), **extra)
        t_svc = 1000.0 / per_rep
        k_slo = knob("tail", "slo_multiple")[0]
        inputs = {"lam": q, "t_svc": t_svc / 1e3, "cv_svc": float(service_time_cv), "k_slo": k_slo}

        def ok(c: int) -> bool:
            out, _ = run("tail.mmc", dict(inputs, c_srv=float(c)))
            return bool(out["stable"]) and base_ms + max(0.0, out["p99"] * 1e3 - t_svc) <= target

        # p99 is non-increasing in c: gallop up from the smallest stable c, then bisect (same smallest c as a
        # linear scan over 1..max_replicas, in O(log c) Erlang-C evaluations)
        lo = hi = min(cmax, max(1, int(q * t_svc / 1e3) + 1))
        feasible = ok(hi)
        while not feasible and hi < cmax:
            lo, hi = hi + 1, min(cmax, hi * 2)
            feasible = ok(hi)
        if feasible:
            while lo < hi:
                mid = (lo + hi) // 2
                if ok(mid):
                    hi = mid
                else:
                    lo = mid + 1
            required = lo
        else:
            required = cmax
        r = tail(q, t_svc, required, service_time_cv)
        r.subs.update(subs)
        r.refs["t_svc"] = "sub:batching"
        stable = bool(r.values["stable"])
        wait = max(0.0, r.values["p99"] * 1e3 - t_svc)
        est = base_ms + wait
        cap = required * per_rep
        bottleneck = "Feasible" if feasible else ("Tail Latency" if stable else "Capacity")
        extra.update(feasible=feasible, required_replicas=required, qps_capacity=cap, utilization=q / cap,
                     estimated_p99_latency=_ms(est), queue_wait_p99=_ms(wait), bottleneck=bottleneck)
        return ServingCapacityResult(r, **extra)


class ServingCapacityResult(ResultView):
    """Replica count and latency budget; extras as in 0.3.0 (quantities built on access)."""

    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {}

    @property
    def constraint_trace(self) -> list[str]:
        x = self._extra
        if "constraint_trace" in x:
            return x["constraint_trace"]
        return [f"Serving Capacity: {x['required_replicas']} replicas provide {x['qps_capacity']:.2f} QPS for target "
                f"{x['qps_target']:.2f} QPS at utilization {x['utilization']:.2%}.",
                f"Tail Latency: base request latency {x['base_request_latency'][0]:.6g} ms; estimated P99 "
                f"{x['estimated_p99_latency'][0]:.6g} ms vs target {x['target_p99_latency'][0]:.6g} ms."]


def _with_subs(r: Result, subs: dict[str, Result]) -> Result:
    r.subs.update(subs)
    return r


def _ms(v: float) -> LazyQ:
    return LazyQ(v, "ms")
