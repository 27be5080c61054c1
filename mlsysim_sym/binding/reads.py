"""What a facade reads from the catalogue: each :class:`Read` binds one or more symbols to values with typed
provenance, from an object the caller passed (``model``, ``hardware``, ``fleet`` …), a catalogue knob, or a value
the facade fixes. Reads run once per (objects, static options, edition) and are memoised by the binding layer.

Constructors, in the order a facade usually lists them::

    row("model", "layers", "N_L", absent=error("the serving wall needs transformer dimensions"))
    row("model", "head_dim", "d_cat")                          # absent: 0 (the shape equation decides)
    row("hardware", "dispatch_tax", "tau_disp", absent=knob("engine.dispatch_tax"))
    link("hardware", ("host_link.bandwidth",), "BW_host", absent=knob("engine.offload_bandwidth"))
    peak("hardware")                      # R_peak at the facade's precision
    memory("hardware")                    # C_mem and BW_mem from main memory (or on-chip SRAM on SRAM-only parts)
    width()                               # b_w: bytes per element of the precision
    knob("engine.activation_traffic_fraction", "f_act")
    fixed("N_tp", 1, "one device: no tensor parallelism")
    attr("model", "flops_basis", "m_tok", {"token": 1.0})
    present("draft_model", "m_spec")      # 1 when the caller passed that object

An object path may walk the catalogue: ``"fleet.node"``, ``"fleet.fabric"``, ``"fleet.node.accelerator"``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..objects import TWIN_PRECISION
from ..provenance import Absent, Arg, Attr, Fixed, Knob, Missing, Ref, Row

Bound = tuple[float, Ref]


@dataclass(frozen=True)
class Absence:
    """What a read does when the catalogue has no such field."""

    how: str                 # zero | missing | error | knob | value
    purpose: str = ""
    knob: str = ""
    value: float = 0.0
    why: str = ""


ZERO = Absence("zero")


def missing(purpose: str) -> Absence:
    """Bind 0, and refuse any result whose reported numbers *use* it (the branch that needed it bound)."""
    return Absence("missing", purpose)


def error(purpose: str) -> Absence:
    """Refuse at once: the facade cannot do without the field."""
    return Absence("error", purpose)


def default_knob(cid: str) -> Absence:
    """Use a catalogue default (``knobs.<topic>.<field>``) for objects that lack the field."""
    return Absence("knob", knob=cid if cid.startswith("knobs.") else f"knobs.{cid}")


@dataclass(frozen=True)
class Read:
    """Binds ``symbols`` by ``fn(ctx) -> [(value, Ref), ...]`` (one pair per symbol)."""

    symbols: tuple[str, ...]
    fn: Callable[[Any], list[Bound]]
    needs: tuple[str, ...] = field(default=())  # objects it reads (for documentation and checks)


class Ctx:
    """What reads see: the active edition, the resolved objects, the static options, the facade's name."""

    __slots__ = ("edition", "objects", "static", "facade", "defaults")

    def __init__(self, edition: Any, objects: Mapping[str, Any], static: Mapping[str, Any], facade: str,
                 defaults: Mapping[str, str] | None = None):
        self.edition = edition
        self.objects = objects
        self.static = static
        self.facade = facade
        self.defaults = defaults or {}

    def obj(self, path: str) -> Any:
        """The object at ``path`` ('model', 'fleet.node', 'fleet.node.accelerator'), or None if not given (an
        object argument that defaults to another — decode_hardware to hardware — resolves to that one)."""
        head, *rest = path.split(".")
        o = self.objects.get(head)
        if o is None and head in self.defaults:
            o = self.objects.get(self.defaults[head])
        for part in rest:
            if o is None:
                return None
            o = getattr(o, part)
        return o

    def entity(self, path: str) -> Any:
        o = self.obj(path)
        return None if o is None else self.edition.entity(o)

    def knob(self, cid: str) -> Bound:
        cat = self.edition.catalog
        c = cat.constants.get(cid)
        if c is None:  # an edition's override of the knob carries its own id (<id>@<tag>): find it by field
            kind, _, rest = cid.partition(".")
            topic, _, fld = rest.partition(".")
            ent = cat.entities.get((kind, topic))
            c = ent.values.get(fld) if ent is not None else None
        if c is None:
            raise InputError(f"the catalogue has no knob {cid!r} (needed by {self.facade})")
        return c.si, Knob(c.id)

    @property
    def precision(self) -> str:
        return self.static["precision"]


def _absent(ctx: Ctx, ent: Any, path: str, fld: str, how: Absence) -> Bound:
    key = ent.key if ent is not None else path
    if how.how == "zero":
        return 0.0, Absent(key, fld)
    if how.how == "missing":
        return 0.0, Missing(key, fld, how.purpose)
    if how.how == "knob":
        return ctx.knob(how.knob)
    if how.how == "value":
        return how.value, Fixed(how.why)
    raise InputError(f"{key} has no catalogued {fld}; {how.purpose}")


def bound(c: Any, per_direction: bool = False) -> Bound:
    """A catalogue row as a binding; ``per_direction``: a bidirectional total is halved, and its provenance says so."""
    if per_direction and c.direction == "bidirectional_total":
        return c.si / 2, Row(c.id, half=True)
    return c.si, Row(c.id)


def row(path: str, fld: str | tuple[str, ...], symbol: str, absent: Absence = ZERO, *,
        per_direction: bool = False, none: float | None = None) -> Read:
    """A catalogue row of the object at ``path`` (the first of several field names that exists). ``none``: the
    neutral value when the (optional) object itself was not given."""
    fields = (fld,) if isinstance(fld, str) else fld

    def fn(ctx: Ctx) -> list[Bound]:
        ent = ctx.entity(path)
        if ent is None and none is not None:
            return [(float(none), Absent(path.split(".")[0], fields[0]))]
        if ent is not None:
            for f in fields:
                c = ent.values.get(f)
                if c is not None:
                    return [bound(c, per_direction)]
        return [_absent(ctx, ent, path, fields[0], absent)]
    return Read((symbol,), fn, (path.split(".")[0],))


def link(path: str, fields: tuple[str, ...], symbol: str, absent: Absence = ZERO, *,
         none: float | None = None) -> Read:
    """A link bandwidth, per direction (a bidirectional total is halved, and its provenance says so)."""
    return row(path, fields, symbol, absent, per_direction=True, none=none)


def peak_row(ent: Any, prec: str) -> Any:
    """The catalogued dense peak of a device entity at ``prec`` (fp16 and bf16 serve each other), or None."""
    c = ent.values.get(f"peak.{prec}")
    if c is None and prec in TWIN_PRECISION:
        c = ent.values.get(f"peak.{TWIN_PRECISION[prec]}")
    return c


def peak(path: str = "hardware", symbol: str = "R_peak") -> Read:
    """The device's dense peak at the facade's precision (fp16 and bf16 serve each other; else an error naming the
    catalogued precisions)."""
    def fn(ctx: Ctx) -> list[Bound]:
        ent = ctx.entity(path)
        prec = ctx.precision
        c = peak_row(ent, prec)
        if c is None:
            have = sorted(f[5:] for f in ent.values if f.startswith("peak.") and not f.endswith("_sparse"))
            raise InputError(f"{ent.key} has no catalogued {prec} rate (catalogued: {', '.join(have) or 'none'}); "
                             "choose one of those precisions")
        return [(c.si, Row(c.id))]
    return Read((symbol,), fn, (path.split(".")[0],))


def memory(path: str = "hardware", capacity: str = "C_mem", bandwidth: str = "BW_mem") -> Read:
    """Main memory's capacity and bandwidth. A device whose only memory is on-chip SRAM (wafer-scale and dataflow
    parts) holds and streams its weights from that SRAM: it is the device's main memory."""
    def fn(ctx: Ctx) -> list[Bound]:
        ent = ctx.entity(path)
        vals = ent.values
        tier = "memory" if "memory.capacity" in vals else "sram"
        cap, bw = vals.get(f"{tier}.capacity"), vals.get(f"{tier}.bandwidth")
        if cap is None or bw is None:
            raise InputError(f"{ent.key} has no catalogued memory capacity and bandwidth")
        return [(cap.si, Row(cap.id)), (bw.si, Row(bw.id))]
    return Read((capacity, bandwidth), fn, (path.split(".")[0],))


def width(symbol: str = "b_w") -> Read:
    """Bytes per element at the facade's precision (catalogue ``knobs.precision.<precision>``)."""
    return Read((symbol,), lambda ctx: [ctx.knob(f"knobs.precision.{ctx.precision}")])


def knob(cid: str, symbol: str) -> Read:
    """A catalogue default: ``knob("engine.activation_traffic_fraction", "f_act")``."""
    full = cid if cid.startswith("knobs.") else f"knobs.{cid}"
    return Read((symbol,), lambda ctx: [ctx.knob(full)])


def static_knob(option: str, template: str, symbol: str) -> Read:
    """A knob chosen by a static option: ``static_knob("optimizer", "optimizer.{}", "b_opt")``."""
    return Read((symbol,), lambda ctx: [ctx.knob("knobs." + template.format(ctx.static[option]))])


def fixed(symbol: str, value: float, why: str) -> Read:
    """A value the facade fixes by construction, with the reason (``fixed("N_tp", 1, "one device")``)."""
    bound = [(float(value), Fixed(why))]
    return Read((symbol,), lambda ctx: bound)


def attr(path: str, name: str, symbol: str, mapping: Mapping[str, float], default: float = 0.0) -> Read:
    """A number from a catalogue attribute: ``attr("model", "flops_basis", "m_tok", {"token": 1.0})``."""
    def fn(ctx: Ctx) -> list[Bound]:
        ent = ctx.entity(path)
        value = ent.attrs.get(name, "") if ent is not None else ""
        return [(float(mapping.get(value, default)), Attr(ent.key if ent is not None else path, name, value or "—"))]
    return Read((symbol,), fn, (path.split(".")[0],))


def present(name: str, symbol: str) -> Read:
    """1 when the caller passed the object ``name``, else 0 (``present("draft_model", "m_spec")``)."""
    ref = Arg(name)
    return Read((symbol,), lambda ctx: [(1.0 if ctx.objects.get(name) is not None else 0.0, ref)], (name,))


def custom(symbols: tuple[str, ...], fn: Callable[[Ctx], list[Bound]], needs: tuple[str, ...] = ()) -> Read:
    """A read the constructors above cannot say (documented where it is defined)."""
    return Read(symbols, fn, needs)


__all__ = ["Absence", "Bound", "Ctx", "Read", "ZERO", "attr", "bound", "custom", "default_knob", "error", "fixed", "knob",
           "link", "memory", "missing", "peak", "peak_row", "present", "row", "static_knob", "width"]
