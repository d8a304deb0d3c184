"""HAP growth (stoichiometry, saturation limit) and TNAP hydrolysis of PPi (exact MM step)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from vcsim.chemistry.growth import (
    amount_to_saturation,
    closed_box_totals,
    grow,
    growth_inhibitor_factor,
    growth_rate,
    seed_amount_mM,
)
from vcsim.chemistry.speciation import speciate
from vcsim.chemistry.tnap import hydrolyse, ppi_after_hydrolysis

POROSITY = 0.3
SEED_MM = seed_amount_mM(1.7, 1e-12)


def _grow(ca, pi, mineral, nuclei, dt, k=0.05, mg=0.85, params=None):
    ca, pi = np.asarray(ca, float), np.asarray(pi, float)
    sp = speciate(ca, pi, 7.4, 37.0, mg, 140.0)
    s_gu = sp.growth_unit_saturation("HAP")
    par = {"hap_growth_rate_per_h": k, **(params or {})}
    return grow(ca, pi, np.asarray(mineral, float), np.asarray(nuclei, float), s_gu, POROSITY, dt,
                SEED_MM, ph=7.4, temperature_c=37.0, magnesium_mM=mg, nacl_mM=140.0, params=par)


def test_seed_amount_of_a_100_nm_crystal_in_a_picolitre_site():
    assert SEED_MM == pytest.approx(1.7e-3)


@settings(max_examples=40, deadline=None)
@given(
    ca=st.lists(st.floats(0.0, 5.0), min_size=4, max_size=4),
    pi=st.lists(st.floats(0.0, 6.0), min_size=4, max_size=4),
    nuclei=st.lists(st.integers(0, 5), min_size=4, max_size=4),
    mineral=st.lists(st.floats(0.0, 2.0), min_size=4, max_size=4),
    dt=st.floats(0.01, 100.0),
    k=st.floats(1e-3, 100.0),
)
def test_growth_conserves_calcium_and_phosphorus_and_never_overshoots_saturation(ca, pi, nuclei, mineral, dt, k):
    out = _grow(ca, pi, mineral, nuclei, dt, k=k)
    before = closed_box_totals(ca, pi, mineral, POROSITY)
    after = closed_box_totals(out["calcium_mM"], out["phosphate_mM"], out["mineral_hap_mM"], POROSITY)
    assert after[0] == pytest.approx(before[0], rel=1e-13, abs=1e-14)
    assert after[1] == pytest.approx(before[1], rel=1e-13, abs=1e-14)
    assert np.all(out["growth_mM"] >= 0.0)
    assert np.all(out["calcium_mM"] >= 0.0) and np.all(out["phosphate_mM"] >= 0.0)
    grew = out["growth_mM"] > 0
    if np.any(grew):
        si_after = speciate(out["calcium_mM"][grew], out["phosphate_mM"][grew], 7.4, 37.0, 0.85,
                            140.0).saturation_index("HAP")
        assert np.all(si_after >= -1e-9)


def test_no_growth_at_or_below_saturation_or_without_nuclei():
    # undersaturated fluid (tiny Ca), and saturated fluid with nuclei, and no nuclei
    ca = np.array([1e-4, 1.2, 1.2])
    pi = np.array([1.1, 1.1, 1.1])
    x, _ = amount_to_saturation(ca[1:2], pi[1:2], POROSITY, 7.4, 37.0, 0.85, 140.0)
    ca[1] -= 10 * x[0] / POROSITY
    pi[1] -= 6 * x[0] / POROSITY
    out = _grow(ca, pi, [0.0, 0.0, 0.0], [3, 3, 0], 10.0, k=10.0)
    assert np.all(out["growth_mM"] == 0.0)
    assert np.array_equal(out["calcium_mM"], ca)


def test_large_steps_bring_the_site_to_saturation_and_small_steps_follow_the_rate():
    out = _grow([1.2], [1.1], [0.0], [1], 1e6, k=1.0)
    si = speciate(out["calcium_mM"], out["phosphate_mM"], 7.4, 37.0, 0.85, 140.0).saturation_index("HAP")
    assert 0.0 <= float(si[0]) < 1e-8
    small = _grow([1.2], [1.1], [0.0], [1], 1e-6, k=1.0)
    assert small["growth_mM"][0] == pytest.approx(small["rate_mM_per_h"][0] * 1e-6, rel=1e-6)


def test_growth_rate_is_parabolic_in_relative_supersaturation():
    r1 = growth_rate(2.0, 0.0, 1.0, SEED_MM, 1.0, 2.0)
    r2 = growth_rate(3.0, 0.0, 1.0, SEED_MM, 1.0, 2.0)
    assert r2 / r1 == pytest.approx(4.0)
    assert growth_rate(1.0, 0.5, 1.0, SEED_MM, 1.0) == 0.0
    assert growth_rate(0.5, 0.5, 1.0, SEED_MM, 1.0) == 0.0
    # a fresh nucleus gains k sigma^n of its seed per hour
    assert growth_rate(2.0, 0.0, 1.0, SEED_MM, 0.3, 2.0) == pytest.approx(0.3 * SEED_MM)


def test_ppi_magnesium_and_cmgp_slow_growth():
    assert float(growth_inhibitor_factor()) == 1.0
    for kw in ({"ppi_uM": 2.5}, {"mg_mM": 0.85}, {"cmgp_nM": 50.0}):
        assert 0.0 < float(growth_inhibitor_factor(**kw)) < 1.0
    ca, pi = np.array([1.2]), np.array([1.1])
    s_gu = speciate(ca, pi, 7.4, 37.0, 0.85, 140.0).growth_unit_saturation("HAP")

    def step(phi):
        return grow(ca, pi, np.zeros(1), np.ones(1), s_gu, POROSITY, 0.01, SEED_MM, ph=7.4,
                    temperature_c=37.0, magnesium_mM=0.85, nacl_mM=140.0,
                    inhibitor_factor=phi)["growth_mM"][0]

    assert step(growth_inhibitor_factor(ppi_uM=2.5)) < step(1.0)
    assert step(growth_inhibitor_factor(ppi_uM=10.0)) < step(growth_inhibitor_factor(ppi_uM=2.5))


def test_amount_to_saturation_lands_just_above_s_equals_one():
    ca = np.array([1.2, 2.0, 0.3, 5.0])
    pi = np.array([1.1, 2.0, 3.0, 0.05])
    x, si = amount_to_saturation(ca, pi, POROSITY, 7.4, 37.0, 0.85, 140.0)
    assert np.all((si >= 0.0) & (si <= 1e-9))
    assert np.all(x < POROSITY * np.minimum(ca / 10, pi / 6))


# ----------------------------------------------------------------------------------- TNAP


@pytest.mark.parametrize("p0,vmax,km,dt", [
    (2.5, 1.0, 50.0, 1.0),     # plasma PPi, first-order regime
    (20.0, 30.0, 5.0, 1.0),    # near zero order, almost all hydrolysed
    (8.0, 3.0, 8.0, 2.5),      # mixed
    (0.5, 100.0, 0.1, 1.0),    # very fast: tiny remainder
])
def test_exact_michaelis_menten_step_matches_a_fine_ode_solution(p0, vmax, km, dt):
    sol = solve_ivp(lambda t, p: -vmax * p / (km + p), (0.0, dt), [p0], method="LSODA",
                    rtol=1e-11, atol=1e-14)
    exact = float(ppi_after_hydrolysis(p0, vmax, km, dt))
    assert exact == pytest.approx(sol.y[0, -1], rel=1e-7, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(p0=st.floats(0.0, 100.0), vmax=st.floats(0.0, 1000.0), km=st.floats(0.1, 5000.0),
       dt=st.floats(0.0, 24.0), pi=st.floats(0.0, 5.0))
def test_tnap_conserves_phosphorus_and_never_goes_negative(p0, vmax, km, dt, pi):
    ppi, new_pi, hydrolysed = hydrolyse(np.array([p0]), np.array([pi]), np.array([vmax]), km, dt)
    assert 0.0 <= ppi[0] <= p0
    assert hydrolysed[0] >= 0.0
    assert new_pi[0] + 2 * ppi[0] / 1000 == pytest.approx(pi + 2 * p0 / 1000, rel=1e-14, abs=1e-15)


def test_tnap_without_enzyme_or_substrate_changes_nothing():
    assert float(ppi_after_hydrolysis(3.0, 0.0, 50.0, 1.0)) == 3.0
    assert float(ppi_after_hydrolysis(0.0, 10.0, 50.0, 1.0)) == 0.0
