"""``Scenarios``: MLSys·im 0.3.0's executable application scenarios — a workload on a device or a fleet, with the
application's requirements (SLA latency, power budget, input data rate) — and their three-lens evaluation.

The class is :class:`ApplicationScenario` (``mlsysim_sym.Scenario`` is our explicit-binding evaluator). Every
requirement is a cited catalogue row (``knobs.scenarios.*``: the requirement as 0.3.0's registry states it) or a
quantity the caller gives; ``evaluate()`` returns a :class:`~mlsysim_sym.evaluation.SystemEvaluation` whose
levels keep the facade results and the requirement rows they were compared with.

Modelling choices (0.3.0's, recorded in docs/decisions/evaluation.md):

* **Feasibility**: the weights at the requested precision (``M_w`` of the performance model) against one
  accelerator's memory — on a fleet too: a data-parallel replica holds every weight. With an input data rate, the
  data wall (``DataModel``) must also keep up; a device with no catalogued data path cannot carry any demand, so
  the pipeline is reported stalled (utilisation inf).
* **Performance**: the single-device roofline, or the data-parallel fleet model, at the catalogue's default
  efficiency; FAIL when the latency exceeds the SLA.
* **Macro**: one year (``knobs.evaluation.macro_duration``) of ``EconomicsModel`` at full utilisation, on the
  fleet, or for a single device on a stand-in fleet of one one-accelerator node on 10 GbE.
* The power budget and the accuracy target are carried (cited) but not evaluated, as in 0.3.0.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from .errors import InfeasibleError, InputError, OOMError, SLAViolation, UnknownKeyError
from .evaluation import FAIL, PASS, EvaluationLevel, SystemEvaluation
from .systems import Fleet, Node

#: the data paths DataModel reads (storage read, host link, network ingest): with none, no demand can be carried
_DATA_PATHS = ("storage.bandwidth", "host_link.bandwidth", "network.bandwidth")


class Requirement:
    """An application requirement: a cited catalogue row (``"knobs.scenarios.chatbot_serving_sla_latency"``, read
    from the active edition) or a quantity the caller states (``"50 ms"``)."""

    __slots__ = ("name", "given", "unit")

    def __init__(self, name: str, given: Any, unit: str):
        from .validate import quantity

        self.name, self.unit = name, unit
        if isinstance(given, str) and given.startswith("knobs."):
            from .catalog import catalog

            if given not in catalog().constants:
                raise UnknownKeyError("catalogue knob", given, [c for c in catalog().constants if
                                                                 c.startswith("knobs.")], "mlsysim-sym knobs")
            self.given: Any = given
        else:
            self.given = quantity(unit, 0.0, 1e30, lo_open=True)(name, given)  # SI float, checked

    def _row(self) -> Any:
        from . import editions

        return editions.active().catalog.constants[self.given]

    @property
    def si(self) -> float:
        return self._row().si if isinstance(self.given, str) else float(self.given)

    @property
    def quantity(self) -> Any:
        from .units import quantity

        if isinstance(self.given, str):
            c = self._row()
            return quantity(c.value, c.unit)
        return quantity(self.given, self.unit)

    @property
    def source(self) -> Any:
        """Where the requirement comes from (a SourceRef: the cited row, or the caller's argument)."""
        from .evaluate import SourceRef

        if isinstance(self.given, str):
            c = self._row()
            return SourceRef(self.name, c.id, c.bibkey, c.locator, c.kind, c.printed)
        return SourceRef(self.name, f"arg:{self.name}", "", "", "argument", f"{self.given:g} {self.unit}")


class ApplicationScenario:
    """A workload on a system with an application's requirements (0.3.0's ``Scenario``).

    ``system`` is a ``Hardware.*`` device or a fleet (``Systems.Clusters.*``, ``Fleet(...)``). Requirements are
    catalogue knob ids or quantities: ``sla_latency`` (time), ``power_budget`` (power), ``data_rate`` (the
    workload's input rate; 0.3.0 keeps it on a copy of the workload), ``target_accuracy`` (a fraction)."""

    def __init__(self, name: str, description: str, workload: Any, system: Any, application: str | None = None,
                 sla_latency: Any = None, power_budget: Any = None, data_rate: Any = None,
                 target_accuracy: float | None = None, workload_name: str | None = None):
        from .binding import resolve_hardware, resolve_model
        from .systems import Fleet
        from .validate import fraction

        if not isinstance(name, str) or not name.strip():
            raise InputError(f"name must be a non-empty text, got {name!r}")
        self.name, self.description, self.application = name, description, application
        self.workload = resolve_model(workload, "workload")
        self.system = system if isinstance(system, Fleet) else resolve_hardware(system, "system")
        self._sla = None if sla_latency is None else Requirement("sla_latency", sla_latency, "s")
        self._power = None if power_budget is None else Requirement("power_budget", power_budget, "W")
        self._rate = None if data_rate is None else Requirement("data_rate", data_rate, "B/s")
        self.target_accuracy = None if target_accuracy is None else fraction()("target_accuracy", target_accuracy)
        self.workload_name = workload_name or self.workload.name

    # ---- 0.3.0's attributes --------------------------------------------------------------------------------
    @property
    def is_distributed(self) -> bool:
        from .systems import Fleet

        return isinstance(self.system, Fleet)

    @property
    def hardware(self) -> Any:
        """The accelerator: the device, or the fleet's node accelerator."""
        return self.system.node.accelerator if self.is_distributed else self.system

    @property
    def sla_latency(self) -> Any:
        return None if self._sla is None else self._sla.quantity

    @property
    def power_budget(self) -> Any:
        return None if self._power is None else self._power.quantity

    @property
    def data_rate(self) -> Any:
        return None if self._rate is None else self._rate.quantity

    @property
    def requirements(self) -> list[Any]:
        """Where each stated requirement comes from (cited rows or the caller's values)."""
        return [r.source for r in (self._sla, self._power, self._rate) if r is not None]

    def __repr__(self) -> str:
        return f"ApplicationScenario({self.name!r}, workload={self.workload.key}, system={self.system.key})"

    # ---- evaluation ----------------------------------------------------------------------------------------
    def evaluate(self, batch_size: int = 1, precision: str = "fp16") -> SystemEvaluation:
        """Feasibility (weights vs memory, data wall), Performance (latency vs SLA), Macro (a year's carbon and
        TCO): see the module's docstring for the choices."""
        if self.is_distributed:
            from .resolvers.distributed import DistributedModel

            perf = DistributedModel().solve(self.workload, self.system, batch_size=batch_size, precision=precision)
            latency, throughput = perf.step_latency_total, perf.effective_throughput
            metrics: dict[str, Any] = {"latency": latency, "throughput": throughput,
                                       "scaling_eff": perf.scaling_efficiency,
                                       "mfu": perf.node_profile.mfu * perf.scaling_efficiency,
                                       "node_mfu": perf.node_profile.mfu}
            perf_name = "DistributedModel"
        else:
            from .engine import SingleNodeModel

            perf = SingleNodeModel().solve(self.workload, self.system, batch_size=batch_size, precision=precision)
            latency, throughput = perf.latency, perf.throughput
            metrics = {"latency": latency, "throughput": throughput, "bottleneck": perf.bottleneck}
            perf_name = "SingleNodeModel"
        metrics["sla_latency"] = None if self._sla is None else self._sla.quantity.to("ms")
        feasibility = self._feasibility(perf, perf_name)

        late = self._sla is not None and latency.m_as("s") > self._sla.si
        target = "N/A" if self._sla is None else _shown_ms(self._sla.si)
        performance = EvaluationLevel("Performance", FAIL if late else PASS,
                                      f"Latency: {latency.m_as('ms'):.2f} ms (Target: {target})", metrics,
                                      {perf_name: perf},
                                      requirements=(self._sla.source,) if self._sla is not None else ())
        return SystemEvaluation(self.name, feasibility, performance, self._macro())

    def _feasibility(self, perf: Any, perf_name: str) -> EvaluationLevel:
        from .units import factor, quantity

        v = perf.result.values
        weights, capacity = v["M_w"], v["C_mem"]
        fits = weights <= capacity
        unit = "MB" if weights < 1e9 else "GB"
        f = factor("B", unit)
        text = (f"Model fits in memory ({weights * f:.1f} {unit} / {capacity * f:.1f} {unit})" if fits else
                f"OOM: Requires {weights * f:.1f} {unit} but only has {capacity * f:.1f} {unit}")
        results: dict[str, Any] = {perf_name: perf}
        notes: list[str] = []
        stalled = False
        if self._rate is not None:
            stalled, util, data = self._data()
            if data is not None:
                results["DataModel"] = data
            else:
                notes.append(f"{self.hardware.key} has no catalogued data path: no supply to carry the demand")
            text += (f" | Data Wall: Pipeline Stalled ({util:.1f}x capacity)" if stalled else
                     f" | Data Pipeline: OK ({util * 100:.1f}%)")
        return EvaluationLevel(
            "Feasibility", PASS if fits and not stalled else FAIL, text,
            {"weight_size": quantity(weights * factor("B", "GB"), "GB"),
             "capacity": quantity(capacity * factor("B", "GB"), "GB"), "data_stalled": stalled},
            results, requirements=(self._rate.source,) if self._rate is not None else (), notes=tuple(notes))

    def _data(self) -> tuple[bool, float, Any]:
        """(stalled, utilisation, DataModel result or None when the device has no data path)."""
        from . import editions

        ent = editions.active().entity(self.hardware)
        if not any(ent.values.get(p) is not None and ent.values[p].si > 0 for p in _DATA_PATHS):
            return True, math.inf, None
        from .resolvers.data import DataModel

        d = DataModel().solve(self._rate.quantity, self.hardware)
        return bool(d.is_stalled), float(d.utilization), d

    def _macro(self) -> EvaluationLevel:
        from . import editions
        from .resolvers.operations import EconomicsModel
        from .units import factor

        c = editions.active().catalog.constants["knobs.evaluation.macro_duration"]
        days = c.si * factor("s", "d")
        from .evaluate import SourceRef
        from .evaluation import WARNING, priced

        fleet = self.system if self.is_distributed else _one_device_fleet(self.hardware)
        period = "Annual" if days == 365 else f"{days:g}-day"
        req = (SourceRef("T_macro", c.id, c.bibkey, c.locator, c.kind, c.printed),)
        if not priced(fleet):
            from .resolvers.operations import SustainabilityModel

            s = SustainabilityModel().solve(fleet, duration_days=days)
            carbon = s.carbon_footprint_kg.m_as("kgCO2e")
            return EvaluationLevel("Macro", WARNING, f"{period} Carbon: {carbon:.1f} kg | TCO: n/a (no catalogued "
                                   f"purchase price for {self.hardware.key})", {"carbon_kg": carbon, "tco_usd": None},
                                   {"SustainabilityModel": s}, requirements=req,
                                   notes=("TCO needs the accelerator's purchase price, which the catalogue lacks",))
        e = EconomicsModel().solve(fleet, duration_days=days)
        carbon, tco = e.carbon_footprint_kg.m_as("kgCO2e"), e.tco_usd.m_as("USD")
        return EvaluationLevel("Macro", PASS, f"{period} Carbon: {carbon:.1f} kg | TCO: ${tco:,.0f}",
                               {"carbon_kg": carbon, "tco_usd": tco}, {"EconomicsModel": e}, requirements=req,
                               notes=("priced at full utilisation (mfu = 1), as 0.3.0 does",))

    def validate(self, batch_size: int = 1, precision: str = "fp16") -> bool:
        """True when every lens passes; raises :class:`OOMError` when the weights do not fit,
        :class:`InfeasibleError` when only the data pipeline stalls, :class:`SLAViolation` when the latency misses
        the SLA."""
        ev = self.evaluate(batch_size=batch_size, precision=precision)
        if ev.feasibility.status == FAIL:
            v = ev.feasibility.metrics
            cls = OOMError if v["weight_size"] > v["capacity"] else InfeasibleError
            raise cls(f"Feasibility Failure: {ev.feasibility.summary}")
        if ev.performance.status == FAIL:
            raise SLAViolation(f"Performance Failure: {ev.performance.summary}")
        return True


def _shown_ms(si: float) -> str:
    ms = si * 1e3
    r = round(ms)
    return f"{r} ms" if abs(ms - r) < 1e-9 * max(1.0, abs(ms)) else f"{ms:g} ms"


@lru_cache(maxsize=64)
def _one_device_fleet_of(key: str) -> Any:
    return _build_one_device_fleet(key)


def _one_device_fleet(hardware: Any) -> Any:
    """A fleet of one node holding one ``hardware`` (for the macro lens of a single-device scenario)."""
    if hardware.entity.file == "<user>":
        return _build_one_device_fleet(hardware.key, hardware)
    return _one_device_fleet_of(hardware.key)


def _build_one_device_fleet(key: str, hardware: Any = None) -> Any:
    from .catalog import Entity, catalog, user_row

    cat = catalog()
    bw = cat.constants["knobs.evaluation.macro_intra_node_bw"]
    node_ent = Entity("node", f"One_{key}", f"One {key}", "Custom", {"accelerator": key},
                      {"accelerators_per_node": user_row(f"node.One_{key}", "accelerators_per_node", 1.0, "", "count"),
                       "intra_node_bw": bw}, "<user>")
    node = _OneDeviceNode(node_ent, cat, hardware)
    fleet_ent = Entity("cluster", f"One_{key}", f"One {key}", "Custom", {"node": node_ent.key,
                                                                            "fabric": "Ethernet_10G"},
                       {"node_count": user_row(f"cluster.One_{key}", "node_count", 1.0, "", "count")}, "<user>")
    return _OneDeviceFleet(fleet_ent, cat, node)


class _OneDeviceNode(Node):
    """A node built for the macro lens (not catalogued): its accelerator is the scenario's device."""

    def __init__(self, entity: Any, cat: Any, hardware: Any = None):
        super().__init__(entity, cat)
        self._hw = hardware

    @property
    def accelerator(self) -> Any:
        return self._hw if self._hw is not None else super().accelerator


class _OneDeviceFleet(Fleet):
    """A one-node fleet built for the macro lens; its node is :class:`_OneDeviceNode`."""

    def __init__(self, entity: Any, cat: Any, node: Any):
        super().__init__(entity, cat)
        self._node = node

    @property
    def node(self) -> Any:
        return self._node


# ---- the registry --------------------------------------------------------------------------------------------
_K = "knobs.scenarios."
#: 0.3.0's executable application scenarios: (name, description, application, workload, system, requirements)
_SPECS: dict[str, tuple[str, str, str, str, str, dict[str, Any]]] = {
    "SmartDoorbell": ("Smart Doorbell", "Identifying humans at the door using a sub-watt microcontroller.",
                      "Smart Doorbell", "WakeVision", "ESP32_S3",
                      {"sla_latency": _K + "smart_doorbell_sla_latency",
                       "power_budget": _K + "smart_doorbell_power_budget"}),
    "SmartDoorbellResponsiveChime": (
        "Smart Doorbell, responsive chime", "Identifying humans at the door using a sub-watt microcontroller.",
        "Smart Doorbell", "WakeVision", "ESP32_S3",
        {"sla_latency": _K + "smart_doorbell_chime_sla_latency", "power_budget": _K + "smart_doorbell_power_budget"}),
    "TinySensor": ("Anomaly Sensor", "Low-power vibration monitoring for industrial predictive maintenance.",
                   "Industrial Anomaly Detection", "AnomalyDetector", "ESP32_S3",
                   {"sla_latency": _K + "tiny_sensor_sla_latency", "power_budget": _K + "tiny_sensor_power_budget"}),
    "AutonomousVehicle": ("Autonomous Vehicle", "Real-time object detection for safe urban navigation.",
                          "Autonomous Vehicle", "YOLOv8_Nano", "JetsonOrinNX",
                          {"sla_latency": _K + "autonomous_vehicle_sla_latency"}),
    "AutonomousVehicle_Waymo": ("Waymo AV Data Pipeline",
                                "High-throughput data ingestion for autonomous fleet training.",
                                "Autonomous Vehicle", "YOLOv8_Nano", "JetsonOrinNX",
                                {"sla_latency": _K + "autonomous_vehicle_sla_latency",
                                 "data_rate": _K + "av_sensor_data_rate_high", "workload_name": "Waymo (High)"}),
    "MobileHealth": ("Mobile Health", "On-device medical image analysis for remote diagnostics.", "Mobile Health",
                     "MobileNetV2", "iPhone15Pro", {"sla_latency": _K + "mobile_health_sla_latency"}),
    "FederatedMobileVision": (
        "Federated Mobile Vision",
        "On-device federated training and inference of a MobileNet on smartphone-class hardware.",
        "Federated mobile learning", "MobileNetV2", "iPhone15Pro",
        {"power_budget": _K + "mobile_ml_sustained_power_high"}),
    "MobileAssistant": ("Mobile Assistant", "On-device assistant with a quantized small LLM on a smartphone.",
                        "Mobile Assistant", "Llama3_8B", "iPhone15Pro",
                        {"sla_latency": _K + "mobile_assistant_sla_latency",
                         "power_budget": _K + "mobile_assistant_power_budget"}),
    "LocalTraining": ("Local LLM Fine-tuning", "Fine-tuning a Llama-3 model on a high-end student workstation.",
                      "Local Fine-tuning", "Llama3_8B", "MacBookM3Max",
                      {"sla_latency": _K + "local_training_sla_latency"}),
    "FrontierTraining": ("Frontier LLM Training",
                         "Pre-training a GPT-4-class frontier model on an 8,192-GPU H100 fleet.",
                         "Frontier Training", "GPT4", "cluster:Frontier_8K",
                         {"sla_latency": _K + "frontier_training_sla_latency"}),
    "DenseLLMPretrainingReference": (
        "Dense LLM Pretraining (175B, 1,024 H100)",
        "GPT-3-class dense transformer pretrained with mixed-precision Adam on the 1,024-GPU reference cluster.",
        "Dense LLM pretraining", "GPT3", "cluster:Training_1K", {}),
    "ChatbotServing": ("Chatbot Serving", "Serving a Llama-3 8B chatbot on a single H100 with latency SLA.",
                       "Chatbot Serving", "Llama3_8B", "H100", {"sla_latency": _K + "chatbot_serving_sla_latency"}),
    "KeywordSpotting": ("Keyword Spotting",
                        "Always-on wake-word detection on a microcontroller (MLPerf Tiny benchmark).",
                        "Keyword Spotting", "DS_CNN", "ESP32_S3",
                        {"sla_latency": _K + "keyword_spotting_sla_latency",
                         "power_budget": _K + "keyword_spotting_power_budget"}),
}


class _ScenarioRegistry:
    """``Scenarios.ChatbotServing`` …: 0.3.0's executable scenarios, built on first use."""

    def __init__(self) -> None:
        self._built: dict[str, ApplicationScenario] = {}

    def get(self, key: str) -> ApplicationScenario:
        if not isinstance(key, str) or key not in _SPECS:
            raise UnknownKeyError("scenario", str(key), _SPECS, "mlsysim_sym.Scenarios.list()")
        hit = self._built.get(key)
        if hit is None:
            name, desc, app, model, system, req = _SPECS[key]
            if system.startswith("cluster:"):
                from .systems import Systems

                sys_obj: Any = Systems.Clusters.get(system.split(":", 1)[1])
            else:
                sys_obj = system
            hit = self._built[key] = ApplicationScenario(name, desc, model, sys_obj, application=app, **req)
        return hit

    __getitem__ = get

    def __getattr__(self, key: str) -> ApplicationScenario:
        if key.startswith("_"):
            raise AttributeError(key)
        return self.get(key)

    def list(self) -> list[str]:
        return list(_SPECS)

    def __iter__(self):
        return (self.get(k) for k in _SPECS)

    def __len__(self) -> int:
        return len(_SPECS)

    def __dir__(self) -> list[str]:
        return self.list()

    def __repr__(self) -> str:
        return f"<Scenarios: {len(self)} entries>"


Scenarios = _ScenarioRegistry()

__all__ = ["ApplicationScenario", "Requirement", "Scenarios"]
