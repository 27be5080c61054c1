"""The cited catalogue: load, validate, look up, and lock ``constants/``.

Two ways in:

* :func:`load_catalog` — the *validating* load: parses every TOML file, checks each row against
  ``constants/_schema`` (declared field, unit parses through our registry and has the field's dimension,
  value finite and within bounds, required keys, direction for links, notes for estimates), checks that every
  bibkey exists in ``citations.bib`` (bibtexparser v2, failed blocks fatal), and that ids are unique.
  Any problem raises :class:`~mlsysim_sym.errors.CatalogError` naming ``file:line`` and the reason.
* :func:`catalog` — the everyday load. If ``constants/catalog.lock.json`` matches the hash of the sources it
  is read directly (no pint, no bibtexparser: a few milliseconds); otherwise it falls back to the validating
  load. ``mlsysim-sym check`` fails while the lock is stale, so a data change is always deliberate:
  ``mlsysim-sym check --update-lock`` validates and rewrites it.
"""
from __future__ import annotations

import datetime as _dt
import fnmatch
import hashlib
import json
import math
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import CatalogError, UnknownKeyError

KINDS = ("datasheet", "paper", "report", "measurement", "estimate", "convention", "assumption")
NEEDS_NOTE = ("estimate", "convention", "assumption")
NEEDS_LINK = ("datasheet", "paper", "report")
ROW_KEYS = ("field", "value", "unit", "bibkey", "locator", "kind", "read", "conditions")
OPTIONAL_ROW_KEYS = ("note", "direction", "exact", "working", "range", "range_basis")
#: kinds whose value is not printed by the source: the row must show its working (arithmetic or reasoning)
NEEDS_WORKING = ("estimate", "assumption")
DIRECTIONS = ("per_direction", "bidirectional_total")
LOCK_NAME = "catalog.lock.json"
LOCK_FORMAT = 2


@dataclass(frozen=True, slots=True)
class Constant:
    """One cited value: as printed (``value``, ``unit``) and in the schema's SI unit (``si``, ``si_unit``)."""

    id: str
    entity: str
    field: str
    value: float
    unit: str
    si: float
    si_unit: str
    bibkey: str
    locator: str
    kind: str
    read: str
    conditions: str
    note: str = ""
    direction: str = ""
    exact: bool = False
    file: str = ""
    line: int = 0
    working: str = ""
    range: tuple[float, float] | None = None  # (low, high) as printed, in ``unit``
    range_basis: str = ""

    @property
    def si_range(self) -> tuple[float, float] | None:
        """The row's range in the schema's SI unit (the printed range scaled as the value is)."""
        if self.range is None:
            return None
        if self.value == 0:
            return (self.si, self.si) if self.range == (0.0, 0.0) else None
        f = self.si / self.value
        return (self.range[0] * f, self.range[1] * f)

    @property
    def printed(self) -> str:
        v = f"{self.value:g}" if isinstance(self.value, float) else str(self.value)
        return f"{v} {self.unit}".strip()

    def per_direction(self) -> tuple[float, str]:
        """(SI value per direction, reference): a bidirectional total is halved, and the reference says so."""
        if self.direction == "bidirectional_total":
            return self.si / 2, "half:" + self.id
        return self.si, "const:" + self.id

    @property
    def citation(self) -> str:
        return f"[{self.bibkey}, {self.locator}]"

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(frozen=True, slots=True)
class Entity:
    """A catalogued object (a device, a model, a grid …) and its cited values by field name."""

    kind: str
    key: str
    name: str
    category: str
    attrs: dict[str, str]
    values: dict[str, Constant]
    file: str

    @property
    def id(self) -> str:
        return f"{self.kind}.{self.key}"

    def get(self, fld: str) -> Constant | None:
        return self.values.get(fld)

    def si(self, fld: str, default: float | None = None) -> float | None:
        c = self.values.get(fld)
        return default if c is None else c.si


@dataclass(slots=True)
class Catalog:
    entities: dict[tuple[str, str], Entity]
    constants: dict[str, Constant]
    bib: dict[str, dict[str, str]]
    hash: str
    root: str = ""
    _by_kind: dict[str, list[Entity]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for ent in self.entities.values():
            self._by_kind.setdefault(ent.kind, []).append(ent)

    # -- lookup -------------------------------------------------------------------------------------
    def get(self, id: str) -> Constant:
        """The constant with this id (``"hardware.H100.memory.bandwidth"``)."""
        try:
            return self.constants[id]
        except KeyError:
            raise UnknownKeyError("constant id", id, self.constants) from None

    def entity(self, kind: str, key: str) -> Entity:
        try:
            return self.entities[(kind, key)]
        except KeyError:
            raise UnknownKeyError(kind, key, [k for (kk, k) in self.entities if kk == kind]) from None

    def of_kind(self, kind: str) -> list[Entity]:
        return list(self._by_kind.get(kind, ()))

    def find(self, text: str) -> list[Constant]:
        """Constants whose id, conditions or note mention ``text`` (case-insensitive)."""
        t = text.lower()
        return [c for c in self.constants.values()
                if t in c.id.lower() or t in c.conditions.lower() or t in c.note.lower()]

    def table(self, kind: str | None = None) -> list[dict[str, Any]]:
        """One row per constant: id, printed value, SI value and unit, kind, citation."""
        return [{"id": c.id, "printed": c.printed, "si": c.si, "si_unit": c.si_unit, "kind": c.kind,
                 "bibkey": c.bibkey, "locator": c.locator, "conditions": c.conditions}
                for c in self.constants.values() if kind is None or c.id.startswith(kind + ".")]

    def __iter__(self) -> Iterator[Constant]:
        return iter(self.constants.values())

    def __len__(self) -> int:
        return len(self.constants)


# ---- sources, hashing and the lock --------------------------------------------------------------------
def _source_files(constants_dir: Path) -> list[Path]:
    return sorted(p for p in constants_dir.rglob("*.toml"))


def source_hash(constants_dir: Path, bib: Path) -> str:
    """sha256 over every constants/**/*.toml (schema included), citations.bib and units.txt."""
    from .units import DEFINITIONS

    h = hashlib.sha256()
    for p in [*_source_files(constants_dir), bib, DEFINITIONS]:
        rel = p.name if p in (bib, DEFINITIONS) else p.relative_to(constants_dir).as_posix()
        h.update(rel.encode() + b"\0" + p.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return h.hexdigest()[:16]


def lock_path(constants_dir: Path) -> Path:
    return constants_dir / LOCK_NAME


def write_lock(cat: Catalog, constants_dir: Path) -> Path:
    doc = {
        "format": LOCK_FORMAT,
        "generated": "by `mlsysim-sym check --update-lock`; do not edit",
        "hash": cat.hash,
        "bib": cat.bib,
        "entities": [
            {"kind": e.kind, "key": e.key, "name": e.name, "category": e.category, "attrs": e.attrs,
             "file": e.file, "values": [_row_to_lock(c) for c in e.values.values()]}
            for e in cat.entities.values()
        ],
    }
    path = lock_path(constants_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=0, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _row_to_lock(c: Constant) -> list[Any]:
    return [c.field, c.value, c.unit, c.si, c.si_unit, c.bibkey, c.locator, c.kind, c.read, c.conditions,
            c.note, c.direction, c.exact, c.line, c.working, list(c.range) if c.range else None, c.range_basis]


def _from_lock(doc: dict[str, Any], root: Path) -> Catalog:
    entities: dict[tuple[str, str], Entity] = {}
    constants: dict[str, Constant] = {}
    for e in doc["entities"]:
        eid = f"{e['kind']}.{e['key']}"
        vals: dict[str, Constant] = {}
        for (fld, value, unit, si, si_unit, bibkey, locator, kind, read, cond, note, direction, exact,
             line, working, rng, basis) in e["values"]:
            c = Constant(f"{eid}.{fld}", eid, fld, value, unit, si, si_unit, bibkey, locator, kind, read,
                         cond, note, direction, exact, e["file"], line, working,
                         tuple(rng) if rng else None, basis)
            vals[fld] = c
            constants[c.id] = c
        entities[(e["kind"], e["key"])] = Entity(e["kind"], e["key"], e["name"], e["category"], e["attrs"],
                                                 vals, e["file"])
    return Catalog(entities, constants, doc["bib"], doc["hash"], str(root))


def _row_range(row: dict[str, Any], value: float, where: str, problems: list[str]) -> tuple[float, float] | None:
    """``range = [low, high]`` in the row's unit, with ``range_basis`` saying what the spread is (vendor min/max,
    a prior's spread, measured vs datasheet, a price range). The value must lie inside it."""
    if "range" not in row:
        if "range_basis" in row:
            problems.append(f"{where}: range_basis without a range")
        return None
    rng = row["range"]
    ok = (isinstance(rng, list) and len(rng) == 2
          and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in rng))
    if not ok:
        problems.append(f"{where}: range must be [low, high], two finite numbers in the row's unit")
        return None
    lo, hi = float(rng[0]), float(rng[1])
    if not lo <= float(value) <= hi:
        problems.append(f"{where}: value {value} lies outside its range [{lo:g}, {hi:g}]")
        return None
    if not str(row.get("range_basis", "")).strip():
        problems.append(f"{where}: a range needs range_basis saying what the spread is (vendor min/max, prior "
                        "spread, measured vs datasheet, price range)")
        return None
    return (lo, hi)


# ---- validating load ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FieldSpec:
    dimension: str
    si: str
    min: float | None
    max: float | None
    direction: bool
    description: str


@lru_cache(maxsize=8)
def _schemas(schema_dir: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in sorted(Path(schema_dir).glob("*.toml")):
        kind = "knobs" if p.stem.startswith("knobs") else p.stem
        try:
            doc = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"{p}: TOML error: {exc}") from None
        merged = out.setdefault(kind, {"entity": {}, "fields": {}, "file": str(p)})
        if "entity" in doc:
            merged["entity"] = doc["entity"]
        for name, spec in doc.get("fields", {}).items():
            if name in merged["fields"]:
                raise CatalogError(f"{p}: field {name!r} declared twice in the {kind} schema")
            merged["fields"][name] = FieldSpec(spec.get("dimension", ""), spec.get("si", ""),
                                               spec.get("min"), spec.get("max"),
                                               bool(spec.get("direction", False)), spec.get("description", ""))
    return out


def _spec_for(fields: dict[str, FieldSpec], name: str) -> FieldSpec | None:
    if name in fields:
        return fields[name]
    for pat, spec in fields.items():
        if "*" in pat and fnmatch.fnmatchcase(name, pat):
            return spec
    return None


def _row_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if line.strip() == "[[value]]"]


def load_catalog(root: Path | None = None, *, bib_file: Path | None = None) -> Catalog:
    """Validate and load the catalogue under ``root`` (default: the data root). Raises CatalogError."""
    from . import paths
    from .bib import load_bib
    from .units import dimensionality, si_factor, ureg

    cdir = Path(root) if root is not None else paths.constants_dir()
    bibp = Path(bib_file) if bib_file is not None else (cdir.parent / "citations.bib")
    if not cdir.is_dir():
        raise CatalogError(f"{cdir}: constants folder not found")
    if not bibp.is_file():
        raise CatalogError(f"{bibp}: bibliography not found")
    bib = load_bib(bibp)
    schemas = _schemas(str(cdir / "_schema"))
    reg = ureg()
    problems: list[str] = []
    entities: dict[tuple[str, str], Entity] = {}
    constants: dict[str, Constant] = {}
    base = cdir.parent
    for path in _source_files(cdir):
        if "_schema" in path.relative_to(cdir).parts:
            continue
        rel = path.relative_to(base).as_posix()
        text = path.read_text(encoding="utf-8")
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{rel}: malformed TOML: {exc}")
            continue
        ent = doc.get("entity")
        if not isinstance(ent, dict):
            problems.append(f"{rel}:1: missing [entity] table")
            continue
        kind = ent.get("kind")
        schema = schemas.get(str(kind))
        if schema is None:
            problems.append(f"{rel}: [entity] kind {kind!r} has no schema in constants/_schema")
            continue
        espec = schema["entity"]
        for k in espec.get("required", []):
            if not str(ent.get(k, "")).strip():
                problems.append(f"{rel}: [entity] is missing {k!r}")
        allowed = set(espec.get("required", [])) | set(espec.get("optional", []))
        for k in ent:
            if k not in allowed:
                problems.append(f"{rel}: [entity] key {k!r} is not declared in the {kind} schema")
        cats = espec.get("categories")
        if cats and ent.get("category") not in cats:
            problems.append(f"{rel}: category {ent.get('category')!r} is not one of {cats}")
        wl = espec.get("workloads")
        if wl and ent.get("workload") not in wl:
            problems.append(f"{rel}: workload {ent.get('workload')!r} is not one of {wl}")
        key = str(ent.get("key", path.stem))
        eid = f"{kind}.{key}"
        if (kind, key) in entities:
            problems.append(f"{rel}: duplicate {kind} key {key!r} (also in {entities[(kind, key)].file})")
            continue
        lines = _row_lines(text)
        rows = doc.get("value", [])
        if not isinstance(rows, list):
            problems.append(f"{rel}: 'value' must be an array of tables ([[value]])")
            rows = []
        vals: dict[str, Constant] = {}
        for i, row in enumerate(rows):
            line = lines[i] if i < len(lines) else 0
            where = f"{rel}:{line}: row {row.get('field', '?')!r}"
            missing = [k for k in ROW_KEYS if k not in row or (k != "unit" and str(row[k]).strip() == "")]
            if missing:
                problems.append(f"{where}: missing {', '.join(missing)}")
                continue
            extra = [k for k in row if k not in ROW_KEYS and k not in OPTIONAL_ROW_KEYS]
            if extra:
                problems.append(f"{where}: unknown key(s) {', '.join(extra)}")
            fld = str(row["field"])
            lookup = f"{key}.{fld}" if kind == "knobs" else fld
            spec = _spec_for(schema["fields"], lookup)
            if spec is None:
                problems.append(f"{where}: field {lookup!r} is not declared in constants/_schema ({kind})")
                continue
            if fld in vals:
                problems.append(f"{where}: duplicate id {eid}.{fld} (first at line {vals[fld].line})")
                continue
            if row["kind"] not in KINDS:
                problems.append(f"{where}: kind {row['kind']!r} is not one of {', '.join(KINDS)}")
            if row["kind"] in NEEDS_NOTE and not str(row.get("note", "")).strip():
                problems.append(f"{where}: kind {row['kind']!r} needs a note giving the reasoning")
            if row["bibkey"] not in bib:
                problems.append(f"{where}: unknown bibkey {row['bibkey']!r} (not in citations.bib)")
            elif row["kind"] in NEEDS_LINK and not bib[row["bibkey"]].link:
                problems.append(f"{where}: {row['kind']} row cites {row['bibkey']!r}, which has no url or doi")
            read = row["read"]
            if not isinstance(read, _dt.date):
                problems.append(f"{where}: read must be an unquoted TOML date (YYYY-MM-DD)")
                read_s = str(read)
            else:
                read_s = read.isoformat()
            direction = str(row.get("direction", ""))
            if spec.direction and direction not in DIRECTIONS:
                problems.append(f"{where}: link bandwidth needs direction = \"per_direction\" or \"bidirectional_total\"")
            elif direction and direction not in DIRECTIONS:
                problems.append(f"{where}: direction {direction!r} is not one of {DIRECTIONS}")
            value = row["value"]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                problems.append(f"{where}: value {value!r} is not a finite number")
                continue
            ustr = str(row["unit"])
            try:
                udim = reg.Quantity(1.0, ustr).dimensionality
            except Exception as exc:  # noqa: BLE001 - every pint failure is a bad unit for the author
                problems.append(f"{where}: unit {ustr!r} does not parse: {exc}")
                continue
            want = dimensionality(spec.dimension)
            if udim != want:
                problems.append(f"{where}: unit {ustr!r} has dimension {udim or 'dimensionless'}, "
                                f"field expects {want or 'dimensionless'}")
                continue
            si = float(value) * si_factor(ustr, spec.si)
            if spec.min is not None and si < spec.min:
                problems.append(f"{where}: value {value} {ustr} is below the field's minimum {spec.min}")
                continue
            if spec.max is not None and si > spec.max:
                problems.append(f"{where}: value {value} {ustr} is above the field's maximum {spec.max}")
            rng = _row_range(row, value, where, problems)
            c = Constant(f"{eid}.{fld}", eid, fld, value, ustr, si, spec.si, str(row["bibkey"]),
                         str(row["locator"]), str(row["kind"]), read_s, str(row["conditions"]),
                         str(row.get("note", "")), direction, bool(row.get("exact", False)), rel, line,
                         str(row.get("working", "")).strip(), rng, str(row.get("range_basis", "")).strip())
            vals[fld] = c
        entities[(kind, key)] = Entity(kind, key, str(ent.get("name", key)), str(ent.get("category", "")),
                                       {k: str(v) for k, v in ent.items()
                                        if k not in ("kind", "key", "name", "category")}, vals, rel)
        for c in vals.values():
            constants[c.id] = c
    _check_references(entities, problems)
    if problems:
        raise CatalogError(problems)
    bibd = {k: e.as_dict() for k, e in sorted(bib.items())}
    return Catalog(entities, constants, bibd, source_hash(cdir, bibp), str(cdir))


def _check_references(entities: dict[tuple[str, str], Entity], problems: list[str]) -> None:
    """Entity attributes that name other entities: a node's ``accelerator`` must be a catalogued device, and a
    device's ``priors_from`` (the part on the same silicon whose efficiency priors it reads) a catalogued device
    other than itself with the same peak rate at every precision both catalogue — the claim the attribute makes."""
    for (kind, key), e in sorted(entities.items()):
        if kind == "node" and ("hardware", e.attrs.get("accelerator", "")) not in entities:
            problems.append(f"{e.file}: accelerator {e.attrs.get('accelerator')!r} is not a catalogued hardware key")
        src = e.attrs.get("priors_from") if kind == "hardware" else None
        if not src:
            continue
        other = entities.get(("hardware", src))
        if other is None or src == key:
            problems.append(f"{e.file}: priors_from {src!r} must name another catalogued hardware key")
            continue
        peaks = sorted(f for f in e.values if f.startswith("peak.") and f in other.values)
        if not peaks:
            problems.append(f"{e.file}: priors_from {src!r}: the two parts share no catalogued peak rate to compare")
        for f in peaks:
            if not math.isclose(e.values[f].si, other.values[f].si, rel_tol=1e-9):
                problems.append(f"{e.file}: priors_from {src!r}, but {f} differs ({e.values[f].value:g} "
                                f"{e.values[f].unit} against {other.values[f].value:g} {other.values[f].unit}): "
                                "a part reads another's efficiency priors only on the same silicon")


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The default catalogue: from the lock when it is fresh, else validated from the sources."""
    from . import paths

    cdir, bibp = paths.constants_dir(), paths.bib_path()
    lp = lock_path(cdir)
    if lp.is_file():
        try:
            doc = json.loads(lp.read_text(encoding="utf-8"))
        except ValueError:
            doc = None
        if doc and doc.get("format") == LOCK_FORMAT and doc.get("hash") == source_hash(cdir, bibp):
            return _from_lock(doc, cdir)
    return load_catalog(cdir, bib_file=bibp)


def lock_is_fresh(constants_dir: Path | None = None, bib_file: Path | None = None) -> bool:
    from . import paths

    cdir = constants_dir or paths.constants_dir()
    bibp = bib_file or paths.bib_path()
    lp = lock_path(cdir)
    if not lp.is_file():
        return False
    try:
        return json.loads(lp.read_text(encoding="utf-8")).get("hash") == source_hash(cdir, bibp)
    except ValueError:
        return False


MEASURED_PREFIX = "measured."


def prefer_measured(base: Catalog, devices: tuple[str, ...] | None = None) -> Catalog:
    """A catalogue in which every ``measured.<field>`` row replaces ``<field>`` of the same device (CITING.md:
    the datasheet row stays the default; a scenario chooses the measurement).

    The replacing row is the measurement row itself (its own id, citation, locator, kind ``measurement`` and
    conditions), so a result computed on this catalogue traces to the run that measured it. ``devices`` limits the choice to those
    hardware keys (default: every device with measured rows)."""
    entities = {}
    for k, e in base.entities.items():
        measured = {f: c for f, c in e.values.items() if f.startswith(MEASURED_PREFIX)}
        if measured and (devices is None or e.key in devices):
            values = dict(e.values)
            for f, c in measured.items():
                target = f[len(MEASURED_PREFIX):]
                values[target] = c
            e = replace(e, values=values)
        entities[k] = e
    return _derived_catalog(base, entities, "measured")


def with_overrides(base: Catalog, overrides: dict[str, Any], *, bibkey: str, locator: str,
                   kind: str = "estimate", note: str = "", attrs: dict[str, dict[str, str]] | None = None,
                   tag: str | None = None) -> Catalog:
    """A new catalogue in which the named constants take other values (a scenario's choice of data).

    ``overrides`` maps a constant id (``"hardware.H100.peak.fp16"``) to ``{"si": value, "unit": si unit,
    "direction": ..., "range": (low, high) in SI, "range_basis": ...}`` or to ``None`` (the constant is absent in
    this scenario). Every replaced or added row
    cites ``bibkey``/``locator``, so results computed on the overlay still trace to a source. Used, e.g., to
    evaluate with mlsysim 0.3.0's registry values for parity tests (see docs/deviations.toml).
    """
    entities = {k: Entity(e.kind, e.key, e.name, e.category, dict(e.attrs), dict(e.values), e.file)
                for k, e in base.entities.items()}
    # an overriding row gets its own id (<constant id>@<tag of this overlay>), so a result's .sources shows the
    # override's citation rather than the shipped row's
    if tag is None:
        tag = hashlib.sha256(json.dumps([sorted(overrides.items(), key=str), bibkey, locator, kind, attrs or {}],
                                        default=str).encode()).hexdigest()[:8]
    for eid, changes in sorted((attrs or {}).items()):
        kind_, _, key = eid.partition(".")
        ent = entities.get((kind_, key))
        if ent is None:
            raise CatalogError(f"attribute override {eid!r}: no {kind_} {key!r} in the catalogue")
        ent.attrs.update(changes)
    for cid, spec in sorted(overrides.items()):
        kind_, _, rest = cid.partition(".")
        key, _, fld = rest.partition(".")
        ent = entities.get((kind_, key))
        if ent is None:
            raise CatalogError(f"override {cid!r}: no {kind_} {key!r} in the catalogue")
        if spec is None:
            ent.values.pop(fld, None)
            continue
        old = ent.values.get(fld)
        si_unit = spec.get("unit", old.si_unit if old else "")
        direction = spec.get("direction", old.direction if old else "")
        rng = spec.get("range")
        row = Constant(f"{cid}@{tag}", ent.id, fld, spec["si"], si_unit, float(spec["si"]), si_unit, bibkey,
                       f"{locator}: {cid}", kind, "", spec.get("conditions", "override"), note, direction, False,
                       ent.file, 0, "", (float(rng[0]), float(rng[1])) if rng is not None else None,
                       spec.get("range_basis", ""))
        ent.values[fld] = _OVERLAY_ROWS[row.id] = row
    return _derived_catalog(base, entities, tag)


def _derived_catalog(base: Catalog, entities: dict, suffix: str) -> Catalog:
    """A scenario catalogue over ``base``'s bibliography, hashed ``<base hash>+<suffix>``."""
    constants = {c.id: c for e in entities.values() for c in e.values.values()}
    return Catalog(entities, constants, dict(base.bib), f"{base.hash}+{suffix}", base.root)


_OVERLAY_ROWS: dict[str, Constant] = {}
_USER_ROWS: dict[str, Constant] = {}


def user_row(entity_id: str, fld: str, si: float, unit: str, argument: str) -> Constant:
    """A value the caller supplied (a user-built model or cluster): kind ``user``, id ``user.<entity>.<field>`` (never
    a catalogue id), found by :func:`constant_by_id` so results trace it to the argument that gave it."""
    row = Constant(f"user.{entity_id}.{fld}", entity_id, fld, si, unit, si, unit, "", f"argument {argument}", "user",
                   "", "user-supplied", "", "", False, "<user>", 0)
    _USER_ROWS[row.id] = row
    return row


def constant_by_id(cid: str) -> Constant | None:
    """A row of the shipped catalogue, of an overlay built in this process (``<id>@<tag>``), or a user value."""
    return catalog().constants.get(cid) or _OVERLAY_ROWS.get(cid) or _USER_ROWS.get(cid)


class _CallableModule(__import__("types").ModuleType):
    """``mlsysim_sym.catalog`` is both this module and the public function ``catalog()``: importing a submodule
    sets the package attribute to the module, so the module answers a call with the shipped catalogue."""

    def __call__(self, *args: object, **kwargs: object) -> Catalog:
        return catalog(*args, **kwargs)  # type: ignore[arg-type]


__import__("sys").modules[__name__].__class__ = _CallableModule
