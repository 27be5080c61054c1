"""The YAML plan as pydantic v2 models: the one definition the loader validates against and ``schema`` prints.

Every block forbids unknown keys (0.3.0's ``extra="forbid"``). Quantities may be a plain number in the field's
documented unit or a text with a unit (``"50 GB/s"``); the text is checked by the project's unit parser
(``units.parse_quantity``: a finite decimal and registry unit names, never evaluated). This module imports only
pydantic (and the bounds of :mod:`mlsysim_sym.validate`): building the JSON Schema loads neither SymPy nor pint.
"""
from __future__ import annotations

from typing import Annotated, Any, Optional, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from ..validate import EFFICIENCY

PLAN_VERSIONS = ("1", "1.0")
#: a decimal number followed by a unit (the JSON Schema's pattern; the loader parses it with the unit registry)
QUANTITY_PATTERN = r"^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*[^\s\d.+-].*$"
_MAX_TEXT = 200


def _no_bool(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError("a number is expected, not a boolean")
    return v


def _quantity(unit: str, dimension_of: str, gt: float | None = None, le: float | None = None) -> Any:
    """A validator: a finite number (already in ``unit``) stays; a text is parsed and converted to ``unit``; then
    the bounds (``gt`` < value <= ``le``, in ``unit``) are checked."""
    def check(v: Any) -> Any:
        if isinstance(v, str):
            from ..errors import MlsysimError
            from ..units import parse_quantity

            try:
                v = parse_quantity(v, expect=dimension_of).m_as(unit)
            except MlsysimError as exc:
                raise ValueError(str(exc)) from None
            except (OverflowError, ArithmeticError):
                raise ValueError(f"{v!r} is out of range") from None
        v = float(v)
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("the value is not finite")
        if gt is not None and not v > gt:
            raise ValueError(f"must be greater than {gt:g} {unit}, got {v:g} {unit}")
        if le is not None and v > le:
            raise ValueError(f"must be at most {le:g} {unit}, got {v:g} {unit}")
        return v
    return check


Count = Annotated[StrictInt, Field(gt=0, le=10**6)]
Text = Annotated[str, Field(min_length=1, max_length=_MAX_TEXT)]
FiniteFloat = Annotated[float, BeforeValidator(_no_bool), Field(allow_inf_nan=False)]
QuantityText = Annotated[str, Field(pattern=QUANTITY_PATTERN, max_length=_MAX_TEXT)]


def quantity_field(unit: str, dimension_of: str, what: str, **kw: Any) -> Any:
    """The annotation of a quantity field documented in ``unit`` (a number in it, or a text with a unit)."""
    example = kw.pop("example")
    gt, le = kw.pop("gt", 0.0), kw.pop("le", 1e12)
    return Annotated[Union[FiniteFloat, QuantityText], AfterValidator(_quantity(unit, dimension_of, gt, le)),
                     Field(description=f"{what}: a number in {unit} (> {gt:g}, <= {le:g}), or a text with a unit "
                                       f"such as '{example}'", **kw)]


Bandwidth = quantity_field("GB/s", "B/s", "per-direction bandwidth", example="50 GB/s")
Days = quantity_field("d", "s", "operating period", example="2 weeks", gt=0, le=1e6)
Bound = Union[FiniteFloat, QuantityText]


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)


class Workload(_Block):
    """What runs: a catalogued model (``mlsysim-sym zoo models``), its global batch and sequence length."""

    name: Text = Field(description="catalogued model key, e.g. Llama3_70B")
    batch_size: Count = Field(default=1, description="global batch size (samples or sequences)")
    seq_len: Count = Field(default=2048, description="sequence length in tokens (training step, serving)")


class Hardware(_Block):
    """Where it runs: a catalogued accelerator and how many, grouped into nodes on a fabric.

    ``nodes`` (the documents' key) and ``accelerators`` (0.3.0's) both mean the TOTAL number of accelerators;
    ``node_count`` x ``accelerators_per_node`` says the same in two parts (the three must agree)."""

    name: Text = Field(description="catalogued accelerator key, e.g. H100")
    nodes: Optional[Count] = Field(default=None, description="total accelerators (the documents' historical name; "
                                                             "same as accelerators)")
    accelerators: Optional[Count] = Field(default=None, description="total accelerators")
    node_count: Optional[Count] = Field(default=None, description="number of nodes (needs accelerators_per_node)")
    accelerators_per_node: Optional[Count] = Field(
        default=None, description="accelerators in one node (default: the catalogued node of this accelerator, else "
                                  "the device's own accelerator count, else 1)")
    intra_node_bw: Optional[Bandwidth] = Field(default=None)  # type: ignore[valid-type]
    fabric_bandwidth: Optional[Bandwidth] = Field(default=None)  # type: ignore[valid-type]
    fabric: Optional[Text] = Field(default=None, description="catalogued fabric key (mlsysim-sym zoo fabrics); "
                                                             "default InfiniBand_NDR (400 Gb/s = 50 GB/s)")
    precision: Text = Field(default="fp16", description="numeric precision: fp32, tf32, bf16, fp16, fp8, int8, int4")
    # the facades' own bounds (validate.EFFICIENCY), so a value the plan accepts is one the walls accept
    efficiency: Optional[Annotated[FiniteFloat, Field(ge=EFFICIENCY.lo, le=EFFICIENCY.hi)]] = Field(
        default=None, description=f"hardware efficiency (MFU target) in {EFFICIENCY.interval()}; default the "
                                  f"catalogue knob (0.5)")


class Ops(_Block):
    """Operations: where the fleet runs (a catalogued grid, ``mlsysim-sym zoo grids``) and for how long."""

    region: Text = Field(default="US_Avg", description="catalogued grid key, e.g. Quebec")
    duration_days: Days = Field(default=30.0)  # type: ignore[valid-type]


class Assertion(_Block):
    """A bound on one metric, ``lens.metric`` (``performance.latency``); ``max``/``min`` are numbers in the metric's
    documented unit or texts with a unit (``"50 ms"``)."""

    metric: Text = Field(description="lens.metric, e.g. performance.latency (ms), macro.tco_usd, macro.carbon_kg")
    max: Optional[Bound] = Field(default=None, description="upper bound (metric's unit, or a text with a unit)")
    min: Optional[Bound] = Field(default=None, description="lower bound (metric's unit, or a text with a unit)")


class Constraints(_Block):
    asserts: list[Assertion] = Field(default_factory=list, alias="assert", max_length=100,
                                     description="bounds that must hold; a violation exits 3")


class Serving(_Block):
    """Inputs of ``optimize batching`` (0.3.0 took them as --qps and --sla-ms; the CLI options still override)."""

    arrival_rate_qps: Optional[Annotated[FiniteFloat, Field(gt=0, le=1e9)]] = Field(
        default=None, description="request arrival rate, queries per second")
    sla_latency_ms: Optional[quantity_field("ms", "s", "p99 latency target", example="200 ms", gt=0)] = Field(  # type: ignore[valid-type]
        default=None)
    num_replicas: Optional[Count] = Field(default=None, description="serving replicas (default: the accelerators)")
    max_search_batch: Optional[Annotated[StrictInt, Field(gt=0, le=4096)]] = Field(
        default=None, description="largest batch searched (default 256)")


class Plan(_Block):
    """An mlsysim-sym plan: a workload on hardware, optionally operated somewhere, with assertions."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True,
                              title="mlsysim-sym plan")

    version: Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, (int, float)) and not isinstance(
        v, bool) else v), Field(description="plan format version: \"1.0\"")]
    name: Optional[Text] = Field(default=None, description="scenario name (default: the file name)")
    workload: Workload
    hardware: Hardware
    ops: Optional[Ops] = Field(default=None, description="omit for no economics (macro lens SKIPPED)")
    constraints: Optional[Constraints] = None
    serving: Optional[Serving] = None


__all__ = ["Assertion", "Constraints", "Hardware", "Ops", "PLAN_VERSIONS", "Plan", "Serving", "Workload"]
