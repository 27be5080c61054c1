"""Write derivations/validation_trtllm080.toml: every row of TensorRT-LLM's performance page at release 0.8.0
('All data was generated using version 0.8.0'; bibliography key nvidia2024trtllmperf080) as validation rows.

Usage (repository root)::

    python tools/validation/trtllm080_rows.py > derivations/validation_trtllm080.toml

The page's tables are transcribed below as printed (batch, TP, input and output lengths, out tok/s/GPU; batch-1
first-token latencies in ms), in the page's order: 'Peak Throughput' and 'Low Latency', each for H200, H100 and
L40S (FP8) and A100 (FP16). Nothing else is typed in: the catalogue keys of the models and devices, and what the page
states of how each model was run ('Benchmarking per Model') and what the release's code decides:

* every engine is built from a checkpoint config with ``"quant_algo": "FP8", "kv_cache_quant_algo": "FP8"`` (FP8
  weights and KV cache; 'Running on A100': without them, FP16) and run with gptSessionBenchmark (a static batch, the
  prompts prefilled together, every request resident);
* every row is judged with the stack ``trtllm``. Which kernel decoded grouped-query attention is decided by the
  release's own support check (nvidia2024trtllmxqarunner: the XQA kernel takes head size 128 or 256 and 8 query
  heads per key/value head, else the masked multi-head kernel, one thread block per query head): Llama-2-70B (8 per
  head, size 128) decodes with XQA, as the stack's re-read share says; Mistral 7B (4 per head) and Falcon-180B (29
  per head, size 64) with the masked kernel, so their rows set the re-read share to 1 (nvidia2023trtllmmmha) — the
  Falcon recipe's ``export TRTLLM_ENABLE_XQA=1`` names a switch this release no longer reads; GPT-J 6B and LLaMA 7B
  have one key/value head per query head, where the kernel does not change the traffic.

Deterministic: same inputs, same bytes.
"""
from __future__ import annotations

import sys

BIBKEY = "nvidia2024trtllmperf080"
VERSION = "TensorRT-LLM v0.8.0"
#: the page's table heading → (id prefix, catalogue device, precision as the walls name it, what the page says of it)
DEVICES = {
    "H200 GPUs (FP8)": ("h200", "H200", "fp8", "FP8 weights and KV cache"),
    "H100 GPUs (FP8)": ("h100", "H100", "fp8", "FP8 weights and KV cache"),
    "L40S GPUs (FP8)": ("l40s", "L40S", "fp8", "FP8 weights and KV cache"),
    "A100 GPUs (FP16)": ("a100", "A100", "fp16", "FP16 ('Running on A100': the FP8 quantization removed)"),
}
#: the page's model label → (id part, catalogue key, how its grouped-query attention decodes: "xqa", "masked" — the
#: release's support check refuses its shape —, or "" for one key/value head per query head)
MODELS = {
    "GPT-J 6B": ("gptj-6b", "GPT_J_6B", ""),
    "Mistral 7B": ("mistral-7b", "Mistral_7B", "masked"),
    "LLaMA 7B": ("llama2-7b", "Llama2_7B", ""),
    "LLaMA 70B": ("llama2-70b", "Llama2_70B", "xqa"),
    "Falcon 180B": ("falcon-180b", "Falcon_180B", "masked"),
}
#: why the support check refuses a shape (query heads per key/value head, head size)
REFUSED = {"Mistral 7B": "4 query heads per key/value head", "Falcon 180B": "29 query heads per key/value head, head size 64"}
#: 'Peak Throughput': per table, (model, batch, TP, input, output, out tok/s/GPU) as printed
THROUGHPUT = {
    "H200 GPUs (FP8)": [
        ("GPT-J 6B", 1024, 1, 128, 128, 29168), ("GPT-J 6B", 120, 1, 128, 2048, 9472),
        ("GPT-J 6B", 64, 1, 2048, 128, 2961), ("GPT-J 6B", 64, 1, 2048, 2048, 4149),
        ("Mistral 7B", 896, 1, 128, 128, 20569), ("Mistral 7B", 120, 1, 128, 2048, 8968),
        ("Mistral 7B", 84, 1, 2048, 128, 2450), ("Mistral 7B", 56, 1, 2048, 2048, 3868),
        ("LLaMA 7B", 896, 1, 128, 128, 20548), ("LLaMA 7B", 120, 1, 128, 2048, 8343),
        ("LLaMA 7B", 84, 1, 2048, 128, 2429), ("LLaMA 7B", 56, 1, 2048, 2048, 3530),
        ("LLaMA 70B", 512, 1, 128, 128, 3844), ("LLaMA 70B", 512, 2, 128, 2048, 4008),
        ("LLaMA 70B", 64, 1, 2048, 128, 421), ("LLaMA 70B", 64, 1, 2048, 2048, 1461),
        ("Falcon 180B", 1024, 4, 128, 128, 1116), ("Falcon 180B", 1024, 4, 128, 2048, 990),
        ("Falcon 180B", 64, 4, 2048, 128, 118), ("Falcon 180B", 64, 4, 2048, 2048, 269)],
    "H100 GPUs (FP8)": [
        ("GPT-J 6B", 1024, 1, 128, 128, 27357), ("GPT-J 6B", 120, 1, 128, 2048, 7831),
        ("GPT-J 6B", 64, 1, 2048, 128, 2661), ("GPT-J 6B", 64, 1, 2048, 2048, 3409),
        ("Mistral 7B", 896, 1, 128, 128, 20517), ("Mistral 7B", 120, 1, 128, 2048, 8619),
        ("Mistral 7B", 64, 1, 2048, 128, 2438), ("Mistral 7B", 56, 1, 2048, 2048, 3733),
        ("LLaMA 7B", 896, 1, 128, 128, 20241), ("LLaMA 7B", 120, 1, 128, 2048, 6922),
        ("LLaMA 7B", 64, 1, 2048, 128, 2170), ("LLaMA 7B", 56, 1, 2048, 2048, 2816),
        ("LLaMA 70B", 1024, 2, 128, 128, 3269), ("LLaMA 70B", 512, 4, 128, 2048, 2718),
        ("LLaMA 70B", 96, 2, 2048, 128, 347), ("LLaMA 70B", 64, 2, 2048, 2048, 1020),
        ("Falcon 180B", 512, 4, 128, 128, 1048), ("Falcon 180B", 1024, 8, 128, 2048, 836),
        ("Falcon 180B", 64, 4, 2048, 128, 114), ("Falcon 180B", 64, 4, 2048, 2048, 250)],
    "L40S GPUs (FP8)": [
        ("GPT-J 6B", 512, 1, 128, 128, 7992), ("GPT-J 6B", 64, 1, 128, 2048, 1874),
        ("GPT-J 6B", 32, 1, 2048, 128, 693), ("GPT-J 6B", 32, 1, 2048, 2048, 768),
        ("Mistral 7B", 896, 1, 128, 128, 9679), ("Mistral 7B", 120, 1, 128, 2048, 4401),
        ("Mistral 7B", 84, 1, 2048, 128, 979), ("Mistral 7B", 56, 1, 2048, 2048, 1721),
        ("LLaMA 7B", 256, 1, 128, 128, 5954), ("LLaMA 7B", 64, 1, 128, 2048, 1654),
        ("LLaMA 7B", 32, 1, 2048, 128, 579), ("LLaMA 7B", 16, 1, 2048, 2048, 542),
        ("LLaMA 70B", 256, 2, 128, 128, 561), ("LLaMA 70B", 256, 4, 128, 2048, 471),
        ("LLaMA 70B", 16, 2, 2048, 128, 49), ("LLaMA 70B", 64, 4, 2048, 2048, 177),
        ("Falcon 180B", 512, 8, 128, 128, 152), ("Falcon 180B", 256, 8, 128, 2048, 200),
        ("Falcon 180B", 32, 8, 2048, 128, 15), ("Falcon 180B", 16, 8, 2048, 2048, 39)],
    "A100 GPUs (FP16)": [
        ("GPT-J 6B", 512, 1, 128, 128, 6810), ("GPT-J 6B", 32, 1, 128, 2048, 1658),
        ("GPT-J 6B", 32, 1, 2048, 128, 631), ("GPT-J 6B", 16, 1, 2048, 2048, 692),
        ("Mistral 7B", 896, 1, 128, 128, 6472), ("Mistral 7B", 120, 1, 128, 2048, 3812),
        ("Mistral 7B", 84, 1, 2048, 128, 734), ("Mistral 7B", 56, 1, 2048, 2048, 1607),
        ("LLaMA 7B", 256, 1, 128, 128, 5353), ("LLaMA 7B", 32, 1, 128, 2048, 1518),
        ("LLaMA 7B", 32, 1, 2048, 128, 547), ("LLaMA 7B", 16, 1, 2048, 2048, 613),
        ("LLaMA 70B", 256, 4, 128, 128, 565), ("LLaMA 70B", 128, 4, 128, 2048, 595),
        ("LLaMA 70B", 32, 4, 2048, 128, 66), ("LLaMA 70B", 32, 4, 2048, 2048, 185),
        ("Falcon 180B", 256, 8, 128, 128, 193), ("Falcon 180B", 256, 8, 128, 2048, 203),
        ("Falcon 180B", 16, 8, 2048, 128, 20)],
}
#: 'Low Latency': per table, (model, TP, input, first-token latency in ms) as printed, batch 1
LATENCY = {
    "H200 GPUs (FP8)": [("GPT-J 6B", 1, 128, "5.2"), ("GPT-J 6B", 1, 2048, "23.6"), ("Mistral 7B", 1, 128, "6.0"),
                        ("Mistral 7B", 1, 2048, "31.8"), ("LLaMA 7B", 1, 128, "5.8"), ("LLaMA 7B", 1, 2048, "30.1"),
                        ("LLaMA 70B", 8, 128, "16.0"), ("LLaMA 70B", 8, 2048, "78.8"),
                        ("Falcon 180B", 8, 128, "37.2"), ("Falcon 180B", 8, 2048, "120.8")],
    "H100 GPUs (FP8)": [("GPT-J 6B", 1, 128, "5.7"), ("GPT-J 6B", 1, 2048, "23.8"), ("Mistral 7B", 1, 128, "6.6"),
                        ("Mistral 7B", 1, 2048, "32.6"), ("LLaMA 7B", 1, 128, "6.4"), ("LLaMA 7B", 1, 2048, "31.0"),
                        ("LLaMA 70B", 8, 128, "17.0"), ("LLaMA 70B", 8, 2048, "84.4"),
                        ("Falcon 180B", 8, 128, "39.7"), ("Falcon 180B", 8, 2048, "128.0")],
    "L40S GPUs (FP8)": [("GPT-J 6B", 1, 128, "12.6"), ("GPT-J 6B", 1, 2048, "61.2"), ("Mistral 7B", 1, 128, "15.5"),
                        ("Mistral 7B", 1, 2048, "84.3"), ("LLaMA 7B", 1, 128, "14.3"), ("LLaMA 7B", 1, 2048, "79.0"),
                        ("LLaMA 70B", 8, 128, "70.9"), ("LLaMA 70B", 8, 2048, "708.7"),
                        ("Falcon 180B", 8, 128, "93.4"), ("Falcon 180B", 8, 2048, "769.8")],
    "A100 GPUs (FP16)": [("GPT-J 6B", 1, 128, "14.1"), ("GPT-J 6B", 1, 2048, "102.8"), ("Mistral 7B", 1, 128, "16.4"),
                         ("Mistral 7B", 1, 2048, "128.7"), ("LLaMA 7B", 1, 128, "16.1"), ("LLaMA 7B", 1, 2048, "120.5"),
                         ("LLaMA 70B", 8, 128, "35.6"), ("LLaMA 70B", 8, 2048, "235.1"),
                         ("Falcon 180B", 8, 128, "76.5"), ("Falcon 180B", 8, 2048, "463.0")],
}
#: first-token rows a prior is read from (derivations/prior_inversions.py): the request overhead of the stack, from
#: the shortest prompt of the model with one key/value head per query head and the smallest prefill — not judged
PRIOR_ROWS = {("GPT-J 6B", 128)}


def _decode(model: str) -> tuple[str, dict, str]:
    """(what the conditions say of the decode kernel, extra args, extra TOML lines) of a model's rows."""
    kind = MODELS[model][2]
    if kind == "xqa":
        return "grouped-query attention decoded by the XQA kernel", {}, ""
    if kind == "masked":
        return (f"grouped-query attention decoded by the masked multi-head kernel (XQA's support check refuses "
                f"{REFUSED[model]})", {"kv_reread_share": 1},
                'see = ["nvidia2024trtllmxqarunner", "nvidia2023trtllmmmha"]\n')
    return "one key/value head per query head", {}, ""


def _toml_args(args: dict) -> str:
    parts = []
    for k, v in args.items():
        parts.append(f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {v}")
    return "{ " + ", ".join(parts) + " }"


def _row(rid: str, regime: str, locator: str, published: str, unit: str, conditions: str, run: str, args: dict,
         extra: str) -> str:
    """One row of the set, in the order the set's other rows list their keys."""
    return ("[[row]]\n"
            f'id = "{rid}"\n'
            f'regime = "{regime}"\n'
            f'bibkey = "{BIBKEY}"\n'
            f'locator = "{locator}"\n'
            f"published = {published}\n"
            f'unit = "{unit}"\n'
            f'conditions = "{conditions}"\n'
            f'run = "{run}"\n'
            'stack = "trtllm"\n'
            f"args = {_toml_args(args)}\n" + extra)


def rows() -> list[str]:
    out = []
    for table, items in THROUGHPUT.items():
        dev, hw, prec, what = DEVICES[table]
        for model, batch, tp, isl, osl, tps in items:
            mid, key, _ = MODELS[model]
            why, more, extra = _decode(model)
            args = dict(model=key, hardware=hw, precision=prec, batch_size=batch, tensor_parallel=tp, input_len=isl,
                        output_len=osl, **more)
            out.append(_row(
                f"trtllm080-{dev}-{mid}-b{batch}-tp{tp}-{isl}-{osl}", "serving throughput",
                f"'Peak Throughput', table '{table}', row '{model}', batch {batch}, TP {tp}, input {isl}, output {osl}",
                str(tps), "1/s", f"{VERSION}, {what}, gptSessionBenchmark: a static batch of {batch} requests; output "
                f"tokens per second per GPU; {why}", "serving_throughput", args, extra))
    for table, items in LATENCY.items():
        dev, hw, prec, what = DEVICES[table]
        for model, tp, isl, ms in items:
            if (model, isl) in PRIOR_ROWS:
                continue
            mid, key, _ = MODELS[model]
            why, more, extra = _decode(model)
            args = dict(model=key, hardware=hw, precision=prec, tensor_parallel=tp, input_len=isl, **more)
            out.append(_row(
                f"trtllm080-{dev}-{mid}-ttft-tp{tp}-{isl}", "serving TTFT",
                f"'Low Latency', table '{table}', row '{model}', batch 1, TP {tp}, input {isl}", ms, "ms",
                f"{VERSION}, {what}, batch 1, first-token latency (gptSessionBenchmark with one output token); {why}",
                "serving_ttft", args, extra))
    return out


def main() -> None:
    sys.stdout.write("# GENERATED by tools/validation/trtllm080_rows.py — do not edit; the rows of TensorRT-LLM's "
                     "performance page at v0.8.0\n# (nvidia2024trtllmperf080), judged by derivations/validation.py."
                     " Its GPT-J 6B 128-token first-token rows are not here:\n# the trtllm stack's request overhead "
                     "is read from them (derivations/prior_inversions.py).\n\n")
    sys.stdout.write("\n".join(rows()))


if __name__ == "__main__":
    main()
