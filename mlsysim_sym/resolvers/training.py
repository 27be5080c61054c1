"""TrainingMemoryModel (wall 2, training state): weights, gradients, optimizer state, Korthikanti activations
with TP/sequence parallelism, ZeRO 0-3, trainable fraction, communication buffers — per rank, against the device's
memory. Declared over the computation ``train.memory``."""
from __future__ import annotations

from ..binding import (Obj, arg, derived, facade, fixed, info, knob, knob_default, memory, missing, out,
                       precision_arg, row, static_knob, width)
from ..binding.reads import error
from ..validate import BATCH, DEGREE, FRACTION0, TOKENS, choice, count, flag

STRATEGIES = {"none": 0.0, "selective": 1.0, "full": 2.0}
OPTIMIZERS = ("adam", "adamw", "sgd", "none")
_PURPOSE = "training memory needs it"


def _strategy(view) -> str:
    code = view._result.values["s_ckpt"]
    return next(k for k, v in STRATEGIES.items() if v == code)


def _parallelism(view) -> dict[str, int]:
    v = view._result.values
    return {"dp": int(v["N_dp"]), "tp": int(v["N_tp"]), "pp": int(v["N_pp"]), "ep": int(v["N_ep"])}


TrainingMemoryModel = facade(
    "TrainingMemoryModel",
    computation="train.memory",
    objects=[Obj("model", "model"), Obj("hardware", "hardware")],
    args=[
        arg("batch_size", "B", BATCH),
        arg("seq_len", "S", TOKENS, 2048),
        precision_arg(),
        arg("optimizer", None, choice(OPTIMIZERS), "adam", static=True),
        arg("activation_checkpointing", "s_ckpt", choice(STRATEGIES), "selective", encode=STRATEGIES),
        arg("tp_size", "N_tp", DEGREE, 1), arg("pp_size", "N_pp", DEGREE, 1),
        arg("dp_size", ("N_dp", "D_b"), DEGREE, 1, encode=lambda n: (n, n),
            doc="data-parallel ranks: ZeRO shards over them and the global batch is split over them"),
        arg("ep_size", "N_ep", DEGREE, 1), arg("zero_stage", "z_stage", count(0, 3), 0),
        arg("gradient_accumulation_steps", "GA", DEGREE, 1),
        arg("trainable_fraction", "f_trainable", FRACTION0, 1.0),
        arg("communication_buffer_fraction", "f_buf", FRACTION0, None, none=knob_default("training.buffer_fraction")),
        arg("sequence_parallel", "m_sp", flag(), True, encode=float),
    ],
    reads=[
        memory("hardware"), width(), static_knob("optimizer", "optimizer.{}", "b_opt"),
        row("model", "params", "P", absent=error(_PURPOSE)), row("model", "layers", "N_L", absent=error(_PURPOSE)),
        row("model", "hidden", "h", absent=error(_PURPOSE)),
        row("model", "heads", "H", absent=missing("activation_checkpointing='none' needs the head count")),
        knob("training.lora_rank", "r_lora"),
        fixed("m_lora", 0, "TrainingMemoryModel trains the requested fraction (LoRA: pass it as trainable_fraction)"),
    ],
    fields=[
        out("total_memory", "M_train", "GB"), out("available_memory", "C_mem", "GB"),
        out("memory_utilization", "U_train"), out("weights", "M_w", "GB"), out("gradients", "M_g", "GB"),
        out("optimizer_state", "M_o", "GB"), out("activations", "M_a", "GB"),
        out("communication_buffers", "M_buf", "GB"), out("feasible", "feasible", "bool"),
        info("precision", "precision"), info("optimizer", "optimizer"),
        derived("activation_checkpointing", _strategy, "str"), derived("parallelism", _parallelism),
    ],
    trace=["Training Memory: weights={M_w:GB}, gradients={M_g:GB}, optimizer={M_o:GB}, activations={M_a:GB}, "
           "buffers={M_buf:GB}."],
    report=("M_train", "U_train", "feasible"),
    requires=("workload", "hardware"), walls=(2,),
    doc="Per-rank training memory (0.3.0's TrainingMemoryModel): weights, gradients, optimizer state, "
        "Korthikanti activations with TP/sequence parallelism, ZeRO 0-3, trainable fraction, buffers.")
TrainingMemoryResult = TrainingMemoryModel.result_class

__all__ = ["OPTIMIZERS", "STRATEGIES", "TrainingMemoryModel", "TrainingMemoryResult"]
