"""Fuzz the input boundary: the CLI's commands, options and values, the Python facades' arguments, YAML plans
(``eval PLAN.yaml``, ``optimize``) and export.

The generator (hypothesis strategies) and the oracle live here; ``tests/test_fuzz_boundary.py`` runs a short
run of the same generator in the suite, and this script runs a long one::

    python tools/fuzz_boundary.py --examples 2000        # prints counts and outcomes, exit 1 on any failure

The oracle, for every input:

* no traceback and no "internal error" on stderr, exit code in {0, 1, 2, 3, 4};
* a successful result (exit 0, or a Python call that returns) has no nan, no infinity and no negative number
  in it, except in the fields whose symbols are declared unbounded (an unstable queue's waits) — and those only
  when the result flags the regime (``is_stable`` false, …);
* every input finishes in under 5 s;
* ``export --dir`` leaves every file outside its target, and every foreign file inside it, untouched.

CLI inputs run in-process (``mlsysim_sym.cli.main`` with captured streams), which is what a subprocess would do
minus interpreter start-up; ``tests/test_cli.py`` covers the real processes.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

TIME_LIMIT_S = 5.0
#: ``check`` audits the whole catalogue and, to say whether the generated code is current, builds every wall (wall
#: 22's inverses by SymPy's solver) and prints every generated module again: about 6 s on one core here, so the 5 s
#: bound for a question to the walls would fail it whenever it is drawn (found with --hypothesis-seed=1)
AUDIT_TIME_LIMIT_S = 30.0
#: a whole book export (1,010 files, figures included) — issue 14's bound for the full export on a 2-core machine
EXPORT_TIME_LIMIT_S = 30.0

# ---- value pools ------------------------------------------------------------------------------------------------
MODELS = ["ResNet50", "Llama3_8B", "Llama3_70B", "GPT3", "Mixtral_8x7B", "DLRM", "Mamba_2_8B", "BERT_Base",
          "StableDiffusion_v1_5", "ViT_Large", "DeepSeek_V3", "WakeVision"]
HARDWARE = ["A100", "H100", "B200", "T4", "ESP32_S3", "JetsonOrinNano", "Cerebras_CS3", "MI300X", "TPUv5p"]
CLUSTERS = ["Research_256", "Training_512_H100", "Frontier_8K", "Lab_64_A100"]
FABRICS = ["InfiniBand_NDR", "Ethernet_100G", "InfiniBand_NDR_Oversub2to1", "RoCE_400G"]
BAD_KEYS = ["", " ", "ResNet5O", "Cloud.__dict__", "Cloud._x", "Vision._items", "__class__", "../../etc/passwd",
            "H100;rm -rf /", "Ｈ100", "a" * 300, "Cloud.", ".", "Models.Vision.ResNet50", "Hardware.Cloud.H100",
            "None", "nan", "0", "-1", "\x00", "é"]
NUM_TEXT = ["0", "1", "-1", "2", "8", "32", "1024", "1e9", "1e10", "0.5", "1.5", "1e-9", "5e-324", "1e308", "-0",
            "nan", "inf", "-inf", "1e400", "9" * 401, "abc", "", " ", "0x10", "1_000", "٣", "1e-400", "+3"]
PRECISIONS = ["fp16", "bf16", "fp32", "fp8", "int8", "int4", "tf32", "FP16", "fp6", "", "fp16 ", "int3"]
PY_EDGE = [0, -1, 1, 2, 3, 8, 0.0, 0.5, 1.0, 1.5, -0.5, 1e-9, 5e-324, 1e308, -1e308, float("nan"), float("inf"),
           -float("inf"), 10**400, -(10**400), 2**63, True, False, None, "1", "fp16", [], {}, (1,), 1 + 2j,
           "9**9**8 GB/s", "nan GB/s", "100 GB/s", "1 s", "-5 B"]


def mostly(valid: st.SearchStrategy[Any], bad: st.SearchStrategy[Any], percent: int = 85) -> st.SearchStrategy[Any]:
    """``valid`` most of the time, else ``bad``: a call with several arguments still succeeds often enough to test
    what a successful result holds."""
    return st.integers(0, 99).flatmap(lambda i: valid if i < percent else bad)


def _key(pool: list[str]) -> st.SearchStrategy[str]:
    return mostly(st.sampled_from(pool), st.one_of(st.sampled_from(BAD_KEYS), st.text(max_size=12)))


def _num_text(valid: st.SearchStrategy[str] = st.integers(1, 4096).map(str)) -> st.SearchStrategy[str]:
    return mostly(valid, st.one_of(st.sampled_from(NUM_TEXT), st.integers(-10**12, 10**12).map(str),
                                   st.floats(allow_nan=True, allow_infinity=True).map(repr)))


def _opt(flag: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.one_of(st.just([]), values.map(lambda v: [flag, v]))


def _flag(flag: str) -> st.SearchStrategy[list[str]]:
    return st.sampled_from([[], [flag]])


@st.composite
def cli_args(draw: Any) -> list[str]:
    """One command line (without the program name)."""
    cmd = draw(st.sampled_from(["eval", "eval", "eval", "serve", "serve", "trace", "zoo", "walls", "check",
                                "bogus", "--help", "eval --help"]))
    args: list[str] = []
    fmt = draw(st.sampled_from([[], ["-o", "json"], ["-o", "markdown"], ["-o", "text"], ["-o", "xml"]]))
    if draw(st.booleans()):
        args += fmt
        fmt = []
    if cmd in ("eval", "serve", "trace"):
        args += [cmd, draw(_key(MODELS))]
        if draw(st.integers(0, 9)):
            args.append(draw(_key(HARDWARE)))
        args += draw(_opt("-b", _num_text())) + draw(_opt("-p", mostly(st.sampled_from(PRECISIONS[:7]),
                                                                       st.sampled_from(PRECISIONS))))
        args += draw(_opt("-e", _num_text(st.floats(0.01, 1.0).map(repr)))) + draw(_flag("--measured"))
        if cmd == "eval":
            args += draw(_flag("--training")) + draw(_flag("--recompute")) + draw(_opt("-s", _num_text()))
            args += draw(_flag("--explain"))
        elif cmd == "serve":
            args += draw(_opt("-s", _num_text())) + draw(_opt("--prefill-chunk-tokens", _num_text()))
        elif cmd == "trace":
            args += draw(_flag("--training"))
    elif cmd == "zoo":
        args += ["zoo", draw(st.sampled_from(["hardware", "models", "grids", "fabrics", "clusters", "nodes", "knobs",
                                              "bogus", ""]))] + draw(_flag("--sources"))
    elif cmd == "walls":
        args += ["walls"] + draw(_opt("--domain", st.sampled_from(["node", "fleet", "data", "bogus", "", "NODE"])))
    else:
        args += cmd.split()
    return args + fmt


# ---- Python facades ------------------------------------------------------------------------------------------
def _py_value(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return mostly(valid, st.sampled_from(PY_EDGE), 90)


_INT = st.integers(1, 4096)
_SEQ = st.integers(1, 32768)
_FRAC = st.floats(0.01, 1.0)
_PREC = mostly(st.sampled_from(["fp16", "bf16", "fp32", "int8", "fp8"]), st.sampled_from(PRECISIONS))
_STACK = st.sampled_from([None, "vllm", "trtllm", "pytorch", "megatron", "fsdp", "TRTLLM", "tgi", ""])

RESOLVER_ARGS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "Engine.solve": {"model": _key(MODELS), "hardware": _key(HARDWARE), "batch_size": _INT,
                     "precision": _PREC, "efficiency": _FRAC, "is_training": st.booleans(),
                     "seq_len": _SEQ, "zero_stage": st.integers(0, 3), "dp_size": st.integers(1, 64),
                     "is_lora": st.booleans(), "activation_recomputation": st.booleans()},
    "ServingModel": {"model": _key(MODELS), "hardware": _key(HARDWARE), "seq_len": _SEQ, "batch_size": _INT,
                     "precision": _PREC, "efficiency": _FRAC,
                     "cached_prefix_len": st.integers(0, 4096), "prefill_chunk_tokens": st.integers(1, 8192),
                     "draft_model": _key(MODELS), "draft_acceptance_rate": _FRAC,
                     "network_bandwidth": st.sampled_from(["100 GB/s", "1 TB/s", "50 Gb/s"]),
                     "tensor_parallel": st.sampled_from([1, 2, 4, 8, 3]), "output_len": st.integers(0, 4096),
                     "stack": _STACK, "bandwidth_efficiency": _FRAC},
    "TrainingMemoryModel": {"model": _key(MODELS), "hardware": _key(HARDWARE), "batch_size": _INT, "seq_len": _SEQ,
                            "precision": _PREC,
                            "optimizer": st.sampled_from(["adam", "adamw", "sgd", "none", "lion"]),
                            "activation_checkpointing": st.sampled_from(["none", "selective", "full", "some"]),
                            "tp_size": st.integers(1, 8), "pp_size": st.integers(1, 8), "dp_size": st.integers(1, 64),
                            "ep_size": st.integers(1, 8), "zero_stage": st.integers(0, 3),
                            "gradient_accumulation_steps": st.integers(1, 16), "trainable_fraction": _FRAC,
                            "communication_buffer_fraction": _FRAC, "sequence_parallel": st.booleans()},
    "ContinuousBatchingModel": {"model": _key(MODELS), "hardware": _key(HARDWARE), "max_seq_len": _SEQ,
                                "mean_request_tokens": st.floats(1, 32768), "max_batch_size": _INT,
                                "page_size": st.integers(1, 4096), "precision": _PREC,
                                "efficiency": _FRAC},
    "WeightStreamingModel": {"model": _key(MODELS), "hardware": _key(HARDWARE), "seq_len": _SEQ,
                             "batch_size": _INT, "precision": _PREC, "efficiency": _FRAC,
                             "phase": st.sampled_from(["decode", "prefill", "train"])},
    "TailLatencyModel": {"arrival_rate_qps": st.floats(0, 1e5), "service_latency_ms": st.floats(0.01, 1e4),
                         "num_replicas": st.integers(1, 1000), "service_time_cv": st.floats(0, 5)},
    "MoERoutingModel": {"model": _key(MODELS), "batch_size": _INT, "seq_len": _SEQ,
                        "precision": _PREC, "ep_size": st.integers(1, 64),
                        "routing_imbalance_factor": st.floats(1, 4), "fleet": _key(CLUSTERS)},
    "ServingCapacityModel": {"model": _key(MODELS), "hardware": _key(HARDWARE), "qps": st.floats(0.01, 1e4),
                             "target_p99_latency_ms": st.floats(1, 1e6), "max_seq_len": _SEQ,
                             "output_tokens": st.integers(1, 4096), "max_batch_size": _INT,
                             "precision": _PREC, "max_replicas": st.integers(1, 4096),
                             "service_time_cv": st.floats(0, 5), "stack": _STACK, "bandwidth_efficiency": _FRAC},
    "NetworkRooflineModel": {"model": _key(MODELS), "fleet": _key(CLUSTERS), "precision": _PREC,
                             "efficiency": _FRAC},
    "EfficiencyModel": {"model": _key(MODELS), "hardware": _key(HARDWARE),
                        "workload_type": st.sampled_from(["attention", "ffn", "conv", "other", ""]),
                        "use_flash_attention": st.booleans(), "precision": _PREC,
                        "efficiency": _FRAC},
    "DistributedModel": {"model": _key(MODELS), "fleet": _key(CLUSTERS), "batch_size": _INT, "precision": _PREC,
                         "efficiency": _FRAC, "stack": _STACK, "tp_size": st.sampled_from([1, 2, 4, 8, 16, 3]),
                         "pp_size": st.sampled_from([1, 2, 4, 8, 35]), "ep_size": st.sampled_from([1, 2, 8]),
                         "v_stages": st.integers(1, 4), "microbatch_count": st.integers(1, 512),
                         "topology_override": st.sampled_from([None, "ring", "tree", "hierarchical", "in_network",
                                                               "star"]),
                         "zero_stage": st.integers(0, 3), "is_lora": st.booleans(),
                         "activation_recomputation": st.booleans(), "overlap_comm": st.booleans(),
                         "overlap_efficiency": _FRAC, "congestion_factor": st.floats(1, 4),
                         "straggler_factor": st.floats(1, 2), "moe_routing_imbalance_factor": st.floats(1, 4),
                         "gradient_accumulation_steps": st.integers(1, 64), "seq_len": _SEQ},
    "CollectiveModel": {"message_bytes": st.sampled_from(["1 B", "1 MB", "1 GB", "1 TB", "0 B"]),
                        "n_ranks": st.integers(1, 100000),
                        "bandwidth": st.sampled_from(["1 Gb/s", "50 GB/s", "450 GB/s", "900 GB/s"]),
                        "latency": st.sampled_from(["0 s", "500 ns", "5 us", "1 ms"]),
                        "ranks_per_node": st.sampled_from([1, 2, 4, 8]),
                        "intra_node_bandwidth": st.sampled_from(["450 GB/s", "64 GB/s"]),
                        "intra_node_latency": st.sampled_from(["500 ns", "0 s"])},
    "TrainingFlopsModel": {"model": _key(MODELS), "hardware": _key(HARDWARE), "batch_size": _INT,
                           "iteration_time": st.sampled_from(["1 s", "1 ms", "10 min"]),
                           "num_accelerators": st.integers(1, 100000), "seq_len": _SEQ, "precision": _PREC,
                           "activation_recomputation": st.sampled_from(["none", "selective", "full"])},
    "TrainingTimeModel": {"model": _key(MODELS), "tokens": st.floats(1, 1e14), "num_accelerators": st.integers(1, 10**5),
                          "achieved_flops": st.sampled_from(["140 TFLOP/s", "1 PFLOP/s", "1 GFLOP/s"])},
    "DataModel": {"workload_data_rate": st.sampled_from(["5 GB/s", "1 TB/h", "0 B/s", "400 Gb/s", "1 PB/s"]),
                  "hardware": _key(HARDWARE)},
    "TransformationModel": {"batch_size": _INT, "sample_size_bytes": st.sampled_from(["150 KB", "1 MB", "1 B"]),
                            "cpu_throughput": st.sampled_from(["2 GB/s", "100 MB/s", None]),
                            "accelerator_step_time": st.sampled_from(["48 ms", "1 s", "1 us"]),
                            "cpu_cores": st.integers(1, 256), "per_core_samples_per_second": st.sampled_from(["700 1/s", "10 1/s"])},
    "TopologyModel": {"fabric": _key(FABRICS), "topology": st.sampled_from(["fat_tree", "dragonfly", "ring", "torus_3d",
                                                                            "torus_2d", "hypercube"]),
                      "num_nodes": st.integers(1, 100000), "fleet": _key(CLUSTERS)},
    "ScalingModel": {"compute_budget": st.sampled_from(["5.76e23 FLOP", "1e18 FLOP", "1000 day", "1 s", "5 GB"]),
                     "target_model_size": st.sampled_from([7e9, "70 Gparam", 0, None]),
                     "target_tokens": st.sampled_from([1e12, None]),
                     "allocation": st.sampled_from(["tokens_per_parameter", "parametric", "other"]),
                     "fit": st.sampled_from(["besiroglu2024", "hoffmann2022", "hoffmann2022_tex", "kaplan"]),
                     "hardware": _key(HARDWARE), "mfu": _FRAC, "precision": _PREC,
                     "num_accelerators": st.integers(1, 100000)},
    "TrainingComputeModel": {"model": _key(MODELS), "tokens": st.floats(1, 1e14), "seq_len": _SEQ},
    "InferenceScalingModel": {"model": _key(MODELS), "hardware": _key(HARDWARE), "reasoning_steps": _INT,
                              "context_length": _SEQ, "precision": _PREC, "efficiency": _FRAC,
                              "tokens_per_step": st.floats(1, 1e4), "n_samples": st.integers(1, 64),
                              "strategy": st.sampled_from(["best_of_n", "sequential", "tree"])},
    "CompressionModel": {"model": _key(MODELS), "hardware": _key(HARDWARE),
                         "method": st.sampled_from(["quantization", "pruning", "distillation", "lottery"]),
                         "target_bitwidth": st.integers(1, 32), "sparsity": st.floats(0, 1),
                         "sparsity_type": st.sampled_from(["unstructured", "structured", "n_m", "2:4", "block"]),
                         "baseline_precision": st.sampled_from(["fp32", "fp16", "bf16", "int8", "fp64"]),
                         "student_model": _key(MODELS)},
    "ReliabilityModel": {"fleet": _key(CLUSTERS), "job_duration_hours": st.floats(0, 1e5),
                         "checkpoint_time_s": st.floats(0.01, 1e5), "avg_recovery_time_s": st.floats(0, 1e5),
                         "interval": st.sampled_from(["daly", "young", "optimal"])},
    "OrchestrationModel": {"fleet": _key(CLUSTERS), "arrival_rate_jobs_per_day": st.floats(0.001, 1e3),
                           "avg_job_duration_days": st.floats(0.001, 100), "gpus_per_job": st.integers(1, 100000),
                           "service_cv": st.floats(0, 5)},
    "CheckpointModel": {"model": _key(MODELS), "hardware": _key(HARDWARE),
                        "optimizer": st.sampled_from(["adam", "adamw", "sgd", "none", "lion"]),
                        "checkpoint_interval_hours": st.floats(0.01, 100), "n_writers": st.integers(1, 4096),
                        "filesystem_limit_gbs": st.floats(0.1, 1e4), "precision": _PREC,
                        "mode": st.sampled_from(["blocking", "async", "lazy"]), "mtbf_hours": st.floats(0.1, 1e5)},
    "SustainabilityModel": {"fleet": _key(CLUSTERS), "duration_days": st.floats(0.001, 3650),
                            "datacenter": st.sampled_from(["Quebec", "Iowa", "Quebec_Hydro", "Mars", None]),
                            "mfu": _FRAC, "embodied_carbon_per_device": st.floats(0, 1e4),
                            "renewable_share": st.floats(0, 1), "service_life_years": st.floats(0.5, 10)},
    "EconomicsModel": {"fleet": _key(CLUSTERS), "duration_days": st.floats(0.001, 3650),
                       "kwh_price": st.floats(0, 1), "datacenter": st.sampled_from(["Quebec_Hydro", "Poland", None]),
                       "grid": st.sampled_from(["Quebec", "Texas", None]), "mfu": _FRAC,
                       "amortization_years": st.floats(0.5, 10), "infrastructure_multiplier": st.floats(1, 3),
                       "throughput_tokens_per_s": st.floats(0, 1e7),
                       "rental_price_per_accelerator_hour": st.floats(0, 100)},
    "ResponsibleEngineeringModel": {"base_training_time": st.sampled_from(["100 h", "1 d", "0 s", "5 GB"]),
                                    "epsilon": st.floats(0.001, 100), "delta": st.floats(1e-9, 0.1),
                                    "min_subgroup_prevalence": st.floats(1e-6, 1)},
    "SensitivitySolver": {"model": _key(MODELS), "hardware": _key(HARDWARE), "precision": _PREC,
                          "perturbation_pct": st.floats(-150, 1e4), "efficiency": _FRAC},
    "SynthesisSolver": {"model": _key(MODELS), "target_latency": st.sampled_from(["50 ms", "1 s", "0 s", "-1 ms",
                                                                                  "5 GB", "1e-9 s", "1e9 s"]),
                        "precision": _PREC, "efficiency": _FRAC, "hardware": _key(HARDWARE), "batch_size": _INT},
    "ParallelismOptimizer": {"model": _key(MODELS), "fleet": _key(CLUSTERS), "batch_size": _INT,
                             "precision": _PREC, "efficiency": _FRAC, "max_tp": st.integers(1, 64),
                             "max_pp": st.integers(1, 256), "seq_len": _SEQ,
                             "activation_recomputation": st.booleans()},
    "BatchingOptimizer": {"model": _key(MODELS), "hardware": _key(HARDWARE), "seq_len": _SEQ,
                          "sla_latency_ms": st.floats(0.001, 1e7), "arrival_rate_qps": st.floats(0.001, 1e5),
                          "num_replicas": st.integers(1, 128), "precision": _PREC, "efficiency": _FRAC,
                          "max_search_batch": st.integers(1, 1024)},
    "PlacementOptimizer": {"fleet": _key(CLUSTERS), "duration_days": st.floats(0.001, 3650),
                           "regions": st.sampled_from([None, ["Quebec", "Iowa"], ["US_Avg", "Mars"], []]),
                           "carbon_tax_per_ton": st.floats(0, 1e4), "mfu": _FRAC},
    "calc_kv_cache_size": {"n_layers": _INT, "n_heads": st.integers(1, 128), "head_dim": st.integers(1, 256),
                           "seq_len": _SEQ, "batch_size": _INT, "bytes_per_elem": st.sampled_from([0.5, 1, 2, 4])},
}
REQUIRED = {"Engine.solve": ("model", "hardware"), "ServingModel": ("model", "hardware", "seq_len"),
            "TrainingMemoryModel": ("model", "hardware", "batch_size"),
            "ContinuousBatchingModel": ("model", "hardware", "max_seq_len"),
            "WeightStreamingModel": ("model", "hardware", "seq_len"),
            "TailLatencyModel": ("arrival_rate_qps", "service_latency_ms"),
            "MoERoutingModel": ("model", "batch_size", "seq_len"),
            "ServingCapacityModel": ("model", "hardware", "qps", "target_p99_latency_ms"),
            "NetworkRooflineModel": ("model", "fleet"), "EfficiencyModel": ("model", "hardware"),
            "DistributedModel": ("model", "fleet"),
            "CollectiveModel": ("message_bytes", "n_ranks", "bandwidth", "latency"),
            "TrainingFlopsModel": ("model", "hardware", "batch_size", "iteration_time", "num_accelerators"),
            "TrainingTimeModel": ("model", "tokens", "num_accelerators", "achieved_flops"),
            "DataModel": ("workload_data_rate", "hardware"),
            "TransformationModel": ("batch_size", "sample_size_bytes", "accelerator_step_time"),
            "TopologyModel": (), "ScalingModel": ("compute_budget",), "TrainingComputeModel": ("model", "tokens"),
            "InferenceScalingModel": ("model", "hardware"), "CompressionModel": ("model", "hardware"),
            "ReliabilityModel": ("fleet", "job_duration_hours"),
            "OrchestrationModel": ("fleet", "arrival_rate_jobs_per_day", "avg_job_duration_days"),
            "CheckpointModel": ("model", "hardware"),
            "SustainabilityModel": ("fleet", "duration_days"), "EconomicsModel": ("fleet", "duration_days"),
            "ResponsibleEngineeringModel": ("base_training_time",),
            "SensitivitySolver": ("model", "hardware"), "SynthesisSolver": ("model", "target_latency"),
            "ParallelismOptimizer": ("model", "fleet", "batch_size"),
            "BatchingOptimizer": ("model", "hardware", "seq_len", "sla_latency_ms", "arrival_rate_qps"),
            "PlacementOptimizer": ("fleet", "duration_days"),
            "calc_kv_cache_size": ("n_layers", "n_heads", "head_dim", "seq_len", "batch_size")}


@st.composite
def py_call(draw: Any) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(RESOLVER_ARGS)))
    kwargs = {}
    for arg, valid in RESOLVER_ARGS[name].items():
        if arg in REQUIRED[name] or draw(st.integers(0, 2)) == 0:
            kwargs[arg] = draw(_py_value(valid), label=f"{name}.{arg}")
    return name, kwargs


# ---- the oracle --------------------------------------------------------------------------------------------------
@dataclass
class Tally:
    inputs: int = 0
    outcomes: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    slowest: float = 0.0

    def fail(self, what: str) -> None:
        self.failures.append(what)


def _field(path: str) -> str:
    """The result field a JSON path ends in ('.margin.value' -> 'margin')."""
    parts = path.split(".")
    return parts[-2] if parts[-1] == "value" and len(parts) > 1 else parts[-1]


def bad_numbers(doc: Any, path: str = "", allowed: frozenset[str] = frozenset(),
                signed: frozenset[str] = frozenset()) -> list[str]:
    """Paths of nan, infinite or negative numbers in a JSON document (as numbers or as 'inf'/'nan' strings);
    ``allowed`` fields may be infinite (an unstable queue), ``signed`` fields negative (declared signed symbols)."""
    out = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += bad_numbers(v, f"{path}.{k}", allowed, signed)
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += bad_numbers(v, f"{path}[{i}]", allowed, signed)
    elif isinstance(doc, bool):
        pass
    elif isinstance(doc, (int, float)):
        name = _field(path)
        if signed & set(path.replace("[", ".").split(".")):  # inside a signed field (a dict of elasticities)
            name = next(iter(signed & set(path.replace("[", ".").split("."))))
        if math.isnan(doc) or (math.isinf(doc) and name not in allowed and path.rsplit(".", 1)[-1] not in allowed) \
                or (doc < 0 and not math.isinf(doc) and name not in signed and name not in allowed
                    and path.rsplit(".", 1)[-1] not in allowed):
            out.append(f"{path}={doc}")
    elif isinstance(doc, str) and doc in ("nan", "inf", "-inf", "NaN", "Infinity", "-Infinity"):
        if path.rsplit(".", 1)[-1] not in allowed:
            out.append(f"{path}={doc}")
    return out


def run_cli(args: list[str], tally: Tally) -> None:
    from mlsysim_sym.cli import main

    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(list(args))
        except BaseException as exc:  # noqa: BLE001 - the oracle must see everything
            rc = f"raised {type(exc).__name__}: {exc}"
    dt = time.perf_counter() - t0
    tally.inputs += 1
    tally.slowest = max(tally.slowest, dt)
    tally.outcomes[f"cli rc={rc}"] += 1
    text = err.getvalue()
    where = f"cli {args!r}"
    if rc not in (0, 1, 2, 3, 4):
        tally.fail(f"{where}: exit {rc}")
    if "Traceback" in text or "Traceback" in out.getvalue():
        tally.fail(f"{where}: traceback")
    if "internal error" in text:
        tally.fail(f"{where}: {text.strip().splitlines()[-1]}")
    if dt > (AUDIT_TIME_LIMIT_S if "check" in args else TIME_LIMIT_S):
        tally.fail(f"{where}: took {dt:.1f} s")
    if rc == 0 and ("-o" in args and "json" in args) and args[0] not in ("--help",) and "--help" not in args:
        try:
            doc = json.loads(out.getvalue())
        except ValueError:
            tally.fail(f"{where}: stdout is not one JSON document")
            return
        doc.pop("stamp", None)
        if args[args.index("-o") + 1] == "json" and any(a in args for a in ("eval", "serve")):
            bad = bad_numbers({k: v for k, v in doc.items() if k not in ("sources",)})
            if bad:
                tally.fail(f"{where}: {bad[:3]}")


def _signed_fields(result: Any) -> frozenset[str]:
    """Fields of symbols declared signed (a margin, an accuracy delta): negative by definition, never nan/inf."""
    from mlsysim_sym.notation import SYMBOLS

    declared = frozenset(getattr(result, "SIGNED_FIELDS", ()))  # a non-view result names its signed fields
    return declared | frozenset(f.name for f in getattr(type(result), "FIELDS", ())
                                if getattr(f, "symbol", None) and f.symbol in SYMBOLS and SYMBOLS[f.symbol].signed)


def _unbounded_ok(result: Any) -> frozenset[str]:
    """Fields allowed to be infinite in this result: those of unbounded symbols, when the result says so."""
    from mlsysim_sym.notation import SYMBOLS

    d = result.to_dict()
    if d.get("is_stable") is False or d.get("feasible") is False:
        declared = {f.name for f in getattr(type(result), "FIELDS", ())
                    if f.symbol and f.symbol in SYMBOLS and SYMBOLS[f.symbol].unbounded}
        return frozenset({"p50_latency", "p99_latency", "estimated_p99_latency", "queue_wait_p99", "utilization",
                          "speedup_vs_static", "value", *declared})
    if d.get("static_max_active_requests") == 0:
        return frozenset({"speedup_vs_static"})
    return frozenset()


def run_py(name: str, kwargs: dict[str, Any], tally: Tally) -> None:
    import mlsysim_sym
    from mlsysim_sym.errors import MlsysimError

    if name == "Engine.solve":
        fn = mlsysim_sym.Engine.solve
    elif name == "calc_kv_cache_size":
        fn = mlsysim_sym.calc_kv_cache_size
    else:
        fn = getattr(mlsysim_sym, name)().solve
    t0 = time.perf_counter()
    where = f"{name}({', '.join(f'{k}={v!r}'[:60] for k, v in kwargs.items())})"
    tally.inputs += 1
    try:
        result = fn(**kwargs)
    except MlsysimError as exc:
        tally.outcomes[f"py {type(exc).__name__}"] += 1
        if not str(exc).strip():
            tally.fail(f"{where}: {type(exc).__name__} with an empty message")
        return
    except Exception as exc:  # noqa: BLE001
        tally.fail(f"{where}: {type(exc).__name__}: {exc}")
        return
    finally:
        dt = time.perf_counter() - t0
        tally.slowest = max(tally.slowest, dt)
        if dt > TIME_LIMIT_S:
            tally.fail(f"{where}: took {dt:.1f} s")
    tally.outcomes["py ok"] += 1
    if isinstance(result, float):
        doc: Any = {"value": result}
        allowed: frozenset[str] = frozenset()
    else:
        doc = result.to_dict()
        doc.pop("stamp", None)
        allowed = _unbounded_ok(result)
    signed = frozenset() if isinstance(result, float) else _signed_fields(result)
    bad = bad_numbers(doc, allowed=allowed, signed=signed)
    if bad:
        tally.fail(f"{where}: {bad[:3]}")


# ---- export -------------------------------------------------------------------------------------------------------
EXPORT_LAYOUTS = ["missing", "empty", "foreign", "foreign_parent", "owned", "owned_plus_foreign", "file", "dot",
                  "dotdot", "nested_missing"]


def run_export_case(layout: str, tally: Tally) -> None:
    """``export --dir`` on a prepared folder; every file outside the target, and every foreign file, must survive."""
    from mlsysim_sym.cli import main

    tally.inputs += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "sibling.txt").write_text("sibling", encoding="utf-8")
        work = root / "a" / "b" / "c"
        work.mkdir(parents=True)
        (root / "a" / "b" / "keep.txt").write_text("keep", encoding="utf-8")
        target = root / "a" / "b" / "out"
        arg = str(target)
        if layout == "empty":
            target.mkdir()
        elif layout == "foreign":
            target.mkdir()
            (target / "notes.md").write_text("mine", encoding="utf-8")
        elif layout == "foreign_parent":
            arg = str(root / "a")
        elif layout in ("owned", "owned_plus_foreign"):
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                main(["export", "--dir", arg])
            if layout == "owned_plus_foreign":
                (target / "equations" / "mine.tex").write_text("mine", encoding="utf-8")
        elif layout == "file":
            target.write_text("a file", encoding="utf-8")
        elif layout == "dot":
            arg = "."
        elif layout == "dotdot":
            arg = ".."
        elif layout == "nested_missing":
            target = root / "a" / "new" / "deeper" / "out"
            arg = str(target)
        before = _snapshot(root)
        out, err = io.StringIO(), io.StringIO()
        cwd = os.getcwd()
        os.chdir(work)
        t0 = time.perf_counter()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = main(["export", "--dir", arg])
        finally:
            os.chdir(cwd)
        dt = time.perf_counter() - t0
        tally.slowest = max(tally.slowest, dt)
        tally.outcomes[f"export {layout} rc={rc}"] += 1
        after = _snapshot(root)
        written = Path(os.path.abspath(os.path.join(work, arg))) if not os.path.isabs(arg) else Path(arg)
        for rel, text in before.items():
            p = root / rel
            inside = written in p.parents
            manifest = _manifest_files(written)
            ours = inside and p.relative_to(written).as_posix() in manifest | {"manifest.json"}
            if not ours and after.get(rel) != text:
                tally.fail(f"export {layout}: {rel} was changed or removed")
        if rc not in (0, 1, 2):
            tally.fail(f"export {layout}: exit {rc}")
        if "Traceback" in err.getvalue() or "internal error" in err.getvalue():
            tally.fail(f"export {layout}: {err.getvalue().strip()[-200:]}")
        leftovers = [p.name for p in written.parent.iterdir() if ".export-" in p.name] if written.parent.exists() else []
        if leftovers:
            tally.fail(f"export {layout}: temporary folders left: {leftovers}")
        if dt > EXPORT_TIME_LIMIT_S:
            tally.fail(f"export {layout}: took {dt:.1f} s")


def _manifest_files(folder: Path) -> set[str]:
    from mlsysim_sym.export.tree import manifest_of

    man = manifest_of(folder) if folder.is_dir() else None
    return set(man["files"]) if man else set()


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# ---- YAML plans (eval PLAN.yaml, optimize) --------------------------------------------------------------------------
PLAN_BASE: dict[str, Any] = {
    "version": "1.0", "name": "fuzz",
    "workload": {"name": "Llama3_8B", "batch_size": 64, "seq_len": 1024},
    "hardware": {"name": "H100", "nodes": 16, "accelerators_per_node": 8, "intra_node_bw": "450 GB/s",
                 "fabric_bandwidth": "50 GB/s", "precision": "fp16", "efficiency": 0.5},
    "ops": {"region": "Quebec", "duration_days": 14.0},
    "constraints": {"assert": [{"metric": "performance.latency", "max": 50.0}]},
    "serving": {"arrival_rate_qps": 2.0, "sla_latency_ms": "10 s", "num_replicas": 2},
}
_PLAN_ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10), st.integers(-2**70, 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["50 GB/s", "400 Gb/s", "9**9**8 GB/s", "nan GB/s", "1e400 GB/s", "50 furlongs", "50", "-3 d",
                     "2 weeks", "50 ms", "1e-3 s", "Quebec", "Llama3_70B", "H100", "fp8", "int4", "FP16", "",
                     "1.0", "2.0", "__class__", "performance.latency", "macro.tco_usd", "feasibility.x"]),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


def _mutate_keys(key: str) -> st.SearchStrategy[str]:
    return st.one_of(st.just(key), st.just(key[:-1] or "x"), st.just(key + "s"), st.just(key.upper()),
                     st.text(min_size=1, max_size=8))


@st.composite
def plan_yaml(draw: Any) -> str:
    """A plan's YAML text: the base plan with values replaced, keys misspelt, blocks dropped or retyped, and now and
    then the text itself cut or spliced (YAML syntax, anchors, tags, dates)."""
    import copy

    import yaml

    doc = copy.deepcopy(PLAN_BASE)
    for _ in range(draw(st.integers(0, 4))):
        block = draw(st.sampled_from(sorted(doc)))
        action = draw(st.sampled_from(["value", "key", "drop", "retype", "inner"]))
        if action == "drop":
            doc.pop(block, None)
        elif action == "retype":
            doc[block] = draw(_PLAN_ODD_VALUES)
        elif action == "key":
            doc[draw(_mutate_keys(block))] = doc.pop(block)
        elif isinstance(doc.get(block), dict) and doc[block]:
            inner = doc[block]
            k = draw(st.sampled_from(sorted(inner)))
            if action == "value":
                inner[k] = draw(_PLAN_ODD_VALUES)
            elif action == "inner":
                inner[draw(_mutate_keys(k))] = inner.pop(k)
    text = yaml.safe_dump(doc, sort_keys=False)
    edit = draw(st.sampled_from(["none"] * 6 + ["cut", "splice"]))
    if edit == "cut":
        text = text[:draw(st.integers(0, len(text)))]
    elif edit == "splice":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["&a [*a]", ": :", "\t", "!!python/object:os.system x",
                                                 "2024-01-01", "{", "- ", "? [1]\n", "<<: *b", "\x00", "'"])) \
            + text[at:]
    return text


def run_plan(text: str, command: list[str], tally: Tally) -> None:
    """Evaluate a plan text with ``command`` (eval / optimize ...): the CLI oracle, plus: an error names
    file:line."""
    import re
    import tempfile

    from mlsysim_sym.cli import main

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "plan.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        args = ["-o", "json", *command, path] if command[0] == "eval" else ["-o", "json", *command[:2], path,
                                                                           *command[2:]]
        out, err = io.StringIO(), io.StringIO()
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = main(args)
            except BaseException as exc:  # noqa: BLE001
                rc = f"raised {type(exc).__name__}: {exc}"
        dt = time.perf_counter() - t0
    tally.inputs += 1
    tally.slowest = max(tally.slowest, dt)
    tally.outcomes[f"plan {command[0]} rc={rc}"] += 1
    where = f"plan {command!r} {text[:200]!r}"
    errtext, outtext = err.getvalue(), out.getvalue()
    if rc not in (0, 1, 2, 3, 4):
        tally.fail(f"{where}: exit {rc}")
    if "Traceback" in errtext or "Traceback" in outtext or "internal error" in errtext:
        tally.fail(f"{where}: {errtext.strip()[-300:]}")
    if dt > TIME_LIMIT_S:
        tally.fail(f"{where}: took {dt:.1f} s")
    try:
        doc = json.loads(outtext)
    except ValueError:
        tally.fail(f"{where}: stdout is not one JSON document")
        return
    if rc == 1 and not re.search(re.escape(path) + r"(:\d+:\d+)?: ", errtext):
        tally.fail(f"{where}: the error does not name the file and line: {errtext.strip()[:200]}")
    if rc == 1 and "PlanError" in outtext and not re.search(re.escape(path) + r":\d+:\d+: ", errtext) \
            and "plan file" not in errtext and "not UTF-8" not in errtext and "NUL" not in errtext:
        tally.fail(f"{where}: a plan error without line:column: {errtext.strip()[:200]}")
    if rc in (0, 3, 4) and command[0] == "eval":
        bad = bad_numbers({k: doc.get(k) for k in ("feasibility", "performance", "macro")})
        if bad:
            tally.fail(f"{where}: {bad[:3]}")


PLAN_COMMANDS = [["eval"], ["eval"], ["eval"], ["optimize", "parallelism"], ["optimize", "batching"],
                 ["optimize", "placement", "--carbon-tax", "150"]]


def plan_input() -> st.SearchStrategy[tuple[str, Any]]:
    return st.tuples(plan_yaml(), st.sampled_from(PLAN_COMMANDS)).map(lambda p: ("plan", p))


# ---- driver -------------------------------------------------------------------------------------------------------
def any_input() -> st.SearchStrategy[tuple[str, Any]]:
    return st.one_of(cli_args().map(lambda a: ("cli", a)), py_call().map(lambda c: ("py", c)), plan_input())


def run_one(item: tuple[str, Any], tally: Tally) -> None:
    kind, payload = item
    if kind == "cli":
        run_cli(payload, tally)
    elif kind == "py":
        run_py(*payload, tally)
    elif kind == "plan":
        run_plan(payload[0], payload[1], tally)
    else:
        run_export_case(payload, tally)


def main(argv: list[str] | None = None) -> int:
    from hypothesis import HealthCheck, given, settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=2000, help="inputs to generate (CLI and Python)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    tally = Tally()
    t0 = time.perf_counter()
    for layout in EXPORT_LAYOUTS:
        run_export_case(layout, tally)

    @settings(max_examples=a.examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(any_input())
    def go(item: tuple[str, Any]) -> None:
        run_one(item, tally)

    from hypothesis import seed as hseed

    hseed(a.seed)(go)()
    total = time.perf_counter() - t0
    print(f"inputs: {tally.inputs} ({a.examples} generated + {len(EXPORT_LAYOUTS)} export layouts) in {total:.0f} s;"
          f" slowest {tally.slowest:.2f} s")
    for k, v in sorted(tally.outcomes.items()):
        print(f"  {k}: {v}")
    print(f"failures: {len(tally.failures)}")
    for f in tally.failures[:40]:
        print("  " + f)
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
