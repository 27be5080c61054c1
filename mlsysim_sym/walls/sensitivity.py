"""ANALYSIS wall 21 (Sensitivity): which input moves an output, exactly.

Curation log:

* The derivative of every output with respect to every input comes from the walls themselves: the code generator
  derives each equation's tangent from its SymPy tree (:mod:`mlsysim_sym.codegen_tangent`, forward mode in the
  sense of Griewank & Walther) and :mod:`mlsysim_sym.analysis.sensitivity` seeds one input at a time. No finite
  differences. At a kink of a ``Max`` or a regime boundary of a ``Piecewise`` both one-sided derivatives are
  reported (a step up and a step down can see different walls).
* The elasticity ε = (x/y)·∂y/∂x (Saltelli et al. 2008) compares inputs of different units: ε = −1 means a 1 %
  larger x gives ~1 % smaller y. For a wall homogeneous of degree k in a set of inputs the elasticities over that
  set sum to k (Euler's theorem), a property the tests check.
* mlsysim 0.3.0 reports the latency response to a finite upgrade, s = (T(x·(1+p)) − T)/T, with p = 10 % by default;
  that is a what-if, not a derivative, and it is kept as such (``sens.response``): evaluated by re-running the
  generated forward code at the upgraded value.
"""
from __future__ import annotations

from ._core import Cite, Equation, Wall, register_computation, register_wall, sym

SALTELLI = Cite("saltelli2008global", "Ch. 1: local (derivative-based) sensitivity, normalised by nominal values")
GRIEWANK = Cite("griewank2008evaluating", "Ch. 3: forward (tangent) mode propagation of directional derivatives")
MLSYSIM = Cite("mlsysim2026registry", "engine/solvers/performance.py SensitivitySolver: latency response to a "
                                      "perturbation_pct upgrade of peak FLOP/s, memory bandwidth or capacity")

T_op = sym("T_op_pt", r"T_{0}", "s", "Latency at the operating point", "ms")
T_up = sym("T_upg", r"T_{\uparrow}", "s", "Latency after upgrading one input", "ms")
g_T = sym("g_T", r"x\,\partial T/\partial x", "s", "Latency change per relative change of the input (x·∂T/∂x)", "ms",
          signed=True)
s_up = sym("s_upg", r"s_{\uparrow}", "", "Relative latency change for the upgrade", signed=True)
eps_T = sym("eps_T", r"\varepsilon_{T,x}", "", "Elasticity of latency with respect to the input", signed=True)

EQUATIONS = (
    Equation("sensitivity.elasticity", "eps_T", g_T / T_op, "Elasticity of latency", (SALTELLI, GRIEWANK)),
    Equation("sensitivity.response", "s_upg", (T_up - T_op) / T_op, "Latency response to a finite upgrade",
             (MLSYSIM,)),
)
register_wall(Wall(21, "Sensitivity", "analysis", "SensitivitySolver",
                   "The binding input is the one whose change moves the output most: exact partial derivatives and "
                   "elasticities from the walls' own trees, one-sided at a kink.",
                   EQUATIONS, (SALTELLI, GRIEWANK), monotonic=(("eps_T", "g_T", 1), ("s_upg", "T_upg", 1)),
                   resolvers=("SensitivitySolver",)))
register_computation("sens.elasticity", ["sensitivity.elasticity"], "Elasticity of latency (wall 21)")
register_computation("sens.response", ["sensitivity.response"], "0.3.0's upgrade response (wall 21)")
