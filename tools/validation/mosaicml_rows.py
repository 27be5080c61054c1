"""Write derivations/validation_mosaicml.toml: every row of MosaicML's MPT training benchmark tables that the walls
can run, as validation rows (derivations/validation.py judges them with the fsdp prior).

Usage (repository root), from a checkout of mosaicml/llm-foundry at the commit the bibliography cites::

    git -C LLM_FOUNDRY show 061f2c7:scripts/train/benchmarking/README.md > /tmp/README.md
    python tools/validation/mosaicml_rows.py /tmp/README.md LLM_FOUNDRY > derivations/validation_mosaicml.toml

The model shapes (d_model, n_heads, n_layers) are read from ``scripts/train/yamls/pretrain/mpt-*.yaml`` of the same
commit (``git show``), the parameter count from the table row. Every number in the output comes from those files;
nothing is typed in here but the hardware tables' fabrics (what the tables' headings print) and the catalogue keys
of the nodes. Deterministic: same inputs, same bytes.

Tables judged: 'H100 80GB BF16', 'A100 80GB with 1600 Gbps node-node interconnect (RoCE)' and 'A100 40GB with 1600
Gbps node-node interconnect (RoCE)'. Each row names the attention kernel its run used (the model yaml's attn_impl,
which the benchmark script's default overrides; both read and required to agree) where the catalogue has that
kernel's share on the row's device or on the part whose priors the device reads (the A100 40GB reads the A100
80GB's: ``priors_from``). Not judged (listed in the report with the reason): 'H100 80GB FP8' (no FP8 training prior
is catalogued).
"""
from __future__ import annotations

import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

COMMIT = "061f2c7"
BIBKEY = "mosaicml2023llmfoundrybench"
#: how the A100 tables' fabric heading is read
_ROCE_1600 = "the table's 1600 Gbps RoCE per node taken as eight 200 Gb/s links (the catalogue's HDR InfiniBand fabric)"
#: table heading → (short name for ids, GPU label, catalogue node, catalogue fabric, what the fabric assumption is)
TABLES = {
    "H100 80GB BF16": ("h100", "H100 80GB", "DGX_H100", "InfiniBand_NDR",
                       "node fabric not printed for H100 (NDR InfiniBand assumed)"),
    "A100 80GB with 1600 Gbps node-node interconnect (RoCE)": (
        "a100", "A100 80GB", "DGX_A100", "InfiniBand_HDR", _ROCE_1600),
    "A100 40GB with 1600 Gbps node-node interconnect (RoCE)": (
        "a100-40gb", "A100 40GB", "DGX_A100_320GB", "InfiniBand_HDR", _ROCE_1600),
}
#: llm-foundry's attn_impl → the catalogue's attention kernel (constants/knobs/kernels.toml)
KERNELS = {"triton": ("flash_triton", "dao2022flashattntriton", "FlashAttention's Triton kernel")}


@lru_cache(maxsize=None)
def show(repo: Path, path: str) -> str:
    """A file of the llm-foundry checkout at the cited commit (read once per run)."""
    return subprocess.run(["git", "-C", str(repo), "show", f"{COMMIT}:{path}"], check=True, capture_output=True,
                          text=True).stdout


def attention_kernel(repo: Path, size: str) -> str:
    """The attn_impl the benchmark runs used: the model yaml's, which submit_benchmarks.py overrides with its
    ``--attn_impl`` default (sweep.sh passes none); both are read and must agree."""
    yaml = re.search(r"^\s+attn_impl:\s*(\w+)", show(repo, f"scripts/train/yamls/pretrain/mpt-{size}.yaml"),
                     re.M).group(1)
    default = re.search(r"'--attn_impl',\s*type=str,\s*default='(\w+)'",
                        show(repo, "scripts/train/benchmarking/submit_benchmarks.py")).group(1)
    sweep = show(repo, "scripts/train/benchmarking/sweep.sh")
    assert "--attn_impl" not in sweep and yaml == default, (size, yaml, default)
    return default


@lru_cache(maxsize=None)
def _catalog():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from mlsysim_sym.catalog import catalog

    return catalog()


def accelerator(node: str) -> str:
    """The catalogue node's accelerator key."""
    return _catalog().entities[("node", node)].attrs["accelerator"]


@lru_cache(maxsize=None)
def kernel_share_on(kernel: str, device: str) -> str | None:
    """The device, or the part whose priors it reads, on which the catalogue has the kernel's attention efficiency
    for these bf16 rows (None: the row runs without the kernel), by the binding's own lookup (``prior_names`` over
    ``device_lineage``); a kernel prior not measured on a device counts as the device's own."""
    from mlsysim_sym.binding.facade import device_lineage, prior_names

    cat = _catalog()
    names = prior_names("attention_efficiency", "bf16", device_lineage(cat.entities[("hardware", device)], cat))
    found = next((n for n in names if f"knobs.kernels.{kernel}.{n}" in cat.constants), None)
    return None if found is None else found.partition("_on_")[2] or device


@lru_cache(maxsize=None)
def shape(repo: Path, size: str) -> tuple[int, int, int]:
    """(n_heads, d_model, n_layers) of mpt-SIZE.yaml at the cited commit."""
    text = show(repo, f"scripts/train/yamls/pretrain/mpt-{size}.yaml")
    get = {k: int(re.search(rf"^\s+{k}:\s*(\d+)", text, re.M).group(1)) for k in ("d_model", "n_heads", "n_layers")}
    return get["n_heads"], get["d_model"], get["n_layers"]


@lru_cache(maxsize=None)
def positional_table(repo: Path, size: str) -> bool:
    """Whether mpt-SIZE's runs carry a learned positional table (``max_seq_len × d_model`` parameters that the table's
    parameter count includes and whose lookup computes nothing): configuration_mpt.py's ``learned_pos_emb`` default,
    which neither the model yaml nor the benchmark script overrides, read at the cited commit (ALiBi, the other
    choice, is off by default and not set either)."""
    config = show(repo, "llmfoundry/models/mpt/configuration_mpt.py")
    default = re.search(r"learned_pos_emb:\s*bool\s*=\s*(True|False)", config).group(1) == "True"
    alibi = re.search(r"'alibi':\s*(True|False)", config).group(1) == "True"
    yaml = show(repo, f"scripts/train/yamls/pretrain/mpt-{size}.yaml")
    script = show(repo, "scripts/train/benchmarking/submit_benchmarks.py")
    assert not any(k in t for k in ("learned_pos_emb", "alibi") for t in (yaml, script)), size
    return default and not alibi


#: llm-foundry's loss_fn → the catalogue's loss kernel (constants/knobs/losses.toml)
LOSSES = {"fused_crossentropy": ("fused_xentropy", "dao2023flashattnxentropy",
                                 "FlashAttention's fused cross-entropy (xentropy-cuda-lib from flash-attention v1.0.9, "
                                 "setup.py's 'gpu' extra)")}


@lru_cache(maxsize=None)
def vocabulary(repo: Path, size: str) -> int:
    """mpt-SIZE.yaml's vocab_size, which the benchmark script pads only when given --pad_vocab_multiple (default None;
    sweep.sh passes none)."""
    script, sweep = (show(repo, f"scripts/train/benchmarking/{f}") for f in ("submit_benchmarks.py", "sweep.sh"))
    assert re.search(r"'--pad_vocab_multiple',\s*type=int,\s*default=None", script) and "pad_vocab" not in sweep
    return int(re.search(r"^\s+vocab_size:\s*(\d+)", show(repo, f"scripts/train/yamls/pretrain/mpt-{size}.yaml"),
                         re.M).group(1))


@lru_cache(maxsize=None)
def loss_function(repo: Path, size: str) -> str:
    """The loss MPT's runs computed: modeling_mpt.py's loss_fn default, which neither the model yaml nor the benchmark
    scripts set."""
    default = re.search(r"om_model_config\.get\('loss_fn',\s*'(\w+)'\)",
                        show(repo, "llmfoundry/models/mpt/modeling_mpt.py")).group(1)
    texts = [show(repo, f"scripts/train/yamls/pretrain/mpt-{size}.yaml")] + [
        show(repo, f"scripts/train/benchmarking/{f}") for f in ("submit_benchmarks.py", "sweep.sh")]
    assert not any("loss_fn" in t for t in texts), size
    return default


def table_rows(readme: str) -> list[dict]:
    rows, section = [], None
    for line in readme.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if section not in TABLES or len(cells) < 19 or cells[0] in ("Model", "---"):
            continue
        if "E+" in cells[6]:          # the 'Model TFLOP' column (some tables print it without a heading)
            del cells[6]
        (model, seq, gpus, _gpu, mfu, _hfu, mb, ga, gb, _sps, _tps, _tpsg, _gbt, prec, _mp, shard, ac, off,
         params) = cells[:19]
        rows.append(dict(section=section, model=model, seq=int(seq), gpus=int(gpus), mfu=mfu, mb=int(mb),
                         ga=int(ga), gb=int(gb), prec=prec, shard=shard, ac=ac == "True", offload=off == "True",
                         params=int(params)))
    return rows


def toml_rows(rows: list[dict], repo: Path) -> str:
    out = ["# MosaicML's MPT training benchmark tables (llm-foundry scripts/train/benchmarking/README.md at "
           f"{COMMIT}), every row of the three",
           "# tables judged, written by tools/validation/mosaicml_rows.py (do not edit by hand: rerun it).", ""]
    seen: dict[str, int] = {}
    for r in rows:
        short, gpu, node, fabric, fabric_note = TABLES[r["section"]]
        assert r["shard"] == "FULL_SHARD" and not r["offload"], r
        heads, hidden, layers = shape(repo, r["model"])
        impl = attention_kernel(repo, r["model"])
        kernel, kernel_bib, kernel_name = KERNELS[impl]
        device = accelerator(node)
        share_on = kernel_share_on(kernel, device)
        if share_on is not None:
            via = "" if share_on == device else f", at its share on the {share_on}, whose priors the {device} reads"
            kernel_arg, kernel_note = f', attention_kernel = "{kernel}"', (
                f"attention by {kernel_name} (attn_impl '{impl}': mpt-{r['model']}.yaml and submit_benchmarks.py's "
                f"default at {COMMIT}; sweep.sh passes none){via}")
        else:
            kernel_arg, kernel_note = "", (
                f"attention by {kernel_name} (attn_impl '{impl}' at {COMMIT}), whose share of the {device}'s peak is not "
                "catalogued (its docstring: tested only on A100), so attention is counted and run as without a "
                "fused kernel")
        base = f"mosaicml-mpt-{r['model']}-{short}-s{r['seq']}-{r['gpus']}-gpus"
        seen[base] = seen.get(base, 0) + 1
        rid = base if seen[base] == 1 else f"{base}-mb{r['mb']}"
        dup = "" if seen[base] == 1 else f", micro-batch {r['mb']}"
        ckpt = "on" if r["ac"] else "off"
        vocab = vocabulary(repo, r["model"])
        loss, loss_bib, loss_name = LOSSES[loss_function(repo, r["model"])]
        loss_note = (f"vocabulary {vocab:,} (mpt-{r['model']}.yaml); loss by {loss_name}: modeling_mpt.py's loss_fn "
                     f"default at {COMMIT}, set by no yaml or script; ")
        lookup = r["seq"] * hidden if positional_table(repo, r["model"]) else 0
        lookup_arg = f", lookup_params = {lookup}" if lookup else ""
        lookup_note = (f"the parameters include the learned positional table, {r['seq']:,} × {hidden} = {lookup:,} "
                       f"(configuration_mpt.py's learned_pos_emb default, max_seq_len the row's sequence), a lookup "
                       f"the walls charge no FLOPs for; " if lookup else "")
        out += ["[[row]]", f'id = "{rid}"', 'regime = "training MFU"', f'bibkey = "{BIBKEY}"',
                f"locator = \"table '{r['section'].split(' with ')[0]}', row MPT {r['model']}, sequence "
                f"{r['seq']:,}, {r['gpus']} GPUs{dup}: MFU {r['mfu']} %\"",
                f"published = {float(r['mfu']) / 100!r}", 'unit = ""',
                f'conditions = "PyTorch FSDP FULL_SHARD (ZeRO-3) over {r["gpus"]} {gpu}, {r["prec"]}, micro-batch '
                f'{r["mb"]}, gradient accumulation {r["ga"]}, global batch {r["gb"]} sequences of {r["seq"]:,} tokens, '
                f'activation checkpointing {ckpt}; model shape (d_model {hidden}, {heads} heads, {layers} layers) from '
                f'mpt-{r["model"]}.yaml at commit {COMMIT}, parameters as the table prints them; {lookup_note}'
                f'{loss_note}'
                f'{kernel_note}; '
                f'{fabric_note}; FSDP '
                'overlaps its all-gathers with computation (backward prefetch); MFU as the table computes it (6N plus '
                'attention 12·L·d·S per token, no causal halving; N as printed, the positional table included), the '
                'walls\' MFU counted the same way"',
                'run = "training_mfu"', 'stack = "fsdp"',
                f'args = {{ shape = [{heads}, {hidden}, {layers}, {r["params"]}], gpus = {r["gpus"]}, node = "{node}", '
                f'fabric = "{fabric}", batch_size = {r["gb"]}, precision = "bf16", zero_stage = 3, '
                f'gradient_accumulation_steps = {r["ga"]}, activation_recomputation = {str(r["ac"]).lower()}, '
                f'overlap_comm = true, seq_len = {r["seq"]}{kernel_arg}{lookup_arg}, vocab = {vocab}, '
                f'loss_kernel = "{loss}" }}',
                f'see = ["pytorch2023fsdpapi", "{kernel_bib}", "{loss_bib}"]', ""]
    return "\n".join(out)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    readme, repo = Path(sys.argv[1]).read_text(encoding="utf-8"), Path(sys.argv[2])
    sys.stdout.write(toml_rows(table_rows(readme), repo))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
