"""The package's shape: no import cycle (module-level or inside functions), facades below nothing, walls discovered,
one LaTeX spelling per symbol, the public API pinned."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "mlsysim_sym"


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports() -> dict[str, set[str]]:
    """Every module of the package -> the package modules it imports, anywhere in its body (lazy imports too)."""
    modules = {module_name(p): p for p in PKG.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                targets.append(stem)
                targets += [f"{stem}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets += [a.name for a in node.names]
            for t in targets:
                if t in modules and t != mod:
                    graph[mod].add(t)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def package_parents(mod: str) -> set[str]:
    parts = mod.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def test_no_import_cycle_anywhere_in_the_package():
    graph = imports()
    # importing a submodule runs its package's __init__: an edge to a parent package is not a cycle by itself
    pruned = {m: {t for t in ts if t not in package_parents(m)} for m, ts in graph.items()}
    assert cycles(pruned) == []


def test_engine_imports_no_facade_and_facades_do_not_import_each_other():
    graph = imports()
    facades = {m for m in graph if m.startswith("mlsysim_sym.resolvers.")} | {"mlsysim_sym.engine"}
    for f in facades:
        assert not (graph[f] & facades), (f, graph[f] & facades)
    optimizers = {m for m in graph if m.startswith("mlsysim_sym.optimizers")}
    for f in facades:  # the optimizers sit above the facades they search with: no facade imports one
        assert not (graph[f] & optimizers), (f, graph[f] & optimizers)
    below = {m for m in graph if m.startswith(("mlsysim_sym.binding", "mlsysim_sym.walls", "mlsysim_sym.evaluate",
                                                 "mlsysim_sym.catalog", "mlsysim_sym.objects", "mlsysim_sym.editions"))}
    for m in below:
        assert not (graph[m] & facades), (m, graph[m] & facades)


def test_walls_are_discovered_not_listed():
    from mlsysim_sym.walls import WALLS, load_all, wall_modules

    load_all()
    assert {"node", "training", "serving", "batching", "streaming", "queueing", "efficiency"} <= set(wall_modules())
    assert sorted(WALLS)[:7] == [1, 2, 3, 4, 5, 6, 7]
    text = (PKG / "walls" / "__init__.py").read_text(encoding="utf-8")
    assert "import batching" not in text and "from . import" not in text


def test_every_symbol_has_its_own_latex_spelling():
    from mlsysim_sym.walls import load_all
    from mlsysim_sym.walls._core import _DECLARED

    load_all()
    seen: dict[str, str] = {}
    clashes = []
    for name, row in sorted(_DECLARED.items()):
        if row.latex in seen:
            clashes.append((row.latex, seen[row.latex], name))
        seen[row.latex] = name
    assert clashes == []


def test_symbols_are_declared_by_the_wall_modules_and_the_generated_table_is_current():
    from mlsysim_sym import codegen
    from mlsysim_sym.walls import load_all
    from mlsysim_sym.walls._core import _DECLARED

    load_all()
    from mlsysim_sym._generated.symbols import ROWS

    assert {r[0] for r in ROWS} == set(_DECLARED)
    assert codegen.is_current()


def test_every_facade_is_a_spec_whose_computation_inputs_are_all_bound():
    """A facade binds every input of its computation (checked when it first evaluates; here for all of them)."""
    import mlsysim_sym
    from mlsysim_sym.binding import FACADES

    for name in ("Engine", "ServingModel", "TrainingMemoryModel", "ContinuousBatchingModel", "WeightStreamingModel",
                 "EfficiencyModel", "TailLatencyModel", "MoERoutingModel", "ServingCapacityModel",
                 "NetworkRooflineModel", "SingleNodeModel"):
        getattr(mlsysim_sym, name)
    for name, cls in FACADES.items():
        assert cls.spec.computation, name
        assert cls.result_class.FIELDS, name


PUBLIC = ["SensitivityResult", "SensitivitySolver", "SynthesisResult", "SynthesisSolver", "sensitivity", "Interval",
          "interval", "intervals", "ParallelismOptimizer", "ParallelismOptimizerResult", "BatchingOptimizer", "BatchingOptimizerResult",
          "PlacementOptimizer", "PlacementOptimizerResult", "OptimizerResult", "ApplicationScenario", "EvaluationLevel", "SLAViolation", "Scenarios", "SystemEvaluation",
          "SystemEvaluator", "Catalog", "CheckpointModel", "EconomicsModel", "ResponsibleEngineeringModel", "SustainabilityModel", "CollectiveModel", "CompressionModel", "ContinuousBatchingModel",
          "DataModel", "DistributedModel", "EfficiencyModel", "Engine", "Fleet", "Hardware", "InferenceScalingModel",
          "Infrastructure", "MlsysimError", "MoERoutingModel", "Models", "NetworkRooflineModel", "OOMError",
          "OrchestrationModel", "PerformanceProfile", "Q_", "ReliabilityModel", "ScalingModel", "Scenario",
          "ServingCapacityModel", "ServingModel", "SingleNodeModel", "Systems", "TailLatencyModel", "TopologyModel",
          "TrainingComputeModel", "TrainingFlopsModel", "TrainingMemoryModel", "TrainingTimeModel",
          "TransformationModel", "TransformerWorkload", "WeightStreamingModel", "calc_kv_cache_size", "catalog",
          "current_edition", "edition", "list_editions", "load_catalog", "set_edition", "taxonomy", "ureg", "wall",
          "walls_in_domain"]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_api_is_pinned(name):
    import mlsysim_sym

    assert name in mlsysim_sym.__all__
    assert getattr(mlsysim_sym, name) is not None


def test_public_api_is_exactly_the_pinned_list():
    import mlsysim_sym

    assert sorted(mlsysim_sym.__all__) == sorted(["__version__", *PUBLIC])


def test_catalog_is_callable_after_its_module_is_imported():
    import mlsysim_sym
    import mlsysim_sym.catalog  # noqa: F401 - the submodule import rebinds the package attribute

    assert mlsysim_sym.catalog().constants["knobs.engine.efficiency"].si == 0.5
