"""NetworkRooflineModel: a data-parallel step bound by fleet compute or by the gradient all-reduce over the
fabric; declared over ``netroof.step``."""
from __future__ import annotations

from ..binding import Obj, arg, facade, fixed, knob, knob_default, peak, precision_arg, row, width
from ..binding.groups import FLEET_COUNT, fabric, profile_fields
from ..binding.reads import error
from ..validate import EFFICIENCY

NetworkRooflineModel = facade(
    "NetworkRooflineModel",
    computation="netroof.step",
    objects=[Obj("model", "model"), Obj("fleet", "fleet")],
    args=[precision_arg(), arg("efficiency", "eta_hw", EFFICIENCY, None, none=knob_default("engine.efficiency"))],
    reads=[
        peak("fleet.node.accelerator"), width(), *FLEET_COUNT, *fabric(),
        row("model", "params", "P", absent=error("NetworkRooflineModel requires a parameter count")),
        row("fleet.node.accelerator", "tdp", "P_tdp", absent=error("the fleet's energy needs the accelerator's TDP")),
        knob("engine.idle_power_fraction", "f_idle"),
        fixed("L_ovh_net", 0, "the network roofline has no fixed per-step overhead"),
    ],
    fields=profile_fields(latency="T_nr", compute="T_nc", memory="T_net", overhead="L_ovh_net", throughput="X_nr",
                          intensity="I_net", energy="E_nr", footprint="D_sync", peak_flops="R_fleet_eff",
                          peak_bw="beta_fab", mfu="MFU_net", hfu="MFU_net", overhead_dominated="ovh_net"),
    trace=["Network Roofline: CI {I_net:FLOP/B} vs ridge {I_ridge_net:FLOP/B}; binding ceiling is {bottleneck}."],
    report=("T_nr", "MFU_net", "E_nr"),
    requires=("workload", "fleet"), produces="PerformanceProfile", walls=(14,),
    view_name="NetworkRooflineResult",
    doc="The network roofline (0.3.0's NetworkRooflineModel): a data-parallel step is bound by fleet compute "
        "(6·P FLOPs) or by the gradient all-reduce (2·P·bytes) over the fabric.")
NetworkRooflineResult = NetworkRooflineModel.result_class

__all__ = ["NetworkRooflineModel", "NetworkRooflineResult"]
