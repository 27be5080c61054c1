"""Declared model rules that an evaluation may switch back to mlsysim 0.3.0's, at the binding layer.

Most declared deviations (docs/deviations.toml) are reverted through the *inputs* of the generated code; a few
are decided while binding (a size-only model that 0.3.0 runs with zero FLOPs, where we refuse). Those consult
:func:`reverted` here. Which rules are switched back is context-local state, set by the active catalogue edition
(``mlsysim_sym.editions``) or by the parity tests; by default every rule is ours.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_REVERTED: ContextVar[frozenset[str]] = ContextVar("mlsysim_sym_reverted_rules", default=frozenset())


def reverted(rule: str) -> bool:
    """True when the declared deviation ``rule`` is switched back to 0.3.0's behaviour in this context."""
    return rule in _REVERTED.get()


def active() -> frozenset[str]:
    return _REVERTED.get()


@contextmanager
def reverting_rules(*rules: str) -> Iterator[None]:
    token = _REVERTED.set(_REVERTED.get() | frozenset(rules))
    try:
        yield
    finally:
        _REVERTED.reset(token)
