"""``mlsysim-sym check``: audit the catalogue, the bibliography, the lock and the generated code.

Fails (problems listed) on: any catalogue row that does not validate (uncited, unknown bibkey, missing
locator, unit or dimension mismatch, duplicate id, bib parse failure — all raised by the validating load),
a bibliography entry no constant and no equation cites, a stale ``catalog.lock.json`` (data changed without
``--update-lock``), a constant marked ``exact`` whose value changed, generated numeric code that differs
from a fresh generation, and an efficiency prior read through the walls (derivations/prior_inversions.py) whose
catalogued value or range no longer equals what the walls read from its source runs.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from . import paths
from .catalog import KINDS, NEEDS_WORKING, load_catalog, lock_path, source_hash, write_lock
from .errors import CatalogError

#: the bibkey of mlsysim 0.3.0's own registry: a last-resort source, counted separately by the audit
REFERENCE_REGISTRY = "mlsysim2026registry"
#: "[bibkey" or "[bibkey, locator]" inside a working or range basis
_BRACKETED = re.compile(r"\[([a-z][a-z0-9]+[0-9]{4}[a-z0-9]*)[,\]]")


def _priors_read_through_the_walls(problems: list[str]) -> int:
    """The priors the derivation ``prior_inversions`` reads through the walls from their source runs, checked against
    the catalogue: a row whose reading moved (a wall, a kernel's share or a run changed) is a problem naming the
    reading to write. Returns how many priors are read that way (0 without the derivation)."""
    import sys

    from .export.registry import derivation_name, load_derivation

    path = paths.derivations_dir() / "prior_inversions.py"
    if not path.is_file():
        return 0
    try:
        mod = sys.modules.get(derivation_name(path)) or load_derivation(path)
        problems.extend(mod.stale())
        return len(mod.read_priors())
    except Exception as exc:        # a broken derivation is reported, not raised: the audit lists every problem
        problems.append(f"{path.name}: the priors read through the walls could not be checked ({exc})")
        return 0


def audit(update_lock: bool = False) -> dict[str, Any]:
    problems: list[str] = []
    cdir, bibp = paths.constants_dir(), paths.bib_path()
    try:
        cat = load_catalog(cdir, bib_file=bibp)
    except CatalogError as exc:
        return {"constants": 0, "cited": 0, "uncited": 0, "by_kind": {}, "bibkeys": 0, "problems": exc.problems}
    from . import codegen
    from .walls import COEFFICIENTS, EQUATIONS, load_all

    load_all()
    used = {c.bibkey for c in cat}
    # a row's working or range basis may cite further documents as [bibkey, locator]
    for c in cat:
        for text in (c.working, c.range_basis):
            for key in _BRACKETED.findall(text):
                if key in cat.bib:
                    used.add(key)
                else:
                    problems.append(f"{c.file}:{c.line}: {c.id} names [{key}] in its working or range basis, "
                                    "which is not in citations.bib")
    used |= {cite.bibkey for eq in EQUATIONS.values() for cite in eq.cites}
    used |= {c.cite.bibkey for c in COEFFICIENTS.values()}
    # the published measurements the validation report judges the model on cite their sources too
    import tomllib

    try:
        vsets = paths.validation_sets()
    except FileNotFoundError as exc:
        problems.append(str(exc))
        vsets = ()
    for stray in sorted(set(paths.derivations_dir().glob("validation_*.toml")) - set(vsets)):
        problems.append(f"{stray.name}: not in {paths.VALIDATION_SET}'s include list, so the report does not judge it")
    for vset in vsets:
        for row in tomllib.loads(vset.read_text(encoding="utf-8")).get("row", []):
            for key in [str(row.get("bibkey", "")), *map(str, row.get("see", []))]:
                if key in cat.bib:
                    used.add(key)
                else:
                    problems.append(f"{vset.name}: row {row.get('id')!r} cites {key!r}, which is not in citations.bib")
    for key in sorted(set(cat.bib) - used):
        problems.append(f"{bibp.name}: entry {key!r} is cited by no constant and no equation")
    for eq in EQUATIONS.values():
        for cite in eq.cites:
            if cite.bibkey not in cat.bib:
                problems.append(f"equation {eq.id}: unknown bibkey {cite.bibkey!r}")
    read_through = _priors_read_through_the_walls(problems)
    lp = lock_path(cdir)
    old = json.loads(lp.read_text(encoding="utf-8")) if lp.is_file() else None
    if old:
        prev = {f"{e['kind']}.{e['key']}.{row[0]}": row for e in old["entities"] for row in e["values"]}
        for c in cat:
            row = prev.get(c.id)
            if row is not None and row[12] and (row[1] != c.value or row[2] != c.unit):
                problems.append(f"{c.file}:{c.line}: constant {c.id} is marked exact but changed "
                                f"from {row[1]} {row[2]} to {c.printed}")
    fresh = old is not None and old.get("hash") == source_hash(cdir, bibp)
    if update_lock and not problems:
        write_lock(cat, cdir)
        fresh = True
    elif not fresh:
        problems.append(f"{lp.relative_to(cdir.parent)} is stale: constants/ or citations.bib changed; "
                        "run `mlsysim-sym check --update-lock` after reviewing the change")
    if not codegen.is_current():
        problems.append("mlsysim_sym/_generated/numeric.py differs from the walls; run `mlsysim-sym codegen`")
    by_kind = Counter(c.kind for c in cat)
    n = len(cat)
    est = by_kind.get("estimate", 0) + by_kind.get("assumption", 0)
    # where a citation leads an auditor: the kind of document (datasheet pages and papers are @misc/@article/…),
    # and how many rows end at the reference implementation's own registry rather than a primary source
    by_source_type = Counter(str(cat.bib[c.bibkey].get("type", "?")) for c in cat if c.bibkey in cat.bib)
    reference = sum(1 for c in cat if c.bibkey == REFERENCE_REGISTRY)
    return {
        "constants": n,
        "cited": sum(1 for c in cat if c.bibkey in cat.bib),
        "uncited": sum(1 for c in cat if c.bibkey not in cat.bib),
        "by_kind": {k: by_kind.get(k, 0) for k in KINDS},
        "by_kind_share": {k: round(by_kind.get(k, 0) / n, 4) if n else 0.0 for k in KINDS},
        "estimate_or_assumption_share": round(est / n, 4) if n else 0.0,
        "by_source_type": dict(sorted(by_source_type.items())),
        "by_source_type_share": {k: round(v / n, 4) if n else 0.0 for k, v in sorted(by_source_type.items())},
        "reference_registry_rows": reference,
        "reference_registry_share": round(reference / n, 4) if n else 0.0,
        "estimates_without_working": sum(1 for c in cat if c.kind in NEEDS_WORKING and not c.working),
        "rows_with_range": sum(1 for c in cat if c.range is not None),
        "priors_read_through_walls": read_through,
        "bibkeys": len(cat.bib),
        "entities": len(cat.entities),
        "catalog_hash": cat.hash,
        "lock": "fresh" if fresh else "stale",
        "problems": problems,
    }
