"""The FLEET and OPERATIONS walls' facades for failures, queues and checkpoints: ReliabilityModel (wall 15),
OrchestrationModel (wall 16) and CheckpointModel (wall 19), with 0.3.0's argument and result names."""
from __future__ import annotations

from ..binding import (Obj, arg, custom, default_knob, facade, fixed, info, knob, knob_default, link, out,
                       precision_arg,
                       regime, row, static_knob, width)
from ..binding.groups import FLEET_COUNT
from ..binding.reads import Ctx, bound, error
from ..provenance import Absent, Fixed, Row
from ..validate import DEGREE, choice, count, real

_HOURS = real(0.0, 1e7, lo_open=True)
_SECONDS = real(0.0, 1e8, lo_open=True)
INTERVALS = {"daly": 1.0, "young": 0.0}


def _series_psus(ctx: Ctx) -> list:
    """Power supplies whose single failure stops a node: all of them without spares, none in N+M redundancy
    (an outage then needs M+1 failures within one repair); none counted where the node's supplies are not
    catalogued (the host rate derived from Llama 3's Table 5 already holds its power-supply failures)."""
    ent = ctx.entity("fleet.node")
    n, spare = ent.values.get("psus_per_node"), ent.values.get("psu_spares")
    if n is None:
        return [(0.0, Absent(ent.key, "psus_per_node"))]
    if spare is not None and spare.si > 0:
        return [(0.0, Row(spare.id))]
    return [bound(n)]


_COMPONENTS = (("M_gpu", "gpu_mttf"), ("M_hbm", "hbm_mttf"), ("M_netc", "network_mttf"), ("M_sw", "software_mttf"),
               ("M_nic", "nic_mttf"), ("M_host", "host_mttf"), ("M_psu", "psu_mttf"))

ReliabilityModel = facade(
    "ReliabilityModel",
    computation="rel.fleet",
    objects=[Obj("fleet", "fleet")],
    args=[arg("job_duration_hours", "T_job", real(0.0, 1e7), unit="h"),
          arg("checkpoint_time_s", "delta_ck", _SECONDS, 60.0, unit="s"),
          arg("avg_recovery_time_s", "R_rec", real(0.0, 1e12), 300.0, unit="s"),
          arg("interval", "m_daly", choice(INTERVALS), "daly", encode=INTERVALS,
              doc="daly (higher-order interval, Daly's expected-time goodput) | young (first order)")],
    reads=[*FLEET_COUNT, row("fleet.node", "nics_per_node", "n_nic", absent=error("the NIC failure rate needs it")),
           custom(("n_psu_s",), _series_psus, ("fleet",)), row("fleet", "mtbf", "M_cat"),
           fixed("m_full", 1, "every failure category of Llama 3's Table 5"),
           *(knob(f"reliability.{k}", s) for s, k in _COMPONENTS)],
    fields=[out("fleet_mtbf", "M_f", "h"), out("failure_probability", "P_fail"),
            out("optimal_checkpoint_interval", "tau_opt", "min"), out("expected_failures", "n_fail"),
            out("goodput_ratio", "G_put"), out("young_interval", "tau_Y", "min"), out("daly_interval", "tau_D", "min"),
            out("node_mtbf", "M_node", "h"), regime("mtbf_source", "M_f"), info("fleet_name", "fleet")],
    trace=["Reliability: fleet MTBF {M_f:h}; P(failure in {T_job:h}) = {P_fail:.3g}; checkpoint every {tau_opt:min} "
           "(goodput {G_put:.4g})."],
    report=("M_f", "P_fail", "tau_opt", "G_put"),
    requires=("fleet",), walls=(15,),
    doc="Fleet MTBF from component failure rates (or the cluster's reported MTBF), the probability of a failure "
        "during a job, the optimum checkpoint interval (Young and Daly) and goodput (0.3.0's ReliabilityModel).")
ReliabilityResult = ReliabilityModel.result_class

OrchestrationModel = facade(
    "OrchestrationModel",
    computation="orch.queue",
    objects=[Obj("fleet", "fleet")],
    args=[arg("arrival_rate_jobs_per_day", "lam_job", real(0.0, 1e9, lo_open=True), unit="1/d"),
          arg("avg_job_duration_days", "D_job", real(0.0, 1e6, lo_open=True), unit="d"),
          arg("gpus_per_job", "g_job", count(1, 10**8), None, none=(0.0, Fixed("a job takes the whole cluster")),
              doc="accelerators each job holds (None: the whole cluster, one job at a time)"),
          arg("service_cv", "cv_job", real(0.0, 100.0), 0.0,
              doc="coefficient of variation of job durations (0: deterministic, M/D/c)")],
    reads=[*FLEET_COUNT],
    fields=[out("cluster_utilization", "rho_c"), out("avg_wait_time_days", "W_job", "d"),
            out("avg_queue_length", "L_job"), out("is_stable", "stable_c", "bool"),
            out("concurrent_jobs", "c_jobs", "int"), out("wait_probability", "C_wait"), info("fleet_name", "fleet")],
    trace=["Queue: {c_jobs:int} job slot(s) at utilisation {rho_c:.3g}: mean wait {W_job:d}."],
    report=("rho_c", "W_job", "L_job", "stable_c"),
    requires=("fleet",), walls=(16,),
    doc="Jobs queueing for a shared cluster (0.3.0's OrchestrationModel, M/D/1) generalised to c job slots and "
        "variable durations (M/G/c, Allen–Cunneen).")
OrchestrationResult = OrchestrationModel.result_class

OPTIMIZERS = ("adam", "adamw", "sgd", "none")
MODES = {"blocking": 0.0, "async": 1.0}

CheckpointModel = facade(
    "CheckpointModel",
    computation="ckpt.model",
    objects=[Obj("model", "model"), Obj("hardware", "hardware")],
    args=[arg("optimizer", None, choice(OPTIMIZERS), "adam", static=True),
          arg("checkpoint_interval_hours", "tau_in", _HOURS, 4.0, unit="h"),
          arg("n_writers", "n_wr", DEGREE, 1),
          arg("filesystem_limit_gbs", "BW_fs", real(0.0, 1e9, lo_open=True), None, unit="GB/s",
              none=knob_default("storage.pfs_aggregate_bandwidth"),
              doc="aggregate file-system write limit in GB/s (None: the catalogue's parallel file system)"),
          precision_arg(),
          arg("mode", "m_async", choice(MODES), "blocking", encode=MODES,
              doc="blocking | async (two-stage: snapshot to host memory, then drain)"),
          arg("mtbf_hours", "M_f", _HOURS, None, unit="h", none=(0.0, Fixed("no MTBF given: the caller's interval")),
              doc="fleet MTBF: the interval becomes wall 15's optimum (Daly) for it")],
    order=("model", "hardware", "optimizer", "checkpoint_interval_hours", "n_writers", "filesystem_limit_gbs",
           "precision", "mode", "mtbf_hours"),
    reads=[row("model", "params", "P", absent=error("the checkpoint size needs the parameter count")), width(),
           static_knob("optimizer", "optimizer.{}", "b_opt"),
           row("hardware", "storage.bandwidth", "BW_wr", absent=default_knob("storage.pfs_client_bandwidth")),
           link("hardware", ("host_link.bandwidth",), "BW_d2h", absent=default_knob("engine.offload_bandwidth")),
           knob("checkpoint.slow_write_threshold", "t_slow"),
           fixed("m_daly", 1, "Daly's optimum"),
           custom(("m_adam",), lambda ctx: [(1.0 if ctx.static["optimizer"] == "adam" else 0.0,
                                             Fixed(f"optimizer {ctx.static['optimizer']}"))])],
    fields=[out("checkpoint_size", "M_ck", "GB"), out("write_time_seconds", "t_wr", "s"),
            out("max_bandwidth_required", "BW_wr", "GB/s"), out("storage_bottleneck", "slow_ck", "bool"),
            out("mfu_penalty_pct", "pen_ck", doc="a fraction of each interval (0.3.0's name says pct)"), out("weights_size", "M_ck_w", "GB"),
            out("optimizer_state_size", "M_ck_o", "GB"), out("write_bandwidth", "BW_ck", "GB/s"),
            out("stall_time", "t_stall", "s"), out("checkpoint_interval", "tau_ck", "h"),
            out("drains_within_interval", "drain_ok", "bool"), regime("write_limit", "BW_ck"),
            info("optimizer", "optimizer")],
    trace=["Checkpoint: {M_ck:GB} written in {t_wr:s} at {BW_ck:GB/s}; training stalls {t_stall:s} every "
           "{tau_ck:h} (penalty {pen_ck:%})."],
    report=("M_ck", "t_wr", "pen_ck"),
    requires=("workload", "hardware"), walls=(19,),
    doc="Checkpoint size by optimizer and precision, write time against per-writer and file-system bandwidth, "
        "blocking or asynchronous, the MFU penalty at an interval, and wall 15's optimum interval for an MTBF "
        "(0.3.0's CheckpointModel).")
CheckpointResult = CheckpointModel.result_class

__all__ = ["CheckpointModel", "CheckpointResult", "INTERVALS", "MODES", "OPTIMIZERS", "OrchestrationModel",
           "OrchestrationResult", "ReliabilityModel", "ReliabilityResult"]
