"""Haemodialysis and peritoneal dialysis: phosphate kinetics against the published model."""

from __future__ import annotations

import math

import pytest

from vcsim.params import default_parameters
from vcsim.systemic import SystemicInputs, advance, serum, steady_state
from vcsim.systemic.dialysis import on_haemodialysis, session_boundaries
from vcsim.systemic.scenarios import haemodialysis_start_state

ANURIC = SystemicInputs(gfr_mL_per_min=0.0)

# Pseudo-one-compartment model of Agar et al. 2011 (Clin J Am Soc Nephrol 6:2854), 4 h sessions:
# mobilisation clearance 99 +- 47 mL/min, central volume 11.9 +- 3.8 L; dialyser phosphate
# clearance 160 mL/min (HD, Leypoldt et al. 2013 Blood Purif 35 Suppl 1:59).
K_M = (99.0, 47.0)
V_L = (11.9, 3.8)
K_D = 160.0


def poc_ratio(t_h: float, k_m_ml_min: float, v_l: float, session_h: float = 4.0) -> float:
    """Published-model Pi / pre-dialysis Pi at ``t_h`` after the session start."""
    km, kd = k_m_ml_min * 0.06, K_D * 0.06
    a = km / (km + kd)
    if t_h <= session_h:
        return a + (1.0 - a) * math.exp(-(km + kd) * t_h / v_l)
    end = a + (1.0 - a) * math.exp(-(km + kd) * session_h / v_l)
    return 1.0 - (1.0 - end) * math.exp(-km * (t_h - session_h) / v_l)


def envelope(t_h: float) -> tuple[float, float]:
    """Range of the published curve over mean +- SD of K_M and V (their reported spread)."""
    vals = [
        poc_ratio(t_h, km, v)
        for km in (K_M[0] - K_M[1], K_M[0], K_M[0] + K_M[1])
        for v in (V_L[0] - V_L[1], V_L[0], V_L[0] + V_L[1])
    ]
    return min(vals), max(vals)


@pytest.fixture(scope="module")
def session_curve():
    """Pi through the Monday session of the second HD week (after the long interval)."""
    p, state = haemodialysis_start_state(default_parameters())
    t = 0.0
    for _ in range(168 + 8):  # one week of HD, then Monday until 08:00
        state = advance(state, t, 1.0, ANURIC, p)
        t += 1.0
    assert on_haemodialysis(t, p) and not on_haemodialysis(t - 0.01, p)
    pre = serum(state, p)["serum_phosphate_mM"]
    curve = [(0.0, 1.0)]
    for i in range(1, 10 * 4 + 1):  # 15-min steps for 10 h
        state = advance(state, t, 0.25, ANURIC, p)
        t += 0.25
        curve.append((i * 0.25, serum(state, p)["serum_phosphate_mM"] / pre))
    return p, pre, curve


def test_intradialytic_phosphate_falls_to_a_plateau_then_rebounds_within_the_published_model(
    session_curve,
):
    _, pre, curve = session_curve
    assert pre > 1.4  # a hyperphosphataemic pre-dialysis sample
    for t_h, ratio in curve:
        lo, hi = envelope(t_h)
        assert lo - 0.02 <= ratio <= hi + 0.02, (t_h, ratio, lo, hi)
    ratio = dict(curve)
    assert 0.35 <= ratio[4.0] <= 0.50  # ~40-50 % of the start at the end of the session
    assert abs(ratio[4.0] - ratio[3.0]) < 0.05  # plateau over the last hour
    rebound = (ratio[8.0] - ratio[4.0]) / (1.0 - ratio[4.0])
    assert rebound > 0.6  # most of the fall is recovered within 4 h


def test_sessions_run_mon_wed_fri_0800_to_1200_and_are_never_stepped_across():
    p, state = haemodialysis_start_state(default_parameters())
    assert session_boundaries(0.0, 168.0, p) == [8.0, 12.0, 56.0, 60.0, 104.0, 108.0]
    # one call spanning a session gives the same bits as calls split at its on/off times
    whole = advance(state, 7.0, 6.0, ANURIC, p)
    split = state
    for t0, dt in ((7.0, 1.0), (8.0, 4.0), (12.0, 1.0)):
        split = advance(split, t0, dt, ANURIC, p)
    assert whole.to_dict() == split.to_dict()
    assert whole.phosphate_dialysis_mmol - state.phosphate_dialysis_mmol > 10.0


def test_raising_dialysate_magnesium_raises_t50():
    p, state = haemodialysis_start_state(default_parameters())
    low = steady_state(p, ANURIC, initial=state)
    high_p = p.updated({"dialysate_magnesium_mM": 1.0})
    high = steady_state(high_p, ANURIC, initial=state)
    s_low, s_high = serum(low, p), serum(high, high_p)
    assert s_high["serum_magnesium_mM"] > s_low["serum_magnesium_mM"] + 0.1
    assert s_high["t50_min"] > s_low["t50_min"] + 20.0


def test_peritoneal_dialysis_is_a_continuous_phosphate_clearance():
    p = default_parameters()
    ckd = steady_state(p, SystemicInputs(gfr_mL_per_min=8.0))
    pd = p.updated(
        {
            "peritoneal_phosphate_clearance_L_per_day": 5.5,
            "peritoneal_calcium_magnesium_clearance_L_per_day": 5.5,
        }
    )
    with_pd = steady_state(pd, SystemicInputs(gfr_mL_per_min=8.0), initial=ckd)
    assert serum(with_pd, pd)["serum_phosphate_mM"] < serum(ckd, p)["serum_phosphate_mM"] - 0.2
    # continuous: two consecutive hours remove the same Pi (no sessions)
    a = advance(with_pd, 0.0, 1.0, SystemicInputs(gfr_mL_per_min=8.0), pd)
    b = advance(a, 1.0, 1.0, SystemicInputs(gfr_mL_per_min=8.0), pd)
    first = a.phosphate_dialysis_mmol - with_pd.phosphate_dialysis_mmol
    second = b.phosphate_dialysis_mmol - a.phosphate_dialysis_mmol
    assert first > 0.0 and abs(second - first) < 1e-3 * first
