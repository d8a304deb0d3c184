"""Invariants of the cell model: engine equivalence, bounds, bookkeeping, the rules table."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vcsim.cells import CellPopulation, load_rules
from vcsim.cells.culture import culture_model, run_culture, systemic_values
from vcsim.cells.division import place_daughters
from vcsim.cells.reporting import marker_means
from vcsim.cells.vsmc import VSMC
from vcsim.cells.vsmc.sensing import phosphate_uptake
from vcsim.cells.vsmc.steady_state import new_population
from vcsim.params import ParameterError, default_parameters
from vcsim.params import interventions as intervention_params
from vcsim.params.record import InputRecord
from vcsim.processes.systemic import apply_systemic_interventions

PARAMS = default_parameters()
RULES = load_rules()
CONTRACTILE, OSTEOGENIC, APOPTOTIC = (VSMC.phenotype(n).code for n in ("contractile", "osteogenic", "apoptotic"))


def _mixed_sites(n: int) -> dict[str, np.ndarray]:
    """Heterogeneous sites: Pi 1-3.5 mM, Ca up to 3 mM, and a few heavily mineralised sites."""
    k = np.arange(n, dtype=np.float64)
    return {
        "phosphate_mM": 1.0 + 2.5 * (k % 7) / 6.0,
        "calcium_mM": 1.2 + 1.8 * (k % 3) / 2.0,
        "magnesium_mM": 0.3 + 0.6 * (k % 4) / 3.0,
        "pyrophosphate_uM": np.full(n, 2.5),
        "mineral_hap_mM": np.where(k % 5 == 0, 400.0, 0.0),
        "hap_saturation_index": np.full(n, 1.0),
    }


def _assert_populations_equal(a: CellPopulation, b: CellPopulation) -> None:
    for name, arr in a.arrays().items():
        np.testing.assert_array_equal(arr, b.arrays()[name], err_msg=name)


def test_vector_engine_equals_per_cell_agents_in_shuffled_order_bitwise():
    n, steps, seed = 40, 60, 1234
    occupied = np.ones(n, dtype=bool)
    occupied[[3, 17]] = False  # empty sites stay untouched whichever engine runs
    overrides = {"tnf_alpha_pg_per_mL": 30.0, "glucose_mM": 25.0}
    kw = dict(overrides=overrides, site=_mixed_sites(n), seed=seed, occupied=occupied)
    a = culture_model(n, engine="vector", **kw)
    b = culture_model(n, engine="agents", **kw)
    transitions = 0
    for _ in range(steps):
        before = a.cells.phenotype.copy()
        a.step()
        b.step()  # agents in Mesa's shuffled order, each running the cell processes alone
        _assert_populations_equal(a.cells, b.cells)
        for name, arr in a.release.items():
            np.testing.assert_array_equal(arr, b.release[name], err_msg=name)
        transitions += int((before != a.cells.phenotype).sum())
    # the comparison covered phenotype changes, deaths and clearance, not only the ODEs
    assert transitions >= 10
    assert (a.cells.phenotype == 0).sum() > 2


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
    n = 6
    dish = culture_model(n, overrides=values, seed=3, dt_h=dt,
                         site={"phosphate_mM": pi, "magnesium_mM": mg, "mineral_hap_mM": mineral})
    cells = dish.cells
    for _ in range(8):
        dish.step()
        for v in VSMC.variables:
            arr = cells.state[v.name]
            assert np.isfinite(arr).all(), v.name
            assert (arr >= 0).all(), v.name
            assert (arr <= v.upper).all(), v.name
        assert sum(cells.counts().values()) == n
    # one step's releases (the tally clears them; read them before it runs)
    dish.processes.remove("releases")
    dish.step()
    for name, arr in dish.release.items():
        assert np.isfinite(arr).all(), name
        # what a cell gives its fluid may be negative (uptake); everything else is an amount
        assert name.endswith("_to_fluid_amol") or (arr >= 0).all(), name
    assert (dish.release["vesicle_inhibition_fraction"] <= 1).all()


def test_phenotype_counts_plus_empty_equal_n_sites_through_deaths_and_clearance():
    res = run_culture(days=6, n_cells=60, overrides={"serum_phosphate_mM": 3.0},
                      site={"mineral_hap_mM": 150.0}, record_every_h=6)
    for counts in res.counts:
        assert sum(counts.values()) == 60
    assert res.counts[-1]["empty"] > 0  # mineral killed cells and they were cleared


def test_empty_sites_are_left_untouched_and_release_nothing():
    n = 10
    occupied = np.arange(n) % 2 == 0
    dish = culture_model(n, site={"phosphate_mM": 3.0}, occupied=occupied)
    before = {k: v.copy() for k, v in dish.cells.arrays().items()}
    dish.processes.remove("releases")
    dish.step()
    for name, arr in dish.cells.arrays().items():
        np.testing.assert_array_equal(arr[~occupied], before[name][~occupied], err_msg=name)
    assert (dish.release["ppi_release_amol"][~occupied] == 0).all()
    assert (dish.release["ppi_release_amol"][occupied] > 0).all()


def test_state_arrays_round_trip_and_fit_in_well_under_one_kilobyte_per_site():
    pop = new_population(50, np.arange(50) % 3 != 0, PARAMS, seed=9)
    again = CellPopulation.from_arrays(VSMC, {k: np.array(v) for k, v in pop.arrays().items()})
    _assert_populations_equal(pop, again)
    assert again.phenotype.dtype == np.int8
    assert all(again.state[v].dtype == np.float32 for v in VSMC.variable_names)
    assert pop.state.itemsize + pop.phenotype.itemsize < 200
    assert all(v.units and v.meaning for v in VSMC.variables)
    with pytest.raises(ValueError, match="missing"):
        CellPopulation.from_arrays(VSMC, {"phenotype": pop.phenotype})


def test_new_cells_start_contractile_and_quiescent_with_heterogeneous_plasticity():
    n = 400
    occupied = np.arange(n) % 10 != 0
    pop = new_population(n, occupied, PARAMS, seed=5)
    assert (pop.phenotype[occupied] == CONTRACTILE).all()
    assert (pop.phenotype[~occupied] == 0).all()
    for name in VSMC.variable_names:
        assert (pop.state[name][~occupied] == 0).all()
    plasticity = pop.osteogenic_plasticity[occupied]
    assert 0.9 < np.median(plasticity) < 1.1
    assert plasticity.std() > 0.05
    m = marker_means(pop)
    assert m["mean_contractile_markers"] > 0.95
    assert m["mean_runx2"] < 0.05 and m["mean_chop"] < 0.1 and m["mean_osteogenic_commitment"] < 0.01
    assert math.isnan(marker_means(CellPopulation(VSMC, 3))["mean_grp78"])


def _division_probability(pop: CellPopulation, setting: str, **signals: float) -> np.ndarray:
    sig = {"mtorc1": pop.mtorc1.astype(np.float64),
           "mineral_hap_mM": np.full(pop.n_sites, signals.get("mineral_hap_mM", 0.0))}
    rate = RULES.evaluate("division", pop.phenotype, sig, VSMC, setting)
    return np.where(pop.alive_mask(), -np.expm1(-rate), 0.0)


def test_daughter_inherits_the_parent_state_and_division_is_a_72_h_doubling_in_culture():
    n = 4
    pop = new_population(n, np.array([True, False, True, False]), PARAMS, seed=1)
    pop.runx2[0] = 0.3
    draws_before = pop.event_draws.copy()
    place_daughters(pop, np.array([0]), np.array([1]))
    for name, arr in pop.arrays().items():
        if name not in ("event_clock", "event_draws"):
            assert arr[1] == arr[0], name
    # the daughter draws fresh thresholds further along its own site's sequences
    assert np.array_equal(pop.event_draws[1], draws_before[1] + 1)
    assert np.array_equal(pop.event_draws[0], draws_before[0])
    assert np.all(pop.event_clock[1] > 0) and not np.array_equal(pop.event_clock[1], pop.event_clock[0])
    p = _division_probability(pop, "in_vitro")
    assert p[3] == 0.0  # empty
    doubling_h = math.log(2.0) / -math.log1p(-p[2])
    assert 55.0 < doubling_h < 95.0  # human VSMC ~72 h in culture
    assert _division_probability(pop, "in_vivo")[2] < 0.1 * p[2]
    assert _division_probability(pop, "in_vitro", mineral_hap_mM=5.0)[2] < 0.1 * p[2]
    pop.mtorc1[:] = 0.05  # what rapamycin does to mTORC1 (tested in test_cells_upr)
    assert _division_probability(pop, "in_vitro")[2] < 0.05 * p[2]


def test_the_release_buffers_are_one_array_per_release_and_cleared_after_the_deposit():
    dish = culture_model(5, site={"phosphate_mM": 2.0})
    assert set(dish.release) == {"vesicles_count", "vesicle_inhibition_fraction", "apoptotic_bodies_count",
                                 "ppi_release_amol", "phosphate_to_fluid_amol", "calcium_to_fluid_amol",
                                 "tnap_activity_uM_per_h", "cmgp_release_nM", "ucmgp_release_nM"}
    dish.step()
    assert all((a == 0).all() for a in dish.release.values())
    assert dish.processes["releases"].totals["ppi_release_amol"] > 0


def test_phosphate_binder_lowers_serum_pi_toward_target_and_applies_once():
    values = systemic_values(PARAMS.updated({"serum_phosphate_mM": 2.6, "phosphate_binder_fraction": 0.5}))
    assert values["serum_phosphate_mM"] == pytest.approx(2.6 - 0.5 * (2.6 - 1.1))
    assert apply_systemic_interventions(values)["serum_phosphate_mM"] == values["serum_phosphate_mM"]
    normal = systemic_values(PARAMS.updated({"serum_phosphate_mM": 1.0, "phosphate_binder_fraction": 1.0}))
    assert normal["serum_phosphate_mM"] == 1.0  # never below the target


def test_pit1_knockdown_cuts_phosphate_uptake_as_in_li_yang_giachelli_2006():
    p = InputRecord(PARAMS.schema, PARAMS).record
    control = phosphate_uptake(1.0, 1.0, p)
    knocked = phosphate_uptake(1.0, 1.0 - 0.704, p)
    assert control / 2.0 == pytest.approx(9.8, rel=0.02)  # nmol/mg per 30 min
    assert knocked / 2.0 == pytest.approx(2.9, rel=0.03)


# ----------------------------------------------------------------------------- the rules table
def test_rules_table_covers_every_behaviour_and_round_trips_through_csv(tmp_path):
    assert {r.behaviour for r in RULES} == set(VSMC.behaviours)
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
    ph = np.array([CONTRACTILE], dtype=np.int8)
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


def test_an_unknown_rule_id_is_named_with_the_closest_one_not_taken_for_a_new_rule():
    with pytest.raises(ParameterError, match="no rule has id 'osteo_switch_comitment'; did you mean "
                                             "'osteo_switch_commitment'"):
        RULES.override([{"id": "osteo_switch_comitment", "saturation": 0.1}])


def test_rule_terms_follow_the_documented_combination():
    ph = np.array([CONTRACTILE, OSTEOGENIC, APOPTOTIC], dtype=np.int8)
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


def test_rules_apply_only_in_their_setting():
    vivo = {r.id for r in RULES.for_run(VSMC, "in_vivo")}
    vitro = {r.id for r in RULES.for_run(VSMC, "in_vitro")}
    assert "division_contractile_mtorc1_in_vivo" in vivo - vitro
    assert "division_contractile_mtorc1" in vitro - vivo
    with pytest.raises(ParameterError, match="setting 'outer_space'"):
        RULES.override([{"id": "osteo_switch_commitment", "setting": "outer_space"}])
