"""OPERATIONS wall 19 (Checkpoint): saving training state costs write time, and that time is lost to training.

Curation log:

* A checkpoint holds the weights at their precision and the optimizer state per parameter (Adam: an FP32 master
  copy and two FP32 moments, 12 B; Rajbhandari et al. 2020 §3.1); gradients are recomputed, not saved. mlsysim
  0.3.0 prices Adam at 14 B per parameter whatever the precision and every other optimizer at 4 B (its edition).
* Writers share the file system: the write bandwidth is per-writer bandwidth × writers until the file system's
  aggregate limit binds.
* Blocking checkpoints stall training for the whole write. Asynchronous (two-stage) checkpointing stalls only
  for the copy of each writer's shard to host memory over the host link, then drains to storage in the
  background, which must finish within the interval (CheckFreq, Mohan et al. 2021, §4).
* The MFU penalty is the stall over the interval. The interval is wall 15's optimum (Daly) when an MTBF is given,
  with the stall as δ; else the caller's.
"""
from __future__ import annotations

import sympy as sp

from ._core import Cite, Equation, Wall, register_computation, register_wall, sym
from .node import P, b_w
from .reliability import EQ_DALY, EQ_TAU, EQ_YOUNG, M_f, delta_ck, tau_opt
from .training import b_opt

ZERO_STATE = Cite("rajbhandari2020zero", "§3.1: mixed-precision Adam keeps fp16 weights and K = 12 bytes of fp32 "
                                         "state (master copy, momentum, variance) per parameter")
CHECKFREQ = Cite("mohan2021checkfreq", "§4: two-phase checkpointing: snapshot to host memory, then persist in the "
                                       "background while training continues")

M_ck_w = sym("M_ck_w", r"M_{\text{ck,w}}", "B", "Checkpointed weight bytes", "GB")
M_ck_o = sym("M_ck_o", r"M_{\text{ck,opt}}", "B", "Checkpointed optimizer-state bytes", "GB")
M_ck = sym("M_ck", r"M_{\text{ck}}", "B", "Checkpoint size", "GB")
BW_wr = sym("BW_wr", r"\text{BW}_{\text{wr}}", "B/s", "Write bandwidth of one writer", "GB/s")
n_wr = sym("n_wr", r"n_{\text{wr}}", "", "Parallel checkpoint writers", integer=True)
BW_fs = sym("BW_fs", r"\text{BW}_{\text{FS}}", "B/s", "Aggregate write limit of the file system", "GB/s")
BW_ck = sym("BW_ck", r"\text{BW}_{\text{ck}}", "B/s", "Effective checkpoint write bandwidth", "GB/s")
t_wr = sym("t_wr", r"t_{\text{write}}", "s", "Time to write one checkpoint to storage", "s")
BW_d2h = sym("BW_d2h", r"\text{BW}_{\text{D2H}}", "B/s", "Device-to-host copy bandwidth per writer", "GB/s")
m_async = sym("m_async", r"m_{\text{async}}", "", "Asynchronous two-stage checkpointing (1) or blocking (0)",
              integer=True)
t_stall = sym("t_stall", r"t_{\text{stall}}", "s", "Training time lost to one checkpoint", "s")
tau_in = sym("tau_in", r"\tau_{\text{given}}", "s", "Checkpoint interval as given", "h")
tau_ck = sym("tau_ck", r"\tau_{\text{ck}}", "s", "Checkpoint interval", "h")
pen_ck = sym("pen_ck", r"\pi_{\text{ck}}", "", "MFU penalty: stalled share of each interval")
t_slow = sym("t_slow", r"t_{\text{slow}}", "s", "Write time above which checkpointing is flagged as a bottleneck", "s")
slow_ck = sym("slow_ck", r"\text{slow}", "", "The write exceeds the flag threshold (1/0)")
drain_ok = sym("drain_ok", r"\text{drains}", "", "The write finishes within the interval (1/0)")

EQUATIONS = (
    Equation("ckpt.weights", "M_ck_w", P * b_w, "Checkpointed weights"),
    Equation("ckpt.optimizer", "M_ck_o", P * b_opt, "Checkpointed optimizer state", (ZERO_STATE,)),
    Equation("ckpt.size", "M_ck", M_ck_w + M_ck_o, "Checkpoint size", (ZERO_STATE,)),
    Equation("ckpt.bandwidth", "BW_ck", sp.Min(BW_wr * n_wr, BW_fs), "Effective write bandwidth",
             regimes=("per-writer", "file system"), branches=(BW_wr * n_wr, BW_fs)),
    Equation("ckpt.write", "t_wr", M_ck / BW_ck, "Write time"),
    Equation("ckpt.stall", "t_stall",
             sp.Piecewise((M_ck / (n_wr * BW_d2h), sp.StrictGreaterThan(m_async, 0)), (t_wr, True)),
             "Training stall per checkpoint", (CHECKFREQ,), regimes=("asynchronous", "blocking")),
    Equation("ckpt.delta", "delta_ck", t_stall, "The stall is the checkpoint cost δ of wall 15"),
    Equation("ckpt.interval", "tau_ck", sp.Piecewise((tau_opt, sp.StrictGreaterThan(M_f, 0)), (tau_in, True)),
             "Checkpoint interval: wall 15's optimum for a given MTBF, else as given",
             regimes=("optimum for the MTBF", "given")),
    Equation("ckpt.penalty", "pen_ck", t_stall / tau_ck, "MFU penalty"),
    Equation("ckpt.slow", "slow_ck", sp.StrictGreaterThan(t_wr, t_slow), "Write time above the flag threshold"),
    Equation("ckpt.drains", "drain_ok", sp.LessThan(t_wr, tau_ck), "The write completes within the interval",
             (CHECKFREQ,)),
)

register_wall(Wall(19, "Checkpoint", "operations", "CheckpointModel",
                   "Saving state takes storage bandwidth and time the accelerators do not train.",
                   EQUATIONS, (ZERO_STATE, CHECKFREQ),
                   monotonic=(("t_wr", "P", +1), ("t_wr", "BW_wr", -1), ("pen_ck", "BW_wr", -1)),
                   resolvers=("CheckpointModel",)))
register_computation("ckpt.model", [*(e.id for e in EQUATIONS), EQ_YOUNG.id, EQ_DALY.id, EQ_TAU.id],
                     "CheckpointModel (wall 19), with wall 15's optimum interval")
