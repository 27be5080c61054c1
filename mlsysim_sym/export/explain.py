"""Drift that explains itself: what changed between an export folder and a fresh export (or another folder), value
by value, and why.

``export --check`` (and ``export --check --against OLD``) build a :class:`DriftReport`:

* every **book value** whose printed number (or value) changed, with its old and new number and the causes found in
  what the two exports recorded: a catalogue **constant** whose value differs (``values.json`` records, per value,
  the value and unit of every catalogue row it used, so the next comparison can say
  ``knobs.engine.efficiency 0.5 → 0.45``), an input the derivation started or stopped using, an **equation** whose
  text changed (``equations/<label>.tex`` compared without its stamp, for every equation the value's derivation
  used), the **edition** and the declared **rules** it switched on, the **derivation** (a resolver argument of the
  derivation module); when none of those moved, the formula revision or package version that did;
* the other files, counted by kind, split into those that differ only in their stamp (version, catalogue hash,
  formula revision, edition) and those whose content changed, with the first few paths of each kind.

The report is data (:meth:`DriftReport.as_dict`, ``-o json``) and text (:meth:`DriftReport.lines`).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
VALUES = "values.json"
STAMP_KEYS = ("version", "catalog_hash", "revision", "edition")
STAMP_NAMES = {"version": "mlsysim-sym", "catalog_hash": "catalogue", "revision": "formulas", "edition": "edition"}
FIGURE_BINARY = (".svg", ".pdf")
SHOW_VALUES = 40   # text lists this many changed values (JSON lists all)
SHOW_PATHS = 3     # and this many paths per kind of file


@dataclass
class Cause:
    kind: str   # constant | input | formula | edition | rule | derivation | unit | catalogue | revision | version | code
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, **self.data}


@dataclass
class ValueChange:
    name: str
    description: str
    status: str   # changed | added | removed
    old: str | None = None          # printed (LaTeX: {,} thousands, \times 10^{n})
    new: str | None = None
    unit: str = ""
    old_unit: str = ""
    old_value: float | None = None
    new_value: float | None = None
    causes: list[Cause] = field(default_factory=list)

    @property
    def relative(self) -> float | None:
        if self.old_value is None or self.new_value is None or self.old_value == 0:
            return None
        return self.new_value / self.old_value - 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "status": self.status, "old": self.old,
                "new": self.new, "unit": self.unit, **({"old_unit": self.old_unit} if self.old_unit != self.unit
                                                       else {}),
                "old_value": self.old_value, "new_value": self.new_value, "relative": self.relative,
                "causes": [c.as_dict() for c in self.causes]}

    def line(self) -> str:
        if self.status == "added":
            return f"{self.name}: new value {plain(self.new)} {self.unit}".rstrip() + f"  ({self.description})"
        if self.status == "removed":
            return f"{self.name}: removed (was {plain(self.old)} {self.old_unit or self.unit})".rstrip()
        old, new = plain(self.old), plain(self.new)
        if old == new and self.old_unit == self.unit:  # moved below the printed precision
            old, new = f"{old} ({self.old_value:.10g})", f"{new} ({self.new_value:.10g})"
        ou = f" {self.old_unit}" if self.old_unit and self.old_unit != self.unit else ""
        return f"{self.name}: {old}{ou} → {new} {self.unit}".rstrip() + f"  ({self.description})"


@dataclass
class DriftReport:
    old: str
    new: str
    stamp_old: dict[str, str]
    stamp_new: dict[str, str]
    values: list[ValueChange]
    changed: list[str]            # files in both that differ
    added: list[str]              # in the new export only (missing from the old folder)
    removed: list[str]            # in the old folder only
    stamp_only: list[str]         # of ``changed``: only the stamp differs
    notes: list[str] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return not (self.changed or self.added or self.removed)

    @property
    def count(self) -> int:
        return len(self.changed) + len(self.added) + len(self.removed)

    def by_kind(self) -> dict[str, dict[str, list[str]]]:
        out: dict[str, dict[str, list[str]]] = {}
        only = set(self.stamp_only)
        for status, paths in (("changed", self.changed), ("added", self.added), ("removed", self.removed)):
            for rel in paths:
                key = "stamp_only" if status == "changed" and rel in only else status
                out.setdefault(kind_of(rel), {}).setdefault(key, []).append(rel)
        return dict(sorted(out.items()))

    def as_dict(self) -> dict[str, Any]:
        return {"status": "current" if self.current else "stale", "old": self.old, "new": self.new,
                "stamp": {"old": self.stamp_old, "new": self.stamp_new,
                          "changed": [k for k in STAMP_KEYS if self.stamp_old.get(k) != self.stamp_new.get(k)]},
                "values_changed": len(self.values), "values": [v.as_dict() for v in self.values],
                "files": {"differ": self.count, "changed": len(self.changed), "stamp_only": len(self.stamp_only),
                          "added": self.added, "removed": self.removed, "by_kind": self.by_kind()},
                "notes": self.notes}

    def lines(self, max_values: int = SHOW_VALUES) -> list[str]:
        if self.current:
            return [f"{self.old} is current: no file differs from {self.new}"]
        out = [f"{self.old} → {self.new}: {self.count} file(s) differ"]
        parts = []
        for k in STAMP_KEYS:
            a, b = self.stamp_old.get(k, "?"), self.stamp_new.get(k, "?")
            parts.append(f"{STAMP_NAMES[k]} {a}" + (f" → {b}" if a != b else ""))
        out.append("  stamp: " + ", ".join(parts))
        if self.values:
            out.append(f"  {len(self.values)} book value(s) changed:")
            for v in self.values[:max_values]:
                out.append("    " + v.line())
                for c in v.causes:
                    out.append("      because " + c.text)
            if len(self.values) > max_values:
                out.append(f"    … and {len(self.values) - max_values} more (-o json lists all)")
        else:
            out.append("  no printed book value changed")
        kinds = self.by_kind()
        content = {k: d for k, d in kinds.items() if set(d) - {"stamp_only"}}
        out.append(f"  files: {len(self.changed)} changed ({len(self.stamp_only)} only in their stamp), "
                   f"{len(self.added)} new, {len(self.removed)} removed")
        for label, key in (("content changed", "changed"), ("new", "added"), ("removed", "removed")):
            items = [(k, d[key]) for k, d in content.items() if d.get(key)]
            if items:
                out.append(f"    {label}: " + "; ".join(k if p == [k] else f"{k} {len(p)} ({_first(p)})"
                                                        for k, p in items))
        stamp = [(k, len(d["stamp_only"])) for k, d in kinds.items() if d.get("stamp_only")]
        if stamp:
            out.append("    stamp only: " + ", ".join(f"{k} {n}" for k, n in stamp))
        out += ["  note: " + n for n in self.notes]
        return out


def _first(paths: list[str]) -> str:
    more = f", … +{len(paths) - SHOW_PATHS}" if len(paths) > SHOW_PATHS else ""
    return ", ".join(paths[:SHOW_PATHS]) + more


def kind_of(rel: str) -> str:
    """The kind a file is counted under: its top folder (equations, tables, figures, handcalc, traces, chapters)
    or, at the top, its name."""
    return rel.split("/", 1)[0] if "/" in rel else rel


def plain(printed: str | None) -> str:
    """A printed LaTeX number as text: ``12{,}345`` → ``12,345``, ``3\\times 10^{9}`` → ``3×10^9``."""
    if printed is None:
        return "?"
    text = printed.replace("{,}", ",").replace("\\times 10^", "×10^")
    return text.replace("{", "").replace("}", "")


def _bytes(v: Any) -> bytes:
    return v if isinstance(v, bytes) else v.encode("utf-8")


def _json(raw: Any) -> dict[str, Any] | None:
    try:
        doc = json.loads(raw)
    except (ValueError, TypeError):
        return None
    return doc if isinstance(doc, dict) else None


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file of an export folder (relative path -> bytes)."""
    from .tree import files_in

    return {rel: (folder / rel).read_bytes() for rel in sorted(files_in(folder)) if (folder / rel).is_file()}


def sans_stamp(rel: str, raw: bytes) -> Any:
    """A file's content without its stamp (the GENERATED line, a JSON document's stamp keys, the book's author and
    date lines), to tell a file that changed only in its stamp from one whose content changed."""
    if rel.endswith(".json"):
        doc = _json(raw)
        if doc is not None:
            return json.dumps({k: v for k, v in doc.items() if k not in STAMP_KEYS + ("generated", "matplotlib")},
                              sort_keys=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    keep = [line for line in text.splitlines()
            if "GENERATED by mlsysim-sym export" not in line
            and not line.startswith(("\\author{mlsysim-sym", "\\date{catalogue"))]
    return "\n".join(keep)


def stamp_of(files_or_folder: Any) -> dict[str, str]:
    """version, catalog_hash, revision, edition from an export's manifest (``{}`` if it has none)."""
    if isinstance(files_or_folder, Path):
        try:
            raw: Any = (files_or_folder / MANIFEST).read_bytes()
        except OSError:
            return {}
    else:
        raw = files_or_folder.get(MANIFEST)
    doc = _json(raw) or {}
    return {k: str(doc[k]) for k in STAMP_KEYS if k in doc}


# ---- the comparison -------------------------------------------------------------------------------------------
def compare(old: Path, new: dict[str, Any], *, old_label: str | None = None, new_label: str = "a fresh export",
            compared: set[str] | None = None) -> DriftReport:
    """What changed from the export folder ``old`` to the export ``new`` (relative path -> text or bytes).

    ``compared``: only these files of ``new`` (a chapter inside the full folder: files only the folder holds are
    then not reported, and only the values ``new``'s ``values.json`` holds are compared)."""
    from . import file_diffs

    subset = compared is not None
    files = {k: v for k, v in new.items() if k in compared} if subset else new
    diffs = file_diffs(old, files)
    changed = [r for s, r in diffs if s == "differs"]
    added = [r for s, r in diffs if s == "missing"]
    removed = [] if subset else [r for s, r in diffs if s == "unexpected"]
    old_files: dict[str, bytes] = {}

    def old_raw(rel: str) -> bytes | None:
        if rel not in old_files:
            try:
                old_files[rel] = (old / rel).read_bytes()
            except OSError:
                return None
        return old_files[rel]

    stamp_only = []
    for rel in changed:
        if rel.endswith(FIGURE_BINARY):
            continue
        raw = old_raw(rel)
        if raw is not None and sans_stamp(rel, raw) == sans_stamp(rel, _bytes(files[rel])):
            stamp_only.append(rel)
    plain_only = set(stamp_only)
    for rel in changed:  # a figure render whose plotted data moved only in its stamp changed only in its stamp
        if rel.endswith(FIGURE_BINARY):
            csv = rel.rsplit(".", 1)[0] + ".csv"
            if csv in plain_only or (csv in files and csv not in changed and csv not in added):
                stamp_only.append(rel)
    stamp_old, stamp_new = stamp_of(old), stamp_of(new)
    notes: list[str] = []
    values: list[ValueChange] = []
    new_doc = _json(new.get(VALUES))
    old_doc = _json(old_raw(VALUES)) if old_raw(VALUES) is not None else None
    if new_doc is not None and old_doc is not None:
        def equation_changed(eid: str) -> bool:
            from .equations import label_of

            rel = f"equations/{label_of(eid)}.tex"
            a, b = old_raw(rel), new.get(rel)
            if a is None or b is None:
                return a is not b
            return sans_stamp(rel, a) != sans_stamp(rel, _bytes(b))

        values = value_changes(old_doc, new_doc, stamp_old, stamp_new, equation_changed, subset=subset)
        if any(r.get("inputs") and "input_values" not in r for r in old_doc.get("values", [])):
            notes.append(f"{old_label or old}/values.json does not record its inputs' values (an export older than "
                         "this report): a changed constant is named by the catalogue hash only")
    elif new_doc is not None:
        notes.append(f"no readable values.json in {old_label or old}: values not compared")
    return DriftReport(old_label or str(old), new_label, stamp_old, stamp_new, values, changed, added, removed,
                       sorted(stamp_only), notes)


def value_changes(old_doc: dict[str, Any], new_doc: dict[str, Any], stamp_old: dict[str, str],
                  stamp_new: dict[str, str], equation_changed: Any, subset: bool = False) -> list[ValueChange]:
    """Every book value whose number changed between two ``values.json`` documents, with its causes."""
    olds = {r["name"]: r for r in old_doc.get("values", []) if isinstance(r, dict) and "name" in r}
    news = {r["name"]: r for r in new_doc.get("values", []) if isinstance(r, dict) and "name" in r}
    names = list(news) + ([] if subset else [n for n in olds if n not in news])
    out: list[ValueChange] = []
    for name in names:
        o, n = olds.get(name), news.get(name)
        if o is None and n is not None:
            out.append(ValueChange(name, n.get("description", ""), "added", None, n.get("printed"), n.get("unit", ""),
                                   n.get("unit", ""), None, n.get("value")))
            continue
        if n is None and o is not None:
            out.append(ValueChange(name, o.get("description", ""), "removed", o.get("printed"), None,
                                   o.get("unit", ""), o.get("unit", ""), o.get("value"), None))
            continue
        assert o is not None and n is not None
        if o.get("printed") == n.get("printed") and o.get("unit") == n.get("unit") and _same(o.get("value"),
                                                                                                n.get("value")):
            continue
        vc = ValueChange(name, n.get("description", ""), "changed", o.get("printed"), n.get("printed"),
                         n.get("unit", ""), o.get("unit", ""), o.get("value"), n.get("value"))
        vc.causes = causes(o, n, stamp_old, stamp_new, equation_changed)
        out.append(vc)
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def _same_row(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """The same number: equal in SI where both record it (a unit printed differently is no change), else equal as
    printed."""
    if "si" in a and "si" in b:
        return _same(a["si"], b["si"])
    return _same(a.get("value"), b.get("value")) and a.get("unit") == b.get("unit")


def _shown(rec: dict[str, Any] | None) -> str:
    if rec is None:
        return "?"
    v, unit = rec.get("value"), rec.get("unit", "")
    text = f"{v:g}" if isinstance(v, float) else str(v)
    return f"{text} {unit}".strip()


def _base(cid: str) -> str:
    return cid.split("@", 1)[0]


def causes(o: dict[str, Any], n: dict[str, Any], stamp_old: dict[str, str], stamp_new: dict[str, str],
           equation_changed: Any) -> list[Cause]:
    """Why one value changed: what its two records (and the two exports' stamps and equation files) say moved."""
    out: list[Cause] = []
    # the derivation module's call (a resolver argument: batch size, model, hardware …)
    oc, nc = o.get("computation") or {}, n.get("computation") or {}
    for k in sorted(set(oc) | set(nc)):
        if oc.get(k) != nc.get(k):
            out.append(Cause("derivation", f"the derivation's {k} {oc.get(k, '(unset)')} → {nc.get(k, '(unset)')}",
                             {"argument": k, "old": oc.get(k), "new": nc.get(k)}))
    if o.get("field") != n.get("field") and "field" in o:
        out.append(Cause("derivation", f"the derivation's field {o.get('field')} → {n.get('field')}"))
    if o.get("unit") != n.get("unit"):
        out.append(Cause("unit", f"printed unit {o.get('unit')} → {n.get('unit')}",
                         {"old": o.get("unit"), "new": n.get("unit")}))
    ea, eb = stamp_old.get("edition"), stamp_new.get("edition")
    if ea and eb and ea != eb:
        out.append(Cause("edition", f"edition {ea} → {eb}", {"old": ea, "new": eb}))
    ra, rb = set(o.get("rules") or ()), set(n.get("rules") or ())
    for r in sorted(rb - ra):
        out.append(Cause("rule", f"rule {r} (edition {eb}) now sets an input", {"rule": r, "edition": eb,
                                                                             "applies": True}))
    for r in sorted(ra - rb):
        out.append(Cause("rule", f"rule {r} (edition {ea}) no longer sets an input", {"rule": r, "edition": ea,
                                                                                   "applies": False}))
    # catalogue rows: by id (an edition's overlay tags its rows id@edition)
    oi = {_base(c): c for c in o.get("inputs") or ()}
    ni = {_base(c): c for c in n.get("inputs") or ()}
    ov, nv = o.get("input_values"), n.get("input_values") or {}
    unrecorded: list[str] = []
    for b in sorted(set(oi) | set(ni)):
        if b in oi and b in ni:
            if ov is None or oi[b] not in ov:
                unrecorded.append(b)
                continue
            a_rec, b_rec = ov.get(oi[b]), nv.get(ni[b])
            if b_rec is None or _same_row(a_rec, b_rec):
                continue
            sa, sb = _shown(a_rec), _shown(b_rec)
            if sa == sb:
                sa, sb = f"{a_rec.get('value')!r} {a_rec.get('unit', '')}".strip(), \
                    f"{b_rec.get('value')!r} {b_rec.get('unit', '')}".strip()
            out.append(Cause("constant", f"{b} {sa} → {sb}", {"id": b, "old": a_rec, "new": b_rec}))
        elif b in ni:
            shown = f" = {_shown(nv.get(ni[b]))}" if ni[b] in nv else ""
            out.append(Cause("input", f"now uses {b}{shown}", {"id": b, "used": True, "new": nv.get(ni[b])}))
        else:
            shown = f" (was {_shown(ov.get(oi[b]))})" if ov and oi[b] in ov else ""
            out.append(Cause("input", f"no longer uses {b}{shown}", {"id": b, "used": False}))
    ha, hb = stamp_old.get("catalog_hash"), stamp_new.get("catalog_hash")
    if unrecorded and ha != hb and not any(c.kind == "constant" for c in out):
        more = f", … +{len(unrecorded) - 5}" if len(unrecorded) > 5 else ""
        out.append(Cause("catalogue", f"catalogue {ha} → {hb}; one of its inputs ({', '.join(unrecorded[:5])}{more}) "
                                      "(the old export does not record their values)",
                         {"old": ha, "new": hb, "inputs": unrecorded}))
    # equations: every one either derivation used, compared without the stamp
    eqs = list(dict.fromkeys([*(o.get("equations") or [o.get("equation")]), *(n.get("equations") or [n.get("equation")])]))
    va, vb = stamp_old.get("revision"), stamp_new.get("revision")
    for eid in eqs:
        if eid and equation_changed(eid):
            rev = f" (formulas {va} → {vb})" if va != vb else ""
            out.append(Cause("formula", f"equation {eid} changed{rev}", {"equation": eid, "old_revision": va,
                                                                         "new_revision": vb}))
    if not out:
        if va != vb:
            out.append(Cause("revision", f"formula revision {va} → {vb} (no equation this value uses changed its "
                                         "text: how the formulas are evaluated changed)", {"old": va, "new": vb}))
        elif stamp_old.get("version") != stamp_new.get("version"):
            out.append(Cause("version", f"mlsysim-sym {stamp_old.get('version')} → {stamp_new.get('version')} (no "
                                        "recorded input, equation, rule or edition changed)",
                             {"old": stamp_old.get("version"), "new": stamp_new.get("version")}))
        else:
            out.append(Cause("code", "no recorded input, equation, rule or edition changed: code outside the "
                                     "catalogue and the equations (a resolver or the derivation module)"))
    return out


__all__ = ["Cause", "DriftReport", "ValueChange", "compare", "read_tree", "sans_stamp", "stamp_of"]
