"""The cell's own ions (vcsim.cells.vsmc.calcium): worked numbers, the Ca2+ balance, Mg-ATP, and
the numerics of the store update. Each test names the behaviour it protects."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vcsim.cells.vsmc.calcium as ca
from vcsim.params import default_parameters
from vcsim.params.cell_ions import PARAMS as ION_PARAMS
from vcsim.params.cell_ions import REFERENCE
from vcsim.params.record import InputRecord

ROOT = Path(__file__).resolve().parents[1]
T_BODY_K = 310.0
SQ, ROS = REFERENCE["sequestration_fraction"], REFERENCE["ros_signal"]


def record(**overrides):
    """The run's parameter record (defaults, then ``overrides``), as the model builds it."""
    params = default_parameters()
    return InputRecord(params.schema, {**params.to_dict(), **overrides}).record


P = record()
MG_REF = ca.cytosol_magnesium_target_mM(REFERENCE["magnesium_mM"], P)


def steady(calcium_mM=1.2, mg_fluid_mM=0.85, sq=SQ, ros=ROS, p=P):
    mg = ca.cytosol_magnesium_target_mM(mg_fluid_mM, p)
    return ca.quasi_steady_store(calcium_mM, mg, sq, ros, p)


# ======================================================================= the seed's worked numbers
def test_calcium_nernst_potential_is_plus_128_mV_at_1p5_mM_out_100_nM_in_310_K():
    e = ca.nernst_potential_V(1.5e-3, 100e-9, 2, T_BODY_K)
    assert e == pytest.approx(0.128, abs=0.0015)
    # and the resting Ca2+ distribution is far from equilibrium at V_m ~ -50 to -70 mV
    assert e - (-0.070) > 0.19


def test_200_uM_buffer_of_kd_1_uM_holds_free_calcium_near_0p165_uM_after_10_uM_more_total():
    b, kd = 200e-6, 1e-6
    c0 = 0.1e-6
    total0 = c0 + b * c0 / (kd + c0)
    assert ca.free_calcium_with_buffer(total0, b, kd) == pytest.approx(c0, rel=1e-12)
    c1 = ca.free_calcium_with_buffer(total0 + 10e-6, b, kd)
    assert c1 == pytest.approx(0.165e-6, abs=0.002e-6)  # exact root 0.1636 uM
    # > 99 % of the added Ca2+ is bound
    assert (c1 - c0) / 10e-6 < 0.01
    # kappa at 0.1 uM and the buffered time constant tau = (1 + kappa)/gamma
    kappa = ca.buffer_capacity_kappa(0.1, 200.0, 1.0)
    assert kappa == pytest.approx(200.0 / 1.21, rel=1e-12)  # 165.3
    gamma = 500.0  # 1/s, an unbuffered clearance rate constant
    assert ca.effective_time_constant(kappa, gamma) == pytest.approx((1.0 + kappa) / gamma)
    # the linear estimate dc = dT/(1 + kappa) agrees with the exact root to ~3 %
    assert c0 + 10e-6 / (1.0 + kappa) == pytest.approx(c1, rel=0.03)


def test_serca_work_is_about_48_kJ_per_mol_against_about_50_kJ_per_mol_from_ATP():
    # 2 Ca2+ from 100 nM to 1 mM free ER Ca2+ with no ER membrane potential: 47.5 kJ/mol
    w = ca.serca_work_J_per_mol(1.0e-3, 100e-9, T_BODY_K)
    assert w == pytest.approx(48e3, abs=1e3)
    assert w == pytest.approx(47.47e3, abs=0.05e3)
    # the same 48 kJ/mol is reached at 0.5 mM with a +10 mV lumen (the seed's case)
    w_seed = ca.serca_work_J_per_mol(0.5e-3, 100e-9, T_BODY_K, 2, 0.010)
    assert w_seed == pytest.approx(47.8e3, abs=0.1e3)
    # ATP: human erythrocyte ATP 2.25, ADP 0.25, Pi 1.65 mM (Lehninger table 13-5), dG0' -30.5
    dg = ca.atp_free_energy_J_per_mol(2.25e-3, 0.25e-3, 1.65e-3, T_BODY_K, -30.5e3)
    assert dg == pytest.approx(-52.7e3, abs=0.1e3)
    assert -dg > w  # ATP can just drive the cycle
    assert -dg - w < 6e3


def test_model_reference_store_is_thermodynamically_reachable_by_SERCA():
    f, c = steady()
    assert ca.serca_free_energy_margin_J_per_mol(f, c, P) > 5e3
    # and the full store too
    assert ca.serca_free_energy_margin_J_per_mol(1.0, c, P) > 0.0


# ======================================================================= calibration and reference
def test_calibrated_defaults_are_what_calibrate_recomputes_from_the_reference():
    declared = {p.name: p for p in ION_PARAMS}
    for name, value in ca.calibrate().items():
        assert declared[name].calibrated_by, name
        assert declared[name].default == pytest.approx(value, rel=2e-6), name


def test_reference_sequestration_and_ros_are_those_of_the_quiescent_cell_model():
    from vcsim.cells.vsmc.steady_state import quiescent_steady_state

    params = default_parameters()
    s = quiescent_steady_state(params)
    load = s["unfolded_load"]
    sq = load / (load + params["grp78_binding_half_max_index"] * s["grp78"])
    ros_signal = s["ros"] ** 2 / (s["ros"] ** 2 + params["ros_half_max_index"] ** 2)
    assert sq == pytest.approx(REFERENCE["sequestration_fraction"], rel=1e-6)
    assert ros_signal == pytest.approx(REFERENCE["ros_signal"], rel=1e-6)
    assert s["er_calcium_fraction"] == pytest.approx(REFERENCE["er_calcium_fraction"], rel=1e-6)


def test_healthy_reference_has_100_nM_cytosolic_calcium_and_the_model_store_filling():
    f, c = steady()
    assert c == pytest.approx(0.1, rel=1e-6)
    assert f == pytest.approx(REFERENCE["er_calcium_fraction"], abs=1e-6)
    assert MG_REF == pytest.approx(0.6, rel=1e-6)
    # without ER stress the store is a little fuller, close to the rule it replaced in upr.py
    # (f* = S/(S + L), S = 6 H(Mg; 0.5 mM, 2), L = 1 at no stress; removed at d0600b6)
    f0, _ = steady(sq=0.0, ros=0.0)
    former = 6.0 * 0.85**2 / (0.85**2 + 0.5**2) / (6.0 * 0.85**2 / (0.85**2 + 0.5**2) + 1.0)
    assert f < f0 == pytest.approx(former, abs=0.03)


def test_time_scales_cytosol_seconds_store_minutes_both_quasi_steady_at_a_1_h_step():
    f, c = steady()
    tau_cyt = ca.cytosol_time_constant_s(f, 1.2, MG_REF, SQ, ROS, P)
    tau_store = ca.store_time_constant_h(1.2, MG_REF, SQ, ROS, P)
    assert 1.0 < tau_cyt < 120.0
    assert 1.0 / 60.0 < tau_store < 1.0
    assert tau_cyt / 3600.0 < tau_store / 10.0
    # an emptied store (thapsigargin-like: no SERCA) with 1.2 mM fluid Ca2+: SOCE plateau ~0.5 uM
    assert ca.cytosol_calcium_uM(0.0, 1.2, 0.0, 0.0, 0.0, P) == pytest.approx(0.5, abs=0.05)
    # the cytosolic Ca2+ left out of the ledger is small against the store
    assert ca.cytosol_calcium_content_amol(c, P) < 0.15 * f * ca.store_capacity_amol(P)


# ============================================================================ wired into the VSMC
def _one_cell(f, pore_volume_L, calcium_mM=1.2, magnesium_mM=0.85):
    """One quiescent cell with store filling ``f``: sensed at the given fluid, then one 1 h
    intracellular update (vcsim.cells.vsmc.upr.update_upr); returns (old row, new row)."""
    from vcsim.cells.vsmc.sensing import sense, slab_pore_volume_L
    from vcsim.cells.vsmc.steady_state import quiescent_steady_state
    from vcsim.cells.vsmc.upr import update_upr
    from vcsim.cells.vsmc.variables import VSMC

    rows = np.zeros(1, dtype=VSMC.work_dtype)
    for name, v in quiescent_steady_state(default_parameters()).items():
        rows[name] = v
    rows["er_calcium_fraction"] = f
    signals = np.zeros(1, dtype=VSMC.signal_dtype)
    sense(rows[0], signals[0], 1.1, calcium_mM, magnesium_mM, 2.0, 0.0, 0.0,
          slab_pore_volume_L(P) if pore_volume_L is None else pore_volume_L, P)
    new = rows.copy()
    update_upr(rows[0], signals[0], new[0], False, P, 1.0)
    return rows[0], new[0], signals[0]


def test_the_quiescent_cell_holds_the_quasi_steady_store_of_its_own_calcium_balance():
    from vcsim.cells.vsmc.steady_state import quiescent_steady_state

    params = default_parameters()
    s = quiescent_steady_state(params)
    load = s["unfolded_load"]
    sq = load / (load + params["grp78_binding_half_max_index"] * s["grp78"])
    ros_signal = s["ros"] ** 2 / (s["ros"] ** 2 + params["ros_half_max_index"] ** 2)
    u = ca.cytosol_magnesium_target_mM(params["serum_magnesium_mM"], P)
    assert s["cytosol_magnesium_mM"] == pytest.approx(u, rel=1e-8)
    f_star, _ = ca.quasi_steady_store(params["serum_calcium_mM"], u, sq, ros_signal, P)
    assert s["er_calcium_fraction"] == pytest.approx(f_star, abs=1e-8)


def test_the_cell_model_store_update_is_store_step_and_cytosolic_mg_a_relaxing_state():
    old, new, sig = _one_cell(0.3, None, magnesium_mM=0.2)
    sq = old.unfolded_load / (old.unfolded_load + P.grp78_binding_half_max_index * old.grp78)
    available = ca.fluid_calcium_amol(1.2, sig.pore_volume_L)
    expected = ca.store_step(0.3, 1.2, old.cytosol_magnesium_mM, sq, sig.ros_signal, available,
                             P, 1.0)[0]
    assert sq > 0.2  # ER stress enters the store's leak
    assert new.er_calcium_fraction == pytest.approx(expected, rel=1e-12)
    assert new.cytosol_magnesium_mM == pytest.approx(
        ca.cytosol_magnesium_step(old.cytosol_magnesium_mM, 0.2, P, 1.0), rel=1e-12)
    # tau 12 h: one 1 h step moves cytosolic Mg2+ only ~8 % of the way to its new target
    target = ca.cytosol_magnesium_target_mM(0.2, P)
    moved = (old.cytosol_magnesium_mM - new.cytosol_magnesium_mM) / (
        old.cytosol_magnesium_mM - target)
    assert moved == pytest.approx(1.0 - math.exp(-1.0 / 12.0), rel=1e-6)


def test_the_store_takes_no_more_calcium_than_the_site_pore_fluid_holds():
    # the slab pore volume (0.3 pL at the defaults) holds 360 amol at 1.2 mM: no cap at rest
    _, _, sig = _one_cell(0.3, None)
    assert sig.pore_volume_L == pytest.approx(0.3e-12, rel=1e-12)
    assert ca.fluid_calcium_amol(1.2, sig.pore_volume_L) == pytest.approx(360.0, rel=1e-12)
    # a site whose fluid holds 1.2 amol gives the store exactly that, no more
    _, new, _ = _one_cell(0.1, 1e-15)
    q = ca.store_capacity_amol(P)
    assert new.er_calcium_fraction == pytest.approx(0.1 + 1.2 / q, rel=1e-6)


def test_in_culture_extracellular_calcium_reaches_the_store_and_without_it_the_store_empties():
    from vcsim.cells.culture import run_culture

    store = {x: run_culture(days=1, n_cells=4, site={"calcium_mM": x}, record_every_h=24)
             .marker("er_calcium_fraction")[-1] for x in (0.0, 0.6, 1.2, 2.0)}
    assert store[0.0] < 1e-6  # it does not refill from nothing
    assert store[0.6] < store[1.2] < store[2.0]
    assert store[1.2] == pytest.approx(REFERENCE["er_calcium_fraction"], abs=1e-3)


# ============================================================================ the balance
def test_fluxes_balance_and_net_membrane_entry_is_what_the_store_gains():
    for f in (0.0, 0.3, 0.74, 1.0):
        for ca_o in (0.0, 0.5, 1.2, 3.0):
            c, pm, soce, pmca, ncx, serca, leak = ca.calcium_fluxes(f, ca_o, MG_REF, SQ, ROS, P)
            scale = pm + soce + abs(leak) + pmca + ncx + serca + 1e-30
            assert abs(pm + soce + leak - pmca - ncx - serca) <= 1e-9 * scale
            rate = ca.store_rate_per_h(f, ca_o, MG_REF, SQ, ROS, P)
            q = ca.store_capacity_amol(P)
            assert rate * q == pytest.approx(pm + soce - pmca - ncx, rel=1e-8, abs=1e-9 * scale)


def test_raising_fluid_calcium_raises_cytosolic_calcium_and_the_store_extracellular_ca_reaches_er():
    out = [steady(calcium_mM=x) for x in (0.5, 0.8, 1.2, 1.5, 2.0, 3.0)]
    fs = [o[0] for o in out]
    cs = [o[1] for o in out]
    assert all(np.diff(fs) > 0.0) and all(np.diff(cs) > 0.0)
    assert fs[0] < 0.7 and fs[-1] > 0.8


def test_without_fluid_calcium_the_store_empties_it_does_not_refill_from_nothing():
    f_star, c = steady(calcium_mM=0.0)
    assert f_star == 0.0 and c == 0.0
    f, released = 0.74, 0.0
    for _ in range(6):
        f_new, uptake, _ = ca.store_step(f, 0.0, MG_REF, SQ, ROS, math.inf, P, 1.0)
        assert f_new <= f and uptake <= 0.0
        released -= uptake
        f = f_new
    assert f < 1e-6
    assert released == pytest.approx(0.74 * ca.store_capacity_amol(P), rel=1e-5)
    # and an empty store cannot refill without fluid Ca2+
    assert ca.store_step(0.0, 0.0, MG_REF, SQ, ROS, math.inf, P, 24.0)[0] == 0.0


def test_store_operated_entry_rises_as_the_store_empties():
    fillings = (1.0, 0.8, 0.6, 0.4, 0.2, 0.0)
    soce = [ca.calcium_fluxes(f, 1.2, MG_REF, SQ, ROS, P)[2] for f in fillings]
    assert all(np.diff(soce) > 0.0)
    assert soce[-1] > 5.0 * soce[1]
    opens = [ca.soce_open_fraction(ca.er_free_calcium_mM(f, P), P) for f in np.linspace(1, 0, 11)]
    assert all(np.diff(opens) > 0.0) and opens[-1] == 1.0


def test_low_fluid_magnesium_lowers_cytosolic_mg_and_mgatp_weakens_serca_and_the_store():
    mg_fluid = [0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.85, 1.0, 2.0, 3.0]
    mg_cyt = [ca.cytosol_magnesium_target_mM(m, P) for m in mg_fluid]
    mgatp = [ca.mg_atp_fraction(u, P.mgatp_kd_mM) for u in mg_cyt]
    serca = [ca.serca_mgatp_activity(u, P) for u in mg_cyt]
    store = [steady(mg_fluid_mM=m)[0] for m in mg_fluid]
    for series in (mg_cyt, mgatp, serca, store):
        assert all(np.diff(series) > 0.0)
    # cytosolic free Mg2+ 0.5-1 mM at normal fluid Mg, defended above, following it below ~0.3 mM
    assert 0.5 <= mg_cyt[7] <= 1.0 and mg_cyt[-1] < 1.0
    assert mg_cyt[4] == pytest.approx(0.1, rel=0.1)
    # Mg-ATP saturation: between 0.5 and 1 mM fluid Mg the store barely moves ...
    i05, i1, i02, i005 = 6, 8, 5, 3
    mild = (store[i1] - store[i05]) / 0.5
    steep = (store[i02] - store[i005]) / 0.15
    assert store[i1] - store[i05] < 0.001
    assert mgatp[i05] > 0.85 and serca[i05] > 0.92
    # ... below 0.2 mM it falls more than 10x more steeply per mM, and without Mg it empties
    assert steep > 10.0 * mild
    assert store[1] < store[i02] - 0.03
    assert store[0] < 0.01


def test_er_stress_and_ros_empty_the_store():
    fs = [steady(sq=s)[0] for s in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert all(np.diff(fs) < 0.0)
    assert fs[0] - fs[-1] > 0.1
    assert steady(ros=1.0)[0] < steady(ros=0.0)[0]


def test_cytosolic_magnesium_relaxes_monotonically_toward_its_target():
    target = ca.cytosol_magnesium_target_mM(0.2, P)
    u = 0.6
    for dt in (0.5, 1.0, 6.0, 48.0):
        nxt = ca.cytosol_magnesium_step(u, 0.2, P, dt)
        assert target <= nxt <= u
        u = nxt
    assert ca.cytosol_magnesium_step(0.6, 0.85, P, 1.0) == pytest.approx(0.6, rel=1e-6)


def test_mgatp_fraction_is_the_exact_one_to_one_law_of_the_closed_pool():
    for mg_t, atp_t in ((17e-3, 3e-3), (1e-3, 3e-3), (0.1e-3, 3e-3), (5e-3, 0.5e-3)):
        x = ca.mg_atp_from_totals(mg_t, atp_t, 70e-6)
        free_mg = mg_t - x
        assert x / atp_t == pytest.approx(ca.mg_atp_fraction(free_mg, 70e-6), rel=1e-10)


# ============================================================================ numerics
@given(total=st.floats(0.0, 1e3), b=st.floats(0.0, 1e3), kd=st.floats(1e-6, 1e2))
def test_free_calcium_with_buffer_is_the_exact_root(total, b, kd):
    c = ca.free_calcium_with_buffer(total, b, kd)
    assert 0.0 <= c <= total + 1e-300
    assert c + b * c / (kd + c) == pytest.approx(total, rel=1e-10, abs=1e-300)


def _param_strategy():
    """Every cell_ions parameter drawn inside its declared bounds (log-uniform for wide ranges)."""
    draws = {}
    for p in ION_PARAMS:
        lo, hi = float(p.lower), float(p.upper)
        if lo > 0.0 and hi / lo > 20.0:
            draws[p.name] = st.floats(math.log(lo), math.log(hi)).map(math.exp)
        elif lo == 0.0 and hi > 20.0:
            positive = st.floats(-6.0, math.log10(hi)).map(lambda e: 10.0**e)
            draws[p.name] = st.one_of(st.just(0.0), positive)
        else:
            draws[p.name] = st.floats(lo, hi)
    return st.fixed_dictionaries(draws)


def _residual_ok(f, ca_o, mg, sq, ros, p):
    """The cytosolic balance holds to round-off of its gross terms (entry, back-flux, leak,
    extrusion), not of the net fluxes, which can all vanish together."""
    c, pm, soce, pmca, ncx, serca, leak = ca.calcium_fluxes(f, ca_o, mg, sq, ros, p)
    co = ca._coefficients(ca_o, mg, sq, ros, p)
    c_er = ca.er_free_calcium_mM(f, p)
    entry = co[2] + co[3]
    gross = entry * (co[0] + co[1] * c * 1e-3) + co[4] * (c_er + c * 1e-3) + pmca + ncx + serca
    balance = abs(pm + soce + leak - pmca - ncx - serca)
    return math.isfinite(c) and c >= 0.0 and balance <= 1e-9 * gross + 1e-15


@settings(max_examples=150)
@given(values=_param_strategy(), f=st.floats(0.0, 1.0), ca_o=st.floats(0.0, 10.0),
       mg=st.floats(0.0, 5.0), sq=st.floats(0.0, 1.0), ros=st.floats(0.0, 1.0))
def test_solvers_converge_for_every_input_and_parameter_in_the_bounds(values, f, ca_o, mg, sq, ros):
    p = record(**values)
    assert _residual_ok(f, ca_o, mg, sq, ros, p)
    f_star, c_star = ca.quasi_steady_store(ca_o, mg, sq, ros, p)
    assert 0.0 <= f_star <= 1.0 and math.isfinite(c_star)
    assert _residual_ok(f_star, ca_o, mg, sq, ros, p)
    n = ca.store_rate_per_h(f_star, ca_o, mg, sq, ros, p)
    fl = ca.calcium_fluxes(f_star, ca_o, mg, sq, ros, p)
    leak_coefficient = ca._coefficients(ca_o, mg, sq, ros, p)[4]
    leak_gross = leak_coefficient * (ca.er_free_calcium_mM(f_star, p) + fl[0] * 1e-3)
    gross = (fl[5] + leak_gross) / ca.store_capacity_amol(p) + 1e-15
    if 0.0 < f_star < 1.0:
        # the root: N changes sign within 1e-9 of f*
        lo = ca.store_rate_per_h(max(f_star - 1e-9, 0.0), ca_o, mg, sq, ros, p)
        hi = ca.store_rate_per_h(min(f_star + 1e-9, 1.0), ca_o, mg, sq, ros, p)
        assert (lo >= -1e-9 * gross and hi <= 1e-9 * gross) or abs(n) <= 1e-8 * gross
    elif f_star == 0.0:
        assert n <= 1e-9 * gross + 1e-12
    else:
        assert n >= -1e-9 * gross - 1e-12
    u = ca.cytosol_magnesium_target_mM(mg, p)
    assert math.isfinite(u) and u >= 0.0


@settings(max_examples=150)
@given(f=st.floats(0.0, 1.0), ca_o=st.floats(0.0, 5.0), mg=st.floats(0.0, 3.0),
       sq=st.floats(0.0, 1.0), ros=st.floats(0.0, 1.0), dt=st.floats(0.05, 6.0))
def test_store_step_is_monotone_bounded_and_balances_mass_at_any_step(f, ca_o, mg, sq, ros, dt):
    f_star, _ = ca.quasi_steady_store(ca_o, mg, sq, ros, P)
    f_new, uptake, c_new = ca.store_step(f, ca_o, mg, sq, ros, math.inf, P, dt)
    assert 0.0 <= f_new <= 1.0 and c_new >= 0.0
    tol = 1e-9
    assert min(f, f_star) - tol <= f_new <= max(f, f_star) + tol  # no overshoot
    # the Ca2+ moved is capacity x change of filling, to round-off
    assert uptake == pytest.approx(ca.store_capacity_amol(P) * (f_new - f), rel=1e-12, abs=1e-12)
    # and it moves in the direction of the net membrane entry
    rate = ca.store_rate_per_h(f, ca_o, mg, sq, ros, P)
    assert uptake * rate >= -1e-12


def test_store_step_converges_as_the_step_shrinks_toward_the_exact_trajectory():
    args = (1.2, MG_REF, SQ, ROS)

    def rk4(f, horizon, n):
        h = horizon / n
        r = lambda x: ca.store_rate_per_h(x, *args, P)  # noqa: E731
        for _ in range(n):
            k1 = r(f)
            k2 = r(f + h / 2 * k1)
            k3 = r(f + h / 2 * k2)
            k4 = r(f + h * k3)
            f += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        return f

    for f0 in (0.2, 0.95):
        horizon = 0.1
        exact = rk4(f0, horizon, 4000)
        errors = []
        for n in (1, 4, 16, 64):
            f = f0
            for _ in range(n):
                f = ca.store_step(f, *args, math.inf, P, horizon / n)[0]
            errors.append(abs(f - exact))
        assert all(np.diff(errors) < 0.0)
        assert errors[-1] < errors[0] / 20.0 and errors[-1] < 1e-3
    # at the model's 1 h step the store lands on its quasi-steady filling
    f_star, _ = ca.quasi_steady_store(*args, P)
    assert ca.store_step(0.1, *args, math.inf, P, 1.0)[0] == pytest.approx(f_star, abs=1e-4)


def test_uptake_is_capped_by_the_calcium_the_site_can_give():
    f_new, uptake, _ = ca.store_step(0.1, 1.2, MG_REF, SQ, ROS, 5.0, P, 1.0)
    assert uptake == pytest.approx(5.0, rel=1e-12)
    assert f_new == pytest.approx(0.1 + 5.0 / ca.store_capacity_amol(P), rel=1e-12)
    # release is never capped
    assert ca.store_step(0.9, 1.2, MG_REF, SQ, ROS, 0.0, P, 1.0)[1] < 0.0


def test_net_uptake_derivative_used_by_newton_is_the_derivative():
    co = ca._coefficients(1.2, MG_REF, SQ, ROS, P)
    for f in (0.05, 0.3, 0.74, 0.95):
        n, dn, _ = ca._net_uptake(f, co, 0.1)
        h = 1e-6
        fd = (ca._net_uptake(f + h, co, 0.1)[0] - ca._net_uptake(f - h, co, 0.1)[0]) / (2 * h)
        assert dn == pytest.approx(fd, rel=1e-5)


_SCRIPT = """
import json, math
import vcsim.cells.vsmc.calcium as ca
from vcsim.params import default_parameters
from vcsim.params.record import InputRecord
params = default_parameters()
p = InputRecord(params.schema, params).record
out = []
for f, ca_o, mg_f, sq, ros, dt in CASES:
    mg = ca.cytosol_magnesium_target_mM(mg_f, p)
    out.append([mg, *ca.quasi_steady_store(ca_o, mg, sq, ros, p),
                *ca.store_step(f, ca_o, mg, sq, ros, math.inf, p, dt),
                *ca.calcium_fluxes(f, ca_o, mg, sq, ros, p)])
print(json.dumps(out))
"""
_CASES = [(0.74, 1.2, 0.85, 0.26, 0.014, 1.0), (0.1, 2.5, 0.2, 0.8, 0.5, 0.05),
          (0.9, 0.0, 0.05, 0.0, 0.0, 6.0), (0.0, 0.5, 3.0, 1.0, 1.0, 0.3)]


def test_compiled_and_plain_python_give_the_same_numbers():
    script = _SCRIPT.replace("CASES", repr(_CASES))
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=300, check=True)
    plain = json.loads(run.stdout)
    for case, row in zip(_CASES, plain, strict=True):
        f, ca_o, mg_f, sq, ros, dt = case
        mg = ca.cytosol_magnesium_target_mM(mg_f, P)
        compiled = [mg, *ca.quasi_steady_store(ca_o, mg, sq, ros, P),
                    *ca.store_step(f, ca_o, mg, sq, ros, math.inf, P, dt),
                    *ca.calcium_fluxes(f, ca_o, mg, sq, ros, P)]
        assert compiled == pytest.approx(row, rel=1e-11, abs=1e-13)
