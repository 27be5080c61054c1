"""Speed benchmark of mlsysim_sym, side by side with mlsysim 0.3.0 when a reference interpreter is available.

Usage (from the repository root)::

    python benchmarks/bench.py [--ref-python /tmp/mlsysim_ref/bin/python] [--runs 7] [--json out.json]

Measures, on this machine, in one run:

* whole-process ``mlsysim-sym eval ResNet50 A100 -o json`` (median wall time of ``--runs`` subprocesses);
* warm ``Engine.solve(ResNet50, A100, batch_size=1, precision="fp16")`` and warm
  ``ServingModel().solve(Llama3_8B, H100, seq_len=2048)`` (median µs per call over many calls), every other
  resolver (``DistributedModel`` on Llama-3 70B, DgxH100SuperPodSU, TP 8, PP 4, 16 micro-batches), and the
  resolvers of walls 8-13, 15, 16 and 19 with one field read of each result, and a whole search of each optimizer
  (ParallelismOptimizer on GPT-3 / Production_2K, 2,048 GPUs; BatchingOptimizer over batches 1..256;
  PlacementOptimizer over 12 regions);
* the cost of reading results: ``Engine.solve`` plus reading latency, throughput and MFU; one field read;
  ``to_dict()``;
* catalogue loading: from the lock (everyday path) and validated from the TOML sources (``check`` path).

With a reference interpreter (``--ref-python`` or ``$MLSYSIM_REF_PYTHON``; a venv with
``pip install "mlsysim[cli]==0.3.0"``) it also runs ``tools/parity/ref_bench.py --cli`` there and prints ratios.
This is a benchmark, not a test: nothing here asserts.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def per_call_us(fn, calls: int = 3000, warmup: int = 200) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(calls // 100):
        t0 = time.perf_counter_ns()
        for _ in range(100):
            fn()
        samples.append((time.perf_counter_ns() - t0) / 1e3 / 100)
    return statistics.median(samples)


def _read3d(r) -> tuple:
    return r.step_latency_total, r.scaling_efficiency, r.mfu


def whole_process(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
        times.append(time.perf_counter() - t0)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed: {r.stderr}")
    return statistics.median(times)


def ours(runs: int) -> dict[str, float]:
    import mlsysim_sym as mlsysim
    from mlsysim_sym.catalog import catalog, load_catalog

    cli = [sys.executable, "-m", "mlsysim_sym", "eval", "ResNet50", "A100", "-o", "json"]
    # machine speed, to compare runs across machines: a plain-Python loop (CPython's sum over range(1000))
    out = {"machine_sum_range_1000_us": per_call_us(lambda: sum(range(1000)), calls=2000)}
    out["cli_eval_resnet50_a100_wall_s"] = whole_process(cli, runs)
    m, h = mlsysim.Models.ResNet50, mlsysim.Hardware.Cloud.A100
    out["engine_solve_resnet50_a100_us"] = per_call_us(lambda: mlsysim.Engine.solve(m, h, batch_size=1, precision="fp16"))
    sm, lm, hh = mlsysim.ServingModel(), mlsysim.Models.Llama3_8B, mlsysim.Hardware.H100
    out["serving_llama3_8b_h100_us"] = per_call_us(lambda: sm.solve(lm, hh, seq_len=2048, batch_size=1))
    fleet = mlsysim.Systems.Clusters.Research_256
    custom = mlsysim.TransformerWorkload(name="Custom-180B", parameters="180e9 param", layers=80, hidden_dim=14848,
                                         heads=232, kv_heads=8)
    others = {
        "single_node_model_us": lambda: mlsysim.SingleNodeModel().solve(m, h),
        "training_memory_model_us": lambda: mlsysim.TrainingMemoryModel().solve(lm, hh, batch_size=8, seq_len=1024),
        "continuous_batching_model_us": lambda: mlsysim.ContinuousBatchingModel().solve(
            lm, hh, 8192, mean_request_tokens=2048, max_batch_size=256),
        "weight_streaming_model_us": lambda: mlsysim.WeightStreamingModel().solve(
            custom, mlsysim.Hardware.Cerebras_CS3, seq_len=2048),
        "tail_latency_model_us": lambda: mlsysim.TailLatencyModel().solve(700, 10, 8),
        "efficiency_model_us": lambda: mlsysim.EfficiencyModel().solve(None, hh),
        "moe_routing_model_us": lambda: mlsysim.MoERoutingModel().solve(mlsysim.Models.Mixtral_8x7B, 8, 2048,
                                                                        ep_size=8, fleet=fleet),
        "network_roofline_model_us": lambda: mlsysim.NetworkRooflineModel().solve(lm, fleet),
    }
    for name, fn in others.items():
        out[name] = per_call_us(fn, calls=2000)
    out["serving_capacity_model_us"] = per_call_us(lambda: mlsysim.ServingCapacityModel().solve(
        lm, hh, qps=50, target_p99_latency_ms=3000, max_seq_len=8192, mean_request_tokens=1500), calls=2000)
    pod, l70 = mlsysim.Systems.Clusters.DgxH100SuperPodSU, mlsysim.Models.Llama3_70B
    dm = mlsysim.DistributedModel()
    out["distributed_model_us"] = per_call_us(lambda: dm.solve(l70, pod, batch_size=256, precision="bf16", tp_size=8,
                                                               pp_size=4, microbatch_count=16), calls=2000)
    out["distributed_model_and_read_3_us"] = per_call_us(lambda: _read3d(dm.solve(
        l70, pod, batch_size=256, precision="bf16", tp_size=8, pp_size=4, microbatch_count=16)), calls=2000)

    # the three optimizers: a whole search per call (warm); ParallelismOptimizer under both editions (every
    # factorisation / 0.3.0's powers of two), GPT-3 on the 2,048-GPU Production_2K at batch 2048
    gpt3, p2k = mlsysim.Models.GPT3, mlsysim.Systems.Clusters.Production_2K
    regions = ["China_Avg", "EU_Avg", "France", "Germany", "Iceland", "India_Avg", "Iowa", "Norway", "Poland", "Quebec",
               "Texas", "US_Avg"]
    searches = {
        "parallelism_optimizer_gpt3_production_2k_us": lambda: mlsysim.ParallelismOptimizer().solve(
            gpt3, p2k, batch_size=2048, efficiency=0.5),
        "batching_optimizer_llama3_8b_h100_us": lambda: mlsysim.BatchingOptimizer().solve(
            lm, hh, seq_len=512, sla_latency_ms=60000.0, arrival_rate_qps=5.0, num_replicas=4),
        "placement_optimizer_research_256_12_regions_us": lambda: mlsysim.PlacementOptimizer().solve(
            fleet, 30.0, regions=regions),
    }
    # walls 21-22 and the evaluator: 0.3.0's SensitivitySolver (three what-ifs plus our exact elasticities of every
    # input), SynthesisSolver (the bare inverse), SystemEvaluator.evaluate (the documents' scorecard example)
    searches["sensitivity_solver_llama3_8b_h100_us"] = lambda: mlsysim.SensitivitySolver().solve(lm, hh)
    target = mlsysim.Q_(50, "ms")  # built once (pint's construction is ~30 µs on both sides)
    searches["synthesis_solver_llama3_70b_50ms_us"] = lambda: mlsysim.SynthesisSolver().solve(l70, target)
    searches["system_evaluator_llama3_8b_h100_us"] = lambda: mlsysim.SystemEvaluator.evaluate(
        scenario_name="Llama-3 8B on H100", model_obj=lm, hardware_obj=hh, batch_size=32, precision="fp16",
        efficiency=0.45)
    for name, fn in searches.items():
        out[name] = per_call_us(fn, calls=300, warmup=5)
    with mlsysim.edition("mlsysim-0.3.0"):
        out["parallelism_optimizer_gpt3_production_2k_030_edition_us"] = per_call_us(
            searches["parallelism_optimizer_gpt3_production_2k_us"], calls=300, warmup=5)

    # walls 8-13, 15, 16, 19: a warm call each, and one field read of a result at hand
    Q_ = mlsysim.Q_
    rate, sample, cpu, step = Q_(5, "GB/s"), Q_(150, "kB"), Q_(2.04, "GB/s"), Q_(48, "ms")
    ndr, b200, t512 = mlsysim.Systems.Fabrics.InfiniBand_NDR, mlsysim.Hardware.B200, mlsysim.Systems.Clusters.Training_512_H100
    budget = Q_(5.76e23, "FLOP")
    walls = {
        "data_model": (lambda: mlsysim.DataModel().solve(rate, hh), "utilization"),
        "transformation_model": (lambda: mlsysim.TransformationModel().solve(2048, sample, cpu, step),
                                 "accelerator_utilization"),
        "topology_model": (lambda: mlsysim.TopologyModel().solve(ndr, "torus_3d", 64), "effective_bw"),
        "scaling_model": (lambda: mlsysim.ScalingModel().solve(budget), "optimal_parameters"),
        "inference_scaling_model": (lambda: mlsysim.InferenceScalingModel().solve(l70, b200, reasoning_steps=8),
                                    "total_reasoning_time"),
        "compression_model": (lambda: mlsysim.CompressionModel().solve(l70, hh, target_bitwidth=4),
                              "inference_speedup"),
        "reliability_model": (lambda: mlsysim.ReliabilityModel().solve(t512, 720), "fleet_mtbf"),
        "orchestration_model": (lambda: mlsysim.OrchestrationModel().solve(fleet, 0.9, 1.0), "avg_wait_time_days"),
        "checkpoint_model": (lambda: mlsysim.CheckpointModel().solve(l70, hh), "write_time_seconds"),
        "sustainability_model": (lambda: mlsysim.SustainabilityModel().solve(fleet, 30, mfu=0.42),
                                 "carbon_footprint_kg"),
        "economics_model": (lambda: mlsysim.EconomicsModel().solve(fleet, 30, mfu=0.42), "tco_usd"),
        "responsible_engineering_model": (lambda: mlsysim.ResponsibleEngineeringModel().solve(Q_(100, "h")),
                                          "effective_training_time"),
    }
    for name, (fn, fld) in walls.items():
        out[f"{name}_us"] = per_call_us(fn, calls=2000)
        res = fn()
        out[f"{name}_field_read_us"] = per_call_us(lambda: getattr(res, fld), calls=20000)

    # the cost of reading results, not only of solving
    def solve_and_read() -> tuple:
        p = mlsysim.Engine.solve(m, h, batch_size=1, precision="fp16")
        return p.latency, p.throughput, p.mfu
    profile = mlsysim.Engine.solve(m, h, batch_size=1, precision="fp16")
    out["engine_solve_and_read_3_us"] = per_call_us(solve_and_read)
    out["field_read_us"] = per_call_us(lambda: profile.latency, calls=20000)
    out["to_dict_us"] = per_call_us(profile.to_dict, calls=2000)
    t0 = time.perf_counter()
    catalog.cache_clear()
    catalog()
    out["catalog_load_from_lock_ms"] = (time.perf_counter() - t0) * 1e3
    t0 = time.perf_counter()
    load_catalog()
    out["catalog_load_validated_ms"] = (time.perf_counter() - t0) * 1e3
    # whole-catalogue registries from scratch in a fresh process (lock read + every object built)
    probe = ("import time; t=time.perf_counter(); import mlsysim_sym as m; "
             "n=sum(len(r.list()) for r in (m.Hardware, m.Models, m.Systems.Fabrics, m.Systems.Nodes, "
             "m.Systems.Clusters, m.Infrastructure.Grids, m.Infrastructure.Datacenters)); "
             "print((time.perf_counter()-t)*1e3)")
    runs = [float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT).stdout)
            for _ in range(runs)]
    out["registries_load_fresh_process_ms"] = statistics.median(runs)
    grid_b, grid_e = list(range(1, 1025)), [0.1 * i for i in range(1, 11)]
    mlsysim.Engine.sweep_grid(lm, hh, batch_sizes=grid_b, efficiencies=grid_e)
    t0 = time.perf_counter()
    mlsysim.Engine.sweep_grid(lm, hh, batch_sizes=grid_b, efficiencies=grid_e)
    out["sweep_grid_per_point_us"] = (time.perf_counter() - t0) * 1e6 / (len(grid_b) * len(grid_e))
    return out


def reference(ref_python: str) -> dict[str, float] | None:
    if not ref_python or not Path(ref_python).exists():
        return None
    r = subprocess.run([ref_python, str(ROOT / "tools" / "parity" / "ref_bench.py"), "--cli"], capture_output=True,
                       text=True, cwd=ROOT)
    if r.returncode != 0:
        print(f"reference benchmark failed: {r.stderr[-500:]}", file=sys.stderr)
        return None
    return json.loads(r.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ref-python", default=os.environ.get("MLSYSIM_REF_PYTHON", "/tmp/mlsysim_ref/bin/python"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", default=None, help="also write the results to this file")
    a = ap.parse_args()
    result = {"mlsysim_sym": ours(a.runs), "mlsysim_0_3_0": reference(a.ref_python), "python": sys.version.split()[0],
              "cpus": os.cpu_count()}
    mine, ref = result["mlsysim_sym"], result["mlsysim_0_3_0"]
    print(f"{'metric':38} {'mlsysim_sym':>14} {'mlsysim 0.3.0':>14} {'speed-up':>9}")
    for key, val in mine.items():
        other = (ref or {}).get(key)
        ratio = (f"{other / val:8.0f}x" if other / val >= 10 else f"{other / val:8.2f}x") if other else ""
        shown = f"{other:14.3f}" if other is not None else f"{'-':>14}"
        print(f"{key:38} {val:14.3f} {shown} {ratio:>9}")
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
