"""PlacementOptimizer: the grid region where a fleet's TCO plus priced carbon is lowest, with 0.3.0's signature and
result fields, all regions evaluated at once by the generated NumPy code of EconomicsModel's computation
(``econ.fleet``, walls 17-18).

Each region is bound as ``EconomicsModel().solve(fleet, duration_days, grid=region, mfu=mfu)`` would bind it (its
PUE, carbon intensity and electricity price from the catalogue, memoised per region), the region-dependent inputs
are stacked into arrays and the computation runs once. Objective: TCO + carbon (t CO2e) × ``carbon_tax_per_ton``;
ties keep the order the regions were given (0.3.0's stable sort).

Electricity price: EconomicsModel reads a grid's or facility's catalogued price and falls back to
``knobs.pricing.cloud_electricity`` ($0.12/kWh). No grid in our catalogue states a price, so every region pays the
fallback under both editions — 0.3.0's behaviour (it never reads a grid's price); the ranking then turns on PUE,
carbon intensity and the carbon price.

Unknown region names are an InputError (with the close matches); 0.3.0 skips them silently (rule
``placement-unknown-region``, switched back by the ``mlsysim-0.3.0`` edition, which lists them in
``skipped_regions``).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InputError, MlsysimError
from ..resolvers.operations import EconomicsModel
from ..validate import real, shown
from ._grid import bind, evaluate, knob, pareto, refused
from .result import PlacementOptimizerResult

_SPEC = EconomicsModel.spec
_COMP = _SPEC.computation
#: 0.3.0's default candidate regions
DEFAULT_REGIONS = ("US_Avg", "Quebec", "Iowa")
_TAX = real(0.0, 1e9)
_RULE_SKIP = "placement-unknown-region"
_REPORT = ("TCO", "CO2_tot", "PUE_f")


def _grids(regions: Any, skip_unknown: bool) -> tuple[list[tuple[str, Any]], list[str]]:
    """(name, grid object) of each region given, in order, and the unknown names skipped (0.3.0's rule only)."""
    from ..systems import Grid, Infrastructure

    if isinstance(regions, (str, bytes)) or not isinstance(regions, Sequence):
        raise InputError(f"regions must be a list of Infrastructure.Grids keys or entries, not {shown(regions)}")
    out, skipped = [], []
    for r in regions:
        if isinstance(r, Grid):
            out.append((r.key, r))
            continue
        try:
            out.append((r, Infrastructure.Grids.get(r)))
        except MlsysimError as exc:
            if not skip_unknown:
                raise InputError(f"region: {exc}") from None
            skipped.append(str(r))
    return out, skipped


class PlacementOptimizer:
    """Finds the region minimising TCO + carbon × carbon price, every region priced by EconomicsModel's equations
    in one vectorised evaluation."""

    requires = ("fleet", "duration_days")
    produces = PlacementOptimizerResult

    def solve(self, fleet: Any, duration_days: float, regions: Sequence[Any] | None = None,
              carbon_tax_per_ton: float | None = None, mfu: float = 1.0) -> PlacementOptimizerResult:
        """The region (grid key or Infrastructure.Grids entry; default 0.3.0's US_Avg, Quebec, Iowa) with the lowest
        TCO + tonnes CO2e × ``carbon_tax_per_ton`` (USD/t; None: ``knobs.search.placement_carbon_price`` = 100,
        0.3.0's default). Raises InputError for an unknown region, a negative price, or no region at all."""
        from .. import editions
        from ..units import factor

        ed = editions.active()
        per_t = factor("USD/kgCO2e", "USD/tCO2e")
        if carbon_tax_per_ton is None:
            tax = knob(ed, "knobs.search.placement_carbon_price", "PlacementOptimizer")[0] * per_t
        else:
            tax = _TAX("carbon_tax_per_ton", carbon_tax_per_ton)
        grids, skipped = _grids(DEFAULT_REGIONS if regions is None else regions, _RULE_SKIP in ed.rules)
        if not grids:
            raise InputError("No valid regions found for optimization." +
                             (f" Unknown: {', '.join(skipped)}." if skipped else " regions is empty."))
        bounds = [bind(_SPEC, dict(fleet=fleet, duration_days=duration_days, grid=g, mfu=mfu)) for _, g in grids]
        n = len(bounds)
        keys = set().union(*(b.values for b in bounds))
        values: dict[str, Any] = {}
        for k in keys:   # a region-dependent input becomes an array, the rest stay scalars
            col = [b.values.get(k) for b in bounds]
            values[k] = col[0] if all(c == col[0] for c in col) else np.asarray(col, dtype=float)
        out, regimes = evaluate(_COMP, values, n)
        for i, b in enumerate(bounds):
            if b.entry.missing:
                msg = refused(_COMP, {**values, **out}, regimes, i, _REPORT, b)
                if msg:
                    raise InputError(msg)
        tonnes = out["CO2_tot"] * factor("kgCO2e", "tCO2e")
        tco = out["TCO"]
        objective = tco + tonnes * tax
        order = np.argsort(objective, kind="stable")
        best = int(order[0])
        names = [name for name, _ in grids]
        pue = np.broadcast_to(np.asarray(values["PUE_f"], dtype=float), (n,))

        def row(i: int) -> dict[str, Any]:
            return {"region": names[i], "tco": float(tco[i]), "carbon": float(tonnes[i]), "pue": float(pue[i]),
                    "objective": float(objective[i])}

        def front() -> list[dict[str, Any]]:
            keep = np.flatnonzero(pareto(np.column_stack([tco, tonnes])))
            return [row(int(i)) for i in keep[np.argsort(objective[keep], kind="stable")]]

        def why() -> list[dict[str, Any]]:
            rows = []
            for i in (int(j) for j in order[1:]):
                d_tco = float(tco[i] - tco[best])
                d_co2 = float((tonnes[i] - tonnes[best]) * tax)
                binding = "TCO" if d_tco >= d_co2 else "carbon price"
                reason = (f"objective +${objective[i] - objective[best]:,.2f}: TCO {d_tco:+,.2f} USD (PUE "
                          f"{pue[i]:.3g} vs {pue[best]:.3g}), carbon {tonnes[i] - tonnes[best]:+,.4g} t x "
                          f"${tax:g}/t = {d_co2:+,.2f} USD")
                rows.append({"config": {"region": names[i]}, "binding": binding, "reason": reason})
            return rows

        return PlacementOptimizerResult(
            lazy={"pareto_front": front, "runner_ups": why},
            objective_value=float(objective[best]), best_config={"region": names[best]}, total_searched=n,
            best_region=names[best], lowest_tco=float(tco[best]), carbon_footprint=float(tonnes[best]),
            pue=float(pue[best]), top_candidates=[row(int(i)) for i in order], skipped_regions=skipped,
            search_space=f"{n} regions", edition=ed.name)


__all__ = ["DEFAULT_REGIONS", "PlacementOptimizer", "PlacementOptimizerResult"]
