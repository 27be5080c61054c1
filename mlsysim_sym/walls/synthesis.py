"""ANALYSIS wall 22 (Synthesis): the inverse problem — what would a device need to meet a target?

Curation log:

* Each inverse is derived here, symbolically, from the forward walls: the chain of equations from the unknown (a
  device's bandwidth, peak rate, efficiency, or the batch) to the target (latency, throughput, TTFT, ITL) is
  composed into one expression with every regime-dependent node (``Max``, ``Piecewise``) replaced by the branch of
  the regime the inverse assumes, and ``sympy.solve`` isolates the unknown. The solution is registered as an
  ordinary equation, so it is printed, dimension-checked, compiled and traced like every forward wall; nothing is
  solved numerically at run time.
* A regime is an assumption: memory-bound (the weights and activations streamed at the bandwidth bind) or
  compute-bound. :mod:`mlsysim_sym.analysis.synthesis` evaluates the forward wall again at the synthesised value and
  accepts the answer only if the regime holds and the target is met (to 1e-9); otherwise it says which wall binds
  instead (e.g. no bandwidth meets a latency below the compute time plus the fixed overheads).
* The bare inverses (``synth.bare``) are those of the walls' one-line labels, T = |W|/BW and T = OPs/(Peak·η), one
  full pass at batch 1 with no overheads: what mlsysim 0.3.0's SynthesisSolver computes (Williams et al. 2009 §2
  read backwards; Jouppi et al. 2017 size the TPU from such a balance).
"""
from __future__ import annotations

import sympy as sp

from ..analysis.inverses import INVERSES, TARGETS, UNKNOWNS
from . import communication, node, serving  # noqa: F401 - the forward walls the inverses are derived from
from ._core import (COEFFICIENTS, COMPUTATIONS, EQUATIONS, Cite, Equation, Wall, S, register_computation,
                    register_equations, register_wall, sym)
from .node import BW_mem, O_fwd, R_peak, eta_hw
from .training import W

ROOFLINE = Cite("williams2009roofline", "§2, Fig. 1: attainable FLOP/s = min(peak, bandwidth × intensity), "
                                        "solved here for the resource that meets a target")
JOUPPI = Cite("jouppi2017datacenter", "§2-§3: sizing an inference accelerator from the latency target and the "
                                      "workloads' operational intensity")

T_tgt = sym("T_tgt", r"T^{\star}", "s", "Target latency", "ms")
X_tgt = sym("X_tgt", r"X^{\star}", "1/s", "Target throughput (samples per second)")
TTFT_tgt = sym("TTFT_tgt", r"\text{TTFT}^{\star}", "s", "Target time to first token", "ms")
T_step_tgt = sym("T_step_tgt", r"T_{\text{step}}^{\star}", "s", "Target training step time", "ms")
ITL_tgt = sym("ITL_tgt", r"\text{ITL}^{\star}", "s", "Target inter-token latency", "ms")
BW_req = sym("BW_req", r"\text{BW}_{\text{req}}", "B/s", "Memory bandwidth needed to meet the target", "GB/s",
             signed=True, unbounded=True)
R_req = sym("R_req", r"R_{\text{req}}", "FLOP/s", "Peak math rate needed to meet the target", "TFLOP/s",
            signed=True, unbounded=True)
eta_req = sym("eta_req", r"\eta_{\text{req}}", "", "Hardware efficiency needed to meet the target", signed=True,
              unbounded=True)
B_req = sym("B_req", r"B_{\text{max}}", "", "Largest batch (continuous) that meets the target", signed=True,
            unbounded=True)
k_rf_req = sym("k_rf_req", r"k_{\text{rf,req}}", "", "Recomputed forward's cost (in forward passes) that meets the "
               "target step", signed=True, unbounded=True)
M_cap_req = sym("M_cap_req", r"M_{\text{req}}^{\star}", "B", "Memory capacity needed (the weights)", "GB")
I_req = sym("I_req", r"I_{\text{req}}", "FLOP/B", "Balance point of the synthesised device (R_req / BW_req)",
            signed=True, unbounded=True)
T_w = sym("T_w_bare", r"T_{|W|}", "s", "Weight-streaming time of one pass, T = |W|/BW (wall 2's label)", "ms")
T_o = sym("T_o_bare", r"T_{\text{OPs}}", "s", "Compute time of one pass, T = OPs/(Peak·η) (wall 1's label)", "ms")


def _branch(eq: Equation, idx: int) -> sp.Expr:
    """The equation's rhs with its outermost Max/Min/Piecewise replaced by branch ``idx`` (as the regime index the
    generated code reports: authored ``branches`` order for Max/Min, argument order for Piecewise)."""
    rhs = eq.rhs
    node = next((n for n in sp.preorder_traversal(rhs) if isinstance(n, (sp.Max, sp.Min, sp.Piecewise))), None)
    if node is None:
        raise ValueError(f"{eq.id} has no branch to choose")
    pick = node.args[idx][0] if isinstance(node, sp.Piecewise) else (eq.branches or node.args)[idx]
    return rhs.xreplace({node: pick})


def invert(eq_id: str, lhs: str, title: str, forward: tuple[str, ...], target: str, goal: sp.Symbol,
           unknown: sp.Symbol, regime: dict[str, int], cites: tuple[Cite, ...] = (ROOFLINE,),
           linear: bool = False) -> Equation:
    """Solve the forward chain ``forward`` (equation ids) for ``unknown`` such that ``target`` (an lhs) equals
    ``goal``, with the branch of each lhs in ``regime`` fixed; register and return ``lhs = solution``.

    ``linear``: the chain is linear in the unknown (a count of passes inside a sum of times), so the solution is
    ``(goal − chain at 0) / ∂chain/∂unknown``, checked linear, without the general solver or factoring (a large chain
    such as the training step's takes seconds of each when the walls load)."""
    by_lhs = {EQUATIONS[i].lhs: EQUATIONS[i] for i in forward}
    memo: dict[str, bool] = {}

    def depends(name: str) -> bool:
        if name == unknown.name:
            return True
        if name not in by_lhs:
            return False
        if name not in memo:
            memo[name] = False
            memo[name] = any(depends(n) for n in by_lhs[name].free_names())
        return memo[name]

    def rhs_of(name: str) -> sp.Expr:
        eq = by_lhs[name]
        return _branch(eq, regime[name]) if name in regime else eq.rhs

    expr = rhs_of(target)
    for _ in range(64):
        subs = {s: rhs_of(s.name) for s in expr.free_symbols if s.name in by_lhs and depends(s.name)}
        if not subs:
            break
        expr = expr.xreplace(subs)
    hidden = [n for n in sp.preorder_traversal(expr) if isinstance(n, (sp.Max, sp.Min, sp.Piecewise))
              and unknown in n.free_symbols]
    if hidden:
        raise ValueError(f"{eq_id}: {unknown} still sits under a regime node ({hidden[0]}); name its branch")
    coeffs = {s: COEFFICIENTS[s.name].value for s in expr.free_symbols if s.name in COEFFICIENTS}
    if linear:
        slope = sp.diff(expr, unknown)
        if unknown in slope.free_symbols or slope == 0:
            raise ValueError(f"{eq_id}: the chain is not linear in {unknown}")
        root = (goal - expr.xreplace({unknown: 0})) / slope
    else:
        sols = sp.solve(sp.Eq(expr, goal), unknown, dict=False)
        if len(sols) != 1:
            raise ValueError(f"{eq_id}: expected one solution for {unknown}, got {sols}")
        root = sols[0]
    num, den = sp.fraction(sp.together(root))
    if den.could_extract_minus_sign():  # print T* − L, not −(L − T*)
        num, den = sp.expand(-num), sp.expand(-den)
    sol = num / den if coeffs or linear else sp.factor(num) / sp.factor(den)
    if den.free_symbols:  # a target the fixed terms already use up: no finite value (the solver reports why)
        sol = sp.Piecewise((sol, sp.Ne(den, 0)), (sp.oo, True))
    eq = Equation(eq_id, lhs, sol, title, cites)
    register_equations(eq)
    return eq


# ---- the bare inverses (0.3.0's SynthesisSolver) -------------------------------------------------------------------
BARE = (
    Equation("synthesis.bare_memory_time", "T_w_bare", W / BW_mem, "One pass streaming the weights", (ROOFLINE,)),
    Equation("synthesis.bare_compute_time", "T_o_bare", O_fwd / (R_peak * eta_hw), "One pass at the achieved rate",
             (ROOFLINE,)),
    Equation("synthesis.capacity", "M_cap_req", W, "Capacity to hold the weights", (ROOFLINE,)),
)
register_equations(*BARE)

_BARE_BW = invert("synthesis.bare_bandwidth", "BW_req", "Bandwidth for one pass in the target",
                  ("synthesis.bare_memory_time",), "T_w_bare", T_tgt, BW_mem, {})
_BARE_R = invert("synthesis.bare_peak", "R_req", "Peak rate for one pass in the target",
                 ("synthesis.bare_compute_time",), "T_o_bare", T_tgt, R_peak, {})
_RATIO = Equation("synthesis.balance", "I_req", R_req / BW_req, "Balance point of the synthesised device",
                  (ROOFLINE, JOUPPI))
register_equations(_RATIO)
register_computation("synth.bare", ["shape.active_params", "compute.forward_flops", "memory.weights",
                                    "synthesis.capacity", _BARE_BW.id, _BARE_R.id, _RATIO.id],
                     "SynthesisSolver (wall 22): bandwidth, peak and capacity for one pass within the target")

# ---- inverses of the single-node roofline (engine.step) and of serving (serve.step) ---------------------------------
# The table (target, unknown) -> regimes lives in analysis/inverses.py (plain data the run-time solver shares).
_TITLES = {
    "synth.latency.bandwidth": "Bandwidth that meets a latency",
    "synth.latency.peak": "Peak rate that meets a latency",
    "synth.latency.efficiency": "Efficiency that meets a latency",
    "synth.latency.batch_compute": "Largest batch within a latency (compute-bound)",
    "synth.latency.batch_memory": "Largest batch within a latency (memory-bound)",
    "synth.throughput.batch_compute": "Batch that reaches a throughput (compute-bound)",
    "synth.throughput.batch_memory": "Batch that reaches a throughput (memory-bound)",
    "synth.ttft.peak": "Peak rate that meets a TTFT",
    "synth.itl.bandwidth": "Bandwidth that meets an ITL",
    "synth.itl.batch": "Largest batch within an ITL",
    "synth.itl.batch_tp": "Largest batch within an ITL (tensor parallel)",
    "synth.step.efficiency_pipelined": "Efficiency that meets a step time (pipelined)",
    "synth.step.efficiency": "Efficiency that meets a step time (no pipeline)",
    "synth.step.efficiency_kernel_pipelined": "GEMM efficiency that meets a step time (pipelined, fused attention "
                                              "kernel at its own share)",
    "synth.step.efficiency_kernel": "GEMM efficiency that meets a step time (no pipeline, fused attention kernel at "
                                    "its own share)",
}
_TITLES.update({comp: "Recomputed forward's cost that meets a step time (" + label.removeprefix(
    "compute-bound replica, full recomputation, ") + ")" for comp, label, _, _ in INVERSES[("step_time",
                                                                                          "recompute_cost")]})
for (_target, _unknown), _candidates in INVERSES.items():
    _out, _goal, _, _ = TARGETS[_target]
    _in, _lhs = UNKNOWNS[_unknown]
    for _comp, _label, _forward, _regime in _candidates:
        _order = COMPUTATIONS[_forward].order
        _eq = invert("synthesis." + _comp.split(".", 1)[1].replace(".", "_"), _lhs, _TITLES[_comp], _order, _out,
                     S(_goal), S(_in), _regime, linear=_unknown == "recompute_cost")
        register_computation(_comp, [*_order, _eq.id], f"SynthesisSolver (wall 22): {_TITLES[_comp].lower()} "
                                                        f"({_label})", outputs=(_lhs,))

register_wall(Wall(22, "Synthesis", "analysis", "SynthesisSolver",
                   "From a target to the device that meets it: each wall solved for its resource, per regime, at "
                   "code-generation time, and checked forward.",
                   tuple(EQUATIONS[i] for i in sorted(EQUATIONS) if i.startswith("synthesis.")), (ROOFLINE, JOUPPI),
                   monotonic=(("BW_req", "b_w", 1), ("R_req", "eta_hw", -1), ("M_cap_req", "P", 1)),
                   resolvers=("SynthesisSolver",)))

__all__ = ["invert"]
