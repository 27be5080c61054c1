"""Distributed-training chapter: collectives and a 3D-parallel training step (wall 14)."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, resolver

_LLAMA70_POD = resolver("DistributedModel", model="Llama3_70B", fleet="DgxH100SuperPodSU", batch_size=256,
                        precision="bf16", tp_size=8, pp_size=4, microbatch_count=16)
_LLAMA70_POD_OVERLAP = resolver("DistributedModel", model="Llama3_70B", fleet="DgxH100SuperPodSU", batch_size=256,
                                precision="bf16", tp_size=8, pp_size=4, microbatch_count=16, overlap_comm=True)
_AR_NVLINK = resolver("CollectiveModel", message_bytes="1 GB", n_ranks=8, bandwidth="450 GB/s", latency="500 ns")
_AR_FLEET = resolver("CollectiveModel", message_bytes="1 GB", n_ranks=256, bandwidth="50 GB/s", latency="5 us",
                     ranks_per_node=8, intra_node_bandwidth="450 GB/s", intra_node_latency="500 ns")

VALUES = [
    BookValue("DistLlamaSeventyPodStep", "Llama-3 70B on 256 H100 (TP8 PP4 DP8, 16 micro-batches): step time",
              _LLAMA70_POD, "step_latency_total", "s", 3),
    BookValue("DistLlamaSeventyPodScaling", "same: scaling efficiency (replica busy time over the step)", _LLAMA70_POD,
              "scaling_efficiency", "", 3),
    BookValue("DistLlamaSeventyPodMfu", "same: model FLOPs utilisation", _LLAMA70_POD, "mfu", "", 3),
    BookValue("DistLlamaSeventyPodBubble", "same: pipeline bubble fraction (p−1)/(v·m + p−1)", _LLAMA70_POD,
              "bubble_fraction", "", 3),
    BookValue("DistLlamaSeventyPodDpComm", "same: data-parallel gradient exchange per step", _LLAMA70_POD,
              "dp_communication_latency", "ms", 3),
    BookValue("DistLlamaSeventyPodOverlapStep", "same with the gradient exchange overlapped: step time",
              _LLAMA70_POD_OVERLAP, "step_latency_total", "s", 3),
    BookValue("CollRingNvlinkOneGb", "ring all-reduce of 1 GB over 8 GPUs at 450 GB/s per direction, α = 500 ns",
              _AR_NVLINK, "ring_allreduce", "ms", 3),
    BookValue("CollSharpNvlinkOneGb", "same with in-network reduction (NVLink SHARP)", _AR_NVLINK,
              "in_network_allreduce", "ms", 3),
    BookValue("CollTreeNvlinkOneGb", "same with a binomial tree", _AR_NVLINK, "tree_allreduce", "ms", 3),
    BookValue("CollHierFleetOneGb", "hierarchical all-reduce of 1 GB over 32 nodes × 8 GPUs (NVLink, 50 GB/s fabric)",
              _AR_FLEET, "hierarchical_allreduce", "ms", 3),
    BookValue("CollRingFleetOneGb", "same as one flat ring over the fabric", _AR_FLEET, "ring_allreduce", "ms", 3),
]
