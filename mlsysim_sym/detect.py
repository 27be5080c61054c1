"""Detect the local machine and map it to the nearest catalogue device (``mlsysim-sym audit``).

Not to be confused with :mod:`mlsysim_sym.audit`, the catalogue audit behind ``check``.

What is read: the CPU model and core counts from the OS (``/proc/cpuinfo``, ``os.cpu_count``, :mod:`platform`,
``sysctl`` on macOS) and GPUs through ``nvidia-smi --query-gpu=name,memory.total --format=csv,noheader`` or
``rocm-smi --showproductname --showmeminfo vram --csv`` when they are on the PATH (each with a short timeout).
Every outside read goes through a :class:`Probe`, so tests inject fake command outputs and files.

Matching is by name tokens and memory size, never by guessing: a catalogue device matches only when it shares a
model token with the detected name (``h100``, ``a100``, ``mi300x``, ``m3`` — tokens with both letters and digits),
and the reason says which tokens and how the memory compares. Nothing shared: the result says plainly that nothing
in the catalogue matches.
"""
from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TIMEOUT_S = 3.0
NVIDIA_SMI = ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"]
ROCM_SMI = ["rocm-smi", "--showproductname", "--showmeminfo", "vram", "--csv"]
_MEMORY_TOKEN = re.compile(r"^\d+(?:\.\d+)?(?:gb|gib|mb|mib|tb|g)$")
_FORM_TOKENS = {"sxm", "sxm2", "sxm4", "sxm5", "pcie", "nvl", "oam"}
_GENERIC = {"nvidia", "amd", "intel", "apple", "google", "tesla", "geforce", "instinct", "radeon", "the", "of", "one",
            "gpu", "chip", "per", "card", "module", "reference", "system", "hbm2", "hbm2e", "hbm3", "hbm3e", "gen",
            "cpu", "processor", "core", "cores", "with", "and", "accelerator", "ai", "ge", "force"}


@dataclass
class Probe:
    """The machine's outside reads. ``run(argv)`` returns a command's standard output or None (absent, failed,
    timed out); ``read(path)`` a file's text or None. Defaults read the real machine."""
    run: Callable[[list[str]], str | None] | None = None
    read: Callable[[str], str | None] | None = None
    cpu_count: Callable[[], int | None] = os.cpu_count
    system: Callable[[], str] = platform.system
    machine: Callable[[], str] = platform.machine
    processor: Callable[[], str] = platform.processor

    def command(self, argv: list[str]) -> str | None:
        if self.run is not None:
            return self.run(argv)
        if shutil.which(argv[0]) is None:
            return None
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return r.stdout if r.returncode == 0 else None

    def file(self, path: str) -> str | None:
        if self.read is not None:
            return self.read(path)
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return None


@dataclass
class Device:
    kind: str                  # "gpu" or "cpu"
    name: str
    memory_bytes: float | None = None
    count: int = 1
    source: str = ""           # where it was read ("nvidia-smi", "/proc/cpuinfo", ...)
    cores: int | None = None   # CPU: logical cores
    physical_cores: int | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "name": self.name, "count": self.count, "source": self.source,
                             "memory_gb": None if self.memory_bytes is None else round(self.memory_bytes / 1e9, 3)}
        if self.kind == "cpu":
            d |= {"cores_logical": self.cores, "cores_physical": self.physical_cores}
        return d


@dataclass
class Match:
    device: Device
    key: str | None            # catalogue key, None when nothing matches
    name: str = ""
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    runner_up: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"detected": self.device.as_dict(), "key": self.key, "name": self.name or None,
                "score": self.score, "reasons": self.reasons, "runner_up": self.runner_up}


@dataclass
class Machine:
    platform: str
    cpu: Device
    gpus: list[Device]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"platform": self.platform, "cpu": self.cpu.as_dict(), "gpus": [g.as_dict() for g in self.gpus],
                "notes": self.notes}


# ---- reading the machine ----------------------------------------------------------------------------------------
_UNITS = {"b": 1.0, "kib": 1024.0, "mib": 1024.0 ** 2, "gib": 1024.0 ** 3, "kb": 1e3, "mb": 1e6, "gb": 1e9,
          "tb": 1e12, "tib": 1024.0 ** 4}


def parse_memory(text: str) -> float | None:
    """``81559 MiB`` -> bytes (nvidia-smi prints MiB; a bare number is MiB as well)."""
    m = re.match(r"\s*([\d.]+)\s*([A-Za-z]*)", text or "")
    if not m:
        return None
    unit = (m.group(2) or "MiB").lower()
    return float(m.group(1)) * _UNITS[unit] if unit in _UNITS else None


def _group(devices: list[Device]) -> list[Device]:
    out: dict[tuple, Device] = {}
    for d in devices:
        k = (d.name, d.memory_bytes, d.source)
        if k in out:
            out[k].count += 1
        else:
            out[k] = d
    return list(out.values())


def nvidia_gpus(text: str | None) -> list[Device]:
    """Parse ``nvidia-smi --query-gpu=name,memory.total --format=csv,noheader`` (one line per GPU)."""
    gpus = []
    for line in (text or "").splitlines():
        if not line.strip() or "," not in line:
            continue
        name, _, mem = line.rpartition(",")
        if name.strip().lower() == "name":
            continue
        gpus.append(Device("gpu", name.strip(), parse_memory(mem), source="nvidia-smi"))
    return _group(gpus)


def rocm_gpus(text: str | None) -> list[Device]:
    """Parse ``rocm-smi --showproductname --showmeminfo vram --csv``: a header line, then one row per card; the
    name from the ``Card Series``/``Card SKU``/``Card model`` column, memory from ``VRAM Total Memory (B)``."""
    import csv
    import io

    lines = [ln for ln in (text or "").splitlines() if ln.strip() and "," in ln]
    if len(lines) < 2:
        return []
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    header = [h.strip().lower() for h in rows[0]]

    def col(*names: str) -> int | None:
        for n in names:
            for i, h in enumerate(header):
                if h == n:
                    return i
        return None

    ni = col("card series", "card model", "card sku", "marketing name")
    mi = col("vram total memory (b)")
    gpus = []
    for r in rows[1:]:
        if ni is None or ni >= len(r):
            continue
        mem = None
        if mi is not None and mi < len(r):
            try:
                mem = float(r[mi])
            except ValueError:
                mem = None
        gpus.append(Device("gpu", r[ni].strip(), mem, source="rocm-smi"))
    return _group(gpus)


def cpu_info(probe: Probe) -> Device:
    """The CPU model and cores: /proc/cpuinfo (Linux), sysctl (macOS), else platform.processor()."""
    name, physical, source = "", None, ""
    text = probe.file("/proc/cpuinfo")
    if text:
        source = "/proc/cpuinfo"
        fields: dict[str, set[str]] = {}
        per_socket: dict[str, str] = {}
        phys = None
        for line in text.splitlines():
            k, sep, v = line.partition(":")
            if not sep:
                continue
            k, v = k.strip().lower(), v.strip()
            fields.setdefault(k, set()).add(v)
            if k == "physical id":
                phys = v
            elif k == "cpu cores" and phys is not None:
                per_socket[phys] = v
        for key in ("model name", "hardware", "cpu model", "processor"):
            vals = [v for v in fields.get(key, ()) if v and not v.isdigit()]
            if vals:
                name = sorted(vals)[0]
                break
        try:
            physical = sum(int(v) for v in per_socket.values()) or None
        except ValueError:
            physical = None
    if not name and probe.system() == "Darwin":
        out = probe.command(["sysctl", "-n", "machdep.cpu.brand_string"])
        if out and out.strip():
            name, source = out.strip(), "sysctl"
    if not name:
        name, source = (probe.processor() or probe.machine() or "unknown CPU").strip(), "platform"
    return Device("cpu", re.sub(r"\s+", " ", name), cores=probe.cpu_count(), physical_cores=physical, source=source)


def detect(probe: Probe | None = None) -> Machine:
    probe = probe or Probe()
    notes = []
    gpus = nvidia_gpus(probe.command(NVIDIA_SMI))
    if not gpus:
        gpus = rocm_gpus(probe.command(ROCM_SMI))
    if not gpus:
        notes.append("no GPU found: neither nvidia-smi nor rocm-smi is on the PATH or answered")
    cpu = cpu_info(probe)
    return Machine(f"{probe.system()} {probe.machine()}".strip(), cpu, gpus, notes)


# ---- matching ---------------------------------------------------------------------------------------------------
def tokens(text: str) -> set[str]:
    """Lower-case name tokens: words split at non-alphanumerics and at camel-case/letter-digit seams of a key
    (``MacBookM3Max`` -> macbook, m3, max; ``A100-SXM4-80GB`` -> a100, sxm4, 80gb)."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    words = [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]
    joined = {a + b for a, b in zip(words, words[1:]) if a.isalpha() and b.isdigit()}  # "gaudi 2" -> gaudi2
    return set(words) | joined


def model_tokens(toks: set[str]) -> set[str]:
    """The distinctive tokens: letters and digits together (``h100``, ``mi300x``, ``m3``), not a memory size."""
    return {t for t in toks if re.search(r"[a-z]", t) and re.search(r"\d", t) and not _MEMORY_TOKEN.match(t)
            and t not in _GENERIC and t not in _FORM_TOKENS}


def _gb(b: float) -> str:
    return f"{b / 2 ** 30:.1f} GiB" if b >= 2 ** 30 else f"{b / 2 ** 20:.0f} MiB"


def match(device: Device, entities: list[Any]) -> Match:
    """The catalogue device nearest to ``device``, with the reasons; ``key=None`` when none shares a model token."""
    dtoks = tokens(device.name)
    dmodel = model_tokens(dtoks)
    scored = []
    for e in entities:
        etoks = tokens(e.key) | tokens(e.name)
        shared = dmodel & model_tokens(etoks)
        if not shared:
            continue
        reasons = [f"name tokens {', '.join(sorted(shared))} shared with {e.key} ({e.name})"]
        score = 10.0 * len(shared)
        words = (dtoks & etoks) - shared - _GENERIC - _FORM_TOKENS
        words = {w for w in words if not _MEMORY_TOKEN.match(w) and not w.isdigit()}
        if words:
            score += 2.0 * len(words)
            reasons.append(f"also shares {', '.join(sorted(words))}")
        form = (dtoks & etoks) & _FORM_TOKENS
        if form:
            score += 3.0 * len(form)
            reasons.append(f"form factor {', '.join(sorted(form))} agrees")
        if "pcie" in etoks and "pcie" not in dtoks:
            score -= 2.0
            reasons.append("the catalogue entry is a PCIe card and the detected name does not say PCIe")
        extra = model_tokens(etoks) - dmodel - _FORM_TOKENS
        if extra:
            score -= 1.0 * len(extra)
        cap = e.values.get("memory.capacity")
        cap_b = cap.si if cap is not None else None
        diff = None
        if device.memory_bytes and cap_b:
            diff = abs(device.memory_bytes - cap_b) / cap_b
            if diff <= 0.10:
                score += 5.0
                reasons.append(f"memory {_gb(device.memory_bytes)} matches the catalogued {cap.printed}")
            elif diff <= 0.25:
                score += 1.0
                reasons.append(f"memory {_gb(device.memory_bytes)} is near the catalogued {cap.printed}")
            else:
                score -= 5.0
                reasons.append(f"memory {_gb(device.memory_bytes)} differs from the catalogued {cap.printed}")
        scored.append((score, -(diff if diff is not None else 1.0), e.key, e, reasons))
    if not scored:
        return Match(device, None, reasons=[f"no catalogue device shares a model token with {device.name!r}"
                                            + (f" (its tokens: {', '.join(sorted(dmodel))})" if dmodel else
                                               " (its name has no model number to match)")])
    scored.sort(key=lambda t: (-t[0], -t[1], t[2]))
    best = scored[0]
    runner = scored[1][3].key if len(scored) > 1 else None
    return Match(device, best[3].key, best[3].name, best[0], best[4], runner)


def audit(probe: Probe | None = None, entities: list[Any] | None = None) -> tuple[Machine, list[Match]]:
    """Detect the machine and match each GPU kind (or, with none, the CPU) to the catalogue."""
    if entities is None:
        from .catalog import catalog

        entities = catalog().of_kind("hardware")
    machine = detect(probe)
    targets = machine.gpus or [machine.cpu]
    return machine, [match(d, entities) for d in targets]
