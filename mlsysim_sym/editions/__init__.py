"""Catalogue editions: which numbers the engine uses, chosen explicitly and stamped on every result.

Like astropy's constant sets (codata2014, codata2018), an edition is a named choice of data and rules:

* ``default`` — our cited catalogue and our model rules;
* ``mlsysim-0.3.0`` — the values mlsysim 0.3.0 effectively uses (its registry, as recorded in
  ``mlsysim-0.3.0.json``: constants it prints differently, fields it does not have, how it classifies a model) and
  each declared model deviation of ``docs/deviations.toml`` switched back to 0.3.0's rule. Rules act on the *inputs*
  of our own generated code (:mod:`mlsysim_sym.editions.rules`), never through a second copy of an equation.

Use::

    with mlsysim.edition("mlsysim-0.3.0"):
        p = mlsysim.Engine.solve("ResNet50", "A100")      # 0.3.0's number, stamped edition=mlsysim-0.3.0
    mlsysim.set_edition("mlsysim-0.3.0")                 # for the rest of this context

The edition applies when a result is evaluated: catalogue objects taken from the registries before or inside the
block evaluate with the active edition's values. Objects built on a scenario catalogue of their own (measured
rows, an explicit overlay) keep their own values: the explicit choice wins.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import UnknownKeyError

DATA = Path(__file__).resolve().parent
DEFAULT = "default"


@dataclass(frozen=True)
class Edition:
    """A named choice of catalogue values and model rules."""

    name: str
    description: str
    overrides: dict[str, Any] = field(default_factory=dict)   # constant id -> {"si", "unit", ...} | None
    attrs: dict[str, dict[str, str]] = field(default_factory=dict)  # entity id -> attributes replaced
    rules: tuple[str, ...] = ()                                # declared deviations switched back
    bibkey: str = ""
    locator: str = ""
    source: str = ""

    @property
    def is_default(self) -> bool:
        return not self.overrides and not self.attrs and not self.rules

    @cached_property
    def catalog(self) -> Any:
        """The shipped catalogue with this edition's values in place (rows cite the edition's source)."""
        from ..catalog import catalog, with_overrides

        base = catalog()
        if not self.overrides and not self.attrs:
            return base
        return with_overrides(base, self.overrides, bibkey=self.bibkey, locator=self.locator, kind="convention",
                              note=f"edition {self.name}: {self.description}", attrs=self.attrs, tag=self.name)

    def entity(self, obj: Any) -> Any:
        """The catalogue entity an object evaluates with under this edition."""
        from ..catalog import catalog

        if obj._cat is not catalog() or obj._e.file == "<user>":
            return obj._e  # an object on a scenario catalogue of its own, or built by the caller, keeps its values
        cat = self.catalog
        return obj._e if cat is obj._cat else cat.entities.get((obj._e.kind, obj._e.key), obj._e)

    def knob(self, cid: str) -> Any:
        return self.catalog.constants[cid]


def _load(path: Path) -> Edition:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return Edition(name=doc["name"], description=doc["description"], overrides=doc.get("overrides", {}),
                   attrs=doc.get("attrs", {}), rules=tuple(doc.get("rules", ())), bibkey=doc.get("bibkey", ""),
                   locator=doc.get("locator", ""), source=path.name)


_EDITIONS: dict[str, Edition] | None = None


def editions() -> dict[str, Edition]:
    """Every edition: the default one and those shipped as package data (``mlsysim_sym/editions/*.json``)."""
    global _EDITIONS
    if _EDITIONS is None:
        found = {DEFAULT: Edition(DEFAULT, "our cited catalogue and our model rules")}
        for p in sorted(DATA.glob("*.json")):
            e = _load(p)
            found[e.name] = e
        _EDITIONS = found
    return _EDITIONS


def get(name: str | Edition) -> Edition:
    if isinstance(name, Edition):
        return name
    eds = editions()
    if not isinstance(name, str) or name not in eds:
        raise UnknownKeyError("edition", str(name), eds, "mlsysim-sym editions")
    return eds[name]


_ACTIVE: ContextVar[Edition | None] = ContextVar("mlsysim_sym_edition", default=None)


def active() -> Edition:
    """The edition results are evaluated with in this context."""
    e = _ACTIVE.get()
    return e if e is not None else editions()[DEFAULT]


@contextmanager
def edition(name: str | Edition) -> Iterator[Edition]:
    """Evaluate with edition ``name`` inside the block (context-local: threads and tasks keep their own)."""
    token = _ACTIVE.set(get(name))
    try:
        yield _ACTIVE.get()  # type: ignore[misc]
    finally:
        _ACTIVE.reset(token)


def set_edition(name: str | Edition) -> Edition:
    """Evaluate with edition ``name`` from now on in this context; returns it."""
    e = get(name)
    _ACTIVE.set(e)
    return e


__all__ = ["DEFAULT", "Edition", "active", "edition", "editions", "get", "set_edition"]
