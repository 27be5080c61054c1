"""Measure one NVIDIA GPU to validate walls 1, 2 and 4 against real hardware (needs PyTorch with CUDA).

Usage::

    python benchmarks/gpu/h100_validation.py OUT.json

What it measures (every timing is the median of CUDA-event timed repetitions after warm-up):

* ``hbm_copy``: device-to-device copy of a 4 GiB buffer (reads 4 GiB and writes 4 GiB);
* ``hbm_read``: a sum over a 4 GiB bf16 buffer (reads 4 GiB, writes a scalar);
* ``gemm_bf16_<n>``: dense bf16 ``n×n @ n×n`` matrix products (2n³ FLOP each), n = 4096, 8192, 16384;
* ``decode_b<B>``: one decode step of a decoder with Llama-3-8B's shapes (32 layers, hidden 4096, 32 query and
  8 key/value heads of 128, MLP 14336, vocabulary 128256), bf16 weights in separate tensors per layer (so
  every step streams all weights from HBM), attention over a KV cache of ``S`` tokens with PyTorch's
  scaled-dot-product attention, run as one CUDA graph (no launch gaps) and eagerly;
* ``prefill_s<S>``: the same decoder over an ``S``-token prompt at batch 1 (causal flash attention).

Norms, rotary embeddings, activations and sampling are left out: they move little data and do few FLOPs next to
the matrix products, and leaving them out keeps the measured step close to what walls 2 and 4 count. Nothing
here imports mlsysim_sym; the comparison with the walls is ``tools/validation/gpu_report.py``.
"""
from __future__ import annotations

import json
import platform
import statistics
import sys
import time

import torch

LLAMA3_8B = {"layers": 32, "hidden": 4096, "heads": 32, "kv_heads": 8, "head_dim": 128, "ffn": 14336,
             "vocab": 128256}


def timed(fn, reps: int, warmup: int = 3) -> dict:
    """Median and min milliseconds per call of ``fn`` (CUDA events around each call)."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ms = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        ms.append(a.elapsed_time(b))
    return {"median_ms": statistics.median(ms), "min_ms": min(ms), "reps": reps}


def hbm(out: dict) -> None:
    n = 4 * 2**30
    src = torch.empty(n, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    src.fill_(1)
    t = timed(lambda: dst.copy_(src), 20)
    out["hbm_copy"] = {**t, "bytes_moved": 2 * n, "gb_per_s": 2 * n / (t["median_ms"] / 1e3) / 1e9,
                       "gb_per_s_best": 2 * n / (t["min_ms"] / 1e3) / 1e9}
    x = src.view(torch.bfloat16)
    t = timed(lambda: x.sum(), 20)
    out["hbm_read"] = {**t, "bytes_moved": n, "gb_per_s": n / (t["median_ms"] / 1e3) / 1e9,
                       "gb_per_s_best": n / (t["min_ms"] / 1e3) / 1e9}
    del src, dst, x
    torch.cuda.empty_cache()


def gemm(out: dict) -> None:
    for n in (4096, 8192, 16384):
        a = torch.randn(n, n, dtype=torch.bfloat16, device="cuda")
        b = torch.randn(n, n, dtype=torch.bfloat16, device="cuda")
        c = torch.empty(n, n, dtype=torch.bfloat16, device="cuda")
        t = timed(lambda: torch.matmul(a, b, out=c), 30 if n < 16384 else 10)
        flop = 2 * n**3
        out[f"gemm_bf16_{n}"] = {**t, "flop": flop, "tflop_per_s": flop / (t["median_ms"] / 1e3) / 1e12,
                                 "tflop_per_s_best": flop / (t["min_ms"] / 1e3) / 1e12}
        del a, b, c
    torch.cuda.empty_cache()


class Decoder:
    """Weights of a Llama-shaped decoder (bf16, one tensor per projection per layer) and a KV cache."""

    def __init__(self, shape: dict, batch: int, context: int):
        L, h, H, Hkv, d, f, V = (shape[k] for k in ("layers", "hidden", "heads", "kv_heads", "head_dim", "ffn",
                                                     "vocab"))
        self.shape, self.batch, self.context = shape, batch, context
        w = lambda i, o: torch.randn(i, o, dtype=torch.bfloat16, device="cuda") * 0.02  # noqa: E731
        self.layers = [{"qkv": w(h, (H + 2 * Hkv) * d), "o": w(H * d, h), "gate_up": w(h, 2 * f), "down": w(f, h)}
                       for _ in range(L)]
        self.head = w(h, V)
        self.k = [torch.randn(batch, Hkv, context, d, dtype=torch.bfloat16, device="cuda") for _ in range(L)]
        self.v = [torch.randn(batch, Hkv, context, d, dtype=torch.bfloat16, device="cuda") for _ in range(L)]
        self.weight_bytes = sum(t.numel() * 2 for lay in self.layers for t in lay.values()) + self.head.numel() * 2
        self.kv_bytes = sum(t.numel() * 2 for t in self.k + self.v)

    def decode(self, x: torch.Tensor) -> torch.Tensor:
        s = self.shape
        H, Hkv, d, f = s["heads"], s["kv_heads"], s["head_dim"], s["ffn"]
        B = x.shape[0]
        for lay, k, v in zip(self.layers, self.k, self.v):
            qkv = x @ lay["qkv"]
            q = qkv[:, : H * d].view(B, H, 1, d)
            a = torch.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True)
            x = x + a.reshape(B, H * d) @ lay["o"]
            gu = x @ lay["gate_up"]
            x = x + (gu[:, :f] * gu[:, f:]) @ lay["down"]
        return x @ self.head

    def prefill(self, x: torch.Tensor) -> torch.Tensor:
        s = self.shape
        H, Hkv, d, f = s["heads"], s["kv_heads"], s["head_dim"], s["ffn"]
        S = x.shape[0]
        for lay in self.layers:
            qkv = x @ lay["qkv"]
            q = qkv[:, : H * d].view(S, H, d).transpose(0, 1)[None]
            k = qkv[:, H * d: (H + Hkv) * d].view(S, Hkv, d).transpose(0, 1)[None]
            v = qkv[:, (H + Hkv) * d:].view(S, Hkv, d).transpose(0, 1)[None]
            a = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
            x = x + a[0].transpose(0, 1).reshape(S, H * d) @ lay["o"]
            gu = x @ lay["gate_up"]
            x = x + (gu[:, :f] * gu[:, f:]) @ lay["down"]
        return x[-1:] @ self.head


def decode_steps(out: dict) -> None:
    s = LLAMA3_8B
    for batch, context in ((1, 2048), (8, 2048), (32, 2048)):
        dec = Decoder(s, batch, context)
        x = torch.randn(batch, s["hidden"], dtype=torch.bfloat16, device="cuda")
        with torch.inference_mode():
            eager = timed(lambda: dec.decode(x), 20)
            g = torch.cuda.CUDAGraph()
            stream = torch.cuda.Stream()
            stream.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(stream):
                dec.decode(x)
            torch.cuda.current_stream().wait_stream(stream)
            with torch.cuda.graph(g):
                dec.decode(x)
            graph = timed(g.replay, 50)
        out[f"decode_b{batch}_s{context}"] = {
            "batch": batch, "context": context, "weight_bytes": dec.weight_bytes, "kv_bytes": dec.kv_bytes,
            "graph": graph, "eager": eager,
            "effective_gb_per_s": (dec.weight_bytes + dec.kv_bytes) / (graph["median_ms"] / 1e3) / 1e9}
        del dec, g
        torch.cuda.empty_cache()


def prefill(out: dict) -> None:
    s = LLAMA3_8B
    dec = Decoder(s, 1, 1)
    for S in (512, 2048, 8192):
        x = torch.randn(S, s["hidden"], dtype=torch.bfloat16, device="cuda")
        with torch.inference_mode():
            t = timed(lambda: dec.prefill(x), 10)
        n_layer_params = sum(t_.numel() for t_ in dec.layers[0].values())
        matmul_flop = 2 * S * n_layer_params * s["layers"] + 2 * s["hidden"] * s["vocab"]
        out[f"prefill_s{S}"] = {"tokens": S, **t, "matmul_flop": matmul_flop,
                                "matmul_tflop_per_s": matmul_flop / (t["median_ms"] / 1e3) / 1e12}
    del dec
    torch.cuda.empty_cache()


def main() -> None:
    target = sys.argv[1]
    p = torch.cuda.get_device_properties(0)
    out: dict = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda,
                 "sm_count": p.multi_processor_count, "memory_total_bytes": p.total_memory,
                 "python": platform.python_version(), "date": time.strftime("%Y-%m-%d"),
                 "llama3_8b_shape": LLAMA3_8B}
    torch.backends.cuda.matmul.allow_tf32 = False
    for step in (hbm, gemm, decode_steps, prefill):
        t0 = time.time()
        step(out)
        print(f"{step.__name__}: {time.time() - t0:.1f} s", flush=True)
    with open(target, "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
