"""Evaluation through the generated numeric code, and the Result with its provenance.

Every input of every equation is bound explicitly: ``values`` maps each symbol to an SI float and ``refs`` maps
each input symbol to a typed provenance record (:mod:`mlsysim_sym.provenance`). Evaluation runs the functions of
:mod:`mlsysim_sym._generated.numeric` (plain floats, no SymPy, no pint). The :class:`Result` keeps the inputs,
outputs, branch regimes and provenance; ``.sources`` (the cited leaves an output used), ``.stamp`` and
``.quantity`` need no SymPy; ``.trace`` and ``.explain()`` import the walls lazily to print each equation
symbolically, substituted, and evaluated.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ._generated import numeric as _num
from .errors import InputError
from .provenance import Ref, Sub

REVISION = _num.REVISION
COMPUTATIONS = _num.COMPUTATIONS


def run(name: str, values: dict[str, float]) -> tuple[dict[str, Any], dict[str, int]]:
    """Evaluate one generated computation on SI floats: (outputs, branch index per Max/Min/Piecewise
    equation). Raises InputError naming a missing input."""
    fn = _num.COMPUTATIONS[name][0]
    try:
        return fn(values)
    except KeyError as exc:
        raise InputError(f"computation {name!r} needs input {exc.args[0]!r}") from None
    except ZeroDivisionError:
        raise InputError(f"computation {name!r}: division by zero (an input is 0 that must be positive)") from None
    except OverflowError:
        raise InputError(f"computation {name!r}: a value overflowed (an input is far outside its range)") from None


class RefMap(Mapping):
    """Provenance of a result's inputs: the per-call bindings over the memoised, object-determined ones (two
    dictionaries read together, so a warm call copies neither)."""

    __slots__ = ("_call", "_static")

    def __init__(self, static: Mapping[str, Ref], call: dict[str, Ref] | None = None):
        self._static = static
        self._call = call or {}

    def __getitem__(self, key: str) -> Ref:
        hit = self._call.get(key)
        return hit if hit is not None else self._static[key]

    def get(self, key: str, default: Any = None) -> Any:
        hit = self._call.get(key)
        return hit if hit is not None else self._static.get(key, default)

    def bind(self, key: str, ref: Ref) -> None:
        """Record where a value set after binding came from (a searched replica count), for this result only."""
        self._call[key] = ref

    def __iter__(self) -> Iterator[str]:
        yield from self._static
        for k in self._call:
            if k not in self._static:
                yield k

    def __len__(self) -> int:
        return len(set(self._static) | set(self._call))


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A leaf that a result used, and where it came from: a cited catalogue row (bibkey and locator) or, for
    arguments and fixed values, what kind of value it is."""

    symbol: str
    ref: str
    bibkey: str
    locator: str
    kind: str
    printed: str

    def __str__(self) -> str:
        where = f"{self.bibkey}, {self.locator}" if self.bibkey else self.kind
        return f"{self.symbol} = {self.printed}  [{where}]  ({self.ref})"


class Result:
    """Numbers of one evaluation with their derivation.

    ``values`` holds every input and output as an SI float; ``refs`` says where each input came from;
    ``steps`` lists the computations evaluated, in order; ``regimes`` the branch index of every
    Max/Min/Piecewise equation; ``edition`` the catalogue edition it was evaluated with.
    """

    __slots__ = ("values", "refs", "steps", "regimes", "report", "subs", "_catalog_hash", "edition")

    def __init__(self, values: dict[str, Any], refs: Mapping[str, Ref], steps: tuple[str, ...],
                 regimes: dict[str, int], report: tuple[str, ...], catalog_hash: str,
                 subs: dict[str, Result] | None = None, edition: str = "default"):
        self.subs = subs or {}
        self.values = values
        self.refs = refs
        self.steps = steps
        self.regimes = regimes
        self.report = report
        self._catalog_hash = catalog_hash
        self.edition = edition

    # ---- numbers -----------------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def quantity(self, name: str, unit: str | None = None) -> Any:
        """``values[name]`` as a pint Quantity of our registry (in ``unit`` if given)."""
        from .notation import SYMBOLS
        from .units import quantity

        si = SYMBOLS[name].unit
        return quantity(float(self.values[name]), si) if unit is None else quantity(
            float(self.values[name]) * _factor(si, unit), unit)

    # ---- provenance --------------------------------------------------------------------------------
    def leaves(self, names: tuple[str, ...] | list[str] | None = None) -> list[str]:
        """The input symbols that ``names`` (default: the reported outputs) depend on, transitively."""
        return self.closure(names)[0]

    def closure(self, names: tuple[str, ...] | list[str] | None = None) -> tuple[list[str], list[str]]:
        """(input symbols, equation ids) that ``names`` really used: only the Piecewise branch that bound.
        Depends only on the computations, the branches that bound and the names: memoised on those."""
        hit = self._closure_entry(names)
        return hit[0], hit[1]

    def leaf_set(self, names: tuple[str, ...] | list[str] | None = None) -> frozenset[str]:
        """:meth:`leaves` as a set (for membership tests on the hot path)."""
        return self._closure_entry(names)[2]

    def _closure_entry(self, names: tuple[str, ...] | list[str] | None) -> tuple[list[str], list[str], frozenset]:
        targets = tuple(names) if names is not None else self.report
        key = (self.steps, tuple(self.regimes.values()), targets)
        hit = _CLOSURES.get(key)
        if hit is None:
            if len(_CLOSURES) > 8192:
                _CLOSURES.clear()
            leaves, eqs = self._closure(targets)
            hit = _CLOSURES[key] = (leaves, eqs, frozenset(leaves))
        return hit

    def _closure(self, targets: tuple[str, ...]) -> tuple[list[str], list[str]]:
        producer: dict[str, str] = {}
        for step in self.steps:
            for out in _num.COMPUTATIONS[step][2]:
                producer[out] = step
        seen: set[str] = set()
        todo = list(targets)
        leaves: set[str] = set()
        eqs: set[str] = set()
        lhs_eq = {_num.EQUATIONS[eid][0]: eid for step in self.steps for eid in _num.COMPUTATIONS[step][4]}
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            step = producer.get(n)
            if step is None:
                leaves.add(n)
                continue
            comp = _num.COMPUTATIONS[step]
            if n in lhs_eq:
                eqs.add(lhs_eq[n])
            per_branch = comp[5].get(n)
            idx = self.regimes.get(n)
            if per_branch is not None and idx is not None and 0 <= idx < len(per_branch):
                todo.extend(per_branch[idx])  # only the branch that bound, and the conditions tested
            else:
                todo.extend(comp[3][n])
        order = [e for e in self.equations_used() if e in eqs]
        return sorted(leaves), list(dict.fromkeys(order))

    def equations_used(self) -> list[str]:
        return [eid for step in self.steps for eid in _num.COMPUTATIONS[step][4]]

    @property
    def sources(self) -> list[SourceRef]:
        """Where exactly the leaves the reported outputs used came from (cited rows with bibkey and locator)."""
        return self.sources_for(self.leaves())

    def sources_for(self, leaves: list[str]) -> list[SourceRef]:
        from .catalog import constant_by_id

        out: list[SourceRef] = []
        for sym in leaves:
            ref = self.refs.get(sym)
            if ref is None:
                continue
            cid = ref.cited
            if cid is not None:
                c = constant_by_id(cid)
                if c is not None:
                    printed = c.printed + (" / 2 (per direction)" if getattr(ref, "half", False) else "")
                    out.append(SourceRef(sym, c.id, c.bibkey, c.locator, c.kind, printed))
                    continue
            if isinstance(ref, Sub) and ref.name in self.subs:
                for s in self.subs[ref.name].sources:
                    out.append(SourceRef(f"{sym}<-{ref.name}.{s.symbol}", s.ref, s.bibkey, s.locator, s.kind,
                                         s.printed))
                continue
            out.append(SourceRef(sym, ref.text(), "", "", ref.kind, _fmt_si(sym, self.values.get(sym))))
        return out

    def constants_for(self, names: tuple[str, ...] | list[str] | None = None) -> list[str]:
        """The ids of the cited catalogue rows ``names`` used (sub-results included)."""
        leaves = self.leaves(names)
        ids = set()
        for sym in leaves:
            ref = self.refs.get(sym)
            if ref is None:
                continue
            if ref.cited is not None:
                ids.add(ref.cited)
            elif isinstance(ref, Sub) and ref.name in self.subs:
                ids |= set(self.subs[ref.name].constants_for(None))
        return sorted(ids)

    @property
    def bibkeys(self) -> list[str]:
        """Citations of the cited leaves and of the equations the reported outputs used."""
        return self.bibkeys_for(None)

    def bibkeys_for(self, names: tuple[str, ...] | list[str] | None) -> list[str]:
        leaves, eqs = self.closure(names)
        keys = {s.bibkey for s in self.sources_for(leaves) if s.bibkey}
        for eid in eqs:
            keys |= {bib for bib, _ in _num.EQUATIONS[eid][2]}
        return sorted(keys)

    def regime(self, name: str) -> str:
        """The label of the branch that bound in the equation computing ``name`` ("" if none)."""
        idx = self.regimes.get(name)
        if idx is None:
            return ""
        for step in self.steps:
            for eid in _num.COMPUTATIONS[step][4]:
                lhs, _, _, labels = _num.EQUATIONS[eid]
                if lhs == name and 0 <= idx < len(labels):
                    return labels[idx]
        return ""

    @property
    def stamp(self) -> dict[str, str]:
        from . import __version__

        return {"version": __version__, "catalog_hash": self._catalog_hash, "formula_revision": REVISION,
                "edition": self.edition}

    # ---- derivation ----------------------------------------------------------------------------------
    @property
    def trace(self) -> Any:
        from .trace import build_trace

        return build_trace(self)

    def explain(self) -> str:
        """Each equation: symbolic → substituted → number, with the branch that bound and the sources."""
        return self.trace.explain()


_CLOSURES: dict[tuple, tuple[list[str], list[str], frozenset]] = {}


def _factor(si: str, unit: str) -> float:
    from .units import factor

    return factor(si, unit)


def _fmt_si(sym: str, v: Any) -> str:
    from .notation import SYMBOLS

    if v is None:
        return "?"
    if isinstance(v, bool):
        return str(v)
    row = SYMBOLS.get(sym)
    unit = row.unit if row else ""
    if isinstance(v, float) and math.isfinite(v) and v == int(v) and abs(v) < 1e15:
        return f"{int(v)} {unit}".strip()
    return f"{v:.6g} {unit}".strip()


def run_steps(steps: list[str] | tuple[str, ...], values: dict[str, Any]) -> dict[str, int]:
    """Run the computations in order on ``values`` (updated in place: each one's outputs feed the next); return the
    branch index of every regime they decided."""
    regimes: dict[str, int] = {}
    for step in steps:
        out, reg = run(step, values)
        values.update(out)
        regimes.update(reg)
    return regimes


def evaluate(steps: list[str] | tuple[str, ...], values: dict[str, Any], refs: Mapping[str, Ref],
             report: tuple[str, ...], catalog_hash: str, subs: dict[str, Result] | None = None,
             edition: str = "default") -> Result:
    """Run the computations in order, feeding each one's outputs to the next; return the Result."""
    regimes = run_steps(steps, values)
    return Result(values, refs, tuple(steps), regimes, report, catalog_hash, subs, edition)
