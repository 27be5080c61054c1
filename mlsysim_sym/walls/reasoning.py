"""ALGORITHM wall 12 (Reasoning): inference-time compute is decoding, K reasoning steps at a time.

Curation log:

* One query prefills its context once, then decodes K steps of τ tokens each; every token costs one inter-token
  latency of wall 4 at the context length (decode is priced at the prompt's context, as in mlsysim 0.3.0: the
  growing KV cache of a long trace is not added). τ is a catalogue knob (0.3.0 hard-codes 50).
* Two ways to spend n samples: best-of-n decodes the n samples together as one batch (one prefill per sample,
  no prefix sharing; the batch's ITL); sequential revision decodes n rounds one after another at batch 1.
  0.3.0's model is n = 1.
* Energy is the device's TDP over the query's time: an upper bound (the device is never above TDP), as in 0.3.0.
"""
from __future__ import annotations

import sympy as sp

from ._core import COMPUTATIONS, Cite, Equation, Wall, register_computation, register_wall, sym
from .node import B
from .serving import ITL, TTFT
from .training import P_tdp

WEI = Cite("wei2022chain", "chain-of-thought: intermediate reasoning steps generated before the answer")
SNELL = Cite("snell2024scaling", "§3: test-time compute as parallel samples (best-of-N) or sequential revisions")

K_steps = sym("K_steps", r"K_{\text{steps}}", "", "Reasoning steps", integer=True)
tau_tok = sym("tau_tok", r"\tau_{\text{tok}}", "", "Tokens generated per reasoning step")
n_samp = sym("n_samp", r"n_{\text{samp}}", "", "Samples (best-of-n) or revision rounds", integer=True)
m_best = sym("m_best", r"m_{\text{best}}", "", "Best-of-n in one batch (1) or sequential rounds (0)", integer=True)
N_gen = sym("N_gen", r"N_{\text{gen}}", "", "Tokens generated for the query")
t_rstep = sym("t_rstep", r"t_{\text{step}}", "s", "Time of one reasoning step", "ms")
T_reason = sym("T_reason", r"T_{\text{reason}}", "s", "Time to answer the query", "s")
E_reason = sym("E_reason", r"E_{\text{query}}", "J", "Energy of the query at TDP (upper bound)", "J")

EQUATIONS = (
    Equation("reason.batch", "B", sp.Piecewise((n_samp, sp.StrictGreaterThan(m_best, 0)), (1, True)),
             "Decode batch: the n samples together, or one", (SNELL,), regimes=("best-of-n", "sequential")),
    Equation("reason.tokens", "N_gen", n_samp * K_steps * tau_tok, "Tokens generated", (WEI,)),
    Equation("reason.step_time", "t_rstep", tau_tok * ITL, "Time of one reasoning step", (WEI,)),
    Equation("reason.time", "T_reason",
             sp.Piecewise((TTFT + K_steps * t_rstep, sp.StrictGreaterThan(m_best, 0)),
                          (TTFT + n_samp * K_steps * t_rstep, True)),
             "Time to answer: prefill, then K steps (per round)", (WEI, SNELL),
             regimes=("best-of-n", "sequential")),
    Equation("reason.energy", "E_reason", P_tdp * T_reason, "Energy at TDP"),
)

register_wall(Wall(12, "Reasoning", "algorithm", "InferenceScalingModel",
                   "Reasoning buys accuracy with decode steps, each bound by the serving wall.",
                   EQUATIONS, (WEI, SNELL),
                   monotonic=(("T_reason", "K_steps", +1), ("N_gen", "tau_tok", +1), ("T_reason", "n_samp", +1)),
                   resolvers=("InferenceScalingModel",)))
register_computation("reason.query", [*COMPUTATIONS["serve.step"].equation_ids, *(e.id for e in EQUATIONS)],
                     "InferenceScalingModel (wall 12) over wall 4's serving step")
