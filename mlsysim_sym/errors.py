"""Exceptions a person can act on.

Every error the library raises for bad input derives from :class:`MlsysimError`; the CLI turns it into one
line on stderr (or a JSON error document) and an exit code, never a traceback.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable


class MlsysimError(Exception):
    """Base class: a problem with the user's input or data, with a message that says what to do."""

    exit_code = 1


class CatalogError(MlsysimError):
    """The constants catalogue or the bibliography is malformed (message names file:line and reason)."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        head = self.problems[0] if len(self.problems) == 1 else f"{len(self.problems)} catalogue problems:"
        body = "" if len(self.problems) == 1 else "\n  " + "\n  ".join(self.problems)
        super().__init__(head + body)


class UnknownKeyError(MlsysimError, KeyError):
    """An unknown registry key, with a did-you-mean suggestion."""

    def __init__(self, what: str, key: str, known: Iterable[str], listing: str = "mlsysim-sym zoo"):
        self.what, self.key = what, key
        known = sorted(known)
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
        if not close:
            lower = {k.lower(): k for k in known}
            close = [lower[k] for k in difflib.get_close_matches(key.lower(), list(lower), n=3, cutoff=0.5)]
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        self.message = f"unknown {what} {key!r}{hint} (see `{listing}` for the list)"
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.message


class InputError(MlsysimError, ValueError):
    """An argument outside its domain (batch ≤ 0, efficiency outside (0, 1], unknown precision …)."""


class UnitError(MlsysimError, ValueError):
    """A unit string that does not parse, or has the wrong dimension."""


class DimensionError(MlsysimError):
    """A wall whose terms disagree in units (raised when the wall is registered)."""


class InfeasibleError(MlsysimError):
    """The configuration does not fit (raised only when the caller asks for raise_errors)."""

    exit_code = 4


class OOMError(InfeasibleError):
    """Out of memory: the footprint exceeds the device's capacity (0.3.0's name)."""


class SLAViolation(InfeasibleError):
    """The system runs but misses the application's latency requirement (0.3.0's name; raised by an application
    scenario's ``validate()``)."""
