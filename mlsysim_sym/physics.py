"""0.3.0's physics helpers, evaluated through the walls' generated code (no float twins)."""
from __future__ import annotations

from .engine import knob
from .errors import InputError
from .evaluate import run


def calc_kv_cache_size(n_layers: int, n_heads: int, head_dim: int, seq_len: int, batch_size: int,
                       bytes_per_elem: float = 2, kv_precision_bytes: float | None = None) -> float:
    """KV-cache bytes ``2·L·H_kv·d·S·B·bytes`` (wall 4, ``serve.kv``); ``n_heads`` are the KV heads."""
    bpe = bytes_per_elem if kv_precision_bytes is None else kv_precision_bytes
    for name, v, lo in (("n_layers", n_layers, 1), ("n_heads", n_heads, 1), ("head_dim", head_dim, 1),
                        ("seq_len", seq_len, 0), ("batch_size", batch_size, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < lo:
            raise InputError(f"{name} must be >= {lo}, got {v!r}")
    if hasattr(bpe, "m_as"):
        bpe = float(bpe.m_as("B"))
    values = {"N_L": float(n_layers), "H_kv": float(n_heads), "d_head": float(head_dim), "S": float(seq_len),
              "B": float(batch_size), "b_w": float(bpe), "m_mla": 0.0, "r_kv": 0.0, "d_rope": 0.0}
    out, _ = run("serve.kv", values)
    return out["KV"]


__all__ = ["calc_kv_cache_size", "knob"]
