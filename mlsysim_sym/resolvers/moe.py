"""MoERoutingModel and NetworkRooflineModel."""
from __future__ import annotations

from typing import Any, ClassVar

from ..engine import efficiency_binding, normalize_precision, precision_bytes, resolve_model
from ..errors import InputError
from ..evaluate import evaluate
from ..results import LazyQ, ResultView
from ..systems import Fleet, Systems
from ..validate import FACTOR
from .common import bind_const, catalog_hash_of, check_int, static_inputs


def resolve_fleet(fleet: Any) -> Any:
    if isinstance(fleet, Fleet):
        return fleet
    if isinstance(fleet, str):
        return Systems.Clusters.get(fleet)
    raise InputError(f"fleet must be a Systems.Clusters entry or key, not {type(fleet).__name__}")


def bind_fabric(fleet: Any, values: dict[str, float], refs: dict[str, str]) -> None:
    fab = fleet.fabric.entity.values
    values["BW_fab"], refs["BW_fab"] = fab["bandwidth"].per_direction()
    os_ = fab.get("oversubscription")
    values["os_fab"], refs["os_fab"] = (os_.si, "const:" + os_.id) if os_ else (1.0, f"absent:{fleet.fabric.key}.oversubscription (non-blocking)")
    lat = fab.get("latency")
    if lat is None:
        raise InputError(f"fabric {fleet.fabric.key} has no catalogued latency")
    values["alpha_fab"], refs["alpha_fab"] = lat.si, "const:" + lat.id


class MoERoutingResult(ResultView):
    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {
        "effective_active_experts": ("e_eff", ""), "effective_active_parameters": ("P_act_eff", "param"),
        "active_parameter_multiplier": ("m_route", ""), "token_dispatch_bytes": ("D_dispatch", "MB"),
    }


class MoERoutingModel:
    requires = ("workload",)
    produces = "MoERoutingResult"

    def solve(self, model: Any, batch_size: int, seq_len: int, precision: str = "fp16", ep_size: int = 1,
              routing_imbalance_factor: float = 1.0, fleet: Any = None) -> MoERoutingResult:
        m = resolve_model(model)
        if m.workload != "moe":
            raise InputError(f"{m.key} is not a mixture-of-experts model")
        prec = normalize_precision(precision)
        f = FACTOR("routing_imbalance_factor", routing_imbalance_factor)
        ep_size = check_int(ep_size, "ep_size", maximum=10**6)
        values = {"B": float(check_int(batch_size, "batch_size")), "S": float(check_int(seq_len, "seq_len")),
                  "N_ep_r": float(check_int(ep_size, "ep_size")), "f_imb": f}
        refs = {"B": "arg:batch_size", "S": "arg:seq_len", "N_ep_r": "arg:ep_size", "f_imb": "arg:routing_imbalance_factor"}
        fl = resolve_fleet(fleet) if (fleet is not None and ep_size > 1) else None

        def build(v: dict[str, float], r: dict[str, str]) -> None:
            v["b_w"], r["b_w"] = precision_bytes(prec)
            purpose = "MoE routing needs it"
            bind_const(m, "experts", "E_exp", v, r, required=purpose)
            bind_const(m, "experts.active", "k_top", v, r, required=purpose)
            bind_const(m, "params.active", "P_act", v, r, required=purpose)
            bind_const(m, "hidden", "h", v, r, required=purpose)
            if fl is not None:
                bind_fabric(fl, v, r)
            else:
                v.update(BW_fab=1.0, os_fab=1.0, alpha_fab=0.0)
                r.update(BW_fab="absent:fleet", os_fab="absent:fleet", alpha_fab="absent:fleet")

        sv, sr, _ = static_inputs("moe", (m, fl), (prec,), build)
        values.update(sv)
        refs.update(sr)
        r = evaluate(["moe.routing"], values, refs, ("e_eff", "P_act_eff", "D_dispatch"),
                     catalog_hash_of(m, fl))
        a2a = LazyQ(r.values["T_a2a"] * 1e3, "ms") if (fleet is not None and ep_size > 1) else None
        return MoERoutingResult(r, routing_imbalance_factor=f, ep_size=ep_size, all_to_all_latency=a2a)


class NetworkRooflineModel:
    """Data-parallel step bound by compute or by the gradient all-reduce over the fabric."""

    requires = ("workload", "fleet")
    produces = "PerformanceProfile"

    def solve(self, model: Any, fleet: Any, precision: str = "fp16", efficiency: float | None = None) -> Any:
        m = resolve_model(model)
        fl = resolve_fleet(fleet)
        prec = normalize_precision(precision)

        def build(values: dict[str, float], refs: dict[str, str]) -> None:
            peak = fl.node.accelerator.peak_constant(prec)
            values["R_peak"], refs["R_peak"] = peak.si, "const:" + peak.id
            values["N_acc"], refs["N_acc"] = float(fl.total_accelerators), \
                f"derived:{fl.key} nodes x accelerators per node"
            values["b_w"], refs["b_w"] = precision_bytes(prec)
            bind_const(m, "params", "P", values, refs, required="NetworkRooflineModel requires a parameter count")
            bind_fabric(fl, values, refs)

        sv, sr, _ = static_inputs("netroof", (m, fl), (prec,), build)
        values = dict(sv)
        refs = dict(sr)
        values["eta_hw"], refs["eta_hw"] = efficiency_binding(efficiency)
        r = evaluate(["netroof.step"], values, refs, ("T_nr", "MFU_net"), catalog_hash_of(m, fl))
        return NetworkRooflineResult(r)


class NetworkRooflineResult(ResultView):
    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {
        "latency": ("T_nr", "ms"), "latency_compute": ("T_nc", "ms"), "latency_memory": ("T_net", "ms"),
        "arithmetic_intensity": ("I_net", "FLOP/B"), "memory_footprint": ("D_sync", "GB"),
        "peak_bw_actual": ("beta_fab", "GB/s"), "mfu": ("MFU_net", ""), "hfu": ("MFU_net", ""),
    }
    _DERIVED = ("bottleneck", "throughput")

    @property
    def bottleneck(self) -> str:
        return self._result.regime("T_nr")

    @property
    def throughput(self) -> Any:
        from ..units import Q_

        return Q_(1.0 / self._result.values["T_nr"], "1/s")

    feasible = True
