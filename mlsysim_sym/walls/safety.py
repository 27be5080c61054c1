"""OPERATIONS wall 20 (Safety): what privacy and fairness guarantees cost in compute and data.

Curation log (first-order models, as in mlsysim 0.3.0):

* Privacy: DP-SGD clips per-example gradients and adds noise; a tighter budget ε needs more of both, so the step
  slows as 1 + k/ε (Abadi et al. 2016 introduce DP-SGD; k is a catalogue knob). δ is reported, not used.
* Fairness: to see N examples of a subgroup with prevalence p, collect N/p examples overall.
mlsysim 0.3.0 clamps ε below at 0.01 and p at 1e-6; here ε must be positive and p in (0, 1], refused otherwise.
"""
from __future__ import annotations

from ._core import Cite, Equation, Wall, register_computation, register_wall, sym

ABADI = Cite("abadi2016deep", "§3: DP-SGD, per-example gradient clipping and Gaussian noise calibrated to (ε, δ)")

T_base = sym("T_base", r"T_{\text{base}}", "s", "Training time without privacy guarantees", "h")
eps_dp = sym("eps_dp", r"\varepsilon", "", "Differential-privacy budget")
k_dp = sym("k_dp", r"k_{\text{DP}}", "", "DP-SGD slowdown coefficient")
s_dp = sym("s_dp", r"s_{\text{DP}}", "", "DP-SGD slowdown factor")
T_dp = sym("T_dp_eff", r"T_{\text{DP-SGD}}", "s", "Training time with DP-SGD", "h")
p_sub = sym("p_sub", r"p_{\text{sub}}", "", "Prevalence of the rarest subgroup to represent")
k_data = sym("k_data", r"k_{\text{data}}", "", "Data collected per example of the rarest subgroup")

EQUATIONS = (
    Equation("safety.dp_slowdown", "s_dp", 1 + k_dp / eps_dp, "DP-SGD slowdown", (ABADI,)),
    Equation("safety.dp_time", "T_dp_eff", T_base * s_dp, "Training time with DP-SGD"),
    Equation("safety.data_factor", "k_data", 1 / p_sub, "Data multiplier for the rarest subgroup"),
)
register_wall(Wall(20, "Safety", "operations", "ResponsibleEngineeringModel",
                   "Privacy and fairness guarantees are paid for in compute and in data.",
                   EQUATIONS, (ABADI,), monotonic=(("s_dp", "eps_dp", -1), ("k_data", "p_sub", -1)),
                   resolvers=("ResponsibleEngineeringModel",)))
register_computation("safety.tax", [e.id for e in EQUATIONS], "ResponsibleEngineeringModel (wall 20)")
