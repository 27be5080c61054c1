"""The OPERATIONS walls' facades for money, carbon and responsibility: SustainabilityModel (wall 18),
EconomicsModel (wall 17) and ResponsibleEngineeringModel (wall 20), with 0.3.0's argument and result names.

Where a fleet runs decides its PUE, grid carbon intensity, water and electricity price: the ``datacenter`` given
(a datacenter or a grid), else the cluster's datacenter or region, else the catalogue's US-average grid; the PUE
falls back to the catalogue's best-practice air-cooled facility when nothing states one (as 0.3.0)."""
from __future__ import annotations

from typing import Any

from ..binding import Obj, arg, custom, derived, facade, fixed, info, knob, knob_default, missing, out, row
from ..binding.groups import FLEET_COUNT
from ..binding.reads import Ctx, bound
from ..errors import InputError
from ..provenance import Fixed, Missing
from ..validate import fraction, quantity, real

_DAYS = real(0.0, 1e6, lo_open=True)
_MFU = fraction(0.0, lo_open=False)


def _where(edition: Any, objects: Any, names: tuple[str, ...]) -> tuple[Any, Any, str]:
    """(facility entity or None, grid entity, how it was chosen): the first of the objects ``names`` given (a
    datacenter or a grid), else the cluster's datacenter, else its region, else the US-average grid."""
    ents = edition.catalog.entities
    site = next((objects.get(n) for n in names if objects.get(n) is not None), None)
    fleet = objects.get("fleet")
    fleet = edition.entity(fleet) if fleet is not None else None
    if site is not None:
        ent = edition.entity(site)
        if ent.kind == "datacenter":
            return ent, ents[("grid", ent.attrs["grid"])], "given datacenter"
        return None, ent, "given grid"
    if fleet is not None and fleet.attrs.get("datacenter"):
        dc = ents[("datacenter", fleet.attrs["datacenter"])]
        return dc, ents[("grid", dc.attrs["grid"])], "cluster datacenter"
    if fleet is not None and fleet.attrs.get("region"):
        return None, ents[("grid", fleet.attrs["region"])], "cluster region"
    return None, ents[("grid", "US_Avg")], "US average (nothing stated)"


def _first(ents: tuple[Any, ...], fld: str) -> Any:
    return next((e.values[fld] for e in ents if e is not None and fld in e.values), None)


def _site_reads(*given: str):
    """PUE, carbon intensity, WUE of where the fleet runs (the facility's own, else its grid's)."""
    def fn(ctx: Ctx) -> list:
        dc, grid, _ = _where(ctx.edition, ctx.objects, given)
        pue = _first((dc, grid), "pue")
        ci = _first((grid,), "carbon_intensity")
        wue = _first((dc, grid), "wue")
        if ci is None:
            raise InputError(f"{grid.key} has no catalogued carbon intensity")
        out = [bound(pue) if pue is not None else ctx.knob("knobs.cooling.pue_best_air"),
               bound(ci),
               bound(wue) if wue is not None else
               (0.0, Missing(grid.key, "wue", "on-site water needs the site's WUE"))]
        return out
    return fn


def _site_name(*given: str, facility: bool = False):
    """The grid's name (0.3.0's ``region_name``), or the facility's where one is named (``site_name``)."""
    def fn(view: Any) -> str:
        from ..editions import active

        dc, grid, _ = _where(active(), view._objs, given)
        return (dc or grid).name if facility else grid.name
    return fn


_SUSTAIN_READS = (
    *FLEET_COUNT,
    row("fleet.node.accelerator", "tdp", "P_tdp", absent=missing("energy needs the accelerator's TDP")),
    knob("engine.idle_power_fraction", "f_idle"),
    row("fleet.node.accelerator", "embodied_carbon", "C_emb_cat"),
    fixed("m_emb", 1, "count the catalogued embodied carbon"), fixed("m_amort", 1, "amortise over the service life"),
    fixed("m_wfac", 0, "WUE per IT energy (The Green Grid)"),
    knob("sustainability.electricity_water_intensity", "EWIF"),
)
_SUSTAIN_FIELDS = (
    out("it_energy_kwh", "E_it", "kWh"), out("total_energy_kwh", "E_fac", "kWh"),
    out("carbon_footprint_kg", "CO2_tot", "kgCO2e"), out("water_usage_liters", "H2O_site", "L"),
    out("pue", "PUE_f"), out("embodied_carbon_kg", "CO2_emb", "kgCO2e"),
    out("operational_carbon_kg", "CO2_loc", "kgCO2e"), out("market_based_carbon_kg", "CO2_mkt", "kgCO2e"),
    out("offsite_water_liters", "H2O_off", "L"), out("power_per_accelerator", "P_chip", "W"),
)

SustainabilityModel = facade(
    "SustainabilityModel",
    computation="sust.fleet",
    objects=[Obj("fleet", "fleet"), Obj("datacenter", "site", optional=True,
                                        purpose="where the fleet runs: a datacenter or a grid")],
    args=[arg("duration_days", "T_op", _DAYS, unit="d"), arg("mfu", "u_f", _MFU, 1.0),
          arg("embodied_carbon_per_device", "C_emb_arg", real(0.0, 1e9), None, unit="kgCO2e",
              none=(0.0, Fixed("the catalogued embodied carbon")),
              doc="kg CO2e per accelerator (None: the catalogue's, amortised over the service life)"),
          arg("renewable_share", "f_rec", fraction(0.0, lo_open=False), 0.0,
              doc="share of the energy covered by contractual instruments (market-based CO2e)"),
          arg("service_life_years", "L_life", real(0.0, 100.0, lo_open=True), None, unit="yr",
              none=knob_default("pricing.service_life"))],
    order=("fleet", "duration_days", "datacenter", "mfu", "embodied_carbon_per_device", "renewable_share",
           "service_life_years"),
    reads=[*_SUSTAIN_READS, custom(("PUE_f", "CI_grid", "WUE_f"), _site_reads("datacenter"), ("fleet",))],
    fields=[*_SUSTAIN_FIELDS, derived("region_name", _site_name("datacenter"), "str"),
            derived("site_name", _site_name("datacenter", facility=True), "str")],
    trace=["Sustainability: {E_it:kWh} IT × PUE {PUE_f:.3g} = {E_fac:kWh}; {CO2_loc:kgCO2e} operational + "
           "{CO2_emb:kgCO2e} embodied."],
    report=("E_fac", "CO2_tot", "H2O_site"),
    requires=("fleet",), walls=(18,),
    doc="Energy, carbon (location- and market-based, embodied) and water of a fleet's operation (0.3.0's "
        "SustainabilityModel).")
SustainabilityResult = SustainabilityModel.result_class


def _price(ctx: Ctx) -> list:
    """Electricity price: the grid's or facility's catalogued price, else the catalogue's US cloud default (a kwh_price
    argument overrides both)."""
    dc, grid, _ = _where(ctx.edition, ctx.objects, ("grid", "datacenter"))
    c = _first((dc, grid), "electricity_price")
    return [bound(c) if c is not None else ctx.knob("knobs.pricing.cloud_electricity")]


EconomicsModel = facade(
    "EconomicsModel",
    computation="econ.fleet",
    objects=[Obj("fleet", "fleet"), Obj("datacenter", "site", optional=True, purpose="where the fleet runs"),
             Obj("grid", "site", optional=True, purpose="the grid it draws from (a datacenter wins)")],
    args=[arg("duration_days", "T_op", _DAYS, unit="d"),
          arg("kwh_price", "p_kwh_arg", real(0.0, 1e3), None, unit="USD/kWh", none=(0.0, Fixed("from the site"))),
          arg("mfu", "u_f", _MFU, 1.0),
          arg("amortization_years", "L_life", real(0.0, 100.0, lo_open=True), None, unit="yr",
              none=knob_default("pricing.service_life")),
          arg("infrastructure_multiplier", "m_infra", real(1.0, 100.0), 1.0,
              doc="CapEx multiplier for networking, cooling, facility (1: accelerators only; 2-2.5: a datacenter)"),
          arg("embodied_carbon_per_device", "C_emb_arg", real(0.0, 1e9), None, unit="kgCO2e",
              none=(0.0, Fixed("the catalogued embodied carbon"))),
          arg("renewable_share", "f_rec", fraction(0.0, lo_open=False), 0.0),
          arg("rental_price_per_accelerator_hour", "p_rent", real(0.0, 1e6), None, unit="USD/h",
              none=knob_default("pricing.gpu_training_hour")),
          arg("throughput_tokens_per_s", "X_serve", real(0.0, 1e15), None, unit="1/s",
              none=(0.0, Fixed("no throughput given")))],
    order=("fleet", "duration_days", "kwh_price", "datacenter", "grid", "mfu", "amortization_years",
           "infrastructure_multiplier", "embodied_carbon_per_device", "renewable_share",
           "rental_price_per_accelerator_hour", "throughput_tokens_per_s"),
    reads=[*_SUSTAIN_READS, custom(("PUE_f", "CI_grid", "WUE_f"), _site_reads("datacenter", "grid"), ("fleet",)),
           custom(("p_site",), _price, ("fleet",)),
           row("fleet.node.accelerator", "unit_cost", "c_unit",
               absent=missing("CapEx needs the accelerator's purchase price")),
           knob("pricing.annual_maintenance_ratio", "r_maint")],
    fields=[out("capex_usd", "Capex_p", "USD"), out("opex_energy_usd", "Opex_e", "USD"),
            out("opex_maintenance_usd", "Opex_m", "USD"), out("total_opex_usd", "Opex", "USD"),
            out("tco_usd", "TCO", "USD"),
            out("cost_per_accelerator_hour", "c_gpuh", "USD/h"), out("rental_cost_usd", "Rent", "USD"),
            out("cost_per_million_tokens", "c_mtok", "USD", when=lambda v: v["X_serve"] > 0),
            out("capex_total_usd", "Capex", "USD"), *_SUSTAIN_FIELDS,
            derived("region_name", _site_name("datacenter", "grid"), "str"),
            derived("site_name", _site_name("datacenter", "grid", facility=True), "str")],
    trace=["Capital: CapEx {Capex_p:USD} + energy {Opex_e:USD} + maintenance {Opex_m:USD} = TCO {TCO:USD} over "
           "{T_op:d}."],
    report=("TCO", "Capex_p", "Opex_e", "Opex_m"),
    requires=("fleet",), walls=(17, 18),
    doc="Total cost of ownership of a fleet's operation (0.3.0's EconomicsModel): amortised CapEx with an "
        "infrastructure multiplier, energy at the site's price, maintenance; cost per accelerator-hour, per million "
        "tokens, and renting the same hours.")
EconomicsResult = EconomicsModel.result_class

ResponsibleEngineeringModel = facade(
    "ResponsibleEngineeringModel",
    computation="safety.tax",
    args=[arg("base_training_time", "T_base", quantity("s", 0.0, 1e12, shown_unit="h"), doc="training time without privacy guarantees"),
          arg("epsilon", "eps_dp", real(0.0, 1e6, lo_open=True), 1.0),
          arg("delta", None, real(0.0, 1.0, hi_open=True), 1e-5, doc="reported; the slowdown model does not use it (0: pure ε-DP)"),
          arg("min_subgroup_prevalence", "p_sub", fraction(0.0), 0.01)],
    reads=[knob("safety.dp_sgd_slowdown_coefficient", "k_dp")],
    fields=[out("dp_slowdown_factor", "s_dp"), out("effective_training_time", "T_dp_eff", "h"),
            out("additional_data_requirement", "k_data"), info("epsilon", "epsilon", ""),
            info("delta", "delta", ""), info("min_subgroup_prevalence", "min_subgroup_prevalence", ""),
            out("privacy_cost_ratio", "s_dp"), out("fairness_data_ratio", "k_data")],
    report=("s_dp", "T_dp_eff", "k_data"),
    requires=("training_time",), walls=(20,),
    doc="The compute and data cost of responsible-AI guarantees (0.3.0's ResponsibleEngineeringModel): DP-SGD "
        "slowdown 1 + k/ε and the data multiplier 1/p for the rarest subgroup.")
ResponsibleEngineeringResult = ResponsibleEngineeringModel.result_class

__all__ = ["EconomicsModel", "EconomicsResult", "ResponsibleEngineeringModel", "ResponsibleEngineeringResult",
           "SustainabilityModel", "SustainabilityResult"]
