"""MoERoutingModel: routed experts, imbalance, the token payload and (with a fleet) the expert-parallel
all-to-all; declared over ``moe.routing``."""
from __future__ import annotations

from ..binding import Obj, arg, facade, out, precision_arg, present, row, width
from ..binding.reads import error
from ..validate import BATCH, DEGREE, FACTOR, TOKENS

_PURPOSE = "MoE routing needs it"

MoERoutingModel = facade(
    "MoERoutingModel",
    computation="moe.routing",
    objects=[Obj("model", "model", workloads=("moe",), purpose="a mixture-of-experts model"),
             Obj("fleet", "fleet", optional=True)],
    args=[arg("batch_size", "B", BATCH), arg("seq_len", "S", TOKENS), precision_arg(),
          arg("ep_size", "N_ep", DEGREE, 1), arg("routing_imbalance_factor", "f_imb", FACTOR, 1.0)],
    order=("model", "batch_size", "seq_len", "precision", "ep_size", "routing_imbalance_factor", "fleet"),
    reads=[
        width(), row("model", "experts", "E_exp", absent=error(_PURPOSE)),
        row("model", "experts.active", "k_top", absent=error(_PURPOSE)),
        row("model", "params.active", "P_act", absent=error(_PURPOSE)),
        row("model", "hidden", "h", absent=error(_PURPOSE)),
        present("fleet", "m_fleet"),
        row("fleet.fabric", "bandwidth", "BW_fab", absent=error("the fabric needs its bandwidth"), none=1.0,
            per_direction=True),
        row("fleet.fabric", "oversubscription", "os_fab", none=1.0),
        row("fleet.fabric", "latency", "alpha_fab", absent=error("the fabric needs its per-message latency"),
            none=0.0),
    ],
    fields=[
        out("effective_active_experts", "e_eff"), out("effective_active_parameters", "P_act_eff", "param"),
        out("active_parameter_multiplier", "m_route"), out("token_dispatch_bytes", "D_dispatch", "MB"),
        out("all_to_all_latency", "T_a2a", "ms", when=lambda v: v["m_fleet"] and v["N_ep"] > 1),
        out("routing_imbalance_factor", "f_imb"), out("ep_size", "N_ep", "int"),
    ],
    report=("e_eff", "P_act_eff", "D_dispatch"),
    requires=("workload",), walls=(14,),
    doc="Mixture-of-experts routing (0.3.0's MoERoutingModel): effective experts and active parameters under "
        "routing imbalance, the token payload that leaves a rank, and the all-to-all over a fleet's fabric.")
MoERoutingResult = MoERoutingModel.result_class

__all__ = ["MoERoutingModel", "MoERoutingResult"]
