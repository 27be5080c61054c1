"""TailLatencyModel (wall 7) and ServingCapacityModel (walls 4, 5, 7): replicas for a QPS and a p99 target."""
from __future__ import annotations

from typing import Any

from ..binding import (Check, Obj, SameAs, View, arg, default_knob, derived, facade, fixed, knob, memory,
                       out, peak, precision_arg, row, width)
from ..binding.groups import efficiency_arg, serving_rooflines, stack_args, transformer_shape
from ..binding.reads import error
from ..evaluate import Result, run
from ..provenance import Search
from ..validate import BATCH, NONNEG, POSITIVE, REPLICAS, TOKENS, real

TailLatencyModel = facade(
    "TailLatencyModel",
    computation="tail.mmc",
    args=[
        arg("arrival_rate_qps", "lam", NONNEG), arg("service_latency_ms", "t_svc", POSITIVE, unit="ms"),
        arg("num_replicas", "c_srv", REPLICAS, 1), arg("service_time_cv", "cv_svc", NONNEG, 1.0),
    ],
    reads=[knob("tail.slo_multiple", "k_slo")],
    fields=[
        out("p50_latency", "p50", "ms"), out("p99_latency", "p99", "ms"), out("queue_utilization", "rho_rep"),
        out("is_stable", "stable", "bool"), out("slo_headroom_ratio", "headroom"),
    ],
    report=("p50", "p99", "rho_rep", "stable", "headroom"),
    requires=("arrival_rate", "service_latency"), walls=(7,),
    doc="Erlang-C M/M/c tail latency with a Kingman correction (0.3.0's TailLatencyModel); an unstable queue "
        "(utilisation ≥ 1) has infinite waits and says so with is_stable = False.")
TailLatencyResult = TailLatencyModel.result_class


# ---- ServingCapacityModel -------------------------------------------------------------------------------------------
def _bottleneck(view: Any) -> str:
    """"Feasible"; "Tail Latency" (a stable queue whose p99 exceeds the target at max_replicas); "Capacity"
    (unstable even at max_replicas, or no token capacity); "Memory" (the model does not fit)."""
    v = view._result.values
    if not v["feasible_serve"] or not v["feasible_cb"]:
        return "Memory"
    if not v["X_paged"] > 0:
        return "Capacity"
    return "Feasible" if v["meets_slo"] else ("Tail Latency" if v["stable"] else "Capacity")


def _search(spec: Any, values: dict[str, Any], refs: Any, entry: Any, ed: Any, call: dict[str, Any],
            objs: dict[str, Any], statics: tuple[Any, ...]) -> Any:
    """One replica (``capacity.replica``), then the smallest replica count whose plan meets the target
    (``capacity.fleet`` at each candidate). The p99 wait is non-increasing in c, so the search gallops up from the
    smallest stable count (``c_min``, an equation) and bisects: O(log c) evaluations of wall 7, not 0.3.0's
    linear scan over 1..1024; the answer is the same smallest c."""
    from ..binding import view_of

    cmax = call.get("max_replicas", 1024)
    cmax = REPLICAS("max_replicas", cmax)
    out, regimes = run("capacity.replica", values)
    values.update(out)
    steps: tuple[str, ...] = ("capacity.replica",)
    if out["feasible_serve"] and out["feasible_cb"] and out["X_paged"] > 0:
        fleet: dict[int, tuple[dict[str, Any], dict[str, int]]] = {}

        def meets(c: int) -> bool:
            values["c_srv"] = float(c)
            fleet[c] = run("capacity.fleet", values)
            return bool(fleet[c][0]["meets_slo"])

        lo = hi = min(cmax, int(out["c_min"]))
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
        required = lo if feasible else cmax
        if required not in fleet:
            meets(required)
        values["c_srv"] = float(required)
        refs.bind("c_srv", Search("smallest replica count meeting the p99 target (at most max_replicas)"))
        fo, fr = fleet[required]
        values.update(fo)
        regimes.update(fr)
        steps = ("capacity.replica", "capacity.fleet")
        result = Result(values, refs, steps, regimes, _CAP_REPORT, entry.catalog_hash, entry.subs, ed.name)
        return view_of(spec, ServingCapacityModel.result_class, (result, objs, statics, call))
    inf = float("inf")
    from ..units import quantity

    result = Result(values, refs, steps, regimes, _CAP_REPORT[:3], entry.catalog_hash, entry.subs, ed.name)
    extra = {"feasible": False, "required_replicas": cmax, "qps_capacity": 0.0, "utilization": inf,
             "estimated_p99_latency": quantity(inf, "ms"), "queue_wait_p99": quantity(inf, "ms"),
             "constraint_trace": ["Serving Capacity: infeasible before queueing because the model does not fit or "
                                  "has no token capacity."]}
    view = view_of(spec, ServingCapacityModel.result_class, (result, objs, statics, call))
    object.__setattr__(view, "_extra", extra)
    return view


_CAP_REPORT = ("X_rep", "t_svc", "L_base", "c_srv", "L_p99", "X_cap")
_PURPOSE = "serving capacity needs transformer dimensions"

ServingCapacityModel = facade(
    "ServingCapacityModel",
    computation="capacity.replica",
    objects=[Obj("model", "model", workloads=("transformer", "moe"),
                 purpose="serving capacity needs a transformer language model"), Obj("hardware", "hardware")],
    args=[
        arg("qps", "lam", POSITIVE), arg("target_p99_latency_ms", "L_target", POSITIVE, unit="ms"),
        arg("max_seq_len", "S_max", TOKENS, 2048),
        arg("mean_request_tokens", "S_mean", real(0.0, 1e9, lo_open=True), None, none=SameAs("S_max")),
        arg("output_tokens", "n_out", TOKENS, 128), arg("max_batch_size", "N_max", BATCH, 32), precision_arg(),
        efficiency_arg(),
        arg("max_replicas", None, REPLICAS, 1024), arg("service_time_cv", "cv_svc", NONNEG, 1.0), *stack_args(),
    ],
    reads=[
        peak("hardware"), memory("hardware"),
        row("hardware", "dispatch_tax", "tau_disp", absent=default_knob("engine.dispatch_tax")),
        width(), knob("engine.layer_tax", "tau_layer"), knob("serving.draft_lookahead", "gamma_spec"),
        knob("serving.page_tokens", "p_page"), knob("serving.disaggregation_bandwidth", "BW_xfer"),
        knob("serving.acceptance_rate", "alpha_acc"), knob("tail.slo_multiple", "k_slo"),
        row("model", "params", "P", absent=error(_PURPOSE)), row("model", "params.active", "P_act_cat"),
        fixed("M_size", 0, "a served language model weighs parameters × width"),
        *transformer_shape(_PURPOSE),
        fixed("c_pre", 0, "no cached prefix"), fixed("q_chunk", 0, "no chunked prefill"),
        fixed("m_disagg", 0, "prefill and decode on the same replica"), fixed("m_spec", 0, "no draft model"),
        fixed("P_d", 0, "no draft model"), fixed("k_tok_d", 0, "no draft model"),
        *serving_rooflines(request_mix=True),
        fixed("m_pf", 1, "each request's prefill at its input length (declared deviation serving-prefill-per-request)"),
    ],
    checks=[Check(lambda v: v["S_mean"] <= v["S_max"],
                  "mean_request_tokens ({S_mean:g}) must be at most max_seq_len ({S_max:.0f})")],
    evaluate=_search,
    fields=[
        out("qps_target", "lam"), out("target_p99_latency", "L_target", "ms"), out("active_batch_size", "B", "int"),
        out("ttft", "TTFT", "ms"), out("itl", "ITL", "ms"), out("base_request_latency", "L_base", "ms"),
        out("per_replica_qps_capacity", "X_rep"), out("required_replicas", "c_srv", "int"),
        out("qps_capacity", "X_cap"), out("utilization", "rho_q"), out("estimated_p99_latency", "L_p99", "ms"),
        out("queue_wait_p99", "w99", "ms"), out("feasible", "meets_slo", "bool"),
        derived("bottleneck", _bottleneck, "str"),
    ],
    trace=["Serving Capacity: {c_srv:int} replicas provide {X_cap:.2f} QPS for target {lam:.2f} QPS at utilization "
           "{rho_q:%}.",
           "Tail Latency: base request latency {L_base:ms}; estimated P99 {L_p99:ms} vs target {L_target:ms}."],
    report=_CAP_REPORT,
    requires=("workload", "hardware", "qps", "target_p99_latency_ms"), walls=(4, 5, 7),
    doc="Replicas needed for a QPS at a p99 target (0.3.0's ServingCapacityModel): continuous batching gives one "
        "replica's capacity, the serving wall its request latency, the tail wall the queueing wait — one derivation.")
ServingCapacityResult = ServingCapacityModel.result_class

__all__ = ["ServingCapacityModel", "ServingCapacityResult", "TailLatencyModel", "TailLatencyResult", "View"]
