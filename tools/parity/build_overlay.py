"""Build the data of the ``mlsysim-0.3.0`` edition (mlsysim_sym/editions/mlsysim-0.3.0.json): the values
mlsysim 0.3.0 *effectively uses* for every catalogue input of the walls, read from its registry dumps
(tests/data/mlsysim_0_3_0/*_dump.json), and how it classifies each model (a generic ``Workload`` has no
transformer dimensions).

The edition's name, description, citation and rules are kept from the file; only ``overrides`` and ``attrs`` are
regenerated. Run from the repository root: ``python tools/parity/build_overlay.py``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data" / "mlsysim_0_3_0"
PRECISIONS = ("fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4")


def si(node):
    return None if node is None else float(node["value_si"])


def hardware_overrides(dump, cat) -> dict:
    out: dict[str, object] = {}
    for path, e in sorted(dump["entries"].items()):
        key = path.rsplit(".", 1)[1]
        if ("hardware", key) not in cat.entities:
            continue
        ent = cat.entities[("hardware", key)]
        base = f"hardware.{key}"
        comp, mem = e["compute"], e["memory"]
        peak = si(comp.get("peak_flops"))
        pf = {k: si(v) for k, v in (comp.get("precision_flops") or {}).items()}
        for p in PRECISIONS:  # the rate 0.3.0's Engine uses: precision_flops[p], else peak_flops
            out[f"{base}.peak.{p}"] = {"si": pf.get(p, peak), "unit": "FLOP/s"}
        tier = "memory" if "memory.capacity" in ent.values or "sram.capacity" not in ent.values else "sram"
        out[f"{base}.{tier}.capacity"] = {"si": si(mem.get("capacity")), "unit": "B"}
        out[f"{base}.{tier}.bandwidth"] = {"si": si(mem.get("bandwidth")), "unit": "B/s"}
        if tier == "memory":
            sc, sb = si(mem.get("sram_capacity")), si(mem.get("sram_bandwidth"))
            out[f"{base}.sram.capacity"] = None if sc is None else {"si": sc, "unit": "B"}
            out[f"{base}.sram.bandwidth"] = None if sb is None else {"si": sb, "unit": "B/s"}
        fb = si(mem.get("flash_bandwidth"))
        out[f"{base}.flash.bandwidth"] = None if fb is None else {"si": fb, "unit": "B/s"}
        ic = e.get("interconnect")
        if ic and ic.get("bandwidth") is not None:
            bw = si(ic["bandwidth"]) / (2 if ic.get("direction") == "bidirectional_total" else 1)
            out[f"{base}.host_link.bandwidth"] = {"si": bw, "unit": "B/s", "direction": "per_direction"}
        else:
            out[f"{base}.host_link.bandwidth"] = None
        st = e.get("storage")
        sb = si(st.get("bandwidth")) if isinstance(st, dict) else None
        out[f"{base}.storage.bandwidth"] = None if sb is None else {"si": sb, "unit": "B/s"}
        tdp = si(e.get("tdp"))
        out[f"{base}.tdp"] = None if tdp is None else {"si": tdp, "unit": "W"}
        out[f"{base}.dispatch_tax"] = {"si": si(e.get("dispatch_tax")), "unit": "s"}
    return out


def model_overrides(dump, cat) -> dict:
    out: dict[str, object] = {}
    fields = {"parameters": ("params", "param"), "active_parameters": ("params.active", "param"),
              "inference_flops": ("flops.inference", "FLOP"), "layers": ("layers", ""),
              "hidden_dim": ("hidden", ""), "heads": ("heads", ""), "kv_heads": ("kv_heads", ""),
              "head_dim": ("head_dim", ""), "kv_lora_rank": ("mla.kv_rank", ""),
              "qk_rope_head_dim": ("mla.rope_dim", ""), "model_size": ("model_size", "B")}
    for path, e in sorted(dump["entries"].items()):
        key = path.rsplit(".", 1)[1]
        if ("model", key) not in cat.entities:
            continue
        for src, (fld, unit) in fields.items():
            v = e.get(src)
            if isinstance(v, dict):
                v = si(v)
            if isinstance(v, bool):
                continue
            cid = f"model.{key}.{fld}"
            out[cid] = None if v in (None, 0) else {"si": float(v), "unit": unit}
    return out


def node_overrides(dump, cat) -> dict:
    """NICs and power supplies per node (0.3.0's defaults where a node states none: 1 NIC, 2 PSUs without spares)."""
    out: dict[str, object] = {}
    for key, e in sorted(dump["entries"]["Nodes"].items()):
        if ("node", key) not in cat.entities:
            continue
        for src, fld in (("nics_per_node", "nics_per_node"), ("psus_per_node", "psus_per_node"),
                         ("psu_redundancy", "psu_spares")):
            v = e.get(src)
            if v is not None:
                out[f"node.{key}.{fld}"] = {"si": float(v), "unit": ""}
    return out


def site_overrides(dump, cat) -> dict:
    """Grids' carbon intensity, PUE and WUE, and datacenters' effective PUE, as 0.3.0 uses them (a datacenter's
    water is always its grid's there)."""
    out: dict[str, object] = {}
    for key, g in sorted(dump["entries"]["Grids"].items()):
        if ("grid", key) not in cat.entities:
            continue
        out[f"grid.{key}.carbon_intensity"] = {"si": g["carbon_intensity_g_kwh"] / 1000 / 3.6e6, "unit": "kgCO2e/J"}
        out[f"grid.{key}.pue"] = {"si": float(g["pue"]), "unit": ""}
        out[f"grid.{key}.wue"] = {"si": float(g["wue"]) / 1000 / 3.6e6, "unit": "m**3/J"}
    for key, d in sorted(dump["entries"]["Datacenters"].items()):
        if ("datacenter", key) not in cat.entities:
            continue
        out[f"datacenter.{key}.pue"] = {"si": float(d["__derived__"]["pue"]), "unit": ""}
        out[f"datacenter.{key}.wue"] = None
    return out


def knob_overrides(calibration: dict) -> dict:
    """The calibration constants walls 8-19 of 0.3.0 use where our catalogue holds other values (its solver
    defaults: the 1 GB/s storage fallback and the 500 GB/s file-system limit of CheckpointModel)."""
    h = 3600.0
    return {
        "knobs.reliability.gpu_mttf": {"si": calibration["Reliability.Gpu.mttf_hours"] * h, "unit": "s"},
        "knobs.reliability.nic_mttf": {"si": calibration["Reliability.Nic.mttf_hours"] * h, "unit": "s"},
        "knobs.reliability.psu_mttf": {"si": calibration["Reliability.Psu.mttf_hours"] * h, "unit": "s"},
        "knobs.storage.pfs_client_bandwidth": {"si": calibration["FALLBACK_STORAGE_BANDWIDTH_GB_S"] * 1e9,
                                               "unit": "B/s"},
        "knobs.storage.pfs_aggregate_bandwidth": {"si": 500e9, "unit": "B/s"},
        "knobs.scaling.sustained_mfu": {"si": calibration["REFERENCE_MFU_SUSTAINED"], "unit": ""},
        "knobs.scaling.tokens_per_parameter": {"si": calibration["Literature.Chinchilla.TokensPerParam"], "unit": "1/param"},
        "knobs.reasoning.tokens_per_step": {"si": calibration["TOKENS_PER_REASONING_STEP"], "unit": ""},
        "knobs.compression.quant8_delta": {"si": calibration["QUANT_ACCURACY_DELTA_FP8"], "unit": ""},
        "knobs.compression.quant4_delta": {"si": calibration["QUANT_ACCURACY_DELTA_INT4"], "unit": ""},
        "knobs.compression.quant_sub4_delta": {"si": calibration["QUANT_ACCURACY_DELTA_SUB_INT4"], "unit": ""},
        "knobs.compression.prune_mild_delta": {"si": calibration["PRUNING_MILD_DELTA"], "unit": ""},
        "knobs.compression.prune_threshold": {"si": calibration["PRUNING_ACCURACY_THRESHOLD"], "unit": ""},
        "knobs.compression.prune_steep_coefficient": {"si": calibration["PRUNING_STEEP_COEFFICIENT"], "unit": ""},
        "knobs.compression.prune_steep_exponent": {"si": calibration["PRUNING_STEEP_EXPONENT"], "unit": ""},
        "cluster.Meta_Llama3_16K_H100.mtbf": None,
    }


def main() -> int:
    from mlsysim_sym.catalog import catalog

    cat = catalog()
    hw = json.loads((DATA / "hardware_dump.json").read_text(encoding="utf-8"))
    md = json.loads((DATA / "models_dump.json").read_text(encoding="utf-8"))
    sy = json.loads((DATA / "systems_dump.json").read_text(encoding="utf-8"))
    cal = json.loads((DATA / "parity_walls.json").read_text(encoding="utf-8"))["calibration"]
    infra = json.loads((DATA / "infrastructure_dump.json").read_text(encoding="utf-8"))
    overrides = {**hardware_overrides(hw, cat), **model_overrides(md, cat), **node_overrides(sy, cat),
                 **site_overrides(infra, cat), **knob_overrides(cal)}
    attrs = {}
    for path, e in sorted(md["entries"].items()):
        key = path.rsplit(".", 1)[1]
        ent = cat.entities.get(("model", key))
        if ent is not None and e.get("__class__") == "Workload" and ent.attrs.get("workload") in ("transformer", "moe"):
            attrs[f"model.{key}"] = {"workload": "generic"}  # 0.3.0 stores it without transformer dimensions
    changed = {}
    for cid, spec in overrides.items():
        c = cat.constants.get(cid)
        if spec is None:
            if c is not None:
                changed[cid] = None
        elif c is None or abs(c.si - spec["si"]) > 1e-12 * max(1.0, abs(spec["si"])) or \
                ("direction" in spec and c.direction != spec["direction"]):
            changed[cid] = spec
    target = ROOT / "mlsysim_sym" / "editions" / "mlsysim-0.3.0.json"
    doc = json.loads(target.read_text(encoding="utf-8"))
    doc.update(mlsysim_version="0.3.0", overrides=dict(sorted(changed.items())), attrs=attrs,
               generated_by="tools/parity/build_overlay.py from the registry dumps of mlsysim 0.3.0 "
                            "(tests/data/mlsysim_0_3_0)")
    target.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(changed)} constants differ from or are absent in 0.3.0's effective values")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
