"""Systemic mineral model: normal state, CKD sequence, mass balance, numerics, checkpoints."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vcsim.params import ParameterError, default_parameters
from vcsim.systemic import (
    MineralState,
    PiecewiseLinear,
    SystemicInputs,
    advance,
    lumen_boundary,
    mass_balance_error,
    serum,
    steady_state,
)
from vcsim.systemic.scenarios import ckd_steady_states, crossing_gfr, haemodialysis_start_state

P = default_parameters()
CPP_RATIO = P["cpp_phosphate_to_calcium_ratio"]
NORMAL_STATE = steady_state(P)


@pytest.fixture(scope="module")
def normal():
    return NORMAL_STATE


# Reference ranges: ionised Ca 1.1-1.3, total Ca 2.2-2.6, Pi 0.8-1.45, Mg 0.7-1.0 mM (clinical reference ranges);
# intact PTH 10-65 pg/mL (second-generation assays; > 65 = elevated, Levin et al. 2007); calcitriol
# ~40-150 pmol/L; intact FGF23 28-100 pg/mL (LIAISON, Cho et al. 2026; assay-specific, Heijboer &
# Cavalier 2023); fetuin-A 0.5-1.0 g/L; plasma PPi ~2-3.3 uM; T50 329 +- 58 min (Eelderink 2020).
NORMAL_RANGES = {
    "serum_ionised_calcium_mM": (1.1, 1.3),
    "serum_total_calcium_mM": (2.2, 2.6),
    "serum_phosphate_mM": (0.8, 1.45),
    "serum_magnesium_mM": (0.7, 1.0),
    "pth_pg_per_mL": (10.0, 65.0),
    "calcitriol_pmol_per_L": (40.0, 150.0),
    "fgf23_pg_per_mL": (28.0, 100.0),
    "fetuin_a_g_per_L": (0.5, 1.0),
    "serum_ppi_uM": (2.0, 3.3),
    "serum_bicarbonate_mM": (22.0, 29.0),
    "t50_min": (271.0, 387.0),
}


def test_normal_gfr_steady_state_has_normal_serum_physiology(normal):
    s = serum(normal, P)
    for key, (lo, hi) in NORMAL_RANGES.items():
        assert lo <= s[key] <= hi, (key, s[key])
    # ionised vs total: about half of serum Ca and ~55 % of Mg are ionised (Walser 1961)
    assert 0.44 <= s["serum_ionised_calcium_mM"] / s["serum_total_calcium_mM"] <= 0.52
    assert 0.5 <= s["serum_ionised_magnesium_mM"] / s["serum_magnesium_mM"] <= 0.6


def test_steady_state_is_stationary_under_advance(normal):
    later = advance(normal, 0.0, 240.0, None, P)
    a, b = serum(normal, P), serum(later, P)
    for key in NORMAL_RANGES:
        assert b[key] == pytest.approx(a[key], rel=1e-6), key


def test_serum_magnesium_is_about_one_percent_of_body_magnesium(normal):
    body = (
        normal.ecf_magnesium_mmol
        + normal.tissue_magnesium_mmol
        + normal.bone_exchangeable_magnesium_mmol
        + normal.bone_magnesium_mmol
    )
    assert 0.005 < normal.ecf_magnesium_mmol / body < 0.015  # serum ~1 % of body Mg (Elin 1988 Dis Mon 34:161)
    bone = (normal.bone_magnesium_mmol + normal.bone_exchangeable_magnesium_mmol) / body
    assert 0.5 < bone < 0.7  # ~60 % in bone


@pytest.fixture(scope="module")
def ckd_series():
    gfrs = [100, 90, 80, 75, 70, 65, 60, 55, 50, 45, 40, 35, 30, 27, 24, 21, 18, 15, 12, 10, 8]
    return ckd_steady_states(P, gfrs)


def test_falling_gfr_raises_fgf23_first_then_pth_then_phosphate(ckd_series):
    """Isakova et al. 2011 (FGF23 before PTH and Pi); Levin et al. 2007; Moranne et al. 2009."""
    g_fgf = crossing_gfr(ckd_series, P, "fgf23_pg_per_mL", 100.0)
    g_pth = crossing_gfr(ckd_series, P, "pth_pg_per_mL", 65.0)
    g_pi = crossing_gfr(ckd_series, P, "serum_phosphate_mM", 1.45)
    assert g_fgf > g_pth > g_pi
    assert 30.0 <= g_fgf < 90.0  # CKD stage 2-3
    assert 30.0 <= g_pth < 60.0  # stage 3
    assert g_pi < 30.0  # stage 4-5


def test_calcitriol_falls_with_gfr(ckd_series):
    d = [serum(s, P)["calcitriol_pmol_per_L"] for _, s in ckd_series]
    assert all(b < a for a, b in zip(d, d[1:], strict=False))
    d30 = dict((g, serum(s, P)["calcitriol_pmol_per_L"]) for g, s in ckd_series)[30]
    assert 0.35 < d30 / d[0] < 0.65  # about half of normal at GFR 30 (Levin et al. 2007)


def test_ckd_keeps_serum_calcium_near_normal_while_pth_rises(ckd_series):
    for g, s in ckd_series:
        if g >= 15:
            assert 2.2 <= serum(s, P)["serum_total_calcium_mM"] <= 2.6, g


def _run(state, params, inputs, dts):
    t = 0.0
    for dt in dts:
        state = advance(state, t, dt, inputs, params)
        t += dt
    return state


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    gfr=st.floats(0.0, 150.0),
    pi_diet=st.floats(5.0, 80.0),
    ca_diet=st.floats(5.0, 60.0),
    mg_diet=st.floats(1.0, 30.0),
    sessions=st.integers(0, 4),
    dialysate_ca=st.floats(1.0, 1.75),
    binder=st.floats(0.0, 6.0),
    pd=st.floats(0.0, 8.0),
    wall_ca=st.floats(-0.5, 2.0),
    wall_pi=st.floats(-0.5, 2.0),
    dt=st.floats(0.3, 9.0),
)
def test_mass_balance_closes_to_round_off(
    gfr, pi_diet, ca_diet, mg_diet, sessions, dialysate_ca, binder, pd, wall_ca, wall_pi, dt
):
    p = P.updated(
        {
            "dietary_phosphate_mmol_per_day": pi_diet,
            "dietary_calcium_mmol_per_day": ca_diet,
            "dietary_magnesium_mmol_per_day": mg_diet,
            "haemodialysis_sessions_per_week": sessions,
            "dialysate_calcium_mM": dialysate_ca,
            "calcium_acetate_g_per_day": binder,
            "peritoneal_phosphate_clearance_L_per_day": pd,
            "peritoneal_calcium_magnesium_clearance_L_per_day": pd,
        }
    )
    start = NORMAL_STATE
    inputs = SystemicInputs(
        gfr_mL_per_min=gfr, wall_calcium_uptake_mmol=wall_ca, wall_phosphate_uptake_mmol=wall_pi
    )
    end = _run(start, p, inputs, [dt] * 3)
    err = mass_balance_error(start, end, CPP_RATIO)
    assert max(abs(v) for v in err.values()) < 1e-10, err
    assert end.calcium_wall_mmol == pytest.approx(3 * wall_ca, abs=1e-9)


def test_mass_balance_check_detects_a_lost_millimole(normal):
    end = advance(normal, 0.0, 24.0, None, P)
    leaky = MineralState.from_dict(
        {**end.to_dict(), "ecf_phosphate_mmol": end.ecf_phosphate_mmol - 1e-3}
    )
    assert abs(mass_balance_error(normal, leaky, CPP_RATIO)["phosphate"]) > 1e-10


def _fixed(h):
    return P.updated(
        {"systemic_rtol": 0.0, "systemic_max_substep_h": h, "haemodialysis_sessions_per_week": 3}
    )


@pytest.fixture(scope="module")
def hd_start():
    return haemodialysis_start_state(P)


def test_substeps_converge_at_second_order_through_a_dialysis_session(hd_start):
    _, start = hd_start
    inputs = SystemicInputs(gfr_mL_per_min=0.0)

    def run(h):  # Monday 07:00-13:00 spans the 08:00-12:00 session
        return advance(start, 7.0, 6.0, inputs, _fixed(h)).to_array()[:24]

    ref = run(1.0 / 128.0)
    scale = np.maximum(np.abs(ref), 1e-3)
    errs = [float(np.max(np.abs(run(h) - ref) / scale)) for h in (1.0, 0.5, 0.25, 0.125)]
    assert all(b < a for a, b in zip(errs, errs[1:], strict=False))
    orders = [math.log2(a / b) for a, b in zip(errs, errs[1:], strict=False)]
    assert min(orders[1:]) > 1.6, (errs, orders)  # SDIRK2: error ~ h**2
    assert errs[-1] < 1e-3


def test_adaptive_substeps_match_a_fine_fixed_step_run(hd_start):
    p_hd, start = hd_start
    inputs = SystemicInputs(gfr_mL_per_min=0.0)
    adaptive = advance(start, 7.0, 6.0, inputs, p_hd).to_array()[:24]
    fine = advance(start, 7.0, 6.0, inputs, _fixed(1.0 / 64.0)).to_array()[:24]
    assert np.max(np.abs(adaptive - fine) / np.maximum(np.abs(fine), 1e-3)) < 1e-3


def test_checkpoint_round_trip_continues_identically(hd_start):
    p_hd, start = hd_start
    inputs = SystemicInputs(gfr_mL_per_min=PiecewiseLinear([(0.0, 5.0), (48.0, 0.0)]))
    straight = start
    for i in range(20):
        straight = advance(straight, 3.0 * i, 3.0, inputs, p_hd)
    split = start
    for i in range(10):
        split = advance(split, 3.0 * i, 3.0, inputs, p_hd)
    split = MineralState.from_dict(json.loads(json.dumps(split.to_dict())))
    for i in range(10, 20):
        split = advance(split, 3.0 * i, 3.0, inputs, p_hd)
    assert split.to_dict() == straight.to_dict()


def test_wall_uptake_is_ledgered_and_negligible_for_serum_in_vivo(normal):
    # 0.1 mmol Ca/day (and 0.06 mmol Pi) into the arteries for a week: ~4x the Ca of a gram of
    # new vascular hydroxyapatite a year (1 g HAP ~ 10 mmol Ca), a heavily calcifying patient
    inputs = SystemicInputs(
        wall_calcium_uptake_mmol=0.1 / 24.0, wall_phosphate_uptake_mmol=0.06 / 24.0
    )
    state, free = normal, normal
    for i in range(7):
        state = advance(
            state,
            24.0 * i,
            24.0,
            SystemicInputs(wall_calcium_uptake_mmol=0.1, wall_phosphate_uptake_mmol=0.06),
            P,
        )
        free = advance(free, 24.0 * i, 24.0, None, P)
    assert state.calcium_wall_mmol == pytest.approx(0.7)
    a, b = serum(state, P), serum(free, P)
    assert a["serum_ionised_calcium_mM"] < b["serum_ionised_calcium_mM"]
    assert abs(a["serum_ionised_calcium_mM"] / b["serum_ionised_calcium_mM"] - 1.0) < 0.005
    assert inputs.wall_rates(1.0)[0] == pytest.approx(0.1 / 24.0)


def test_lumen_boundary_uses_the_systemic_parameter_names(normal):
    values = lumen_boundary(normal, P)
    p2 = P.updated(values)  # every key is a valid systemic parameter
    assert p2["serum_calcium_mM"] == pytest.approx(serum(normal, P)["serum_ionised_calcium_mM"])


@pytest.mark.parametrize(
    "bad",
    [
        lambda s: advance(s, 0.0, 0.0, None, P),
        lambda s: advance(s, 0.0, float("nan"), None, P),
        lambda s: advance(s, 0.0, 1.0, SystemicInputs(gfr_mL_per_min=-5.0), P),
        lambda s: advance(s, 0.0, 1.0, SystemicInputs(wall_calcium_uptake_mmol=float("inf")), P),
        lambda s: advance(s, 0.0, 1.0, SystemicInputs(wall_phosphate_uptake_mmol=500.0), P),
        lambda s: MineralState.from_dict({**s.to_dict(), "pth_pg_per_mL": float("nan")}),
        lambda s: MineralState.from_dict({**s.to_dict(), "not_a_pool_mmol": 1.0}),
        lambda s: PiecewiseLinear([(1.0, 2.0), (0.5, 3.0)]),
        lambda s: P.updated({"gfr_mL_per_min": -1.0}),
    ],
)
def test_bad_input_is_a_one_line_parameter_error(normal, bad):
    with pytest.raises(ParameterError) as info:
        bad(normal)
    assert "\n" not in str(info.value)
