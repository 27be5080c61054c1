"""Forward-mode chaining over an evaluated result, shared by wall 21's sensitivities
(:mod:`~mlsysim_sym.analysis.sensitivity`) and the uncertainty ranges (:mod:`~mlsysim_sym.analysis.ranges`): which
outputs and inputs a field can reach through the computations a result evaluated, and the directional derivatives
of every output along given input tangents, from the tangent code generated from the walls. It imports no facade, so
result views can reach it lazily without an import cycle.
"""
from __future__ import annotations

from typing import Any

from .._generated import numeric as _num
from .._generated import tangent as _tan
from ..errors import InputError
from ..evaluate import Result


def _result_of(obj: Any) -> Result:
    if isinstance(obj, Result):
        return obj
    res = getattr(obj, "result", None)
    if isinstance(res, Result):
        return res
    raise InputError(f"sensitivity() and interval() need an evaluated result (a facade's result or a Result), got "
                     f"{type(obj).__name__}")


def _reach(result: Result, output: str) -> tuple[set[str], set[str]]:
    """(outputs on the path to ``output``, inputs it can depend on) over every branch — a kink may bring in the
    branch that did not bind — from the generated table of what each equation reads."""
    deps: dict[str, tuple[str, ...]] = {}
    for step in result.steps:
        deps.update(_num.COMPUTATIONS[step][3])
    path: set[str] = set()
    leaves: set[str] = set()
    todo = [output]
    while todo:
        n = todo.pop()
        if n in path or n in leaves:
            continue
        if n in deps:
            path.add(n)
            todo.extend(deps[n])
        else:
            leaves.add(n)
    return path, leaves


def directional(result: Result, seeds: dict[str, float], side: float = 1.0) -> dict[str, float]:
    """Directional derivatives of every output of ``result`` along the input tangents ``seeds``."""
    d = dict(seeds)
    for step in result.steps:
        try:
            d.update(_tan.COMPUTATIONS[step](result.values, d, side))
        except ZeroDivisionError:
            raise InputError(f"{step}: a derivative divides by zero at this operating point") from None
    return d


__all__ = ["directional"]
