"""Catalogue objects with MLSys·im 0.3.0's attribute names: hardware devices and workloads.

Each object wraps one catalogue :class:`~mlsysim_sym.catalog.Entity`. Attributes that 0.3.0 exposes as pint
Quantities (``hw.memory.bandwidth``, ``model.parameters``) are built on access, in the unit the source printed;
the engine never touches them: it reads SI floats and catalogue ids through :meth:`HardwareNode.bind` and
:meth:`Workload.bind` (cached per object), so the hot path needs neither pint nor SymPy.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from .catalog import Catalog, Constant, Entity
from .errors import InputError

PRECISIONS = ("fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4")
# fp16 and bf16 have the same width and, on every catalogued device that prints both, the same tensor rate;
# a device that prints only one serves the other at that rate (declared in docs/deviations.toml).
TWIN_PRECISION = {"fp16": "bf16", "bf16": "fp16"}


def _q(c: Constant | None) -> Any:
    if c is None:
        return None
    from .units import Q_

    return Q_(c.value, c.unit or "")


def _q_per_direction(c: Constant | None) -> Any:
    q = _q(c)
    if q is not None and c is not None and c.direction == "bidirectional_total":
        return q / 2
    return q


class _CatalogObject:
    kind = ""

    def __init__(self, entity: Entity, catalog: Catalog):
        self._e = entity
        self._cat = catalog

    @property
    def key(self) -> str:
        return self._e.key

    @property
    def name(self) -> str:
        return self._e.name

    @property
    def category(self) -> str:
        return self._e.category

    @property
    def entity(self) -> Entity:
        return self._e

    def value(self, fld: str) -> Any:
        """A field as a pint Quantity in the unit the source printed (None if not catalogued)."""
        return _q(self._e.values.get(fld))

    @property
    def sources(self) -> list[Constant]:
        return list(self._e.values.values())

    def describe(self) -> str:
        """A card: every catalogued value with its citation (bibkey, locator, kind, conditions)."""
        lines = [f"{self.name}  ({self._e.id}, {self._e.file})"]
        for k, v in sorted(self._e.attrs.items()):
            lines.append(f"  {k}: {v}")
        width = max((len(f) for f in self._e.values), default=0)
        for fld, c in self._e.values.items():
            d = f" [{c.direction}]" if c.direction else ""
            lines.append(f"  {fld:<{width}}  {c.printed}{d}")
            lines.append(f"  {'':<{width}}    {c.kind}: [{c.bibkey}] {c.locator}; {c.conditions}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key}: {self.name}>"

    def _repr_markdown_(self) -> str:
        rows = ["| field | value | source | conditions |", "|---|---|---|---|"]
        for fld, c in self._e.values.items():
            rows.append(f"| {fld} | {c.printed} | {c.bibkey}, {c.locator} | {c.conditions} |")
        return f"**{self.name}** (`{self._e.id}`)\n\n" + "\n".join(rows)


class HardwareNode(_CatalogObject):
    """A device of the Silicon Zoo (``Hardware.Cloud.H100``)."""

    kind = "hardware"

    # ---- 0.3.0 attribute surface --------------------------------------------------------------------
    @property
    def release_year(self) -> int | None:
        c = self._e.values.get("release_year")
        return int(c.value) if c else None

    @property
    def headline_precision(self) -> str:
        return self._e.attrs.get("headline_precision", "fp16")

    @property
    def compute(self) -> SimpleNamespace:
        vals = self._e.values
        prec = {f[5:]: _q(c) for f, c in vals.items() if f.startswith("peak.")}
        head = vals.get(f"peak.{self.headline_precision}")
        sm = vals.get("sm_count")
        return SimpleNamespace(peak_flops=_q(head), precision_flops=prec, sm_count=int(sm.value) if sm else None)

    @property
    def memory(self) -> SimpleNamespace:
        v = self.value
        return SimpleNamespace(capacity=v("memory.capacity"), bandwidth=v("memory.bandwidth"),
                               sram_capacity=v("sram.capacity"), sram_bandwidth=v("sram.bandwidth"),
                               flash_capacity=v("flash.capacity"), flash_bandwidth=v("flash.bandwidth"),
                               l2_cache=v("l2.capacity"))

    def _link(self, prefix: str, name_attr: str) -> SimpleNamespace | None:
        c = self._e.values.get(f"{prefix}.bandwidth")
        if c is None:
            return None
        return SimpleNamespace(name=self._e.attrs.get(name_attr, prefix), bandwidth=_q(c), direction=c.direction,
                               bandwidth_per_direction=_q_per_direction(c))

    @property
    def interconnect(self) -> SimpleNamespace | None:
        return self._link("host_link", "host_link_name")

    @property
    def nvlink(self) -> SimpleNamespace | None:
        return self._link("scaleup_link", "scaleup_link_name")

    @property
    def storage(self) -> SimpleNamespace | None:
        if "storage.capacity" not in self._e.values and "storage.bandwidth" not in self._e.values:
            return None
        return SimpleNamespace(capacity=self.value("storage.capacity"), bandwidth=self.value("storage.bandwidth"))

    @property
    def tdp(self) -> Any:
        return self.value("tdp")

    @property
    def unit_cost(self) -> Any:
        return self.value("unit_cost")

    @property
    def dispatch_tax(self) -> Any:
        return self.value("dispatch_tax")

    @property
    def embodied_carbon_kg(self) -> float | None:
        return self._e.si("embodied_carbon")

    @property
    def accelerator_count(self) -> int:
        c = self._e.values.get("accelerator_count")
        return int(c.value) if c else 1

    def precisions(self) -> list[str]:
        return sorted(f[5:] for f in self._e.values if f.startswith("peak.") and not f.endswith("_sparse"))

    def peak_constant(self, precision: str) -> Constant:
        """The catalogued dense peak for ``precision`` (fp16/bf16 serve each other); else an InputError."""
        vals = self._e.values
        c = vals.get(f"peak.{precision}")
        if c is None and precision in TWIN_PRECISION:
            c = vals.get(f"peak.{TWIN_PRECISION[precision]}")
        if c is None:
            have = ", ".join(self.precisions()) or "none"
            raise InputError(f"{self.key} has no catalogued {precision} rate (catalogued: {have}); "
                             f"choose one of those precisions")
        return c

    def ridge_point(self, precision: str = "fp16") -> float:
        """Peak FLOP/s over memory bandwidth, in FLOP/byte: the equation ``roofline.ridge_point`` evaluated on this
        device's rows (``ridge(precision)`` gives the Result with its sources)."""
        return float(self.ridge(precision)["I_ridge"])

    def ridge(self, precision: str = "fp16") -> Any:
        """The ridge point as a Result (value, sources, trace) of this device's rows under the active edition."""
        from . import editions
        from .evaluate import evaluate
        from .provenance import Row

        ed = editions.active()
        ent = ed.entity(self)
        peak = HardwareNode(ent, self._cat).peak_constant(precision)
        tier = "memory" if "memory.capacity" in ent.values else "sram"
        bw = ent.values.get(f"{tier}.bandwidth")
        if bw is None:
            raise InputError(f"{self.key} has no catalogued memory bandwidth")
        return evaluate(["device.ridge_point"], {"R_peak": peak.si, "BW_mem": bw.si},
                        {"R_peak": Row(peak.id), "BW_mem": Row(bw.id)}, ("I_ridge",), ed.catalog.hash,
                        edition=ed.name)


class Workload(_CatalogObject):
    """A model of the Model Zoo (``Models.Language.Llama3_8B``)."""

    kind = "model"

    @property
    def workload(self) -> str:
        return self._e.attrs.get("workload", "")

    @property
    def flops_basis(self) -> str:
        return self._e.attrs.get("flops_basis", "")

    def _int(self, fld: str) -> int | None:
        c = self._e.values.get(fld)
        return int(c.value) if c else None

    @property
    def parameters(self) -> Any:
        c = self._e.values.get("params")
        if c is None:
            return None
        from .units import Q_

        return Q_(c.si, "param")

    @property
    def active_parameters(self) -> Any:
        c = self._e.values.get("params.active")
        if c is None:
            return None
        from .units import Q_

        return Q_(c.si, "param")

    @property
    def inference_flops(self) -> Any:
        return self.value("flops.inference")

    @property
    def model_size(self) -> Any:
        return self.value("model_size")

    layers = property(lambda self: self._int("layers"))
    hidden_dim = property(lambda self: self._int("hidden"))
    heads = property(lambda self: self._int("heads"))
    kv_heads = property(lambda self: self._int("kv_heads"))
    head_dim = property(lambda self: self._int("head_dim"))
    ffn_dim = property(lambda self: self._int("ffn"))
    vocab_size = property(lambda self: self._int("vocab"))
    experts = property(lambda self: self._int("experts"))
    active_experts_per_token = property(lambda self: self._int("experts.active"))
    kv_latent_dim = property(lambda self: self._int("mla.kv_rank"))
    rope_dim = property(lambda self: self._int("mla.rope_dim"))
    state_size = property(lambda self: self._int("ssm.state"))

    def si(self, fld: str) -> float | None:
        return self._e.si(fld)

    def ref(self, fld: str) -> str:
        c = self._e.values.get(fld)
        return "const:" + c.id if c else f"absent:{self.key}.{fld}"


_CUSTOM_FIELDS = {"parameters": ("params", "param"), "active_parameters": ("params.active", "param"),
                  "inference_flops": ("flops.inference", "FLOP"), "layers": ("layers", ""), "hidden_dim": ("hidden", ""),
                  "heads": ("heads", ""), "kv_heads": ("kv_heads", ""), "head_dim": ("head_dim", ""),
                  "experts": ("experts", ""), "active_experts_per_token": ("experts.active", ""),
                  "kv_lora_rank": ("mla.kv_rank", ""), "qk_rope_head_dim": ("mla.rope_dim", ""),
                  "vocab_size": ("vocab", "")}


def TransformerWorkload(name: str, parameters: Any, layers: int, hidden_dim: int | None = None,
                        heads: int | None = None, kv_heads: int | None = None, head_dim: int | None = None,
                        inference_flops: Any = None, active_parameters: Any = None, experts: int | None = None,
                        active_experts_per_token: int | None = None, kv_lora_rank: int | None = None,
                        qk_rope_head_dim: int | None = None, architecture: str = "Transformer",
                        vocab_size: int | None = None) -> Workload:
    """A user-defined transformer (0.3.0's constructor names). Its values are the caller's: they trace to
    ``user`` in results, not to a citation. Quantities may be pint Quantities, strings ("180e9 param") or numbers."""
    from .catalog import Entity, catalog, user_row

    from .validate import count, quantity, real

    if not isinstance(name, str) or not name.strip():
        raise InputError(f"name must be a non-empty text, got {name!r}")
    args = {"parameters": parameters, "layers": layers, "hidden_dim": hidden_dim, "heads": heads,
            "kv_heads": kv_heads, "head_dim": head_dim, "inference_flops": inference_flops,
            "active_parameters": active_parameters, "experts": experts,
            "active_experts_per_token": active_experts_per_token, "kv_lora_rank": kv_lora_rank,
            "qk_rope_head_dim": qk_rope_head_dim, "vocab_size": vocab_size}
    key = "".join(ch if ch.isalnum() else "_" for ch in name)
    eid = f"model.{key}"
    values: dict[str, Constant] = {}
    dims = count(1, 10**7)  # layers, widths, heads, experts
    for arg, v in args.items():
        if v is None:
            continue
        fld, unit = _CUSTOM_FIELDS[arg]
        if unit == "param":  # a count: a number, or a quantity in param (Gparam …)
            si = quantity("param", 0.0, 1e16, shown_unit="param")(arg, v) if isinstance(v, str) or \
                hasattr(v, "m_as") else real(0.0, 1e16, lo_open=True)(arg, v)
        elif unit == "FLOP":
            si = quantity("FLOP", 0.0, 1e25, shown_unit="GFLOP")(arg, v)
        else:
            si = float(dims(arg, v))
        values[fld] = user_row(eid, fld, si, unit, arg)
    workload = "moe" if experts else "transformer"
    ent = Entity("model", key, name, "Custom", {"workload": workload, "architecture": architecture, "flops_basis": "token"},
                 values, "<user>")
    return Workload(ent, catalog())
