"""SystemEvaluator and the Scenarios registry: the documents' example, 0.3.0's keys, every scenario, provenance,
the default edition's deviations and bad input."""
from __future__ import annotations

import math

import pytest

import mlsysim_sym as mlsysim
from mlsysim_sym.errors import (InfeasibleError, InputError, MlsysimError, OOMError, SLAViolation,
                                UnknownKeyError)

SE_KEYS_SINGLE = {"scenario", "f_status", "p_status", "m_status", "f_memory_used_gb", "f_memory_capacity_gb",
                  "f_memory_utilization", "p_latency", "p_throughput", "p_mfu"}
SE_KEYS_FLEET = {"scenario", "f_status", "p_status", "m_status", "p_step_latency", "p_comm_overhead",
                 "p_fleet_throughput", "p_mfu", "p_node_mfu", "p_scaling_efficiency", "m_tco_usd",
                 "m_carbon_footprint", "m_energy_cost", "m_capex"}
SC_KEYS = {"scenario", "f_status", "p_status", "m_status", "f_weight_size", "f_capacity", "f_data_stalled",
           "p_latency", "p_throughput", "p_sla_latency", "m_carbon_kg", "m_tco_usd"}


def test_the_documents_example_runs_verbatim(capsys):
    evaluation = mlsysim.SystemEvaluator.evaluate(scenario_name="Llama-3 8B on H100",
        model_obj=mlsysim.Models.Language.Llama3_8B, hardware_obj=mlsysim.Hardware.Cloud.H100,
        batch_size=32, precision="fp16", efficiency=0.45)
    print(evaluation.scorecard())
    card = capsys.readouterr().out
    p = mlsysim.Engine.solve(mlsysim.Models.Language.Llama3_8B, mlsysim.Hardware.Cloud.H100, batch_size=32,
                             precision="fp16", efficiency=0.45)
    assert "Scenario: Llama-3 8B on H100" in card
    assert "Level 1: Feasibility [PASS]" in card and "Level 2: Performance [PASS]" in card
    assert "Level 3: Macro/Economics [SKIPPED]" in card and "No Ops config provided" in card
    assert f"{p.memory_footprint.m_as('GB'):.1f} GB / {mlsysim.Hardware.Cloud.H100.memory.capacity.m_as('GB'):.1f} GB" \
        in card
    assert f"{p.bottleneck} Bound" in card
    perf = evaluation.performance.metrics
    assert perf["latency"] == pytest.approx(p.latency.m_as("ms"))
    assert perf["throughput"] == pytest.approx(p.throughput.m_as("1/s"))
    assert perf["mfu"] == pytest.approx(p.mfu)
    assert evaluation.passed_all


def test_to_dict_has_030_keys_on_both_paths():
    single = mlsysim.SystemEvaluator.evaluate("a", "Llama3_8B", "H100", 32, "fp16", 0.45)
    assert set(single.to_dict()) == SE_KEYS_SINGLE
    fleet = mlsysim.SystemEvaluator.evaluate("b", "Llama3_8B", "H100", 32, "fp16", 0.45,
                                             fleet_obj=mlsysim.Systems.Clusters.Research_256, nodes=8,
                                             duration_days=30)
    assert set(fleet.to_dict()) == SE_KEYS_FLEET
    assert fleet.feasibility.status == "SKIPPED" and fleet.macro.status == "PASS"
    assert fleet.to_dict()["m_carbon_footprint"] == pytest.approx(
        fleet.macro.result.carbon_footprint_kg.m_as("kgCO2e") / 1000)


def test_every_scenario_evaluates_with_030_keys():
    names = mlsysim.Scenarios.list()
    assert {"SmartDoorbell", "TinySensor", "AutonomousVehicle", "AutonomousVehicle_Waymo", "MobileHealth",
            "MobileAssistant", "LocalTraining", "FrontierTraining", "ChatbotServing", "KeywordSpotting"} <= set(names)
    for name in names:
        sc = getattr(mlsysim.Scenarios, name)
        # our catalogue has no fp16 rate for the microcontrollers: evaluate them at a precision they have
        prec = "fp16" if "fp16" in sc.hardware.precisions() else sc.hardware.precisions()[0]
        ev = sc.evaluate(precision=prec)
        keys = set(ev.to_dict())
        extra = {"p_scaling_eff", "p_mfu", "p_node_mfu"} if sc.is_distributed else {"p_bottleneck"}
        assert keys == SC_KEYS | extra, name
        assert all(lv.status in ("PASS", "FAIL", "WARNING", "SKIPPED") for lv in ev.levels)
        assert ev.scorecard().count("Level ") == 3
        # a device without a catalogued purchase price: carbon only, TCO n/a (WARNING)
        assert ev.macro.status in ("PASS", "WARNING") and ev.macro.metrics["carbon_kg"] > 0
        assert (ev.macro.metrics["tco_usd"] is None) == (ev.macro.status == "WARNING")


def test_scenario_requirements_are_cited_catalogue_rows():
    sc = mlsysim.Scenarios.ChatbotServing
    assert sc.sla_latency.m_as("ms") == pytest.approx(500)
    (req,) = sc.requirements
    assert req.ref == "knobs.scenarios.chatbot_serving_sla_latency" and req.bibkey
    ev = sc.evaluate()
    assert any(s.ref == req.ref for s in ev.performance.sources)
    assert mlsysim.Scenarios.AutonomousVehicle_Waymo.data_rate.m_as("TB/hour") == pytest.approx(19)


def test_sources_and_traces_name_bibkeys_lens_by_lens():
    ev = mlsysim.SystemEvaluator.evaluate("c", "Llama3_8B", "H100", 32, "fp16", 0.45, mlsysim.Systems.Clusters.
                                          Research_256, nodes=1, duration_days=30)
    bib = mlsysim.catalog().bib
    cited = [s for s in ev.sources if s.bibkey]
    assert cited and all(s.bibkey in bib for s in cited)
    assert any(s.symbol.startswith("EconomicsModel:") and s.bibkey for s in ev.macro.sources)
    assert ev.performance.result.trace.nodes and "SingleNodeModel" in ev.trace["performance"]
    assert ev.stamp["edition"] == "default" and "Level 3" in ev.explain()


def test_validate_raises_the_030_errors():
    assert mlsysim.Scenarios.ChatbotServing.validate()
    with pytest.raises(OOMError, match="Feasibility Failure: OOM"):
        mlsysim.Scenarios.FrontierTraining.validate()
    with pytest.raises(SLAViolation, match="Performance Failure: Latency"):
        mlsysim.Scenarios.SmartDoorbellResponsiveChime.validate(precision="fp32")
    with pytest.raises(InfeasibleError, match="Data Wall"):
        mlsysim.Scenarios.AutonomousVehicle_Waymo.validate()
    assert issubclass(SLAViolation, MlsysimError)


def test_a_device_without_a_data_path_stalls_the_pipeline():
    ev = mlsysim.Scenarios.AutonomousVehicle_Waymo.evaluate()
    assert ev.feasibility.status == "FAIL" and ev.feasibility.metrics["data_stalled"]
    assert "infx capacity" in ev.feasibility.summary and ev.feasibility.notes


def test_the_030_edition_reproduces_its_scorecard_text():
    with mlsysim.edition("mlsysim-0.3.0"):
        ev = mlsysim.Scenarios.FrontierTraining.evaluate()
    assert ev.performance.summary == "Latency: 91785.55 ms (Target: 500 ms)"
    assert ev.feasibility.summary == "OOM: Requires 3520.0 GB but only has 85.9 GB"
    assert ev.macro.summary == "Annual Carbon: 24136117.1 kg | TCO: $85,258,028"


def test_nodes_count_in_the_default_edition_and_not_in_030s():
    kw = dict(scenario_name="d", model_obj="Llama3_8B", hardware_obj="H100", batch_size=256, precision="fp16",
              efficiency=0.45, fleet_obj=mlsysim.Systems.Clusters.Research_256, duration_days=30)
    four = mlsysim.SystemEvaluator.evaluate(nodes=4, **kw)
    whole = mlsysim.SystemEvaluator.evaluate(nodes=mlsysim.Systems.Clusters.Research_256.count, **kw)
    assert four.macro.metrics["capex"] == pytest.approx(whole.macro.metrics["capex"] * 4 / 32)
    assert four.macro.result.result.values["u_f"] == pytest.approx(four.performance.metrics["mfu"])
    with mlsysim.edition("mlsysim-0.3.0"):
        legacy = mlsysim.SystemEvaluator.evaluate(nodes=4, **kw)
    assert legacy.macro.result.result.values["u_f"] == 1.0
    assert legacy.performance.notes


@pytest.mark.parametrize("bad, match", [
    (dict(batch_size=0), "batch_size"),
    (dict(duration_days=-30.0, fleet_obj="Research_256"), "duration_days"),
    (dict(nodes=0, fleet_obj="Research_256"), "nodes"),
    (dict(nodes=1000, fleet_obj="Research_256", duration_days=1.0), "exceeds"),
    (dict(efficiency=1.5), "efficiency"),
    (dict(precision="fp13"), "precision"),
])
def test_bad_input_is_a_clear_input_error(bad, match):
    kw = dict(scenario_name="e", model_obj="Llama3_8B", hardware_obj="H100", batch_size=8, precision="fp16",
              efficiency=0.45)
    kw.update(bad)
    with pytest.raises(InputError, match=match):
        mlsysim.SystemEvaluator.evaluate(**kw)


def test_an_unknown_model_is_the_projects_unknown_key_error():
    with pytest.raises(UnknownKeyError, match="unknown models 'Llama3_8b_typo'; did you mean 'Llama3_8B'"):
        mlsysim.SystemEvaluator.evaluate("e", "Llama3_8b_typo", "H100", 8, "fp16", 0.45)
    with pytest.raises(InputError, match="model_obj must be a Models"):
        mlsysim.SystemEvaluator.evaluate("e", None, "H100", 8, "fp16", 0.45)


def test_unknown_scenario_and_bad_scenario_arguments():
    with pytest.raises(MlsysimError, match="did you mean 'ChatbotServing'"):
        mlsysim.Scenarios.get("ChatbotServin")
    with pytest.raises(InputError, match="batch_size"):
        mlsysim.Scenarios.ChatbotServing.evaluate(batch_size=0)
    with pytest.raises(MlsysimError):
        mlsysim.ApplicationScenario("x", "y", "Llama3_8B", "H100", sla_latency="5 GB")


def test_a_custom_scenario_uses_the_callers_requirements():
    sc = mlsysim.ApplicationScenario("Tight chat", "a chatbot with a 1 ms budget", "Llama3_8B", "H100",
                                     sla_latency="1 ms", data_rate="1 GB/s")
    ev = sc.evaluate()
    assert ev.performance.status == "FAIL" and "(Target: 1 ms)" in ev.performance.summary
    assert any(s.kind == "argument" and s.symbol == "sla_latency" for s in ev.sources)
    assert not math.isinf(ev.feasibility.results["DataModel"].utilization)
