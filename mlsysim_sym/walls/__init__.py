"""The 22 walls as SymPy equations, one module per wall family. Importing this package imports SymPy; the
evaluator does not need it (it runs code generated from these trees, see :mod:`mlsysim_sym.codegen`).

Walls are discovered, not listed: :func:`load_all` imports every module of this package whose name does not start
with an underscore (``_core``, ``_dimcheck`` and ``_functions`` are the machinery). A wall module declares its
symbols (``sym``), coefficients, equations, walls and computations, and registers them when imported.
"""
from __future__ import annotations

import pkgutil
from importlib import import_module

from ._core import (COEFFICIENTS, COMPUTATIONS, EQUATIONS, WALLS, Cite, Computation, Equation, Wall, S,
                    wall)

_LOADED = False

DOMAINS = ("node", "data", "algorithm", "fleet", "operations", "analysis")


def wall_modules() -> list[str]:
    """The wall modules of this package, discovered by name (sorted)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def load_all() -> None:
    """Import every wall module (registration happens at import, with the dimension check)."""
    global _LOADED
    if _LOADED:
        return
    for name in wall_modules():
        import_module(f"{__name__}.{name}")
    _LOADED = True


def walls_in_domain(domain: str) -> list[Wall]:
    load_all()
    d = domain.lower()
    return [w for _, w in sorted(WALLS.items()) if w.domain == d]


def taxonomy() -> dict[str, list[dict[str, object]]]:
    load_all()
    out: dict[str, list[dict[str, object]]] = {}
    for n, w in sorted(WALLS.items()):
        out.setdefault(w.domain, []).append({"number": n, "name": w.name, "resolver": w.resolver,
                                             "resolvers": list(w.resolvers or (w.resolver,))})
    return out


__all__ = ["COEFFICIENTS", "COMPUTATIONS", "DOMAINS", "EQUATIONS", "WALLS", "Cite", "Computation", "Equation", "Wall",
           "S", "load_all", "taxonomy", "wall", "wall_modules", "walls_in_domain"]
