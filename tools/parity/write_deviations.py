"""Regenerate the data part of docs/deviations.toml from the catalogue and the mlsysim-0.3.0 edition's data
(mlsysim_sym/editions/mlsysim-0.3.0.json).

The file has a hand-written part (model deviations and reasons) above the marker line, and a generated part
below it: one [[data]] row per catalogue constant whose value differs from what mlsysim 0.3.0 uses. Each row
names its reason (a [[reason]] of the hand-written part) and our citation. ``tests/test_deviations.py``
checks the generated part is current. Run from the repository root.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
MARKER = "# ---- generated below by tools/parity/write_deviations.py: do not edit ----"
PATH = ROOT / "docs" / "deviations.toml"


def classify(cid: str, ours, theirs, cat) -> str:
    ent_kind, key, fld = cid.split(".", 2)
    if ours is None and fld.startswith("peak.") and theirs is not None:
        return "explicit-precision"
    if ours is None:
        return "absent-here"
    if theirs is None:
        return "absent-in-0.3.0"
    c = cat.constants[cid]
    if fld.endswith("capacity") and abs(theirs / ours - 2 ** 30 / 1e9) < 1e-6 or \
            fld.endswith("capacity") and abs(theirs / ours - 2 ** 20 / 1e6) < 1e-6 or \
            fld.endswith("capacity") and abs(theirs / ours - 2 ** 40 / 1e12) < 1e-6:
        return "capacity-as-printed"
    if fld == "host_link.bandwidth" and c.direction == "bidirectional_total" and abs(theirs * 2 / c.si - 1) < 1e-9:
        return "link-direction"
    if fld.startswith("peak.") and key.startswith("Jetson"):
        return "dense-not-sparse"
    if c.kind in ("estimate", "assumption", "convention"):
        return "estimate-differs"
    return "source-prints-other"


def main() -> int:
    from mlsysim_sym.catalog import catalog

    cat = catalog()
    ov = json.loads((ROOT / "mlsysim_sym/editions/mlsysim-0.3.0.json").read_text(encoding="utf-8"))["overrides"]
    rows = []
    for cid, spec in sorted(ov.items()):
        c = cat.constants.get(cid)
        ours = None if c is None else c.si
        theirs = None if spec is None else spec["si"]
        reason = classify(cid, ours, theirs, cat)
        if c is not None and reason == "link-direction":
            continue  # same link, same per-direction value: not a difference
        lines = ["[[data]]", f'id = "{cid}"', f'reason = "{reason}"']
        lines.append(f"mlsysim = {theirs!r}" if theirs is not None else 'mlsysim = "absent"')
        lines.append(f"ours = {ours!r}" if ours is not None else 'ours = "absent"')
        if c is not None:
            lines.append(f'unit = "{c.si_unit}"')
            lines.append(f'cite = "{c.bibkey}"')
            lines.append(f'printed = "{c.printed}"')
        rows.append("\n".join(lines))
    head = PATH.read_text(encoding="utf-8").split(MARKER)[0].rstrip() + "\n\n" + MARKER + "\n"
    text = head + "\n" + "\n\n".join(rows) + "\n"
    if "--check" in sys.argv[1:]:
        if PATH.read_text(encoding="utf-8") != text:
            print("docs/deviations.toml is stale: run `python tools/parity/write_deviations.py`")
            return 1
        print(f"{len(rows)} data deviations, current")
        return 0
    PATH.write_text(text, encoding="utf-8")
    print(f"{len(rows)} data deviations written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
