"""The binding layer: the one place below every facade that resolves objects, validates arguments and binds
catalogue values to symbols with typed provenance, then evaluates the generated code and wraps the result.

A facade module imports this package and nothing else of the library's facades (facades never import each
other, and nothing here imports a facade). A facade is declared with :func:`facade`::

    ServingModel = facade(
        "ServingModel", computation="serve.step",
        objects=[Obj("model", "model", workloads=("transformer", "moe")), Obj("hardware", "hardware"), ...],
        args=[arg("seq_len", "S", TOKENS), arg("batch_size", "B", BATCH, 1), precision_arg(), ...],
        reads=[peak("hardware"), memory("decode_hardware"), width(), row("model", "layers", "N_L", ...), ...],
        fields=[out("ttft", "TTFT", "ms"), out("itl", "ITL", "ms"), ...])
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..evaluate import Result
from .facade import (DEFAULT, REQUIRED, Arg, Check, KnobDefault, Obj, SameAs, Spec, StackDefault, StaticEntry, SubEval,
                     arg, attention_kernel_arg, kernel_default, knob_default, loss_default, loss_kernel_arg,
                     precision_arg, refuse_missing, stack_arg, stack_default, stacks_in)
from .reads import (Absence, Ctx, Read, ZERO, attr, custom, default_knob, error, fixed, knob, link, memory, missing,
                    peak, present, row, static_knob, width)
from .resolve import normalize_precision, resolve_fleet, resolve_hardware, resolve_model
from .view import Field, View, derived, info, jsonable, out, regime, render

FACADES: dict[str, type] = {}


def facade(name: str, *, computation: str, objects: Iterable[Obj] = (), args: Iterable[Arg] = (),
           reads: Iterable[Read] = (), subs: Iterable[SubEval] = (), checks: Iterable[Check] = (),
           fields: Iterable[Field] = (), trace: Iterable[str] = (), report: Iterable[str] | None = None,
           evaluate: Callable[..., Any] | None = None, raises: tuple[str, str, type, str] | None = None,
           view_base: type[View] = View, view_name: str = "", doc: str = "", requires: tuple[str, ...] = (),
           produces: str = "", walls: tuple[int, ...] = (), order: tuple[str, ...] = ()) -> type:
    """Declare a facade: returns the class (``Cls().solve(...)``) whose ``result_class`` is its view."""
    fields = tuple(fields)
    rep = tuple(report) if report is not None else tuple(f.symbol for f in fields if f.kind == "value" and f.symbol)
    spec = Spec(name, computation, tuple(objects), tuple(args), tuple(reads), tuple(subs), tuple(checks), rep,
                evaluate, raises, tuple(order))
    view_name = view_name or (name[:-5] + "Result" if name.endswith("Model") else name + "Result")
    view = type(view_name, (view_base,),
                {"__slots__": (), "FIELDS": fields, "TRACE": tuple(trace), "__doc__": f"Result of {name}.solve."})

    def solve(self: Any, *a: Any, **kw: Any) -> View:
        return view_of(spec, view, spec.solve(a, kw))

    solve.__doc__ = doc
    solve.__signature__ = spec.signature(("self",))  # type: ignore[attr-defined]
    cls = type(name, (), {"solve": solve, "spec": spec, "result_class": view, "requires": requires,
                          "produces": produces or view.__name__, "walls": walls, "__doc__": doc,
                          "__module__": _caller_module()})
    view.__module__ = cls.__module__
    FACADES[name] = cls
    return cls


def view_of(spec: Spec, view: type[View], solved: Any) -> View:
    """Wrap what Spec.solve returned (a Result with its objects and statics, or a finished view)."""
    if isinstance(solved, View):
        return solved
    result, objs, statics, call = solved
    return view(result, objs, spec.call_view_args(call, statics))


def _caller_module() -> str:
    import sys

    frame = sys._getframe(2)
    return frame.f_globals.get("__name__", __name__)


__all__ = ["SameAs", "Absence", "Arg", "Check", "Ctx", "DEFAULT", "FACADES", "Field", "KnobDefault", "Obj", "REQUIRED", "Read",
           "Result", "Spec", "StaticEntry", "SubEval", "View", "ZERO", "arg", "attr", "custom", "default_knob",
           "derived", "error", "facade", "fixed", "info", "jsonable", "knob", "knob_default", "link", "memory",
           "missing", "normalize_precision", "out", "peak", "precision_arg", "present", "refuse_missing", "regime",
           "render", "resolve_fleet", "resolve_hardware", "resolve_model", "row", "static_knob", "view_of", "width",
           "StackDefault", "stack_arg", "stack_default", "stacks_in"]
