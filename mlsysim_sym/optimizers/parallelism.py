"""ParallelismOptimizer: the TP × PP × DP split of a cluster that maximises 0.3.0's MFU objective, with 0.3.0's
signature and result fields, evaluated over the whole candidate grid in one call of the generated NumPy code of
DistributedModel's computation (``comm.step``, wall 14).

What is searched. Every (tp, pp) with tp ≤ ``max_tp`` (default: accelerators per node, tensor parallelism needs
NVLink-class bandwidth), pp ≤ ``max_pp`` (default: the cluster), and tp·pp dividing the cluster's accelerators
exactly; dp = N / (tp·pp); EP = 1 and ZeRO stage 0 (as 0.3.0). Where wall 14 allows it: a tensor-parallel group
tiles nodes (tp divides the accelerators per node, or is a whole number of nodes: the wall puts a group of at most
a node on NVLink, so a group of 3 on 4-accelerator nodes would straddle two nodes over a link it does not have), and
a pipeline stage holds at least one layer (pp ≤ the catalogued layers). Under the ``mlsysim-0.3.0`` edition (rule
``parallelism-search-space``) tp and pp are powers of two up to 2⁹ with neither bound, as 0.3.0's loop. Pipelined
candidates use one-sample microbatches (``microbatch_count`` = per-replica batch), 0.3.0's schedule.

Screens, in 0.3.0's order. (1) The static training state per accelerator (weights, gradients, optimizer state,
sharded by TP × PP) must fit in ``knobs.search.parallelism_memory_screen`` (0.9, 0.3.0's unsourced assumption) of
its memory; ours is wall 14's own state at the requested precision, 0.3.0's counts weights and gradients at FP16
width whatever the precision (rule ``parallelism-screen-fp16-state``). (2) The replica's full footprint
(activations included) must fit (DistributedModel's ``node_profile.feasible``).

Objective: 0.3.0's ``MFU = scaling_efficiency × efficiency`` (η·T_replica/T_step), maximised; ties keep the
enumeration order (tp-major, pp ascending), as 0.3.0's stable sort does.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InputError
from ..resolvers.distributed import DistributedModel
from ..validate import count
from ._grid import bind, evaluate, knob, pareto, refused
from .result import ParallelismOptimizerResult

_SPEC = DistributedModel.spec
_COMP = _SPEC.computation
#: 0.3.0's loop ``2**i for i in range(10)``: TP and PP powers of two up to 512 (edition rule only)
_POW2 = 2 ** np.arange(10)
#: 0.3.0 keeps the five best candidates
TOP_N = 5
_LIMIT = count(0, 10**6)
#: the terms of T_step beyond the replica's own step, as η/MFU = k_strag·(1 + Σ term/T_rep) names them
_TERMS = (("T_dp_exp", "exposed data-parallel all-reduce"), ("T_tp", "tensor-parallel communication"),
          ("T_ep", "expert-parallel communication"), ("T_bub", "pipeline bubble"))
_RULE_POW2 = "parallelism-search-space"
_RULE_SCREEN = "parallelism-screen-fp16-state"
_NONE_FITS = ("No valid parallelism configuration: no TP x PP x DP split of this cluster fits its training state "
              "(activations included) in accelerator memory. Enable activation_recomputation, lower batch_size or "
              "seq_len, or add accelerators.")


def divisors(n: int) -> np.ndarray:
    """Every divisor of ``n``, ascending."""
    d = np.arange(1, math.isqrt(n) + 1)
    small = d[n % d == 0]
    return np.unique(np.concatenate([small, n // small]))


def factorisations(n: int, limit_tp: int, limit_pp: int, powers_of_two: bool, per_node: int = 0,
                    layers: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(tp, pp) of every split of ``n`` accelerators with tp ≤ limit_tp, pp ≤ limit_pp and tp·pp | n, tp-major
    and pp ascending (0.3.0's loop order). ``powers_of_two``: 0.3.0's candidate degrees only (2⁰ … 2⁹), no other
    bound. Otherwise every divisor, with tensor-parallel groups tiling nodes of ``per_node`` accelerators and at most
    ``layers`` pipeline stages (0: that bound unknown)."""
    axis = _POW2 if powers_of_two else divisors(n)
    tp = axis[axis <= limit_tp]
    pp = axis[axis <= limit_pp]
    if not powers_of_two:
        if per_node:
            tp = tp[np.where(tp <= per_node, per_node % tp == 0, tp % per_node == 0)]
        if layers:
            pp = pp[pp <= layers]
    TP, PP = (a.ravel() for a in np.meshgrid(tp, pp, indexing="ij"))
    keep = (TP * PP <= n) & (n % (TP * PP) == 0)
    return TP[keep], PP[keep]


class ParallelismOptimizer:
    """Searches the TP × PP × DP split of a cluster that maximises MFU (Narayanan et al. 2021's 3D parallelism),
    every candidate priced by DistributedModel's equations in one vectorised evaluation."""

    requires = ("workload", "fleet")
    produces = ParallelismOptimizerResult

    def solve(self, model: Any, fleet: Any, batch_size: int, precision: str = "fp16", efficiency: float | None = None,
              max_tp: int | None = None, max_pp: int | None = None, overlap_comm: bool = True, seq_len: int = 2048,
              activation_recomputation: bool = False) -> ParallelismOptimizerResult:
        """The split (TP × PP × DP = the cluster's accelerators) that maximises MFU = scaling efficiency × η.

        ``efficiency=None`` is the catalogue default (``knobs.engine.efficiency`` = 0.5, 0.3.0's literal default).
        ``max_tp`` (None or 0: accelerators per node) and ``max_pp`` (None or 0: the cluster) cap the degrees.
        Raises InputError when no split fits (0.3.0's ValueError) or an argument is outside its domain.
        """
        b = bind(_SPEC, dict(model=model, fleet=fleet, batch_size=batch_size, precision=precision,
                             efficiency=efficiency, overlap_comm=overlap_comm, seq_len=seq_len,
                             activation_recomputation=activation_recomputation))
        v, ed = b.values, b.edition
        n, gpn = int(v["n_nodes"] * v["n_gpn"]), int(v["n_gpn"])
        limit_tp = (_LIMIT("max_tp", max_tp) if max_tp is not None else 0) or gpn
        limit_pp = (_LIMIT("max_pp", max_pp) if max_pp is not None else 0) or n
        pow2 = _RULE_POW2 in ed.rules
        from ..provenance import Row

        layers = int(v["N_L"]) if isinstance(b.entry.refs.get("N_L"), Row) else 0
        tp, pp = factorisations(n, limit_tp, limit_pp, pow2, gpn, layers)
        dp = n // (tp * pp)
        B = int(v["B_g"])
        v["N_tp"], v["N_pp"] = tp.astype(float), pp.astype(float)
        v["n_mb"] = np.where(pp > 1, np.maximum(1, B // dp), 1).astype(float)
        out, regimes = evaluate(_COMP, v, len(tp))
        eta = float(v["eta_hw"])
        mfu = out["eta_scale"] * eta
        static = out["M_w"] + out["M_g"] + out["M_o"]
        if _RULE_SCREEN in ed.rules:  # 0.3.0: weights and gradients at FP16 width whatever the precision
            w16 = knob(ed, "knobs.precision.fp16", "ParallelismOptimizer")[0]
            static = (out["M_w"] + out["M_g"]) * (w16 / float(v["b_w"])) + out["M_o"]
        frac = knob(ed, "knobs.search.parallelism_memory_screen", "ParallelismOptimizer")[0]
        cap = np.asarray(v["C_mem"], dtype=float)
        screened = static > cap * frac
        fits = out["feasible"] > 0
        valid = ~screened & fits & np.isfinite(mfu)
        why_refused: dict[int, str] = {}
        if b.entry.missing:  # a value the catalogue lacks: refuse the candidates whose numbers use it
            allv = {**v, **out}
            for i in np.flatnonzero(valid):
                msg = refused(_COMP, allv, regimes, int(i), _SPEC.report, b)
                if msg:
                    valid[i] = False
                    why_refused[int(i)] = msg
        idx = np.flatnonzero(valid)
        if idx.size == 0:
            raise InputError(_NONE_FITS)
        order = idx[np.argsort(-mfu[idx], kind="stable")]
        best = int(order[0])

        from ..units import factor, quantity

        ms, gbf = factor("s", "ms"), factor("B", "GB")

        def cfg(i: int) -> dict[str, int]:
            return {"tp": int(tp[i]), "pp": int(pp[i]), "dp": int(dp[i])}

        def row(i: int) -> dict[str, Any]:
            return {"config": cfg(i), "mfu": float(mfu[i]), "throughput": quantity(float(out["X_fleet"][i]), "1/s"),
                    "step_time": quantity(float(out["T_step"][i]) * ms, "ms")}

        front = idx[pareto(np.column_stack([-mfu[idx], out["T_step"][idx], out["M_req"][idx]]))]
        front = front[np.argsort(out["T_step"][front], kind="stable")]

        def pareto_rows() -> list[dict[str, Any]]:
            return [{**row(int(i)), "memory_per_device": quantity(float(out["M_req"][i]) * gbf, "GB")}
                    for i in front]

        def runner_ups() -> list[dict[str, Any]]:
            return _why(order, best, tp, pp, dp, mfu, out, static, cap, frac, screened, fits, why_refused)

        top = [row(int(i)) for i in order[:TOP_N]]
        space = ("TP and PP powers of two (mlsysim 0.3.0)" if pow2 else
                 "every factorisation TP x PP x DP (TP groups tiling nodes, PP <= layers)") + \
            f" of {n} accelerators, TP <= {limit_tp}, PP <= {limit_pp}"
        return ParallelismOptimizerResult(
            lazy={"pareto_front": pareto_rows, "runner_ups": runner_ups},
            objective_value=float(mfu[best]), best_config=cfg(best), total_searched=int(idx.size),
            best_mfu=float(mfu[best]), best_throughput=top[0]["throughput"], best_step_time=top[0]["step_time"],
            search_space_size=int(idx.size), top_candidates=top, search_space=space, edition=ed.name,
            candidates_evaluated=int(tp.size))


def _why(order: np.ndarray, best: int, tp: Any, pp: Any, dp: Any, mfu: Any, out: dict[str, Any], static: Any,
         cap: Any, frac: float, screened: Any, fits: Any, why_refused: dict[int, str]) -> list[dict[str, Any]]:
    """Why each other candidate lost. A valid one: η/MFU = k_strag·(1 + Σ term/T_replica) exactly, so the term
    whose share of the replica's step grew most against the winner's is the binding one. An invalid one: the
    memory screen, the full memory check, or the value the catalogue lacks."""
    from ..units import factor

    gb = factor("B", "GB")
    t_rep = out["T_rep"]
    rows: list[dict[str, Any]] = []
    share_best = {s: float(out[s][best] / t_rep[best]) for s, _ in _TERMS}
    for i in (int(j) for j in order[1:]):
        growth = {s: float(out[s][i] / t_rep[i]) - share_best[s] for s, _ in _TERMS}
        sym, name = max(_TERMS, key=lambda t: growth[t[0]])
        if growth[sym] <= 0:
            reason = (f"MFU {mfu[i]:.6g} vs {mfu[best]:.6g}: equal on every term (tie, enumeration order)"
                      if mfu[i] == mfu[best] else f"MFU {mfu[i]:.6g} vs {mfu[best]:.6g}: straggler factor")
            binding = "tie" if mfu[i] == mfu[best] else "straggler"
        else:
            reason = (f"MFU {mfu[i]:.4f} vs {mfu[best]:.4f}: {name} is {out[sym][i] / t_rep[i]:.1%} of the replica "
                      f"step vs {share_best[sym]:.1%} for the winner")
            binding = name
        rows.append({"config": {"tp": int(tp[i]), "pp": int(pp[i]), "dp": int(dp[i])}, "valid": True,
                     "binding": binding, "reason": reason, "mfu": float(mfu[i]),
                     "term_growth": {n: growth[s] for s, n in _TERMS}})
    ranked = set(order.tolist())
    for i in range(len(tp)):
        if i in ranked:
            continue
        c = {"tp": int(tp[i]), "pp": int(pp[i]), "dp": int(dp[i])}
        if screened[i]:
            binding = "memory screen"
            reason = (f"static training state {static[i] * gb:.4g} GB > {frac:g} x {cap * gb:.4g} GB "
                      f"(knobs.search.parallelism_memory_screen)")
        elif not fits[i]:
            binding = "memory"
            reason = f"replica footprint {out['M_req'][i] * gb:.4g} GB > {cap * gb:.4g} GB (activations counted)"
        else:
            binding = "refused"
            reason = why_refused.get(i, "non-finite objective")
        rows.append({"config": c, "valid": False, "binding": binding, "reason": reason})
    return rows


__all__ = ["ParallelismOptimizer", "ParallelismOptimizerResult", "TOP_N", "divisors", "factorisations"]
