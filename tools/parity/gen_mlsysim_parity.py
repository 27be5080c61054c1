"""Generate numeric parity reference data from the published ``mlsysim`` 0.3.0.

mlsysim_sym must match mlsysim 0.3.0 numerically.  This script queries the
reference package (never imported by mlsysim_sym itself) and writes its
answers as JSON data under ``tests/data/mlsysim_0_3_0/``.  Only numbers,
registry keys, argument names and solver outputs are recorded; no reference
source code is copied.

How to run (from the repository root)::

    python3 -m venv /tmp/mlsysim_ref
    /tmp/mlsysim_ref/bin/pip install "mlsysim[cli]==0.3.0"
    /tmp/mlsysim_ref/bin/python tools/parity/gen_mlsysim_parity.py
    # options: --out DIR    (default: tests/data/mlsysim_0_3_0 next to this repo)
    #          --only NAME  (repeatable: registry, dumps, engine, resolvers, signatures, distributed, walls,
    #                        ops)

Conventions of every output file:

* top level holds ``mlsysim_version`` and ``generated_by``;
* keys are sorted, indent=1, and non-finite floats are written as the strings
  ``"inf"``, ``"-inf"``, ``"nan"``;
* every pint quantity is converted to SI base units (seconds, bytes -- not
  bits --, FLOP, FLOP/s, bytes/s, joules, watts, kilograms; currency as USD;
  parameter/token counts as ``count``).  In solver results the unit is named
  by a key suffix (``latency_s``, ``memory_footprint_bytes``,
  ``peak_flops_actual_flop_per_s`` ...); in registry dumps each quantity is an
  object ``{"value_si", "si_unit", "orig_magnitude", "orig_unit"}``.
* Engine / resolver case selection is deterministic (SHA-256 of the case key),
  so reruns produce identical files.
"""
from __future__ import annotations

import argparse
import enum
import hashlib
import inspect
import itertools
import json
import math
import re
import sys
import time
import warnings
from pathlib import Path

import mlsysim
from mlsysim import Engine, Hardware, Models, Systems, Infrastructure, Scenarios
from mlsysim.core.registry import Registry
from mlsysim.core.provenance import Provenance, Sourced
from mlsysim.core.units import Q_, ureg, PRECISION_MAP
from pydantic import BaseModel

GENERATED_BY = "tools/parity/gen_mlsysim_parity.py"
REF_VERSION = "0.3.0"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "tests" / "data" / "mlsysim_0_3_0"

PintQuantity = ureg.Quantity

# --------------------------------------------------------------------------
# Generic helpers
# --------------------------------------------------------------------------


def pick(key: str, fraction: float) -> bool:
    """Deterministic pseudo-random subsampling keyed on a string."""
    h = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    return h / 2.0**64 < fraction


def fnum(x):
    """JSON-safe float (non-finite -> string)."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


_UNIT_ABBR = {"second": "s", "meter": "m", "kilogram": "kg", "kelvin": "K",
              "ampere": "A", "byte": "byte", "flop": "flop", "radian": "rad",
              "candela": "cd", "mole": "mol"}
_UNIT_ORDER = ["kg", "m", "s", "K", "A", "byte", "flop", "rad", "cd", "mol"]
_FRIENDLY = {"kg*m^2/s^2": "J", "kg*m^2/s^3": "W", "kg*m^2/s^2/byte": "J/byte",
             "kg*m^2/s^2/flop": "J/flop", "kg*m^2/s^3/byte": "W/byte",
             "s^2/m^2": "kg/J", "m*s^2/kg": "m^3/J"}
_CURRENCY = {"dollar", "USD", "EUR"}
_COUNTS = {"count", "param", "Kparam", "Mparam", "Bparam", "Tparam",
           "token", "Ktoken", "Mtoken", "Btoken"}

SUFFIX = {"s": "s", "byte": "bytes", "byte/s": "bytes_per_s", "flop": "flop",
          "flop/s": "flop_per_s", "flop/byte": "flop_per_byte", "J": "j",
          "W": "w", "1/s": "per_s", "USD": "usd", "count": "count", "1": "",
          "kg": "kg", "m": "m", "m^2": "m2", "J/byte": "j_per_byte",
          "J/flop": "j_per_flop", "K": "k", "count/s": "count_per_s"}


def si(q):
    """Return (magnitude, unit_label) of a pint quantity in SI base units (bytes, not bits)."""
    names = set(q.units._units)
    b = q.to_base_units()
    units = dict(b._units)
    mag = float(b.magnitude)
    if "bit" in units:
        e = units.pop("bit")
        units["byte"] = units.get("byte", 0) + e
        mag = mag / (8.0 ** e)
    num, den = [], []
    for name, e in units.items():
        ab = _UNIT_ABBR.get(name, name)
        (num if e > 0 else den).append((ab, abs(e)))
    order = lambda t: (_UNIT_ORDER.index(t[0]) if t[0] in _UNIT_ORDER else 99, t[0])

    def fmt(parts):
        return "*".join(a if e == 1 else f"{a}^{e:g}" for a, e in sorted(parts, key=order))

    if not num and not den:
        if names & _CURRENCY:
            label = "USD"
        elif names & _COUNTS:
            label = "count"
        else:
            label = "1"
    else:
        label = (fmt(num) or "1") + ("/" + fmt(den) if den else "")
        label = _FRIENDLY.get(label, label)
        if label == "1/s" and names & _COUNTS:
            label = "count/s"
    return mag, label


def qdump(q):
    """Registry-dump representation of a quantity."""
    out = {"orig_magnitude": fnum(q.magnitude), "orig_unit": str(q.units)}
    try:
        v, u = si(q)
        out["value_si"] = fnum(v)
        out["si_unit"] = u
    except Exception as e:  # offset units etc.
        out["si_error"] = f"{type(e).__name__}: {e}"
    return out


def prov_dump(p: Provenance):
    # Citation identifiers only (kind/ref/url/verified/id); no prose notes.
    return {"kind": p.kind.value, "ref": p.ref, "url": p.url, "verified": p.verified, "id": p.id}


# Registry path index (object id -> "Hardware.Cloud.H100")
REG_PATH: dict[int, str] = {}
REG_OBJ: dict[str, object] = {}

PRIMARY_REGISTRIES = [("Hardware", Hardware), ("Models", Models), ("Systems", Systems),
                      ("Infrastructure", Infrastructure)]


def registry_children(cls):
    """Attribute names Registry.list() would visit (plus excluded ones flagged)."""
    out = []
    for name in dir(cls):
        if name.startswith("_") or name == "list":
            continue
        out.append(name)
    return out


def index_registry(cls, path):
    for name in registry_children(cls):
        obj = getattr(cls, name)
        p = f"{path}.{name}"
        if isinstance(obj, type) and issubclass(obj, Registry):
            if id(obj) in REG_PATH:
                continue  # alias of an already indexed category
            REG_PATH[id(obj)] = p
            index_registry(obj, p)
        elif not callable(obj) or isinstance(obj, BaseModel):
            if id(obj) not in REG_PATH:
                REG_PATH[id(obj)] = p
            REG_OBJ[p] = obj


def build_index():
    for top, cls in PRIMARY_REGISTRIES:
        REG_PATH[id(cls)] = top
        index_registry(cls, top)


def public_properties(obj):
    """Names of @property attributes defined on obj's class below pydantic BaseModel."""
    names = []
    for klass in type(obj).__mro__:
        if klass in (BaseModel, object) or klass.__module__.startswith("pydantic"):
            continue
        for n, v in vars(klass).items():
            if isinstance(v, property) and not n.startswith("_") and n not in names:
                names.append(n)
    return sorted(names)


def dump_obj(obj, top=True, depth=0):
    """Generic, JSON-safe dump of registry objects (fields + derived properties)."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, Sourced):
        return {"sourced_value": fnum(obj), "name": obj.name, "provenance": prov_dump(obj.provenance)}
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return fnum(obj)
    if isinstance(obj, PintQuantity):
        d = qdump(obj)
        prov = getattr(obj, "provenance", None)
        if isinstance(prov, Provenance):
            d["provenance"] = prov_dump(prov)
            d["name"] = getattr(obj, "name", "")
        return d
    if isinstance(obj, Provenance):
        return prov_dump(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): dump_obj(v, False, depth + 1) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [dump_obj(v, False, depth + 1) for v in obj]
    if isinstance(obj, BaseModel):
        out = {"__class__": type(obj).__name__}
        if not top and id(obj) in REG_PATH:
            out["__ref__"] = REG_PATH[id(obj)]
        for name in type(obj).model_fields:
            v = getattr(obj, name)
            if name == "metadata" and v is not None:
                out[name] = {"provenance": prov_dump(v.provenance) if v.provenance else None,
                             "last_verified": v.last_verified, "version": v.version}
                continue
            out[name] = dump_obj(v, False, depth + 1)
        derived = {}
        for pn in public_properties(obj):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    pv = getattr(obj, pn)
                if isinstance(pv, BaseModel) or callable(pv):
                    continue
                derived[pn] = dump_obj(pv, False, depth + 1)
            except Exception as e:
                derived[pn] = {"error": {"type": type(e).__name__, "message": str(e)}}
        if derived:
            out["__derived__"] = derived
        return out
    if isinstance(obj, type):
        return {"__type__": obj.__name__}
    return {"__repr__": repr(obj)[:200], "__pytype__": type(obj).__name__}


def write_json(out_dir: Path, name: str, payload: dict):
    payload = dict(payload)
    payload["mlsysim_version"] = REF_VERSION
    payload["generated_by"] = GENERATED_BY
    path = out_dir / name
    text = json.dumps(payload, sort_keys=True, indent=1, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    print(f"  wrote {path} ({len(text) / 1e6:.2f} MB)", flush=True)


# --------------------------------------------------------------------------
# Result serialisation (unit named in the key)
# --------------------------------------------------------------------------

NULL_HINTS = {  # unit of optional quantity fields when they are None
    "offload_spill_bytes": "byte", "offload_effective_bw": "byte/s",
    "prefill_chunk_time": "s", "decode_stall_bound": "s", "all_to_all_latency": "s",
    "sla_latency": "s", "p_sla_latency": "s",  # Scenario.evaluate performance metrics (ops section)
}


def keyed(name, unit):
    suf = SUFFIX.get(unit)
    if suf is None:
        return None
    if suf == "" or name.endswith("_" + suf) or name == suf:
        return name
    return f"{name}_{suf}"


def ser_value(v):
    if isinstance(v, PintQuantity):
        val, unit = si(v)
        return {"value_si": fnum(val), "si_unit": unit}
    if isinstance(v, BaseModel):
        return ser_result(v)
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            put(out, str(k), x)
        return out
    if isinstance(v, (list, tuple, set)):
        return [ser_value(x) for x in v]
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return fnum(v)
    if hasattr(v, "item"):  # numpy scalar
        return ser_value(v.item())
    return repr(v)


def put(out, name, v):
    if isinstance(v, PintQuantity):
        val, unit = si(v)
        k = keyed(name, unit)
        if k is None:
            out[name] = {"value_si": fnum(val), "si_unit": unit}
        else:
            out[k] = fnum(val)
    elif v is None and name in NULL_HINTS:
        out[keyed(name, NULL_HINTS[name])] = None
    else:
        out[name] = ser_value(v)


def ser_result(res):
    out = {"__class__": type(res).__name__}
    for name in type(res).model_fields:
        put(out, name, getattr(res, name))
    return out


def ser_kwargs(kwargs):
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, BaseModel) and id(v) in REG_PATH:
            out[k] = REG_PATH[id(v)]
        elif isinstance(v, BaseModel) and id(v) in CUSTOM_OBJ:
            out[k] = CUSTOM_OBJ[id(v)]
        elif isinstance(v, PintQuantity):
            val, unit = si(v)
            out[k] = {"quantity": f"{v.magnitude:g} {v.units:~}", "value_si": fnum(val), "si_unit": unit}
        else:
            out[k] = ser_value(v)
    return out


def run_case(fn, kwargs):
    """Call fn(**kwargs); return dict with result or error, and warnings."""
    rec = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = fn(**kwargs)
            rec["result"] = ser_result(res) if isinstance(res, BaseModel) else ser_value(res)
        except Exception as e:
            rec["error"] = {"type": type(e).__name__, "message": str(e)}
    rec["warnings"] = [{"category": w.category.__name__, "message": str(w.message)} for w in caught]
    return rec


CUSTOM_OBJ: dict[int, dict] = {}

# --------------------------------------------------------------------------
# a. registry keys
# --------------------------------------------------------------------------


def gen_registry_keys():
    cats = {}
    aliases = {}
    leaves = {}
    seen = {}

    def walk(cls, path):
        seen[id(cls)] = path
        keys, types, subcats, excluded = [], {}, [], []
        excl = getattr(cls, "__registry_list_exclude__", frozenset())
        for name in registry_children(cls):
            obj = getattr(cls, name)
            p = f"{path}.{name}"
            if isinstance(obj, type) and issubclass(obj, Registry):
                if id(obj) in seen:
                    aliases[p] = seen[id(obj)]
                    continue
                subcats.append(name)
                if name in excl:
                    excluded.append(name)
                walk(obj, p)
            elif callable(obj) and not isinstance(obj, (BaseModel, PintQuantity)):
                continue
            else:
                keys.append(name)
                types[name] = type(obj).__name__
        try:
            n_list = len(cls.list())
        except Exception as e:
            n_list = f"error: {type(e).__name__}"
        cats[path] = {"keys": keys, "count": len(keys), "entry_types": types,
                      "subcategories": subcats, "excluded_from_list": excluded,
                      "registry_list_len": n_list}

    for top, cls in PRIMARY_REGISTRIES + [("Scenarios", Scenarios)]:
        walk(cls, top)
    others = {}
    for name in sorted(dir(mlsysim)):
        obj = getattr(mlsysim, name, None)
        if isinstance(obj, type) and issubclass(obj, Registry) and obj is not Registry \
                and name not in ("Hardware", "Models", "Systems", "Infrastructure", "Scenarios"):
            if id(obj) in seen:
                aliases[f"mlsysim.{name}"] = seen[id(obj)]
                continue
            others[name] = True
            walk(obj, name)
    expected = {"Hardware.Cloud": 31, "Hardware.Workstation": 3, "Hardware.Edge": 8,
                "Hardware.Mobile": 4, "Hardware.Tiny": 6, "Models.Language": 16,
                "Models.Vision": 15, "Models.Tiny": 3, "Models.StateSpace": 2,
                "Models.Embodied": 4, "Infrastructure.Grids": 12,
                "Infrastructure.Datacenters": 7, "Systems.Fabrics": 14,
                "Systems.Nodes": 8, "Systems.Clusters": 18}
    check = {k: {"expected": v, "actual": cats.get(k, {}).get("count")} for k, v in expected.items()}
    return {
        "listing_mechanism": (
            "dir(category) filtered exactly like mlsysim.core.registry.Registry.list(): names not "
            "starting with '_', not 'list', callables skipped; attributes that are Registry "
            "subclasses are sub-categories (recursed). registry_list_len = len(category.list()) "
            "(which flattens sub-categories and skips __registry_list_exclude__). A category "
            "object reachable under two names is recorded once, the other name in 'aliases'."),
        "categories": cats,
        "aliases": aliases,
        "other_top_level_registries": sorted(others),
        "expected_count_check": check,
    }


# --------------------------------------------------------------------------
# b. dumps
# --------------------------------------------------------------------------

HW_CATS = ["Cloud", "Workstation", "Edge", "Mobile", "Tiny"]
MODEL_CATS = ["Language", "Vision", "Tiny", "Recommendation", "StateSpace", "GenerativeVision", "Embodied"]
PRECISIONS = sorted(PRECISION_MAP)


def all_hardware():
    return [(f"Hardware.{c}.{k}", getattr(getattr(Hardware, c), k))
            for c in HW_CATS for k in registry_children(getattr(Hardware, c))]


def all_models():
    return [(f"Models.{c}.{k}", getattr(getattr(Models, c), k))
            for c in MODEL_CATS for k in registry_children(getattr(Models, c))]


def gen_hardware_dump():
    entries = {}
    for path, hw in all_hardware():
        d = dump_obj(hw)
        rp = {}
        for prec in [None] + PRECISIONS:
            rec = run_case(lambda p=prec: hw.ridge_point(p), {})
            rp[str(prec) if prec else "default"] = rec
        d["__ridge_point_flop_per_byte__"] = rp
        entries[path] = d
    return {"entries": entries, "alias_note": "Hardware.Embodied is the same registry class as Hardware.Edge",
            "tech": dump_tree(Hardware.Tech, "Hardware.Tech")}


def dump_tree(cls, path):
    out = {}
    for name in registry_children(cls):
        obj = getattr(cls, name)
        if isinstance(obj, type) and issubclass(obj, Registry):
            out[name] = dump_tree(obj, f"{path}.{name}")
        elif callable(obj) and not isinstance(obj, (BaseModel, PintQuantity)):
            continue
        else:
            out[name] = dump_obj(obj)
    return out


def gen_models_dump():
    entries = {}
    for path, m in all_models():
        d = dump_obj(m)
        extra = {}
        for prec in PRECISIONS:
            g = run_case(lambda p=prec: m.lower(p), {})
            s = run_case(lambda p=prec: m.size_in_bytes(p), {})
            extra[prec] = {"lower": g, "size_in_bytes": s}
        d["__by_precision__"] = extra
        if hasattr(m, "get_kv_cache_size"):
            d["__kv_cache_fp16_seq1_batch1__"] = run_case(lambda: m.get_kv_cache_size(1, 1, "fp16"), {})
            d["__training_memory_b1_s2048_fp16__"] = run_case(lambda: m.training_memory(1, 2048), {})
        if hasattr(m, "get_state_cache_size"):
            d["__state_cache_fp16_batch1__"] = run_case(lambda: m.get_state_cache_size(1, "fp16"), {})
        entries[path] = d
    return {"entries": entries}


def gen_infrastructure_dump():
    return {"entries": dump_tree(Infrastructure, "Infrastructure")}


def gen_systems_dump():
    return {"entries": dump_tree(Systems, "Systems")}


# --------------------------------------------------------------------------
# c. Engine.solve parity
# --------------------------------------------------------------------------

ENGINE_DEFAULTS = dict(batch_size=1, precision="fp16", efficiency=0.5, raise_errors=False,
                       is_training=False, seq_len=2048, zero_stage=0, dp_size=1, is_lora=False,
                       activation_recomputation=False)


def gen_engine():
    models = all_models()
    hws = all_hardware()
    mobj = dict(models)
    hobj = dict(hws)
    cases = []
    seen = set()

    def add(mp, hp, tag, **kw):
        inputs = dict(ENGINE_DEFAULTS)
        inputs.update(kw)
        key = json.dumps([mp, hp, inputs], sort_keys=True)
        if key in seen:
            return
        seen.add(key)
        rec = run_case(Engine.solve, dict(model=mobj[mp], hardware=hobj[hp], **inputs))
        inputs = {"model": mp, "hardware": hp, **inputs}
        cases.append({"inputs": inputs, "tag": tag, **rec})

    mpaths = [p for p, _ in models]
    hpaths = [p for p, _ in hws]
    # 1. every model x every hardware, inference, batch 1, fp16
    for mp in mpaths:
        for hp in hpaths:
            add(mp, hp, "inference_grid_b1_fp16", batch_size=1, precision="fp16")
    # 2. deterministic subsample of the rest of the inference grid
    for mp, hp, b, p in itertools.product(mpaths, hpaths, [1, 8, 32, 256], ["fp16", "fp32", "int8", "fp8", "bf16"]):
        if (b, p) != (1, "fp16") and pick(f"inf|{mp}|{hp}|{b}|{p}", 0.045):
            add(mp, hp, "inference_grid_sample", batch_size=b, precision=p)
    # 3. training coverage: every model and every hardware at least once
    n = max(len(mpaths), len(hpaths))
    for i in range(n):
        add(mpaths[i % len(mpaths)], hpaths[(i * 7) % len(hpaths)], "training_coverage",
            is_training=True, batch_size=1, precision="fp16")
    for i, mp in enumerate(mpaths):  # each model also on a large accelerator
        add(mp, "Hardware.Cloud.H100", "training_coverage", is_training=True, batch_size=8, precision="bf16")
    for mp, hp, b, p in itertools.product(mpaths, hpaths, [1, 8, 32], ["fp16", "bf16", "fp32"]):
        if pick(f"train|{mp}|{hp}|{b}|{p}", 0.05):
            add(mp, hp, "training_grid_sample", is_training=True, batch_size=b, precision=p)
    # 4. efficiency 0.3 / 0.9
    for i, (mp, eff) in enumerate(itertools.product(mpaths, [0.3, 0.9])):
        hp = hpaths[(i * 5) % len(hpaths)]
        add(mp, hp, "efficiency", efficiency=eff, batch_size=[1, 32][i % 2], precision=["fp16", "int8"][(i // 2) % 2])
        if i % 3 == 0:
            add(mp, hp, "efficiency", efficiency=eff, is_training=True, batch_size=8, precision="fp16")
    big = ["Hardware.Cloud.H100", "Hardware.Cloud.A100", "Hardware.Cloud.B200", "Hardware.Cloud.MI300X",
           "Hardware.Cloud.TPUv5p", "Hardware.Workstation.MacBookM3Max", "Hardware.Edge.JetsonAGXOrin"]
    train_models = ["Models.Language.Llama3_8B", "Models.Language.Llama2_7B", "Models.Language.GPT2",
                    "Models.Language.BERT_Base", "Models.Language.Mixtral_8x7B", "Models.Language.Llama3_70B",
                    "Models.Vision.ResNet50", "Models.Vision.ViT_Large", "Models.StateSpace.Mamba_2_8B",
                    "Models.Embodied.OpenVLA_7B", "Models.Recommendation.DLRM",
                    "Models.GenerativeVision.StableDiffusion_v1_5"]
    # 5. activation recomputation / ZeRO / LoRA / seq_len
    for mp, hp in itertools.product(train_models, big):
        base = dict(is_training=True, batch_size=8, precision="bf16")
        if pick(f"ar|{mp}|{hp}", 0.5):
            add(mp, hp, "activation_recomputation", activation_recomputation=True, **base)
        for z in (1, 2, 3):
            if pick(f"zero|{mp}|{hp}|{z}", 0.4):
                add(mp, hp, "zero_stage", zero_stage=z, dp_size=8, **base)
        if pick(f"lora|{mp}|{hp}", 0.5):
            add(mp, hp, "lora", is_lora=True, **base)
        for s in (512, 8192):
            if pick(f"seq|{mp}|{hp}|{s}", 0.4):
                add(mp, hp, "seq_len", seq_len=s, **base)
        if pick(f"combo|{mp}|{hp}", 0.3):
            add(mp, hp, "combo", activation_recomputation=True, zero_stage=3, dp_size=8, is_lora=True,
                seq_len=8192, **base)
    for mp in train_models:  # guaranteed coverage of each option per model
        base = dict(is_training=True, batch_size=1, precision="fp16")
        hp = "Hardware.Cloud.H100"
        add(mp, hp, "activation_recomputation", activation_recomputation=True, **base)
        add(mp, hp, "zero_stage", zero_stage=1, dp_size=8, **base)
        add(mp, hp, "zero_stage", zero_stage=2, dp_size=8, **base)
        add(mp, hp, "zero_stage", zero_stage=3, dp_size=8, **base)
        add(mp, hp, "lora", is_lora=True, **base)
        add(mp, hp, "seq_len", seq_len=512, **base)
        add(mp, hp, "seq_len", seq_len=8192, **base)
    # 6. raise_errors and invalid inputs
    for mp, hp in [("Models.Language.Llama3_70B", "Hardware.Cloud.H100"),
                   ("Models.Language.GPT3", "Hardware.Cloud.A100"),
                   ("Models.Vision.ResNet50", "Hardware.Tiny.STM32F4"),
                   ("Models.Vision.ResNet50", "Hardware.Cloud.A100")]:
        add(mp, hp, "raise_errors", raise_errors=True)
        add(mp, hp, "raise_errors", raise_errors=True, is_training=True)
    for kw in [dict(efficiency=0.0), dict(efficiency=1.5), dict(efficiency=1.0), dict(batch_size=0),
               dict(precision="int4"), dict(precision="tf32"), dict(precision="FP16"), dict(precision="bogus"),
               dict(precision="int4", is_training=True), dict(batch_size=1024)]:
        add("Models.Vision.ResNet50", "Hardware.Cloud.A100", "edge_inputs", **kw)
        add("Models.Language.Llama3_8B", "Hardware.Cloud.H100", "edge_inputs", **kw)
    for i, c in enumerate(cases):
        c["id"] = i
    return {"defaults": ENGINE_DEFAULTS, "n_cases": len(cases), "cases": cases,
            "selection": "see gen_engine() in generated_by; deterministic SHA-256 subsampling"}


# --------------------------------------------------------------------------
# d. node resolvers
# --------------------------------------------------------------------------


def R(path):
    return REG_OBJ[path]


def gen_resolvers():
    from mlsysim import solvers as S
    from mlsysim.models.types import TransformerWorkload
    from mlsysim.engine import calibration as cal

    cases = []

    def add(resolver, tag="", **kwargs):
        inst = getattr(S, resolver)()
        rec = run_case(inst.solve, kwargs)
        cases.append({"resolver": resolver, "kwargs": ser_kwargs(kwargs), "tag": tag, **rec})

    lang = [f"Models.Language.{k}" for k in registry_children(Models.Language)]
    cloud = [f"Hardware.Cloud.{k}" for k in registry_children(Hardware.Cloud)]
    H100, A100, B200 = R("Hardware.Cloud.H100"), R("Hardware.Cloud.A100"), R("Hardware.Cloud.B200")
    L8, L70, L27 = R("Models.Language.Llama3_8B"), R("Models.Language.Llama3_70B"), R("Models.Language.Llama2_7B")

    # custom 180B transformer for weight streaming
    ctor = dict(name="Custom-180B", architecture="Transformer", parameters="180e9 param",
                layers=80, hidden_dim=14848, heads=232, kv_heads=8)
    W180 = TransformerWorkload(**ctor)
    CUSTOM_OBJ[id(W180)] = {"custom_workload_class": "TransformerWorkload", "constructor_args": ctor}

    # ---- reference vectors
    add("SingleNodeModel", "reference", model=R("Models.Vision.ResNet50"), hardware=A100,
        batch_size=1, precision="fp16", efficiency=0.5)
    add("ServingModel", "reference", model=L8, hardware=H100, seq_len=2048, batch_size=1)
    add("ServingModel", "reference", model=L27, hardware=H100, seq_len=2048, batch_size=1)
    add("ServingModel", "reference", model=L70, hardware=B200, seq_len=2048, batch_size=1)
    add("ServingModel", "reference", model=L70, hardware=B200, seq_len=2048, batch_size=1,
        draft_model=L8, draft_acceptance_rate=0.75)
    for page in (16, 2048):
        for mb in (1, 256):
            add("ContinuousBatchingModel", "reference", model=L8, hardware=H100, max_seq_len=8192,
                mean_request_tokens=2048, page_size=page, max_batch_size=mb)
    add("TrainingMemoryModel", "reference", model=L8, hardware=H100, batch_size=8, seq_len=1024,
        activation_checkpointing="selective")
    add("WeightStreamingModel", "reference", model=W180, hardware=R("Hardware.Cloud.Cerebras_CS3"),
        seq_len=2048, efficiency=0.4, batch_size=1)

    # ---- ServingModel grid
    for mp, hp, s, b, p in itertools.product(lang, cloud, [512, 2048, 8192], [1, 8, 32], ["fp16", "int8"]):
        if (s, b, p) == (2048, 1, "fp16") or pick(f"srv|{mp}|{hp}|{s}|{b}|{p}", 0.10):
            add("ServingModel", "grid", model=R(mp), hardware=R(hp), seq_len=s, batch_size=b, precision=p)
    # speculative decoding
    for tgt, hw in [(L70, B200), (L70, H100), (R("Models.Language.Llama3_405B"), B200), (L8, H100)]:
        for alpha in (0.0, 0.5, 0.7, 0.75, 0.9, 1.0):
            add("ServingModel", "speculative", model=tgt, hardware=hw, seq_len=2048, batch_size=1,
                draft_model=R("Models.Language.GPT2_Small") if tgt is L8 else L8, draft_acceptance_rate=alpha)
        add("ServingModel", "speculative", model=tgt, hardware=hw, seq_len=8192, batch_size=8,
            precision="int8", draft_model=L8, draft_acceptance_rate=0.75)
    # prompt cache
    for cp in (0, 512, 1024, 1536, 2047):
        add("ServingModel", "prompt_cache", model=L8, hardware=H100, seq_len=2048, batch_size=4, cached_prefix_len=cp)
        add("ServingModel", "prompt_cache", model=L70, hardware=B200, seq_len=2048, batch_size=1, cached_prefix_len=cp)
    # chunked prefill
    for ch in (1, 256, 512, 1000, 2048, 4096):
        add("ServingModel", "chunked_prefill", model=L8, hardware=H100, seq_len=2048, batch_size=2, prefill_chunk_tokens=ch)
        add("ServingModel", "chunked_prefill", model=L70, hardware=B200, seq_len=8192, batch_size=1,
            prefill_chunk_tokens=ch, cached_prefix_len=1000)
    # disaggregated
    for dh, bw in [(H100, "100 GB/s"), (A100, "25 GB/s"), (B200, "400 Gbps"), (H100, "50 GB/s")]:
        add("ServingModel", "disaggregated", model=L70, hardware=B200, seq_len=4096, batch_size=4,
            decode_hardware=dh, network_bandwidth=Q_(bw))
        add("ServingModel", "disaggregated", model=L8, hardware=H100, seq_len=2048, batch_size=1,
            decode_hardware=dh, network_bandwidth=Q_(bw), draft_model=R("Models.Language.GPT2_Small"))
    # invalid
    for kw in [dict(seq_len=0), dict(seq_len=2048, batch_size=0), dict(seq_len=2048, efficiency=0.0),
               dict(seq_len=2048, cached_prefix_len=2048), dict(seq_len=2048, draft_acceptance_rate=1.2),
               dict(seq_len=2048, prefill_chunk_tokens=0), dict(seq_len=2048, precision="bogus"),
               dict(seq_len=2048, network_bandwidth=Q_("0 GB/s"))]:
        add("ServingModel", "invalid", model=L8, hardware=H100, **kw)
    add("ServingModel", "non_transformer", model=R("Models.Vision.ResNet50"), hardware=H100, seq_len=2048)

    # ---- ContinuousBatchingModel
    cb_models = ["Models.Language.Llama3_8B", "Models.Language.Llama3_70B", "Models.Language.Llama2_7B",
                 "Models.Language.Mixtral_8x7B", "Models.Language.DeepSeek_V3", "Models.Language.GPT2",
                 "Models.Language.OPT_13B"]
    cb_hw = ["Hardware.Cloud.H100", "Hardware.Cloud.A100", "Hardware.Cloud.B200", "Hardware.Cloud.MI300X",
             "Hardware.Cloud.H200"]
    for mp, hp, smax, mean, page, mb, p in itertools.product(
            cb_models, cb_hw, [2048, 8192], [None, 512, 2048], [1, 16, 128], [1, 32, 256], ["fp16", "int8"]):
        if mean is not None and mean > smax:
            continue
        if pick(f"cb|{mp}|{hp}|{smax}|{mean}|{page}|{mb}|{p}", 0.06):
            add("ContinuousBatchingModel", "grid", model=R(mp), hardware=R(hp), max_seq_len=smax,
                mean_request_tokens=mean, page_size=page, max_batch_size=mb, precision=p)
    for kw in [dict(max_seq_len=2048, mean_request_tokens=4096), dict(max_seq_len=2048, mean_request_tokens=0),
               dict(max_seq_len=0), dict(max_seq_len=2048, page_size=0), dict(max_seq_len=2048, efficiency=2.0),
               dict(max_seq_len=2048, mean_request_tokens=100.5, max_batch_size=64, page_size=7)]:
        add("ContinuousBatchingModel", "edge", model=L8, hardware=H100, **kw)

    # ---- WeightStreamingModel
    CS3 = R("Hardware.Cloud.Cerebras_CS3")
    for wm, s, b, ph, p, eff in itertools.product(
            [W180, L8, L70, R("Models.Language.Llama3_405B"), R("Models.Language.GPT3")],
            [512, 2048, 8192], [1, 8, 64], ["decode", "prefill"], ["fp16", "int8"], [0.4, 0.5]):
        tag = "grid"
        if pick(f"ws|{wm.name}|{s}|{b}|{ph}|{p}|{eff}", 0.15):
            add("WeightStreamingModel", tag, model=wm, hardware=CS3, seq_len=s, batch_size=b, phase=ph,
                precision=p, efficiency=eff)
    for hw in (H100, R("Hardware.Cloud.Groq_LPU"), R("Hardware.Edge.JetsonOrinNano")):
        add("WeightStreamingModel", "other_hw", model=W180, hardware=hw, seq_len=2048, efficiency=0.4)
        add("WeightStreamingModel", "other_hw", model=L8, hardware=hw, seq_len=2048, batch_size=4, phase="prefill")

    # ---- TailLatencyModel
    for lam, svc, c, cv in itertools.product([0.5, 5, 9.9, 10, 50, 200], [10, 100, 250],
                                             [1, 2, 4, 16], [0.0, 0.5, 1.0, 2.0]):
        if pick(f"tl|{lam}|{svc}|{c}|{cv}", 0.35):
            add("TailLatencyModel", "grid", arrival_rate_qps=lam, service_latency_ms=svc, num_replicas=c,
                service_time_cv=cv)
    for kw in [dict(arrival_rate_qps=10, service_latency_ms=100, num_replicas=1),  # rho = 1
               dict(arrival_rate_qps=0.0, service_latency_ms=100), dict(arrival_rate_qps=5, service_latency_ms=0),
               dict(arrival_rate_qps=5, service_latency_ms=100, service_time_cv=-1.0),
               dict(arrival_rate_qps=5, service_latency_ms=100, num_replicas=0)]:
        add("TailLatencyModel", "edge", **kw)

    # ---- TrainingMemoryModel
    tm_models = ["Models.Language.Llama3_8B", "Models.Language.Llama3_70B", "Models.Language.Llama2_7B",
                 "Models.Language.GPT3", "Models.Language.Mixtral_8x7B", "Models.Language.DeepSeek_V3",
                 "Models.Language.BERT_Base", "Models.Language.Llama3_405B"]
    tm_hw = ["Hardware.Cloud.H100", "Hardware.Cloud.A100", "Hardware.Cloud.B200", "Hardware.Cloud.MI300X"]
    grid = itertools.product(tm_models, tm_hw, [1, 8], [1024, 4096], ["none", "selective", "full"],
                             [1, 8], [1, 4], [1, 64], [0, 1, 2, 3], [True, False], ["adam", "sgd"],
                             [1.0, 0.01])
    for mp, hp, B, Sq, ck, tp, pp, dp, z, sp, opt, tf in grid:
        if pick(f"tm|{mp}|{hp}|{B}|{Sq}|{ck}|{tp}|{pp}|{dp}|{z}|{sp}|{opt}|{tf}", 0.002):
            add("TrainingMemoryModel", "grid", model=R(mp), hardware=R(hp), batch_size=B, seq_len=Sq,
                activation_checkpointing=ck, tp_size=tp, pp_size=pp, dp_size=dp, zero_stage=z,
                sequence_parallel=sp, optimizer=opt, trainable_fraction=tf)
    for ck in ("none", "selective", "full"):
        for tp, sp in [(1, True), (8, True), (8, False)]:
            add("TrainingMemoryModel", "axes", model=L8, hardware=H100, batch_size=8, seq_len=1024,
                activation_checkpointing=ck, tp_size=tp, sequence_parallel=sp)
    for z in (0, 1, 2, 3):
        add("TrainingMemoryModel", "axes", model=L70, hardware=H100, batch_size=1, seq_len=4096, zero_stage=z,
            dp_size=64, tp_size=8, pp_size=2)
    for opt in ("adam", "adamw", "sgd", "none", "lion"):
        add("TrainingMemoryModel", "axes", model=L8, hardware=H100, batch_size=4, seq_len=2048, optimizer=opt)
    for p in ("fp16", "bf16", "fp32", "fp8", "int8"):
        add("TrainingMemoryModel", "axes", model=L8, hardware=H100, batch_size=4, seq_len=2048, precision=p)
    for tf in (0.0, 0.001, 0.01, 0.5, 1.0):  # LoRA-style trainable fraction
        add("TrainingMemoryModel", "lora", model=L8, hardware=H100, batch_size=4, seq_len=2048,
            trainable_fraction=tf)
    for kw in [dict(ep_size=8), dict(gradient_accumulation_steps=4), dict(communication_buffer_fraction=0.0),
               dict(communication_buffer_fraction=0.2)]:
        add("TrainingMemoryModel", "axes", model=R("Models.Language.Mixtral_8x7B"), hardware=H100,
            batch_size=4, seq_len=2048, **kw)
    for kw in [dict(activation_checkpointing="bogus"), dict(zero_stage=4), dict(trainable_fraction=1.5),
               dict(tp_size=0), dict(batch_size=0)]:
        base = dict(model=L8, hardware=H100, batch_size=4, seq_len=2048)
        base.update(kw)
        add("TrainingMemoryModel", "invalid", **base)

    # ---- MoERoutingModel
    moe = [p for p in lang if type(R(p)).__name__ == "SparseTransformerWorkload"]
    for mp, B, Sq, ep, imb, fl in itertools.product(moe, [1, 8], [512, 2048], [1, 8, 64],
                                                   [1.0, 1.25, 2.0, 100.0],
                                                   [None, "Systems.Clusters.Research_256",
                                                    "Systems.Clusters.Training_1K"]):
        if pick(f"moe|{mp}|{B}|{Sq}|{ep}|{imb}|{fl}", 0.3):
            add("MoERoutingModel", "grid", model=R(mp), batch_size=B, seq_len=Sq, ep_size=ep,
                routing_imbalance_factor=imb, fleet=R(fl) if fl else None, precision="fp16")
    add("MoERoutingModel", "grid", model=R(moe[0]), batch_size=4, seq_len=1024, ep_size=8, precision="fp8",
        fleet=R("Systems.Clusters.Research_256"))
    add("MoERoutingModel", "invalid", model=R(moe[0]), batch_size=4, seq_len=1024, routing_imbalance_factor=0.5)
    add("MoERoutingModel", "invalid", model=L8, batch_size=4, seq_len=1024)

    # ---- ServingCapacityModel
    for mp, hp, qps, tgt, mean in itertools.product(
            ["Models.Language.Llama3_8B", "Models.Language.Llama3_70B", "Models.Language.Mixtral_8x7B"],
            ["Hardware.Cloud.H100", "Hardware.Cloud.B200"], [1, 10, 100, 1000], [500, 3000, 20000],
            [None, 512]):
        if pick(f"sc|{mp}|{hp}|{qps}|{tgt}|{mean}", 0.35):
            add("ServingCapacityModel", "grid", model=R(mp), hardware=R(hp), qps=qps,
                target_p99_latency_ms=tgt, mean_request_tokens=mean, max_replicas=256)
    add("ServingCapacityModel", "default_args", model=L8, hardware=H100, qps=20, target_p99_latency_ms=5000)
    add("ServingCapacityModel", "cv", model=L8, hardware=H100, qps=50, target_p99_latency_ms=5000,
        service_time_cv=2.0, output_tokens=256, max_batch_size=64, max_replicas=64)
    add("ServingCapacityModel", "cv", model=L8, hardware=H100, qps=50, target_p99_latency_ms=5000,
        service_time_cv=0.0, precision="int8", max_replicas=64)

    # ---- NetworkRooflineModel
    clusters = [f"Systems.Clusters.{k}" for k in registry_children(Systems.Clusters)]
    nr_models = ["Models.Language.Llama3_8B", "Models.Language.Llama3_70B", "Models.Language.GPT3",
                 "Models.Vision.ResNet50", "Models.Language.BERT_Base", "Models.Recommendation.DLRM"]
    for mp, cp, p in itertools.product(nr_models, clusters, ["fp16", "fp8", "fp32"]):
        if p == "fp16" or pick(f"nr|{mp}|{cp}|{p}", 0.2):
            add("NetworkRooflineModel", "grid", model=R(mp), fleet=R(cp), precision=p)
    add("NetworkRooflineModel", "efficiency", model=L70, fleet=R("Systems.Clusters.Training_1K"), efficiency=0.3)
    add("NetworkRooflineModel", "invalid", model=L70, fleet=R("Systems.Clusters.Training_1K"), efficiency=0.0)

    # ---- EfficiencyModel
    ef_models = ["Models.Language.Llama3_8B", "Models.Vision.ResNet50", "Models.Language.GPT3"]
    ef_hw = ["Hardware.Cloud.H100", "Hardware.Cloud.A100", "Hardware.Cloud.TPUv5p", "Hardware.Edge.JetsonAGXOrin"]
    for mp, hp, wt, fa, eff, p in itertools.product(ef_models, ef_hw, ["attention", "ffn", "conv", "other"],
                                                    [False, True], [0.3, 0.5, 0.9, 1.0], ["fp16", "int8"]):
        if pick(f"ef|{mp}|{hp}|{wt}|{fa}|{eff}|{p}", 0.18):
            add("EfficiencyModel", "grid", model=R(mp), hardware=R(hp), workload_type=wt,
                use_flash_attention=fa, efficiency=eff, precision=p)
    for wt in ("attention", "ffn", "conv", "other"):
        for fa in (False, True):
            add("EfficiencyModel", "axes", model=L8, hardware=H100, workload_type=wt, use_flash_attention=fa)

    # ---- SingleNodeModel
    for mp, hp in [("Models.Language.Llama3_8B", "Hardware.Cloud.H100"),
                   ("Models.Language.Llama3_70B", "Hardware.Cloud.H100"),
                   ("Models.Vision.MobileNetV2", "Hardware.Mobile.iPhone15Pro"),
                   ("Models.Tiny.DS_CNN", "Hardware.Tiny.ESP32_S3"),
                   ("Models.Vision.ResNet50", "Hardware.Cloud.H100")]:
        for kw in [{}, dict(batch_size=32, precision="int8"), dict(is_training=True, batch_size=8),
                   dict(is_training=True, batch_size=8, activation_recomputation=True, zero_stage=2, dp_size=8),
                   dict(raise_errors=True)]:
            add("SingleNodeModel", "grid", model=R(mp), hardware=R(hp), **kw)

    for i, c in enumerate(cases):
        c["id"] = i
    counts = {}
    for c in cases:
        counts[c["resolver"]] = counts.get(c["resolver"], 0) + 1
    return {"n_cases": len(cases), "counts_by_resolver": counts, "cases": cases,
            "calibration": {"SPECULATIVE_GAMMA": cal.SPECULATIVE_GAMMA,
                            "FRAMEWORK_LAYER_TAX_MS": cal.FRAMEWORK_LAYER_TAX_MS},
            "notes": "kwargs name registry entries by path; custom workloads give their constructor args; "
                     "speculative decoding lookahead gamma is the fixed calibration constant SPECULATIVE_GAMMA "
                     "(not a solve() argument in 0.3.0)."}


# --------------------------------------------------------------------------
# d2. DistributedModel (wall 14)
# --------------------------------------------------------------------------


def gen_distributed():
    """DistributedModel over clusters × tp/pp/ep × topology × overlap × ZeRO (and the other arguments): a
    deterministic subsample of the grid, plus fixed axes and invalid splits."""
    from mlsysim import solvers as S

    cases = []

    def add(tag="", **kwargs):
        rec = run_case(S.DistributedModel().solve, kwargs)
        cases.append({"resolver": "DistributedModel", "kwargs": ser_kwargs(kwargs), "tag": tag, **rec})

    clusters = [f"Systems.Clusters.{k}" for k in registry_children(Systems.Clusters)]
    models = ["Models.Language.Llama3_8B", "Models.Language.Llama3_70B", "Models.Language.Llama3_405B",
              "Models.Language.GPT3", "Models.Language.Mixtral_8x7B", "Models.Language.DeepSeek_V3",
              "Models.Language.BERT_Base", "Models.Vision.ResNet50", "Models.StateSpace.Mamba_2_8B"]
    grid = itertools.product(models, clusters, [1, 2, 8, 16], [1, 4, 8], [1, 8], [None, "ring", "tree"],
                             [False, True], [0, 1, 2, 3], [64, 1024], ["fp16", "bf16"])
    for mp, cp, tp, pp, ep, topo, ov, z, B, p in grid:
        key = f"dm|{mp}|{cp}|{tp}|{pp}|{ep}|{topo}|{ov}|{z}|{B}|{p}"
        if not pick(key, 0.0012):
            continue
        extra = {}
        if pick(key + "|mb", 0.5):
            extra["microbatch_count"] = 16
        if pick(key + "|v", 0.3):
            extra["v_stages"] = 2
        if pick(key + "|rc", 0.3):
            extra["activation_recomputation"] = True
        if pick(key + "|ga", 0.2):
            extra["gradient_accumulation_steps"] = 4
        if pick(key + "|cong", 0.2):
            extra["congestion_factor"] = 1.5
        if pick(key + "|strag", 0.2):
            extra["straggler_factor"] = 1.1
        if pick(key + "|seq", 0.3):
            extra["seq_len"] = 4096
        if pick(key + "|eff", 0.3):
            extra["efficiency"] = 0.4
        if ep > 1 and pick(key + "|imb", 0.5):
            extra["moe_routing_imbalance_factor"] = 1.5
        add("grid", model=R(mp), fleet=R(cp), batch_size=B, precision=p, tp_size=tp, pp_size=pp, ep_size=ep,
            topology_override=topo, overlap_comm=ov, zero_stage=z, **extra)
    # axes on one realistic configuration each
    L70, L8 = R("Models.Language.Llama3_70B"), R("Models.Language.Llama3_8B")
    T512, R256 = R("Systems.Clusters.Training_512_H100"), R("Systems.Clusters.Research_256")
    base = dict(model=L70, fleet=T512, batch_size=1024, seq_len=4096, efficiency=0.4, tp_size=8)
    add("reference", **base, activation_recomputation=True, overlap_comm=True, zero_stage=1)
    add("reference", model=L8, fleet=R256, batch_size=1024, seq_len=2048, efficiency=0.45, tp_size=8, pp_size=4,
        microbatch_count=16, zero_stage=1)
    add("reference", model=R("Models.Vision.ResNet50"), fleet=R("Systems.Clusters.Lab_64_A100"), batch_size=2048,
        efficiency=0.3)
    for tp in (1, 2, 4, 8, 16):
        add("axis_tp", **{**base, "tp_size": tp})
    for pp, m, v in itertools.product((1, 2, 4, 8), (1, 4, 16, 64), (1, 2, 4)):
        add("axis_pp", **{**base, "pp_size": pp, "microbatch_count": m, "v_stages": v})
    for z, ov in itertools.product((0, 1, 2, 3), (False, True)):
        add("axis_zero_overlap", **{**base, "zero_stage": z, "overlap_comm": ov})
    for eff in (0.1, 0.3, 0.85):
        add("axis_overlap_efficiency", **{**base, "overlap_comm": True, "overlap_efficiency": eff})
    for topo in (None, "ring", "tree", "hierarchical"):
        for cp in clusters:
            add("axis_topology", model=L8, fleet=R(cp), batch_size=512, tp_size=1, topology_override=topo)
    for ep, imb in itertools.product((1, 2, 8, 32), (1.0, 1.5, 3.0)):
        add("axis_ep", model=R("Models.Language.Mixtral_8x7B"), fleet=T512, batch_size=512, ep_size=ep,
            moe_routing_imbalance_factor=imb)
        add("axis_ep", model=R("Models.Language.DeepSeek_V3"), fleet=R("Systems.Clusters.Frontier_8K"),
            batch_size=4096, ep_size=ep, tp_size=8, pp_size=4, moe_routing_imbalance_factor=imb)
    for ga, cong, strag in itertools.product((1, 4), (1.0, 2.0), (1.0, 1.2)):
        add("axis_factors", **{**base, "gradient_accumulation_steps": ga, "congestion_factor": cong,
                               "straggler_factor": strag})
    for lora in (False, True):
        add("axis_lora", **{**base, "is_lora": lora})
    for B in (1, 7, 64, 100, 8192):
        add("axis_batch", model=L8, fleet=T512, batch_size=B, tp_size=8, pp_size=2)
    for p in ("fp16", "bf16", "fp8", "fp32", "int8"):
        add("axis_precision", **{**base, "precision": p})
    for kw in [dict(tp_size=3), dict(tp_size=1024, pp_size=1024), dict(batch_size=0), dict(efficiency=0.0),
               dict(overlap_efficiency=1.5), dict(moe_routing_imbalance_factor=0.5), dict(tp_size=0)]:
        add("invalid", **{**base, **kw})
    for i, c in enumerate(cases):
        c["id"] = i
    return {"n_cases": len(cases), "cases": cases,
            "notes": "DistributedModel over catalogue clusters and models; kwargs name registry entries by path."}


# --------------------------------------------------------------------------
# d3. the "wall" resolvers (data, transformation, topology, scaling, inference scaling,
#     compression, reliability, orchestration, checkpoint)
# --------------------------------------------------------------------------


def gen_walls():
    """Nine single-formula resolvers of 0.3.0 over catalogue entries and argument grids: guaranteed
    coverage cases, a deterministic SHA-256 subsample of each grid, reference vectors, and a few
    tagged ``invalid`` inputs per resolver (recorded with whatever 0.3.0 returns or raises)."""
    from mlsysim import solvers as S
    from mlsysim.engine import calibration as cal
    from mlsysim.literature.registry import Literature
    from mlsysim.systems.reliability import Reliability

    cases = []

    def add(resolver, tag="", **kwargs):
        inst = getattr(S, resolver)()
        rec = run_case(inst.solve, kwargs)
        cases.append({"resolver": resolver, "kwargs": ser_kwargs(kwargs), "tag": tag, **rec})

    hw_all = [p for p, _ in all_hardware()]
    cloud = [f"Hardware.Cloud.{k}" for k in registry_children(Hardware.Cloud)]
    lang = [f"Models.Language.{k}" for k in registry_children(Models.Language)]
    clusters = [f"Systems.Clusters.{k}" for k in registry_children(Systems.Clusters)]
    fabrics = [f"Systems.Fabrics.{k}" for k in registry_children(Systems.Fabrics)]
    H100, A100, B200 = R("Hardware.Cloud.H100"), R("Hardware.Cloud.A100"), R("Hardware.Cloud.B200")
    L8, L70 = R("Models.Language.Llama3_8B"), R("Models.Language.Llama3_70B")

    # ---- 1. DataModel.solve(workload_data_rate, hardware)
    rates = ["1 MB/s", "250 MB/s", "0.5 GB/s", "3 GB/s", "7 GB/s", "20 GB/s", "400 GB/s",
             "1 TB/hour", "50 TB/hour", "10 Gbps", "100 Gbps", "5 TB/s"]
    for i, hp in enumerate(hw_all):  # every catalogue device at least once (with and without storage/IO)
        add("DataModel", "coverage", workload_data_rate=Q_(rates[i % len(rates)]), hardware=R(hp))
    for hp, r in itertools.product(hw_all, rates):
        if pick(f"walls|data|{hp}|{r}", 0.07):
            add("DataModel", "grid", workload_data_rate=Q_(r), hardware=R(hp))
    for r in rates:  # storage-bound (H100: 7 GB/s NVMe < 64 GB/s IO) across every unit
        add("DataModel", "axis_rate", workload_data_rate=Q_(r), hardware=H100)
    for r in [Q_("0 GB/s"), Q_("-1 GB/s"), Q_("5 GB"), Q_("3 GB/s").to("bit/s")]:
        add("DataModel", "invalid", workload_data_rate=r, hardware=H100)
    add("DataModel", "invalid", workload_data_rate=Q_("0 GB/s"), hardware=R("Hardware.Cloud.MI300X"))
    add("DataModel", "invalid", workload_data_rate=3.0, hardware=H100)

    # ---- 2. TransformationModel.solve(batch_size, sample_size_bytes, cpu_throughput, accelerator_step_time)
    add("TransformationModel", "reference", batch_size=2048, sample_size_bytes=Q_("150 KB"),
        cpu_throughput=Q_(16 * 850 * 150, "KB/s").to("GB/s"), accelerator_step_time=Q_("48 ms"))
    add("TransformationModel", "reference", batch_size=2048, sample_size_bytes=Q_("150 KB"),
        cpu_throughput=Q_(16 * 850 * 150, "KB/s"), accelerator_step_time=Q_("48 ms"))
    tr_grid = itertools.product([1, 8, 64, 256, 1024, 2048, 4096], ["1 KB", "150 KB", "1 MB", "5 MB"],
                                ["10 MB/s", "500 MB/s", "2.04 GB/s", "20 GB/s", "8 Gbps"],
                                ["1 ms", "48 ms", "500 ms", "2 s"])
    for b, smp, cpu, st in tr_grid:
        if pick(f"walls|tr|{b}|{smp}|{cpu}|{st}", 0.13):
            add("TransformationModel", "grid", batch_size=b, sample_size_bytes=Q_(smp), cpu_throughput=Q_(cpu),
                accelerator_step_time=Q_(st))
    for kw in [dict(batch_size=0), dict(batch_size=-4), dict(accelerator_step_time=Q_("0 ms")),
               dict(batch_size=0, accelerator_step_time=Q_("0 ms")), dict(cpu_throughput=Q_("0 GB/s")),
               dict(sample_size_bytes=Q_("150 KB/s"))]:
        base = dict(batch_size=256, sample_size_bytes=Q_("150 KB"), cpu_throughput=Q_("2 GB/s"),
                    accelerator_step_time=Q_("48 ms"))
        base.update(kw)
        add("TransformationModel", "invalid", **base)

    # ---- 3. TopologyModel.solve(fabric, topology, num_nodes)
    topos = ["fat_tree", "dragonfly", "ring", "torus_3d", "hypercube"]
    nodes = [1, 2, 8, 27, 64, 100, 512, 4096]
    for i, (fp, topo) in enumerate(itertools.product(fabrics, topos)):  # every fabric x topology once
        add("TopologyModel", "coverage", fabric=R(fp), topology=topo, num_nodes=nodes[i % len(nodes)])
    for fp, topo, n in itertools.product(fabrics, topos, nodes):
        if pick(f"walls|topo|{fp}|{topo}|{n}", 0.06):
            add("TopologyModel", "grid", fabric=R(fp), topology=topo, num_nodes=n)
    ndr = R("Systems.Fabrics.InfiniBand_NDR")
    add("TopologyModel", "default_args", fabric=ndr)
    for topo, n in itertools.product(["ring", "torus_3d", "fat_tree"], [0, -8]):
        add("TopologyModel", "invalid", fabric=ndr, topology=topo, num_nodes=n)
    add("TopologyModel", "invalid", fabric=ndr, topology="Fat_Tree", num_nodes=64)

    # ---- 4. ScalingModel.solve(compute_budget, target_model_size=None)
    budgets = [Q_(1e18, "flop"), Q_(1e19, "flop"), Q_(1.2e20, "flop"), Q_(1e21, "flop"), Q_(1e22, "flop"),
               Q_(3.14e23, "flop"), Q_(5.76e23, "flop"), Q_(5.88e23, "flop"), Q_(1e24, "flop"),
               Q_(1e25, "flop"), Q_(1e26, "flop"), Q_(1e6, "TFLOPs"), Q_(2, "zettaflop"),
               Q_(1, "day"), Q_(1000, "day"), Q_(24, "hour"), Q_(30000, "day"), Q_(1e6, "hour")]
    targets = [None, Q_(7e9, "count"), Q_(70e9, "count"), Q_(1e8, "param"), Q_(7, "Bparam")]
    for c, t in itertools.product(budgets, targets):
        kw = dict(compute_budget=c) if t is None else dict(compute_budget=c, target_model_size=t)
        add("ScalingModel", "grid", **kw)
    for kw in [dict(compute_budget=Q_(0, "flop")), dict(compute_budget=Q_(-1e20, "flop")),
               dict(compute_budget=Q_(1e21, "flop"), target_model_size=Q_(0, "count")),
               dict(compute_budget=Q_(1e21, "flop"), target_model_size=Q_(7e9)),
               dict(compute_budget=Q_(1e21, "flop"), target_model_size=Q_(7, "GB")),
               dict(compute_budget=Q_(700, "W")), dict(compute_budget=1e21)]:
        add("ScalingModel", "invalid", **kw)

    # ---- 5. InferenceScalingModel.solve(model, hardware, reasoning_steps, context_length, precision, efficiency)
    G = R("Hardware.Cloud.Graphcore_GC200")
    for k in (8, 1):
        add("InferenceScalingModel", "reference", model=L70, hardware=B200, reasoning_steps=k, context_length=2048)
    add("InferenceScalingModel", "default_args", model=L8, hardware=H100)
    add("InferenceScalingModel", "no_tdp", model=L8, hardware=G, reasoning_steps=4, context_length=2048)
    for mp, hp, k, ctx, p in itertools.product(lang, cloud, [1, 4, 8, 32, 128], [512, 2048, 8192],
                                               ["fp16", "int8", "fp8"]):
        if pick(f"walls|is|{mp}|{hp}|{k}|{ctx}|{p}", 0.004):
            add("InferenceScalingModel", "grid", model=R(mp), hardware=R(hp), reasoning_steps=k,
                context_length=ctx, precision=p)
    for eff in (0.3, 0.9):
        add("InferenceScalingModel", "efficiency", model=L8, hardware=H100, reasoning_steps=32,
            context_length=8192, efficiency=eff)
    for kw in [dict(reasoning_steps=0), dict(reasoning_steps=-1), dict(context_length=0), dict(efficiency=0.0),
               dict(precision="bogus")]:
        add("InferenceScalingModel", "invalid", model=L8, hardware=H100, **kw)
    add("InferenceScalingModel", "invalid", model=R("Models.Vision.ResNet50"), hardware=H100)

    # ---- 6. CompressionModel.solve(model, hardware, method, target_bitwidth, sparsity, sparsity_type,
    #                                baseline_precision)
    cm_models = ["Models.Language.Llama3_8B", "Models.Language.Llama3_70B", "Models.Language.GPT2",
                 "Models.Language.BERT_Base", "Models.Vision.ResNet50", "Models.Vision.MobileNetV2",
                 "Models.Vision.ViT_Large", "Models.Tiny.DS_CNN"]
    cm_hw = ["Hardware.Cloud.H100", "Hardware.Cloud.A100", "Hardware.Cloud.B200", "Hardware.Cloud.T4",
             "Hardware.Edge.JetsonAGXOrin", "Hardware.Edge.Coral", "Hardware.Mobile.iPhone15Pro",
             "Hardware.Tiny.ESP32_S3"]
    bits = [2, 3, 4, 6, 8, 16, 32]
    bases = ["fp32", "fp16", "bf16", "int8"]
    for mp, hp in [("Models.Language.Llama3_8B", "Hardware.Cloud.H100"),
                   ("Models.Vision.ResNet50", "Hardware.Cloud.A100")]:
        for b, bp in itertools.product(bits, ["fp32", "fp16"]):
            add("CompressionModel", "axis_quantization", model=R(mp), hardware=R(hp), method="quantization",
                target_bitwidth=b, baseline_precision=bp)
    for mp, hp, b, bp in itertools.product(cm_models, cm_hw, bits, bases):
        if pick(f"walls|cq|{mp}|{hp}|{b}|{bp}", 0.012):
            add("CompressionModel", "grid_quantization", model=R(mp), hardware=R(hp), method="quantization",
                target_bitwidth=b, baseline_precision=bp)
    # pairs whose baseline graph is compute-bound in 0.3.0's roofline (the hardware-support branch)
    for mp, hp in [("Models.Vision.YOLOv8_Nano", "Hardware.Cloud.H100"),
                   ("Models.Vision.YOLOv8_Nano", "Hardware.Cloud.B200"),
                   ("Models.Vision.YOLOv8_Nano", "Hardware.Cloud.A100"),
                   ("Models.GenerativeVision.StableDiffusion_v1_5", "Hardware.Cloud.T4"),
                   ("Models.GenerativeVision.StableDiffusion_v1_5", "Hardware.Cloud.MI300X"),
                   ("Models.Vision.ResNet50", "Hardware.Cloud.Groq_LPU"),
                   ("Models.Vision.ResNet50", "Hardware.Edge.RoboTaxi"),
                   ("Models.Tiny.DS_CNN", "Hardware.Tiny.ESP32_S3")]:
        for b, bp in [(4, "fp32"), (8, "fp32"), (16, "fp32"), (8, "fp16")]:
            add("CompressionModel", "compute_bound", model=R(mp), hardware=R(hp), method="quantization",
                target_bitwidth=b, baseline_precision=bp)
    sparsities = [0.0, 0.3, 0.5, 0.52, 0.7, 0.9, 0.99, 1.0]
    stypes = ["unstructured", "structured", "n_m", "2:4"]
    for s, st in itertools.product(sparsities, stypes):
        add("CompressionModel", "axis_pruning", model=L8, hardware=H100, method="pruning", sparsity=s,
            sparsity_type=st)
    for mp, hp, s, st, bp in itertools.product(cm_models, cm_hw, sparsities, stypes, bases):
        if pick(f"walls|cp|{mp}|{hp}|{s}|{st}|{bp}", 0.002):
            add("CompressionModel", "grid_pruning", model=R(mp), hardware=R(hp), method="pruning", sparsity=s,
                sparsity_type=st, baseline_precision=bp)
    for mp, hp in [("Models.Language.Llama3_8B", "Hardware.Cloud.H100"),
                   ("Models.Vision.MobileNetV2", "Hardware.Mobile.iPhone15Pro")]:
        add("CompressionModel", "distillation", model=R(mp), hardware=R(hp), method="distillation")
        add("CompressionModel", "unknown_method", model=R(mp), hardware=R(hp), method="low_rank",
            target_bitwidth=4, sparsity=0.5)
    add("CompressionModel", "default_args", model=L8, hardware=H100)
    for kw in [dict(target_bitwidth=0), dict(target_bitwidth=-4), dict(method="pruning", sparsity=1.5),
               dict(method="pruning", sparsity=-0.1), dict(baseline_precision="bogus"),
               dict(method="Quantization", target_bitwidth=4)]:
        add("CompressionModel", "invalid", model=L8, hardware=H100, **kw)

    # ---- 7. ReliabilityModel.solve(fleet, job_duration_hours, checkpoint_time_s, avg_recovery_time_s)
    for cp in clusters:
        add("ReliabilityModel", "coverage", fleet=R(cp), job_duration_hours=720.0)
    for cp, d, ck, rc in itertools.product(clusters, [1, 24, 720, 8760], [10, 60, 600], [60, 300, 3600]):
        if pick(f"walls|rel|{cp}|{d}|{ck}|{rc}", 0.12):
            add("ReliabilityModel", "grid", fleet=R(cp), job_duration_hours=float(d), checkpoint_time_s=float(ck),
                avg_recovery_time_s=float(rc))
    T1K = R("Systems.Clusters.Training_1K")
    for kw in [dict(job_duration_hours=0.0), dict(job_duration_hours=-5.0),
               dict(job_duration_hours=24.0, checkpoint_time_s=0.0),
               dict(job_duration_hours=24.0, checkpoint_time_s=-60.0),
               dict(job_duration_hours=24.0, avg_recovery_time_s=1e9)]:
        add("ReliabilityModel", "invalid", fleet=T1K, **kw)

    # ---- 8. OrchestrationModel.solve(fleet, arrival_rate_jobs_per_day, avg_job_duration_days)
    R256 = R("Systems.Clusters.Research_256")
    for lam, dur in [(0.5, 1.0), (1.0, 1.0), (2.0, 1.0), (2.0, 0.5), (4.0, 0.25), (0.9, 1.0), (0.99, 1.0),
                     (10.0, 0.1)]:
        add("OrchestrationModel", "rho_axis", fleet=R256, arrival_rate_jobs_per_day=lam,
            avg_job_duration_days=dur)
    for cp, lam, dur in itertools.product(clusters, [0.1, 0.5, 1.0, 2.0, 5.0, 12.0], [0.05, 0.1, 0.5, 1.0, 3.0, 7.0]):
        if pick(f"walls|orch|{cp}|{lam}|{dur}", 0.12):
            add("OrchestrationModel", "grid", fleet=R(cp), arrival_rate_jobs_per_day=lam,
                avg_job_duration_days=dur)
    for lam, dur in [(0.0, 1.0), (-1.0, 1.0), (1.0, 0.0), (1.0, -2.0), (0.0, 0.0)]:
        add("OrchestrationModel", "invalid", fleet=R256, arrival_rate_jobs_per_day=lam, avg_job_duration_days=dur)

    # ---- 9. CheckpointModel.solve(model, hardware, optimizer, checkpoint_interval_hours, n_writers,
    #                              filesystem_limit_gbs)
    ck_models = ["Models.Language.Llama3_8B", "Models.Language.Llama3_70B", "Models.Language.Llama3_405B",
                 "Models.Language.GPT3", "Models.Vision.ResNet50", "Models.Language.Mixtral_8x7B"]
    ck_hw = ["Hardware.Cloud.H100", "Hardware.Cloud.H200", "Hardware.Cloud.A100", "Hardware.Workstation.DGX_Spark",
             "Hardware.Edge.DriveThor", "Hardware.Edge.RoboTaxi"]
    add("CheckpointModel", "reference", model=L70, hardware=H100)
    add("CheckpointModel", "reference", model=L70, hardware=H100, optimizer="adam", checkpoint_interval_hours=4.0,
        n_writers=64, filesystem_limit_gbs=500.0)
    for hp in ck_hw:
        add("CheckpointModel", "coverage", model=L8, hardware=R(hp), optimizer="adam")
    for opt in ("adam", "sgd", "adamw", "none", "Adam", "lion"):
        add("CheckpointModel", "axis_optimizer", model=L8, hardware=H100, optimizer=opt)
    for mp, hp, opt, iv, nw, fs in itertools.product(ck_models, ck_hw, ["adam", "sgd", "adamw", "none"],
                                                     [0.5, 4.0, 24.0], [1, 8, 64, 1024], [500.0, 50.0]):
        if pick(f"walls|ck|{mp}|{hp}|{opt}|{iv}|{nw}|{fs}", 0.022):
            add("CheckpointModel", "grid", model=R(mp), hardware=R(hp), optimizer=opt,
                checkpoint_interval_hours=iv, n_writers=nw, filesystem_limit_gbs=fs)
    for kw in [dict(checkpoint_interval_hours=0.0), dict(checkpoint_interval_hours=-1.0), dict(n_writers=0),
               dict(filesystem_limit_gbs=0.0), dict(n_writers=-8)]:
        add("CheckpointModel", "invalid", model=L8, hardware=H100, **kw)

    for i, c in enumerate(cases):
        c["id"] = i
    counts = {}
    for c in cases:
        d = counts.setdefault(c["resolver"], {"total": 0, "ok": 0, "error": 0})
        d["total"] += 1
        d["error" if "error" in c else "ok"] += 1
    calib = {k: fnum(getattr(cal, k)) for k in sorted(vars(cal))
             if k.isupper() and (k in ("TOKENS_PER_REASONING_STEP", "REFERENCE_MFU_SUSTAINED",
                                       "REFERENCE_HARDWARE_TFLOPS", "FALLBACK_STORAGE_BANDWIDTH_GB_S")
                                 or k.startswith(("QUANT_ACCURACY_DELTA_", "PRUNING_",
                                                  "CHECKPOINT_BYTES_PER_PARAM_")))}
    calib["Reliability.Gpu.mttf_hours"] = fnum(Reliability.Gpu.mttf_hours)
    calib["Reliability.Nic.mttf_hours"] = fnum(Reliability.Nic.mttf_hours)
    calib["Reliability.Psu.mttf_hours"] = fnum(Reliability.Psu.mttf_hours)
    for k in registry_children(Literature.Chinchilla):
        v = getattr(Literature.Chinchilla, k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            calib[f"Literature.Chinchilla.{k}"] = fnum(v)
    return {"n_cases": len(cases), "counts_by_resolver": counts, "cases": cases, "calibration": calib,
            "notes": "Wall resolvers (DataModel, TransformationModel, TopologyModel, ScalingModel, "
                     "InferenceScalingModel, CompressionModel, ReliabilityModel, OrchestrationModel, "
                     "CheckpointModel); kwargs name registry entries by path (fabrics as Systems.Fabrics.<name>); "
                     "quantity kwargs are {quantity, value_si, si_unit}; tag 'invalid' marks inputs outside the "
                     "documented domain, recorded with whatever 0.3.0 returns or raises."}


# --------------------------------------------------------------------------
# d4. operations: economics, sustainability, responsible engineering, sensitivity, synthesis,
#     SystemEvaluator, the three optimizers and the executable Scenarios
# --------------------------------------------------------------------------


def gen_ops():
    """Fleet economics/sustainability, responsible engineering, the inverse solvers, SystemEvaluator,
    ParallelismOptimizer / BatchingOptimizer / PlacementOptimizer and every executable ``Scenario`` of
    0.3.0 over catalogue entries and argument grids: guaranteed coverage cases, a deterministic
    SHA-256 subsample of each grid, reference vectors, and a few tagged ``invalid`` inputs per
    resolver (recorded with whatever 0.3.0 returns or raises)."""
    from mlsysim import solvers as S
    from mlsysim.engine import calibration as cal
    from mlsysim.engine.evaluation import SystemEvaluator, SystemEvaluation
    from mlsysim.engine.scenarios import Scenario
    from mlsysim.infrastructure.types import Datacenter

    cases = []
    keep = []  # keeps custom objects alive so their ids (CUSTOM_OBJ keys) stay unique

    def record(resolver, fn, tag, kwargs, shown=None, extra=None):
        holder = {}

        def call(**kw):
            holder["res"] = fn(**kw)
            return holder["res"]

        rec = run_case(call, kwargs)
        res = holder.get("res")
        if isinstance(res, SystemEvaluation) and "result" in rec:
            rec["result"]["to_dict"] = ser_value(res.to_dict())
            rec["result"]["scorecard"] = res.scorecard()
            rec["result"]["passed_all"] = res.passed_all
        case = {"resolver": resolver, "kwargs": ser_kwargs(shown if shown is not None else kwargs), "tag": tag}
        if extra:
            case.update(extra)
        cases.append({**case, **rec})

    def add(resolver, tag="", **kwargs):
        record(resolver, getattr(S, resolver)().solve, tag, kwargs)

    def custom(obj, desc):
        keep.append(obj)
        CUSTOM_OBJ[id(obj)] = desc
        return obj

    def path_or_custom(o):
        return REG_PATH.get(id(o)) or CUSTOM_OBJ.get(id(o))

    lang = [f"Models.Language.{k}" for k in registry_children(Models.Language)]
    clusters = [f"Systems.Clusters.{k}" for k in registry_children(Systems.Clusters)]
    grids = [f"Infrastructure.Grids.{k}" for k in registry_children(Infrastructure.Grids)]
    dcs = [f"Infrastructure.Datacenters.{k}" for k in registry_children(Infrastructure.Datacenters)]
    H100, A100, B200 = R("Hardware.Cloud.H100"), R("Hardware.Cloud.A100"), R("Hardware.Cloud.B200")
    L8, L70, L405 = R("Models.Language.Llama3_8B"), R("Models.Language.Llama3_70B"), R("Models.Language.Llama3_405B")
    R256, P2K = R("Systems.Clusters.Research_256"), R("Systems.Clusters.Production_2K")

    # custom facilities / fleets (fleet.region, fleet.datacenter, pue_override, accelerators without
    # unit_cost and/or TDP)
    dc_custom = custom(Datacenter(name="Custom Texas campus (PUE 1.35)", grid=R("Infrastructure.Grids.Texas"),
                                  pue_override=1.35),
                       {"custom_datacenter_class": "Datacenter",
                        "constructor_args": {"name": "Custom Texas campus (PUE 1.35)",
                                             "grid": "Infrastructure.Grids.Texas", "pue_override": 1.35}})

    def fleet_copy(label, base_path, update, desc):
        base = R(base_path)
        upd = dict(update)
        if "node.accelerator" in upd:
            upd["node"] = base.node.model_copy(update={"accelerator": upd.pop("node.accelerator")})
        f = base.model_copy(update=upd)
        return custom(f, {"custom_fleet": label, "model_copy_of": base_path, "update": desc})

    F_region = fleet_copy("Research_256 in Quebec (fleet.region)", "Systems.Clusters.Research_256",
                          {"region": R("Infrastructure.Grids.Quebec")}, {"region": "Infrastructure.Grids.Quebec"})
    F_dc = fleet_copy("Research_256 at Norway_Hydro (fleet.datacenter)", "Systems.Clusters.Research_256",
                      {"datacenter": R("Infrastructure.Datacenters.Norway_Hydro")},
                      {"datacenter": "Infrastructure.Datacenters.Norway_Hydro"})
    F_dcpue = fleet_copy("Research_256 at a PUE-override campus", "Systems.Clusters.Research_256",
                         {"datacenter": dc_custom}, {"datacenter": CUSTOM_OBJ[id(dc_custom)]})
    F_both = fleet_copy("Training_1K with region Poland and datacenter Iowa_Reference", "Systems.Clusters.Training_1K",
                        {"region": R("Infrastructure.Grids.Poland"),
                         "datacenter": R("Infrastructure.Datacenters.Iowa_Reference")},
                        {"region": "Infrastructure.Grids.Poland",
                         "datacenter": "Infrastructure.Datacenters.Iowa_Reference"})
    F_gc = fleet_copy("Research_256 of Graphcore_GC200 (no TDP, no unit_cost)", "Systems.Clusters.Research_256",
                      {"node.accelerator": R("Hardware.Cloud.Graphcore_GC200")},
                      {"node.accelerator": "Hardware.Cloud.Graphcore_GC200"})
    F_gaudi = fleet_copy("Research_256 of Gaudi3 (no unit_cost)", "Systems.Clusters.Research_256",
                         {"node.accelerator": R("Hardware.Cloud.Gaudi3")}, {"node.accelerator": "Hardware.Cloud.Gaudi3"})
    custom_fleets = [F_region, F_dc, F_dcpue, F_both, F_gc, F_gaudi]
    all_fleets = [R(c) for c in clusters] + custom_fleets

    def fkey(f):
        p = path_or_custom(f)
        return p if isinstance(p, str) else p["custom_fleet"]

    # ---- 1. EconomicsModel.solve(fleet, duration_days, kwh_price, datacenter, grid, mfu, amortization_years,
    #                             infrastructure_multiplier)
    add("EconomicsModel", "reference", fleet=R256, duration_days=30)
    add("EconomicsModel", "reference", fleet=R256, duration_days=365, grid=R("Infrastructure.Grids.Quebec"), mfu=0.45)
    add("EconomicsModel", "reference", fleet=P2K, duration_days=90, kwh_price=0.08, mfu=0.5,
        infrastructure_multiplier=2.0)
    for i, f in enumerate(all_fleets):  # every cluster (and custom fleet) once
        add("EconomicsModel", "coverage", fleet=f, duration_days=[1, 30, 365][i % 3], mfu=[1.0, 0.45, 0.3][i % 3])
    for gp in grids:
        add("EconomicsModel", "coverage_grid", fleet=R256, duration_days=30, grid=R(gp), mfu=0.5)
    for dp in dcs:
        add("EconomicsModel", "coverage_datacenter", fleet=R256, duration_days=30, datacenter=R(dp), mfu=0.5)
    add("EconomicsModel", "coverage_datacenter", fleet=R256, duration_days=30, datacenter=dc_custom, mfu=0.5)
    envs = [None] + [("grid", g) for g in grids] + [("datacenter", d) for d in dcs] + \
        [("both", "Infrastructure.Grids.Poland|Infrastructure.Datacenters.Quebec_Hydro")]
    for f, d, price, env, mfu, am, im in itertools.product(
            all_fleets, [1, 7, 30, 365, 1095], [None, 0.05, 0.12, 0.2], envs, [1.0, 0.45, 0.0],
            [3.0, 1.0, 5.0], [1.0, 2.0, 2.5]):
        key = f"ops|econ|{fkey(f)}|{d}|{price}|{env}|{mfu}|{am}|{im}"
        if not pick(key, 0.00025):
            continue
        kw = dict(fleet=f, duration_days=float(d), mfu=mfu)
        if price is not None:
            kw["kwh_price"] = price
        if env is not None:
            if env[0] == "both":
                kw["grid"], kw["datacenter"] = (R(p) for p in env[1].split("|"))
            else:
                kw[env[0]] = R(env[1])
        if am != 3.0:
            kw["amortization_years"] = am
        if im != 1.0:
            kw["infrastructure_multiplier"] = im
        add("EconomicsModel", "grid", **kw)
    for kw in [dict(duration_days=0.0), dict(duration_days=-30.0), dict(mfu=1.5), dict(mfu=-0.1),
               dict(amortization_years=0.0), dict(kwh_price=-0.1), dict(infrastructure_multiplier=0.0),
               dict(datacenter="Quebec"), dict(grid="Quebec")]:
        add("EconomicsModel", "invalid", **{"fleet": R256, "duration_days": 30.0, **kw})

    # ---- 2. SustainabilityModel.solve(fleet, duration_days, datacenter, mfu, embodied_carbon_per_device)
    add("SustainabilityModel", "reference", fleet=R256, duration_days=1, mfu=0.45)
    for env in ["Infrastructure.Grids.Iowa", "Infrastructure.Grids.Quebec", "Infrastructure.Datacenters.Iowa_Reference",
                "Infrastructure.Datacenters.Quebec_Hydro"]:
        add("SustainabilityModel", "reference", fleet=R256, duration_days=30, datacenter=R(env), mfu=0.42)
    add("SustainabilityModel", "reference", fleet=R256, duration_days=30, mfu=0.42,
        embodied_carbon_per_device=float(H100.embodied_carbon_kg))
    for i, f in enumerate(all_fleets):
        add("SustainabilityModel", "coverage", fleet=f, duration_days=[1, 30, 365][i % 3],
            mfu=[1.0, 0.45, 0.3][i % 3])
    for env in grids + dcs:
        add("SustainabilityModel", "coverage_env", fleet=R256, duration_days=30, datacenter=R(env), mfu=0.5)
    add("SustainabilityModel", "coverage_env", fleet=R256, duration_days=30, datacenter=dc_custom, mfu=0.5)
    for f, d, env, mfu, emb in itertools.product(all_fleets, [1, 7, 30, 365], [None] + grids + dcs,
                                                [1.0, 0.45, 0.0], [0.0, 150.0, 164.0, 5.0]):
        if pick(f"ops|sust|{fkey(f)}|{d}|{env}|{mfu}|{emb}", 0.0026):
            kw = dict(fleet=f, duration_days=float(d), mfu=mfu)
            if env is not None:
                kw["datacenter"] = R(env)
            if emb:
                kw["embodied_carbon_per_device"] = emb
            add("SustainabilityModel", "grid", **kw)
    for kw in [dict(mfu=1.01), dict(mfu=-0.5), dict(embodied_carbon_per_device=-1.0), dict(duration_days=0.0),
               dict(duration_days=-1.0), dict(datacenter="Quebec")]:
        add("SustainabilityModel", "invalid", **{"fleet": R256, "duration_days": 30.0, **kw})

    # ---- 3. ResponsibleEngineeringModel.solve(base_training_time, epsilon, delta, min_subgroup_prevalence)
    add("ResponsibleEngineeringModel", "reference", base_training_time=Q_("100 hour"))
    add("ResponsibleEngineeringModel", "reference", base_training_time=Q_("10 day"), epsilon=1.0, delta=1e-5,
        min_subgroup_prevalence=0.01)
    times = ["1 hour", "10 day", "3600 s", "2 week", "45 minute", "500 ms"]
    for t, eps, dl, prev in itertools.product(times, [1e-4, 0.005, 0.01, 0.1, 0.5, 1.0, 2.0, 8.0, 100.0],
                                              [1e-5, 1e-8, 0.0], [1e-8, 1e-6, 0.001, 0.01, 0.1, 0.5, 1.0]):
        if pick(f"ops|resp|{t}|{eps}|{dl}|{prev}", 0.08):
            add("ResponsibleEngineeringModel", "grid", base_training_time=Q_(t), epsilon=eps, delta=dl,
                min_subgroup_prevalence=prev)
    for eps in (0.01, 0.1, 1.0, 10.0):
        add("ResponsibleEngineeringModel", "axis_epsilon", base_training_time=Q_("24 hour"), epsilon=eps)
    for kw in [dict(epsilon=0.0), dict(epsilon=-1.0), dict(min_subgroup_prevalence=0.0),
               dict(min_subgroup_prevalence=-0.1), dict(min_subgroup_prevalence=1.5), dict(delta=-1.0),
               dict(base_training_time=Q_("-1 hour")), dict(base_training_time=Q_("5 GB")),
               dict(base_training_time=100.0)]:
        add("ResponsibleEngineeringModel", "invalid", **{"base_training_time": Q_("10 day"), **kw})

    # ---- 4. SensitivitySolver.solve(model, hardware, precision, perturbation_pct, efficiency)
    add("SensitivitySolver", "reference", model=L8, hardware=A100)
    add("SensitivitySolver", "reference", model=L70, hardware=B200)
    for mp, hp in [("Models.Language.Llama3_70B", "Hardware.Cloud.A100"),
                   ("Models.Language.Llama3_405B", "Hardware.Cloud.H100"),
                   ("Models.Language.Llama3_8B", "Hardware.Mobile.iPhone15Pro"),
                   ("Models.Vision.ResNet50", "Hardware.Tiny.ESP32_S3")]:
        add("SensitivitySolver", "infeasible", model=R(mp), hardware=R(hp))
    se_models = ["Models.Language.Llama3_8B", "Models.Language.Llama3_70B", "Models.Language.Llama2_7B",
                 "Models.Language.GPT2", "Models.Language.BERT_Base", "Models.Language.Mixtral_8x7B",
                 "Models.Language.Llama3_405B", "Models.Vision.ResNet50", "Models.Vision.MobileNetV2",
                 "Models.Vision.YOLOv8_Nano", "Models.Tiny.DS_CNN", "Models.GenerativeVision.StableDiffusion_v1_5"]
    se_hw = ["Hardware.Cloud.H100", "Hardware.Cloud.A100", "Hardware.Cloud.B200", "Hardware.Cloud.H200",
             "Hardware.Cloud.MI300X", "Hardware.Cloud.T4", "Hardware.Cloud.TPUv5p", "Hardware.Cloud.Groq_LPU",
             "Hardware.Edge.JetsonAGXOrin", "Hardware.Mobile.iPhone15Pro", "Hardware.Tiny.ESP32_S3"]
    for mp, hp, p, eff in itertools.product(se_models, se_hw, ["fp16", "int8"], [0.5, 0.3]):
        if pick(f"ops|sens|{mp}|{hp}|{p}|{eff}", 0.16):
            kw = dict(model=R(mp), hardware=R(hp), precision=p)
            if eff != 0.5:
                kw["efficiency"] = eff
            add("SensitivitySolver", "grid", **kw)
    for pct in (1.0, 5.0, 25.0, 50.0, 100.0):
        add("SensitivitySolver", "axis_perturbation", model=L8, hardware=H100, perturbation_pct=pct)
        add("SensitivitySolver", "axis_perturbation", model=R("Models.Vision.YOLOv8_Nano"), hardware=H100,
            perturbation_pct=pct)
    for kw in [dict(perturbation_pct=0.0), dict(perturbation_pct=-10.0), dict(perturbation_pct=-100.0),
               dict(efficiency=0.0), dict(precision="bogus")]:
        add("SensitivitySolver", "invalid", model=L8, hardware=H100, **kw)

    # ---- 5. SynthesisSolver.solve(model, target_latency, precision, efficiency)
    add("SynthesisSolver", "reference", model=L70, target_latency=Q_("50 ms"), precision="fp16")
    add("SynthesisSolver", "reference", model=L8, target_latency=Q_("30 ms"))
    sy_models = lang + ["Models.Vision.ResNet50", "Models.Vision.MobileNetV2", "Models.Tiny.DS_CNN",
                        "Models.Recommendation.DLRM", "Models.StateSpace.Mamba_2_8B"]
    for mp, t, p, eff in itertools.product(sy_models, ["1 ms", "10 ms", "30 ms", "50 ms", "100 ms", "1 s"],
                                           ["fp16", "int8", "fp32", "int4", "fp8"], [0.5, 0.3, 1.0]):
        if pick(f"ops|synth|{mp}|{t}|{p}|{eff}", 0.05):
            kw = dict(model=R(mp), target_latency=Q_(t), precision=p)
            if eff != 0.5:
                kw["efficiency"] = eff
            add("SynthesisSolver", "grid", **kw)
    for t in ("50 ms", "0.05 s", "50000 us", "1 minute"):
        add("SynthesisSolver", "axis_units", model=L8, target_latency=Q_(t))
    for kw in [dict(target_latency=Q_("0 ms")), dict(target_latency=Q_("-10 ms")), dict(target_latency=Q_("50 GB")),
               dict(target_latency=0.05), dict(target_latency=Q_("50 ms"), efficiency=0.0),
               dict(target_latency=Q_("50 ms"), precision="bogus")]:
        add("SynthesisSolver", "invalid", model=L8, **kw)

    # ---- 6. SystemEvaluator.evaluate(scenario_name, model_obj, hardware_obj, batch_size, precision, efficiency,
    #                                 fleet_obj, nodes, duration_days)
    def ev(tag, **kw):
        record("SystemEvaluator", SystemEvaluator.evaluate, tag, kw)

    ev("reference", scenario_name="Llama-3 8B on H100", model_obj=L8, hardware_obj=H100, batch_size=32,
       precision="fp16", efficiency=0.45)
    ev("reference", scenario_name="Llama-3 8B on Research_256", model_obj=L8, hardware_obj=H100, batch_size=32,
       precision="fp16", efficiency=0.45, fleet_obj=R256, nodes=32, duration_days=30.0)
    ev("reference", scenario_name="Llama-3 8B on H100 (1 node, 30 d)", model_obj=L8, hardware_obj=H100,
       batch_size=32, precision="fp16", efficiency=0.45, fleet_obj=R256, nodes=1, duration_days=30.0)
    ev_models = ["Models.Language.Llama3_8B", "Models.Language.Llama3_70B", "Models.Language.GPT3",
                 "Models.Language.Mixtral_8x7B", "Models.Vision.ResNet50", "Models.Vision.MobileNetV2",
                 "Models.Tiny.DS_CNN", "Models.Language.BERT_Base"]
    ev_hw = ["Hardware.Cloud.H100", "Hardware.Cloud.A100", "Hardware.Cloud.B200", "Hardware.Cloud.T4",
             "Hardware.Edge.JetsonAGXOrin", "Hardware.Mobile.iPhone15Pro", "Hardware.Tiny.ESP32_S3"]
    modes = [(None, 1, None), ("Systems.Clusters.Research_256", 1, 30.0), ("Systems.Clusters.Lab_64_A100", 8, None),
             ("Systems.Clusters.Training_1K_B200", 128, 365.0), ("Systems.Clusters.Research_256", 1, None),
             (None, 8, 30.0)]
    for mp, hp, b, p, eff, mode in itertools.product(ev_models, ev_hw, [1, 8, 32, 128], ["fp16", "int8", "fp32"],
                                                     [0.3, 0.45, 0.6], modes):
        if not pick(f"ops|eval|{mp}|{hp}|{b}|{p}|{eff}|{mode}", 0.0045):
            continue
        fp, nodes, dur = mode
        kw = dict(scenario_name=f"{mp.split('.')[-1]} on {hp.split('.')[-1]}", model_obj=R(mp), hardware_obj=R(hp),
                  batch_size=b, precision=p, efficiency=eff)
        if fp is not None:
            kw["fleet_obj"] = R(fp)
        if nodes != 1:
            kw["nodes"] = nodes
        if dur is not None:
            kw["duration_days"] = dur
        ev("grid", **kw)
    for fp in ["Systems.Clusters.Research_256", "Systems.Clusters.Lab_64_A100", "Systems.Clusters.Training_1K_B200",
               "Systems.Clusters.Production_2K"]:
        for nodes, dur in [(1, 30.0), (4, None), (4, 365.0)]:
            ev("fleet_modes", scenario_name=f"GPT3 on {fp.split('.')[-1]}", model_obj=R("Models.Language.GPT3"),
               hardware_obj=R(fp).node.accelerator, batch_size=1024, precision="fp16", efficiency=0.45,
               fleet_obj=R(fp), nodes=nodes, duration_days=dur)
    for fl in custom_fleets:
        ev("custom_fleet", scenario_name="Llama-3 70B on custom fleet", model_obj=L70, hardware_obj=H100,
           batch_size=64, precision="fp16", efficiency=0.45, fleet_obj=fl, nodes=8, duration_days=30.0)
    base = dict(scenario_name="edge", model_obj=L8, hardware_obj=H100, batch_size=32, precision="fp16", efficiency=0.45)
    ev("edge", **{**base, "fleet_obj": R256, "nodes": 1, "duration_days": 0.0})
    ev("edge", **{**base, "fleet_obj": R256, "nodes": 0, "duration_days": 30.0})
    ev("edge", **{**base, "hardware_obj": A100, "fleet_obj": R256, "nodes": 1, "duration_days": 30.0})
    ev("edge", **{**base, "model_obj": L70, "hardware_obj": A100})
    for kw in [dict(efficiency=0.0), dict(efficiency=1.5), dict(batch_size=0), dict(precision="bogus"),
               dict(model_obj=None), dict(duration_days=-30.0, fleet_obj=R256)]:
        ev("invalid", **{**base, **kw})

    # ---- 7. ParallelismOptimizer.solve(model, fleet, batch_size, precision, efficiency, max_tp, max_pp,
    #                                   overlap_comm, seq_len, activation_recomputation)
    add("ParallelismOptimizer", "reference", model=R("Models.Language.GPT3"), fleet=P2K, batch_size=2048,
        efficiency=0.5)
    add("ParallelismOptimizer", "reference", model=L70, fleet=R256, batch_size=2048, efficiency=0.5)
    add("ParallelismOptimizer", "reference", model=L405, fleet=P2K, batch_size=2048, efficiency=0.42, seq_len=8192,
        activation_recomputation=True)
    po_models = ["Models.Language.GPT3", "Models.Language.Llama3_70B", "Models.Language.Llama3_405B",
                 "Models.Language.Llama3_8B", "Models.Language.Mixtral_8x7B"]
    po_clusters = ["Systems.Clusters.Research_256", "Systems.Clusters.Lab_64_A100", "Systems.Clusters.Lab_64_H100",
                   "Systems.Clusters.Training_512_H100", "Systems.Clusters.Training_1K",
                   "Systems.Clusters.Training_1K_A100", "Systems.Clusters.Training_1K_B200",
                   "Systems.Clusters.Production_2K", "Systems.Clusters.Kempner_H100_384",
                   "Systems.Clusters.Frontier_8K"]
    for mp, cp, B, eff, S_, rc in itertools.product(po_models, po_clusters, [256, 1024, 2048], [0.35, 0.5],
                                                    [2048, 4096], [False, True]):
        if pick(f"ops|par|{mp}|{cp}|{B}|{eff}|{S_}|{rc}", 0.045):
            kw = dict(model=R(mp), fleet=R(cp), batch_size=B, efficiency=eff)
            if S_ != 2048:
                kw["seq_len"] = S_
            if rc:
                kw["activation_recomputation"] = True
            add("ParallelismOptimizer", "grid", **kw)
    for kw in [dict(max_tp=2), dict(max_tp=16), dict(max_pp=1), dict(max_pp=4), dict(overlap_comm=False),
               dict(precision="bf16"), dict(precision="fp8"), dict(max_tp=0)]:
        add("ParallelismOptimizer", "axes", model=L70, fleet=R256, batch_size=1024, efficiency=0.5, **kw)
    for kw in [dict(model=L405, fleet=R("Systems.Clusters.Lab_64_A100"), batch_size=1024),
               dict(model=L70, fleet=R256, batch_size=0), dict(model=L70, fleet=R256, batch_size=1024, efficiency=0.0),
               dict(model=L70, fleet=R256, batch_size=1024, precision="bogus"),
               dict(model=R("Models.Vision.ResNet50"), fleet=R256, batch_size=1024)]:
        add("ParallelismOptimizer", "invalid", **kw)

    # ---- 8. BatchingOptimizer.solve(model, hardware, seq_len, sla_latency_ms, arrival_rate_qps, num_replicas,
    #                                precision, efficiency, max_search_batch)
    add("BatchingOptimizer", "reference", model=L8, hardware=H100, seq_len=512, sla_latency_ms=60000.0,
        arrival_rate_qps=5.0, num_replicas=4)
    add("BatchingOptimizer", "reference", model=L70, hardware=B200, seq_len=256, sla_latency_ms=30000.0,
        arrival_rate_qps=2.0, num_replicas=8)
    bo_models = ["Models.Language.Llama3_8B", "Models.Language.Llama3_70B", "Models.Language.Llama2_7B",
                 "Models.Language.Mixtral_8x7B", "Models.Language.GPT2"]
    bo_hw = ["Hardware.Cloud.H100", "Hardware.Cloud.A100", "Hardware.Cloud.B200", "Hardware.Cloud.H200",
             "Hardware.Cloud.MI300X"]
    for mp, hp, s, sla, qps, c in itertools.product(bo_models, bo_hw, [128, 512, 2048], [2000.0, 10000.0, 60000.0],
                                                    [0.5, 5.0, 50.0], [1, 4, 16]):
        if pick(f"ops|bat|{mp}|{hp}|{s}|{sla}|{qps}|{c}", 0.028):
            add("BatchingOptimizer", "grid", model=R(mp), hardware=R(hp), seq_len=s, sla_latency_ms=sla,
                arrival_rate_qps=qps, num_replicas=c)
    for kw in [dict(max_search_batch=1), dict(max_search_batch=16), dict(max_search_batch=64),
               dict(precision="int8"), dict(efficiency=0.3)]:
        add("BatchingOptimizer", "axes", **{"model": L8, "hardware": H100, "seq_len": 512, "sla_latency_ms": 60000.0,
                                            "arrival_rate_qps": 5.0, "num_replicas": 4, **kw})
    for kw in [dict(arrival_rate_qps=0.0), dict(sla_latency_ms=0.0), dict(num_replicas=0), dict(max_search_batch=0),
               dict(seq_len=0), dict(model=R("Models.Vision.ResNet50"))]:
        add("BatchingOptimizer", "invalid", **{"model": L8, "hardware": H100, "seq_len": 512,
                                               "sla_latency_ms": 60000.0, "arrival_rate_qps": 5.0,
                                               "num_replicas": 4, **kw})

    # ---- 9. PlacementOptimizer.solve(fleet, duration_days, regions, carbon_tax_per_ton, mfu)
    add("PlacementOptimizer", "reference", fleet=R256, duration_days=30.0)
    add("PlacementOptimizer", "reference", fleet=R256, duration_days=30.0, regions=["US_Avg", "Quebec", "Iowa"],
        carbon_tax_per_ton=100.0)
    region_sets = [None, [k for k in registry_children(Infrastructure.Grids)], ["Poland", "France", "Norway"],
                   ["Iowa", "US_Avg"], ["US_Avg", "Iowa"], ["Mars", "Quebec"], ["Texas", "India_Avg", "China_Avg"]]
    for f, d, rs, tax, mfu in itertools.product(all_fleets, [1.0, 30.0, 365.0], range(len(region_sets)),
                                                [0.0, 50.0, 100.0, 200.0, 1000.0], [1.0, 0.45]):
        if pick(f"ops|place|{fkey(f)}|{d}|{rs}|{tax}|{mfu}", 0.012):
            kw = dict(fleet=f, duration_days=d, carbon_tax_per_ton=tax, mfu=mfu)
            if region_sets[rs] is not None:
                kw["regions"] = region_sets[rs]
            add("PlacementOptimizer", "grid", **kw)
    for order in (["US_Avg", "Iowa"], ["Iowa", "US_Avg"]):  # TCO tie at zero carbon tax: first listed wins
        add("PlacementOptimizer", "tie", fleet=R256, duration_days=30.0, regions=order, carbon_tax_per_ton=0.0)
    for kw in [dict(regions=[]), dict(regions=["Mars"]), dict(mfu=1.5), dict(carbon_tax_per_ton=-100.0),
               dict(duration_days=0.0)]:
        add("PlacementOptimizer", "invalid", **{"fleet": R256, "duration_days": 30.0, **kw})

    # ---- 10. Scenarios: every executable Scenario's evaluate(batch_size, precision)
    for n in registry_children(Scenarios):
        scn = getattr(Scenarios, n)
        if not isinstance(scn, Scenario):
            continue
        info = {"path": f"Scenarios.{n}", "name": scn.name, "is_distributed": scn.is_distributed,
                "workload": REG_PATH.get(id(scn.workload)) or {"name": scn.workload.name,
                                                               "not_in_registry": True},
                "system": REG_PATH.get(id(scn.system)) or {"name": scn.system.name, "not_in_registry": True}}
        for key, q in [("sla_latency_s", scn.sla_latency), ("power_budget_w", scn.power_budget),
                       ("workload_data_rate_bytes_per_s", scn.workload.data_rate)]:
            info[key] = None if q is None else fnum(si(q)[0])
        for tag, kw in [("default", {}), ("axis_batch", dict(batch_size=8)), ("axis_batch", dict(batch_size=64)),
                        ("axis_precision", dict(precision="int8")), ("axis_precision", dict(precision="fp32"))]:
            record("Scenarios", scn.evaluate, tag, kw, shown={"scenario": f"Scenarios.{n}", **kw},
                   extra={"scenario": info})
        if n in ("ChatbotServing", "FrontierTraining"):
            for kw in [dict(batch_size=0), dict(precision="bogus")]:
                record("Scenarios", scn.evaluate, "invalid", kw, shown={"scenario": f"Scenarios.{n}", **kw},
                       extra={"scenario": info})

    for i, c in enumerate(cases):
        c["id"] = i
    counts = {}
    for c in cases:
        d = counts.setdefault(c["resolver"], {"total": 0, "ok": 0, "error": 0})
        d["total"] += 1
        d["error" if "error" in c else "ok"] += 1

    # ---- calibration constants these solvers read (plain numbers)
    calib = {k: fnum(getattr(cal, k)) for k in ("ENERGY_IDLE_FRACTION", "ENERGY_DYNAMIC_FRACTION",
                                                 "DEFAULT_INFRASTRUCTURE_MULTIPLIER", "DP_SGD_SLOWDOWN_COEFFICIENT",
                                                 "TRAINING_OPTIMIZER_BYTES_ADAM")}
    pricing = Infrastructure.Pricing
    calib["Pricing.Cloud.ElectricityPerKwh_usd_per_kwh"] = fnum(pricing.Cloud.ElectricityPerKwh.rate.to("USD/kWh").magnitude)
    calib["Pricing.Capital.AnnualMaintenanceRatio"] = fnum(pricing.Capital.AnnualMaintenanceRatio.rate)
    fc = Infrastructure.FacilityCooling
    calib["FacilityCooling.BestAir.pue (Fleet.effective_pue default)"] = fnum(fc.BestAir.pue)
    calib["FacilityCooling.BestAir.wue"] = fnum(fc.BestAir.wue)
    calib["fallback_tdp_w (Hardware.Cloud.H100.tdp)"] = fnum(si(H100.tdp)[0])
    for hp in ("Hardware.Cloud.H100", "Hardware.Cloud.A100", "Hardware.Tiny.ESP32_S3"):
        calib[f"{hp}.embodied_carbon_kg"] = fnum(R(hp).embodied_carbon_kg)
    for gp in grids:
        g = R(gp)
        for fld in ("carbon_intensity_g_kwh", "pue", "wue"):
            calib[f"{gp}.{fld}"] = fnum(getattr(g, fld))
    for dp in dcs:
        calib[f"{dp}.pue"] = fnum(R(dp).pue)

    def default(cls, fn, name):
        return inspect.signature(getattr(getattr(S, cls), fn)).parameters[name].default

    for cls, name in [("EconomicsModel", "amortization_years"), ("EconomicsModel", "infrastructure_multiplier"),
                      ("EconomicsModel", "mfu"), ("SustainabilityModel", "mfu"),
                      ("SustainabilityModel", "embodied_carbon_per_device"),
                      ("ResponsibleEngineeringModel", "epsilon"), ("ResponsibleEngineeringModel", "delta"),
                      ("ResponsibleEngineeringModel", "min_subgroup_prevalence"),
                      ("SensitivitySolver", "perturbation_pct"), ("SensitivitySolver", "efficiency"),
                      ("SynthesisSolver", "efficiency"), ("ParallelismOptimizer", "efficiency"),
                      ("ParallelismOptimizer", "seq_len"), ("BatchingOptimizer", "max_search_batch"),
                      ("BatchingOptimizer", "efficiency"), ("BatchingOptimizer", "num_replicas"),
                      ("PlacementOptimizer", "carbon_tax_per_ton"), ("PlacementOptimizer", "mfu")]:
        calib[f"{cls}.solve.{name} (default)"] = fnum(default(cls, "solve", name))
    calib.update({
        # literals inside the 0.3.0 solver bodies (not module constants)
        "EconomicsModel.days_per_year": 365.0,
        "ResponsibleEngineeringModel.epsilon_floor": 0.01,
        "ResponsibleEngineeringModel.prevalence_floor": 1e-6,
        "ParallelismOptimizer.hbm_fraction": 0.9,
        "ParallelismOptimizer.max_power_of_two_exponent": 9,
        "ParallelismOptimizer.top_candidates": 5,
        "BatchingOptimizer.infeasible_penalty": 1e12,
        "BatchingOptimizer.feasible_below": 1e10,
        "PlacementOptimizer.kg_per_metric_ton": 1000.0,
        "SystemEvaluation.carbon_kg_per_metric_ton": 1000.0,
        "Scenario.evaluate.macro_duration_days": 365.0,
        "Scenario.evaluate.dummy_node_intra_node_bw_bytes_per_s": 50e9,
        "SustainabilityModel.hours_per_day": 24.0,
    })
    return {"n_cases": len(cases), "counts_by_resolver": counts, "cases": cases, "calibration": calib,
            "notes": "Operations resolvers (EconomicsModel, SustainabilityModel, ResponsibleEngineeringModel, "
                     "SensitivitySolver, SynthesisSolver, SystemEvaluator.evaluate -> resolver 'SystemEvaluator', "
                     "ParallelismOptimizer, BatchingOptimizer, PlacementOptimizer, Scenario.evaluate -> resolver "
                     "'Scenarios'). kwargs name registry entries by path; custom fleets/datacenters give "
                     "{custom_fleet, model_copy_of, update} / {custom_datacenter_class, constructor_args}; quantity "
                     "kwargs are {quantity, value_si, si_unit}. Quantities in results are SI with the unit named by "
                     "a key suffix, so 0.3.0's kWh fields it_energy_kwh/total_energy_kwh appear as "
                     "it_energy_kwh_j/total_energy_kwh_j in joules; plain-float fields keep 0.3.0's own units "
                     "(carbon_footprint_kg in kg, water_usage_liters in L, PlacementOptimizer carbon in metric "
                     "tons, SystemEvaluator metrics in GB/ms/1/s/USD/t). Optimizer results record best_config and "
                     "top_candidates (list of dicts, in 0.3.0's ranked order) in full. SystemEvaluation results "
                     "record the three EvaluationLevel fields plus to_dict (metric values serialised like result "
                     "fields), the scorecard() string and passed_all. Scenario cases also carry 'scenario' (path, "
                     "workload, system, constraints). tag 'invalid' marks inputs outside the documented domain, "
                     "recorded with whatever 0.3.0 returns or raises."}


# --------------------------------------------------------------------------
# e. signatures
# --------------------------------------------------------------------------

RESOLVERS = ("SingleNodeModel EfficiencyModel ServingModel ContinuousBatchingModel WeightStreamingModel "
             "TailLatencyModel DataModel TransformationModel TopologyModel ScalingModel InferenceScalingModel "
             "CompressionModel DistributedModel ReliabilityModel OrchestrationModel EconomicsModel "
             "SustainabilityModel CheckpointModel ResponsibleEngineeringModel SensitivitySolver SynthesisSolver "
             "TrainingMemoryModel MoERoutingModel ServingCapacityModel NetworkRooflineModel ParallelismOptimizer "
             "BatchingOptimizer PlacementOptimizer").split()


_QTY_ANN = re.compile(r"typing\.Annotated\[typing\.Any, AfterValidator\(func=<function validate_quantity[^>]*>\), "
                      r"PlainSerializer\(func=<function serialize_quantity[^>]*>, [^\]]*?\)\]")


def stable_str(x) -> str:
    """str() of an annotation/default with the pydantic Quantity alias shortened and no memory addresses."""
    s = _QTY_ANN.sub("Quantity", str(x))
    return re.sub(r" at 0x[0-9a-fA-F]+", "", s)


def sig_dump(fn, skip_self=True):
    sig = inspect.signature(fn)
    params = []
    for i, (n, p) in enumerate(sig.parameters.items()):
        if skip_self and i == 0 and n == "self":
            continue
        params.append({
            "name": n, "kind": p.kind.name,
            "default": None if p.default is inspect.Parameter.empty else stable_str(repr(p.default)),
            "has_default": p.default is not inspect.Parameter.empty,
            "annotation": None if p.annotation is inspect.Parameter.empty else stable_str(p.annotation),
        })
    ret = sig.return_annotation
    return {"params": params, "return_annotation": None if ret is inspect.Signature.empty else stable_str(ret)}


def result_fields(cls):
    return [{"name": n, "annotation": stable_str(f.annotation), "required": f.is_required(),
             "default": None if f.is_required() else stable_str(repr(f.get_default(call_default_factory=True)))}
            for n, f in cls.model_fields.items()]


def gen_signatures():
    from mlsysim import solvers as S
    from mlsysim.engine.evaluation import SystemEvaluator, SystemEvaluation
    from mlsysim.engine.engine import PerformanceProfile
    from mlsysim.engine import calibration as cal
    import mlsysim.physics as phys
    from mlsysim.physics.memory import calc_kv_cache_size

    out = {}
    for n in RESOLVERS:
        c = getattr(S, n)
        bases = [b.__name__ for b in c.__mro__[1:] if b.__name__ in ("ForwardModel", "BaseSolver", "BaseOptimizer")]
        out[n] = {
            "module": c.__module__, "public_import": f"mlsysim.solvers.{n}",
            "resolver_type": bases[0] if bases else None,
            "requires": list(c.requires), "solve": sig_dump(c.solve),
            "result_class": c.produces.__name__ if c.produces else None,
            "result_module": c.produces.__module__ if c.produces else None,
            "result_fields": result_fields(c.produces) if c.produces else None,
        }
    out["Engine.solve"] = {"module": Engine.__module__, "public_import": "mlsysim.Engine.solve",
                           "solve": sig_dump(Engine.solve, skip_self=False),
                           "result_class": "PerformanceProfile", "result_module": PerformanceProfile.__module__,
                           "result_fields": result_fields(PerformanceProfile)}
    out["Engine.sweep"] = {"module": Engine.__module__, "public_import": "mlsysim.Engine.sweep",
                           "solve": sig_dump(Engine.sweep, skip_self=False),
                           "result_class": "list[dict(hardware, batch_size, precision, profile)]",
                           "result_fields": None}
    out["SystemEvaluator.evaluate"] = {"module": SystemEvaluator.__module__,
                                       "public_import": "mlsysim.engine.evaluation.SystemEvaluator.evaluate",
                                       "solve": sig_dump(SystemEvaluator.evaluate, skip_self=False),
                                       "result_class": "SystemEvaluation",
                                       "result_module": SystemEvaluation.__module__,
                                       "result_fields": result_fields(SystemEvaluation)}
    out["calc_kv_cache_size"] = {"module": calc_kv_cache_size.__module__,
                                 "public_import": "mlsysim.physics.calc_kv_cache_size"
                                 if getattr(phys, "calc_kv_cache_size", None) is calc_kv_cache_size else None,
                                 "also_exported_as": "mlsysim.calc_kv_cache_size"
                                 if getattr(mlsysim, "calc_kv_cache_size", None) is calc_kv_cache_size else None,
                                 "solve": sig_dump(calc_kv_cache_size, skip_self=False),
                                 "result_class": "pint Quantity (bytes)", "result_fields": None}
    calib = {}
    for k, v in sorted(vars(cal).items()):
        if k.isupper() and isinstance(v, (int, float)) and not isinstance(v, bool):
            calib[k] = fnum(v)
    return {"signatures": out, "calibration_constants": calib,
            "precision_map_bytes": {k: fnum(v.to("byte").magnitude) for k, v in PRECISION_MAP.items()}}


# --------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--only", action="append",
                    choices=["registry", "dumps", "engine", "resolvers", "signatures", "distributed", "walls",
                             "ops"])
    args = ap.parse_args(argv)
    if mlsysim.__version__ != REF_VERSION:
        sys.exit(f"expected mlsysim {REF_VERSION}, found {mlsysim.__version__}")
    args.out.mkdir(parents=True, exist_ok=True)
    only = set(args.only or ["registry", "dumps", "engine", "resolvers", "signatures", "distributed", "walls",
                            "ops"])
    build_index()
    t0 = time.time()
    if "registry" in only:
        write_json(args.out, "registry_keys.json", gen_registry_keys())
    if "dumps" in only:
        write_json(args.out, "hardware_dump.json", gen_hardware_dump())
        write_json(args.out, "models_dump.json", gen_models_dump())
        write_json(args.out, "infrastructure_dump.json", gen_infrastructure_dump())
        write_json(args.out, "systems_dump.json", gen_systems_dump())
    if "signatures" in only:
        write_json(args.out, "signatures.json", gen_signatures())
    for section, fname, gen in (("resolvers", "parity_node_resolvers.json", gen_resolvers),
                                ("engine", "parity_engine.json", gen_engine),
                                ("distributed", "parity_distributed.json", gen_distributed),
                                ("walls", "parity_walls.json", gen_walls), ("ops", "parity_ops.json", gen_ops)):
        if section in only:
            t = time.time()
            write_json(args.out, fname, gen())
            print(f"  {section}: {time.time() - t:.1f} s", flush=True)
    print(f"done in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
