"""Results carry their derivation: trace, sources of exactly the leaves used, stamp, explain."""
from __future__ import annotations

from mlsysim_sym import Engine, Hardware, Models, ServingModel


def test_sources_are_the_leaves_actually_used():
    p = Engine.solve(Models.ResNet50, Hardware.A100)
    ids = {s.ref for s in p.sources}
    assert "hardware.A100.peak.fp16" in ids and "model.ResNet50.flops.inference" in ids
    # inference: the training branch of the footprint did not bind, so Adam state is not a source
    assert "knobs.optimizer.adam" not in ids
    t = Engine.solve(Models.ResNet50, Hardware.A100, is_training=True)
    assert "knobs.optimizer.adam" in {s.ref for s in t.sources}


def test_trace_records_binding_regime_and_reason():
    p = Engine.solve(Models.Llama3_8B, Hardware.H100)
    node = next(n for n in p.trace.nodes if n.id == "roofline.latency")
    assert node.regime == "Memory" and "T_mem" in node.reason
    assert p.bottleneck == "Memory"


def test_explain_goes_symbolic_substituted_number():
    text = Engine.solve(Models.ResNet50, Hardware.A100).explain()
    assert "T_comp = B·O_fwd·k_ops·n_tok/R_eff" in text
    assert "(1)·(8.2 GFLOP)·(1)·(1)/(156 TFLOP/s)" in text
    assert "0.567564 ms" in text and "Stamp:" in text


def test_stamp_names_version_catalogue_and_formula_revision():
    from mlsysim_sym import __version__
    from mlsysim_sym.catalog import catalog
    from mlsysim_sym.evaluate import REVISION

    s = Engine.solve(Models.ResNet50, Hardware.A100).stamp
    assert s == {"version": __version__, "catalog_hash": catalog().hash, "formula_revision": REVISION,
                 "edition": "default"}


def test_draft_model_sources_are_carried():
    r = ServingModel().solve("Llama3_70B", "H100", seq_len=1024, draft_model="Llama3_8B")
    assert any("<-draft." in s.symbol and s.ref.startswith("model.Llama3_8B") for s in r.sources)


def test_results_are_pint_quantities_of_our_registry():
    from mlsysim_sym.units import ureg

    p = Engine.solve(Models.ResNet50, Hardware.A100)
    assert p.latency._REGISTRY is ureg()
    assert p.latency.m_as("us") > 0 and f"{p.latency.to('ms'):~.2f}" == "0.57 ms"


def test_markdown_and_latex_reprs():
    p = Engine.solve(Models.ResNet50, Hardware.A100)
    assert "| latency |" in p._repr_markdown_()
    assert p._repr_latex_().startswith("$$")


def test_user_values_trace_to_the_argument_and_keep_their_values_under_an_edition():
    """A model or cluster the caller builds: its values are ``user`` rows naming the argument, and an edition
    never replaces them, even when the name matches a catalogue entry."""
    from mlsysim_sym import Fleet, TransformerWorkload, edition

    w = TransformerWorkload("Llama3_8B", parameters=1e9, layers=4, hidden_dim=1024, heads=8)
    p = Engine.solve(w, "H100")
    src = {s.symbol: s for s in p.sources}
    assert src["P"].kind == "user" and src["P"].ref == "user.model.Llama3_8B.params"
    assert src["P"].locator == "argument parameters"
    with edition("mlsysim-0.3.0"):
        assert Engine.solve(w, "H100").result.values["P"] == 1e9
    f = Fleet(name="two pods", node="DGX_H100", count=64, fabric="InfiniBand_NDR")
    assert f.total_accelerators == 512 and f.entity.values["node_count"].kind == "user"
