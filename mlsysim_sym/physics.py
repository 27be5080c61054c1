"""0.3.0's physics helpers, evaluated through the walls' generated code (no float twins)."""
from __future__ import annotations

from .validate import BATCH, DEGREE, TOKENS0, quantity, real
from .evaluate import run


def calc_kv_cache_size(n_layers: int, n_heads: int, head_dim: int, seq_len: int, batch_size: int,
                       bytes_per_elem: float = 2, kv_precision_bytes: float | None = None) -> float:
    """KV-cache bytes ``2·L·H_kv·d·S·B·bytes`` (wall 4, ``serve.kv``); ``n_heads`` are the KV heads."""
    bpe = bytes_per_elem if kv_precision_bytes is None else kv_precision_bytes
    name = "bytes_per_elem" if kv_precision_bytes is None else "kv_precision_bytes"
    width = quantity("B", 0.0, 64.0, shown_unit="B")(name, bpe) if hasattr(bpe, "m_as") else \
        real(0.0, 64.0, lo_open=True)(name, bpe)
    values = {"N_L": float(DEGREE("n_layers", n_layers)), "H_kv": float(DEGREE("n_heads", n_heads)),
              "d_head": float(DEGREE("head_dim", head_dim)), "S": float(TOKENS0("seq_len", seq_len)),
              "B": float(BATCH("batch_size", batch_size)), "b_w": width, "m_mla": 0.0, "r_kv": 0.0, "d_rope": 0.0}
    out, _ = run("serve.kv", values)
    return out["KV"]


__all__ = ["calc_kv_cache_size"]
