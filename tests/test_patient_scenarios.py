"""The shipped patient scenarios (patient_coupled = true): each builds, starts from its
patient's steady state and shows the disease it is named after."""

import pytest

from vcsim.model import run
from vcsim.processes.mineral_metabolism import column
from vcsim.scenario import load_scenario, scenario_names

PATIENTS = [n for n in scenario_names() if n.startswith("patient_")]
SMALL = ["lattice_rows=4", "lattice_cols=6"]


def start(name, days=0.5):
    model = load_scenario(name, SMALL).make_model(seed=1)
    run(model, days)
    return model, model.datacollector.get_model_vars_dataframe()


def test_the_patient_scenarios_are_shipped():
    assert set(PATIENTS) == {
        "patient_ckd_progression", "patient_haemodialysis", "patient_haemodialysis_binder",
        "patient_peritoneal_dialysis", "patient_transplant", "patient_primary_hyperparathyroidism",
        "patient_hypomagnesaemia"}


@pytest.mark.parametrize("name", PATIENTS)
def test_every_patient_scenario_is_coupled_and_runs(name):
    model, df = start(name)
    assert model.params["patient_coupled"]
    assert "mineral_metabolism" in model.processes.names()
    assert df[column("serum_phosphate_mM")].notna().all()


def test_ckd_progression_starts_in_stage_3b_and_ends_in_stage_5():
    sc = load_scenario("patient_ckd_progression")
    assert sc.schedule.value_at(sc.params, "gfr_mL_per_min", 0.0) == 45.0
    assert sc.schedule.value_at(sc.params, "gfr_mL_per_min", 24.0 * sc.days) == 10.0
    _, df = start("patient_ckd_progression")
    first = df.iloc[0]
    assert first[column("fgf23_pg_per_mL")] > 100       # FGF23 up first (Isakova et al. 2011)
    assert first[column("serum_phosphate_mM")] < 1.45   # Pi still normal in stage 3b


def test_a_dialysis_patient_without_a_binder_is_hyperphosphataemic_and_the_binder_acts_later():
    _, hd = start("patient_haemodialysis")
    assert hd[column("serum_phosphate_mM")].iloc[0] > 1.45
    assert hd[column("pth_pg_per_mL")].iloc[0] > 130          # > 2x the upper limit (KDIGO 2017)
    sc = load_scenario("patient_haemodialysis_binder")
    assert sc.schedule.value_at(sc.params, "sevelamer_carbonate_g_per_day", 29 * 24.0) == 0.0
    assert sc.schedule.value_at(sc.params, "sevelamer_carbonate_g_per_day", 30 * 24.0) == 4.8


def test_peritoneal_dialysis_clears_phosphate_continuously():
    model, df = start("patient_peritoneal_dialysis")
    assert model.params["haemodialysis_sessions_per_week"] == 0
    pi = df[column("serum_phosphate_mM")]
    assert pi.max() - pi.min() < 0.01                         # no sessions, no saw-tooth
    assert 1.45 < pi.iloc[0] < 3.0


def test_transplantation_restores_gfr_and_stops_dialysis_at_day_180():
    sc = load_scenario("patient_transplant")
    v = sc.schedule.value_at
    assert v(sc.params, "gfr_mL_per_min", 179 * 24.0) == 2.0
    assert v(sc.params, "gfr_mL_per_min", 181 * 24.0) == pytest.approx(31.0)
    assert v(sc.params, "gfr_mL_per_min", 182 * 24.0) == 60.0
    assert v(sc.params, "haemodialysis_sessions_per_week", 180 * 24.0) == 0


def test_primary_hyperparathyroidism_is_hypercalcaemic_with_high_pth():
    _, df = start("patient_primary_hyperparathyroidism")
    assert df[column("serum_ionised_calcium_mM")].iloc[0] > 1.30
    assert df[column("pth_pg_per_mL")].iloc[0] > 65


def test_hypomagnesaemia_patient_has_low_serum_magnesium():
    _, df = start("patient_hypomagnesaemia")
    assert df[column("serum_magnesium_mM")].iloc[0] < 0.7     # below the 0.7 mM lower limit


def test_a_graft_brings_serum_phosphate_and_fgf23_down_within_days():
    # the transplant scenario's schedule, moved to day 3 so the test is short
    from vcsim import VascularModel
    from vcsim.schedule import Schedule, ScheduleEntry

    sc = load_scenario("patient_haemodialysis", [*SMALL, "dt_h=4.0"])
    sched = Schedule([ScheduleEntry("gfr_mL_per_min", 60.0, 72.0, float("inf"), 48.0),
                      ScheduleEntry("haemodialysis_sessions_per_week", 0, 72.0)])
    model = VascularModel(seed=1, schedule=sched, params=sc.params)
    run(model, 17)
    df = model.datacollector.get_model_vars_dataframe()
    before = df[df["day"] <= 3.0]
    after = df[df["day"] >= 16.0]
    assert after[column("gfr_mL_per_min")].iloc[-1] == 60.0
    assert after[column("serum_phosphate_mM")].mean() < 0.75 * before[column("serum_phosphate_mM")].mean()
    assert after[column("fgf23_pg_per_mL")].mean() < 0.5 * before[column("fgf23_pg_per_mL")].mean()
    assert after[column("calcitriol_pmol_per_L")].mean() > before[column("calcitriol_pmol_per_L")].mean()
