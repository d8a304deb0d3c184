"""ER stress / UPR arms of the cell model, each in isolation (site inputs held constant).

Directions from the ER-stress/calcification literature (reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056);
timescales from Rutkowski et al. 2006 PLoS Biol 4:e374, Yoshida et al. 2001 Cell 107:881, Haze et al. 1999 Mol Biol Cell 10:3787.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from vcsim.cells import load_rules
from vcsim.cells.culture import culture_model, run_culture
from vcsim.cells.reporting import marker_means
from vcsim.cells.vsmc.upr import oxidative_stress_update
from vcsim.params import default_parameters
from vcsim.params.record import InputRecord
from vcsim.schedule import Schedule, ScheduleEntry

PARAMS = default_parameters()
RULES = load_rules()
CALCIFYING = {"serum_phosphate_mM": 2.0}
STRESSED = {"serum_phosphate_mM": 2.0, "tnf_alpha_pg_per_mL": 20.0}


@cache
def _day7(**overrides) -> dict[str, float]:
    """Mean markers over viable cells, averaged over days 5-7."""
    res = run_culture(days=7, n_cells=24, overrides=overrides, record_every_h=12)
    rows = res.markers[-5:]
    return {k[len("mean_"):]: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def day7(**overrides) -> dict[str, float]:
    return _day7(**overrides)


@cache
def day7_in_medium(**site) -> dict[str, float]:
    """As :func:`day7`, in a medium with the given site values (e.g. no Mg)."""
    res = run_culture(days=7, n_cells=24, site=site, record_every_h=12)
    rows = res.markers[-5:]
    return {k[len("mean_"):]: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def _hourly(phases, n=8, seed=0):
    """Markers every hour through phases of (hours, overrides), each phase's overrides on top
    of the defaults (the medium follows serum Pi and Mg); returns {marker: array}."""
    entries, start = [], 0.0
    for hours, overrides in phases:
        entries += [ScheduleEntry(k, v, start, start + hours) for k, v in overrides.items()]
        start += hours
    dish = culture_model(n, seed=seed, schedule=Schedule(entries))
    out: dict[str, list[float]] = {}

    def record():
        for k, v in marker_means(dish.cells).items():
            out.setdefault(k[len("mean_"):], []).append(v)

    record()
    for _ in range(int(start)):
        dish.step()
        record()
    return {k: np.array(v) for k, v in out.items()}


def test_upr_readouts_within_hours_and_grp78_outlasts_short_lived_chop():
    stress = {"serum_phosphate_mM": 3.0, "tnf_alpha_pg_per_mL": 100.0, "age_index": 2.0}
    m = _hourly([(24, {}), (24, stress), (48, {})])
    base = {k: v[24] for k, v in m.items()}
    # XBP1 splicing and ATF6 cleavage within 1-2 h of the sensors; at dt = 1 h each link of
    # stress -> load -> sensor -> XBP1s adds one step, so they are up by 3 h and past half by 4 h
    for k in ("xbp1s", "atf6"):
        rise8 = m[k][24 + 8] - base[k]
        assert rise8 > 0.05
        assert m[k][24 + 3] - base[k] > 0.25 * rise8, k
        assert m[k][24 + 4] - base[k] > 0.5 * rise8, k
    assert m["chop"][24 + 8] > 2.0 * base["chop"]  # UPR readouts within ~8 h
    assert m["grp78"][24 + 8] > base["grp78"] + 0.02
    peak_chop = m["chop"][48] - base["chop"]
    peak_grp78 = m["grp78"][48] - base["grp78"]
    # CHOP is short-lived: back near baseline within 12 h of relief...
    assert m["chop"][48 + 12] - base["chop"] < 0.3 * peak_chop
    # ...GRP78 (half-life > 24 h) is still well up a day later
    assert m["grp78"][48 + 24] - base["grp78"] > 0.4 * peak_grp78


def test_perk_knockout_removes_the_atf4_chop_response_to_stress():
    healthy, wt, ko = day7(), day7(**STRESSED), day7(**STRESSED, perk_knockdown_fraction=1.0)
    assert wt["atf4"] > 1.4 * healthy["atf4"] and wt["chop"] > 3 * healthy["chop"]
    assert ko["perk"] == 0.0 and ko["p_eif2a"] == 0.0
    assert ko["atf4"] < healthy["atf4"]
    assert ko["chop"] < 0.25 * wt["chop"]
    assert ko["unfolded_load"] > wt["unfolded_load"]  # no translational brake


def test_xbp1_knockout_lowers_runx2_drive():
    wt, ko = day7(**CALCIFYING), day7(**CALCIFYING, xbp1_knockdown_fraction=1.0)
    assert ko["xbp1s"] == 0.0
    assert ko["runx2"] < 0.8 * wt["runx2"]
    assert ko["osteogenic_commitment"] < wt["osteogenic_commitment"]


@pytest.mark.parametrize("chaperone", ["pba4_chaperone_fraction", "tudca_chaperone_fraction"])
def test_chemical_chaperones_lower_the_unfolded_load_and_the_upr(chaperone):
    wt, treated = day7(**STRESSED), day7(**STRESSED, **{chaperone: 1.0})
    assert treated["unfolded_load"] < 0.7 * wt["unfolded_load"]
    assert treated["chop"] < 0.6 * wt["chop"]
    assert treated["grp78"] < wt["grp78"]
    assert treated["runx2"] < wt["runx2"]


def test_rapamycin_lowers_mtorc1_and_raises_autophagy():
    wt, rapa = day7(**CALCIFYING), day7(**CALCIFYING, rapamycin_mtorc1_inhibition_fraction=0.9)
    assert rapa["mtorc1"] < 0.2 * wt["mtorc1"]
    assert rapa["autophagy_flux"] > 1.5 * wt["autophagy_flux"]
    assert rapa["runx2"] < wt["runx2"]


def test_three_methyladenine_blocks_autophagy_and_raises_er_stress():
    wt, blocked = day7(**CALCIFYING), day7(**CALCIFYING, three_ma_autophagy_block_fraction=0.9)
    assert blocked["autophagy_flux"] < 0.2 * wt["autophagy_flux"]
    assert blocked["unfolded_load"] > 1.1 * wt["unfolded_load"]
    assert blocked["chop"] > wt["chop"] and blocked["grp78"] > wt["grp78"]
    assert blocked["runx2"] > wt["runx2"]


def test_warfarin_lowers_carboxylated_mgp_and_vitamin_k_restores_it():
    healthy = day7()
    warfarin = day7(warfarin_vkorc1_inhibition_fraction=0.9)
    rescued = day7(warfarin_vkorc1_inhibition_fraction=0.9, vitamin_k_index=10.0)
    deficient = day7(vitamin_k_index=0.2)
    assert healthy["mgp_carboxylated_fraction"] > 0.75
    assert warfarin["mgp_carboxylated_fraction"] < 0.5
    assert deficient["mgp_carboxylated_fraction"] < healthy["mgp_carboxylated_fraction"]
    assert rescued["mgp_carboxylated_fraction"] > 0.75


def test_serca_runs_on_mg_atp_so_hypomagnesaemia_barely_moves_the_store_but_no_mg_empties_it():
    normal, low = day7(), day7(serum_magnesium_mM=0.4)
    # cytosolic free Mg2+ follows the fluid down, but Mg-ATP stays near saturation (Kd ~0.07 mM)
    assert low["cytosol_magnesium_mM"] < normal["cytosol_magnesium_mM"] - 0.1
    assert abs(low["er_calcium_fraction"] - normal["er_calcium_fraction"]) < 0.005
    # a Mg-free medium takes the cell's Mg-ATP and SERCA with it: the store empties, load rises
    free = day7_in_medium(magnesium_mM=0.0)
    assert free["cytosol_magnesium_mM"] < 0.01
    assert free["er_calcium_fraction"] < 0.1
    assert free["unfolded_load"] > normal["unfolded_load"]


def test_tnf_alpha_raises_perk_atf4_chop_and_neutralising_it_lowers_them():
    healthy = day7()
    tnf = day7(tnf_alpha_pg_per_mL=20.0)
    neutralised = day7(tnf_alpha_pg_per_mL=20.0, anti_tnf_fraction=0.9)
    for k in ("perk", "atf4", "chop"):
        assert tnf[k] > 1.4 * healthy[k], k
        assert neutralised[k] < tnf[k] and neutralised[k] < 1.2 * healthy[k], k
    assert tnf["jnk"] > 10 * healthy["jnk"]


def test_age_rage_lipids_and_oxidative_stress_each_raise_er_stress_and_their_blockers_lower_it():
    healthy = day7()
    age, blocked = day7(age_index=1.0), day7(age_index=1.0, rage_antagonist_fraction=0.9)
    assert age["unfolded_load"] > 1.3 * healthy["unfolded_load"] and age["mtorc1"] > healthy["mtorc1"]
    assert blocked["unfolded_load"] < age["unfolded_load"]
    assert day7(lipid_index=1.0)["unfolded_load"] > 1.3 * healthy["unfolded_load"]
    ox, anti = day7(oxidative_stress_index=1.0), day7(oxidative_stress_index=1.0, antioxidant_fraction=0.9)
    assert ox["ros"] > 5 * healthy["ros"] and ox["unfolded_load"] > 1.3 * healthy["unfolded_load"]
    assert anti["ros"] < 0.2 * ox["ros"] and anti["unfolded_load"] < ox["unfolded_load"]


def test_fluctuating_glucose_gives_more_ros_upr_and_osteogenic_drive_than_constant_high():
    def mean_over_whole_periods(**ov):
        res = run_culture(days=14, n_cells=12, overrides=ov, record_every_h=1)
        window = slice(4 * 24 + 1, 14 * 24 + 1)  # days 4-14: five whole 48 h periods
        return {k: float(res.marker(k)[window].mean()) for k in ("ros", "unfolded_load", "chop", "grp78", "runx2")}

    normal = mean_over_whole_periods()
    high = mean_over_whole_periods(glucose_mM=25.0)
    swings = mean_over_whole_periods(glucose_mM=25.0, glucose_low_mM=5.0, glucose_mode="fluctuating",
                                     glucose_period_h=48.0)
    for k in normal:
        assert normal[k] < high[k] < swings[k], k


def test_grp78_and_chop_rise_together_with_osteogenic_markers_under_high_phosphate():
    normal, high = day7(serum_phosphate_mM=1.0), day7(serum_phosphate_mM=2.5)
    assert high["grp78"] > normal["grp78"] + 0.1
    assert high["chop"] > 3 * normal["chop"]
    assert high["runx2"] > 0.3 and normal["runx2"] < 0.05
    assert high["tnap"] > 4 * normal["tnap"]
    assert high["contractile_markers"] < normal["contractile_markers"] - 0.2


def test_pit1_blocker_removes_the_phosphate_drive_dose_dependently():
    healthy = day7()
    calcifying = day7(**CALCIFYING)
    half = day7(**CALCIFYING, pit1_blocker_fraction=0.25)
    blocked = day7(**CALCIFYING, pit1_blocker_fraction=1.0)
    assert blocked["runx2"] <= healthy["runx2"] + 0.01
    assert blocked["unfolded_load"] <= healthy["unfolded_load"]
    assert blocked["runx2"] < half["runx2"] < calcifying["runx2"]


def test_atf4_knockdown_lowers_osteogenic_markers():
    wt, kd = day7(**CALCIFYING), day7(**CALCIFYING, atf4_knockdown_fraction=0.8)
    assert kd["atf4"] < 0.5 * wt["atf4"]
    assert kd["runx2"] < 0.8 * wt["runx2"]
    assert kd["tnap"] < 0.7 * wt["tnap"]
    assert kd["chop"] < wt["chop"]


def test_oxidative_stress_rises_within_hours_and_falls_with_the_damage_time_constant():
    p = InputRecord(PARAMS.schema, PARAMS).record
    tau_up, tau_down = PARAMS["tau_ros_h"], PARAMS["tau_oxidative_damage_h"]
    assert tau_down > 10 * tau_up
    ros = 0.1
    for _ in range(3):  # a burst: 3 h toward a target of 1.0
        ros = oxidative_stress_update(ros, 1.0, p, 1.0)
    assert ros == pytest.approx(1.0 - 0.9 * np.exp(-3.0 / tau_up))
    high = ros
    for _ in range(48):  # production stops: damage repaired over tau_down, never below the target
        ros = oxidative_stress_update(ros, 0.1, p, 1.0)
        assert ros >= 0.1
    assert ros == pytest.approx(0.1 + (high - 0.1) * np.exp(-48.0 / tau_down))
    # any step size: the same exact relaxation, monotone, no overshoot
    one = oxidative_stress_update(high, 0.1, p, 48.0)
    assert one == pytest.approx(ros)


def test_a_glucose_swing_leaves_oxidative_damage_that_decays_with_tau_and_keeps_runx2_up():
    """Ceriello et al. 2008 / Ihnat et al. 2007: oxidative stress outlasts a 5 -> 25 mM rise."""
    fixed_pi = {"serum_phosphate_mM": 1.6}
    tau = PARAMS["tau_oxidative_damage_h"]
    swing = _hourly([(48, {**fixed_pi, "glucose_mM": 5.0}), (24, {**fixed_pi, "glucose_mM": 25.0}),
                     (72, {**fixed_pi, "glucose_mM": 5.0})])
    calm = _hourly([(144, {**fixed_pi, "glucose_mM": 5.0})])
    basal = calm["ros"][48]
    drop = 72
    excess_at_drop = swing["ros"][drop] - basal
    assert excess_at_drop > 5 * basal  # the rise overshoots (un-adapted glucose)
    for hours in (24, 48, 72):  # after glucose is back at 5 mM the excess decays as exp(-t / tau)
        expected = excess_at_drop * np.exp(-hours / tau)
        assert swing["ros"][drop + hours] - basal == pytest.approx(expected, rel=0.02)
    # the damage keeps feeding the Runx2 drive a day after the swing ended (same Pi throughout)
    assert swing["runx2"][drop + 24] > calm["runx2"][drop + 24] + 0.02
