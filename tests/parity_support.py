"""Test support: run mlsysim 0.3.0's recorded cases (tests/data/mlsysim_0_3_0/*.json) through our facades.

Three ways to evaluate a case, each an edition:

* ``edition`` — the public ``mlsysim-0.3.0`` edition: 0.3.0's effective values *and* its declared rules switched
  back; every case must reproduce to 1e-6 except the named structural differences;
* ``data`` — 0.3.0's values with our rules (the edition's data, no rules): every remaining difference is a
  declared model deviation, and switching just that rule back reproduces 0.3.0;
* ``default`` — our cited catalogue and our rules.

Reads only committed data: mlsysim itself is never imported here.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlsysim_sym import editions
from mlsysim_sym.errors import MlsysimError

DATA = Path(__file__).resolve().parent / "data" / "mlsysim_0_3_0"
REL = 1e-6


@lru_cache(maxsize=8)
def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


EDITION = "mlsysim-0.3.0"


@lru_cache(maxsize=64)
def edition_for(which: str, rules: tuple[str, ...] = ()) -> editions.Edition:
    """The edition a comparison runs under: 'edition' (0.3.0's data and rules), 'data' (its data with our rules,
    or with the named rules switched back to 0.3.0's), 'default'."""
    if which == "default":
        return editions.get("default")
    full = editions.get(EDITION)
    if which == "edition":
        return full
    return replace(full, name=f"{EDITION}-data" + "".join(f"+{r}" for r in rules), rules=tuple(rules))


def resolve(path: Any) -> Any:
    """A case's object: a registry path ('Hardware.Cloud.H100') or a TransformerWorkload's constructor arguments."""
    from mlsysim_sym import Hardware, Models, Systems

    if isinstance(path, dict) and "custom_fleet" in path:
        return _custom_fleet(path)
    if isinstance(path, dict) and "custom_datacenter_class" in path:
        raise NotExpressible("a datacenter built by the caller (our catalogue has no user datacenter object)")
    if isinstance(path, dict) and "constructor_args" in path:
        from mlsysim_sym.objects import TransformerWorkload

        args = {k: v for k, v in path["constructor_args"].items() if k != "architecture"}
        return TransformerWorkload(**args)
    key = path.rsplit(".", 1)[1]
    if path.startswith("Scenarios."):
        from mlsysim_sym import Scenarios

        return Scenarios.get(key)
    if path.startswith("Hardware."):
        return Hardware.get(key)
    if path.startswith("Systems.Clusters."):
        return Systems.Clusters.get(key)
    if path.startswith("Systems.Fabrics."):
        return Systems.Fabrics.get(key)
    if path.startswith("Infrastructure.Grids."):
        from mlsysim_sym import Infrastructure

        return Infrastructure.Grids.get(key)
    if path.startswith("Infrastructure.Datacenters."):
        from mlsysim_sym import Infrastructure

        return Infrastructure.Datacenters.get(key)
    return Models.get(key)


class NotExpressible(Exception):
    """A recorded 0.3.0 input our public API has no way to build (a caller-built datacenter, a node with another
    accelerator swapped in)."""


def _custom_fleet(spec: dict[str, Any]) -> Any:
    """A 0.3.0 fleet copied with a new region and/or datacenter: ``Fleet(...)`` with the same parts."""
    from mlsysim_sym import Fleet

    base = resolve(spec["model_copy_of"])
    update = spec["update"]
    if set(update) - {"region", "datacenter"} or any(not isinstance(v, str) for v in update.values()):
        raise NotExpressible(f"fleet update {sorted(update)} with objects our API cannot build")
    extra = {k: v.rsplit(".", 1)[1] for k, v in update.items()}
    return Fleet(name=spec["custom_fleet"], node=base.node.key, count=base.count, fabric=base.fabric.key, **extra)


def _num(x: Any) -> Any:
    return float(x) if isinstance(x, str) and x in ("inf", "-inf", "nan") else x


def close(a: Any, b: Any, rel: float = REL) -> bool:
    a, b = _num(a), _num(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return a == b
    a, b = float(a), float(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


@dataclass
class Outcome:
    case_id: int
    resolver: str
    ok: bool
    mismatches: dict[str, tuple[Any, Any]]
    error: str = ""


#: a recorded key's unit suffix -> the SI unit its number is in (the rest of the key is the result field)
SUFFIXES = (("_flop_per_byte", "FLOP/B"), ("_flop_per_s", "FLOP/s"), ("_flop", "FLOP"), ("_bytes_per_s", "B/s"), ("_per_s", "1/s"),
            ("_bytes", "B"), ("_count", "param"), ("_s", "s"), ("_j", "J"))


def field_of(key: str) -> tuple[str, str]:
    """(result field, SI unit or '') of a recorded key: ``latency_s`` -> ('latency', 's')."""
    for suffix, unit in SUFFIXES:
        if key.endswith(suffix):
            return key[: -len(suffix)], unit
    return key, ""


def value_of(view: Any, key: str) -> Any:
    name, unit = field_of(key)
    if key in getattr(view, "_BY_NAME", ()):  # a field whose own name ends like a unit (token_dispatch_bytes)
        name = key
    v = getattr(view, name)
    if hasattr(v, "m_as"):
        return float(v.m_as(unit)) if unit else float(v.magnitude)
    return v


IGNORED = ("__class__", "constraint_trace")  # the class name; prose (checked by its own tests)


def compare(expected: dict[str, Any], got: Any) -> dict[str, tuple[Any, Any]]:
    """Every recorded field of 0.3.0's result against ours (a field we lack is a mismatch too)."""
    if expected.get("__class__") in ("SystemEvaluation", "EvaluationLevel"):
        return compare_evaluation(expected, got)
    bad = {}
    for key, want in expected.items():
        if key in IGNORED:
            continue
        try:
            mine = value_of(got, key)
        except AttributeError:
            bad[key] = (want, "<no such field>")
            continue
        if isinstance(want, dict) and "__class__" in want:  # a nested result (node_profile): field by field
            bad.update({f"{key}.{k}": v for k, v in compare(want, mine).items()})
        elif isinstance(want, (dict, list)):
            if not same(want, mine):
                bad[key] = (want, mine)
        elif not close(mine, want):
            bad[key] = (want, mine)
    return bad


def same(want: Any, mine: Any) -> bool:
    """A recorded container against ours: a plain dict (``best_config``) key for key; a list (an optimizer's
    ``top_candidates``, in 0.3.0's ranked order) item for item; a dict item's recorded keys carry their unit suffix
    (``step_time_s``) and are read from our item like result fields (a Quantity converted to that SI unit)."""
    if isinstance(want, list):
        return isinstance(mine, (list, tuple)) and len(mine) == len(want) and \
            all(same(w, m) for w, m in zip(want, mine))
    if isinstance(want, dict):
        if not isinstance(mine, dict):
            return False
        names = {}
        for k in want:
            name, unit = field_of(k)
            names[k] = (k, "") if k in mine else (name, unit)
        if {n for n, _ in names.values()} != set(mine) and not any(u for _, u in names.values()):
            return False
        for k, w in want.items():
            name, unit = names[k]
            if name not in mine:
                return False
            m = mine[name]
            if hasattr(m, "m_as"):
                m = float(m.m_as(unit)) if unit else float(m.magnitude)
            if not same(w, m):
                return False
        return True
    return close(mine, want)


def _metric(value: Any, unit: str) -> Any:
    """A metric in the SI unit its recorded key names (``latency_s``), or as it is (0.3.0's plain floats)."""
    if hasattr(value, "m_as"):
        return float(value.m_as(unit)) if unit else float(value.magnitude)
    return value


def compare_flat(expected: dict[str, Any], mine: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """A recorded flat dict (metrics, to_dict) against ours: the same keys once each recorded key's unit suffix is
    dropped, each value within REL."""
    bad: dict[str, tuple[Any, Any]] = {}
    seen = set()
    for key, want in expected.items():
        name, unit = field_of(key)
        if key in mine:
            name, unit = key, ""
        seen.add(name)
        if name not in mine:
            bad[key] = (want, "<no such key>")
        elif not close(_metric(mine[name], unit), want):
            bad[key] = (want, mine[name])
    for extra in set(mine) - seen:
        bad[extra] = ("<not recorded>", mine[extra])
    return bad


def compare_evaluation(expected: dict[str, Any], got: Any) -> dict[str, tuple[Any, Any]]:
    """A recorded SystemEvaluation (levels, to_dict, scorecard text, passed_all) or EvaluationLevel against ours."""
    bad: dict[str, tuple[Any, Any]] = {}
    for key, want in expected.items():
        if key in IGNORED:
            continue
        if key == "scorecard":
            mine = got.scorecard()
        elif key == "to_dict":
            bad.update({f"to_dict.{k}": v for k, v in compare_flat(want, got.to_dict()).items()})
            continue
        elif key == "metrics":
            bad.update({f"metrics.{k}": v for k, v in compare_flat(want, got.metrics).items()})
            continue
        else:
            mine = getattr(got, key, "<no such field>")
        if isinstance(want, dict) and "__class__" in want:
            bad.update({f"{key}.{k}": v for k, v in compare_evaluation(want, mine).items()})
        elif not close(mine, want):
            bad[key] = (want, mine)
    return bad


def facade(name: str) -> Callable[..., Any]:
    import mlsysim_sym

    if name == "Engine.solve":
        return mlsysim_sym.Engine.solve
    if name == "SystemEvaluator":
        return mlsysim_sym.SystemEvaluator.evaluate
    if name == "Scenarios":  # a recorded Scenario.evaluate: kwargs {"scenario": <entry>, batch_size?, precision?}
        return lambda scenario, **kw: scenario.evaluate(**kw)
    return getattr(mlsysim_sym, name)().solve


def kwargs_of(case: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(facade name, keyword arguments with registry paths resolved) of a recorded case."""
    engine = "inputs" in case and "resolver" not in case
    name = "Engine.solve" if engine else case["resolver"]
    raw = dict(case["inputs"] if engine else case["kwargs"])
    kw: dict[str, Any] = {}
    for k, v in raw.items():
        if (isinstance(v, str) and v.startswith(("Models.", "Hardware.", "Systems.Clusters.", "Systems.Fabrics.",
                                                      "Infrastructure.", "Scenarios."))) or \
                (isinstance(v, dict) and
                 ("constructor_args" in v or "custom_fleet" in v or "custom_datacenter_class" in v)):
            v = resolve(v)
        elif isinstance(v, dict) and "value_si" in v:
            from mlsysim_sym.units import Q_

            unit = {"count": "param"}.get(v["si_unit"], v["si_unit"].replace("byte", "B").replace("flop", "FLOP"))
            v = Q_(v["value_si"], unit)
        kw[k] = v
    return name, kw


def run_case(case: dict[str, Any], which: str = "edition", rules: tuple[str, ...] = ()) -> Outcome:
    """One recorded case, evaluated under the chosen edition (``rules``: 0.3.0's rules switched back on its data)."""
    try:
        name, kw = kwargs_of(case)
    except NotExpressible as exc:
        return Outcome(case["id"], case.get("resolver", "Engine.solve"), False, {}, f"NotExpressible: {exc}")
    if name == "Engine.solve":
        kw.pop("raise_errors", None)
    with editions.edition(edition_for(which, tuple(rules))):
        try:
            got = facade(name)(**kw)
        except MlsysimError as exc:
            return Outcome(case["id"], name, False, {}, f"{type(exc).__name__}: {exc}")
        bad = compare(case["result"], got)
    return Outcome(case["id"], name, not bad, bad)


FILES = ("parity_engine.json", "parity_node_resolvers.json", "parity_distributed.json", "parity_walls.json",
         "parity_ops.json")


#: recorded in parity_ops.json, not built yet (the rest of the walls-17-22 issue): their cases wait for them
PENDING: frozenset[str] = frozenset()


def built(case: dict[str, Any]) -> bool:
    return case.get("resolver") not in PENDING


def cases(files: tuple[str, ...] = FILES) -> Iterator[dict[str, Any]]:
    for f in files:
        for case in load(f)["cases"]:
            if case.get("result") is not None and "error" not in case and built(case):
                yield case


def outcomes(which: str, files: tuple[str, ...] = FILES) -> list[tuple[dict[str, Any], Outcome]]:
    return [(c, run_case(c, which)) for c in cases(files)]


# ---- what may still differ under the mlsysim-0.3.0 edition: structural differences, each named -------------------
# 0.3.0 answers these with a sentinel or a silent coercion where we compute or refuse; no input can turn ours into
# theirs, so they are checked field by field instead.
STRUCTURAL = {
    "cb-infeasible-sentinel": "0.3.0 returns sentinels (fragmentation 0, ITL 1e6 ms); every other field must match",
    "input-validation": "0.3.0 coerces the input; we raise InputError",
    "explicit-precision": "0.3.0 falls back to the FP16 peak; we raise InputError (the edition's data holds 0.3.0's "
                          "fallback rates, so no recorded case reaches it)",
    "missing-dims-error": "0.3.0 substitutes 32 heads and 4096 hidden; we raise InputError (DistributedModel: tensor "
                          "or expert parallelism of a model without a hidden size, ResNet-50; ParallelismOptimizer "
                          "then searches only its TP = 1 splits)",
    "capacity-units": "a catalogue difference (GB as printed): the edition holds 0.3.0's GiB values",
    "vit-transformer-dims": "a catalogue difference: the edition stores ViT_Large as 0.3.0 does (a generic workload)",
    "no-data-path": "0.3.0 reports a device with no storage or host-link bandwidth as bottleneck 'Unknown', supply 0 GB/s "
                    "and utilisation inf; we raise InputError (there is no supply to compare against)",
    "budget-magnitude": "0.3.0's ScalingModel uses the budget's magnitude in the unit it was given ('1e6 TFLOPs' "
                        "becomes 1e6 FLOP); we convert to FLOP",
    "no-tdp-energy": "0.3.0 reports 0 J for a device without a catalogued TDP; we report None (no energy estimate)",
    "sparsity-type-name": "0.3.0 treats sparsity_type '2:4' as unstructured (its normaliser handles '2_4', 'n_m', "
                          "'nm' only); we read it as 2:4",
    "full-sparsity": "0.3.0 reports ratio 100 for sparsity 1 (every weight pruned); we raise InputError",
    "method-name-case": "0.3.0 treats a method name in other case ('Quantization') as unknown and returns ratio 1; "
                        "we accept the name in any case",
    "custom-object": "an input 0.3.0 builds by hand that our public API does not offer (a datacenter object with its "
                     "own PUE, a node with another accelerator swapped in)",
    "epsilon-clamp": "0.3.0 clamps ε below at 0.01 and the prevalence at 1e-6; we use the value given (and refuse "
                     "ε ≤ 0)",
    "rho-tie": "utilisation exactly 1 in decimal (λ·D = 1): 0.3.0's and our floating-point rounding fall on "
               "opposite sides of the stability boundary",
}

#: resolvers of walls 8-19 whose out-of-domain inputs 0.3.0 coerces (negative sizes, zero counts, unknown names)
_VALIDATED = ("DataModel", "TransformationModel", "TopologyModel", "ScalingModel", "InferenceScalingModel",
              "CompressionModel", "ReliabilityModel", "OrchestrationModel", "CheckpointModel", "SustainabilityModel",
              "EconomicsModel", "ResponsibleEngineeringModel", "SensitivitySolver", "SynthesisSolver")


_METHODS = ("quantization", "pruning", "distillation")


def _given_magnitude(q: dict[str, Any]) -> float:
    """The number a recorded quantity was written with ('1e+06 TFLOPs' -> 1e6)."""
    return float(str(q.get("quantity", "nan")).split()[0])


def structural(case: dict[str, Any], o: Outcome) -> str | None:
    """The named structural difference that explains a mismatch under the full edition, or None."""
    inputs = case.get("inputs") or case.get("kwargs")
    if o.resolver == "ContinuousBatchingModel" and case["result"].get("feasible") is False and \
            set(o.mismatches) <= {"itl_s", "paged_internal_fragmentation", "static_internal_fragmentation"}:
        return "cb-infeasible-sentinel"
    if o.resolver == "DistributedModel" and "has no catalogued hidden" in o.error and \
            (inputs.get("tp_size", 1) > 1 or inputs.get("ep_size", 1) > 1 or inputs.get("is_lora")):
        return "missing-dims-error"
    if o.resolver == "DataModel" and "no catalogued data path" in o.error and case["result"].get("bottleneck") == \
            "Unknown":
        return "no-data-path"
    if o.resolver == "ScalingModel" and not o.error and _given_magnitude(inputs["compute_budget"]) != \
            inputs["compute_budget"]["value_si"] and inputs["compute_budget"]["si_unit"] == "flop":
        return "budget-magnitude"
    if o.resolver == "CompressionModel" and inputs.get("method") not in (None, *_METHODS) and \
            str(inputs.get("method")).lower() in _METHODS:
        return "method-name-case"
    if o.resolver == "InferenceScalingModel" and set(o.mismatches) == {"energy_per_query_j"} and \
            o.mismatches["energy_per_query_j"] == (0.0, None):
        return "no-tdp-energy"
    if o.resolver == "CompressionModel" and inputs.get("sparsity_type") == "2:4":
        return "sparsity-type-name"
    if o.resolver == "CompressionModel" and inputs.get("method") == "pruning" and inputs.get("sparsity") == 1.0 \
            and o.error:
        return "full-sparsity"
    if o.resolver == "OrchestrationModel" and not o.error and \
            abs(inputs["arrival_rate_jobs_per_day"] * inputs["avg_job_duration_days"] - 1.0) < 1e-9:
        return "rho-tie"
    if o.error.startswith("NotExpressible"):
        return "custom-object"
    if o.resolver == "ResponsibleEngineeringModel" and not o.error and \
            (inputs.get("epsilon", 1.0) < 0.01 or inputs.get("min_subgroup_prevalence", 0.01) < 1e-6):
        return "epsilon-clamp"
    if o.resolver == "SystemEvaluator" and o.error.startswith("InputError") and \
            (inputs.get("duration_days") or 0) < 0:
        return "input-validation"  # a negative operating period: 0.3.0 prices it (negative TCO), we refuse
    if o.resolver in _VALIDATED and o.error.startswith(("InputError", "UnitError")):
        return "input-validation"
    if o.resolver == "TailLatencyModel" and o.error and \
            (inputs.get("service_latency_ms") == 0 or inputs.get("num_replicas") == 0):
        return "input-validation"
    if o.resolver == "BatchingOptimizer" and o.error.startswith("InputError") and inputs.get("num_replicas") == 0:
        return "input-validation"   # 0.3.0 answers an M/M/0 queue as feasible
    if o.resolver == "PlacementOptimizer" and o.error.startswith("InputError") and \
            (inputs.get("carbon_tax_per_ton", 0.0) < 0 or inputs.get("duration_days", 1.0) <= 0):
        return "input-validation"   # a negative carbon price, a zero duration
    if o.resolver == "ParallelismOptimizer" and not o.error and _lacks_hidden(inputs.get("model")) and \
            set(o.mismatches) <= {"total_searched", "search_space_size", "top_candidates"}:
        return "missing-dims-error"  # tensor-parallel splits of a model without a hidden size (ResNet-50)
    return None


def _lacks_hidden(path: Any) -> bool:
    from mlsysim_sym.catalog import catalog

    ent = catalog().entities.get(("model", str(path).rsplit(".", 1)[-1]))
    return ent is not None and "hidden" not in ent.values
