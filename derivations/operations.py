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

# ---- The $9M question (TCO breakdown) and geography matters (carbon and water by region) -----------------------
from mlsysim_sym.export.spec import BookFigure, BookTable, Cited, FigureData, TableData  # noqa: E402

TITLE = "The $9M question and geography"
ORDER = 60
_TCO_YEAR = resolver("EconomicsModel", fleet="Training_1K", duration_days=365, mfu=0.45)
REGIONS = ("Quebec_Hydro", "Norway_Hydro", "France_Nuclear", "EU_Average", "US_Hyperscale", "Iowa_Reference",
           "Poland_Coal")

VALUES += [
    BookValue("EconTrainingOneKYearTco", "Training_1K (1,024 H100), one year at MFU 0.45: TCO", _TCO_YEAR, "tco_usd",
              "USD", 3),
    BookValue("EconTrainingOneKYearCapex", "same: amortised hardware (capex share of the year)", _TCO_YEAR,
              "capex_usd", "USD", 3),
    BookValue("EconTrainingOneKYearEnergy", "same: energy cost", _TCO_YEAR, "opex_energy_usd", "USD", 3),
]


def _tco_parts():
    r = _TCO_YEAR.run()
    return [("Hardware (amortised)", float(r.capex_usd.m_as("USD"))),
            ("Energy", float(r.opex_energy_usd.m_as("USD"))),
            ("Maintenance", float(r.opex_maintenance_usd.m_as("USD")))], float(r.tco_usd.m_as("USD"))


def _tco_figure() -> FigureData:
    parts, total = _tco_parts()
    cols = {"component": [p[0] for p in parts], "usd": [p[1] for p in parts],
            "share": [p[1] / total for p in parts]}

    def draw(ax, c):
        ys = list(range(len(c["component"])))[::-1]
        ax.barh(ys, [u / 1e6 for u in c["usd"]], color=["#A51C30", "#E67817", "#006395"])
        for y, u, s in zip(ys, c["usd"], c["share"]):
            ax.annotate(f"${u / 1e6:.2f}M ({s:.0%})", (u / 1e6, y), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=8)
        ax.set_yticks(ys, c["component"])
        ax.set_xlabel("Cost over one year [million USD]")
        ax.set_xlim(0, max(c["usd"]) / 1e6 * 1.35)
        ax.set_title(f"TCO of 1,024 H100 for a year: ${sum(c['usd']) / 1e6:.2f}M")
        ax.grid(axis="y", visible=False)

    return FigureData(cols, draw, size=(5.6, 2.6))


def _region(dc: str):
    return resolver("SustainabilityModel", fleet="Research_256", duration_days=30, datacenter=dc, mfu=0.42).run()


def _region_table() -> TableData:
    from mlsysim_sym import catalog

    cat = catalog()
    rows = []
    for dc in REGIONS:
        r = _region(dc)
        grid = cat.entity("datacenter", dc).attrs["grid"]
        ci, pue = cat.constants[f"grid.{grid}.carbon_intensity"], cat.constants[f"grid.{grid}.pue"]
        rows.append([str(r.region_name), Cited(ci.printed, ci.bibkey, ci.locator),
                     Cited(pue.printed, pue.bibkey, pue.locator), f"{r.total_energy_kwh.m_as('MWh'):.1f}",
                     f"{r.operational_carbon_kg.m_as('tCO2e'):.1f}",
                     f"{r.water_usage_liters.m_as('kL'):.0f}", f"{r.offsite_water_liters.m_as('kL'):.0f}"])
    return TableData(["Region", "Grid intensity", "PUE", "Energy [MWh]", "Carbon [tCO2e]", "On-site water [kL]",
                      "Off-site water [kL]"], rows, align="lrrrrrr",
                     note="Research_256 (256 H100) for 30 days at MFU 0.42; the same job, seven grids and sites.")


def _region_figure() -> FigureData:
    cols: dict[str, list] = {"region": [], "carbon_t": [], "water_onsite_kl": [], "water_offsite_kl": []}
    for dc in REGIONS:
        r = _region(dc)
        cols["region"].append(str(r.region_name))
        cols["carbon_t"].append(float(r.operational_carbon_kg.m_as("tCO2e")))
        cols["water_onsite_kl"].append(float(r.water_usage_liters.m_as("kL")))
        cols["water_offsite_kl"].append(float(r.offsite_water_liters.m_as("kL")))

    def draw(ax, c):
        ys = list(range(len(c["region"])))[::-1]
        ax.barh([y + 0.2 for y in ys], c["carbon_t"], height=0.4, color="#A51C30", label="Operational carbon [tCO2e]")
        ax.barh([y - 0.2 for y in ys], [(a + b) / 10 for a, b in zip(c["water_onsite_kl"], c["water_offsite_kl"])],
                height=0.4, color="#006395", label="Water, on- + off-site [10 kL]")
        ax.set_yticks(ys, c["region"])
        ax.set_xlabel("Operational carbon [tCO2e]  /  water [10 kL]")
        ax.set_title("Same job, different grid: 256 H100 for 30 days")
        ax.legend(loc="upper right")
        ax.grid(axis="y", visible=False)

    return FigureData(cols, draw, size=(5.6, 3.4))


TABLES = [BookTable("regions", "Carbon and water of one job by region", _region_table)]
FIGURES = [
    BookFigure("tco", "Where the money goes: one year of a 1,024-GPU H100 cluster", _tco_figure),
    BookFigure("regions", "Carbon and water of the same 30-day job in seven regions", _region_figure),
]
