"""Ramps in a schedule: a parameter moved linearly over a time, then held (vcsim.schedule)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcsim.params import ParameterError, default_parameters
from vcsim.schedule import Schedule, ScheduleEntry

P = default_parameters()


def test_a_ramp_moves_linearly_from_the_value_in_force_then_holds():
    s = Schedule([ScheduleEntry("gfr_mL_per_min", 10.0, 24.0, math.inf, 100.0)])
    assert s.value_at(P, "gfr_mL_per_min", 0.0) == 100.0          # before: the run's value
    assert s.value_at(P, "gfr_mL_per_min", 24.0) == 100.0
    assert s.value_at(P, "gfr_mL_per_min", 74.0) == pytest.approx(55.0, rel=1e-15)
    assert s.value_at(P, "gfr_mL_per_min", 124.0) == 10.0
    assert s.value_at(P, "gfr_mL_per_min", 1e6) == 10.0
    assert s.systemic_at(P, 74.0)["gfr_mL_per_min"] == s.value_at(P, "gfr_mL_per_min", 74.0)


def test_a_ramp_starts_from_earlier_entries_and_a_later_step_wins():
    s = Schedule([
        ScheduleEntry("gfr_mL_per_min", 40.0, 0.0),                     # step to 40 at t = 0
        ScheduleEntry("gfr_mL_per_min", 20.0, 10.0, math.inf, 10.0),    # then 40 -> 20 over 10 h
        ScheduleEntry("gfr_mL_per_min", 60.0, 100.0),                   # transplant
    ])
    assert s.value_at(P, "gfr_mL_per_min", 15.0) == pytest.approx(30.0)
    assert s.value_at(P, "gfr_mL_per_min", 50.0) == 20.0
    assert s.value_at(P, "gfr_mL_per_min", 100.0) == 60.0
    assert s.changes_in("gfr_mL_per_min", 0.0, 200.0) == [10.0, 20.0, 100.0]


@settings(max_examples=60, deadline=None)
@given(x0=st.floats(1.0, 150.0), x1=st.floats(0.0, 150.0), ramp=st.floats(0.5, 1e4),
       frac=st.floats(0.0, 1.0))
def test_a_ramp_stays_between_its_ends(x0, x1, ramp, frac):
    p = P.updated({"gfr_mL_per_min": x0})
    s = Schedule([ScheduleEntry("gfr_mL_per_min", x1, 0.0, math.inf, ramp)])
    v = s.value_at(p, "gfr_mL_per_min", frac * ramp)
    assert min(x0, x1) - 1e-9 <= v <= max(x0, x1) + 1e-9


def test_ramp_days_round_trip_through_records():
    recs = [{"parameter": "gfr_mL_per_min", "value": 10.0, "start_day": 0.0, "ramp_days": 1825.0}]
    s = Schedule.from_records(recs)
    assert s.entries[0].ramp_h == 1825.0 * 24
    assert s.to_records() == recs
    assert Schedule.from_records(s.to_records()).entries == s.entries


@pytest.mark.parametrize("entry, match", [
    (ScheduleEntry("haemodialysis_sessions_per_week", 3, 0.0, math.inf, 24.0), "takes int values and cannot ramp"),
    (ScheduleEntry("gfr_mL_per_min", 10.0, 0.0, 24.0, 48.0), "longer than its window"),
    (ScheduleEntry("gfr_mL_per_min", 10.0, 0.0, math.inf, -1.0), "ramp -1.0 h is not allowed"),
])
def test_bad_ramps_are_one_line(entry, match):
    with pytest.raises(ParameterError, match=match):
        Schedule([entry])


def test_ramp_days_must_be_a_number():
    with pytest.raises(ParameterError, match="ramp_days must be a number of days"):
        Schedule.from_records([{"parameter": "gfr_mL_per_min", "value": 1.0, "ramp_days": "long"}])
