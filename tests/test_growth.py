"""The surface rate laws of the mineral: crystal surface, HAP growth, HAP dissolution, TNAP."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcsim.chemistry.crystals import AVOGADRO_PER_MOL, crystal_surface_m2_per_L, seed_amount_mM
from vcsim.chemistry.dissolution import (
    dissolution_inhibitor_factor,
    dissolution_rate,
    dissolution_rate_constant,
    dissolution_rate_slope,
)
from vcsim.chemistry.growth import growth_inhibitor_factor, growth_rate, growth_rate_slope
from vcsim.chemistry.tnap import tnap_rate, tnap_rate_slope

SITE_L = 1e-12
SEED_MM = seed_amount_mM(1.7, SITE_L)
VF = 5.28e-28


def test_seed_amount_of_a_100_nm_crystal_in_a_picolitre_site():
    assert SEED_MM == pytest.approx(1.7e-3)


def test_a_fresh_nucleus_has_the_surface_of_its_seed_sphere():
    # 1.7 amol of HAP formula units of 5.28e-28 m3 is a sphere of radius ~52 nm
    volume = 1.7e-18 * AVOGADRO_PER_MOL * VF
    radius = (3 * volume / (4 * math.pi)) ** (1 / 3)
    area = float(crystal_surface_m2_per_L(0.0, 1.0, SEED_MM, SITE_L, VF))
    assert area * SITE_L == pytest.approx(4 * math.pi * radius**2, rel=1e-12)
    assert float(crystal_surface_m2_per_L(0.5, 0.0, SEED_MM, SITE_L, VF)) == 0.0


@settings(max_examples=50, deadline=None)
@given(m=st.floats(0.0, 50.0), n=st.integers(1, 200))
def test_surface_scales_as_amount_to_two_thirds_and_crystal_number_to_one_third(m, n):
    base = float(crystal_surface_m2_per_L(m, n, SEED_MM, SITE_L, VF))
    # n equal spheres holding the same mineral: 8x the amount gives 4x the surface ...
    more = float(crystal_surface_m2_per_L(8 * m + 7 * n * SEED_MM, n, SEED_MM, SITE_L, VF))
    assert more == pytest.approx(4 * base, rel=1e-10)
    # ... and the same total volume split into 8x the crystals has 2x the surface
    split = float(crystal_surface_m2_per_L(m - 7 * n * SEED_MM, 8 * n, SEED_MM, SITE_L, VF)) \
        if m >= 7 * n * SEED_MM else None
    if split is not None:
        assert split == pytest.approx(2 * base, rel=1e-10)


def test_growth_is_parabolic_in_relative_supersaturation_and_zero_at_or_below_saturation():
    r1 = growth_rate(2.0, 1.0, 1e-10, 2.0)
    r2 = growth_rate(3.0, 1.0, 1e-10, 2.0)
    assert r2 / r1 == pytest.approx(4.0)
    assert float(growth_rate(1.0, 1.0, 1e-10)) == 0.0
    assert float(growth_rate(0.5, 1.0, 1e-10)) == 0.0
    # units: 1 m2 per litre of tissue at sigma = 1 grows k mol/(L s) = 3.6e6 k mM/h
    assert float(growth_rate(2.0, 1.0, 1e-10, 2.0)) == pytest.approx(3.6e-4)


def test_growth_slope_is_the_derivative_of_the_rate():
    s = np.array([1.2, 2.0, 5.0])
    h = 1e-6
    numeric = (growth_rate(s + h, 2.0, 1e-10, 2.0) - growth_rate(s - h, 2.0, 1e-10, 2.0)) / (2 * h)
    assert growth_rate_slope(s, 2.0, 1e-10, 2.0) == pytest.approx(numeric, rel=1e-6)


def test_ppi_magnesium_and_cmgp_slow_growth():
    assert float(growth_inhibitor_factor()) == 1.0
    for kw in ({"ppi_uM": 2.5}, {"mg_mM": 0.85}, {"cmgp_nM": 50.0}):
        assert 0.0 < float(growth_inhibitor_factor(**kw)) < 1.0
    assert growth_inhibitor_factor(ppi_uM=10.0) < growth_inhibitor_factor(ppi_uM=2.5)


def test_dissolution_acts_only_below_saturation_with_order_two_in_the_undersaturation():
    k = float(dissolution_rate_constant(7.4, -6.0, -4.29, 0.171))
    assert float(dissolution_rate(1.0, 1.0, k)) == 0.0
    assert float(dissolution_rate(1.5, 1.0, k)) == 0.0
    r_half = float(dissolution_rate(0.5, 1.0, k, 2.0))
    r_quarter = float(dissolution_rate(0.75, 1.0, k, 2.0))
    assert r_half / r_quarter == pytest.approx(4.0)
    s = np.array([0.1, 0.5, 0.9])
    h = 1e-6
    numeric = -(dissolution_rate(s + h, 1.0, k) - dissolution_rate(s - h, 1.0, k)) / (2 * h)
    assert dissolution_rate_slope(s, 1.0, k) == pytest.approx(numeric, rel=1e-6)


def test_dissolution_rate_constant_is_palandri_kharaka_and_rises_in_acid():
    k74 = float(dissolution_rate_constant(7.4, -6.0, -4.29, 0.171))
    assert k74 == pytest.approx(1e-6 + 10 ** (-4.29 - 0.171 * 7.4), rel=1e-12)
    assert float(dissolution_rate_constant(5.0, -6.0, -4.29, 0.171)) > 2 * k74
    # pyrophosphate slows dissolution (Fleisch, Russell & Francis 1969)
    assert float(dissolution_inhibitor_factor(5.0, 1.0)) == pytest.approx(1 / 6)


# ----------------------------------------------------------------------------------- TNAP
@settings(max_examples=60, deadline=None)
@given(p=st.floats(0.0, 100.0), vmax=st.floats(0.0, 1000.0), km=st.floats(0.1, 5000.0))
def test_tnap_is_michaelis_menten_with_its_derivative(p, vmax, km):
    h = float(tnap_rate(p, vmax, km))
    assert h == pytest.approx(vmax * p / (km + p), rel=1e-14, abs=1e-300)
    assert 0.0 <= h <= vmax
    assert float(tnap_rate_slope(p, vmax, km)) == pytest.approx(vmax * km / (km + p) ** 2, rel=1e-14)


def test_tnap_without_enzyme_or_substrate_does_nothing():
    assert float(tnap_rate(3.0, 0.0, 50.0)) == 0.0
    assert float(tnap_rate(0.0, 10.0, 50.0)) == 0.0
    assert float(tnap_rate(-1.0, 10.0, 50.0)) == 0.0
