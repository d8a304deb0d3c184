"""Phenotype switching, death and secretion of the cell model alone (medium held constant).

Calibration targets: healthy cells stay contractile for weeks; the osteogenic switch is
threshold-like in Pi (Jono et al. 2000: none at 1.4 mM, clear at 2 mM by day 3-6, more at 3 mM),
abolished by blocking Pit-1; autophagy is a reversible, protective state; apoptotic cells release
their bodies once and are cleared after a delay.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np
import pytest

from vcsim.cells import load_rules
from vcsim.cells.culture import CultureResult, culture_model, run_culture
from vcsim.cells.vsmc import VSMC
from vcsim.cells.vsmc.steady_state import new_population
from vcsim.params import default_parameters
from vcsim.processes import Process

PARAMS = default_parameters()
RULES = load_rules()
CONTRACTILE, OSTEOGENIC, APOPTOTIC = (VSMC.phenotype(n).code for n in ("contractile", "osteogenic", "apoptotic"))


class KeepReleases(Process):
    """A user process: keeps a copy of every step's releases before they are deposited."""

    name = "keep_releases"

    def __init__(self):
        self.steps = []

    def step(self, model):
        self.steps.append({k: v.copy() for k, v in model.release.items()})


@cache
def phosphate_run(pi: float) -> CultureResult:
    return run_culture(days=14, n_cells=300, overrides={"serum_phosphate_mM": pi}, seed=11)


def osteogenic(res: CultureResult, day: float) -> float:
    return float(res.fraction("osteogenic")[res.at_day(day)])


def test_healthy_cells_stay_contractile_for_three_weeks():
    res = run_culture(days=21, n_cells=400, overrides={"serum_phosphate_mM": 1.05, "glucose_mM": 5.5,
                                                       "tnf_alpha_pg_per_mL": 2.0}, seed=2)
    assert res.fraction("osteogenic").max() < 0.05
    assert res.dead_fraction()[-1] < 0.03
    assert res.fraction("contractile")[-1] > 0.93


def test_osteogenic_switch_is_threshold_like_in_phosphate_as_in_jono_2000():
    normal, borderline, calcifying, high = (phosphate_run(pi) for pi in (1.0, 1.4, 2.0, 3.0))
    assert osteogenic(normal, 14) < 0.02
    assert osteogenic(borderline, 14) < 0.10  # "little" at 1.4 mM
    assert osteogenic(calcifying, 5) > 0.15  # on by ~day 3-6 at 2 mM
    assert osteogenic(calcifying, 7) > 0.30
    for day in (3, 5, 7):
        assert osteogenic(high, day) > osteogenic(calcifying, day) + 0.1, day


def test_tnap_rises_within_days_of_calcifying_phosphate():
    normal, calcifying = phosphate_run(1.0), phosphate_run(2.0)
    tnap_normal = normal.marker("tnap")
    tnap = calcifying.marker("tnap")
    assert tnap[calcifying.at_day(1)] > 1.2 * tnap_normal[1]
    assert tnap[calcifying.at_day(3)] > 4 * tnap_normal[3]  # ALP within 1-3 days
    assert calcifying.release("tnap_activity_uM_per_h")[3] > 4 * normal.release("tnap_activity_uM_per_h")[3]


def test_pit1_blocker_abolishes_the_phosphate_switch():
    blocked = run_culture(days=7, n_cells=150, overrides={"serum_phosphate_mM": 2.0, "pit1_blocker_fraction": 1.0})
    knocked = run_culture(days=7, n_cells=150, overrides={"serum_phosphate_mM": 2.0, "pit1_knockdown_fraction": 0.7})
    assert blocked.fraction("osteogenic")[-1] < 0.02
    assert knocked.fraction("osteogenic")[-1] < 0.02
    assert osteogenic(phosphate_run(2.0), 7) > 0.3


def test_atf4_knockdown_and_chemical_chaperones_lower_osteogenic_switching():
    wt = osteogenic(phosphate_run(2.0), 7)
    atf4 = run_culture(days=7, n_cells=300, seed=11,
                       overrides={"serum_phosphate_mM": 2.0, "atf4_knockdown_fraction": 0.8})
    pba = run_culture(days=7, n_cells=300, seed=11,
                      overrides={"serum_phosphate_mM": 2.0, "pba4_chaperone_fraction": 1.0})
    assert atf4.fraction("osteogenic")[-1] < 0.75 * wt
    assert pba.fraction("osteogenic")[-1] < 0.75 * wt


def test_committed_osteogenic_cells_rarely_revert_when_phosphate_falls():
    res = run_culture(days=14, n_cells=200, overrides={"serum_phosphate_mM": 3.0},
                      changes=[(7, {"serum_phosphate_mM": 1.0})], seed=4)
    at7, at14 = osteogenic(res, 7), osteogenic(res, 14)
    assert at7 > 0.5
    assert at14 > 0.8 * at7 - res.dead_fraction()[-1]  # hysteresis: reversal is rare


def test_autophagic_state_is_entered_under_rapamycin_and_left_when_it_stops():
    res = run_culture(days=8, n_cells=200, overrides={"rapamycin_mtorc1_inhibition_fraction": 0.9},
                      changes=[(5, {"rapamycin_mtorc1_inhibition_fraction": 0.0})], seed=6)
    on = res.fraction("autophagic")[res.at_day(5)]
    assert on > 0.05
    assert res.fraction("autophagic")[-1] < 0.3 * on
    assert res.fraction("osteogenic").max() == 0.0


def test_rapamycin_and_three_methyladenine_move_calcifying_cells_in_opposite_directions():
    wt = osteogenic(phosphate_run(2.0), 7)
    rapa = run_culture(days=7, n_cells=300, seed=11,
                       overrides={"serum_phosphate_mM": 2.0, "rapamycin_mtorc1_inhibition_fraction": 0.9})
    three_ma = run_culture(days=7, n_cells=300, seed=11,
                           overrides={"serum_phosphate_mM": 2.0, "three_ma_autophagy_block_fraction": 0.9})
    assert rapa.fraction("osteogenic")[-1] < 0.5 * wt
    assert three_ma.fraction("osteogenic")[-1] > wt + 0.1
    # autophagy also cuts vesicle release: fewer MVs per viable cell under rapamycin
    assert rapa.release("vesicles_count")[-1] < 0.5 * phosphate_run(2.0).release("vesicles_count")[7]


def test_chop_knockout_protects_stressed_cells_from_apoptosis():
    stress = {"serum_phosphate_mM": 2.5, "tnf_alpha_pg_per_mL": 30.0}
    wt = run_culture(days=14, n_cells=600, overrides=stress, seed=8)
    ko = run_culture(days=14, n_cells=600, overrides={**stress, "chop_knockdown_fraction": 1.0}, seed=8)
    assert wt.dead_fraction()[-1] > 0.04
    assert ko.dead_fraction()[-1] < 0.5 * wt.dead_fraction()[-1]


def test_heavy_mineral_kills_cells_which_shed_bodies_once_and_are_cleared_after_a_delay():
    n = 50
    dish = culture_model(n, site={"mineral_hap_mM": 500.0}, seed=1)
    keep = KeepReleases()
    dish.processes.insert_before("releases", keep)
    cells = dish.cells
    bodies = np.zeros(n)
    first_empty_h = None
    for step in range(1, 97):
        dish.step()
        released = keep.steps[-1]
        bodies += released["apoptotic_bodies_count"]
        assert (released["vesicles_count"][cells.phenotype == APOPTOTIC] == 0).all()
        if first_empty_h is None and (cells.phenotype == 0).any():
            first_empty_h = step
        if step == 24:
            assert (cells.phenotype == APOPTOTIC).sum() > 0.9 * n
    np.testing.assert_array_equal(bodies, PARAMS["apoptotic_bodies_per_cell"])  # once per cell
    assert first_empty_h is not None and first_empty_h > 20  # cleared after a delay, not at once
    assert (cells.phenotype == 0).sum() > 0.9 * n
    empty = cells.phenotype == 0
    assert (cells.time_since_death_h[empty] == 0).all() and (cells.grp78[empty] == 0).all()


# ------------------------------------------------------------------------------ secretion
def _one_step(phenotype: int, n: int = 2000, overrides=None, **state_values) -> SimpleNamespace:
    """Release of ``n`` identical cells of ``phenotype`` over one 1 h step (no transitions)."""
    rules = RULES.override([{"id": "apoptosis_base", "saturation": 0.0}])
    dish = culture_model(n, overrides=overrides, rules=rules, seed=0)
    cells = dish.cells
    cells.phenotype[:] = phenotype
    if phenotype == OSTEOGENIC:
        cells.osteogenic_commitment[:] = 1.0
        cells.runx2[:] = 0.8
        cells.tnap[:] = 0.7
    for name, v in state_values.items():
        cells.state[name][:] = v
    keep = KeepReleases()
    dish.processes.insert_before("releases", keep)
    dish.step()
    return SimpleNamespace(**keep.steps[0])


def test_osteogenic_cells_release_many_more_vesicles_and_autophagy_cuts_release():
    # at the ER stress of calcifying culture (unfolded load ~0.3, PERK ~0.3-0.4), where osteogenic cells arise
    contractile = _one_step(CONTRACTILE, unfolded_load=0.3).vesicles_count.mean()
    osteo = _one_step(OSTEOGENIC, unfolded_load=0.3).vesicles_count.mean()
    osteo_autophagy = _one_step(OSTEOGENIC, unfolded_load=0.3, autophagy_flux=0.9).vesicles_count.mean()
    assert osteo > 8 * contractile > 0
    assert osteo_autophagy < 0.5 * osteo
    counts = _one_step(OSTEOGENIC).vesicles_count
    assert np.array_equal(counts, np.round(counts))  # whole vesicles


def test_er_stress_raises_vesicle_release_of_contractile_and_osteogenic_cells():
    """Furmanik et al. 2021: ER stress potentiates VSMC vesicle release (PERK-ATF4, SMPD3)."""
    # ER stress set through the unfolded load (PERK follows GRP78 sequestration within the step)
    for ph in (CONTRACTILE, OSTEOGENIC):
        calm = _one_step(ph).vesicles_count.mean()  # quiescent load, PERK ~0.1
        stressed = _one_step(ph, unfolded_load=1.0).vesicles_count.mean()
        assert stressed > 1.8 * calm > 0, ph
    # bounded: under extreme stress an osteogenic cell releases at most the rule's saturation (0.8 / h)
    assert _one_step(OSTEOGENIC, unfolded_load=50.0, autophagy_flux=0.0).vesicles_count.mean() < 0.9


def test_chemical_chaperones_lower_per_cell_vesicle_release_at_fixed_phosphate():
    """4-PBA relieves ER stress (lower PERK), so an osteogenic cell sheds fewer vesicles despite
    the autophagy it loses: the ER-stress route outweighs the lost autophagy brake."""
    def per_osteogenic_cell(**ov):
        res = run_culture(days=10, n_cells=300, overrides={"serum_phosphate_mM": 2.5, **ov}, record_every_h=24)
        window = slice(res.at_day(6), res.at_day(10) + 1)
        return float(res.release("vesicles_count")[window].sum() / (
            res.fraction("osteogenic")[window] * res.n_cells).sum()), float(res.marker("perk")[window].mean())
    plain, perk_plain = per_osteogenic_cell()
    pba, perk_pba = per_osteogenic_cell(pba4_chaperone_fraction=0.8)
    assert perk_pba < 0.8 * perk_plain
    assert pba < 0.9 * plain


def test_vesicle_inhibitor_loading_follows_cmgp_and_fetuin():
    base = _one_step(OSTEOGENIC, n=10).vesicle_inhibition_fraction[0]
    warfarin = _one_step(OSTEOGENIC, n=10, mgp_carboxylated_fraction=0.1).vesicle_inhibition_fraction[0]
    low_fetuin = _one_step(OSTEOGENIC, n=10, overrides={"fetuin_a_g_per_L": 0.1}).vesicle_inhibition_fraction[0]
    mgp_ko = _one_step(OSTEOGENIC, n=10, overrides={"mgp_knockdown_fraction": 1.0}).vesicle_inhibition_fraction[0]
    assert 0 < warfarin < base < 1
    assert low_fetuin < base and mgp_ko < warfarin


def test_ppi_comes_mostly_from_contractile_cells_via_enpp1():
    contractile = _one_step(CONTRACTILE, n=10)
    expected = RULES["ppi_secretion_viable"].saturation  # amol per h at ENPP1 = 1
    enpp1 = new_population(1, np.ones(1, dtype=bool), PARAMS).enpp1[0]
    assert contractile.ppi_release_amol[0] == pytest.approx(expected * enpp1, rel=1e-5)
    # in the 3e-13 L pore fluid of a 10 um site: 1-100 uM per hour
    assert 1.0 < expected * 1e-12 / (10.0 * 10.0 * 10.0 * 1e-15 * 0.3) < 100.0
    ko = run_culture(days=4, n_cells=20, overrides={"enpp1_knockdown_fraction": 1.0})
    assert ko.release("ppi_release_amol")[-1] < 0.05 * ko.release("ppi_release_amol")[0] + 1e-12
    normal, calcifying = phosphate_run(1.0), phosphate_run(3.0)
    per_cell = lambda r, d: r.release("ppi_release_amol")[r.at_day(d)] / max(  # noqa: E731
        r.counts[r.at_day(d)]["contractile"] + r.counts[r.at_day(d)]["osteogenic"], 1)
    assert per_cell(calcifying, 7) < 0.8 * per_cell(normal, 7)  # osteogenic switch + CHOP cut PPi


def test_tnap_vmax_and_mgp_secretion_by_phenotype_and_vitamin_k():
    contractile, osteo = _one_step(CONTRACTILE, n=10), _one_step(OSTEOGENIC, n=10)
    assert osteo.tnap_activity_uM_per_h[0] > 8 * contractile.tnap_activity_uM_per_h[0] > 0
    total = lambda r: r.cmgp_release_nM[0] + r.ucmgp_release_nM[0]  # noqa: E731
    assert total(osteo) > 2 * total(contractile) > 0
    warfarin = _one_step(CONTRACTILE, n=10, mgp_carboxylated_fraction=0.3)
    # the carboxylated share of what is secreted is the cell's (relaxing toward ~0.84 within the step)
    assert warfarin.cmgp_release_nM[0] / total(warfarin) == pytest.approx(0.3, abs=0.02)
    ko = _one_step(CONTRACTILE, n=10, overrides={"mgp_knockdown_fraction": 1.0})
    assert total(ko) == 0.0
    dead = _one_step(APOPTOTIC, n=10)
    for name, arr in vars(dead).items():
        assert (arr == 0).all(), name
