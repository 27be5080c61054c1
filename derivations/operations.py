"""Operations chapter: energy, carbon and water (wall 18), cost of ownership (wall 17), responsible engineering
(wall 20)."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, resolver

_DAY = resolver("SustainabilityModel", fleet="Research_256", duration_days=1, mfu=0.45)
_MONTH_IOWA = resolver("SustainabilityModel", fleet="Research_256", duration_days=30, datacenter="Iowa", mfu=0.42)
_MONTH_QUEBEC = resolver("SustainabilityModel", fleet="Research_256", duration_days=30, datacenter="Quebec", mfu=0.42)
_TCO = resolver("EconomicsModel", fleet="Training_1K", duration_days=30, mfu=0.45)
_TCO_INFRA = resolver("EconomicsModel", fleet="Training_1K", duration_days=30, mfu=0.45, infrastructure_multiplier=2.0)
_DP = resolver("ResponsibleEngineeringModel", base_training_time="100 h", epsilon=1.0)

VALUES = [
    BookValue("SustResearchDayEnergy", "Research_256 (256 H100), one day at MFU 0.45: facility energy", _DAY,
              "total_energy_kwh", "kWh", 4),
    BookValue("SustResearchDayCarbon", "same: operational CO2e on the US-average grid", _DAY, "operational_carbon_kg",
              "kgCO2e", 4),
    BookValue("SustResearchDayEmbodied", "same: embodied CO2e of the day (of a 3-year life)", _DAY,
              "embodied_carbon_kg", "kgCO2e", 3),
    BookValue("SustResearchMonthIowaCarbon", "Research_256, 30 days at MFU 0.42 in Iowa: operational CO2e", _MONTH_IOWA,
              "operational_carbon_kg", "tCO2e", 3),
    BookValue("SustResearchMonthQuebecCarbon", "same in Quebec: operational CO2e", _MONTH_QUEBEC,
              "operational_carbon_kg", "tCO2e", 3),
    BookValue("SustResearchMonthIowaWater", "same in Iowa: on-site water", _MONTH_IOWA, "water_usage_liters", "kL", 3),
    BookValue("EconTrainingOneKTco", "Training_1K (1,024 H100), 30 days: TCO, accelerators only", _TCO, "tco_usd",
              "USD", 3),
    BookValue("EconTrainingOneKTcoInfra", "same with infrastructure multiplier 2: TCO", _TCO_INFRA, "tco_usd", "USD",
              3),
    BookValue("EconTrainingOneKGpuHour", "same (multiplier 1): owned cost per GPU-hour", _TCO,
              "cost_per_accelerator_hour", "USD/h", 3),
    BookValue("EconTrainingOneKRent", "same GPU-hours rented at the catalogued cloud price", _TCO, "rental_cost_usd",
              "USD", 3),
    BookValue("SafetyDpEpsilonOne", "DP-SGD at epsilon 1: slowdown factor", _DP, "dp_slowdown_factor", "", 3),
]
