"""The patient coupled to the wall (vcsim.processes.mineral_metabolism): the lumen follows the
systemic mineral model, the wall's uptake returns to it, and a checkpoint keeps it."""

import math

import numpy as np
import pytest

from vcsim import VascularModel, systemic
from vcsim.model import run
from vcsim.params import ParameterError, default_parameters
from vcsim.processes.mineral_metabolism import COUPLED_SYSTEMIC, READOUTS, column
from vcsim.schedule import Schedule, ScheduleEntry

SMALL = {"lattice_rows": 6, "lattice_cols": 12}


def coupled(schedule=None, **kw):
    return VascularModel(seed=3, schedule=schedule, patient_coupled=True, **{**SMALL, **kw})


def test_uncoupled_runs_have_no_patient_process_or_columns():
    m = VascularModel(seed=3, **SMALL)
    assert "mineral_metabolism" not in m.processes.names()
    assert not [c for c in m.outputs.names() if c.startswith("patient_")]


def test_the_lumen_is_the_patients_serum_at_the_start_of_each_step():
    m = coupled(gfr_mL_per_min=15.0)
    proc = m.processes["mineral_metabolism"]
    for _ in range(3):
        before = proc.state
        m.step()
        s = systemic.serum(before, m.params)
        # the wall used the serum at t during [t, t + dt]
        assert m.systemic["serum_calcium_mM"] == s["serum_ionised_calcium_mM"]
        assert m.systemic["serum_phosphate_mM"] == s["serum_phosphate_mM"]
        assert m.systemic["serum_magnesium_mM"] == s["serum_magnesium_mM"]
        assert m.systemic["serum_ppi_uM"] == s["serum_ppi_uM"]
        assert m.systemic["fetuin_a_g_per_L"] == s["fetuin_a_g_per_L"]
        assert float(m.inputs.array[0]["serum_phosphate_mM"]) == s["serum_phosphate_mM"]
        assert m.boundary["phosphate_mM"] == s["serum_phosphate_mM"]
    # the outputs after the step describe the patient at t + dt, and so do the values in force
    after = systemic.serum(proc.state, m.params)
    assert m.systemic_now()["serum_phosphate_mM"] == after["serum_phosphate_mM"]
    assert m.stat(column("serum_phosphate_mM")) == after["serum_phosphate_mM"]
    assert proc.state_time_h == m.time_h


def test_normal_gfr_gives_normal_serum_through_a_coupled_run():
    m = coupled()
    run(m, 1)
    df = m.datacollector.get_model_vars_dataframe()
    last = df.iloc[-1]
    assert 1.1 <= last[column("serum_ionised_calcium_mM")] <= 1.3      # Fogh-Andersen et al. 1978
    assert 0.8 <= last[column("serum_phosphate_mM")] <= 1.45
    assert 0.7 <= last[column("serum_magnesium_mM")] <= 1.0            # Elin 1987
    assert 10 <= last[column("pth_pg_per_mL")] <= 65
    assert every_readout_is_finite(df)


def every_readout_is_finite(df):
    cols = [column(k) for k, _, _ in READOUTS]
    return bool(np.isfinite(df[cols].to_numpy()).all())


def test_falling_gfr_in_a_coupled_run_raises_fgf23_then_pth_then_phosphate():
    # GFR 90 -> 10 mL/min over 60 days: a fast decline, so the sequence is seen in a short run
    sched = Schedule([ScheduleEntry("gfr_mL_per_min", 10.0, 0.0, math.inf, 60 * 24.0)])
    m = VascularModel(seed=3, schedule=sched, patient_coupled=True, gfr_mL_per_min=90.0,
                      lattice_rows=4, lattice_cols=6, dt_h=6.0)
    run(m, 120)
    df = m.datacollector.get_model_vars_dataframe()
    g = df[column("gfr_mL_per_min")].to_numpy()
    assert g[0] == 90.0 and abs(g[-1] - 10.0) < 1e-12

    def first_day(name, limit):
        above = np.nonzero(df[column(name)].to_numpy() > limit)[0]
        assert above.size, f"{name} never exceeds {limit}"
        return df["day"].to_numpy()[above[0]]

    t_fgf23 = first_day("fgf23_pg_per_mL", 100.0)
    t_pth = first_day("pth_pg_per_mL", 65.0)
    t_pi = first_day("serum_phosphate_mM", 1.45)
    assert t_fgf23 < t_pth < t_pi
    calcitriol = df[column("calcitriol_pmol_per_L")].to_numpy()
    assert calcitriol[-1] < 0.5 * calcitriol[0]


def test_the_body_ledger_holds_the_walls_uptake_and_closes():
    m = coupled(gfr_mL_per_min=8.0, patient_media_volume_mL=1000.0)
    proc = m.processes["mineral_metabolism"]
    run(m, 2)
    scale = 1e-3 * 1000.0 / proc.lattice_volume_L
    # the lattice uptake up to the start of the last step is in the body's wall ledger
    passed_ca = 1e-3 * proc.fed_back_umol["calcium"] * scale
    passed_p = 1e-3 * proc.fed_back_umol["phosphorus"] * scale
    assert proc.state.calcium_wall_mmol == pytest.approx(passed_ca, rel=1e-12, abs=1e-18)
    assert proc.state.phosphate_wall_mmol == pytest.approx(passed_p, rel=1e-12, abs=1e-18)
    assert proc.fed_back_umol["phosphorus"] != 0.0
    assert max(abs(v) for v in proc.mass_balance_error().values()) < 1e-12


def test_the_feedback_acts_and_can_be_turned_off():
    a = coupled(gfr_mL_per_min=8.0, patient_media_volume_mL=1000.0)
    b = coupled(gfr_mL_per_min=8.0, patient_media_volume_mL=0.0)
    run(a, 1)
    run(b, 1)
    sa, sb = a.processes["mineral_metabolism"].state, b.processes["mineral_metabolism"].state
    assert sb.phosphate_wall_mmol == 0.0 and sa.phosphate_wall_mmol != 0.0
    assert sa.ecf_phosphate_mmol != sb.ecf_phosphate_mmol


def test_checkpoint_resume_continues_the_patient_exactly():
    sched = Schedule([ScheduleEntry("gfr_mL_per_min", 20.0, 0.0, math.inf, 48.0)])
    full = coupled(schedule=sched, gfr_mL_per_min=40.0)
    for _ in range(12):
        full.step()
    half = coupled(schedule=sched, gfr_mL_per_min=40.0)
    for _ in range(5):
        half.step()
    arrays, meta = half.checkpoint()
    resumed = VascularModel.from_checkpoint(arrays, meta)
    # the values in force are those the next step will use: the patient at the checkpoint's time
    now = systemic.serum(half.processes["mineral_metabolism"].state, half.params)
    assert resumed.systemic["serum_phosphate_mM"] == now["serum_phosphate_mM"]
    for _ in range(7):
        resumed.step()
    assert resumed.processes["mineral_metabolism"].state == full.processes["mineral_metabolism"].state
    da = full.datacollector.get_model_vars_dataframe()
    db = resumed.datacollector.get_model_vars_dataframe()
    cols = [column(k) for k, _, _ in READOUTS] + ["calcium_content_ug_per_mg_protein"]
    assert np.array_equal(da[cols].to_numpy(), db[cols].to_numpy())


def test_haemodialysis_in_a_coupled_run_lowers_the_lumen_phosphate_then_it_rebounds():
    m = coupled(gfr_mL_per_min=2.0, haemodialysis_sessions_per_week=3, lattice_rows=4, lattice_cols=6)
    run(m, 7)
    df = m.datacollector.get_model_vars_dataframe()
    pi = df[column("serum_phosphate_mM")].to_numpy()
    hours = np.round(df["day"].to_numpy() * 24).astype(int)
    # Monday's session: 08:00-12:00 (t = 0 is Monday 00:00)
    pre, end, later = pi[hours == 8][0], pi[hours == 12][0], pi[hours == 16][0]
    assert end < 0.6 * pre            # the intradialytic fall (docs/systemic.md s. 6: 37 % at 4 h)
    assert end < later < pre          # post-dialytic rebound


@pytest.mark.parametrize("name", COUPLED_SYSTEMIC)
def test_a_serum_value_the_patient_sets_is_refused(name):
    p = default_parameters()
    spec = p.schema[name]
    other = spec.default * 0.99
    with pytest.raises(ParameterError, match=f"^{name}: .*patient_coupled = true"):
        coupled(**{name: other})


def test_inputs_that_a_coupled_patient_would_override_are_refused():
    with pytest.raises(ParameterError, match="^phosphate_binder_fraction: .*sevelamer"):
        coupled(phosphate_binder_fraction=0.5)
    with pytest.raises(ParameterError, match="in_vivo"):
        coupled(setting="in_vitro")
    sched = Schedule([ScheduleEntry("serum_phosphate_mM", 2.0, 24.0)])
    with pytest.raises(ParameterError, match="^schedule: 'serum_phosphate_mM' is set by the patient"):
        coupled(schedule=sched)


def test_a_patient_without_a_steady_state_is_one_line():
    with pytest.raises(ParameterError, match=r"^patient at t = 0 \(GFR 0 mL/min\): steady_state did not"):
        coupled(gfr_mL_per_min=0.0)


def test_patient_inputs_can_be_scheduled_and_physiology_cannot():
    Schedule([ScheduleEntry("sevelamer_carbonate_g_per_day", 4.8, 24.0)])
    with pytest.raises(ParameterError, match="'ecf_volume_L' cannot vary in time"):
        Schedule([ScheduleEntry("ecf_volume_L", 10.0, 24.0)])


def test_a_therapy_started_by_the_schedule_acts_on_the_patient():
    sched = Schedule([ScheduleEntry("sevelamer_carbonate_g_per_day", 4.8, 24.0)])
    a = coupled(schedule=sched, gfr_mL_per_min=15.0, lattice_rows=4, lattice_cols=6, dt_h=4.0)
    b = coupled(gfr_mL_per_min=15.0, lattice_rows=4, lattice_cols=6, dt_h=4.0)
    run(a, 10)
    run(b, 10)
    pa = a.datacollector.get_model_vars_dataframe()[column("serum_phosphate_mM")].to_numpy()
    pb = b.datacollector.get_model_vars_dataframe()[column("serum_phosphate_mM")].to_numpy()
    assert np.array_equal(pa[:7], pb[:7])          # identical until day 1 (6 steps of 4 h)
    assert pa[-1] < pb[-1] - 0.05


def test_engines_agree_with_a_coupled_patient():
    a = coupled(gfr_mL_per_min=10.0, lattice_rows=4, lattice_cols=5)
    b = VascularModel(seed=3, engine="agents", patient_coupled=True, gfr_mL_per_min=10.0,
                      lattice_rows=4, lattice_cols=5)
    for _ in range(4):
        a.step()
        b.step()
    assert a.processes["mineral_metabolism"].state == b.processes["mineral_metabolism"].state
    assert np.array_equal(a.lattice.fields["mineral_hap_mM"], b.lattice.fields["mineral_hap_mM"])
