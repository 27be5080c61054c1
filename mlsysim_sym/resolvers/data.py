"""DataModel (wall 8), TransformationModel (wall 9) and TopologyModel (wall 10): 0.3.0's argument and result
names, declared over ``ingest.data``, ``transform.cpu`` and ``topo.net``."""
from __future__ import annotations

from ..binding import Obj, SameAs, arg, custom, facade, info, knob, knob_default, out, regime
from ..binding.reads import Ctx, bound
from ..errors import InputError
from ..provenance import Absent, Fixed
from ..validate import BATCH, choice, count, quantity

_RATE = quantity("B/s", 0.0, 1e18, shown_unit="GB/s")
_BYTES = quantity("B", 0.0, 1e15, shown_unit="KB")
_TIME = quantity("s", 0.0, 1e9, shown_unit="ms")
_PATHS = (("storage.bandwidth", "BW_stor", False), ("host_link.bandwidth", "BW_io", True),
          ("network.bandwidth", "BW_net", True))


def _data_paths(ctx: Ctx) -> list:
    """Storage read, host link and network ingest (links per direction); a device with none is refused: a path
    the catalogue does not describe is not a 0 B/s path, and there is no supply to compare against."""
    ent = ctx.entity("hardware")
    out = []
    for fld, _, per_direction in _PATHS:
        c = ent.values.get(fld)
        out.append((0.0, Absent(ent.key, fld)) if c is None or c.si <= 0 else bound(c, per_direction))
    if all(v == 0.0 for v, _ in out):
        raise InputError(f"{ent.key} has no catalogued data path (storage, host link or network bandwidth); the "
                         "ingestion wall needs at least one")
    return out


DataModel = facade(
    "DataModel",
    computation="ingest.data",
    objects=[Obj("hardware", "hardware")],
    args=[arg("workload_data_rate", "BW_dem", quantity("B/s", 0.0, 1e18, lo_open=False, shown_unit="GB/s"),
              doc="data rate the workload consumes, e.g. '2 GB/s' or '5 TB/hour'")],
    order=("workload_data_rate", "hardware"),
    reads=[custom(tuple(s for _, s, _ in _PATHS), _data_paths, ("hardware",))],
    fields=[out("is_stalled", "stalled", "bool"), out("utilization", "rho_in"),
            out("demand_bw", "BW_dem", "GB/s"), out("supply_bw", "BW_sup", "GB/s"),
            regime("bottleneck", "BW_sup", "the slowest data path the device has: Storage, Interconnect or Network"),
            out("margin", "margin_in", "GB/s"), info("hardware_name", "hardware")],
    trace=["Data Wall: {stalled?STALLED|Passed}. Demand {BW_dem:GB/s} against supply {BW_sup:GB/s} "
           "(utilisation {rho_in:.3g})."],
    report=("rho_in", "BW_sup", "stalled"),
    requires=("workload", "hardware"), walls=(8,),
    doc="The data wall (0.3.0's DataModel): demand against the slowest data path the device has — storage read, "
        "host link, network ingest; utilisation, stall and margin.")
DataResult = DataModel.result_class

TransformationModel = facade(
    "TransformationModel",
    computation="transform.cpu",
    args=[
        arg("batch_size", "B", BATCH),
        arg("sample_size_bytes", "s_sample", _BYTES, doc="bytes of one sample, e.g. '150 KB'"),
        arg("cpu_throughput", "C_given", _RATE, None, none=(0.0, Fixed("from cores × per-core sample rate")),
            doc="measured CPU preprocessing throughput (None: cpu_cores × per_core_samples_per_second × sample size)"),
        arg("accelerator_step_time", "T_acc", _TIME, doc="time of one accelerator step"),
        arg("cpu_cores", "n_cores", count(1, 10**6), None, none=knob_default("transformation.cores_per_accelerator")),
        arg("per_core_samples_per_second", "c_core", quantity("1/s", 0.0, 1e9), None,
            none=knob_default("transformation.per_core_samples")),
    ],
    fields=[out("transform_time", "T_x", "ms"), out("accelerator_step_time", "T_acc", "ms"),
            out("is_bottleneck", "x_bound", "bool"), out("accelerator_utilization", "U_acc"),
            out("slowdown_factor", "k_slow"), out("cpu_throughput", "C_cpu", "GB/s"),
            out("cores_needed", "n_need"), regime("bottleneck", "T_pipe")],
    trace=["Transformation Wall: {x_bound?CPU-BOUND|Passed}. Preprocessing {T_x:ms} per batch against an "
           "accelerator step of {T_acc:ms}."],
    report=("T_x", "U_acc", "k_slow"),
    requires=("hardware",), walls=(9,),
    doc="CPU preprocessing against the accelerator step (0.3.0's TransformationModel): transform time, "
        "utilisation and slowdown of an overlapped two-stage pipeline; cores × per-core rate when no throughput "
        "is measured.")
TransformationResult = TransformationModel.result_class

TOPOLOGIES = {"fat_tree": 0.0, "dragonfly": 1.0, "ring": 2.0, "torus_3d": 3.0, "torus_2d": 4.0}


def _fabric(ctx: Ctx) -> list:
    """The fabric given, else the fleet's: per-direction bandwidth and oversubscription (absent: non-blocking)."""
    path = "fabric" if ctx.objects.get("fabric") is not None else "fleet.fabric"
    ent = ctx.entity(path)
    if ent is None:
        raise InputError("TopologyModel needs a fabric (or a fleet, whose fabric it uses)")
    bw = ent.values.get("bandwidth")
    if bw is None:
        raise InputError(f"{ent.key} has no catalogued bandwidth")
    os_ = ent.values.get("oversubscription")
    return [bound(bw, per_direction=True), bound(os_) if os_ is not None else (1.0, Fixed("non-blocking fabric"))]


def _nodes(ctx: Ctx) -> list:
    """The fleet's node count when a fleet is given, else the catalogue's default network size."""
    ent = ctx.entity("fleet")
    if ent is not None:
        return [bound(ent.values["node_count"])]
    return [ctx.knob("knobs.topology.default_nodes")]


TopologyModel = facade(
    "TopologyModel",
    computation="topo.net",
    objects=[Obj("fabric", "fabric", optional=True), Obj("fleet", "fleet", optional=True,
                                                            purpose="its fabric and node count")],
    args=[arg("topology", ("t_topo", "k_cut"), choice(TOPOLOGIES), "fat_tree",
              encode=lambda t: (TOPOLOGIES[t], 1.0), doc="fat_tree | dragonfly | ring | torus_3d | torus_2d"),
          arg("num_nodes", "N_top", count(2, 10**7), None, none=SameAs("N_fleet"),
              doc="nodes on the network (None: the fleet's node count, else the catalogue's default size)")],
    order=("fabric", "topology", "num_nodes", "fleet"),
    reads=[custom(("BW_fab", "os_fab"), _fabric, ("fabric",)), custom(("N_fleet",), _nodes, ("fleet",)),
           knob("topology.dragonfly_bisection", "beta_df")],
    fields=[out("effective_bw", "BW_topo", "GB/s"), out("bisection_bw", "BW_bis", "GB/s"),
            out("bisection_bw_fraction", "beta_top"), out("hops_avg", "hops"), out("diameter", "diam", "int"),
            info("topology", "topology", ""), out("num_nodes", "N_top", "int")],
    report=("beta_top", "BW_topo", "BW_bis", "hops"),
    requires=("fabric",), walls=(10,),
    doc="Bisection bandwidth, effective bandwidth and hop counts of a topology over a fabric (0.3.0's "
        "TopologyModel), with N from the fleet when one is given.")
TopologyResult = TopologyModel.result_class

__all__ = ["DataModel", "DataResult", "TOPOLOGIES", "TopologyModel", "TopologyResult", "TransformationModel",
           "TransformationResult"]
