"""Wall 22's facade for MLSys·im's SynthesisSolver: the device a model needs for one pass within a target latency.

The bare inverses of the walls' one-line labels (``synth.bare``): bandwidth |W|/T*, peak OPs/(T*·η), capacity |W|,
and their balance point; one full pass at batch 1 with no overheads, as 0.3.0 computes. The inverses of the full
roofline and of serving, per regime and checked forward, are :mod:`mlsysim_sym.analysis.synthesis`."""
from __future__ import annotations

from ..binding import Obj, arg, facade, knob_default, missing, out, precision_arg, row, width
from ..binding.groups import WORKLOAD_FLOPS, WORKLOAD_SIZE
from ..validate import EFFICIENCY, quantity

SynthesisModel = facade(
    "SynthesisModel",
    computation="synth.bare",
    objects=[Obj("model", "model")],
    args=[arg("target_latency", "T_tgt", quantity("s", 0.0, 1e9, shown_unit="ms"), doc="the latency to meet"),
          precision_arg(),
          arg("efficiency", "eta_hw", EFFICIENCY, None, none=knob_default("engine.efficiency"))],
    reads=[*WORKLOAD_FLOPS, *WORKLOAD_SIZE, width(),
           row("model", "params", "P", absent=missing("synthesis needs the model's parameter count or size"))],
    fields=[out("required_bw", "BW_req", "GB/s"), out("required_flops", "R_req", "TFLOP/s"),
            out("required_memory", "M_cap_req", "GB"), out("compute_memory_ratio", "I_req", "FLOP/B"),
            out("target_latency", "T_tgt", "ms"), out("model_size", "W", "GB"), out("total_ops", "O_fwd", "FLOP")],
    trace=["Synthesis: {W:GB} in {T_tgt:ms} needs {BW_req:GB/s}; {O_fwd:GFLOP} at η {eta_hw:.3g} needs "
           "{R_req:TFLOP/s} (balance {I_req:.4g} FLOP/B)."],
    report=("BW_req", "R_req", "M_cap_req", "I_req"),
    requires=("workload", "target_latency"), walls=(22,),
    doc="The bandwidth, peak rate and capacity a device needs to run one full pass of the model within a target "
        "latency (0.3.0's SynthesisSolver: the walls' labels T = |W|/BW and T = OPs/(Peak·η) solved for the "
        "resource).")
SynthesisModelResult = SynthesisModel.result_class

__all__ = ["SynthesisModel", "SynthesisModelResult"]
