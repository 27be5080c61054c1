"""The 22 walls as SymPy equations. Importing this package imports SymPy; the evaluator does not need it
(it runs code generated from these trees, see :mod:`mlsysim_sym.codegen`)."""
from __future__ import annotations

from .base import (COEFFICIENTS, COMPUTATIONS, EQUATIONS, WALLS, Cite, Computation, Equation, Wall, S,
                   wall)

_LOADED = False

DOMAINS = ("node", "data", "algorithm", "fleet", "operations", "analysis")


def load_all() -> None:
    """Import every wall module (registration happens at import, with the dimension check)."""
    global _LOADED
    if _LOADED:
        return
    from . import batching, capacity, efficiency, moe, node, queueing, serving, streaming  # noqa: F401  (registers)

    _LOADED = True


def walls_in_domain(domain: str) -> list[Wall]:
    load_all()
    d = domain.lower()
    return [w for _, w in sorted(WALLS.items()) if w.domain == d]


def taxonomy() -> dict[str, list[dict[str, object]]]:
    load_all()
    out: dict[str, list[dict[str, object]]] = {}
    for n, w in sorted(WALLS.items()):
        out.setdefault(w.domain, []).append({"number": n, "name": w.name, "resolver": w.resolver})
    return out


__all__ = ["COEFFICIENTS", "COMPUTATIONS", "EQUATIONS", "WALLS", "Cite", "Computation", "Equation", "Wall",
           "S", "load_all", "taxonomy", "wall", "walls_in_domain"]
