"""The declared model rules an edition can switch back to mlsysim 0.3.0's, each through the *inputs* of our own
generated code (never a second copy of an equation).

A rule is named by its deviation id in ``docs/deviations.toml`` and says which computations it touches and how it
rebinds their inputs. A rebound input's provenance becomes :class:`~mlsysim_sym.provenance.Rule`, so a result
computed under an edition says which of its numbers follow 0.3.0's rule rather than ours.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..provenance import Missing, Ref, Rule

Values = dict[str, Any]
Refs = dict[str, Ref]


@dataclass(frozen=True)
class InputRule:
    """Rebind some inputs of the named computations (``apply(values, set)``, where ``set(symbol, value)`` records
    the new value with a Rule provenance)."""

    id: str
    computations: tuple[str, ...]
    apply: Callable[[Values, Callable[[str, float], None]], None]
    doc: str


def _one_token_per_sample(v: Values, put: Callable[[str, float], None]) -> None:
    put("m_tok", 0.0)


def _all_parameters_active(v: Values, put: Callable[[str, float], None]) -> None:
    put("P_act_cat", 0.0)


def _attention_width_from_hidden(v: Values, put: Callable[[str, float], None]) -> None:
    """0.3.0 uses hidden//heads in attention FLOPs and head_dim in the KV cache: bind the head dimension to
    hidden//heads and rescale the KV heads by head_dim/(hidden//heads), so H_kv·d_head (the KV cache) stays exact."""
    if not v["d_cat"] > 0 or not v["H"] > 0:
        return  # no catalogued head dimension: both already use hidden//heads
    d_attn = float(int(v["h"]) // int(v["H"]))
    d_cat = v["d_cat"]
    if d_cat == d_attn:
        return
    kv = v["H_kv_cat"] if v["H_kv_cat"] > 0 else v["H"]
    put("H_kv_cat", kv * d_cat / d_attn)
    put("d_cat", d_attn)


def _query_heads_as_half_kv_heads(v: Values, put: Callable[[str, float], None]) -> None:
    """0.3.0's streaming prefill attention is 2·H_kv·d·S²·B; ours is 4·H·d·S²·B: H = H_kv/2 gives theirs. The
    shape equations read H too, so the head dimension and KV heads are pinned to their values first."""
    d = v["d_cat"] if v["d_cat"] > 0 else float(int(v["h"]) // int(v["H"]))
    kv = v["H_kv_cat"] if v["H_kv_cat"] > 0 else v["H"]
    put("d_cat", d)
    put("H_kv_cat", kv)
    put("H", kv / 2)


def _no_fleet_energy(v: Values, put: Callable[[str, float], None]) -> None:
    """0.3.0's network roofline reports 0 J: an accelerator that draws no power gives that."""
    put("P_tdp", 0.0)


def _tokens_if_transformer(v: Values, put: Callable[[str, float], None]) -> None:
    """0.3.0's DistributedModel counts seq_len tokens for every transformer (even per-sequence FLOPs) and one
    for any other workload (even per-token SSMs)."""
    put("m_tok", v["m_xf"])


def _checkpoint_bytes(v: Values, put: Callable[[str, float], None]) -> None:
    """0.3.0's checkpoint: 14 B per parameter for Adam (2 B weights + 12 B state) at any precision, 4 B for every
    other optimizer."""
    if v["m_adam"] > 0:
        put("b_w", 2.0)
        put("b_opt", 12.0)
    else:
        put("b_w", 0.0)
        put("b_opt", 4.0)


def _zeroth_order_reliability(v: Values, put: Callable[[str, float], None]) -> None:
    """0.3.0's fleet MTBF: GPUs, NICs and series PSUs only, and never a cluster's reported MTBF."""
    put("m_full", 0.0)
    put("M_cat", 0.0)


def _whole_given_embodied(v: Values, put: Callable[[str, float], None]) -> None:
    """0.3.0 adds embodied carbon only when the caller passes a per-device figure, and then in full."""
    put("m_emb", 0.0)
    put("m_amort", 0.0)


def _setter(symbol: str, value: float, when: Callable[[Values], bool] | None = None,
            why: str = "") -> Callable[[Values, Callable[[str, float], None]], None]:
    """Bind ``symbol`` = ``value`` (only where ``when`` holds: a rule that cannot change the result is not recorded
    as a cause of it)."""
    def apply(v: Values, put: Callable[[str, float], None]) -> None:
        if when is None or when(v):
            put(symbol, value)
    apply.__doc__ = f"bind {symbol} = {value:g}" + (f" when {why}" if why else "")
    return apply


INPUT_RULES: dict[str, InputRule] = {r.id: r for r in (
    InputRule("engine-training-tokens", ("engine.step",), _one_token_per_sample,
              "one pass per sample in a training step (m_tok = 0)"),
    InputRule("serving-moe-active-params", ("serve.step", "capacity.replica", "reason.query"), _all_parameters_active,
              "prefill charges every parameter of a mixture of experts (P_act = P)"),
    InputRule("serving-attention-head-dim", ("serve.step", "reason.query"), _attention_width_from_hidden,
              "attention FLOPs at hidden//heads per head, the KV cache at the catalogued head dimension"),
    InputRule("serving-decode-compute", ("serve.step", "batch.cb", "capacity.replica", "reason.query"),
              _setter("m_dc", 0.0), "prefill on compute only and decode on memory only (m_dc = 0)"),
    InputRule("serving-prefill-per-request", ("capacity.replica",), _setter("m_pf", 0.0),
              "serving capacity computes TTFT at the mean request length and charges no prefill in a "
              "replica's service time (m_pf = 0)"),
    InputRule("streaming-prefill-attention", ("stream.ws",), _query_heads_as_half_kv_heads,
              "streaming prefill attention 2·H_kv·d·S²·B (H = H_kv/2)"),
    InputRule("network-roofline-energy", ("netroof.step",), _no_fleet_energy,
              "the network roofline reports no energy (0 J)"),
    InputRule("distributed-tokens-per-sample", ("comm.step",), _tokens_if_transformer,
              "a training sample is seq_len tokens for every transformer, one for other workloads (m_tok = m_xf)"),
    InputRule("distributed-attention-flops", ("comm.step",), _setter("m_attn", 0.0),
              "step FLOPs count the weights only: no attention term (m_attn = 0)"),
    InputRule("distributed-lora-gradients", ("comm.step",),
              _setter("f_lora_dp", 0.01, lambda v: v["m_lora"] > 0, "LoRA is on"),
              "LoRA exchanges 1% of the gradient bytes (f_lora_dp = 0.01)"),
    InputRule("distributed-zero3-gathers", ("comm.step",), _setter("k_z3", 0.0, lambda v: v["z_stage"] >= 3, "ZeRO-3"),
              "ZeRO-3 moves the same bytes as data parallelism (k_z3 = 0)"),
    InputRule("distributed-accumulation-exchange", ("comm.step",),
              _setter("m_acc", 0.0, lambda v: v["GA_step"] > 1, "gradient accumulation"),
              "the data-parallel exchange is divided over the accumulation steps (m_acc = 0)"),
    InputRule("distributed-topology-override", ("comm.step",), _setter("w_topo", 0.0),
              "topology_override is ignored: the collective follows placement (w_topo = 0)"),
    InputRule("data-network-ingest", ("ingest.data",), _setter("BW_net", 0.0),
              "supply ignores the network ingest path (BW_net = 0)"),
    InputRule("topology-bisection-cut", ("topo.net",),
              _setter("k_cut", 0.5, lambda v: v["t_topo"] in (2.0, 3.0, 4.0), "a ring or torus"),
              "ring and torus bisection normalised by N links, not N/2 (k_cut = 1/2)"),
    InputRule("reliability-components", ("rel.fleet",), _zeroth_order_reliability,
              "fleet MTBF from GPUs, NICs and series PSUs only, ignoring a reported cluster MTBF (m_full = 0)"),
    InputRule("reliability-young-goodput", ("rel.fleet",), _setter("m_daly", 0.0),
              "Young's interval and goodput 1 − δ/τ − R/M without rework (m_daly = 0)"),
    InputRule("checkpoint-optimizer-bytes", ("ckpt.model",), _checkpoint_bytes,
              "checkpoint 14 B per parameter for Adam at any precision, 4 B otherwise"),
    InputRule("compression-regime-speedup", ("cmp.model",), _setter("m_roof", 0.0),
              "speed-up by the baseline regime: the ratio when memory-bound, the rate ratio when compute-bound "
              "(m_roof = 0)"),
    InputRule("compression-nm-index", ("cmp.model",), _setter("i_nm", 0.0),
              "2:4 sparsity stores no index bits (i_nm = 0)"),
    InputRule("sustainability-embodied", ("sust.fleet", "econ.fleet"), _whole_given_embodied,
              "embodied CO2e only when given, counted whole (m_emb = 0, m_amort = 0)"),
    InputRule("sustainability-wue-basis", ("sust.fleet", "econ.fleet"), _setter("m_wfac", 1.0),
              "on-site water = WUE × facility energy (m_wfac = 1)"),
)}

#: rules decided while binding: the absent value they allow is used as 0.3.0 used it
BINDING_RULES: dict[str, str] = {
    "size-only-no-flops": "a size-only model (no FLOPs, no parameter count) runs with zero FLOPs",
    "economics-missing-price": "an accelerator without a catalogued purchase price costs $0 of CapEx",
    # composition rules of SystemEvaluator (mlsysim_sym/evaluation.py): which facade calls it makes, not an input
    "evaluator-node-count": "SystemEvaluator runs the fleet model and the economics on the whole fleet; nodes only "
                            "chooses the path (nodes = 0 accepted)",
    "evaluator-fleet-mfu": "SystemEvaluator prices the distributed path's energy at full utilisation (mfu = 1)",
    # search rules of the optimizers (mlsysim_sym/optimizers): which candidates are searched, not an input
    "parallelism-search-space": "ParallelismOptimizer tries TP and PP powers of two up to 512 only, TP groups "
                                "straddling nodes and pipelines deeper than the layers included",
    "parallelism-screen-fp16-state": "ParallelismOptimizer's memory screen counts weights and gradients at FP16 "
                                     "width whatever the precision",
    "placement-unknown-region": "PlacementOptimizer skips a region name it does not know",
}


def apply_rules(edition: Any, computation: str, values: Values, refs: Refs) -> None:
    """Rebind the inputs of ``computation`` by every input rule the edition switches back."""
    for rid in edition.rules:
        rule = INPUT_RULES.get(rid)
        if rule is None or computation not in rule.computations:
            continue

        def put(sym: str, value: float, _rid: str = rid) -> None:
            if values.get(sym) != value:  # a rule that changes nothing is not a cause of anything
                values[sym] = value
                refs[sym] = Rule(edition.name, _rid)

        rule.apply(values, put)


def allows_missing(edition: Any, ref: Missing) -> bool:
    """Whether a binding rule of the edition lets a result use this missing value (as 0.3.0 did)."""
    if "economics-missing-price" in edition.rules and ref.field == "unit_cost":
        return True
    return "size-only-no-flops" in edition.rules and ref.field in ("params", "params.active", "flops.inference")


KNOWN = frozenset(INPUT_RULES) | frozenset(BINDING_RULES)
