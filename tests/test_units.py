"""The one unit registry: real dimensions for bytes, FLOP, currency, CO2e; distinct GB and GiB."""
from __future__ import annotations

import pytest
from pint.errors import DimensionalityError

from mlsysim_sym.errors import UnitError
from mlsysim_sym.units import Q_, fast_factor, parse_quantity, si_factor, ureg


def test_bytes_plus_number_raises():
    with pytest.raises(DimensionalityError):
        Q_("1 GB") + 5


def test_flops_plus_bandwidth_raises():
    with pytest.raises(DimensionalityError):
        Q_("1 TFLOP/s") + Q_("1 GB/s")


def test_currency_and_emissions_are_dimensions():
    with pytest.raises(DimensionalityError):
        Q_("5 USD") + Q_("1 kgCO2e")
    with pytest.raises(DimensionalityError):
        Q_("5 USD") + 1
    assert Q_("1 tCO2e").m_as("kgCO2e") == 1000


def test_decimal_and_binary_prefixes_are_distinct():
    assert Q_("1 GB").m_as("B") == 1e9
    assert Q_("1 GiB").m_as("B") == 2**30
    assert Q_("1 KiB").m_as("B") == 1024


def test_year_is_365_days():
    assert Q_("1 year").m_as("day") == 365
    assert Q_("1 julian_year").m_as("day") == 365.25


def test_mac_is_two_flop():
    assert Q_("4.1 GMAC").m_as("GFLOP") == pytest.approx(8.2, rel=1e-15)


def test_tops_counts_integer_ops_as_compute():
    assert Q_("624 TOPS").dimensionality == ureg().get_dimensionality("FLOP/s")


def test_counts_are_dimensionless():
    assert Q_("8.03 Gparam").dimensionless
    assert Q_("1 token").dimensionless


def test_parse_quantity_checks_dimension():
    assert parse_quantity("50 GB/s", "B/s").m_as("B/s") == 50e9
    with pytest.raises(UnitError):
        parse_quantity("50 GB", "B/s")
    with pytest.raises(UnitError):
        parse_quantity("50 furlongs/fortnight")


def test_si_factor_rejects_dimension_clash():
    with pytest.raises(UnitError):
        si_factor("GB", "s")


@pytest.mark.parametrize("a,b", [("s", "ms"), ("B/s", "GB/s"), ("FLOP/s", "TFLOP/s"), ("B", "GiB"), ("J", "kJ")])
def test_fast_display_factor_agrees_with_pint(a, b):
    assert fast_factor(a, b) == pytest.approx(si_factor(a, b), rel=1e-15)
