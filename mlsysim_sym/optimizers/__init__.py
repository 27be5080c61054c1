"""The three design-space searches of mlsysim 0.3.0 with its public API (class names, ``solve`` arguments, result
fields): :class:`ParallelismOptimizer` (TP × PP × DP split), :class:`BatchingOptimizer` (largest batch meeting a p99
SLA) and :class:`PlacementOptimizer` (region minimising TCO + carbon price). Each evaluates its facade's generated
NumPy code over the whole candidate grid in one call (no Python loop over candidates), and reports besides 0.3.0's
answer the Pareto front of its objectives and why every other candidate lost. docs/decisions/optimizers.md.

Optimizers sit above the facades: they import them (``resolvers``); no facade imports an optimizer.
"""
from __future__ import annotations

from .batching import BatchingOptimizer
from .parallelism import ParallelismOptimizer
from .placement import PlacementOptimizer
from .result import BatchingOptimizerResult, OptimizerResult, ParallelismOptimizerResult, PlacementOptimizerResult

__all__ = ["BatchingOptimizer", "BatchingOptimizerResult", "OptimizerResult", "ParallelismOptimizer",
           "ParallelismOptimizerResult", "PlacementOptimizer", "PlacementOptimizerResult"]
