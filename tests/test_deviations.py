"""docs/deviations.toml declares every difference from mlsysim 0.3.0: its generated data part is current and
every model deviation has what/why/citation/values."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_data_deviations_are_current():
    r = subprocess.run([sys.executable, "tools/parity/write_deviations.py", "--check"], cwd=ROOT, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_deviation_is_complete_and_cited():
    from mlsysim_sym.catalog import catalog

    doc = tomllib.loads((ROOT / "docs" / "deviations.toml").read_text(encoding="utf-8"))
    bib = catalog().bib
    reasons = {r["id"] for r in doc["reason"]}
    for m in doc["model"]:
        assert {"id", "what", "why", "cite", "mlsysim", "ours", "applies"} <= set(m)
        assert m["cite"] in bib
    for d in doc["data"]:
        assert d["reason"] in reasons, d
        if "cite" in d:
            assert d["cite"] in bib
