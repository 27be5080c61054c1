"""Typed provenance: where each bound value of an evaluation came from.

Every input symbol of an evaluation is bound with one of these small frozen records. ``Result.sources`` turns the
cited ones (catalogue rows and catalogue knobs) into bibkey + locator; the others say in words what the value is
(the caller's argument, a value the facade fixes by construction, a field the catalogue does not have, an edition's
rule …). Nothing is parsed back out of strings.

A value computed from other values is not bound at all: it is an equation of a wall, so its sources are the
leaves it used (``Result.closure``).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Ref:
    """Base of every provenance record."""

    kind = "ref"

    @property
    def cited(self) -> str | None:
        """The catalogue row id behind this value, if any (None for arguments, fixed values …)."""
        return None

    def text(self) -> str:
        return self.kind


@dataclass(frozen=True, slots=True)
class Row(Ref):
    """A cited catalogue row; ``half``: the row prints a bidirectional total and the symbol is per direction."""

    id: str
    half: bool = False
    kind = "catalogue"

    @property
    def cited(self) -> str:
        return self.id

    def text(self) -> str:
        return self.id + (" / 2 (per direction)" if self.half else "")


@dataclass(frozen=True, slots=True)
class Knob(Row):
    """A catalogue default (a ``knobs.*`` row) used because the caller gave no value of their own."""

    kind = "default"


@dataclass(frozen=True, slots=True)
class Arg(Ref):
    """The caller's argument (a number, a flag, or a choice mapped to a number)."""

    name: str
    kind = "argument"

    def text(self) -> str:
        return f"arg:{self.name}"


@dataclass(frozen=True, slots=True)
class Fixed(Ref):
    """A value the facade fixes by construction (one device: no tensor parallelism), with the reason."""

    why: str
    kind = "fixed"

    def text(self) -> str:
        return f"fixed:{self.why}"


@dataclass(frozen=True, slots=True)
class Absent(Ref):
    """The catalogue has no such field for this object: the symbol takes its neutral value (0) and the equation's
    other branch decides (no SRAM, no catalogued head dimension …)."""

    entity: str
    field: str
    kind = "absent"

    def text(self) -> str:
        return f"absent:{self.entity}.{self.field}"


@dataclass(frozen=True, slots=True)
class Missing(Absent):
    """Absent, and a result that *uses* it is refused: an equation branch reached a value that does not exist."""

    purpose: str = ""
    kind = "missing"


@dataclass(frozen=True, slots=True)
class Attr(Ref):
    """A catalogue attribute of the object (``flops_basis = token``, ``workload = diffusion``)."""

    entity: str
    attr: str
    value: str
    kind = "attribute"

    def text(self) -> str:
        return f"attr:{self.entity}.{self.attr} = {self.value}"


@dataclass(frozen=True, slots=True)
class Sub(Ref):
    """The output of a sub-evaluation of the same result (its sources are carried into ``.sources``)."""

    name: str
    kind = "sub-result"

    def text(self) -> str:
        return f"sub:{self.name}"


@dataclass(frozen=True, slots=True)
class Search(Ref):
    """A value found by a numeric search over an equation (the smallest replica count that meets a target)."""

    what: str
    kind = "search"

    def text(self) -> str:
        return f"search:{self.what}"


@dataclass(frozen=True, slots=True)
class User(Ref):
    """A value given to a Scenario: a number or a quantity with its unit, as the user wrote it."""

    given: str
    kind = "user"

    def text(self) -> str:
        return f"user:{self.given}"


@dataclass(frozen=True, slots=True)
class Rule(Ref):
    """A value set by a declared rule of a catalogue edition (mlsysim 0.3.0's rule, switched back)."""

    edition: str
    rule: str
    kind = "edition rule"

    def text(self) -> str:
        return f"rule:{self.edition}:{self.rule}"


__all__ = ["Absent", "Arg", "Attr", "Fixed", "Knob", "Missing", "Ref", "Row", "Rule", "Search", "Sub", "User"]
