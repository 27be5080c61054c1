"""ContinuousBatchingModel (wall 5): static versus paged KV allocation."""
from __future__ import annotations

from typing import Any, ClassVar

from ..catalog import catalog
from ..engine import efficiency_binding, knob, normalize_precision, precision_bytes, resolve_hardware, resolve_model
from ..errors import InputError
from ..evaluate import Result, evaluate
from ..results import ResultView
from ..validate import real
from .common import bind_const, bind_transformer_shape, catalog_hash_of, check_int, static_inputs


class ContinuousBatchingResult(ResultView):
    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {
        "throughput_tokens_per_sec": ("X_paged", ""), "max_active_requests": ("N_paged", ""),
        "static_throughput_tokens_per_sec": ("X_static", ""), "static_max_active_requests": ("N_static", ""),
        "mean_request_tokens": ("S_mean", ""), "paged_internal_fragmentation": ("frag_paged", ""),
        "static_internal_fragmentation": ("frag_static", ""), "paged_kv_cache_size": ("KV_paged", "GB"),
        "static_kv_cache_size": ("KV_static", "GB"), "ttft": ("TTFT_cb", "ms"), "itl": ("t_step_p", "ms"),
        "speedup_vs_static": ("speedup_cb", ""), "feasible": ("feasible_cb", "bool"),
    }

    @property
    def constraint_trace(self) -> list[str]:
        v = self._result.values
        return [f"Memory Wall: {'Passed' if v['feasible_cb'] else 'FAILED'}. Paged allocation fits "
                f"{int(v['N_paged'])} concurrent requests (Weights: {v['W'] / 1e9:.6g} GB, Max KV available: "
                f"{v['M_kvfree'] / 1e9:.6g} GB).",
                f"Batching Wall: static reservation fits {int(v['N_static'])} requests "
                f"({v['frag_static']:.1%} of each unused); {int(v['p_page'])}-token pages fit {int(v['N_paged'])} "
                f"({v['frag_paged']:.1%} unused in last blocks)."]


class ContinuousBatchingModel:
    requires = ("workload", "hardware")
    produces = "ContinuousBatchingResult"

    def solve(self, model: Any, hardware: Any, max_seq_len: int, mean_request_tokens: float | None = None,
              max_batch_size: int = 1, page_size: int | None = None, precision: str = "fp16",
              efficiency: float | None = None) -> ContinuousBatchingResult:
        return ContinuousBatchingResult(cb_result(model, hardware, max_seq_len, mean_request_tokens, max_batch_size,
                                                  page_size, precision, efficiency))


def cb_result(model: Any, hardware: Any, max_seq_len: int, mean_request_tokens: float | None = None,
              max_batch_size: int = 1, page_size: int | None = None, precision: str = "fp16",
              efficiency: float | None = None) -> Result:
    """Evaluate wall 5 and return the Result (the view-free path other resolvers compose)."""
    m = resolve_model(model)
    hw = resolve_hardware(hardware)
    prec = normalize_precision(precision)
    lengths = request_lengths(max_seq_len, mean_request_tokens, max_batch_size)
    sv, sr = cb_static_inputs(m, hw, prec)
    values = dict(sv)
    refs = dict(sr)
    values["eta_hw"], refs["eta_hw"] = efficiency_binding(efficiency)
    bind_request_lengths(values, refs, lengths)
    if page_size is not None:
        values["p_page"], refs["p_page"] = float(check_int(page_size, "page_size")), "arg:page_size"
    return evaluate(["batch.cb"], values, refs, ("X_paged", "N_paged", "X_static", "N_static", "speedup_cb"),
                    catalog_hash_of(m, hw))


def request_lengths(max_seq_len: int, mean_request_tokens: float | None,
                    max_batch_size: int) -> tuple[float, float, float, str]:
    """The caller's request-length arguments of wall 5, checked: (S_max, S̄ (default S_max), N_max, S̄'s ref)."""
    smax = check_int(max_seq_len, "max_seq_len")
    nmax = check_int(max_batch_size, "max_batch_size")
    mean = float(smax) if mean_request_tokens is None else \
        real(0.0, float(smax), lo_open=True)("mean_request_tokens (at most max_seq_len)", mean_request_tokens)
    return float(smax), mean, float(nmax), "arg:mean_request_tokens" if mean_request_tokens else "arg:max_seq_len"


def bind_request_lengths(values: dict[str, float], refs: dict[str, str],
                         lengths: tuple[float, float, float, str]) -> None:
    values["S_max"], values["S_mean"], values["N_max"], mean_ref = lengths
    refs["S_max"], refs["S_mean"], refs["N_max"] = "arg:max_seq_len", mean_ref, "arg:max_batch_size"


def cb_static_inputs(m: Any, hw: Any, prec: str) -> tuple[dict[str, float], dict[str, str]]:
    """Inputs of wall 5 fixed by (model, device, precision), memoised (callers copy before adding arguments)."""
    def build(values: dict[str, float], refs: dict[str, str]) -> None:
        hv, hr = hw.bind(prec, catalog().entity("knobs", "engine"))
        for k in ("R_peak", "tau_disp", "BW_mem", "C_mem"):
            values[k], refs[k] = hv[k], hr[k]
        values["b_w"], refs["b_w"] = precision_bytes(prec)
        purpose = "continuous batching needs transformer dimensions"
        bind_const(m, "params", "P", values, refs, required=purpose)
        values["M_size"], refs["M_size"] = 0.0, f"absent:{m.key}.model_size"
        bind_transformer_shape(m, values, refs, purpose=purpose)
        values["p_page"], refs["p_page"] = knob("serving", "page_tokens")

    sv, sr, _ = static_inputs("cb", (m, hw), (prec,), build)
    return sv, sr
