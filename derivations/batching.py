"""Serving-systems chapter: continuous batching and tail latency (walls 5 and 7)."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, resolver

_CB = resolver("ContinuousBatchingModel", model="Llama3_8B", hardware="H100", max_seq_len=8192,
               mean_request_tokens=2048, max_batch_size=100000, page_size=16)
_TAIL = resolver("TailLatencyModel", arrival_rate_qps=80, service_latency_ms=10, num_replicas=1)
_TAIL8 = resolver("TailLatencyModel", arrival_rate_qps=700, service_latency_ms=10, num_replicas=8)

VALUES = [
    BookValue("CbLlamaEightPagedUsers", "Llama-3 8B on H100, 8K max / 2K mean tokens: requests paged KV fits", _CB,
              "max_active_requests", "", 3),
    BookValue("CbLlamaEightStaticUsers", "same, static max-length reservation", _CB, "static_max_active_requests", "", 3),
    BookValue("CbLlamaEightSpeedup", "paged over static decode throughput", _CB, "speedup_vs_static", "", 3),
    BookValue("TailEightyQpsPninetynine", "M/M/1 at 80 QPS, 10 ms service: p99 latency", _TAIL, "p99_latency", "ms", 3),
    BookValue("TailSevenHundredQpsEightPninetynine", "M/M/8 at 700 QPS, 10 ms service: p99 latency", _TAIL8,
              "p99_latency", "ms", 3),
]
