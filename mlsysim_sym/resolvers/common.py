"""Shared binding helpers for the resolvers (no physics here)."""
from __future__ import annotations

from typing import Any

from ..binding import catalog_hash_of, static_inputs
from ..engine import knob
from ..errors import InputError
from ..objects import Workload
from ..validate import count


def check_int(value: Any, name: str, minimum: int = 1, maximum: int = 10**9) -> int:
    """An integer argument in [minimum, maximum] (one validation path: :mod:`mlsysim_sym.validate`)."""
    return count(minimum, maximum)(name, value)


def bind_const(model: Workload, fld: str, sym: str, values: dict[str, float], refs: dict[str, str],
               required: str | None = None) -> bool:
    """Bind ``sym`` to the model's catalogued ``fld``; return False if absent (raise if ``required``)."""
    c = model.entity.values.get(fld)
    if c is None:
        if required:
            raise InputError(f"{model.key} has no catalogued {fld}; {required}")
        return False
    values[sym], refs[sym] = c.si, "const:" + c.id
    return True


def bind_transformer_shape(model: Workload, values: dict[str, float], refs: dict[str, str], *, prefix: str = "",
                           purpose: str = "this resolver needs it") -> None:
    """Bind N_L, H, h, d_head, H_kv and the MLA dimensions of a transformer (all from the catalogue).

    d_head is the catalogued head_dim, else hidden/heads (a derived binding, recorded as such); H_kv is the
    catalogued kv_heads, else heads (multi-head attention). Missing layers, heads or hidden size is an error:
    0.3.0 silently substituted 32 heads and 4096 hidden here (a declared deviation).
    """
    p = prefix
    bind_const(model, "layers", p + "N_L", values, refs, required=purpose)
    bind_const(model, "heads", p + "H", values, refs, required=purpose)
    has_h = bind_const(model, "hidden", p + "h", values, refs)
    if not bind_const(model, "head_dim", p + "d_head", values, refs):
        if not has_h:
            raise InputError(f"{model.key} has neither head_dim nor hidden catalogued; {purpose}")
        values[p + "d_head"] = float(int(values[p + "h"]) // int(values[p + "H"]))
        refs[p + "d_head"] = f"derived:{model.key}.hidden//heads"
    if not bind_const(model, "kv_heads", p + "H_kv", values, refs):
        values[p + "H_kv"], refs[p + "H_kv"] = values[p + "H"], f"derived:{model.key}.heads (MHA: kv_heads = heads)"
    mla = bind_const(model, "mla.kv_rank", p + "r_kv", values, refs) and \
        bind_const(model, "mla.rope_dim", p + "d_rope", values, refs)
    if not mla:
        values[p + "r_kv"], refs[p + "r_kv"] = 0.0, f"absent:{model.key}.mla.kv_rank"
        values[p + "d_rope"], refs[p + "d_rope"] = 0.0, f"absent:{model.key}.mla.rope_dim"
    values[p + "m_mla"], refs[p + "m_mla"] = (1.0 if mla else 0.0), f"derived:{model.key}.attention"


__all__ = ["catalog_hash_of", "static_inputs", "bind_const", "bind_transformer_shape", "check_int", "knob"]
