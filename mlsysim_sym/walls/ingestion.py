"""DATA walls 8 (Ingestion) and 9 (Transformation): can storage, the host link and the network feed the
accelerator, and can the CPUs transform what they feed in time.

Curation log:

* Wall 8. Supply is the slowest of the data paths the device *has*: local storage read, the host link, and
  network ingest (0.3.0 ignores the network path; its edition switches it off). A path the catalogue does not
  describe is not a 0 B/s path: it is left out of the minimum (it enters as +inf), and a device with no path at
  all is refused by the facade rather than reported as "Unknown". Utilisation is demand over supply; the pipeline
  stalls when it exceeds 1; the margin is supply minus demand (negative when stalled).
* Wall 9. Preprocessing a batch takes ``B·s/C`` on the CPUs (``C`` the caller's measured throughput, or cores ×
  per-core sample rate from the catalogue); with prefetching the two stages overlap, so a step takes the longer of
  the two (the bound of a two-stage pipeline) and the accelerator is busy ``T_acc/max(T_x, T_acc)`` of it.
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, Wall, register_computation, register_wall, sym
from .node import B

MOHAN = Cite("mohan2021analyzing", "§3-4: data stalls; fetch stalls when storage cannot supply the input rate, "
                                   "preprocessing stalls when the CPUs cannot transform it")
MURRAY = Cite("murray2021tfdata", "§2-3: the input pipeline overlaps with training through prefetching; the step "
                                  "is bound by the slower stage")

BW_dem = sym("BW_dem", r"\text{BW}_{\text{dem}}", "B/s", "Data rate the workload demands", "GB/s")
BW_stor = sym("BW_stor", r"\text{BW}_{\text{stor}}", "B/s", "Local storage read bandwidth (0: no such path)", "GB/s")
BW_io = sym("BW_io", r"\text{BW}_{\text{io}}", "B/s", "Host-link bandwidth per direction (0: no such path)", "GB/s")
BW_net = sym("BW_net", r"\text{BW}_{\text{net}}", "B/s", "Network ingest bandwidth (0: no such path)", "GB/s")
BW_sup = sym("BW_sup", r"\text{BW}_{\text{sup}}", "B/s", "Supply: the slowest data path the device has", "GB/s")
rho_in = sym("rho_in", r"\rho_{\text{in}}", "", "Ingestion utilisation: demand over supply")
stalled = sym("stalled", r"\text{stalled}", "", "Demand exceeds supply (1/0)")
margin_in = sym("margin_in", r"\Delta_{\text{in}}", "B/s", "Supply minus demand (negative: stalled)", "GB/s",
                signed=True)

s_sample = sym("s_sample", r"s_{\text{sample}}", "B", "Bytes of one sample", "KB")
C_given = sym("C_given", r"C_{\text{meas}}", "B/s", "Measured CPU preprocessing throughput (0: from cores)", "GB/s")
n_cores = sym("n_cores", r"n_{\text{cores}}", "", "CPU cores preprocessing for the accelerator", integer=True)
c_core = sym("c_core", r"c_{\text{core}}", "1/s", "Samples one core preprocesses per second")
C_cpu = sym("C_cpu", r"C_{\text{CPU}}", "B/s", "CPU preprocessing throughput", "GB/s")
T_x = sym("T_x", r"T_{\text{x}}", "s", "CPU time to preprocess one batch", "ms")
T_acc = sym("T_acc", r"T_{\text{acc}}", "s", "Accelerator step time", "ms")
T_pipe = sym("T_pipe", r"T_{\text{pipe}}", "s", "Step time of the overlapped two-stage pipeline", "ms")
U_acc = sym("U_acc", r"U_{\text{acc}}", "", "Accelerator utilisation (busy share of the step)")
k_slow = sym("k_slow", r"k_{\text{slow}}", "", "Slowdown of the step over the accelerator alone")
x_bound = sym("x_bound", r"\text{CPU-bound}", "", "Preprocessing is slower than the accelerator (1/0)")
n_need = sym("n_need", r"n_{\text{cores,need}}", "", "Cores needed to keep up with the accelerator")


def _path(bw: sp.Symbol) -> sp.Expr:
    """A path that exists bounds supply; one that does not (0) is left out of the minimum."""
    return sp.Piecewise((bw, sp.StrictGreaterThan(bw, 0)), (sp.oo, True))


INGEST = (
    Equation("ingest.supply", "BW_sup", sp.Min(_path(BW_stor), _path(BW_io), _path(BW_net)),
             "Supply: the slowest data path that exists", (MOHAN,),
             regimes=("Storage", "Interconnect", "Network"),
             branches=(_path(BW_stor), _path(BW_io), _path(BW_net))),
    Equation("ingest.utilisation", "rho_in", BW_dem / BW_sup, "Ingestion utilisation", (MOHAN,)),
    Equation("ingest.stalled", "stalled", sp.StrictGreaterThan(rho_in, 1), "The data wall binds", (MOHAN,)),
    Equation("ingest.margin", "margin_in", BW_sup - BW_dem, "Supply minus demand"),
)
TRANSFORM = (
    Equation("transform.throughput", "C_cpu",
             sp.Piecewise((C_given, sp.StrictGreaterThan(C_given, 0)), (n_cores * c_core * s_sample, True)),
             "CPU preprocessing throughput: measured, else cores × per-core sample rate × sample size", (MOHAN,),
             regimes=("measured", "cores × per-core rate")),
    Equation("transform.time", "T_x", B * s_sample / C_cpu,
             "CPU time to preprocess a batch", (MOHAN,)),
    Equation("transform.pipeline", "T_pipe", sp.Max(T_x, T_acc), "Overlapped step: the slower stage", (MURRAY,),
             regimes=("CPU-bound", "accelerator-bound"), branches=(T_x, T_acc)),
    Equation("transform.utilisation", "U_acc", T_acc / T_pipe, "Accelerator utilisation", (MURRAY,)),
    Equation("transform.slowdown", "k_slow", T_pipe / T_acc, "Slowdown over the accelerator alone", (MURRAY,)),
    Equation("transform.bound", "x_bound", sp.StrictGreaterThan(T_x, T_acc), "Preprocessing is the bottleneck"),
    Equation("transform.cores_needed", "n_need", B / (T_acc * c_core),
             "Cores whose combined rate preprocesses a batch within one accelerator step", (MOHAN,)),
)

register_wall(Wall(8, "Ingestion", "data", "DataModel",
                   "Storage, host link and network must deliver the bytes the accelerator consumes.",
                   INGEST, (MOHAN,), monotonic=(("rho_in", "BW_dem", +1), ("rho_in", "BW_stor", -1)),
                   resolvers=("DataModel",)))
register_wall(Wall(9, "Transformation", "data", "TransformationModel",
                   "CPU preprocessing must keep pace with the accelerator step.",
                   TRANSFORM, (MOHAN, MURRAY),
                   monotonic=(("T_x", "s_sample", +1), ("U_acc", "T_acc", +1), ("k_slow", "c_core", -1)),
                   resolvers=("TransformationModel",)))
register_computation("ingest.data", [e.id for e in INGEST], "DataModel (wall 8)")
register_computation("transform.cpu", [e.id for e in TRANSFORM], "TransformationModel (wall 9)")
