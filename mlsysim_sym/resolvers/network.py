"""NetworkRooflineModel: a data-parallel step bound by fleet compute or by the gradient all-reduce over the
fabric; declared over ``netroof.step``."""
from __future__ import annotations

from ..binding import Obj, arg, derived, facade, fixed, knob, knob_default, out, peak, precision_arg, regime, row, width
from ..binding.groups import FLEET_COUNT, fabric
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
    fields=[
        out("latency", "T_nr", "ms"), out("latency_compute", "T_nc", "ms"), out("latency_memory", "T_net", "ms"),
        out("latency_overhead", "L_ovh_net", "ms"), out("throughput", "X_nr", "1/s"),
        out("arithmetic_intensity", "I_net", "FLOP/B"), out("memory_footprint", "D_sync", "GB"),
        out("peak_flops_actual", "R_fleet_eff", "TFLOP/s"), out("peak_bw_actual", "beta_fab", "GB/s"),
        out("energy", "E_nr", "J"), out("mfu", "MFU_net"), out("hfu", "MFU_net"),
        regime("bottleneck", "T_nr"), derived("feasible", lambda view: True, "bool"),
        out("overhead_dominated", "ovh_net", "bool"),
        derived("offload_spill_bytes", lambda view: None, doc="no offload in the network roofline"),
        derived("offload_effective_bw", lambda view: None, doc="no offload in the network roofline"),
    ],
    trace=["Network Roofline: CI {I_net:FLOP/B} vs ridge {I_ridge_net:FLOP/B}; binding ceiling is {bottleneck}."],
    report=("T_nr", "MFU_net", "E_nr"),
    requires=("workload", "fleet"), produces="PerformanceProfile", walls=(14,),
    view_name="NetworkRooflineResult",
    doc="The network roofline (0.3.0's NetworkRooflineModel): a data-parallel step is bound by fleet compute "
        "(6·P FLOPs) or by the gradient all-reduce (2·P·bytes) over the fabric.")
NetworkRooflineResult = NetworkRooflineModel.result_class

__all__ = ["NetworkRooflineModel", "NetworkRooflineResult"]
