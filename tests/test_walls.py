"""Walls: registration dimension-checks every equation; a planted inconsistent wall is rejected."""
from __future__ import annotations

import pytest
import sympy as sp

from mlsysim_sym.errors import DimensionError
from mlsysim_sym.notation import SYMBOLS
from mlsysim_sym.units import dimensionality
from mlsysim_sym.walls import COEFFICIENTS, EQUATIONS, WALLS, load_all, taxonomy, wall, walls_in_domain
from mlsysim_sym.walls._core import Equation, S, Wall, register_wall
from mlsysim_sym.walls._dimcheck import dim_of

load_all()


def test_planted_unit_mismatch_is_rejected_naming_the_node():
    # the classic bug: a bare 2·P·B (dimensionless) where FLOPs were meant, maxed against a time
    bad = Equation("planted.bad", "T", sp.Max(S("W") / S("BW"), 2 * S("P") * S("B") / S("R_peak")), "planted")
    with pytest.raises(DimensionError) as exc:
        register_wall(Wall(99, "Planted", "node", "None", "planted", (bad,)))
    msg = str(exc.value)
    assert "planted.bad" in msg and "Max mixes" in msg and "W/BW" in msg
    assert 99 not in WALLS


def test_planted_lhs_mismatch_is_rejected():
    bad = Equation("planted.lhs", "T", S("O_fwd") / S("BW"), "planted")
    with pytest.raises(DimensionError, match="planted.lhs"):
        register_wall(Wall(98, "Planted", "node", "None", "planted", (bad,)))


def test_every_free_symbol_is_in_the_notation_table():
    for eq in EQUATIONS.values():
        for s in eq.rhs.free_symbols:
            assert s.name in SYMBOLS or s.name in COEFFICIENTS, (eq.id, s.name)
        assert eq.lhs in SYMBOLS


def test_every_equation_has_its_lhs_dimension():
    for eq in EQUATIONS.values():
        if isinstance(eq.rhs, (sp.core.relational.Relational, sp.And, sp.Or)):
            continue
        assert dim_of(eq.rhs, eq.id) == dimensionality(SYMBOLS[eq.lhs].unit), eq.id


def test_house_notation_uses_roman_word_subscripts():
    assert SYMBOLS["R_peak"].latex == r"R_{\text{peak}}"
    assert SYMBOLS["eta_hw"].latex == r"\eta_{\text{hw}}"
    assert SYMBOLS["BW"].latex == r"\text{BW}"


def test_wall_lookup_and_domains():
    assert wall(1).name == "Compute" and wall(2).name == "Memory" and wall(4).name == "Serving"
    assert {w.number for w in walls_in_domain("node")} >= {1, 2, 4}
    assert "node" in taxonomy()


def test_equations_cite_known_bibkeys():
    from mlsysim_sym.catalog import catalog

    bib = catalog().bib
    for eq in EQUATIONS.values():
        for c in eq.cites:
            assert c.bibkey in bib, (eq.id, c.bibkey)
