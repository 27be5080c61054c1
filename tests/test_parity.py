"""Parity with mlsysim 0.3.0 (recorded outputs in tests/data/mlsysim_0_3_0, mlsysim 0.3.0).

On 0.3.0's effective input values (the overlay) every case must match to 1e-6 relative, except cases covered by
a declared model deviation of docs/deviations.toml (matched here by the rule its `applies` field states).
"""
from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from mlsysim_sym import parity

DEVIATIONS = tomllib.loads((Path(__file__).resolve().parents[1] / "docs" / "deviations.toml").read_text())
MODEL_DEVS = {d["id"] for d in DEVIATIONS["model"]}
MOE = {"DeepSeek_V3", "GPT4", "Mixtral_8x7B"}


def covered_by(case: dict, outcome: parity.Outcome) -> str | None:
    """The declared model deviation that explains a mismatch, or None."""
    inputs = case.get("inputs") or case.get("kwargs")
    model = inputs["model"].rsplit(".", 1)[1]
    if model == "ViT_Large":
        return "vit-transformer-dims"
    if outcome.resolver == "ServingModel" and set(outcome.mismatches) <= {"ttft_s"}:
        if model in MOE:
            return "serving-moe-active-params"
        if model == "PaLM_540B":
            return "serving-attention-head-dim"
    return None


@pytest.fixture(scope="module")
def outcomes():
    engine = {c["id"]: c for c in parity.load("parity_engine.json")["cases"]}
    res = {c["id"]: c for c in parity.load("parity_node_resolvers.json")["cases"]}
    out = [(engine[o.case_id], o) for o in parity.engine_cases("overlay")]
    out += [(res[o.case_id], o) for o in parity.resolver_cases("overlay")]
    return out


def test_parity_data_is_stamped_with_the_mlsysim_version():
    for name in ("parity_engine.json", "parity_node_resolvers.json", "overlay.json", "registry_keys.json"):
        assert parity.load(name)["mlsysim_version"] == "0.3.0"


@pytest.mark.parametrize("resolver,share", [("Engine.solve", 0.95), ("SingleNodeModel", 0.95),
                                            ("TrainingMemoryModel", 0.95), ("ServingModel", 0.70)])
def test_share_of_cases_within_1e6(outcomes, resolver, share):
    """Engine/SingleNode/TrainingMemory reach the 95% bar on their own; ServingModel's misses are the
    mixture-of-experts and PaLM cases of two declared model deviations (about a quarter of its grid)."""
    mine = [o for _, o in outcomes if o.resolver == resolver]
    ok = sum(o.ok for o in mine)
    assert mine and ok / len(mine) >= share, f"{resolver}: {ok}/{len(mine)}"


def test_every_other_case_is_a_declared_model_deviation(outcomes):
    uncovered = Counter()
    for case, o in outcomes:
        if o.ok:
            continue
        dev = covered_by(case, o)
        if dev is None or dev not in MODEL_DEVS:
            uncovered[(o.resolver, o.error[:80], tuple(sorted(o.mismatches)))] += 1
    assert not uncovered, uncovered.most_common(10)


def test_reference_vectors_match_on_the_overlay(outcomes):
    for case, o in outcomes:
        if case.get("tag") == "reference" and covered_by(case, o) is None:
            assert o.ok, (case["id"], o.mismatches, o.error)
