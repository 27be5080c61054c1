"""Quick standalone check of constants/ rows against constants/_schema and units (for catalogue authors).

Usage: python tools/validate_rows.py [FILE_OR_DIR ...] [--bib PATH ...]
(The full audit is `mlsysim-sym check`; this script needs only pint and the standard library.)
"""
from __future__ import annotations

import datetime
import fnmatch
import re
import sys
import tomllib
from pathlib import Path

import pint

ROOT = Path(__file__).resolve().parents[1]
UREG = pint.UnitRegistry(str(ROOT / "mlsysim_sym" / "units.txt"))
KINDS = {"datasheet", "paper", "report", "measurement", "estimate", "convention", "assumption"}
REQUIRED = ("field", "value", "unit", "bibkey", "locator", "kind", "read", "conditions")


def schema(kind: str) -> dict:
    sch = tomllib.loads((ROOT / "constants" / "_schema" / f"{kind}.toml").read_text())
    if kind == "knobs":  # knob fields may be declared in several files: merge every _schema/knobs*.toml
        for extra in sorted((ROOT / "constants" / "_schema").glob("knobs?*.toml")):
            sch["fields"].update(tomllib.loads(extra.read_text()).get("fields", {}))
    return sch


def field_spec(sch: dict, name: str):
    fields = sch["fields"]
    if name in fields:
        return fields[name]
    for pat, spec in fields.items():
        if "*" in pat and fnmatch.fnmatchcase(name, pat):
            return spec
    return None


def bibkeys(paths):
    keys = set()
    for p in paths:
        keys |= set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", Path(p).read_text()))
    return keys


def check_file(path: Path, keys) -> list[str]:
    errs = []
    text = path.read_text()
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        return [f"{path}: TOML error: {e}"]
    ent = doc.get("entity", {})
    kind = ent.get("kind")
    try:
        sch = schema(kind if kind != "knobs" else "knobs")
    except FileNotFoundError:
        return [f"{path}: unknown entity kind {kind!r}"]
    for k in sch["entity"]["required"]:
        if k not in ent:
            errs.append(f"{path}: [entity] missing {k!r}")
    lines = [i + 1 for i, l in enumerate(text.splitlines()) if l.strip() == "[[value]]"]
    seen = set()
    for i, row in enumerate(doc.get("value", [])):
        where = f"{path}:{lines[i] if i < len(lines) else '?'}: row {row.get('field')!r}"
        for k in REQUIRED:
            if k not in row or (isinstance(row[k], str) and not row[k].strip() and k != "unit"):
                errs.append(f"{where}: missing {k!r}")
        name = row.get("field", "")
        fname = f"{ent.get('key')}.{name}" if kind == "knobs" else name
        if fname in seen:
            errs.append(f"{where}: duplicate field")
        seen.add(fname)
        spec = field_spec(sch, fname)
        if spec is None:
            errs.append(f"{where}: field not declared in _schema/{kind}.toml")
            continue
        if row.get("kind") not in KINDS:
            errs.append(f"{where}: kind {row.get('kind')!r} not one of {sorted(KINDS)}")
        if row.get("kind") in {"estimate", "assumption", "convention"} and not row.get("note", "").strip():
            errs.append(f"{where}: kind {row.get('kind')} needs a note with the reasoning")
        if not isinstance(row.get("read"), datetime.date):
            errs.append(f"{where}: read must be a TOML date (YYYY-MM-DD, unquoted)")
        if keys is not None and row.get("bibkey") not in keys:
            errs.append(f"{where}: unknown bibkey {row.get('bibkey')!r}")
        if spec.get("direction") and row.get("direction") not in ("per_direction", "bidirectional_total"):
            errs.append(f"{where}: link bandwidth needs direction = per_direction | bidirectional_total")
        try:
            q = UREG.Quantity(float(row["value"]), row.get("unit", "") or "")
            want = UREG.get_dimensionality(spec["dimension"]) if spec["dimension"] else UREG.get_dimensionality("")
            if q.dimensionality != want:
                errs.append(f"{where}: unit {row.get('unit')!r} has dimension {q.dimensionality}, field expects {spec['dimension'] or 'dimensionless'}")
        except Exception as e:  # noqa: BLE001 - report any parse failure
            errs.append(f"{where}: unit {row.get('unit')!r} does not parse: {e}")
    return errs


def main(argv):
    bibs = [a for i, a in enumerate(argv) if i > 0 and argv[i - 1] == "--bib"]
    targets = [Path(a) for i, a in enumerate(argv) if a != "--bib" and (i == 0 or argv[i - 1] != "--bib")]
    keys = bibkeys(bibs) if bibs else None
    files = []
    for t in targets or [ROOT / "constants"]:
        files += sorted(p for p in t.rglob("*.toml") if "_schema" not in p.parts) if t.is_dir() else [t]
    errs = [e for f in files for e in check_file(f, keys)]
    print("\n".join(errs) or f"ok: {len(files)} files")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
