"""mlsysim_sym — a symbolic derivation engine with provenance for the physics of ML systems.

``import mlsysim_sym as mlsysim`` gives the MLSys·im 0.3.0 surface (``Engine``, ``Models``, ``Hardware``,
resolvers); every result additionally carries ``.trace``, ``.sources``, ``.stamp`` and ``.explain()``.
Attributes are imported lazily so that ``import mlsysim_sym`` is cheap and imports neither SymPy nor pint.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "Engine": ("engine", "Engine"),
    "PerformanceProfile": ("engine", "PerformanceProfile"),
    "SingleNodeModel": ("engine", "SingleNodeModel"),
    "Hardware": ("registry", "Hardware"),
    "Models": ("registry", "Models"),
    "Infrastructure": ("systems", "Infrastructure"),
    "Systems": ("systems", "Systems"),
    "Fleet": ("systems", "Fleet"),
    "ServingModel": ("resolvers.serving", "ServingModel"),
    "TrainingMemoryModel": ("resolvers.training", "TrainingMemoryModel"),
    "EfficiencyModel": ("resolvers.streaming", "EfficiencyModel"),
    "WeightStreamingModel": ("resolvers.streaming", "WeightStreamingModel"),
    "ContinuousBatchingModel": ("resolvers.batching", "ContinuousBatchingModel"),
    "TailLatencyModel": ("resolvers.queueing", "TailLatencyModel"),
    "ServingCapacityModel": ("resolvers.queueing", "ServingCapacityModel"),
    "MoERoutingModel": ("resolvers.moe", "MoERoutingModel"),
    "NetworkRooflineModel": ("resolvers.network", "NetworkRooflineModel"),
    "DistributedModel": ("resolvers.distributed", "DistributedModel"),
    "CollectiveModel": ("resolvers.distributed", "CollectiveModel"),
    "TrainingFlopsModel": ("resolvers.distributed", "TrainingFlopsModel"),
    "TrainingTimeModel": ("resolvers.distributed", "TrainingTimeModel"),
    "DataModel": ("resolvers.data", "DataModel"),
    "TransformationModel": ("resolvers.data", "TransformationModel"),
    "TopologyModel": ("resolvers.data", "TopologyModel"),
    "ScalingModel": ("resolvers.algorithm", "ScalingModel"),
    "TrainingComputeModel": ("resolvers.algorithm", "TrainingComputeModel"),
    "InferenceScalingModel": ("resolvers.algorithm", "InferenceScalingModel"),
    "CompressionModel": ("resolvers.algorithm", "CompressionModel"),
    "ReliabilityModel": ("resolvers.reliability", "ReliabilityModel"),
    "OrchestrationModel": ("resolvers.reliability", "OrchestrationModel"),
    "CheckpointModel": ("resolvers.reliability", "CheckpointModel"),
    "SustainabilityModel": ("resolvers.operations", "SustainabilityModel"),
    "EconomicsModel": ("resolvers.operations", "EconomicsModel"),
    "ResponsibleEngineeringModel": ("resolvers.operations", "ResponsibleEngineeringModel"),
    "ParallelismOptimizer": ("optimizers", "ParallelismOptimizer"),
    "ParallelismOptimizerResult": ("optimizers", "ParallelismOptimizerResult"),
    "BatchingOptimizer": ("optimizers", "BatchingOptimizer"),
    "BatchingOptimizerResult": ("optimizers", "BatchingOptimizerResult"),
    "PlacementOptimizer": ("optimizers", "PlacementOptimizer"),
    "PlacementOptimizerResult": ("optimizers", "PlacementOptimizerResult"),
    "OptimizerResult": ("optimizers", "OptimizerResult"),
    "SystemEvaluator": ("evaluation", "SystemEvaluator"),
    "SystemEvaluation": ("evaluation", "SystemEvaluation"),
    "EvaluationLevel": ("evaluation", "EvaluationLevel"),
    "Scenarios": ("scenarios", "Scenarios"),
    "ApplicationScenario": ("scenarios", "ApplicationScenario"),
    "SLAViolation": ("errors", "SLAViolation"),
    "SensitivitySolver": ("analysis.sensitivity", "SensitivitySolver"),
    "SensitivityResult": ("analysis.sensitivity", "SensitivityResult"),
    "sensitivity": ("analysis.sensitivity", "sensitivity"),
    "Interval": ("analysis.ranges", "Interval"),
    "interval": ("analysis.ranges", "interval"),
    "intervals": ("analysis.ranges", "intervals"),
    "SynthesisSolver": ("analysis.synthesis", "SynthesisSolver"),
    "SynthesisResult": ("analysis.synthesis", "SynthesisResult"),
    "calc_kv_cache_size": ("physics", "calc_kv_cache_size"),
    "TransformerWorkload": ("objects", "TransformerWorkload"),
    "Catalog": ("catalog", "Catalog"),
    "Scenario": ("scenario", "Scenario"),
    "catalog": ("catalog", "catalog"),
    "load_catalog": ("catalog", "load_catalog"),
    "edition": ("editions", "edition"),
    "set_edition": ("editions", "set_edition"),
    "list_editions": ("editions", "editions"),
    "current_edition": ("editions", "active"),
    "ureg": ("units", "ureg"),
    "Q_": ("units", "Q_"),
    "wall": ("walls", "wall"),
    "walls_in_domain": ("walls", "walls_in_domain"),
    "taxonomy": ("walls", "taxonomy"),
    "MlsysimError": ("errors", "MlsysimError"),
    "OOMError": ("errors", "OOMError"),
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    try:
        mod, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'mlsysim_sym' has no attribute {name!r}") from None
    value = getattr(import_module(f".{mod}", __name__), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
