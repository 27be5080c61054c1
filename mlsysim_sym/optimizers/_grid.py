"""Evaluate a facade's computation over a whole candidate grid in one call of the generated NumPy code.

A search binds its facade once, exactly as ``Spec.solve`` does (objects resolved, arguments validated through their
domains, catalogue values with provenance, the edition's rules applied), then overwrites the searched inputs with
arrays and runs ``numeric_np.COMPUTATIONS[computation]`` once: the fast path evaluates the same SymPy-generated
equations as the scalar facade, so a candidate's numbers are the numbers ``Facade().solve(...)`` gives for it
(``tests/test_optimizers.py`` checks this on sampled candidates).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError


@dataclass
class Bound:
    """One facade bound for a search: its SI inputs (scalars until the search sets arrays), their provenance, the
    resolved objects, static options, memoised catalogue entry and the edition in force."""

    values: dict[str, Any]
    refs: dict[str, Any]
    objs: dict[str, Any]
    statics: tuple[Any, ...]
    entry: Any
    edition: Any
    call: dict[str, Any]


def bind(spec: Any, kwargs: dict[str, Any]) -> Bound:
    """Bind ``spec`` for ``kwargs`` (0.3.0's argument names) without evaluating: the same validation, defaults,
    relation checks and edition rules as the scalar facade."""
    from .. import editions

    call = spec.call_args((), kwargs)
    objs = spec.resolve_objects(call)
    statics = spec.static_values(call)
    ed = editions.active()
    entry = spec.static_entry(ed, objs, statics)
    values = entry.values.copy()
    refs: dict[str, Any] = {}
    for name, given in call.items():
        a = spec._dyn.get(name)
        if a is None:  # an object or a static option, already used
            continue
        if given is None and a.none is not None:
            for sym, (v, r) in entry.nones.get(name, ()):
                values[sym], refs[sym] = v, r
            continue
        spec.bind_arg(a, given, values, refs)
    for chk in spec.checks:
        if not chk.test(values):
            raise InputError(chk.message.format(**{**values, **call}))
    if ed.rules:
        from ..editions.rules import apply_rules

        apply_rules(ed, spec.computation, values, refs)
    for name, other in spec._obj_defaults.items():
        if objs[name] is None:
            objs[name] = objs[other]
    return Bound(values, refs, objs, statics, entry, ed, call)


def evaluate(computation: str, values: dict[str, Any], n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the generated NumPy code of ``computation`` on ``n`` candidates (inputs that vary are arrays of shape
    (n,), the rest scalars; the generated code broadcasts). Returns (outputs, branch regimes), each of shape (n,)."""
    from .._generated import numeric_np

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out, regimes = numeric_np.COMPUTATIONS[computation](values)
    out = {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in out.items()}
    regimes = {k: np.broadcast_to(np.asarray(v), (n,)) for k, v in regimes.items()}
    return out, regimes


def at(values: dict[str, Any], i: int) -> dict[str, Any]:
    """Candidate ``i``'s SI values as plain floats (for a scalar Result or a check)."""
    return {k: (float(v[i]) if isinstance(v, np.ndarray) and v.ndim else v) for k, v in values.items()}


def refused(computation: str, values: dict[str, Any], regimes: dict[str, Any], i: int, report: tuple[str, ...],
            bound: Bound) -> str | None:
    """Why the scalar facade would refuse candidate ``i`` (a reported number used a value the catalogue lacks), or
    None. Only called when the binding holds a Missing value, so the common search never loops over candidates."""
    from ..binding.facade import refuse_missing
    from ..evaluate import RefMap, Result

    vals = at(values, i)
    regs = {k: int(np.asarray(r)[i]) for k, r in regimes.items()}
    result = Result(vals, RefMap(bound.entry.refs, dict(bound.refs)), (computation,), regs, report,
                    bound.entry.catalog_hash, bound.entry.subs, bound.edition.name)
    try:
        refuse_missing(result, bound.edition, bound.entry.missing)
    except InputError as exc:
        return str(exc)
    return None


def pareto(costs: np.ndarray) -> np.ndarray:
    """Mask of the non-dominated rows of ``costs`` (shape (n, k), every column minimised): a row is dominated when
    another is no worse in every column and strictly better in one. O(n²) comparisons, vectorised."""
    c = np.asarray(costs, dtype=float)
    if c.size == 0:
        return np.zeros(0, dtype=bool)
    le = (c[:, None, :] <= c[None, :, :]).all(axis=2)   # le[j, i]: j no worse than i everywhere
    lt = (c[:, None, :] < c[None, :, :]).any(axis=2)    # lt[j, i]: j strictly better somewhere
    dominated = (le & lt).any(axis=0)
    return ~dominated


def knob(edition: Any, cid: str, purpose: str) -> tuple[float, Any]:
    """(SI value, provenance) of a catalogue knob under ``edition`` (an edition's override of it included)."""
    from ..binding.reads import Ctx

    return Ctx(edition, {}, {}, purpose, {}).knob(cid)


__all__ = ["Bound", "at", "bind", "evaluate", "knob", "pareto", "refused"]
