"""DATA wall 10 (Locality): what share of a fabric's injection bandwidth survives the topology.

Curation log:

* β is a topology's bisection bandwidth over that of a non-blocking fat tree on the same N nodes and links (whose
  bisection is N/2 links). A ring's bisection cut severs 2 links, so β = 2/(N/2) = 4/N; a k-ary n-cube (torus,
  N = kⁿ, k even) severs 2kⁿ⁻¹ links, so β = 4·N^(−1/n) (Dally & Towles 2004, §3.3-3.4). mlsysim 0.3.0 divides
  the cut by N links rather than N/2 (β = 2/N, 2·N^(−1/3)); its edition sets the cut factor ``k_cut`` to 1/2.
* A dragonfly with balanced global links keeps a fixed share of the fat tree's bisection (a catalogue knob; Kim
  et al. 2008 size global links for uniform random traffic); a fat tree keeps all of it.
* Effective bandwidth per node is the link bandwidth × β over the fabric's oversubscription; the absolute
  bisection is β·N/2 links.
* Average hop counts: ring N/4 and torus n·k/4 (the mean distance in a k-ring with wrap-around is k/4 per
  dimension); fat tree 4 switch-to-switch hops across a three-level tree (up 2, down 2; Leiserson 1985) and
  dragonfly 3 (local, global, local; Kim et al. 2008) as worst-case minimal routes. Diameters: ring ⌊N/2⌋, torus
  n⌊k/2⌋ (k the nearest integer to N^(1/n)), fat tree 4, dragonfly 3.
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, Wall, coefficient, register_computation, register_wall, sym
from .moe import BW_fab, os_fab

DALLY = Cite("dally2004principles", "§3.3-3.4: bisection of a ring (2 channels) and of a k-ary n-cube (2k^(n-1) "
                                    "channels); average distance k/4 per dimension with wrap-around")
LEISERSON = Cite("leiserson1985fattrees", "§II-III: a fat tree whose channel capacities double towards the root "
                                          "has full bisection bandwidth")
KIM = Cite("kim2008dragonfly", "§3-4: minimal routes take at most one local, one global and one local hop")

t_topo = sym("t_topo", r"t_{\text{topo}}", "", "Topology: 0 fat tree, 1 dragonfly, 2 ring, 3 3D torus, 4 2D torus",
             integer=True)
N_top = sym("N_top", r"N_{\text{nodes}}", "", "Nodes attached to the network", integer=True)
k_cut = sym("k_cut", r"k_{\text{cut}}", "", "Cut normalisation (1: against the N/2 links of a non-blocking cut)")
beta_df = sym("beta_df", r"\beta_{\text{DF}}", "", "Bisection share a dragonfly keeps against a fat tree")
beta_top = sym("beta_top", r"\beta_{\text{topo}}", "", "Bisection bandwidth relative to a non-blocking fat tree")
BW_topo = sym("BW_topo", r"\text{BW}_{\text{eff}}", "B/s", "Effective bandwidth per node under the topology", "GB/s")
BW_bis = sym("BW_bis", r"\text{BW}_{\text{bis}}", "B/s", "Bisection bandwidth", "TB/s")
hops = sym("hops", r"\bar{h}", "", "Average hops of a minimal route")
diam = sym("diam", r"D_{\text{net}}", "", "Network diameter (hops)", integer=True)

c_ring_cut = coefficient("c_ring_cut", 2, "", "Links a bisection of a ring severs", DALLY)
c_half = coefficient("c_half", "1/2", "", "A non-blocking bisection cuts N/2 links", LEISERSON)
c_wrap = coefficient("c_wrap", "1/4", "", "Mean distance per dimension of a k-ring with wrap-around, in units of k",
                     DALLY)
c_ft_hops = coefficient("c_ft_hops", 4, "", "Switch hops across a three-level fat tree (2 up, 2 down)", LEISERSON)
c_df_hops = coefficient("c_df_hops", 3, "", "Hops of a minimal dragonfly route (local, global, local)", KIM)


def _by_topology(fat, dragonfly, ring, torus3, torus2):
    return sp.Piecewise((fat, sp.Eq(t_topo, 0)), (dragonfly, sp.Eq(t_topo, 1)), (ring, sp.Eq(t_topo, 2)),
                        (torus3, sp.Eq(t_topo, 3)), (torus2, True))


def _nearest(k: sp.Expr) -> sp.Expr:
    """The integer radix k of a k-ary n-cube from N^(1/n) (which floating point may put just below it)."""
    return sp.floor(k + sp.Rational(1, 2))


_REGIMES = ("fat_tree", "dragonfly", "ring", "torus_3d", "torus_2d")
k3 = N_top ** sp.Rational(1, 3)
k2 = sp.sqrt(N_top)

EQUATIONS = (
    Equation("topo.beta", "beta_top",
             _by_topology(1, beta_df, k_cut * c_ring_cut / (c_half * N_top),
                          k_cut * c_ring_cut * k3**2 / (c_half * N_top), k_cut * c_ring_cut * k2 / (c_half * N_top)),
             "Bisection bandwidth relative to a non-blocking fat tree", (DALLY, LEISERSON, KIM), regimes=_REGIMES),
    Equation("topo.effective", "BW_topo", BW_fab * beta_top / os_fab, "Effective bandwidth per node"),
    Equation("topo.bisection", "BW_bis", BW_fab * beta_top * c_half * N_top / os_fab, "Bisection bandwidth",
             (LEISERSON,)),
    Equation("topo.hops", "hops", _by_topology(c_ft_hops, c_df_hops, c_wrap * N_top, 3 * c_wrap * k3, 2 * c_wrap * k2),
             "Average hops of a minimal route", (DALLY, LEISERSON, KIM), regimes=_REGIMES),
    Equation("topo.diameter", "diam",
             _by_topology(c_ft_hops, c_df_hops, sp.floor(N_top / 2), 3 * sp.floor(_nearest(k3) / 2),
                          2 * sp.floor(_nearest(k2) / 2)),
             "Network diameter", (DALLY, LEISERSON, KIM), regimes=_REGIMES),
)

register_wall(Wall(10, "Locality", "data", "TopologyModel",
                   "The topology decides how much of the injection bandwidth survives a bisection.",
                   EQUATIONS, (DALLY, LEISERSON, KIM),
                   monotonic=(("BW_topo", "BW_fab", +1), ("BW_topo", "os_fab", -1)),
                   resolvers=("TopologyModel",)))
register_computation("topo.net", [e.id for e in EQUATIONS], "TopologyModel (wall 10)")
