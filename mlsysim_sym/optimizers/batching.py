"""BatchingOptimizer: the largest batch size whose p99 latency meets an SLA, with 0.3.0's signature and result
fields, every batch 1..``max_search_batch`` evaluated at once by the generated NumPy code of ServingModel's
computation (``serve.step``, wall 4) and TailLatencyModel's (``tail.mmc``, wall 7).

The model, as 0.3.0 states it (its docstring and reference §2.4). A batch of b requests is one customer of an
M/M/c queue (c = ``num_replicas``): batches arrive at λ/b and are served in TTFT + ITL × ``seq_len`` (``seq_len``
is both the prompt and the number of generated tokens, 0.3.0's documented use). A batch is feasible when the
model and its KV cache fit, the queue is stable and the p99 meets the SLA; the largest feasible batch wins.

``max_throughput`` is 0.3.0's λ × ``seq_len``: the token rate a stable queue carries (every arriving request is
served, so it is the same for every feasible batch). We keep it — it is the steady-state throughput, not a
quirk — and add ``capacity_throughput`` (c·b·seq_len / service time: what the replicas could deliver at that
batch). No declared deviation: the default edition answers as 0.3.0 does (docs/decisions/optimizers.md).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..resolvers.queueing import TailLatencyModel
from ..resolvers.serving import ServingModel
from ..validate import NONNEG, count
from ._grid import bind, evaluate, pareto
from .result import BatchingOptimizerResult

_SERVE = ServingModel.spec
_TAIL = TailLatencyModel.spec
_SEARCH = count(1, 10**6)
_SLA = NONNEG
#: feasible batches listed in top_candidates (0.3.0's result has no such list; five as ParallelismOptimizer)
TOP_N = 5


class BatchingOptimizer:
    """Finds the largest batch whose queueing p99 meets the SLA (continuous batching as an M/M/c queue of
    batches), every candidate batch in one vectorised evaluation."""

    requires = ("workload", "hardware", "sla_latency_ms")
    produces = BatchingOptimizerResult

    def solve(self, model: Any, hardware: Any, seq_len: int, sla_latency_ms: float, arrival_rate_qps: float,
              num_replicas: int = 1, precision: str = "fp16", efficiency: float | None = None,
              max_search_batch: int = 256) -> BatchingOptimizerResult:
        """The largest batch in 1..``max_search_batch`` whose p99 (M/M/c at λ/b, service TTFT + ITL·seq_len)
        meets ``sla_latency_ms``; ``is_feasible=False`` (batch 0) when none does. ``efficiency=None`` is the
        catalogue default (``knobs.engine.efficiency`` = 0.5, 0.3.0's literal default)."""
        nmax = _SEARCH("max_search_batch", max_search_batch)
        sla = _SLA("sla_latency_ms", sla_latency_ms)
        sb = bind(_SERVE, dict(model=model, hardware=hardware, seq_len=seq_len, batch_size=1, precision=precision,
                               efficiency=efficiency))
        tb = bind(_TAIL, dict(arrival_rate_qps=arrival_rate_qps, service_latency_ms=1.0, num_replicas=num_replicas))
        bs = np.arange(1, nmax + 1, dtype=float)
        sb.values["B"] = bs
        serve, _ = evaluate(_SERVE.computation, sb.values, nmax)
        S = float(sb.values["S"])
        service = serve["TTFT"] + serve["ITL"] * S     # 0.3.0: seq_len tokens decoded per request
        lam = float(tb.values["lam"])
        tb.values["lam"] = lam / bs
        tb.values["t_svc"] = service
        tail, _ = evaluate(_TAIL.computation, tb.values, nmax)

        from ..units import factor, quantity

        ms = factor("s", "ms")
        p99_ms = tail["p99"] * ms
        fits = serve["feasible_serve"] > 0
        stable = tail["stable"] > 0
        meets = fits & stable & ~(p99_ms > sla)
        c = float(tb.values["c_srv"])
        capacity = c * bs * S / service
        ok = np.flatnonzero(meets)
        edition = sb.edition.name
        space = f"batch sizes 1..{nmax}"
        if ok.size == 0:
            return BatchingOptimizerResult(
                lazy={"runner_ups": lambda: _why(None, bs, fits, stable, p99_ms, sla, capacity, tail),
                      "pareto_front": list},
                objective_value=0.0, best_config={"max_batch_size": 0}, total_searched=nmax, best_batch_size=0,
                max_throughput=0.0, p99_latency=quantity(0.0, "ms"), slo_headroom_ratio=0.0, is_feasible=False,
                top_candidates=[], capacity_throughput=0.0, search_space=space, edition=edition)
        best = int(ok[-1])
        ranked = ok[::-1]

        def row(i: int) -> dict[str, Any]:
            return {"config": {"max_batch_size": int(bs[i])}, "p99_latency": quantity(float(p99_ms[i]), "ms"),
                    "slo_headroom_ratio": float(tail["headroom"][i]), "capacity_throughput": float(capacity[i])}

        def front() -> list[dict[str, Any]]:
            keep = ok[pareto(np.column_stack([-capacity[ok], p99_ms[ok]]))]
            return [row(int(i)) for i in keep[::-1]]

        throughput = lam * S
        return BatchingOptimizerResult(
            lazy={"runner_ups": lambda: _why(best, bs, fits, stable, p99_ms, sla, capacity, tail),
                  "pareto_front": front},
            objective_value=throughput, best_config={"max_batch_size": int(bs[best])}, total_searched=nmax,
            best_batch_size=int(bs[best]), max_throughput=throughput, p99_latency=quantity(float(p99_ms[best]), "ms"),
            slo_headroom_ratio=float(tail["headroom"][best]), is_feasible=True,
            top_candidates=[row(int(i)) for i in ranked[:TOP_N]], capacity_throughput=float(capacity[best]),
            search_space=space, edition=edition)


def _why(best: int | None, bs: Any, fits: Any, stable: Any, p99_ms: Any, sla: float, capacity: Any,
         tail: dict[str, Any]) -> list[dict[str, Any]]:
    """Why each other batch lost: memory, an unstable queue (utilisation ≥ 1), the p99 over the SLA, or — feasible
    but smaller — less capacity than the winner."""
    rows = []
    for i in range(len(bs)):
        if i == best:
            continue
        if not fits[i]:
            binding, reason = "memory", "weights and KV cache exceed device memory"
        elif not stable[i]:
            binding = "queue stability"
            reason = f"utilisation {tail['rho_rep'][i]:.3g} >= 1: batches arrive faster than the replicas serve them"
        elif p99_ms[i] > sla:
            binding, reason = "p99 SLA", f"p99 {p99_ms[i]:.6g} ms > SLA {sla:g} ms"
        else:
            binding = "smaller batch"
            reason = f"feasible, capacity {capacity[i]:.6g} < {capacity[best]:.6g} tokens/s at the winner"
        rows.append({"config": {"max_batch_size": int(bs[i])}, "binding": binding, "reason": reason})
    rows.sort(key=lambda r: -r["config"]["max_batch_size"])
    return rows


__all__ = ["BatchingOptimizer", "BatchingOptimizerResult"]
