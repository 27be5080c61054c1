"""Data chapter: ingestion (wall 8), CPU preprocessing (wall 9) and network locality (wall 10)."""
from __future__ import annotations

from mlsysim_sym.export.values import BookValue, resolver

_INGEST = resolver("DataModel", workload_data_rate="5 GB/s", hardware="H100")
_PREP = resolver("TransformationModel", batch_size=2048, sample_size_bytes="110 KB", accelerator_step_time="250 ms")
_RING = resolver("TopologyModel", fabric="InfiniBand_NDR", topology="ring", num_nodes=64)
_TORUS = resolver("TopologyModel", fabric="InfiniBand_NDR", topology="torus_3d", num_nodes=64)
_FATTREE = resolver("TopologyModel", fleet="Research_256", topology="fat_tree")

VALUES = [
    BookValue("IngestHundredUtilisation", "H100 node fed at 5 GB/s: utilisation of its slowest data path", _INGEST,
              "utilization", "", 3),
    BookValue("IngestHundredSupply", "same: supply of the slowest data path", _INGEST, "supply_bw", "GB/s", 3),
    BookValue("PrepImagenetUtilisation", "ImageNet batch 2048 (110 KB JPEGs) on 14 cores, 250 ms step: accelerator "
              "utilisation", _PREP, "accelerator_utilization", "", 3),
    BookValue("PrepImagenetCores", "same: cores needed to keep up with the accelerator", _PREP, "cores_needed", "", 3),
    BookValue("TopoRingSixtyFourFraction", "ring of 64 NDR nodes: bisection relative to a fat tree", _RING,
              "bisection_bw_fraction", "", 3),
    BookValue("TopoTorusSixtyFourFraction", "3D torus of 64 NDR nodes: bisection relative to a fat tree", _TORUS,
              "bisection_bw_fraction", "", 3),
    BookValue("TopoTorusSixtyFourHops", "same: average hops", _TORUS, "hops_avg", "", 3),
    BookValue("TopoFatTreeResearchBisection", "Research_256 (32 DGX H100 nodes, NDR): fat-tree bisection", _FATTREE,
              "bisection_bw", "TB/s", 3),
]
