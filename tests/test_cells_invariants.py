"""Invariants of the cell model: engine equivalence, bounds, bookkeeping, the rules table."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vcsim.cells import (
    BEHAVIOURS,
    VARIABLE_UNITS,
    CellRelease,
    CellState,
    Phenotype,
    SiteInputs,
    advance,
    apply_systemic_interventions,
    division_probability,
    load_rules,
    new_cell_state,
    place_daughter,
    summary_markers,
)
from vcsim.cells.culture import run_culture, systemic_values
from vcsim.cells.signals import phosphate_uptake_nmol_per_mg_per_h
from vcsim.cells.step import NON_FRACTIONS
from vcsim.params import ParameterError, default_parameters
from vcsim.params import interventions as intervention_params

PARAMS = default_parameters()
RULES = load_rules()


def _mixed_sites(n: int) -> SiteInputs:
    """Heterogeneous sites: Pi 1-3.5 mM, Ca up to 3 mM, and a few heavily mineralised sites."""
    k = np.arange(n, dtype=np.float64)
    return SiteInputs(
        phosphate_mM=1.0 + 2.5 * (k % 7) / 6.0,
        calcium_mM=1.2 + 1.8 * (k % 3) / 2.0,
        magnesium_mM=0.3 + 0.6 * (k % 4) / 3.0,
        pyrophosphate_uM=np.full(n, 2.5),
        mineral_hap_mM=np.where(k % 5 == 0, 400.0, 0.0),
        hap_saturation_index=np.full(n, 1.0),
    )


def _assert_states_equal(a: CellState, b: CellState) -> None:
    for name, arr in a.arrays().items():
        np.testing.assert_array_equal(arr, b.arrays()[name], err_msg=name)


def test_vector_call_equals_per_cell_calls_in_shuffled_order_bitwise():
    n, steps, seed = 40, 60, 1234
    occupied = np.ones(n, dtype=bool)
    occupied[[3, 17]] = False  # empty sites stay untouched whichever way they are passed
    systemic = systemic_values(PARAMS.updated({"tnf_alpha_pg_per_mL": 30.0, "glucose_mM": 25.0}))
    site = _mixed_sites(n)
    a = new_cell_state(n, occupied, PARAMS, seed=seed)
    b = CellState.from_arrays({k: v.copy() for k, v in a.arrays().items()})
    rel_a, rel_b = CellRelease(n), CellRelease(n)
    rng = np.random.default_rng(0)
    idx_all = np.arange(n, dtype=np.intp)
    transitions = 0
    for step in range(1, steps + 1):
        before = a.phenotype.copy()
        rel_a.zero()
        rel_b.zero()
        advance(a, idx_all, site, systemic, PARAMS, RULES, 1.0, seed, step, rel_a)
        for k in rng.permutation(n):
            one = np.array([k], dtype=np.intp)
            advance(b, one, site.take(one), systemic, PARAMS, RULES, 1.0, seed, step, rel_b)
        _assert_states_equal(a, b)
        for name, arr in rel_a.arrays().items():
            np.testing.assert_array_equal(arr, rel_b.arrays()[name], err_msg=name)
        transitions += int((before != a.phenotype).sum())
    # the comparison covered phenotype changes, deaths and clearance, not only the ODEs
    assert transitions >= 10
    assert (a.phenotype == Phenotype.EMPTY).sum() > 2


_fraction = st.floats(0.0, 1.0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pi=st.floats(0.2, 6.0), glucose=st.floats(0.0, 50.0), tnf=st.floats(0.0, 1000.0),
    mg=st.floats(0.1, 5.0), mineral=st.floats(0.0, 2000.0), age=st.floats(0.0, 10.0),
    ox=st.floats(0.0, 10.0), vk=st.floats(0.0, 10.0), dt=st.floats(0.05, 6.0),
    drugs=st.lists(_fraction, min_size=len(intervention_params.PARAMS), max_size=len(intervention_params.PARAMS)),
)
def test_fractions_stay_in_unit_interval_and_nothing_goes_negative(pi, glucose, tnf, mg, mineral, age, ox, vk, dt, drugs):
    values = {"glucose_mM": glucose, "tnf_alpha_pg_per_mL": tnf, "age_index": age,
              "oxidative_stress_index": ox, "vitamin_k_index": vk, "lipid_index": ox}
    for p, f in zip(intervention_params.PARAMS, drugs, strict=True):
        if p.upper == 1.0:
            values[p.name] = f
    systemic = systemic_values(PARAMS.updated(values))
    n = 6
    state = new_cell_state(n, np.ones(n, dtype=bool), PARAMS, seed=3)
    release = CellRelease(n)
    site = SiteInputs.constant(n, phosphate_mM=pi, magnesium_mM=mg, mineral_hap_mM=mineral)
    idx = np.arange(n)
    for step in range(1, 9):
        release.zero()
        advance(state, idx, site, systemic, PARAMS, RULES, dt, 3, step, release)
        for name in CellState.VARIABLES:
            arr = getattr(state, name)
            assert np.isfinite(arr).all(), name
            assert (arr >= 0).all(), name
            if name not in NON_FRACTIONS:
                assert (arr <= 1).all(), name
        for name, arr in release.arrays().items():
            assert np.isfinite(arr).all() and (arr >= 0).all(), name
        assert (release.vesicle_inhibition_fraction <= 1).all()
        counts = state.counts()
        assert sum(counts.values()) == n


def test_phenotype_counts_plus_empty_equal_n_sites_through_deaths_and_clearance():
    res = run_culture(days=6, n_cells=60, overrides={"serum_phosphate_mM": 3.0},
                      site={"mineral_hap_mM": 150.0}, record_every_h=6)
    for counts in res.counts:
        assert sum(counts.values()) == 60
    assert res.counts[-1]["empty"] > 0  # mineral killed cells and they were cleared


def test_empty_sites_in_idx_are_left_untouched():
    n = 10
    occupied = np.arange(n) % 2 == 0
    state = new_cell_state(n, occupied, PARAMS)
    before = {k: v.copy() for k, v in state.arrays().items()}
    release = CellRelease(n)
    advance(state, np.arange(n), SiteInputs.constant(n, phosphate_mM=3.0), systemic_values(PARAMS),
            PARAMS, RULES, 1.0, 0, 1, release)
    for name, arr in state.arrays().items():
        np.testing.assert_array_equal(arr[~occupied], before[name][~occupied], err_msg=name)
    assert (release.ppi_release_uM[~occupied] == 0).all()
    assert (release.ppi_release_uM[occupied] > 0).all()


def test_state_arrays_round_trip_and_fit_in_well_under_one_kilobyte_per_site():
    state = new_cell_state(50, np.arange(50) % 3 != 0, PARAMS, seed=9)
    again = CellState.from_arrays({k: np.array(v) for k, v in state.arrays().items()})
    _assert_states_equal(state, again)
    assert again.phenotype.dtype == np.int8
    assert all(getattr(again, v).dtype == np.float32 for v in CellState.VARIABLES)
    bytes_per_site = sum(arr.itemsize for arr in state.arrays().values())
    assert bytes_per_site < 200
    assert set(CellState.VARIABLES) == set(VARIABLE_UNITS)
    with pytest.raises(ValueError, match="missing"):
        CellState.from_arrays({"phenotype": state.phenotype})


def test_new_cells_start_contractile_and_quiescent_with_heterogeneous_plasticity():
    n = 400
    occupied = np.arange(n) % 10 != 0
    state = new_cell_state(n, occupied, PARAMS, seed=5)
    assert (state.phenotype[occupied] == Phenotype.CONTRACTILE).all()
    assert (state.phenotype[~occupied] == Phenotype.EMPTY).all()
    for name in CellState.VARIABLES:
        assert (getattr(state, name)[~occupied] == 0).all()
    plasticity = state.osteogenic_plasticity[occupied]
    assert 0.9 < np.median(plasticity) < 1.1
    assert plasticity.std() > 0.05
    m = summary_markers(state)
    assert m["mean_contractile_markers"] > 0.95
    assert m["mean_runx2"] < 0.05 and m["mean_chop"] < 0.1 and m["mean_osteogenic_commitment"] < 0.01
    assert math.isnan(summary_markers(CellState.zeros(3))["mean_grp78"])


def test_daughter_inherits_the_parent_state_and_division_is_a_72_h_doubling_in_culture():
    n = 4
    state = new_cell_state(n, np.array([True, False, True, False]), PARAMS, seed=1)
    state.runx2[0] = 0.3
    place_daughter(state, np.array([0]), np.array([1]), PARAMS)
    for name, arr in state.arrays().items():
        assert arr[1] == arr[0], name
    site = SiteInputs.constant(n)
    in_vitro = dict(systemic_values(PARAMS), setting="in_vitro")
    p = division_probability(state, np.arange(n), site, in_vitro, PARAMS, RULES, 1.0)
    assert p[3] == 0.0  # empty
    doubling_h = math.log(2.0) / -math.log1p(-p[2])
    assert 55.0 < doubling_h < 95.0  # human VSMC ~72 h in culture
    in_vivo = dict(in_vitro, setting="in_vivo")
    assert division_probability(state, np.arange(n), site, in_vivo, PARAMS, RULES, 1.0)[2] < 0.1 * p[2]
    mineral = SiteInputs.constant(n, mineral_hap_mM=5.0)
    assert division_probability(state, np.arange(n), mineral, in_vitro, PARAMS, RULES, 1.0)[2] < 0.1 * p[2]
    rapa = dict(in_vitro, rapamycin_mtorc1_inhibition_fraction=0.9)
    rows_state = CellState.from_arrays(state.arrays())
    rows_state.mtorc1[:] = 0.05  # what rapamycin does to mTORC1 (tested in test_cells_upr)
    assert division_probability(rows_state, np.arange(n), site, rapa, PARAMS, RULES, 1.0)[2] < 0.05 * p[2]


def test_release_buffer_zeroes_and_has_one_array_per_field():
    r = CellRelease(5)
    r.ppi_release_uM[:] = 3.0
    r.zero()
    assert all((a == 0).all() for a in r.arrays().values())
    assert set(r.arrays()) == {"vesicles_count", "vesicle_inhibition_fraction", "apoptotic_bodies_count",
                               "ppi_release_uM", "tnap_activity_uM_per_h", "cmgp_release_nM", "ucmgp_release_nM"}


def test_phosphate_binder_lowers_serum_pi_toward_target_and_applies_once():
    values = systemic_values(PARAMS.updated({"serum_phosphate_mM": 2.6, "phosphate_binder_fraction": 0.5}))
    assert values["serum_phosphate_mM"] == pytest.approx(2.6 - 0.5 * (2.6 - 1.1))
    assert apply_systemic_interventions(values)["serum_phosphate_mM"] == values["serum_phosphate_mM"]
    normal = systemic_values(PARAMS.updated({"serum_phosphate_mM": 1.0, "phosphate_binder_fraction": 1.0}))
    assert normal["serum_phosphate_mM"] == 1.0  # never below the target


def test_pit1_knockdown_cuts_phosphate_uptake_as_in_li_yang_giachelli_2006():
    pi = np.array([1.0])
    control = phosphate_uptake_nmol_per_mg_per_h(pi, np.array([1.0]), PARAMS)[0]
    knocked = phosphate_uptake_nmol_per_mg_per_h(pi, np.array([1.0 - 0.704]), PARAMS)[0]
    assert control / 2.0 == pytest.approx(9.8, rel=0.02)  # nmol/mg per 30 min
    assert knocked / 2.0 == pytest.approx(2.9, rel=0.03)


# ----------------------------------------------------------------------------- the rules table
def test_rules_table_covers_every_behaviour_and_round_trips_through_csv(tmp_path):
    assert {r.behaviour for r in RULES} == set(BEHAVIOURS)
    path = tmp_path / "rules.csv"
    path.write_text(RULES.to_csv())
    again = load_rules(path)
    assert again.rules == RULES.rules


def test_rules_override_changes_behaviour():
    pi3 = {"serum_phosphate_mM": 3.0}
    base = run_culture(days=5, n_cells=60, overrides=pi3)
    assert base.fraction("osteogenic")[-1] > 0.3
    blocked = RULES.override([{"id": "osteo_switch_commitment", "saturation": 0.0},
                              {"id": "autophagic_osteo_commitment", "saturation": 0.0}])
    none = run_culture(days=5, n_cells=60, overrides=pi3, rules=blocked)
    assert none.fraction("osteogenic")[-1] == 0.0
    # by (behaviour, signal) pair: a lower half-maximum switches earlier
    eager = RULES.override([{"behaviour": "to_osteogenic", "signal": "osteogenic_commitment",
                             "phenotype": "contractile", "half_max": 0.2}])
    early = run_culture(days=5, n_cells=60, overrides=pi3, rules=eager)
    assert early.fraction("osteogenic")[-1] > base.fraction("osteogenic")[-1]
    assert RULES["osteo_switch_commitment"].saturation == 0.08  # the original is unchanged


def test_rules_override_adds_and_removes_rules_and_rejects_nonsense():
    added = RULES.override([{"id": "pi_kills", "phenotype": "viable", "behaviour": "to_apoptotic",
                             "signal": "phosphate_mM", "direction": "increases", "half_max": 1.5,
                             "hill": 4, "saturation": 0.1}])
    assert len(added) == len(RULES) + 1
    removed = added.override({"pi_kills": {"remove": True}})
    assert removed.rules == RULES.rules
    ph = np.array([Phenotype.CONTRACTILE], dtype=np.int8)
    sig = {"phosphate_mM": np.array([3.0]), "chop_persistence": np.zeros(1), "caspase12": np.zeros(1),
           "jnk": np.zeros(1), "autophagy_flux": np.zeros(1)}
    assert added.evaluate("to_apoptotic", ph, sig)[0] > 50 * RULES.evaluate("to_apoptotic", ph, sig)[0]
    with pytest.raises(ParameterError, match="unknown behaviour"):
        RULES.override([{"id": "x", "phenotype": "any", "behaviour": "fly", "signal": "chop",
                         "direction": "increases", "half_max": 1, "hill": 1, "saturation": 1}])
    with pytest.raises(ParameterError, match="unknown signal"):
        RULES.override([{"id": "osteo_switch_commitment", "signal": "moonlight"}])
    with pytest.raises(ParameterError, match="half_max"):
        RULES.override([{"id": "osteo_switch_commitment", "half_max": -1}])
    with pytest.raises(ParameterError, match="give 'id' or 'phenotype'"):
        RULES.override([{"behaviour": "vesicle_release", "signal": "base", "saturation": 1.0}])


def test_rule_terms_follow_the_documented_combination():
    ph = np.array([Phenotype.CONTRACTILE, Phenotype.OSTEOGENIC, Phenotype.APOPTOTIC], dtype=np.int8)
    flux = np.array([0.5, 0.5, 0.5])
    sig = {"autophagy_flux": flux, "calcium_mM": np.zeros(3), "perk": np.zeros(3)}  # no Ca or ER stress
    v = RULES.evaluate("vesicle_release", ph, sig)
    h = 0.5**2 / (0.5**2 + 0.5**2)  # autophagy brake at its half-maximum, saturation 0
    assert v[0] == pytest.approx(0.02 * (1 - h), rel=1e-3)
    assert v[1] == pytest.approx(0.1 * (1 - h))
    assert v[2] == 0.0  # apoptotic cells release no vesicles (their bodies are counted at death)
    # ER stress at the half-maximum of the PERK rows: b = b0 + (saturation - b0) / 2, then the brake
    stressed = RULES.evaluate("vesicle_release", ph, {**sig, "perk": np.full(3, 0.4)})
    assert stressed[0] == pytest.approx((0.02 + (0.06 - 0.02) / 2) * (1 - h), rel=1e-3)
    assert stressed[1] == pytest.approx((0.1 + (0.8 - 0.1) / 2) * (1 - h))
    assert stressed[2] == 0.0
