"""The result of a design-space search: 0.3.0's ``OptimizerResult`` fields (``objective_value``, ``best_config``,
``total_searched``, ``top_candidates``) and each optimizer's own, plus what 0.3.0 does not say: the Pareto front of
the searched objectives and, for every candidate that lost, why (``runner_ups``, computed when first read).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


class OptimizerResult:
    """Fields by name (0.3.0's first, then ours). ``runner_ups`` and other explanations are computed on first
    access from the evaluated grid, so a search pays for prose only when someone reads it."""

    #: 0.3.0's fields, in its order (subclasses extend)
    FIELDS: tuple[str, ...] = ("objective_value", "best_config", "total_searched")
    #: fields we add (Pareto front, explanations, what was searched, the edition)
    OURS: tuple[str, ...] = ("pareto_front", "runner_ups", "search_space", "edition")

    def __init__(self, lazy: dict[str, Callable[[], Any]] | None = None, **fields: Any):
        self.__dict__.update(fields)
        self._lazy = lazy or {}

    def __getattr__(self, name: str) -> Any:
        lazy = self.__dict__.get("_lazy") or {}
        if name in lazy:
            value = lazy[name]()
            self.__dict__[name] = value
            return value
        raise AttributeError(f"{type(self).__name__} has no field {name!r} (fields: {', '.join(self.fields())})")

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return cls.FIELDS + cls.OURS

    @property
    def _BY_NAME(self) -> dict[str, str]:
        """Field names (the parity harness asks whether a recorded key is a field's own name)."""
        return {f: f for f in self.fields()}

    def to_dict(self) -> dict[str, Any]:
        """Every field, Quantities as {"value", "unit"} in their display unit (JSON-ready)."""
        return {f: _plain(getattr(self, f)) for f in self.fields()}

    def summary(self) -> str:
        lines = [f"{type(self).__name__} ({self.search_space})",
                 f"Best: {self.best_config} (objective {self.objective_value:.6g}); {self.total_searched} valid "
                 f"candidates"]
        for r in self.runner_ups[:5]:
            lines.append(f"  {r['config']}: {r['reason']}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(best_config={self.best_config!r}, objective_value={self.objective_value!r})"


def _plain(v: Any) -> Any:
    if hasattr(v, "magnitude") and hasattr(v, "units"):
        return {"value": float(v.magnitude), "unit": f"{v.units:~}"}
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


class ParallelismOptimizerResult(OptimizerResult):
    """ParallelismOptimizer's answer: the best {tp, pp, dp} split with its MFU, throughput and step time, the five
    best candidates (0.3.0's order), the step-time / memory / MFU Pareto front, and why each other split lost."""

    FIELDS = OptimizerResult.FIELDS + ("best_mfu", "best_throughput", "best_step_time", "search_space_size",
                                       "top_candidates")
    OURS = OptimizerResult.OURS + ("candidates_evaluated",)
    #: a runner-up's terms relative to the winner's: negative where the runner-up spends less on that term
    SIGNED_FIELDS = ("term_growth",)


class BatchingOptimizerResult(OptimizerResult):
    """BatchingOptimizer's answer: the largest batch meeting the p99 SLA, 0.3.0's throughput (λ × seq_len), the p99
    and SLO headroom at that batch; the feasible batches ranked, the batch / p99 Pareto front, why others lost."""

    FIELDS = OptimizerResult.FIELDS + ("best_batch_size", "max_throughput", "p99_latency", "slo_headroom_ratio",
                                       "is_feasible")
    OURS = ("top_candidates", "capacity_throughput") + OptimizerResult.OURS


class PlacementOptimizerResult(OptimizerResult):
    """PlacementOptimizer's answer: the region minimising TCO + carbon × price, with its TCO, carbon (t), PUE, every
    region ranked (0.3.0's order), the TCO / carbon Pareto front and why each other region lost."""

    FIELDS = OptimizerResult.FIELDS + ("best_region", "lowest_tco", "carbon_footprint", "pue", "top_candidates")
    OURS = OptimizerResult.OURS + ("skipped_regions",)


__all__ = ["BatchingOptimizerResult", "OptimizerResult", "ParallelismOptimizerResult", "PlacementOptimizerResult"]
