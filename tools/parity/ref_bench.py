"""Time the reference implementation (mlsysim 0.3.0) on this machine.

Run under the scratch reference venv (see gen_mlsysim_parity.py)::

    /tmp/mlsysim_ref/bin/python tools/parity/ref_bench.py [--cli] [--calls N]

Prints one JSON object (times in microseconds / seconds as named in the keys):

* engine_solve_resnet50_a100_us: median warm Engine.solve(ResNet50, A100,
  batch_size=1, precision="fp16") per call;
* serving_llama3_8b_h100_us: median warm ServingModel().solve(Llama3_8B, H100,
  seq_len=2048, batch_size=1) per call;
* engine_solve_and_read_3_us: the same solve plus reading latency, throughput and MFU; field_read_us: reading
  ``latency`` of a result at hand; distributed_model_us: DistributedModel on Llama-3 70B, DgxH100SuperPodSU,
  TP 8, PP 4, 16 micro-batches; the other resolvers on the inputs of benchmarks/bench.py;
* with --cli, cli_eval_resnet50_a100_wall_s: median wall time of 3 whole-process
  runs of ``mlsysim eval ResNet50 A100 -o json`` (the venv's executable).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time


def per_call_us(fn, calls: int, warmup: int = 20) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(calls):
        t0 = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - t0) / 1e3)
    return {"median_us": statistics.median(samples), "min_us": min(samples), "n_calls": calls}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", action="store_true", help="also time the mlsysim CLI as a subprocess")
    ap.add_argument("--calls", type=int, default=300)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    import mlsysim
    from mlsysim import Engine, Hardware, Models
    from mlsysim.engine.evaluation import SystemEvaluator
    from mlsysim.solvers import ServingModel
    import_s = time.perf_counter() - t0

    resnet, a100 = Models.Vision.ResNet50, Hardware.Cloud.A100
    llama, h100 = Models.Language.Llama3_8B, Hardware.Cloud.H100
    serving = ServingModel()
    eng = per_call_us(lambda: Engine.solve(resnet, a100, batch_size=1, precision="fp16"), args.calls)
    srv = per_call_us(lambda: serving.solve(llama, h100, seq_len=2048, batch_size=1), args.calls)

    out = {
        "mlsysim_version": mlsysim.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "import_mlsysim_s": import_s,
        "engine_solve_resnet50_a100_us": eng["median_us"],
        "engine_solve_resnet50_a100_min_us": eng["min_us"],
        "serving_llama3_8b_h100_us": srv["median_us"],
        "serving_llama3_8b_h100_min_us": srv["min_us"],
        "n_calls": args.calls,
    }
    # the other node resolvers, on the same inputs as benchmarks/bench.py
    from mlsysim import solvers as S
    from mlsysim.systems.registry import Clusters
    from mlsysim.models.types import TransformerWorkload

    fleet = Clusters.Research_256
    custom = TransformerWorkload(name="Custom-180B", architecture="Transformer", parameters="180e9 param", layers=80,
                                 hidden_dim=14848, heads=232, kv_heads=8)
    others = {
        "single_node_model_us": lambda: S.SingleNodeModel().solve(resnet, a100),
        "training_memory_model_us": lambda: S.TrainingMemoryModel().solve(llama, h100, batch_size=8, seq_len=1024),
        "continuous_batching_model_us": lambda: S.ContinuousBatchingModel().solve(
            llama, h100, 8192, mean_request_tokens=2048, max_batch_size=256),
        "weight_streaming_model_us": lambda: S.WeightStreamingModel().solve(
            custom, Hardware.Cloud.Cerebras_CS3, seq_len=2048),
        "tail_latency_model_us": lambda: S.TailLatencyModel().solve(700, 10, 8),
        "efficiency_model_us": lambda: S.EfficiencyModel().solve(llama, h100),
        "moe_routing_model_us": lambda: S.MoERoutingModel().solve(Models.Language.Mixtral_8x7B, 8, 2048, ep_size=8,
                                                                  fleet=fleet),
        "network_roofline_model_us": lambda: S.NetworkRooflineModel().solve(llama, fleet),
        "serving_capacity_model_us": lambda: S.ServingCapacityModel().solve(
            llama, h100, qps=50, target_p99_latency_ms=3000, max_seq_len=8192, mean_request_tokens=1500),
        "distributed_model_us": lambda: S.DistributedModel().solve(
            Models.Language.Llama3_70B, Clusters.DgxH100SuperPodSU, batch_size=256, precision="bf16", tp_size=8,
            pp_size=4, microbatch_count=16),
    }
    from mlsysim.core.units import Q_
    target = Q_(50, "ms")  # built once, as in benchmarks/bench.py
    from mlsysim.systems.registry import Fabrics
    l70, b200 = Models.Language.Llama3_70B, Hardware.Cloud.B200
    others.update({
        "data_model_us": lambda: S.DataModel().solve(Q_(5, "GB/s"), h100),
        "transformation_model_us": lambda: S.TransformationModel().solve(2048, Q_(150, "kB"), Q_(2.04, "GB/s"),
                                                                         Q_(48, "ms")),
        "topology_model_us": lambda: S.TopologyModel().solve(Fabrics.InfiniBand_NDR, "torus_3d", 64),
        "scaling_model_us": lambda: S.ScalingModel().solve(Q_(5.76e23, "flop")),
        "inference_scaling_model_us": lambda: S.InferenceScalingModel().solve(l70, b200, reasoning_steps=8),
        "compression_model_us": lambda: S.CompressionModel().solve(l70, h100, target_bitwidth=4),
        "reliability_model_us": lambda: S.ReliabilityModel().solve(Clusters.Training_512_H100, 720),
        "orchestration_model_us": lambda: S.OrchestrationModel().solve(fleet, 0.9, 1.0),
        "checkpoint_model_us": lambda: S.CheckpointModel().solve(l70, h100),
        "sustainability_model_us": lambda: S.SustainabilityModel().solve(fleet, 30, mfu=0.42),
        "economics_model_us": lambda: S.EconomicsModel().solve(fleet, 30, mfu=0.42),
        "responsible_engineering_model_us": lambda: S.ResponsibleEngineeringModel().solve(Q_(100, "hour")),
        "sensitivity_solver_llama3_8b_h100_us": lambda: S.SensitivitySolver().solve(llama, h100),
        "synthesis_solver_llama3_70b_50ms_us": lambda: S.SynthesisSolver().solve(Models.Language.Llama3_70B, target),
        "system_evaluator_llama3_8b_h100_us": lambda: SystemEvaluator.evaluate(
            scenario_name="Llama-3 8B on H100", model_obj=llama, hardware_obj=h100, batch_size=32, precision="fp16",
            efficiency=0.45),
        # the three optimizers, on the same inputs as benchmarks/bench.py
        "parallelism_optimizer_gpt3_production_2k_us": lambda: S.ParallelismOptimizer().solve(
            Models.Language.GPT3, Clusters.Production_2K, batch_size=2048, efficiency=0.5),
        "batching_optimizer_llama3_8b_h100_us": lambda: S.BatchingOptimizer().solve(
            llama, h100, seq_len=512, sla_latency_ms=60000.0, arrival_rate_qps=5.0, num_replicas=4),
        "placement_optimizer_research_256_12_regions_us": lambda: S.PlacementOptimizer().solve(
            fleet, 30.0, regions=["China_Avg", "EU_Avg", "France", "Germany", "Iceland", "India_Avg", "Iowa", "Norway",
                                  "Poland", "Quebec", "Texas", "US_Avg"]),
    })
    # the cost of reading results, not only of solving: solve + three fields, and one field of a result at hand
    def solve_and_read():
        p = Engine.solve(resnet, a100, batch_size=1, precision="fp16")
        return p.latency, p.throughput, p.mfu
    profile = Engine.solve(resnet, a100, batch_size=1, precision="fp16")
    out["engine_solve_and_read_3_us"] = per_call_us(solve_and_read, args.calls)["median_us"]
    out["field_read_us"] = per_call_us(lambda: profile.latency, args.calls * 10)["median_us"]
    for name, fn in others.items():
        try:
            slow = any(k in name for k in ("capacity", "optimizer", "solver", "evaluator"))  # fewer calls
            out[name] = per_call_us(fn, max(10, args.calls // (10 if slow else 1)))["median_us"]
        except Exception as exc:  # noqa: BLE001 - record, keep timing the rest
            out[name + "_error"] = f"{type(exc).__name__}: {exc}"
    if args.cli:
        exe = os.path.join(os.path.dirname(sys.executable), "mlsysim")
        walls = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([exe, "eval", "ResNet50", "A100", "-o", "json"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t)
        out["cli_eval_resnet50_a100_wall_s"] = statistics.median(walls)
        out["cli_eval_resnet50_a100_wall_runs_s"] = walls
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
