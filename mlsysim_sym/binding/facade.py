"""Declarative facades and the one generic path that solves them.

A facade (``Engine``, ``ServingModel``, ``DistributedModel`` …) is a spec: the objects it takes, its arguments
(name, symbol, domain, default — a literal or a named catalogue knob), what it reads from the catalogue, the
computation it evaluates (generated from the walls), and its result fields (name, symbol, display unit). It says
nothing else: :func:`solve` resolves the objects, validates every argument through its domain
(:mod:`mlsysim_sym.validate`), binds catalogue values with typed provenance (memoised per objects, static options
and edition), applies the active edition's rules to the computation's inputs, runs the generated code, refuses a
result that used a value the catalogue does not have, and wraps the :class:`~mlsysim_sym.evaluate.Result` in the
facade's result view (:mod:`mlsysim_sym.binding.view`).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import editions as _editions
from ..errors import InputError, MlsysimError
from ..evaluate import COMPUTATIONS, Result, RefMap, run
from ..provenance import Arg as ArgRef
from ..provenance import Fixed, Missing, Ref, Sub
from ..validate import Domain, shown
from .reads import Bound, Ctx, Read
from .resolve import RESOLVERS, normalize_precision

REQUIRED = object()
DEFAULT = object()


@dataclass(frozen=True)
class KnobDefault:
    """An argument's default taken from the catalogue (``knob("engine.efficiency")``)."""

    cid: str


@dataclass(frozen=True)
class SameAs:
    """An argument that defaults to another argument's value (``mean_request_tokens`` → ``max_seq_len``)."""

    symbol: str


def knob_default(cid: str) -> KnobDefault:
    return KnobDefault(cid if cid.startswith("knobs.") else f"knobs.{cid}")


@dataclass(frozen=True)
class StackDefault:
    """An argument's default taken from the named software stack's prior (``knobs.stacks.<stack>.<prior>``) when
    the caller names a stack that catalogues it, else from ``fallback`` (a knob id).

    ``by_workload`` names the prior a workload class reads instead (``(("cnn", "cnn_efficiency"),)``): a GEMM share
    measured on transformer shapes says nothing about convolutions, so a named stack that catalogues no prior for
    the model's class is refused rather than answered with another regime's share.

    ``device`` is the object path of the accelerator (``"hardware"``, ``"fleet.node.accelerator"``): a stack may
    catalogue a prior measured on that device (``gemm_efficiency_on_H100``), read before its general one — the same
    software reaches a different share of peak on another device (an FSDP run on H100 reaches about 0.7 of the share
    it reaches on A100, the hardware's compute having grown faster than its memory bandwidth)."""

    prior: str
    fallback: str
    by_workload: tuple[tuple[str, str], ...] = ()
    device: str | None = None
    #: the static option naming the entry (``stack``; ``attention_kernel``) and the knobs table it names a row group of
    option: str = "stack"
    table: str = "stacks"
    #: bound when the option names nothing, instead of the fallback knob: a value the result does not use
    unnamed: tuple[float, str] | None = None


def stack_default(prior: str, fallback: str, by_workload: tuple[tuple[str, str], ...] = (),
                  device: str | None = None) -> StackDefault:
    return StackDefault(prior, fallback if fallback.startswith("knobs.") else f"knobs.{fallback}", by_workload,
                        device)


def kernel_default(prior: str, device: str, unnamed: tuple[float, str]) -> StackDefault:
    """A default read from the named attention kernel's prior measured on the device (``knobs.kernels``); with no
    kernel named, ``unnamed`` (a placeholder the equations do not use); a kernel with no prior for the device binds a
    Missing value, refused unless the caller gives the argument."""
    return StackDefault(prior, "", (), device, option="attention_kernel", table="kernels", unnamed=unnamed)


def loss_default(count: str, unnamed: tuple[float, str]) -> StackDefault:
    """A default read from the named loss kernel's count (``knobs.losses``); with no loss kernel named, ``unnamed``."""
    return StackDefault(count, "", (), None, option="loss_kernel", table="losses", unnamed=unnamed)


def prior_names(prior: str, precision: str | None, device: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """The fields a stack's prior is looked up by, most specific first: measured at this precision on this device,
    on this device, at this precision, then the stack's general prior. ``device`` may be a lineage (the device,
    then the device whose priors it reads, see :func:`device_lineage`): each is tried in turn before the general
    priors."""
    prec = (f"{prior}_{precision}",) if precision else ()
    devices = (device,) if isinstance(device, str) else (device or ())
    on = tuple(f"{n}_on_{d}" for d in devices for n in (*prec, prior))
    return (*on, *prec, prior)


def device_lineage(dev: Any, cat: Any) -> tuple[str, ...]:
    """A device's key and the devices whose efficiency priors it reads, nearest first: the hardware entity's
    ``priors_from`` attribute names a catalogued part on the same silicon (the A100 40GB reads the A100 80GB's
    priors: the same GA100 die, SM count, clocks and Tensor-Core peaks, differing in memory size and bandwidth).
    The catalogue loader refuses a pair whose peak rates differ (``catalog._check_references``)."""
    if dev is None:
        return ()

    def parent(key: str) -> str | None:     # the device itself may be a caller's, not a catalogued one
        ent = dev if key == dev.key else cat.entities.get(("hardware", key))
        return ent.attrs.get("priors_from") if ent is not None else None
    return _lineage(dev.key, parent)


def _lineage(first: str, parent: Any) -> tuple[str, ...]:
    """``first`` and its ancestors by ``parent(key) -> key | None``, nearest first, stopping at a loop."""
    chain = [first]
    while (nxt := parent(chain[-1])) and nxt not in chain:
        chain.append(nxt)
    return tuple(chain)


def attention_kernel_arg() -> Arg:
    """The attention-kernel option (``attention_kernel="flash2"``): a fused kernel catalogued in knobs.kernels, whose
    causal skipping and recomputation set the executed attention FLOPs and whose prior on the device sets their
    rate; none named, attention is counted and run as the weights are."""
    return Arg("attention_kernel", (), None, None, static=True,
               normalize=_catalogue_name("attention_kernel", "attention kernel"),
               doc="a fused attention kernel catalogued in knobs.kernels (flash_triton, flash2): causal score blocks "
                   "skipped, scores recomputed in the backward, at the kernel's own share of peak on the device "
                   "(default: none, attention counted as Korthikanti et al. and run at the GEMMs' efficiency)")


def loss_kernel_arg() -> Arg:
    """The loss-kernel option (``loss_kernel="fused_xentropy"``): a loss kernel catalogued in knobs.losses, whose
    passes over the logits are charged at the memory's bandwidth; none named, the logits' traffic is not charged."""
    return Arg("loss_kernel", (), None, None, static=True, normalize=_catalogue_name("loss_kernel", "loss kernel"),
               doc="a loss kernel catalogued in knobs.losses (fused_xentropy): its passes over the V logits of every "
                   "token, at the device memory's bandwidth, where the model catalogues its vocabulary (default: "
                   "none, the logits' traffic held in the GEMMs' share)")


def stack_arg() -> Arg:
    """The software-stack option (``stack="vllm"``): decides which efficiency priors the defaults read."""
    return Arg("stack", (), None, None, static=True, normalize=_catalogue_name("stack", "software stack"),
               doc="a software stack catalogued in knobs.stacks (an unknown name is refused with the list) whose "
                   "efficiency priors replace the defaults")


def stack_lineage(ent: Any, stack: str) -> tuple[str, ...]:
    """``stack`` and the stacks it inherits from, nearest first: the table's ``inherits`` attribute
    (``"trtllm_pre_xqa=trtllm"``) names a parent whose priors a stack reads for every field it does not catalogue
    itself (a stack that differs from another in one kernel)."""
    spec = (ent.attrs.get("inherits", "") if ent is not None else "") or ""
    parent = dict(tuple(x.strip() for x in pair.split("=", 1)) for pair in spec.split(",") if "=" in pair)
    return _lineage(stack, parent.get)


def stacks_in(cat: Any, table: str = "stacks") -> list[str]:
    """The stacks (or, with ``table="kernels"``, the attention kernels; ``"losses"``, the loss kernels) the catalogue
    has priors for."""
    ent = cat.entities.get(("knobs", table))
    return sorted({f.split(".")[0] for f in ent.values} - {"rated"}) if ent is not None else []


@dataclass(frozen=True)
class Obj:
    """An object argument: ``Obj("model", "model")``, ``Obj("decode_hardware", "hardware", default_to="hardware")``."""

    name: str
    kind: str                          # model | hardware | fleet
    optional: bool = False
    default_to: str | None = None      # another object argument used when this one is None
    workloads: tuple[str, ...] = ()    # accepted model workloads (empty: any)
    purpose: str = ""


@dataclass(frozen=True)
class Arg:
    """A value argument bound to ``symbol`` (or to several symbols through ``encode``), checked by ``domain``.

    ``default``: a literal, :func:`knob_default`, ``None`` (then ``none`` binds), or REQUIRED. ``unit``: the unit of
    a plain-number argument (``service_latency_ms``: "ms"), converted to the symbol's SI unit. ``encode``: maps the
    validated value to the symbol's number (a choice to a code, a flag to 0/1), or to a tuple for several symbols.
    ``static``: the value decides catalogue reads (precision, optimizer) and is part of the memo key.
    ``normalize``: for a static option, maps the given value to the one the memo key and the reads use
    (``"BF16"`` → ``"bf16"``; a stack's name stripped and lower-cased), refusing what names nothing.
    """

    name: str
    symbols: tuple[str, ...]
    domain: Domain | None
    default: Any = REQUIRED
    unit: str = ""
    encode: Mapping[Any, Any] | Callable[[Any], Any] | None = None
    static: bool = False
    none: tuple[float, Ref] | KnobDefault | None = None
    doc: str = ""
    normalize: Callable[[Any], Any] | None = None


def _catalogue_name(option: str, what: str) -> Callable[[Any], str | None]:
    """A static option naming a catalogue entry (a stack, an attention kernel): None names nothing; any other value
    must be non-blank text, compared stripped and lower-cased (whether the catalogue has it is the reads' business,
    which refuse an unknown name with the list)."""
    def normalize(v: Any) -> str | None:
        if v is None:
            return None
        if not isinstance(v, str) or not v.strip():
            raise InputError(f"{option} must be the name of a catalogued {what}, got {v!r}")
        return v.strip().lower()
    return normalize


def arg(name: str, symbol: str | tuple[str, ...] | None, domain: Domain | None, default: Any = REQUIRED, *,
        unit: str = "", encode: Any = None, static: bool = False, none: Any = None, doc: str = "") -> Arg:
    syms = () if symbol is None else ((symbol,) if isinstance(symbol, str) else tuple(symbol))
    return Arg(name, syms, domain, default, unit, encode, static, none, doc)


def precision_arg(default: str = "fp16") -> Arg:
    """The precision option: decides the peak rate and the element width that reads bind."""
    return Arg("precision", (), None, default, static=True, normalize=normalize_precision,
               doc="fp32|tf32|bf16|fp16|fp8|int8|int4")


@dataclass(frozen=True)
class SubEval:
    """Bind ``symbol`` to ``output`` of another computation evaluated on other objects (a draft model's KV bytes
    per token); ``objects`` maps that computation's object names to this facade's arguments, ``inherit`` passes
    bound symbols through. Absent object: ``symbol`` is 0 with an Absent provenance."""

    symbol: str
    computation: str
    output: str
    objects: Mapping[str, str]
    reads: tuple[Read, ...]
    inherit: tuple[str, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class Check:
    """A relation between arguments that no single domain can state (``cached_prefix_len < seq_len``)."""

    test: Callable[[Mapping[str, Any]], bool]
    message: str   # formatted with the bound values (SI) and arguments


@dataclass
class Spec:
    name: str
    computation: str
    objects: tuple[Obj, ...]
    args: tuple[Arg, ...]
    reads: tuple[Read, ...]
    subs: tuple[SubEval, ...] = ()
    checks: tuple[Check, ...] = ()
    report: tuple[str, ...] = ()
    evaluate: Callable[..., Any] | None = None
    raises: tuple[str, str, type, Callable[..., str]] | None = None  # (flag argument, symbol, exception, message)
    params: tuple[str, ...] = field(default=())          # solve()'s parameters in order (0.3.0's signature)

    def __post_init__(self) -> None:
        names = tuple(o.name for o in self.objects) + tuple(a.name for a in self.args)
        if self.params:
            if sorted(self.params) != sorted(names):
                raise TypeError(f"{self.name}: order {self.params} does not list exactly {names}")
        else:
            self.params = names
        self._obj_defaults = {o.name: o.default_to for o in self.objects if o.default_to}
        self._same = tuple((a, a.none.symbol) for a in self.args if isinstance(a.none, SameAs))
        self._obj = {o.name: o for o in self.objects}
        self._args = {a.name: a for a in self.args}
        self._static = tuple(a for a in self.args if a.static)
        self._dynamic = tuple(a for a in self.args if not a.static)
        self._argrefs = {a.name: ArgRef(a.name) for a in self.args}
        self._factors: dict[str, float] = {}
        self._conv = {a.name: self._converter(a) for a in self.args if a.symbols}
        self._dyn = {a.name: a for a in self._dynamic}
        self._required = frozenset(a.name for a in self._dynamic if a.default is REQUIRED)
        self._echo_defaults = {a.name: a.default for a in self.args if a.default is not REQUIRED
                               and not isinstance(a.default, (KnobDefault, StackDefault, tuple))}

    def signature(self, first: tuple[str, ...] = ()) -> Any:
        """solve()'s signature (0.3.0's argument names, order and defaults), for help() and introspection."""
        import inspect

        P = inspect.Parameter
        shown: list[tuple[str, Any]] = []
        for name in self.params:
            o = self._obj.get(name)
            if o is not None:
                shown.append((name, None if (o.optional or o.default_to) else P.empty))
                continue
            d = self._args[name].default
            catalogued = isinstance(d, (KnobDefault, StackDefault, tuple))
            shown.append((name, P.empty if d is REQUIRED else (None if catalogued else d)))
        # a parameter with a default that precedes a required one is shown without it (Python's rule)
        required_after = False
        for i in range(len(shown) - 1, -1, -1):
            if shown[i][1] is P.empty:
                required_after = True
            elif required_after:
                shown[i] = (shown[i][0], P.empty)
        params = [P(n, P.POSITIONAL_OR_KEYWORD) for n in first]
        params += [P(n, P.POSITIONAL_OR_KEYWORD, default=d) for n, d in shown]
        return inspect.Signature(params)

    def _converter(self, a: Arg) -> Callable[[Any], Any]:
        """value -> the bound number(s): the argument's domain, then its encoding or unit (fast paths for the
        common types; anything unusual goes through the domain's full check and its message)."""
        dom = a.domain
        name = a.name
        slow = (lambda v: dom(name, v)) if dom is not None else (lambda v: v)
        enc = a.encode
        if enc is None and not a.unit and dom is not None and dom.kind in ("count", "real"):
            lo = dom.lo if dom.lo is not None else -float("inf")
            hi = dom.hi if dom.hi is not None else float("inf")
            lo_open, hi_open = dom.lo_open, dom.hi_open

            def number(v: Any) -> float:
                t = type(v)
                if (t is int or (t is float and dom.kind == "real")) and (lo < v if lo_open else lo <= v) and \
                        (v < hi if hi_open else v <= hi):
                    return float(v)
                return float(slow(v))
            return number
        if enc is float and dom is not None and dom.kind == "flag":
            return lambda v: 1.0 if v is True else (0.0 if v is False else float(slow(v)))
        if enc is not None:
            if callable(enc):
                return lambda v: enc(slow(v))
            return lambda v: enc[slow(v)]
        if a.unit:
            def scaled(v: Any) -> float:
                f = self._factors.get(name)
                if f is None:
                    from ..notation import SYMBOLS
                    from ..units import factor

                    f = self._factors[name] = factor(a.unit, SYMBOLS[a.symbols[0]].unit)
                return float(slow(v)) * f
            return scaled
        return lambda v: float(slow(v))

    # ---- the hot path ----------------------------------------------------------------------------------------------
    def call_args(self, args: tuple, kwargs: dict) -> dict[str, Any]:
        """Positional and keyword arguments by name (0.3.0's order), unknown names refused."""
        if len(args) > len(self.params):
            raise InputError(f"{self.name}.solve takes {len(self.params)} arguments, got {len(args)}")
        call = dict(zip(self.params, args))
        for k, v in kwargs.items():
            if k not in self._obj and k not in self._args:
                import difflib

                close = difflib.get_close_matches(k, self.params, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise InputError(f"{self.name}.solve has no argument {k!r}{hint} (arguments: {', '.join(self.params)})")
            if k in call:
                raise InputError(f"{self.name}.solve got {k!r} twice")
            call[k] = v
        return call

    def solve(self, args: tuple, kwargs: dict) -> Any:
        call = self.call_args(args, kwargs)
        objs = self.resolve_objects(call)
        statics = self.static_values(call)
        ed = _editions.active()
        entry = self.static_entry(ed, objs, statics)
        values = entry.values.copy()  # the object-determined inputs and every argument's default
        refs: dict[str, Ref] = {}
        dyn = self._dyn
        for name, given in call.items():
            a = dyn.get(name)
            if a is None:  # an object or a static option, already used
                continue
            if given is None and a.none is not None:
                if isinstance(a.none, SameAs):
                    continue
                for sym, (v, r) in entry.nones[name]:
                    values[sym] = v
                    refs[sym] = r
                continue
            self.bind_arg(a, given, values, refs)
        if self._required and not self._required.issubset(call):
            need = ", ".join(sorted(self._required.difference(call)))
            raise InputError(f"{self.name}.solve needs {need}")
        for a, other in self._same:  # an argument that defaults to another's value
            if call.get(a.name) is None:
                for s in a.symbols:
                    values[s] = values[other]
                    refs[s] = refs.get(other) or entry.refs[other]
        for chk in self.checks:
            if not chk.test(values):
                raise InputError(chk.message.format(**{**values, **call}))
        if ed.rules:
            from ..editions.rules import apply_rules

            apply_rules(ed, self.computation, values, refs)
        refmap = RefMap(entry.refs, refs) if refs else RefMap(entry.refs)
        for name, other in self._obj_defaults.items():  # the view names the object actually used
            if objs[name] is None:
                objs[name] = objs[other]
        if self.evaluate is not None:
            return self.evaluate(self, values, refmap, entry, ed, call, objs, statics)
        out, regimes = run(self.computation, values)
        values.update(out)
        result = Result(values, refmap, (self.computation,), regimes, self.report, entry.catalog_hash, entry.subs,
                        ed.name)
        if entry.missing:
            refuse_missing(result, ed, entry.missing)
        if self.raises is not None:
            flag, sym, exc, message = self.raises
            if call.get(flag) and not values[sym]:
                raise exc(message(values, objs))
        return result, objs, statics, call

    def bind_arg(self, a: Arg, given: Any, values: dict[str, Any], refs: dict[str, Ref]) -> None:
        if not a.symbols:  # an option that binds no symbol (raise_errors): validated only
            if a.domain is not None:
                a.domain(a.name, given)
            return
        v = self._conv[a.name](given)
        ref = self._argrefs[a.name]
        if len(a.symbols) == 1:
            values[a.symbols[0]] = v
            refs[a.symbols[0]] = ref
        else:
            for s, x in zip(a.symbols, v):
                values[s] = float(x)
                refs[s] = ref

    def resolve_objects(self, call: dict[str, Any]) -> dict[str, Any]:
        objs: dict[str, Any] = {}
        for o in self.objects:
            given = call.get(o.name)
            if given is None:
                if o.optional or o.default_to is not None:
                    objs[o.name] = None
                    continue
                raise InputError(f"{self.name}.solve needs {o.name!r}")
            x = RESOLVERS[o.kind](given, o.name)
            if o.workloads and x.workload not in o.workloads:
                raise InputError(f"{x.key} is a {x.workload or 'generic'} workload; {self.name} needs a "
                                 f"{' or '.join(o.workloads)} model{(' (' + o.purpose + ')') if o.purpose else ''}")
            objs[o.name] = x
        return objs

    def call_view_args(self, call: dict[str, Any], statics: tuple[Any, ...]) -> dict[str, Any]:
        """The arguments a result echoes (0.3.0 returns some of them): given values over literal defaults, with the
        static options normalised."""
        out = self._echo_defaults.copy()
        args = self._args
        for k, v in call.items():
            if k in args:
                out[k] = v
        for a, v in zip(self._static, statics):
            out[a.name] = v
        return out

    def static_values(self, call: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for a in self._static:
            v = call.get(a.name, DEFAULT)
            if v is DEFAULT:
                v = a.default
            if a.normalize is not None:
                v = a.normalize(v)
            elif a.domain is not None:
                v = a.domain(a.name, v)
            out.append(v)
        return tuple(out)

    # ---- the memoised, object-determined part -------------------------------------------------------------------------
    def static_entry(self, ed: Any, objs: dict[str, Any], statics: tuple[Any, ...]) -> StaticEntry:
        key = (self.name, ed.name, *(objs[o.name] for o in self.objects), *statics)
        hit = _MEMO.get(key)
        if hit is None:
            hit = self.build_static(ed, objs, statics)
            if len(_MEMO) > 4096:
                _MEMO.clear()
            _MEMO[key] = hit
        return hit

    def build_static(self, ed: Any, objs: dict[str, Any], statics: tuple[Any, ...]) -> StaticEntry:
        ctx = Ctx(ed, objs, {a.name: v for a, v in zip(self._static, statics)}, self.name, self._obj_defaults)
        values: dict[str, Any] = {}
        refs: dict[str, Ref] = {}
        _bind_reads(self.reads, ctx, values, refs)
        subs: dict[str, Result] = {}
        for s in self.subs:
            self.bind_sub(s, ctx, values, refs, subs)
        defaults: dict[str, list[tuple[str, tuple[float, Ref]]]] = {}
        nones: dict[str, list[tuple[str, tuple[float, Ref]]]] = {}
        for a in self._dynamic:
            if isinstance(a.none, SameAs):
                continue
            if a.default is not REQUIRED and a.default is not None:
                defaults[a.name] = self.default_binding(a, a.default, ctx)
            if a.none is not None:
                nones[a.name] = self.default_binding(a, a.none, ctx)
                if a.default is None:
                    defaults[a.name] = nones[a.name]
            elif a.default is None:
                raise TypeError(f"{self.name}: argument {a.name} defaults to None but says nothing to bind then")
        comp = COMPUTATIONS[self.computation]
        needed = set(comp[1])
        args_bound = {s for a in self._dynamic for s in a.symbols}
        args_bound |= {s for a, _ in self._same for s in a.symbols}
        unbound = sorted(needed - set(values) - args_bound)
        if unbound:
            raise TypeError(f"facade {self.name}: inputs of {self.computation} with no binding: {', '.join(unbound)}")
        for name, bindings in defaults.items():  # every argument's default, in place until the caller gives one
            for sym, (v, r) in bindings:
                values[sym], refs[sym] = v, r
        # a default may be Missing too (a stack with no prior for the model's class): refused only if used, and an
        # argument the caller gives replaces its ref, so refuse_missing finds nothing to refuse then
        missing = frozenset(s for s, r in refs.items() if isinstance(r, Missing))
        return StaticEntry(values, refs, defaults, nones, subs, _catalog_hash(ed, objs), missing)

    def default_binding(self, a: Arg, default: Any, ctx: Ctx) -> list[tuple[str, tuple[float, Ref]]]:
        if isinstance(default, StackDefault):
            stack = ctx.static.get(default.option)
            cid = default.fallback
            if stack is None and default.unnamed is not None:
                return [(a.symbols[0], (float(default.unnamed[0]), Fixed(default.unnamed[1])))]
            if stack is not None:
                known = stacks_in(ctx.edition.catalog, default.table)
                if stack not in known:
                    raise InputError(f"{self.name}: {default.option} {stack!r} is not catalogued; the catalogue has "
                                     f"priors for {', '.join(known)} (constants/knobs/{default.table}.toml)")
                ent = ctx.edition.catalog.entities.get(("knobs", default.table))
                prec = ctx.static.get("precision")
                model = ctx.entity("model") if "model" in ctx.objects else None
                workload = model.attrs.get("workload") if model is not None else None
                prior = dict(default.by_workload).get(workload, default.prior)
                device = ctx.entity(default.device) if default.device else None
                # a prior measured on this device and at this precision (``gemm_efficiency_on_H100``,
                # ``gemm_efficiency_fp8``) before the stack's general one
                names = prior_names(prior, prec, device_lineage(device, ctx.edition.catalog))
                found = next((f"{st}.{n}" for st in stack_lineage(ent, stack) for n in names
                              if ent is not None and f"{st}.{n}" in ent.values), None)
                if found is not None:
                    cid = f"knobs.{default.table}.{found}"
                else:
                    if default.unnamed is not None:     # a kernel with no share catalogued for this device
                        on = device.key if device is not None else "this device"
                        have = sorted(f for f in (ent.values if ent else ()) if f.startswith(f"{stack}.{prior}"))
                        what = default.option.replace("_", " ")
                        why = (f"{self.name}: no {prior} of the {stack} {what} is catalogued on {on} "
                               f"(catalogued: {', '.join(have) or 'none'}): give {a.name}=")
                        return [(a.symbols[0], (float(default.unnamed[0]),
                                                Missing(f"knobs.{default.table}.{stack}", f"{prior}_on_{on}", why)))]
                    if prior != default.prior:
                        # refused only if the result uses it: an explicit argument replaces this binding
                        have = sorted(f"{f.split('.')[0]} ({f.split('.', 1)[1]})" for f in (ent.values if ent else ())
                                      if f.split(".", 1)[1].startswith(prior))
                        why = (f"{self.name} needs, for a {workload} model, the stack's {prior} prior at "
                               f"{prec or 'this precision'} (its {default.prior} was measured on other work): give "
                               f"{a.name}= or a stack that has one: {', '.join(have) or 'none catalogued'}")
                        placeholder, _ = ctx.knob(cid)
                        return [(a.symbols[0], (placeholder, Missing(f"knobs.stacks.{stack}",
                                                                     f"{prior}_{prec}" if prec else prior, why)))]
            v, r = ctx.knob(cid)
            return [(a.symbols[0], (v, r))]
        if isinstance(default, KnobDefault):
            v, r = ctx.knob(default.cid)
            return [(a.symbols[0], (v, r))]
        if isinstance(default, tuple) and len(default) == 2 and isinstance(default[1], Ref):
            return [(a.symbols[0], (float(default[0]), default[1]))]
        values: dict[str, Any] = {}
        refs: dict[str, Ref] = {}
        self.bind_arg(a, default, values, refs)
        return [(s, (values[s], refs[s])) for s in a.symbols]

    def bind_sub(self, s: SubEval, ctx: Ctx, values: dict[str, Any], refs: dict[str, Ref],
                 subs: dict[str, Result]) -> None:
        objs = {inner: ctx.objects.get(outer) for inner, outer in s.objects.items()}
        if any(o is None for o in objs.values()):
            from ..provenance import Absent

            values[s.symbol], refs[s.symbol] = 0.0, Absent(next(iter(s.objects.values())), s.output)
            return
        sub_ctx = Ctx(ctx.edition, objs, ctx.static, f"{self.name}/{s.name or s.symbol}")
        sv: dict[str, Any] = {k: values[k] for k in s.inherit}
        sr: dict[str, Ref] = {k: refs[k] for k in s.inherit}
        _bind_reads(s.reads, sub_ctx, sv, sr)
        out, regimes = run(s.computation, sv)
        sv.update(out)
        name = s.name or s.symbol
        subs[name] = Result(sv, sr, (s.computation,), regimes, (s.output,), _catalog_hash(ctx.edition, objs),
                            None, ctx.edition.name)
        if any(isinstance(r, Missing) for r in sr.values()):
            refuse_missing(subs[name], ctx.edition)
        values[s.symbol], refs[s.symbol] = out[s.output], Sub(name)


@dataclass(frozen=True)
class StaticEntry:
    values: dict[str, Any]
    refs: dict[str, Ref]
    defaults: dict[str, list[tuple[str, tuple[float, Ref]]]]
    nones: dict[str, list[tuple[str, tuple[float, Ref]]]]
    subs: dict[str, Result]
    catalog_hash: str
    missing: frozenset[str]   # symbols bound to a Missing value: a result that uses one is refused


_MEMO: dict[tuple, StaticEntry] = {}


def _bind_reads(reads: tuple[Read, ...], ctx: Ctx, values: dict[str, Any], refs: dict[str, Ref]) -> None:
    """Bind every symbol of ``reads`` (value and provenance) from the objects ``ctx`` sees."""
    for r in reads:
        for sym, (v, ref) in zip(r.symbols, r.fn(ctx)):
            values[sym], refs[sym] = v, ref


def _catalog_hash(ed: Any, objs: Mapping[str, Any]) -> str:
    """The hash of the catalogue a result's numbers came from: the edition's, or that of a scenario catalogue (an
    overlay, measured rows) an object was built on."""
    from ..catalog import catalog

    cat = catalog()
    other = sorted({o._cat.hash for o in objs.values() if o is not None and o._cat is not cat})
    return "+".join(other) if other else ed.catalog.hash


def refuse_missing(result: Result, ed: Any, candidates: frozenset[str] | None = None) -> None:
    """Refuse a result whose reported numbers used a value the catalogue does not have (a Missing binding)."""
    from ..editions.rules import allows_missing

    leaves = result.leaf_set()
    for sym in sorted(leaves.intersection(candidates) if candidates is not None else leaves):
        ref = result.refs.get(sym)
        if isinstance(ref, Missing) and not allows_missing(ed, ref):
            raise InputError(f"{ref.entity} has no catalogued {ref.field}; {ref.purpose}")


def describe_missing(error: MlsysimError) -> str:
    return str(error)


__all__ = ["Arg", "Check", "DEFAULT", "SameAs", "KnobDefault", "StackDefault", "stack_arg", "stack_default",
           "stacks_in", "Obj", "REQUIRED", "Spec", "StaticEntry", "SubEval", "arg",
           "knob_default", "precision_arg", "refuse_missing", "shown", "Bound"]
