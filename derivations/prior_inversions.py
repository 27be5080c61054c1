"""Priors read through the walls: an efficiency prior is the share of peak at which the walls reproduce the run it came
from, solved by wall 22's generated inverse on that run's printed configuration.

Why: a published HFU is a whole-step share. The walls charge attention at its kernel's own share (when a run names a
fused kernel) and the data-parallel exchange that overlap does not hide, so taking the HFU itself as the GEMMs' share
charges those parts twice, and the prior would mean something other than the efficiency it is used as.

How: each source run is evaluated by DistributedModel as printed (model, GPUs, per-GPU batch, sequence, activation
checkpointing, ZeRO-3 with overlapped gathers, the attention kernel at its catalogued share, the stack's other rows
such as its element-wise count) and the efficiency that
gives its measured step time is solved by :func:`mlsysim_sym.analysis.synthesis.synthesize` (``step_time`` for
``efficiency``), then checked forward. The catalogue row is the median of the runs and its range their spread
(tests/test_prior_inversions.py holds the row to this table). A run checkpointing every n-th block, which the walls'
two settings do not express, is read at the nearest one (attention recomputed only) and its share scaled by the run's
own printed HFU/MFU; a run that prints nothing to run it by is named in the comment above RUNS and not read.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mlsysim_sym as mlsysim
from mlsysim_sym.analysis.synthesis import synthesize
from mlsysim_sym.export.spec import BookTable, Cited, TableData

TITLE = "Priors read through the walls"
ORDER = 91
VALUES: list = []
#: a catalogued prior (value, range ends) is current while it is within this of the reading (three printed decimals)
TOLERANCE = 5e-4

@dataclass(frozen=True)
class SourceRun:
    """One published run an efficiency prior is read from: its configuration as printed and its measured
    throughput (tokens per second per GPU)."""

    label: str
    prior: str                   # the catalogue row (knobs.<table>.<field>) it supports
    bibkey: str
    locator: str
    model: Any                   # a catalogue key (mlsysim.Models), or a workload of the run's printed shape
    gpus: int
    node: str
    fabric: str
    batch_per_gpu: int
    seq_len: int
    recompute: bool
    attention_kernel: str
    tokens_per_gpu_s: float
    #: executed over counted FLOPs for a checkpointing the walls' two settings do not express (every n-th block):
    #: the run is read at the nearest setting (attention recomputed only) and its share scaled by this ratio, the
    #: run's own printed HFU/MFU (approximate: the ratio scales the whole step, attention and exchange included)
    executed_ratio: float = 1.0
    #: the stack whose prior the run is read for: its other rows (the element-wise count, the recomputed forward's
    #: cost) apply while reading, as they will where the prior is used; the efficiency is the unknown
    stack: str = "fsdp"
    #: share of the measured step the source's own profile attributes to communication left exposed, where it is
    #: more than the walls charge the run's fabric: the replica is read from the rest (:func:`replica_target_s`)
    exposed_share: float = 0.0

    @property
    def step_time_s(self) -> float:
        """The measured step: a GPU's batch of sequences over its measured token rate."""
        return self.batch_per_gpu * self.seq_len / self.tokens_per_gpu_s


_IBM = "pytorch2024maximizingfsdp"
_IBM_H100 = "Table 1, H100 80GB columns (96 H100, 800 Gbps inter-node, batch 2 per GPU, 4k tokens)"
_IBM_A100 = "Table 1, A100 80GB columns (128 A100, 400 Gbps inter-node, batch 2 per GPU, 4k tokens)"
_TT = "pytorch2024torchtitana100"
_H100 = "stacks.fsdp.gemm_efficiency_on_H100"
_A100 = "stacks.fsdp.gemm_efficiency_on_A100"
_N_TH = "every n-th block checkpointed (not one of the walls' two settings): read with attention recomputed only"
#: Llama 2 34B, which has no catalogue entry (never released): its shape as Touvron et al.'s Table 1 prints it
_LLAMA2_34B = mlsysim.TransformerWorkload("Llama 2 34B", parameters=34e9, layers=48, hidden_dim=8192, heads=64)


#: IBM/Meta's FSDP post, Table 1 (the same code on both devices). H100 cluster: '800Gbps inter-node interconnect',
#: read as 800 Gb/s per direction (InfiniBand_XDR's rate; the post does not say per node or per GPU: at 400 Gb/s the
#: H100 readings are 0.01 higher); A100 cluster: '400Gbps network connectivity and GPU direct RDMA' (InfiniBand_NDR's
#: rate). Nodes of eight SXM parts on NVLink (DGX_H100's and DGX_A100's links; the post names no chassis). Attention by
#: PyTorch SDPA's FlashAttention-2. Llama 2 7B, 13B and 70B as catalogued, 34B as Touvron et al.'s Table 1 prints it.
#: torchtitan's A100 tables (FSDP2 on 64 A100 80GB, SDPA; fabric not printed: HDR InfiniBand, a DGX A100's, assumed;
#: WPS is tokens per second per GPU, the MFU it prints checks against it). Rows read: no checkpointing or full; its
#: 'selective layer' and 'selective op' rows are neither, and it prints no HFU to scale them by, so they are not read.
#: OPT-175B's 147 TFLOP/s (the general fsdp prior) prints no step, micro-batch or FLOP convention to run, so it is not
#: read either. The post's A100 34B and 70B rows are not read: IBM's fms-fsdp README prints the same configurations,
#: and those rows are judged.
#: each cluster's printed setup, shared by its runs: prior, source, GPUs, node, fabric, batch per GPU, sequence, kernel
#: The H100 runs left communication exposed: the text below Table 1, 'We analyze the PyTorch profile traces on H100
#: and observe that there is a 10% gap due to network "peeking" out' — read as 10 % of each H100 step. The walls
#: charge these runs' exchange at 800 Gb/s with 85 % hidden (about 2 % of the step), so the share they would
#: otherwise read holds the rest of the authors' measured gap inside the GEMMs' share; each H100 run is read with its
#: replica taking 90 % of the measured step. The A100 runs are read as measured ('an almost full overlap in
#: computation and communication', the text on the 7B run).
_IBM_H100_EXPOSED = 0.10
_IBM_ON_H100 = dict(prior=_H100, bibkey=_IBM, gpus=96, node="DGX_H100", fabric="InfiniBand_XDR", batch_per_gpu=2,
                    seq_len=4096, attention_kernel="flash2", exposed_share=_IBM_H100_EXPOSED)
_IBM_ON_A100 = dict(prior=_A100, bibkey=_IBM, gpus=128, node="DGX_A100", fabric="InfiniBand_NDR", batch_per_gpu=2,
                    seq_len=4096, attention_kernel="flash2")
_TT_ON_A100 = dict(prior=_A100, bibkey=_TT, gpus=64, node="DGX_A100", fabric="InfiniBand_HDR",
                   attention_kernel="flash2")
RUNS: tuple[SourceRun, ...] = (
    SourceRun("IBM/Meta H100, Llama 2 7B, no checkpointing",
              locator=f"{_IBM_H100}: 7B, no activation checkpointing, 7,500 tokens/s/GPU (MFU = HFU 0.37)",
              model="Llama2_7B", recompute=False, tokens_per_gpu_s=7500, **_IBM_ON_H100),
    SourceRun("IBM/Meta H100, Llama 2 13B, every n-th block checkpointed",
              locator=f"{_IBM_H100}: 13B, selective activation checkpointing, 3,800 tokens/s/GPU (MFU 0.35, HFU 0.40)",
              model="Llama2_13B", recompute=False, tokens_per_gpu_s=3800, executed_ratio=0.40 / 0.35, **_IBM_ON_H100),
    SourceRun("IBM/Meta H100, Llama 2 34B, full checkpointing",
              locator=f"{_IBM_H100}: 34B, activation checkpointing, 1,550 tokens/s/GPU (HFU 0.44)",
              model=_LLAMA2_34B, recompute=True, tokens_per_gpu_s=1550, **_IBM_ON_H100),
    SourceRun("IBM/Meta H100, Llama 2 70B, full checkpointing",
              locator=f"{_IBM_H100}: 70B, activation checkpointing, 800 tokens/s/GPU (HFU 0.45)",
              model="Llama2_70B", recompute=True, tokens_per_gpu_s=800, **_IBM_ON_H100),
    SourceRun("IBM/Meta A100, Llama 2 7B, no checkpointing",
              locator=f"{_IBM_A100}: 7B, no activation checkpointing, 3,700 tokens/s/GPU (MFU = HFU 0.57)",
              model="Llama2_7B", recompute=False, tokens_per_gpu_s=3700, **_IBM_ON_A100),
    SourceRun("IBM/Meta A100, Llama 2 13B, every n-th block checkpointed",
              locator=f"{_IBM_A100}: 13B, selective activation checkpointing, 1,800 tokens/s/GPU (MFU 0.51, HFU 0.59)",
              model="Llama2_13B", recompute=False, tokens_per_gpu_s=1800, executed_ratio=0.59 / 0.51, **_IBM_ON_A100),
    SourceRun("torchtitan A100, Llama 2 13B, no checkpointing",
              locator="'Llama 2 performance numbers': 13B, batch 2, no activation checkpointing, "
                      "2,162 WPS (MFU 61.1 %)",
              model="Llama2_13B", batch_per_gpu=2, seq_len=4096, recompute=False, tokens_per_gpu_s=2162,
              **_TT_ON_A100),
    SourceRun("torchtitan A100, Llama 2 70B, full checkpointing",
              locator="'Llama 2 performance numbers': 70B, batch 2, full activation checkpointing, "
                      "353 WPS (MFU 50.5 %)",
              model="Llama2_70B", batch_per_gpu=2, seq_len=4096, recompute=True, tokens_per_gpu_s=353, **_TT_ON_A100),
    SourceRun("torchtitan A100, Llama 3 70B, full checkpointing",
              locator="'Llama 3 performance numbers': 70B, batch 1, full activation checkpointing, "
                      "331 WPS (MFU 51.7 %)",
              model="Llama3_70B", batch_per_gpu=1, seq_len=8192, recompute=True, tokens_per_gpu_s=331, **_TT_ON_A100),
)


def _workload(run: SourceRun) -> Any:
    return getattr(mlsysim.Models, run.model) if isinstance(run.model, str) else run.model


def _fleet(run: SourceRun) -> Any:
    return mlsysim.Fleet(name=f"{run.gpus} × {run.node}", node=run.node, count=run.gpus // 8, fabric=run.fabric)


def _options(run: SourceRun) -> dict[str, Any]:
    """DistributedModel's arguments for ``run`` as printed (the efficiency left to the stack or the inverse)."""
    return dict(batch_size=run.batch_per_gpu * run.gpus, precision="bf16", seq_len=run.seq_len, zero_stage=3,
                activation_recomputation=run.recompute, overlap_comm=True, attention_kernel=run.attention_kernel,
                stack=run.stack)


def replica_target_s(run: SourceRun) -> float:
    """The step the walls must reproduce for ``run``: the measured step, or — where the source measured more exposed
    communication than the walls charge — the replica's part of it (1 − the exposed share) plus the exposed exchange
    the walls charge themselves (which the GEMMs' share does not change), so that the walls' replica takes exactly
    what the source's profile leaves it."""
    if not run.exposed_share:
        return run.step_time_s
    v = mlsysim.DistributedModel().solve(_workload(run), _fleet(run), **_options(run)).result.values
    if v["T_bub"]:
        raise ValueError(f"{run.label}: an exposed share is read for runs without a pipeline only")
    walls_exposed = v["T_step"] / v["k_strag"] - v["T_rep"]
    if walls_exposed > run.exposed_share * run.step_time_s:
        raise ValueError(f"{run.label}: the walls already charge more exposed communication "
                         f"({walls_exposed:.3g} s) than the source measured")
    return run.step_time_s * (1 - run.exposed_share) + walls_exposed


def invert(run: SourceRun):
    """The walls' inverse on ``run``: the design (its ``value`` is the GEMMs' share of peak) that reproduces the
    measured step time (:func:`replica_target_s`), checked forward."""
    return synthesize(_workload(run), _fleet(run), "step_time", f"{replica_target_s(run)!r} s", "efficiency",
                      **_options(run))


@lru_cache(maxsize=1)
def inverted() -> tuple[tuple[SourceRun, float], ...]:
    """Every source run with the share the walls read from it."""
    out = []
    for run in RUNS:
        design = invert(run)
        if design.value is None:
            raise ValueError(f"{run.label}: the walls cannot reproduce its step time ({design.reason})")
        out.append((run, float(design.value) * run.executed_ratio))
    return tuple(out)


def prior(field: str) -> tuple[float, float, float]:
    """(median, lowest, highest) of the shares read from the runs used for the catalogue row ``field``."""
    shares = [share for run, share in inverted() if run.prior == field]
    if not shares:
        raise KeyError(f"no source run is read for {field}")
    return statistics.median(shares), min(shares), max(shares)


def _stale_rows(cat: Any, fields: set[str], reading: Any, source: str, scale: float = 1.0, unit: str = "",
                tolerance: float = TOLERANCE) -> list[str]:
    """The rows of ``fields`` whose catalogued value or range (shown ×``scale`` in ``unit``) is not ``reading(field)``
    — (median, lowest, highest) — within ``tolerance``, each named with the reading to write."""
    out, shown = [], f" {unit}" if unit else ""
    for field in sorted(fields):
        median, low, high = reading(field)
        row = cat.constants.get("knobs." + field)
        if row is None:
            out.append(f"knobs.{field}: {source} are read for it (derivations/prior_inversions.py), but the "
                       "catalogue has no such row")
            continue
        rng = tuple(x * scale for x in (row.si_range or (math.nan, math.nan)))
        pairs = ((row.si * scale, median), (rng[0], low), (rng[1], high))
        if not all(abs(a - b) <= tolerance for a, b in pairs):
            out.append(f"knobs.{field} is {row.si * scale:g}{shown} {list(rng)} but the walls now read {median:.3f} "
                       f"[{low:.3f}, {high:.3f}]{shown} from its {source} (derivations/prior_inversions.py): re-read it")
    return out


def stale() -> list[str]:
    """The catalogued priors that no longer equal what the walls read from their runs (``mlsysim-sym check`` lists
    them as problems): after a change to a wall, a kernel's share or a run, each names the row, its catalogued value
    and range, and the reading to write instead."""
    from mlsysim_sym.catalog import catalog

    cat = catalog()
    return (_stale_rows(cat, {run.prior for run in LATENCY_RUNS}, overhead_prior, "latency runs", 1e3, "ms",
                        TOLERANCE * 10)
            + _stale_rows(cat, {run.prior for run in RUNS}, prior, "source runs")
            + _stale_rows(cat, {pair.prior for pair in RECOMPUTE_PAIRS}, recompute_prior, "paired runs"))


def read_priors() -> set[str]:
    """The catalogue rows (knobs.<table>.<field>, without ``knobs.``) read here: the GEMM shares from their source
    runs, the request overheads from their latency runs and the recomputed forward's cost from its paired runs."""
    return {run.prior for run in (*RUNS, *LATENCY_RUNS, *RECOMPUTE_PAIRS)}


# ---- training: the recomputed forward's cost of a stack ------------------------------------------------------------
@dataclass(frozen=True)
class RecomputePair:
    """Two published runs of one stack, model, batch and cluster that differ only in the share of blocks that re-run
    their forward in the backward. The walls' ``k_rf`` is the re-run forward's time in forward passes at the step's
    average rate, a step without recomputation being three passes' worth (the forward and the backward's two), so
    ``T_with / T_without = 1 + share · k_rf / 3`` and ``k_rf = 3 (T_with / T_without − 1) / share``, with the whole
    step taken as those passes (the exposed exchange, the same in both runs, is a small share of either)."""

    label: str
    prior: str
    bibkey: str
    locator: str
    tokens_s_without: float      # tokens per second per GPU without recomputation
    tokens_s_with: float         # ... with ``share`` of the blocks recomputing their forward
    share: float

    @property
    def reading(self) -> float:
        return 3 * (self.tokens_s_without / self.tokens_s_with - 1) / self.share


#: torchtitan's Llama 2 table prints 13B at local batch 2 three ways on the same 64 A100; 'selective layer' runs
#: torchtitan's selective_ac_option default '2', every other block checkpointed (config_manager.py at 0011fb9). Its
#: 'selective op' row saves a policy's chosen operator outputs, not whole blocks: not a share of forwards, not read.
RECOMPUTE_PAIRS: tuple[RecomputePair, ...] = (
    RecomputePair("torchtitan A100, Llama 2 13B, every other block checkpointed against none",
                  "stacks.fsdp.recompute_forward_cost", _TT,
                  "'Llama 2 performance numbers': 13B, batch 2, no activation checkpointing 2,162 WPS, 'selective "
                  "layer' 1,914 WPS (every other block, selective_ac_option '2')", 2162, 1914, 0.5),
)
#: full-checkpointing runs of a stack read for the recomputed forward's cost at the GEMMs' share the walls read from a
#: run of the same cluster without checkpointing (run, reference run): a lower bound, since the checkpointed runs are
#: of a wider model whose GEMMs run at least as fast as the reference's
RECOMPUTE_BOUNDS: tuple[tuple[str, str], ...] = (
    ("torchtitan A100, Llama 2 70B, full checkpointing", "torchtitan A100, Llama 2 13B, no checkpointing"),
    ("torchtitan A100, Llama 3 70B, full checkpointing", "torchtitan A100, Llama 2 13B, no checkpointing"),
)


@lru_cache(maxsize=1)
def recompute_bounds() -> tuple[tuple[SourceRun, SourceRun, float], ...]:
    """(run, reference, the recomputed forward's cost that gives the run's measured step at the reference's GEMM
    share): wall 22's inverse for ``recompute_cost``, checked forward."""
    runs, shares = {run.label: run for run in RUNS}, {run.label: share for run, share in inverted()}
    out = []
    for label, ref in RECOMPUTE_BOUNDS:
        run = runs[label]
        design = synthesize(_workload(run), _fleet(run), "step_time", f"{replica_target_s(run)!r} s",
                            "recompute_cost", efficiency=shares[ref], **_options(run))
        if design.value is None:
            raise ValueError(f"{label}: no recomputed forward's cost reproduces its step ({design.reason})")
        out.append((run, runs[ref], float(design.value)))
    return tuple(out)


def recompute_prior(field: str) -> tuple[float, float, float]:
    """(value, lowest, highest) for a stack's recomputed forward's cost: the median of its paired runs, down to the
    lowest of those and the full-checkpointing lower bounds of the same stack, up to the catalogue's convention (one
    forward) — the pairs are few, so the convention stays inside the range."""
    from mlsysim_sym.catalog import catalog

    pairs = [pair.reading for pair in RECOMPUTE_PAIRS if pair.prior == field]
    if not pairs:
        raise KeyError(f"no paired runs are read for {field}")
    stack = field.split(".")[1]
    bounds = [k for run, _, k in recompute_bounds() if run.stack == stack]
    convention = catalog().constants["knobs.distributed.recompute_forward_cost"].si
    return statistics.median(pairs), min(pairs + bounds), max(pairs + [convention])


# ---- serving: a runtime's fixed cost per request call ---------------------------------------------------------------
@dataclass(frozen=True)
class LatencyRun:
    """One published first-token latency a serving stack's per-request overhead is read from: the time its run took
    beyond what the walls charge the same prefill (the roofline, the all-reduces, the dispatch) with no overhead."""

    label: str
    prior: str
    bibkey: str
    locator: str
    model: str                   # a catalogue key (mlsysim.Models)
    hardware: str
    precision: str
    prompt: int
    ttft_ms: float
    #: half the last printed digit: the published value is known to within this
    half_ms: float = 0.5
    stack: str = "trtllm_pre_xqa"


_TRT = "nvidia2023trtllmperf"
_TRT080 = "nvidia2024trtllmperf080"
#: TensorRT-LLM v0.5's first-token table times gptSessionBenchmark with one output token: the generate call (set-up,
#: the prefill, the first sampling step, the copy of the output). GPT-J's short prompts, where the prefill is least of
#: it, give the call's fixed cost; the table's LLaMA rows are judged with it (derivations/validation_set.toml), and
#: its 2,048-token GPT-J rows too (their prefill dominates and says more about the GEMMs' share than the call).
#: Release 0.8.0's page times the same call on four machines: its GPT-J 128-token rows give the trtllm stack's cost —
#: the median of the three that agree (H200, H100, L40S: 3.5-4.1 ms) and, on its own, the A100 machine's (6.9 ms; a
#: host's software cost is its machine's, and v0.5's two machines had agreed) — and its other rows are judged with
#: them (derivations/validation_trtllm080.toml).
LATENCY_RUNS: tuple[LatencyRun, ...] = (
    LatencyRun("TensorRT-LLM v0.5, GPT-J 6B, H100 FP8, 128-token prompt", "stacks.trtllm_pre_xqa.request_overhead",
               _TRT, "'Low Latency', table 'H100 GPUs (FP8)', row 'GPT-J 6B', batch 1, TP 1, input 128: 7 ms",
               "GPT_J_6B", "H100", "fp8", 128, 7.0),
    LatencyRun("TensorRT-LLM v0.5, GPT-J 6B, A100 FP16, 128-token prompt", "stacks.trtllm_pre_xqa.request_overhead",
               _TRT, "'Low Latency', table 'A100 GPUs (FP16)', row 'GPT-J 6B', batch 1, TP 1, input 128: 12 ms",
               "GPT_J_6B", "A100", "fp16", 128, 12.0),
    *(LatencyRun(f"TensorRT-LLM v0.8.0, GPT-J 6B, {hw} {prec.upper()}, 128-token prompt",
                 "stacks.trtllm.request_overhead" + ("_on_A100" if hw == "A100" else ""), _TRT080,
                 f"'Low Latency', table '{hw} GPUs ({prec.upper()})', row 'GPT-J 6B', batch 1, TP 1, input 128: "
                 f"{ms:g} ms", "GPT_J_6B", hw, prec, 128, ms, half_ms=0.05, stack="trtllm")
      for hw, prec, ms in (("H200", "fp8", 5.2), ("H100", "fp8", 5.7), ("L40S", "fp8", 12.6), ("A100", "fp16", 14.1))),
)


def walls_ttft_ms(run: LatencyRun) -> float:
    """The walls' first-token time of ``run`` with no request overhead: everything they charge the prefill."""
    res = mlsysim.ServingModel().solve(getattr(mlsysim.Models, run.model), run.hardware, seq_len=run.prompt,
                                       batch_size=1, precision=run.precision, stack=run.stack,
                                       request_overhead="0 ms")
    return float(res.ttft.m_as("ms"))


@lru_cache(maxsize=1)
def overheads() -> tuple[tuple[LatencyRun, float], ...]:
    """Every latency run with the overhead read from it (ms): the published time less the walls' prefill."""
    out = []
    for run in LATENCY_RUNS:
        walls = walls_ttft_ms(run)
        left = run.ttft_ms - walls
        if left - run.half_ms < 0:
            raise ValueError(f"{run.label}: the walls' prefill alone ({walls:.2f} ms) is longer than "
                             f"the published first token ({run.ttft_ms:g} ms); nothing is left for an overhead")
        out.append((run, left))
    return tuple(out)


def overhead_prior(field: str) -> tuple[float, float, float]:
    """(median, lowest, highest) in ms of the overheads read for the catalogue row ``field``: the range reaches each
    run's reading less and more half its published value's last digit."""
    read = [(run, left) for run, left in overheads() if run.prior == field]
    if not read:
        raise KeyError(f"no latency run is read for {field}")
    return (statistics.median(left for _, left in read), min(left - run.half_ms for run, left in read),
            max(left + run.half_ms for run, left in read))


def _table() -> TableData:
    rows = []
    for run, share in inverted():
        published = Cited(f"{run.tokens_per_gpu_s:,.0f}", run.bibkey, run.locator)
        how = f" ({_N_TH}, × HFU/MFU {run.executed_ratio:.3f})" if run.executed_ratio != 1 else ""
        rows.append([run.label, published, f"{run.step_time_s:.3f}", f"{replica_target_s(run):.3f}",
                     f"{share:.3f}", run.prior.removeprefix("stacks.") + how])
    return TableData(["Source run", "Tokens/s/GPU", "Step [s]", "Read [s]", "GEMM share (walls' inverse)", "Prior"],
                     rows, align="lrrrrl",
                     note="Each share is the efficiency at which DistributedModel, given the run's printed "
                          "configuration and its attention kernel at the kernel's catalogued share, takes the "
                          "step in 'Read' (wall 22's inverse, checked forward): the measured step, or for IBM/Meta's "
                          f"H100 runs its {100 * (1 - _IBM_H100_EXPOSED):.0f} % that the authors' profile leaves "
                          "the replica plus the exposed exchange the walls charge themselves. The prior is the "
                          "median of its runs; its range their lowest and highest.")


def _recompute_table() -> TableData:
    rows = []
    for pair in RECOMPUTE_PAIRS:
        rows.append([pair.label, Cited(f"{pair.tokens_s_without:,.0f} / {pair.tokens_s_with:,.0f}", pair.bibkey,
                                       pair.locator), f"{pair.share:g}", f"{pair.reading:.3f}", "value"])
    for run, ref, k in recompute_bounds():
        rows.append([f"{run.label}, at the GEMM share of {ref.label}",
                     Cited(f"{run.tokens_per_gpu_s:,.0f}", run.bibkey, run.locator), "1", f"{k:.3f}",
                     "lower bound"])
    return TableData(["Runs", "Tokens/s/GPU", "Blocks re-run", "Recomputed forward [forwards]", "Use"], rows,
                     align="lrrrl",
                     note="A pair of runs differing only in the share of blocks checkpointed gives the re-run "
                          "forward's time in forward passes at the step's average rate, 3 (T_with/T_without − 1) / "
                          "share; a full-checkpointing run of a wider model, read by wall 22's recompute_cost inverse "
                          "at the GEMM share of a run without checkpointing, bounds it from below. The catalogued "
                          "cost (knobs.stacks.fsdp.recompute_forward_cost) is the pairs' median, its range from the "
                          "lowest reading to the convention's one forward.")


TABLES = [BookTable("runs", "Efficiency priors read through the walls: each source run, its measured rate, and the "
                    "GEMMs' share of peak at which the walls reproduce it", _table),
          BookTable("recompute", "The recomputed forward's cost of the fsdp stack: the paired runs it is read from "
                    "and the checkpointed runs that bound it", _recompute_table)]
