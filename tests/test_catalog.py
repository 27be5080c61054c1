"""Catalogue loading: every row cited and unit-checked; planted errors fail with file:line and reason."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mlsysim_sym import paths
from mlsysim_sym.catalog import Catalog, catalog, load_catalog, lock_is_fresh
from mlsysim_sym.errors import CatalogError

ROW = '''
[[value]]
field = "{field}"
value = {value}
unit = "{unit}"
bibkey = "{bibkey}"
locator = "p. 1"
kind = "{kind}"
read = 2026-11-23
conditions = "test row"
note = "{note}"
'''

HEAD = '''[entity]
kind = "hardware"
key = "Planted"
category = "Cloud"
name = "Planted device"
'''


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A minimal data root: the real schema and bibliography, one good device file."""
    root = tmp_path / "data"
    (root / "constants").mkdir(parents=True)
    shutil.copytree(paths.constants_dir() / "_schema", root / "constants" / "_schema")
    shutil.copy(paths.bib_path(), root / "citations.bib")
    (root / "constants" / "hardware").mkdir()
    return root


def write(root: Path, body: str) -> Path:
    p = root / "constants" / "hardware" / "Planted.toml"
    p.write_text(HEAD + body, encoding="utf-8")
    return p


def row(**kw) -> str:
    base = {"field": "memory.capacity", "value": 80, "unit": "GB", "bibkey": "williams2009roofline",
            "kind": "datasheet", "note": ""}
    base.update(kw)
    return ROW.format(**base)


def load(root: Path) -> Catalog:
    return load_catalog(root / "constants", bib_file=root / "citations.bib")


def test_good_row_loads(tree):
    write(tree, row())
    cat = load(tree)
    c = cat.get("hardware.Planted.memory.capacity")
    assert c.si == 80e9 and c.si_unit == "B" and c.printed == "80 GB"


@pytest.mark.parametrize("body,needle", [
    (row(bibkey="nosuchkey2020"), "unknown bibkey 'nosuchkey2020'"),
    (row(unit="GB/s"), "field expects [information]"),
    (row(unit="parsecs of fun"), "does not parse"),
    (row(value=-5), "below the field's minimum"),
    (row(kind="estimate", note=""), "needs a note"),
    (row(kind="rumour"), "kind 'rumour' is not one of"),
    (row() + row(), "duplicate id hardware.Planted.memory.capacity"),
    (row(field="memory.colour"), "not declared in constants/_schema"),
    (row(field="host_link.bandwidth", unit="GB/s"), "needs direction"),
    (row().replace('bibkey = "williams2009roofline"\n', ""), "missing bibkey"),
], ids=["unknown-bibkey", "dimension", "bad-unit", "negative-capacity", "estimate-without-note", "bad-kind",
        "duplicate-id", "undeclared-field", "link-direction", "uncited"])
def test_planted_errors_name_file_line_and_reason(tree, body, needle):
    write(tree, body)
    with pytest.raises(CatalogError) as exc:
        load(tree)
    msg = str(exc.value)
    assert "constants/hardware/Planted.toml:" in msg
    assert needle in msg


def test_row_line_is_the_value_table(tree):
    write(tree, row() + row(field="memory.bandwidth", unit="GB", value=1))
    with pytest.raises(CatalogError) as exc:
        load(tree)
    lines = (tree / "constants/hardware/Planted.toml").read_text(encoding="utf-8").splitlines()
    line_no = int(str(exc.value).split("Planted.toml:")[1].split(":")[0])
    assert lines[line_no - 1] == "[[value]]"
    assert "field = \"memory.bandwidth\"" in lines[line_no]


def test_malformed_toml_is_reported(tree):
    (tree / "constants/hardware/Planted.toml").write_text(HEAD + "[[value]\nfield = ", encoding="utf-8")
    with pytest.raises(CatalogError, match="malformed TOML"):
        load(tree)


def test_broken_bib_block_is_fatal(tree):
    write(tree, row())
    bib = tree / "citations.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@misc{broken2020,\n  title = {unclosed\n")
    with pytest.raises(CatalogError):
        load(tree)


def test_duplicate_bib_key_is_fatal(tree):
    write(tree, row())
    bib = tree / "citations.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@misc{williams2009roofline,\n  title = {again},\n  year = {2009}\n}\n")
    with pytest.raises(CatalogError, match="duplicate"):
        load(tree)


def test_hash_concatenation_is_banned(tree):
    write(tree, row())
    bib = tree / "citations.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + '\n@misc{concat2020,\n  title = "a" # "b",\n  year = {2020}\n}\n')
    with pytest.raises(CatalogError, match="concatenation"):
        load(tree)


def test_shipped_catalogue_validates_and_lock_is_fresh():
    cat = load_catalog()
    assert len(cat) > 1000
    assert lock_is_fresh(), "constants/catalog.lock.json is stale: run `mlsysim-sym check --update-lock`"
    fast = catalog()
    assert fast.hash == cat.hash and len(fast) == len(cat)
    assert fast.get("hardware.A100.memory.bandwidth") == cat.get("hardware.A100.memory.bandwidth")


def test_every_datasheet_paper_report_row_has_a_link_and_locator():
    cat = catalog()
    for c in cat:
        assert c.locator.strip(), c.id
        if c.kind in ("datasheet", "paper", "report"):
            assert cat.bib[c.bibkey]["url"], f"{c.id} cites {c.bibkey} without url/doi"


def test_find_get_table():
    cat = catalog()
    hits = cat.find("bandwidth")
    assert any(c.id == "hardware.H100.memory.bandwidth" for c in hits)
    rows = cat.table("hardware")
    assert rows and all(r["id"].startswith("hardware.") for r in rows)


def test_describe_card_shows_sources():
    from mlsysim_sym import Hardware

    card = Hardware.Cloud.H100.describe()
    assert "memory.bandwidth" in card and "nvidia" in card


def test_unknown_key_did_you_mean():
    from mlsysim_sym import Hardware, Models
    from mlsysim_sym.errors import UnknownKeyError

    with pytest.raises(UnknownKeyError, match="did you mean 'H100'"):
        Hardware.get("H10O")
    with pytest.raises(UnknownKeyError, match="ResNet50"):
        Models.Vision.ResNet5O


def _device(root: Path, key: str, peak: float, priors_from: str | None = None) -> None:
    attr = f'priors_from = "{priors_from}"\n' if priors_from else ""
    body = HEAD.replace('key = "Planted"', f'key = "{key}"') + attr + row(field="peak.bf16", value=peak,
                                                                          unit="TFLOPS")
    (root / "constants" / "hardware" / f"{key}.toml").write_text(body, encoding="utf-8")


@pytest.mark.parametrize("peak,src,needle", [
    (312, "Nowhere", "priors_from 'Nowhere' must name another catalogued hardware key"),
    (312, "Child", "must name another catalogued hardware key"),
    (156, "Parent", "peak.bf16 differs (156 TFLOPS against 312 TFLOPS)"),
], ids=["unknown", "itself", "other-silicon"])
def test_priors_from_is_checked_when_the_catalogue_loads(tree, peak, src, needle):
    """A part reads another's efficiency priors only on the same silicon: the named part must exist, be another,
    and have the same peak at every precision both catalogue."""
    _device(tree, "Parent", 312)
    _device(tree, "Child", peak, src)
    with pytest.raises(CatalogError, match=re.escape(needle)):
        load(tree)
    _device(tree, "Child", 312, "Parent")
    assert load(tree).entities[("hardware", "Child")].attrs["priors_from"] == "Parent"
