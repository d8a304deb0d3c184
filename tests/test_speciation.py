"""Speciation: mass balance, charge bookkeeping, acid-base limits, Davies, serum saturation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcsim.chemistry.speciation import (
    CHARGES,
    EQUILIBRIA,
    PHASES,
    davies_a,
    davies_log_gamma,
    hap_saturation,
    log_kw,
    speciate,
)

CA_PAIRS = ("CaHPO4", "CaH2PO4+", "CaPO4-")
MG_PAIRS = ("MgHPO4", "MgH2PO4+", "MgPO4-")
P_SPECIES = ("H3PO4", "H2PO4-", "HPO4-2", "PO4-3", *CA_PAIRS, *MG_PAIRS, "NaHPO4-")

conc = st.floats(min_value=0.0, max_value=6.0, allow_nan=False)
ph_values = st.floats(min_value=6.8, max_value=7.8)
temps = st.floats(min_value=0.0, max_value=60.0)


def _totals(r):
    c = r.concentrations
    ca = c["Ca+2"] + sum(c[s] for s in CA_PAIRS)
    mg = c["Mg+2"] + sum(c[s] for s in MG_PAIRS)
    p = sum(c[s] for s in P_SPECIES)
    return ca * 1e3, mg * 1e3, p * 1e3


@settings(max_examples=60, deadline=None)
@given(ca=conc, pi=conc, mg=conc, ph=ph_values, t=temps, nacl=st.floats(0.0, 300.0))
def test_mass_balance_of_calcium_magnesium_and_phosphate_closes(ca, pi, mg, ph, t, nacl):
    r = speciate(ca, pi, ph, t, mg, nacl)
    ca_t, mg_t, p_t = _totals(r)
    assert ca_t == pytest.approx(ca, rel=1e-11, abs=1e-15)
    assert mg_t == pytest.approx(mg, rel=1e-11, abs=1e-15)
    assert p_t == pytest.approx(pi, rel=1e-11, abs=1e-15)


@settings(max_examples=40, deadline=None)
@given(ca=conc, pi=conc, mg=conc, ph=ph_values, nacl=st.floats(0.0, 300.0))
def test_ionic_strength_recomputed_from_species_equals_reported_and_solution_is_neutral(ca, pi, mg, ph, nacl):
    r = speciate(ca, pi, ph, 37.0, mg, nacl)
    c = r.concentrations
    ionic = 0.5 * sum(z * z * c[name] for name, z in CHARGES.items())
    assert float(ionic) == pytest.approx(float(r.ionic_strength), rel=1e-12)
    net = sum(z * c[name] for name, z in CHARGES.items())
    assert abs(float(net)) <= 1e-12 * float(r.ionic_strength)
    # the activity coefficients are those of the reported ionic strength (to tolerance)
    g2 = 10.0 ** davies_log_gamma(2, r.ionic_strength, 37.0)
    assert float(r.gamma[2]) == pytest.approx(float(g2), rel=1e-8)


def test_without_calcium_there_are_no_calcium_pairs():
    r = speciate(0.0, 1.5, 7.4, 37.0, 0.8, 140.0)
    for name in CA_PAIRS + ("Ca+2",):
        assert float(r.concentrations[name]) == 0.0
    assert float(r.concentrations["MgHPO4"]) > 0.0


def test_hpo4_to_h2po4_ratio_follows_pka2_at_low_ionic_strength():
    ph = 7.0
    r = speciate(0.0, 1e-6, ph, 25.0, 0.0, 0.0)
    assert float(r.ionic_strength) < 1e-6
    pka2 = -EQUILIBRIA["Ka2"].log_k(25.0)
    assert pka2 == pytest.approx(7.207, abs=1e-9)
    ratio = r.concentrations["HPO4-2"] / r.concentrations["H2PO4-"]
    assert float(ratio) == pytest.approx(10.0 ** (ph - pka2), rel=5e-3)
    # in activities the relation is exact at any ionic strength
    r2 = speciate(1.2, 1.1, 7.4, 37.0, 0.85, 140.0)
    act = r2.activities["HPO4-2"] / r2.activities["H2PO4-"]
    pka2_37 = -EQUILIBRIA["Ka2"].log_k(37.0)
    assert float(act) == pytest.approx(10.0 ** (7.4 - pka2_37), rel=1e-12)


def test_van_t_hoff_temperature_dependence_of_pka2():
    eq = EQUILIBRIA["Ka2"]
    t1, t2 = 298.15, 310.15
    expected = eq.log_k_25c - eq.delta_h_kj_per_mol * 1e3 / (8.314462618 * math.log(10)) * (1 / t2 - 1 / t1)
    assert eq.log_k(37.0) == pytest.approx(expected, rel=1e-14)
    assert eq.log_k(37.0) > eq.log_k(25.0)  # endothermic dissociation: pKa2 falls with T


def test_davies_coefficients_at_ionic_strength_0_15_match_the_formula():
    i = 0.15
    for t in (25.0, 37.0):
        a = davies_a(t)
        for z in (1, 2, 3):
            expected = -a * z * z * (math.sqrt(i) / (1 + math.sqrt(i)) - 0.3 * i)
            assert davies_log_gamma(z, i, t) == pytest.approx(expected, abs=1e-12)
    assert 0.505 < davies_a(25.0) < 0.515  # Robinson & Stokes: 0.509-0.512 at 25 C
    assert davies_a(37.0) > davies_a(25.0)


def test_water_ion_product_at_25_and_37_c():
    assert log_kw(25.0) == pytest.approx(-13.995, abs=2e-3)
    assert log_kw(37.0) == pytest.approx(-13.62, abs=1e-2)


def test_normal_serum_is_strongly_supersaturated_for_hap_and_near_saturation_for_brushite():
    r = speciate(1.2, 1.1, 7.4, 37.0, 0.85, 140.0)
    si_hap = float(r.saturation_index("HAP"))
    # per Ca10(PO4)6(OH)2 (about half this per Ca5(PO4)3OH): clearly supersaturated
    assert 10.0 < si_hap < 22.0
    assert float(r.saturation_index("OCP")) > 0.0
    assert abs(float(r.saturation_index("brushite"))) < 1.0
    assert float(r.saturation_index("ACP")) < 0.0
    # the IAP is built from the exposed free-ion activities
    a = r.activities
    log_iap = 10 * np.log10(a["Ca+2"]) + 6 * np.log10(a["PO4-3"]) + 2 * np.log10(a["OH-"])
    assert si_hap == pytest.approx(float(log_iap) + 117.2, abs=1e-9)
    assert float(r.growth_unit_saturation("HAP")) == pytest.approx(10 ** (si_hap / 18), rel=1e-12)
    assert float(r.saturation_ratio("HAP")) == pytest.approx(10**si_hap, rel=1e-9)
    # ionised calcium mostly free; ionic strength ~ NaCl + a few mM
    assert 1.05 < float(r.free_mM("Ca+2")) < 1.2
    assert 0.14 < float(r.ionic_strength) < 0.15


def test_hap_solubility_product_is_retrograde_and_matches_parameters():
    hap = PHASES["HAP"]
    assert hap.log_ksp(25.0) == pytest.approx(-116.8)
    assert hap.log_ksp(37.0) == pytest.approx(-117.2)
    assert hap.nu == 18
    assert hap.log_ksp(45.0) < hap.log_ksp(37.0)



def test_ocp_ion_activity_product_holds_h_plus_as_tung_1988_defines_it():
    """Ca8H2(PO4)6: IAP = a_Ca^8 a_H^2 a_PO4^6, 16 ions per formula unit; serum SI ~2.8
    (with a_HPO4^2 a_PO4^4 instead it would be ~27.3, 2 pKa3 too high)."""
    ocp = PHASES["OCP"]
    assert dict(ocp.stoichiometry) == {"Ca+2": 8, "H+": 2, "PO4-3": 6}
    assert ocp.nu == 16
    r = speciate(1.2, 1.1, 7.4, 37.0, 0.85, 140.0)
    a = r.activities
    log_iap = 8 * np.log10(a["Ca+2"]) + 2 * np.log10(a["H+"]) + 6 * np.log10(a["PO4-3"])
    si = float(r.saturation_index("OCP"))
    assert si == pytest.approx(float(log_iap) + 95.9, abs=1e-9)
    assert si == pytest.approx(2.80, abs=0.02)
    assert float(r.growth_unit_saturation("OCP")) == pytest.approx(10 ** (si / 16), rel=1e-12)

@settings(max_examples=40, deadline=None)
@given(ca=st.floats(0.2, 4.0), pi=st.floats(0.2, 4.0), mg=st.floats(0.0, 3.0), ph=ph_values,
       d=st.floats(0.01, 1.0))
def test_hap_saturation_index_increases_with_phosphate_and_with_calcium(ca, pi, mg, ph, d):
    base = hap_saturation(ca, pi, ph, 37.0, mg)
    assert hap_saturation(ca, pi + d, ph, 37.0, mg) > base
    assert hap_saturation(ca + d, pi, ph, 37.0, mg) > base


def test_lattice_arrays_give_the_same_answer_as_scalars():
    rng = np.random.default_rng(3)
    ca = rng.uniform(0.0, 3.0, (7, 9))
    pi = rng.uniform(0.0, 3.0, (7, 9))
    mg = rng.uniform(0.0, 2.0, (7, 9))
    r = speciate(ca, pi, 7.35, 37.0, mg, 140.0)
    assert r.saturation_index("HAP").shape == (7, 9)
    for i, j in [(0, 0), (3, 4), (6, 8)]:
        s = speciate(ca[i, j], pi[i, j], 7.35, 37.0, mg[i, j], 140.0)
        assert float(s.saturation_index("HAP")) == pytest.approx(float(r.saturation_index("HAP")[i, j]),
                                                                 abs=1e-9)
        assert float(s.concentrations["CaHPO4"]) == pytest.approx(float(r.concentrations["CaHPO4"][i, j]),
                                                                  rel=1e-9)


def test_broadcasting_of_ph_and_temperature_arrays():
    r = speciate(1.2, 1.1, np.array([7.2, 7.4, 7.6]), np.array([30.0, 37.0, 40.0]), 0.85, 140.0)
    si = r.saturation_index("HAP")
    assert si.shape == (3,)
    assert si[0] < si[1] < si[2]  # more PO4-3 and OH- at higher pH


def test_negative_concentrations_are_rejected():
    with pytest.raises(ValueError, match="ca_mM"):
        speciate(-1.0, 1.0, 7.4)


@settings(max_examples=40, deadline=None)
@given(ca=conc, pi=conc, mg=conc, ph=ph_values, t=temps, nacl=st.floats(0.0, 300.0))
def test_every_site_is_solved_alone_so_a_lattice_gives_each_site_its_own_solution(ca, pi, mg, ph, t, nacl):
    one = speciate(ca, pi, ph, t, mg, nacl)
    lattice = speciate(np.array([ca, 1.2, ca]), np.array([pi, 1.1, pi]), ph, t, np.array([mg, 0.85, mg]), nacl)
    for species in ("Ca+2", "Mg+2", "HPO4-2", "PO4-3"):
        assert lattice.concentrations[species][0] == one.concentrations[species]
        assert lattice.concentrations[species][2] == one.concentrations[species]


def test_threads_and_workspaces_give_the_same_solution():
    rng = np.random.default_rng(3)
    n = 150_000  # more than two solve blocks
    ca, pi, mg = rng.uniform(0.5, 3.0, n), rng.uniform(0.3, 4.0, n), rng.uniform(0.0, 2.0, n)
    serial = speciate(ca, pi, 7.4, 37.0, mg, 140.0)
    ws: dict = {}
    threaded = speciate(ca, pi, 7.4, 37.0, mg, 140.0, threads=2, workspace=ws)
    np.testing.assert_array_equal(serial.ionic_strength, threaded.ionic_strength)
    np.testing.assert_array_equal(serial.activities["PO4-3"], threaded.activities["PO4-3"])
    again = speciate(ca, pi, 7.4, 37.0, mg, 140.0, workspace=ws)
    assert np.shares_memory(again.ionic_strength, threaded.ionic_strength)  # the buffers are reused
