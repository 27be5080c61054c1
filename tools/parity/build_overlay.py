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


def main() -> int:
    from mlsysim_sym.catalog import catalog

    cat = catalog()
    hw = json.loads((DATA / "hardware_dump.json").read_text(encoding="utf-8"))
    md = json.loads((DATA / "models_dump.json").read_text(encoding="utf-8"))
    overrides = {**hardware_overrides(hw, cat), **model_overrides(md, cat)}
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
