"""TrainingMemoryModel (wall 2, training state) and the transformer footprint Engine.solve uses in training."""
from __future__ import annotations

from typing import Any, ClassVar

from ..catalog import catalog
from ..engine import check_batch, knob, normalize_precision, precision_bytes, resolve_hardware, resolve_model
from ..errors import InputError
from ..evaluate import evaluate
from ..objects import Workload
from ..results import ResultView
from ..validate import FRACTION0, choice, count, flag
from .common import bind_const, catalog_hash_of, check_int, static_inputs

STRATEGIES = {"none": 0.0, "selective": 1.0, "full": 2.0}
OPTIMIZERS = ("adam", "adamw", "sgd", "none")


def bind_training_memory(model: Workload, values: dict[str, float], refs: dict[str, str], *, batch_size: int,
                         seq_len: int, precision: str, strategy: str = "selective", optimizer: str = "adam",
                         tp: int = 1, pp: int = 1, dp: int = 1, ep: int = 1, zero_stage: int = 0, ga: int = 1,
                         trainable_fraction: float = 1.0, buffer_fraction: float | None = None,
                         sequence_parallel: bool = True, is_lora: bool = False, batch_split: int = 1,
                         buffer_ref: str = "arg:communication_buffer_fraction") -> list[str]:
    """Bind the inputs of the ``train.memory`` computation; return it as the step to run.

    ``batch_split`` is how many data-parallel ranks the global batch is divided over (TrainingMemoryModel:
    ``dp``; Engine.solve: 1, since its batch is per device). ``buffer_fraction=None`` uses the catalogue default.
    """
    strategy = choice(STRATEGIES)("activation_checkpointing", strategy)
    opt = choice(OPTIMIZERS)("optimizer", optimizer)
    zero_stage = count(0, 3)("zero_stage", zero_stage)
    sequence_parallel = flag()("sequence_parallel", sequence_parallel)
    is_lora = flag()("is_lora", is_lora)
    def build(v: dict[str, float], r: dict[str, str]) -> None:
        purpose = "training memory needs it"
        bind_const(model, "params", "P", v, r, required=purpose)
        bind_const(model, "layers", "N_L", v, r, required=purpose)
        bind_const(model, "hidden", "h", v, r, required=purpose)
        if not bind_const(model, "heads", "H", v, r):
            v["H"], r["H"] = 0.0, f"absent:{model.key}.heads"
        v["b_w"], r["b_w"] = precision_bytes(precision)
        v["b_opt"], r["b_opt"] = knob("optimizer", opt)
        v["r_lora"], r["r_lora"] = knob("training", "lora_rank")
        v["f_buf"], r["f_buf"] = knob("training", "buffer_fraction")

    sv, sr, _ = static_inputs("train", (model,), (precision, opt), build)
    if strategy == "none" and sr["H"].startswith("absent:"):
        raise InputError(f"{model.key} has no catalogued heads; activation_checkpointing='none' needs the head count")
    values.update(sv)
    refs.update(sr)
    values["S"], refs["S"] = float(check_int(seq_len, "seq_len")), "arg:seq_len"
    values["B"], refs["B"] = float(batch_size), "arg:batch_size"
    for sym, val, name in (("N_tp", tp, "tp_size"), ("N_pp", pp, "pp_size"), ("N_dp", dp, "dp_size"),
                           ("N_ep", ep, "ep_size"), ("GA", ga, "gradient_accumulation_steps")):
        values[sym], refs[sym] = float(check_int(val, name)), f"arg:{name}"
    values["D_b"], refs["D_b"] = float(batch_split), "arg:dp_size" if batch_split > 1 else "derived:batch per device"
    values["z_stage"], refs["z_stage"] = float(zero_stage), "arg:zero_stage"
    values["m_sp"], refs["m_sp"] = (1.0 if sequence_parallel else 0.0), "flag:sequence_parallel"
    values["s_ckpt"], refs["s_ckpt"] = STRATEGIES[strategy], "arg:activation_checkpointing"
    values["m_lora"], refs["m_lora"] = (1.0 if is_lora else 0.0), "flag:is_lora"
    values["f_trainable"], refs["f_trainable"] = FRACTION0("trainable_fraction", trainable_fraction), \
        "arg:trainable_fraction"
    if buffer_fraction is not None:
        values["f_buf"], refs["f_buf"] = FRACTION0("communication_buffer_fraction", buffer_fraction), buffer_ref
    return ["train.memory"]


class TrainingMemoryResult(ResultView):
    _FIELDS: ClassVar[dict[str, tuple[str, str]]] = {
        "total_memory": ("M_req", "GB"),
        "available_memory": ("C_mem", "GB"),
        "memory_utilization": ("U_train", ""),
        "weights": ("M_w", "GB"),
        "gradients": ("M_g", "GB"),
        "optimizer_state": ("M_o", "GB"),
        "activations": ("M_a", "GB"),
        "communication_buffers": ("M_buf", "GB"),
        "feasible": ("feasible", "bool"),
    }

    @property
    def constraint_trace(self) -> list[str]:
        v = self._result.values
        return [f"Training Memory: weights={v['M_w'] / 1e9:.6g} GB, gradients={v['M_g'] / 1e9:.6g} GB, "
                f"optimizer={v['M_o'] / 1e9:.6g} GB, activations={v['M_a'] / 1e9:.6g} GB, "
                f"buffers={v['M_buf'] / 1e9:.6g} GB."]


class TrainingMemoryModel:
    """Per-rank training memory (0.3.0's TrainingMemoryModel): weights, gradients, optimizer state,
    Korthikanti activations with TP/sequence parallelism, ZeRO 0-3, LoRA/trainable fraction, buffers."""

    requires = ("workload", "hardware")
    produces = "TrainingMemoryResult"

    def solve(self, model: Any, hardware: Any, batch_size: int, seq_len: int = 2048, precision: str = "fp16",
              optimizer: str = "adam", activation_checkpointing: str = "selective", tp_size: int = 1,
              pp_size: int = 1, dp_size: int = 1, ep_size: int = 1, zero_stage: int = 0,
              gradient_accumulation_steps: int = 1, trainable_fraction: float = 1.0,
              communication_buffer_fraction: float | None = None,
              sequence_parallel: bool = True) -> TrainingMemoryResult:
        m = resolve_model(model)
        hw = resolve_hardware(hardware)
        b = check_batch(batch_size)
        prec = normalize_precision(precision)
        values: dict[str, float] = {}
        refs: dict[str, str] = {}
        steps = bind_training_memory(m, values, refs, batch_size=b, seq_len=seq_len, precision=prec,
                                     strategy=activation_checkpointing, optimizer=optimizer, tp=tp_size,
                                     pp=pp_size, dp=dp_size, ep=ep_size, zero_stage=zero_stage,
                                     ga=gradient_accumulation_steps, trainable_fraction=trainable_fraction,
                                     buffer_fraction=communication_buffer_fraction,
                                     sequence_parallel=sequence_parallel, batch_split=check_int(dp_size, "dp_size"))
        hv, hr = hw.bind(hw.headline_precision, catalog().entity("knobs", "engine"))
        values["C_mem"], refs["C_mem"] = hv["C_mem"], hr["C_mem"]
        steps.append("train.fit")
        result = evaluate(steps, values, refs, ("M_req", "U_train", "feasible"), catalog_hash_of(m, hw))
        return TrainingMemoryResult(result, precision=prec, optimizer=choice(OPTIMIZERS)("optimizer", optimizer),
                                    activation_checkpointing=activation_checkpointing,
                                    parallelism={"dp": dp_size, "tp": tp_size, "pp": pp_size, "ep": ep_size})
