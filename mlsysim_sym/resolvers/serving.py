"""ServingModel (wall 4): TTFT, ITL, KV cache, speculative decoding, chunked prefill, prompt-cache hits,
disaggregated prefill/decode. 0.3.0's argument and result names."""
from __future__ import annotations

from typing import Any, ClassVar

from ..catalog import catalog
from ..engine import (check_batch, efficiency_binding, knob, normalize_precision, precision_bytes,
                      resolve_hardware, resolve_model)
from ..errors import InputError
from ..evaluate import Result, evaluate
from ..objects import Workload
from ..results import ResultView
from ..validate import FRACTION0
from .common import bind_const, bind_transformer_shape, catalog_hash_of, check_int, static_inputs

_REPORT = ("TTFT", "ITL", "KV", "W", "M_serve", "U_mem", "feasible_serve")


class ServingResult(ResultView):
    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {
        "ttft": ("TTFT", "ms"),
        "itl": ("ITL", "ms"),
        "kv_cache_size": ("KV", "GB"),
        "model_weights_size": ("W", "GB"),
        "total_memory_required": ("M_serve", "GB"),
        "memory_utilization": ("U_mem", ""),
        "prompt_cache_hit_ratio": ("hit_ratio", ""),
        "feasible": ("feasible_serve", "bool"),
    }

    @property
    def prefill_chunks(self) -> int:
        return int(self._result.values["n_chunks"])

    @property
    def prefill_chunk_time(self) -> Any:
        return self._result.quantity("T_chunk", "ms") if self._result.values["q_chunk"] > 0 else None

    decode_stall_bound = prefill_chunk_time

    @property
    def tokens_per_second(self) -> float:
        """Generated tokens per second across the batch (B / ITL)."""
        return self._result.values["B"] / self._result.values["ITL"]

    @property
    def constraint_trace(self) -> list[str]:
        v = self._result.values
        ok = v["feasible_serve"]
        lines = [f"Memory Wall: {'Passed' if ok else 'FAILED'}. Required {v['M_serve'] / 1e9:.6g} GB "
                 f"(Weights: {v['W'] / 1e9:.6g} GB, KV Cache: {v['KV'] / 1e9:.6g} GB) {'<=' if ok else '>'} "
                 f"Available {v['C_mem'] / 1e9:.6g} GB on {self._extra['decode_hardware_name']}."]
        if v["q_chunk"] > 0:
            lines.append(f"Serving Wall: Chunked prefill uses {int(v['n_chunks'])} chunks of up to {int(v['q_chunk'])} "
                         f"tokens; decode interference is bounded by {v['T_chunk'] * 1e3:.6g} ms per prefill chunk.")
        return lines


def _bind_serving_model(model: Workload, values: dict[str, float], refs: dict[str, str]) -> None:
    purpose = "the serving wall needs transformer dimensions"
    if model.workload not in ("transformer", "moe"):
        raise InputError(f"{model.key} is a {model.workload or 'non-transformer'} workload; ServingModel serves "
                         "transformer language models")
    bind_const(model, "params", "P", values, refs, required=purpose)
    values["M_size"], refs["M_size"] = 0.0, f"absent:{model.key}.model_size"
    if not bind_const(model, "params.active", "P_act", values, refs):
        values["P_act"], refs["P_act"] = values["P"], refs["P"]
    bind_transformer_shape(model, values, refs, purpose=purpose)


def _draft_kv_per_token(draft: Workload, b_w: tuple[float, str], S: float, B: float) -> Result:
    """Evaluate the KV-per-token equation for the draft model (its own architecture)."""
    values: dict[str, float] = {"b_w": b_w[0], "S": S, "B": B}
    refs: dict[str, str] = {"b_w": b_w[1], "S": "arg:seq_len", "B": "arg:batch_size"}
    bind_transformer_shape(draft, values, refs, purpose="the draft model's KV cache needs it")
    return evaluate(["serve.kv"], values, refs, ("k_tok",), catalog().hash)


class ServingModel:
    """LLM serving on one device (0.3.0's ServingModel)."""

    requires = ("workload", "hardware")
    produces = "ServingResult"

    def solve(self, model: Any, hardware: Any, seq_len: int, batch_size: int = 1, precision: str = "fp16",
              efficiency: float | None = None, decode_hardware: Any = None, network_bandwidth: Any = None,
              draft_model: Any = None, draft_acceptance_rate: float | None = None, cached_prefix_len: int = 0,
              prefill_chunk_tokens: int | None = None) -> ServingResult:
        result, dec_name, model_name, prec = serving_result(
            model, hardware, seq_len, batch_size, precision, efficiency, decode_hardware, network_bandwidth,
            draft_model, draft_acceptance_rate, cached_prefix_len, prefill_chunk_tokens)
        return ServingResult(result, decode_hardware_name=dec_name, model_name=model_name, precision=prec)


def serving_result(model: Any, hardware: Any, seq_len: int, batch_size: int = 1, precision: str = "fp16",
                   efficiency: float | None = None, decode_hardware: Any = None, network_bandwidth: Any = None,
                   draft_model: Any = None, draft_acceptance_rate: float | None = None, cached_prefix_len: int = 0,
                   prefill_chunk_tokens: int | None = None) -> tuple[Result, str, str, str]:
    """Evaluate wall 4; return (Result, decode device name, model name, precision) — the view-free path."""
    m = resolve_model(model)
    hw = resolve_hardware(hardware)
    prec = normalize_precision(precision)
    S = check_int(seq_len, "seq_len")
    b = check_batch(batch_size)
    c = check_int(cached_prefix_len, "cached_prefix_len", 0)
    if c >= S:
        raise InputError(f"cached_prefix_len ({c}) must be < seq_len ({S})")
    dec = resolve_hardware(decode_hardware) if decode_hardware is not None else hw
    sv, sr = serving_static_inputs(m, hw, dec, prec)
    values = dict(sv)
    refs = dict(sr)
    values["eta_hw"], refs["eta_hw"] = efficiency_binding(efficiency)
    values["S"], refs["S"] = float(S), "arg:seq_len"
    values["B"], refs["B"] = float(b), "arg:batch_size"
    values["c_pre"], refs["c_pre"] = float(c), "arg:cached_prefix_len"
    # chunked prefill
    if prefill_chunk_tokens is None:
        values["q_chunk"], refs["q_chunk"] = 0.0, "arg:prefill_chunk_tokens (none)"
    else:
        values["q_chunk"], refs["q_chunk"] = float(check_int(prefill_chunk_tokens, "prefill_chunk_tokens")), \
            "arg:prefill_chunk_tokens"
    # disaggregated prefill/decode
    values["m_disagg"], refs["m_disagg"] = (1.0 if decode_hardware is not None else 0.0), "flag:decode_hardware"
    if network_bandwidth is None:
        values["BW_xfer"], refs["BW_xfer"] = knob("serving", "disaggregation_bandwidth")
    else:
        values["BW_xfer"], refs["BW_xfer"] = _bandwidth(network_bandwidth), "arg:network_bandwidth"
    # speculative decoding
    subs: dict[str, Result] = {}
    if draft_model is not None:
        d = resolve_model(draft_model)
        values["m_spec"], refs["m_spec"] = 1.0, "flag:draft_model"
        bind_const(d, "params", "P_d", values, refs, required="the draft's weights need it")
        sub = _draft_kv_per_token(d, (values["b_w"], refs["b_w"]), values["S"], values["B"])
        values["k_tok_d"], refs["k_tok_d"] = sub.values["k_tok"], "sub:draft"
        subs["draft"] = sub
        if draft_acceptance_rate is None:
            values["alpha_acc"], refs["alpha_acc"] = knob("serving", "acceptance_rate")
        else:
            a = FRACTION0("draft_acceptance_rate", draft_acceptance_rate)
            values["alpha_acc"], refs["alpha_acc"] = a, "arg:draft_acceptance_rate"
    else:
        values["m_spec"], refs["m_spec"] = 0.0, "flag:draft_model"
        values["P_d"], refs["P_d"] = 0.0, "absent:draft_model"
        values["k_tok_d"], refs["k_tok_d"] = 0.0, "absent:draft_model"
        values["alpha_acc"], refs["alpha_acc"] = knob("serving", "acceptance_rate")
    result = evaluate(["serve.step"], values, refs, _REPORT, catalog_hash_of(m, hw, dec), subs=subs)
    return result, dec.name, m.name, prec


def serving_static_inputs(m: Workload, hw: Any, dec: Any, prec: str) -> tuple[dict[str, float], dict[str, str]]:
    """Inputs of wall 4 fixed by (model, prefill device, decode device, precision), memoised (callers copy)."""
    def build(values: dict[str, float], refs: dict[str, str]) -> None:
        engine_knobs = catalog().entity("knobs", "engine")
        pv, pr = hw.bind(prec, engine_knobs)
        for sym in ("R_peak", "tau_disp"):
            values[sym], refs[sym] = pv[sym], pr[sym]
        dv, dr = dec.bind(dec.headline_precision, engine_knobs)
        for sym in ("BW_mem", "C_mem"):
            values[sym], refs[sym] = dv[sym], dr[sym]
        values["b_w"], refs["b_w"] = precision_bytes(prec)
        values["tau_layer"], refs["tau_layer"] = knob("engine", "layer_tax")
        values["gamma_spec"], refs["gamma_spec"] = knob("serving", "draft_lookahead")
        _bind_serving_model(m, values, refs)

    sv, sr, _ = static_inputs("serve", (m, hw, dec), (prec,), build)
    return sv, sr


def _bandwidth(value: Any) -> float:
    """A bandwidth given as a pint Quantity or a string like "100 GB/s" (parsed by our registry), in B/s."""
    from ..units import parse_quantity

    q = parse_quantity(value, "B/s") if isinstance(value, str) else value
    try:
        v = float(q.m_as("B/s"))
    except Exception:  # noqa: BLE001
        raise InputError(f"network_bandwidth must be a bandwidth such as '100 GB/s', got {value!r}") from None
    if v <= 0:
        raise InputError(f"network_bandwidth ({value}) must be positive")
    return v
