"""OPERATIONS walls 18 (Sustainability) and 17 (Capital): what a fleet's operation costs in energy, carbon,
water and money.

Curation log:

* Power per accelerator follows energy proportionality: an idle share of TDP plus the rest scaled by utilisation
  (Barroso & Hölzle 2007); IT energy is that power × accelerators × duration; the facility draws PUE times more
  (The Green Grid's PUE = facility / IT energy).
* Operational CO₂e, location-based: facility energy × the grid's average carbon intensity; market-based: the
  share not covered by contractual instruments (RECs, PPAs) keeps the grid's factor, the covered share counts as
  zero (GHG Protocol Scope 2 Guidance, the two methods). Embodied CO₂e: each accelerator's catalogued
  manufacturing footprint, amortised over the service life (a run of T uses T/L of it); an explicit per-device
  figure overrides the catalogue. mlsysim 0.3.0 counts embodied carbon only when passed, in full.
* Water on site: WUE × IT energy (The Green Grid defines WUE per kWh of IT energy; 0.3.0 applies it to facility
  energy, its edition's rule); off site: facility energy × the electricity's water intensity.
* Capital (wall 17): CapEx = unit cost × accelerators × infrastructure multiplier, amortised straight-line over the
  service life; maintenance a yearly share of CapEx; energy OpEx at the given, grid or catalogue price per kWh;
  TCO over any horizon, $ per accelerator-hour, per million tokens at a stated throughput, and renting the same
  accelerator-hours at a catalogued cloud price.
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, Wall, coefficient, register_computation, register_wall, sym
from .moe import EQ_N_ACC, N_acc
from .training import P_tdp, f_idle

BARROSO = Cite("barroso2007case", "energy-proportional computing: servers draw a large share of peak power when idle")
GREENGRID_PUE = Cite("greengrid2012pue", "PUE = total facility energy / IT equipment energy")
GREENGRID_WUE = Cite("greengrid2011wue", "WUE = annual site water usage / IT equipment energy (L/kWh)")
GHG_SCOPE2 = Cite("ghgprotocol2015scope2", "location-based (grid-average emission factors) and market-based "
                                           "(contractual instruments) scope 2 methods")
PATTERSON = Cite("patterson2021carbon", "§2-4: tCO2e = MWh × PUE × kgCO2e/kWh for training runs")
BARROSO_TCO = Cite("barroso2007case", "the TCO of a datacenter: amortised capital plus operating costs")

u_f = sym("u_f", r"u_{\text{fleet}}", "", "Accelerator utilisation that drives dynamic power (MFU)")
T_op = sym("T_op", r"T_{\text{op}}", "s", "Duration of the operation", "d")
P_chip = sym("P_chip", r"P_{\text{chip}}", "W", "Average power per accelerator", "W")
E_it = sym("E_it", r"E_{\text{IT}}", "J", "IT energy of the fleet", "kWh")
PUE_f = sym("PUE_f", r"\text{PUE}", "", "Power usage effectiveness of the facility")
E_fac = sym("E_fac", r"E_{\text{fac}}", "J", "Facility energy (IT × PUE)", "kWh")
CI_grid = sym("CI_grid", r"\text{CI}", "kgCO2e/J", "Grid carbon intensity (location-based)", "gCO2e/kWh")
f_rec = sym("f_rec", r"f_{\text{REC}}", "", "Share of the energy covered by contractual renewable instruments")
CO2_loc = sym("CO2_loc", r"\text{CO}_{2}\text{e}_{\text{loc}}", "kgCO2e", "Operational CO₂e, location-based", "kgCO2e")
CO2_mkt = sym("CO2_mkt", r"\text{CO}_{2}\text{e}_{\text{mkt}}", "kgCO2e", "Operational CO₂e, market-based", "kgCO2e")
C_emb_arg = sym("C_emb_arg", r"C_{\text{emb,given}}", "kgCO2e", "Embodied CO₂e per accelerator as given (0: catalogue)",
                "kgCO2e")
C_emb_cat = sym("C_emb_cat", r"C_{\text{emb,cat}}", "kgCO2e", "Embodied CO₂e per accelerator as catalogued", "kgCO2e")
m_emb = sym("m_emb", r"m_{\text{emb}}", "", "Count the catalogued embodied CO₂e (1) or only a given figure (0)",
            integer=True)
C_emb = sym("C_emb", r"C_{\text{emb}}", "kgCO2e", "Embodied CO₂e per accelerator", "kgCO2e")
L_life = sym("L_life", r"L_{\text{life}}", "s", "Service life (amortisation period)", "yr")
m_amort = sym("m_amort", r"m_{\text{amort}}", "", "Amortise embodied CO₂e over the service life (1) or count it whole "
                                                 "(0)", integer=True)
k_life = sym("k_life", r"k_{\text{life}}", "", "Share of the service life the operation uses")
CO2_emb = sym("CO2_emb", r"\text{CO}_{2}\text{e}_{\text{emb}}", "kgCO2e", "Embodied CO₂e charged to the operation",
              "kgCO2e")
CO2_tot = sym("CO2_tot", r"\text{CO}_{2}\text{e}", "kgCO2e", "CO₂e: operational (location-based) plus embodied",
              "kgCO2e")
WUE_f = sym("WUE_f", r"\text{WUE}", "m**3/J", "Water usage effectiveness (on site, per IT energy)", "L/kWh")
m_wfac = sym("m_wfac", r"m_{\text{WUE,fac}}", "", "Apply WUE to facility energy (1, 0.3.0) or to IT energy (0)",
             integer=True)
EWIF = sym("EWIF", r"\text{EWIF}", "m**3/J", "Water consumed to generate the electricity (off site)", "L/kWh")
H2O_site = sym("H2O_site", r"W_{\text{site}}", "m**3", "Water consumed on site", "L")
H2O_off = sym("H2O_off", r"W_{\text{off}}", "m**3", "Water consumed off site, generating the electricity", "L")

c_unit = sym("c_unit", r"c_{\text{unit}}", "USD", "Purchase price of one accelerator", "USD")
m_infra = sym("m_infra", r"m_{\text{infra}}", "", "Infrastructure multiplier on accelerator CapEx (1: hardware only)")
r_maint = sym("r_maint", r"r_{\text{maint}}", "1/s", "Maintenance per year as a share of CapEx", "1/yr")
p_kwh_arg = sym("p_kwh_arg", r"p_{\text{kWh,given}}", "USD/J", "Electricity price as given (0: the site's)",
                "USD/kWh")
p_site = sym("p_site", r"p_{\text{kWh,site}}", "USD/J", "Electricity price at the site (or the catalogue default)",
             "USD/kWh")
p_kwh = sym("p_kwh", r"p_{\text{kWh}}", "USD/J", "Electricity price", "USD/kWh")
Capex = sym("Capex", r"\text{CapEx}", "USD", "Capital cost of the fleet", "USD")
Capex_p = sym("Capex_p", r"\text{CapEx}_{T}", "USD", "Capital cost amortised over the operation", "USD")
Opex_e = sym("Opex_e", r"\text{OpEx}_{E}", "USD", "Energy cost of the operation", "USD")
Opex_m = sym("Opex_m", r"\text{OpEx}_{M}", "USD", "Maintenance cost of the operation", "USD")
Opex = sym("Opex", r"\text{OpEx}", "USD", "Operating cost (energy plus maintenance)", "USD")
TCO = sym("TCO", r"\text{TCO}", "USD", "Total cost of ownership over the operation", "USD")
c_gpuh = sym("c_gpuh", r"c_{\text{acc-h}}", "USD/s", "Owned cost per accelerator-hour", "USD/h")
p_rent = sym("p_rent", r"p_{\text{rent}}", "USD/s", "Cloud price per accelerator-hour", "USD/h")
Rent = sym("Rent", r"C_{\text{rent}}", "USD", "Renting the same accelerator-hours", "USD")
X_serve = sym("X_serve", r"X_{\text{tok,fleet}}", "1/s", "Fleet throughput in tokens per second (0: not given)")
c_mtok = sym("c_mtok", r"c_{\text{Mtok}}", "USD", "Owned cost per million tokens at that throughput", "USD")

c_mega = coefficient("c_mega", 1_000_000, "", "Tokens per million", BARROSO_TCO)

SUSTAIN = (
    Equation("sust.chip_power", "P_chip", P_tdp * (f_idle + (1 - f_idle) * u_f), "Average power per accelerator",
             (BARROSO,)),
    Equation("sust.it_energy", "E_it", P_chip * N_acc * T_op, "IT energy"),
    Equation("sust.facility_energy", "E_fac", E_it * PUE_f, "Facility energy", (GREENGRID_PUE,)),
    Equation("sust.co2_location", "CO2_loc", E_fac * CI_grid, "Operational CO₂e, location-based",
             (GHG_SCOPE2, PATTERSON)),
    Equation("sust.co2_market", "CO2_mkt", CO2_loc * (1 - f_rec), "Operational CO₂e, market-based", (GHG_SCOPE2,)),
    Equation("sust.embodied_each", "C_emb",
             sp.Piecewise((C_emb_arg, sp.StrictGreaterThan(C_emb_arg, 0)), (m_emb * C_emb_cat, True)),
             "Embodied CO₂e per accelerator: given, else catalogued", regimes=("given", "catalogued")),
    Equation("sust.life_share", "k_life",
             sp.Piecewise((sp.Min(1, T_op / L_life), sp.StrictGreaterThan(m_amort, 0)), (1, True)),
             "Share of the service life the operation uses", regimes=("amortised", "whole")),
    Equation("sust.embodied", "CO2_emb", N_acc * C_emb * k_life, "Embodied CO₂e charged to the operation"),
    Equation("sust.co2_total", "CO2_tot", CO2_loc + CO2_emb, "CO₂e, operational plus embodied"),
    Equation("sust.water_site", "H2O_site",
             sp.Piecewise((E_fac * WUE_f, sp.StrictGreaterThan(m_wfac, 0)), (E_it * WUE_f, True)),
             "Water on site", (GREENGRID_WUE,), regimes=("per facility energy", "per IT energy")),
    Equation("sust.water_offsite", "H2O_off", E_fac * EWIF, "Water off site, generating the electricity"),
)
CAPITAL = (
    Equation("econ.capex", "Capex", c_unit * N_acc * m_infra, "Capital cost of the fleet", (BARROSO_TCO,)),
    Equation("econ.capex_period", "Capex_p", Capex * T_op / L_life, "CapEx amortised over the operation",
             (BARROSO_TCO,)),
    Equation("econ.price", "p_kwh", sp.Piecewise((p_kwh_arg, sp.StrictGreaterThan(p_kwh_arg, 0)), (p_site, True)),
             "Electricity price: given, else the site's", regimes=("given", "site")),
    Equation("econ.energy", "Opex_e", E_fac * p_kwh, "Energy cost"),
    Equation("econ.maintenance", "Opex_m", Capex * r_maint * T_op, "Maintenance cost", (BARROSO_TCO,)),
    Equation("econ.opex", "Opex", Opex_e + Opex_m, "Operating cost"),
    Equation("econ.tco", "TCO", Capex_p + Opex, "Total cost of ownership", (BARROSO_TCO,)),
    Equation("econ.per_accelerator_hour", "c_gpuh", TCO / (N_acc * T_op), "Owned cost per accelerator-hour"),
    Equation("econ.rent", "Rent", p_rent * N_acc * T_op, "Renting the same accelerator-hours"),
    Equation("econ.per_million_tokens", "c_mtok",
             sp.Piecewise((c_mega * TCO / (X_serve * T_op), sp.StrictGreaterThan(X_serve, 0)), (0, True)),
             "Owned cost per million tokens", regimes=("throughput given", "no throughput")),
)

register_wall(Wall(18, "Sustainability", "operations", "SustainabilityModel",
                   "Every joule has a carbon and a water cost set by the grid and the facility.",
                   SUSTAIN, (BARROSO, GREENGRID_PUE, GHG_SCOPE2),
                   monotonic=(("E_fac", "PUE_f", +1), ("CO2_loc", "CI_grid", +1), ("E_it", "u_f", +1),
                              ("CO2_mkt", "f_rec", -1)),
                   resolvers=("SustainabilityModel", "EconomicsModel")))
register_wall(Wall(17, "Capital", "operations", "EconomicsModel",
                   "Capital, energy and maintenance add up to what a fleet's work costs.",
                   CAPITAL, (BARROSO_TCO,),
                   monotonic=(("TCO", "c_unit", +1), ("TCO", "p_site", +1), ("Capex_p", "L_life", -1)),
                   resolvers=("EconomicsModel",)))
register_computation("sust.fleet", [EQ_N_ACC.id, *(e.id for e in SUSTAIN)], "SustainabilityModel (wall 18)")
register_computation("econ.fleet", [EQ_N_ACC.id, *(e.id for e in SUSTAIN), *(e.id for e in CAPITAL)],
                     "EconomicsModel (wall 17, with wall 18's energy)")
