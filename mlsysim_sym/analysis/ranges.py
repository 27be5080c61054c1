"""Uncertainty ranges: every result's field as an interval over the ranges of the inputs it used.

A catalogue row may carry ``range = [low, high]`` with a ``range_basis`` (vendor min/max, a prior's spread, a price
range …; :class:`~mlsysim_sym.catalog.Constant`). :func:`interval` takes an evaluated result (a facade's view or a
:class:`~mlsysim_sym.evaluate.Result`) and one field, finds the bound inputs the field can depend on (every branch,
as :func:`~mlsysim_sym.analysis.sensitivity.sensitivity` walks them) whose provenance is a catalogue row with a range
— or that the caller gives a range for by symbol (``ranges={"eta_hw": (0.3, 0.5)}``, in the symbol's SI unit or as
Quantities) — and returns the field's :class:`Interval` over that box of inputs. Every number is the generated code
of the walls run again on the result's own bound inputs with some of them moved (the result's computations, in
order, and its sub-results'); no equation is written twice.

**Exact** ("exact: monotone"). When the field is monotone in each ranged input over the box, its extremes are two
corners of the box: for each input, the end its sign points to. The sign of each input is read from the exact
one-sided derivatives of the tangent code (:func:`~mlsysim_sym.analysis.chain.directional`) at the nominal
point, at every corner of the box (every corner up to :data:`MAX_CORNERS`; beyond, the two candidate corners and each
input's own ends), and from the value's change between each input's ends. The bounds are accepted as exact when
every derivative of an input has one sign (or is zero), the changes agree with it, no ``Piecewise`` branch of the
field's path changes between the points checked (a ``Max``/``Min`` may: it is continuous, and the maximum of
non-decreasing terms is non-decreasing), and every point evaluated lies inside the two corners' values.

**Sampled** ("sampled: N points"). Otherwise — a sign change, a Piecewise regime change, a jump — the field is
evaluated at the box's corners, each input's ends and a fixed-seed Latin hypercube (:data:`SAMPLES` points), and the
extremes seen are reported. Sampled bounds are *inner* bounds: the true range contains them; they approach it as
``samples`` grows (tested against brute force), and are never claimed exact.

Each ranged input's own band (the field's range with that input alone moved over its range, the others nominal)
ranks the inputs; ``dominant`` is the widest. Regime changes inside the box (the binding branch of the field, or
of an equation on its path, differs between the points evaluated) are reported in ``regimes``.

Not covered: model-form error (whether the walls' equations describe the system), correlations between inputs
(the box treats every range as independent), and distributions (an interval is a range, not a confidence level).
A value found by a search (a replica count) is held at its nominal value.
"""
from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._generated import numeric as _num
from .. import special as _special
from ..errors import InputError
from ..evaluate import Result, run_steps
from ..provenance import Sub
from .chain import _reach, _result_of, directional

#: up to this many corners (2**8) every corner is evaluated and its derivatives checked
MAX_CORNERS = 256
#: Latin-hypercube points of a sampled interval (after the corners and each input's ends)
SAMPLES = 256
#: points of each input's own sweep when its band is sampled
SWEEP = 33
SEED = 20260
#: a derivative smaller than this share of the field's scale over the input's range counts as zero
_ZERO = 1e-12


@dataclass(frozen=True)
class RangedInput:
    """One input with a range: where it came from, its range (SI, as bound: a per-direction link is halved), and
    the band of the field it alone causes (display unit). Every symbol bound from one catalogue row moves with it
    (``also``): one number of the catalogue is one dimension of the box."""

    symbol: str
    constant: str              # the catalogue row id ("" for a range the caller gave)
    basis: str                 # the row's range_basis, or "given by the caller"
    nominal: float             # SI, as bound
    low: float                 # SI, as bound
    high: float                # SI, as bound
    band: tuple[float, float]  # the field (display unit) with this input alone moved over [low, high]
    sub: str = ""              # the sub-result it belongs to ("" for the result's own inputs)
    also: tuple[str, ...] = () # other symbols bound from the same row, moved with it (each scaled as bound)

    @property
    def swing(self) -> float:
        return self.band[1] - self.band[0]

    @property
    def name(self) -> str:
        return f"{self.sub}.{self.symbol}" if self.sub else self.symbol

    def describe(self) -> str:
        """``eta_hw (knobs.engine.efficiency: prior spread)``."""
        if not self.constant:
            return f"{self.name} ({self.basis or 'given by the caller'})"
        return f"{self.name} ({self.constant}: {self.basis})" if self.basis else f"{self.name} ({self.constant})"

    def to_dict(self) -> dict[str, Any]:
        return {"symbol": self.name, "constant": self.constant, "basis": self.basis, "nominal_si": self.nominal,
                "range_si": [self.low, self.high], "band": list(self.band), "also": list(self.also)}


@dataclass(frozen=True)
class Interval:
    """A field's nominal value and its range over the ranged inputs' box (display unit and SI)."""

    field: str
    symbol: str
    unit: str                  # display unit ("" for a plain number)
    si_unit: str
    nominal: float
    low: float
    high: float
    nominal_si: float
    low_si: float
    high_si: float
    method: str                # "exact: monotone" | "exact: no ranged input" | "sampled: N points"
    inputs: tuple[RangedInput, ...] = ()
    regimes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    at_low: Mapping[str, float] = field(default_factory=dict)    # the inputs (SI) where ``low`` is reached
    at_high: Mapping[str, float] = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        return self.method.startswith("exact")

    @property
    def dominant(self) -> RangedInput | None:
        """The input whose range alone moves the field most (None when nothing moves it)."""
        best = max(self.inputs, key=lambda i: (i.swing, i.name), default=None)
        return best if best is not None and best.swing > 0 else None

    @property
    def band(self) -> bool:
        """True when the range is not a point."""
        return self.high > self.low

    def relative(self) -> tuple[float, float]:
        """(low, high) as percentages of the nominal value: (−a, +b); nan for a nominal value of 0 with a band."""
        if self.nominal == 0:
            return (0.0, 0.0) if not self.band else (math.nan, math.nan)
        lo, hi = (self.low / self.nominal - 1) * 100, (self.high / self.nominal - 1) * 100
        return (lo, hi) if self.nominal > 0 else (-hi, -lo)

    def range_text(self) -> str:
        """``range [11.0, 14.2] ms (−10.6 %/+15.4 %)``."""
        from ..textfmt import number

        lo, hi = self.relative()
        unit = f" {self.unit}" if self.unit and self.unit not in ("int",) else ""
        return (f"range [{number(self.low)}, {number(self.high)}]{unit} "
                f"({_pct(lo, '−')}/{_pct(hi, '+')})")

    def explain_line(self) -> str:
        """``range [lo, hi] (−a %/+b %), dominated by eta_hw (knobs.engine.efficiency: prior spread)``."""
        dom = self.dominant
        line = self.range_text() + (f", dominated by {dom.describe()}" if dom is not None else "")
        if not self.exact:
            line += f"; {self.method} (inner bounds)"
        changed = [f"{s}: {' / '.join(r['seen'])}" for s, r in self.regimes.items()]
        if changed:
            line += "; regime changes inside the box: " + "; ".join(changed)
        return line

    def to_dict(self) -> dict[str, Any]:
        dom = self.dominant
        return {"field": self.field, "symbol": self.symbol, "unit": self.unit, "nominal": self.nominal,
                "low": self.low, "high": self.high, "si_unit": self.si_unit, "nominal_si": self.nominal_si,
                "low_si": self.low_si, "high_si": self.high_si, "method": self.method,
                "relative_pct": list(self.relative()), "dominant": dom.name if dom is not None else None,
                "inputs": [i.to_dict() for i in self.inputs],
                "regimes": {k: dict(v) for k, v in self.regimes.items()},
                "at_low": dict(self.at_low), "at_high": dict(self.at_high)}

    def __str__(self) -> str:
        from ..textfmt import number

        unit = f" {self.unit}" if self.unit and self.unit != "int" else ""
        head = f"{self.field} = {number(self.nominal)}{unit}"
        if not self.inputs:
            return f"{head} ({self.method})"
        return f"{head}, {self.explain_line()}" + ("" if not self.exact else f" [{self.method}]")

    __repr__ = __str__


def _pct(x: float, sign: str) -> str:
    if math.isnan(x):
        return "n/a"
    return f"{sign}{abs(x):.3g} %"


# ---- the inputs and their box ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Member:
    """One bound symbol with a range (before symbols bound from one catalogue row are joined into one dimension)."""

    sub: str
    symbol: str
    key: str           # the dimension it moves with: the row's id, or "given:<symbol>"
    constant: str
    basis: str
    nominal: float
    low: float
    high: float
    scale: float = 1.0  # bound value / the row's SI value (0.5 for a per-direction half)


@dataclass(frozen=True)
class _In:
    """One dimension of the box: a catalogue row (every symbol bound from it moves together, each scaled as it was
    bound) or a range the caller gave one symbol. Coordinates are the first member's bound value."""

    key: str
    constant: str
    basis: str
    nominal: float
    low: float
    high: float
    members: tuple[tuple[str, str, float], ...]   # (sub-result or "", symbol, value / first member's value)

    @property
    def sub(self) -> str:
        return self.members[0][0]

    @property
    def symbol(self) -> str:
        return self.members[0][1]

    @property
    def name(self) -> str:
        return ", ".join(f"{sub}.{sym}" if sub else sym for sub, sym, _ in self.members)


def _si_pair(symbol: str, rng: Any) -> tuple[float, float]:
    """A range the caller gave: two numbers in the symbol's SI unit, or two Quantities (converted)."""
    try:
        lo, hi = rng
    except (TypeError, ValueError):
        raise InputError(f"the range of {symbol!r} must be (low, high), got {rng!r}") from None
    out = []
    for v in (lo, hi):
        if hasattr(v, "magnitude") and hasattr(v, "units"):
            from ..notation import SYMBOLS
            from ..units import factor

            v = float(v.magnitude) * factor(f"{v.units}", SYMBOLS[symbol].unit) if symbol in SYMBOLS else \
                float(v.magnitude)
        try:
            v = float(v)
        except (TypeError, ValueError):
            raise InputError(f"the range of {symbol!r} must be two numbers, got {rng!r}") from None
        if not math.isfinite(v):
            raise InputError(f"the range of {symbol!r} must be finite, got {rng!r}")
        out.append(v)
    if out[0] > out[1]:
        raise InputError(f"the range of {symbol!r} must be (low, high) with low <= high, got {rng!r}")
    return out[0], out[1]


def _row_range(result: Result, symbol: str) -> tuple[str, str, float, float, float] | None:
    """(constant id, basis, low, high, scale) of the catalogue row bound to ``symbol``, scaled as the bound value is
    (a per-direction half of a bidirectional total is halved: scale 0.5); None without a ranged row."""
    from ..catalog import constant_by_id

    ref = result.refs.get(symbol)
    cid = ref.cited if ref is not None else None
    if cid is None:
        return None
    c = constant_by_id(cid)
    if c is None or c.range is None:
        return None
    sr = c.si_range
    v = float(result.values[symbol])
    if sr is None:
        return None
    if c.si == 0:
        return (c.id, c.range_basis, v, v, 1.0) if sr == (0.0, 0.0) else None
    scale = v / c.si
    lo, hi = sorted((sr[0] * scale, sr[1] * scale))
    return c.id, c.range_basis, lo, hi, scale


def _inputs(result: Result, leaves: Iterable[str], given: Mapping[str, tuple[float, float]],
            sub: str = "") -> list[_Member]:
    """The ranged symbols among ``leaves`` (a sub-result's inside it, for an input bound to its output)."""
    found: list[_Member] = []
    values = result.values
    for s in sorted(leaves):
        if s not in values or isinstance(values[s], bool):
            continue
        if not sub and s in given:
            lo, hi = given[s]
            found.append(_Member("", s, "given:" + s, "", "given by the caller", float(values[s]), lo, hi))
            continue
        if s.startswith("m_"):  # a mode flag: a choice, not a measured number
            continue
        ref = result.refs.get(s)
        rr = _row_range(result, s)
        if rr is not None:
            found.append(_Member(sub, s, rr[0], rr[0], rr[1], float(values[s]), rr[2], rr[3], rr[4]))
        elif isinstance(ref, Sub) and ref.name in result.subs and not sub:
            inner = result.subs[ref.name]
            found += _inputs(inner, _reach(inner, inner.report[0])[1], {}, ref.name)
    return [i for i in found if i.high > i.low or i.low != i.nominal]


def _dimensions(members: Iterable[_Member]) -> list[_In]:
    """Members joined by the row they were bound from (one number of the catalogue moves every symbol bound from
    it), in a fixed order."""
    by_key: dict[str, list[_Member]] = {}
    for m in members:
        lst = by_key.setdefault(m.key, [])
        if all((x.sub, x.symbol) != (m.sub, m.symbol) for x in lst):
            lst.append(m)
    out = []
    for key in sorted(by_key):
        ms = sorted(by_key[key], key=lambda m: (m.sub, m.symbol))
        # coordinates in the row's own SI value where a member is bound unscaled
        first = next((m for m in ms if m.nominal != 0 and m.scale == 1.0), None) or \
            next((m for m in ms if m.nominal != 0), ms[0])
        ms.remove(first)
        ms.insert(0, first)
        v0 = first.nominal
        members = tuple((m.sub, m.symbol, (m.nominal / v0) if v0 else 1.0) for m in ms)
        out.append(_In(key, first.constant, first.basis, first.nominal, first.low, first.high, members))
    return out


# ---- re-evaluation through the generated code ----------------------------------------------------------------------
class _Point:
    """The inputs and outputs of the result at one point of the box (what ``directional`` reads)."""

    __slots__ = ("values", "steps", "regimes", "subs")

    def __init__(self, values: dict[str, Any], steps: tuple[str, ...], regimes: dict[str, int],
                 subs: dict[str, _Point]):
        self.values, self.steps, self.regimes, self.subs = values, steps, regimes, subs


class _Box:
    """The result re-evaluated at points of its inputs' box: the result's own computations, in order, on a copy of
    its bound values with the ranged inputs moved (sub-results first, their output rebinding the parent's input)."""

    def __init__(self, result: Result, inputs: list[_In]):
        self.result = result
        self.inputs = inputs
        self.top = [(j, sym, r) for j, i in enumerate(inputs) for sub, sym, r in i.members if not sub]
        self.subs: dict[str, list[tuple[int, str, float]]] = {}
        for j, i in enumerate(inputs):
            for sub, sym, r in i.members:
                if sub:
                    self.subs.setdefault(sub, []).append((j, sym, r))
        self.parent = {name: [s for s, r in result.refs.items() if isinstance(r, Sub) and r.name == name]
                       for name in self.subs}
        self.nominal = tuple(i.nominal for i in inputs)
        self._cache: dict[tuple[float, ...], _Point] = {}
        self._slopes: dict[tuple[tuple[float, ...], int], tuple[dict[str, float], dict[str, float]]] = {}

    def at(self, x: tuple[float, ...]) -> _Point:
        hit = self._cache.get(x)
        if hit is not None:
            return hit
        res = self.result
        vals = dict(res.values)
        subs: dict[str, _Point] = {}
        for name, idx in self.subs.items():
            inner = res.subs[name]
            sv = dict(inner.values)
            for j, s, r in idx:
                sv[s] = x[j] * r if r != 1.0 else x[j]
            subs[name] = _run(inner.steps, sv)
            for s in self.parent[name]:
                vals[s] = sv[inner.report[0]]
        for j, s, r in self.top:
            vals[s] = x[j] * r if r != 1.0 else x[j]
        pt = _run(res.steps, vals)
        pt.subs = subs
        if len(self._cache) < 65536:
            self._cache[x] = pt
        return pt

    def slopes(self, x: tuple[float, ...], j: int) -> tuple[dict[str, float], dict[str, float]]:
        """(right, left) derivatives of every output at the point ``x`` along input ``j`` (computed once; the
        step-down pass runs only where the step-up pass met a tie)."""
        key = (x, j)
        hit = self._slopes.get(key)
        if hit is None:
            pt = self.at(x)
            ties = _special.TIES[0]
            right = self.derivatives(pt, j, 1.0)
            left = self.derivatives(pt, j, -1.0) if _special.TIES[0] != ties else right
            hit = (right, left)
            if len(self._slopes) < 65536:
                self._slopes[key] = hit
        return hit

    def derivatives(self, pt: _Point, j: int, side: float) -> dict[str, float]:
        """One-sided derivatives of every output at ``pt`` along dimension ``j``: every symbol bound from it seeded
        by its scale, a sub-result's chained through the sub-result's output into the parent's input."""
        seeds: dict[str, float] = {}
        for sub, sym, r in self.inputs[j].members:
            if not sub:
                seeds[sym] = seeds.get(sym, 0.0) + r
                continue
            inner = self.result.subs[sub]
            ds = directional(pt.subs[sub], {sym: r}, side).get(inner.report[0], 0.0)  # type: ignore[arg-type]
            for s in self.parent[sub]:
                seeds[s] = seeds.get(s, 0.0) + ds
        return directional(pt, seeds, side)  # type: ignore[arg-type]


def _run(steps: tuple[str, ...], vals: dict[str, Any]) -> _Point:
    return _Point(vals, steps, run_steps(steps, vals), {})


# ---- regimes ---------------------------------------------------------------------------------------------------------
def _regime_table(steps: tuple[str, ...]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """lhs -> (equation id, branch labels) of every equation of the steps."""
    out = {}
    for step in steps:
        for eid in _num.COMPUTATIONS[step][4]:
            lhs, _, _, labels = _num.EQUATIONS[eid]
            out[lhs] = (eid, labels)
    return out


def _kind(eid: str) -> str:
    from .._generated import equation_text as _text

    return _text.EQUATIONS.get(eid, {}).get("kind", "")


def _label(table: Mapping[str, tuple[str, tuple[str, ...]]], sym: str, idx: int) -> str:
    labels = table.get(sym, ("", ()))[1]
    return labels[idx] if 0 <= idx < len(labels) else f"branch {idx}"


# ---- the analysis ----------------------------------------------------------------------------------------------------
@dataclass
class _Target:
    name: str          # the field's name as asked
    symbol: str
    unit: str          # display unit
    factor: float      # SI -> display
    path: set[str]
    inputs: list[int]  # indices into the box's inputs the field can depend on


def _display(obj: Any, name: str) -> tuple[str, str, float]:
    """(symbol, display unit, factor SI -> display) of a view's value field or of a result's symbol."""
    from ..notation import SYMBOLS

    result = _result_of(obj)
    by_name = getattr(type(obj), "_BY_NAME", None)
    f = by_name.get(name) if by_name else None
    if f is not None:
        if f.kind != "value" or not f.symbol:
            raise InputError(f"{name!r} is not a numeric field of this result (a {f.kind} field has no interval)")
        if f.unit in ("bool", "str"):
            raise InputError(f"{name!r} is a flag; it has no interval")
        if f.unit in ("", "int"):
            return f.symbol, f.unit, 1.0
        from ..units import factor

        return f.symbol, f.unit, factor(SYMBOLS[f.symbol].unit, f.unit)
    if name in result.values:
        if isinstance(result.values[name], bool):
            raise InputError(f"{name!r} is a flag; it has no interval")
        row = SYMBOLS.get(name)
        return name, (row.unit if row else ""), 1.0
    fields = ", ".join(n for n, f in (by_name or {}).items() if f.kind == "value") or ", ".join(result.report)
    raise InputError(f"{name!r} is not a field of this result (fields: {fields})")


def _given(result: Result, ranges: Mapping[str, Any] | None) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for s, rng in (ranges or {}).items():
        if s not in result.values:
            raise InputError(f"{s!r} is not an input of this result; a range is given by input symbol "
                             f"(e.g. eta_hw, R_peak, BW_mem)")
        if any(s in _num.COMPUTATIONS[step][2] for step in result.steps):
            raise InputError(f"{s!r} is computed by this result, not bound; give a range to an input it uses")
        lo, hi = _si_pair(s, rng)
        v = float(result.values[s])
        if not lo <= v <= hi:
            raise InputError(f"the range of {s!r} [{lo:g}, {hi:g}] does not contain its value {v:g}")
        out[s] = (lo, hi)
    return out


def intervals(obj: Any, fields: Iterable[str] | None = None, *, ranges: Mapping[str, Any] | None = None,
              samples: int = SAMPLES) -> dict[str, Interval]:
    """The :class:`Interval` of each of ``fields`` (default: every numeric value field of a view, or the reported
    outputs of a Result), evaluated over one shared box of the ranged inputs."""
    result = _result_of(obj)
    if fields is None:
        by_name = getattr(type(obj), "_BY_NAME", None)
        if by_name:
            names = [n for n, f in by_name.items() if f.kind == "value" and f.symbol and f.unit not in ("bool", "str")
                     and not isinstance(result.values.get(f.symbol), bool) and _present(obj, f)]
        else:
            names = [s for s in result.report if not isinstance(result.values.get(s), bool)]
    else:
        names = list(fields)
    given = _given(result, ranges)
    targets: list[_Target] = []
    per_field: list[list[_Member]] = []
    for name in names:
        sym, unit, fac = _display(obj, name)
        path, leaves = _reach(result, sym)
        per_field.append(_inputs(result, leaves, given))
        targets.append(_Target(name, sym, unit, fac, path, []))
    dims = _dimensions(m for ms in per_field for m in ms)
    pos = {d.key: j for j, d in enumerate(dims)}
    for t, ms in zip(targets, per_field):
        t.inputs = sorted({pos[m.key] for m in ms})
    box = _Box(result, dims)
    return {t.name: _interval(box, t, samples) for t in targets}


def _present(obj: Any, f: Any) -> bool:
    """A conditional field (``when``) that is absent in this result has no interval (the view's own rule: a
    callable or a symbol whose truth decides)."""
    values = obj.result.values
    if f.symbol not in values:
        return False
    if f.when is None:
        return True
    return bool(f.when(values) if callable(f.when) else values.get(f.when))


def interval(obj: Any, field: str, *, ranges: Mapping[str, Any] | None = None, samples: int = SAMPLES) -> Interval:
    """The range of ``field`` (a view's field name, or a symbol of the result) over the ranges of the inputs it
    depends on: catalogue rows with a ``range``, and ``ranges`` given by input symbol (SI numbers or Quantities;
    they take precedence over a row's range). Exact when the field is monotone in each ranged input over the box,
    else sampled (inner bounds); see the module's docstring."""
    return intervals(obj, [field], ranges=ranges, samples=samples)[field]


def _interval(box: _Box, t: _Target, samples: int) -> Interval:
    from ..notation import SYMBOLS

    res = box.result
    y0 = float(res.values[t.symbol])
    si_unit = SYMBOLS[t.symbol].unit if t.symbol in SYMBOLS else ""
    idx = t.inputs
    if not idx or not math.isfinite(y0):
        v = y0 * t.factor
        return Interval(t.name, t.symbol, t.unit, si_unit, v, v, v, y0, y0, y0,
                        "exact: no ranged input" if not idx else "not evaluated: the nominal value is not finite")
    ins = box.inputs
    nominal = box.nominal
    table = _regime_table(res.steps)

    def point(assign: Mapping[int, float]) -> tuple[float, ...]:
        x = list(nominal)
        for j, v in assign.items():
            x[j] = v
        return tuple(x)

    def value(x: tuple[float, ...]) -> float:
        try:
            return float(box.at(x).values[t.symbol])
        except (InputError, ValueError, ArithmeticError) as exc:
            where = ", ".join(f"{k} = {v:.6g}" for k, v in _named(ins, idx, x).items())
            raise InputError(f"{t.name}: the walls cannot be evaluated inside the inputs' ranges (at {where}): "
                             f"{exc}") from None

    # each input alone: its ends (the band it causes and the sign of its effect)
    ends = {j: (point({j: ins[j].low}), point({j: ins[j].high})) for j in idx}
    # the derivatives' signs at the nominal point, the corners (or the candidate corners) and each input's ends
    checked: list[tuple[float, ...]] = [nominal]
    for j in idx:
        checked += ends[j]
    n_corners = 2 ** len(idx)
    corners: list[tuple[float, ...]] = []
    if n_corners <= MAX_CORNERS:
        for mask in range(n_corners):
            corners.append(point({j: (ins[j].high if mask >> b & 1 else ins[j].low) for b, j in enumerate(idx)}))
    scale = max(abs(y0), *(abs(value(x)) for x in checked)) or 1.0
    signs, monotone = _signs(box, t, idx, [*checked, *corners], scale)
    if monotone:
        # a zero derivative everywhere may still step (a jump): the ends decide, and must agree with any sign seen
        for j in idx:
            d = value(ends[j][1]) - value(ends[j][0])
            if abs(d) > _ZERO * scale:
                s = 1 if d > 0 else -1
                if signs[j] == 0:
                    signs[j] = s
                elif signs[j] != s:
                    monotone = False
    method = "exact: monotone"
    if monotone:
        hi_x = point({j: (ins[j].high if signs[j] > 0 else ins[j].low) for j in idx if signs[j]})
        lo_x = point({j: (ins[j].low if signs[j] > 0 else ins[j].high) for j in idx if signs[j]})
        if n_corners > MAX_CORNERS:  # the candidate corners' own derivatives must agree too
            more, ok = _signs(box, t, idx, [lo_x, hi_x], scale)
            monotone = ok and all(m == 0 or m == s for m, s in zip(more.values(), signs.values()))
        lo_v, hi_v = value(lo_x), value(hi_x)
        seen = [*checked, *corners]
        tol = _ZERO * scale
        if monotone and any(not (lo_v - tol <= value(x) <= hi_v + tol) for x in seen):
            monotone = False
        if monotone and _piecewise_changes(box, t, table, [*seen, lo_x, hi_x]):
            monotone = False
    if not monotone:
        pts = [*checked, *corners, *_lhs(ins, idx, nominal, samples)]
        if n_corners > MAX_CORNERS:
            pts += _some_corners(ins, idx, nominal, samples)
        vals = [(value(x), x) for x in pts]
        lo_v, lo_x = min(vals, key=lambda p: p[0])
        hi_v, hi_x = max(vals, key=lambda p: p[0])
        more: list[tuple[float, ...]] = []
        lo_v, lo_x = _refine(value, ins, idx, lo_v, lo_x, -1, samples, more)
        hi_v, hi_x = _refine(value, ins, idx, hi_v, hi_x, +1, samples, more)
        seen = [*pts, *more]
        method = f"sampled: {len(set(seen))} points"
    else:
        seen = [*checked, *corners, lo_x, hi_x]
    lo_v, hi_v = min(lo_v, y0), max(hi_v, y0)
    bands = []
    for j in idx:
        xs = list(ends[j])
        if not method.startswith("exact"):
            a, b = ins[j].low, ins[j].high
            xs += [point({j: a + (b - a) * k / (SWEEP - 1)}) for k in range(1, SWEEP - 1)]
        vs = [value(x) for x in xs] + [y0]
        i = ins[j]
        also = tuple(f"{sub}.{sym}" if sub else sym for sub, sym, _ in i.members[1:])
        bands.append(RangedInput(i.symbol, i.constant, i.basis, i.nominal, i.low, i.high,
                                 (min(vs) * t.factor, max(vs) * t.factor), i.sub, also))
    regimes = _regimes(box, t, table, seen, lo_x, hi_x)
    f = t.factor
    lo_d, hi_d = sorted((lo_v * f, hi_v * f))
    return Interval(t.name, t.symbol, t.unit, si_unit, y0 * f, lo_d, hi_d, y0, lo_v, hi_v, method, tuple(bands),
                    regimes, _named(ins, idx, lo_x), _named(ins, idx, hi_x))


def _named(ins: list[_In], idx: list[int], x: tuple[float, ...]) -> dict[str, float]:
    return {(f"{ins[j].sub}.{ins[j].symbol}" if ins[j].sub else ins[j].symbol): x[j] for j in idx}  # first members


def _signs(box: _Box, t: _Target, idx: list[int], pts: list[tuple[float, ...]],
           scale: float) -> tuple[dict[int, int], bool]:
    """The one sign of each input's derivatives over ``pts`` (0: none seen), and whether each input has one."""
    signs = {j: 0 for j in idx}
    for x in pts:
        for j in idx:
            width = box.inputs[j].high - box.inputs[j].low
            try:
                rd, ld = box.slopes(x, j)
            except (InputError, ValueError, ArithmeticError):  # no derivative here (a log of 0 …): not shown monotone
                return signs, False
            r, left = rd.get(t.symbol, 0.0), ld.get(t.symbol, 0.0)
            for d in (r, left):
                if math.isnan(d) or math.isinf(d):
                    return signs, False
                if abs(d) * width <= _ZERO * scale:
                    continue
                s = 1 if d > 0 else -1
                if signs[j] == 0:
                    signs[j] = s
                elif signs[j] != s:
                    return signs, False
    return signs, True


def _used(box: _Box, pt: _Point, t: _Target) -> frozenset[str]:
    """The outputs the field really used at ``pt`` (only the branches that bound; memoised by the result's
    closure table on the branches taken)."""
    res = box.result
    probe = Result(pt.values, res.refs, res.steps, pt.regimes, (t.symbol,), "")
    return frozenset(_num.EQUATIONS[eid][0] for eid in probe.closure((t.symbol,))[1])


def _path_regimes(box: _Box, pt: _Point, t: _Target) -> dict[str, int]:
    used = _used(box, pt, t)
    return {k: v for k, v in pt.regimes.items() if k in used}


def _piecewise_changes(box: _Box, t: _Target, table: Mapping[str, tuple[str, tuple[str, ...]]],
                       pts: list[tuple[float, ...]]) -> bool:
    """True when a Piecewise equation the field uses takes another branch somewhere among ``pts`` (a jump the
    derivatives cannot see)."""
    base = _path_regimes(box, box.at(box.nominal), t)
    for x in pts:
        here = _path_regimes(box, box.at(x), t)
        for k in set(base) | set(here):
            if base.get(k) != here.get(k) and _kind(table.get(k, ("", ()))[0]) == "piecewise":
                return True
    return False


def _regimes(box: _Box, t: _Target, table: Mapping[str, tuple[str, tuple[str, ...]]], pts: list[tuple[float, ...]],
             lo_x: tuple[float, ...], hi_x: tuple[float, ...]) -> dict[str, dict[str, Any]]:
    """Equations on the field's path whose binding branch differs between the points evaluated: the branch at the
    low end, at the nominal point, at the high end, and every branch seen."""
    nom = _path_regimes(box, box.at(box.nominal), t)
    seen: dict[str, list[int]] = {k: [v] for k, v in nom.items()}
    for x in pts:
        for k, v in _path_regimes(box, box.at(x), t).items():
            lst = seen.setdefault(k, [])
            if v not in lst:
                lst.append(v)
    lo, hi = _path_regimes(box, box.at(lo_x), t), _path_regimes(box, box.at(hi_x), t)
    out: dict[str, dict[str, Any]] = {}
    for k in sorted(seen):
        if len(seen[k]) > 1:
            out[k] = {"low": _label(table, k, lo.get(k, -1)), "nominal": _label(table, k, nom.get(k, -1)),
                      "high": _label(table, k, hi.get(k, -1)), "seen": [_label(table, k, i) for i in seen[k]]}
    return out


def _refine(value: Any, ins: list[_In], idx: list[int], best: float, x: tuple[float, ...], sign: int, samples: int,
            tried: list[tuple[float, ...]]) -> tuple[float, tuple[float, ...]]:
    """A pattern search from the best sample towards a larger (``sign`` +1) or smaller (−1) value, inside the box:
    steps of a sample's spacing along each input, halved when no step improves (still an inner bound)."""
    step = {j: (ins[j].high - ins[j].low) * 2.0 / max(samples, 1) for j in idx}
    for _ in range(48):
        moved = False
        for j in idx:
            for d in (step[j], -step[j]):
                y = list(x)
                y[j] = min(ins[j].high, max(ins[j].low, x[j] + d))
                y = tuple(y)
                if y == x:
                    continue
                tried.append(y)
                v = value(y)
                if (v - best) * sign > 0:
                    best, x, moved = v, y, True
                    break
        if not moved:
            step = {j: h / 2 for j, h in step.items()}
            if all(h <= (ins[j].high - ins[j].low) * 1e-12 for j, h in step.items()):
                break
    return best, x


def _lhs(ins: list[_In], idx: list[int], nominal: tuple[float, ...], n: int) -> list[tuple[float, ...]]:
    """A Latin hypercube of ``n`` points over the inputs ``idx`` (fixed seed: the same points every run)."""
    if n <= 0:
        return []
    rng = random.Random(SEED)
    cols = {}
    for j in idx:
        strata = list(range(n))
        rng.shuffle(strata)
        a, b = ins[j].low, ins[j].high
        cols[j] = [a + (b - a) * (s + rng.random()) / n for s in strata]
    out = []
    for k in range(n):
        x = list(nominal)
        for j in idx:
            x[j] = cols[j][k]
        out.append(tuple(x))
    return out


def _some_corners(ins: list[_In], idx: list[int], nominal: tuple[float, ...], n: int) -> list[tuple[float, ...]]:
    """``n`` corners of a box with too many to list (fixed seed)."""
    rng = random.Random(SEED + 1)
    out = []
    for _ in range(n):
        x = list(nominal)
        for j in idx:
            x[j] = ins[j].high if rng.random() < 0.5 else ins[j].low
        out.append(tuple(x))
    return out


def explain_lines(obj: Any) -> list[str]:
    """One line per field of ``obj`` with a nonzero band (what ``explain()`` appends); [] when no input has a range
    (then nothing is evaluated beyond finding that out)."""
    result = _result_of(obj)
    if not _has_ranged_input(result):
        return []
    try:
        ivs = intervals(obj)
    except InputError as exc:
        return [f"  not evaluated: {exc}"]
    return [f"  {name}: {iv.explain_line()}" for name, iv in ivs.items() if iv.band]


def _has_ranged_input(result: Result) -> bool:
    from ..catalog import constant_by_id

    for s in result.refs:
        ref = result.refs.get(s)
        cid = ref.cited if ref is not None else None
        if cid is not None:
            c = constant_by_id(cid)
            if c is not None and c.range is not None and c.range[0] != c.range[1]:
                return True
        elif isinstance(ref, Sub) and ref.name in result.subs and _has_ranged_input(result.subs[ref.name]):
            return True
    return False


__all__ = ["Interval", "RangedInput", "SAMPLES", "interval", "intervals", "explain_lines"]
