"""react(): the chemistry step on lattice fields; the nucleation event log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vcsim.chemistry.growth import closed_box_totals
from vcsim.chemistry.lattice import SOURCES, EventLog, mineralised_neighbours, react
from vcsim.chemistry.speciation import speciate

POROSITY = 0.3
HEALTHY = {"serum_ph": 7.4, "temperature_c": 37.0, "serum_nacl_mM": 140.0, "fetuin_a_g_per_L": 0.7}
CALCIFYING = dict(HEALTHY, fetuin_a_g_per_L=0.05)


def fields(rows=12, cols=20, ca=1.2, pi=1.1, mg=0.85, ppi=2.5, vesicles=0.0, inhibition=0.0,
           apoptotic=0.0, tnap=0.0, cmgp=0.0):
    shape = (rows, cols)

    def full(v):
        return np.full(shape, float(v))

    return {
        "calcium_mM": full(ca), "phosphate_mM": full(pi), "magnesium_mM": full(mg),
        "pyrophosphate_uM": full(ppi), "mineral_hap_mM": full(0), "nuclei_count": full(0),
        "vesicles_count": full(vesicles), "vesicle_inhibition_fraction": full(inhibition),
        "apoptotic_bodies_count": full(apoptotic), "tnap_activity_uM_per_h": full(tnap),
        "cmgp_nM": full(cmgp), "ucmgp_nM": full(0), "hap_saturation_index": full(0),
    }


def calcifying_fields(seed=0, rows=12, cols=20):
    """Heterogeneous, strongly calcifying lattice: many free vesicles, TNAP, low PPi."""
    rng = np.random.default_rng(seed)
    f = fields(rows, cols, pi=2.2, ppi=1.0, tnap=2.0)
    f["calcium_mM"] += rng.uniform(-0.2, 0.6, (rows, cols))
    f["phosphate_mM"] += rng.uniform(-0.5, 0.8, (rows, cols))
    f["vesicles_count"][:] = rng.integers(0, 400, (rows, cols))
    f["apoptotic_bodies_count"][:] = rng.integers(0, 3, (rows, cols))
    f["vesicle_inhibition_fraction"][:] = rng.uniform(0.0, 0.3, (rows, cols))
    f["pyrophosphate_uM"][:] = rng.uniform(0.0, 3.0, (rows, cols))
    f["nuclei_count"][rng.random((rows, cols)) < 0.05] = 1.0
    return f


def lamina_mask(rows=12, cols=20, every=6):
    m = np.zeros((rows, cols), bool)
    m[::every] = True
    return m


def run(f, steps, seed=1, systemic=CALCIFYING, params=None, lamina=None, dt=1.0, log=None):
    log = EventLog() if log is None else log
    results = []
    for step in range(1, steps + 1):
        results.append(react(f, lamina, systemic, params, dt, seed, step, step * dt, log, POROSITY))
    return log, results


def totals(f):
    return closed_box_totals(f["calcium_mM"], f["phosphate_mM"], f["mineral_hap_mM"], POROSITY,
                             f["pyrophosphate_uM"])


def test_closed_box_calcium_and_phosphorus_are_conserved_to_round_off():
    f = calcifying_fields()
    ca0, p0 = totals(f)
    log, results = run(f, 40, lamina=lamina_mask())
    ca1, p1 = totals(f)
    assert len(log) > 0 and f["mineral_hap_mM"].sum() > 0
    assert ca1 == pytest.approx(ca0, rel=1e-13)
    assert p1 == pytest.approx(p0, rel=1e-13)
    moved = sum(r["calcium_to_mineral_umol"] for r in results)
    assert moved == pytest.approx(10 * f["mineral_hap_mM"].sum() * 1e-12 * 1e3, rel=1e-9)
    for name in ("calcium_mM", "phosphate_mM", "pyrophosphate_uM", "mineral_hap_mM"):
        assert np.all(f[name] >= 0.0), name


def test_growth_in_react_never_leaves_a_site_below_saturation():
    f = calcifying_fields(seed=5)
    run(f, 10)
    grown = f["mineral_hap_mM"] > 0
    assert grown.any()
    si = speciate(f["calcium_mM"][grown], f["phosphate_mM"][grown], 7.4, 37.0,
                  f["magnesium_mM"][grown], 140.0).saturation_index("HAP")
    assert np.all(si >= -1e-9)
    np.testing.assert_allclose(f["hap_saturation_index"][grown], si, atol=1e-9)


def test_events_are_logged_with_the_documented_columns():
    f = calcifying_fields()
    before_nuclei = f["nuclei_count"].sum()
    log, results = run(f, 20, lamina=lamina_mask())
    df = log.to_frame()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["time_h", "step", "row", "col", "saturation_ratio", "source",
                                "inhibitor_factor"]
    assert len(df) == len(log) == sum(r["events_new"] for r in results) > 0
    assert set(df["source"]) <= set(SOURCES)
    assert df["step"].dtype == np.int64 and df["row"].between(0, 11).all() and df["col"].between(0, 19).all()
    assert (df["saturation_ratio"] > 1.0).all()
    assert ((df["inhibitor_factor"] > 0) & (df["inhibitor_factor"] <= 1)).all()
    assert f["nuclei_count"].sum() == before_nuclei + len(log)
    by_source = log.counts_by_source()
    for name in SOURCES:
        assert by_source[name] == sum(r[f"events_new_{name}"] for r in results)


def test_same_seed_gives_the_same_events_and_a_different_seed_differs():
    frames = []
    for seed in (7, 7, 8):
        log, _ = run(calcifying_fields(), 15, seed=seed)
        frames.append(log.to_frame())
    pd.testing.assert_frame_equal(frames[0], frames[1])
    assert not frames[0].equals(frames[2])


def test_healthy_serum_without_vesicles_gives_no_events_over_many_steps():
    f = fields(30, 100)
    ca0, p0 = totals(f)
    log, results = run(f, 2000, systemic=HEALTHY, lamina=lamina_mask(30, 100))
    assert len(log) == 0
    assert f["mineral_hap_mM"].sum() == 0.0
    assert totals(f) == (ca0, p0)
    sp = speciate(1.2, 1.1, 7.4, 37.0, 0.85, 140.0)
    np.testing.assert_allclose(f["hap_saturation_index"], float(sp.saturation_index("HAP")), atol=1e-9)


def test_a_nucleating_vesicle_becomes_the_nucleus():
    f = fields(4, 5, pi=2.5, ppi=0.0, vesicles=1000.0)
    log, _ = run(f, 3, systemic=CALCIFYING,
                 params={"vesicle_j0_per_h": 1e4, "hap_growth_rate_per_h": 0.0, "secondary_j0_per_h": 0.0})
    df = log.to_frame()
    assert (df["source"] == "vesicle").all() and len(df) == 3 * 20
    assert f["vesicles_count"].sum() == 20 * 1000.0 - len(df)
    assert f["nuclei_count"].sum() == len(df)


def test_elastin_and_homogeneous_sources_are_attributed():
    f = fields(6, 8, pi=2.0)
    lam = lamina_mask(6, 8, every=3)
    log, _ = run(f, 2, lamina=lam, params={"elastin_j0_per_h": 1e9, "secondary_j0_per_h": 0.0})
    df = log.to_frame()
    assert len(df) > 0 and (df["source"] == "elastin").all()
    assert lam[df["row"], df["col"]].all()
    g = fields(3, 3, ca=5.0, pi=6.0, mg=0.0, ppi=0.0)
    log, _ = run(g, 1, params={"acp_interfacial_energy_J_per_m2": 0.01, "secondary_j0_per_h": 0.0},
                 systemic=dict(CALCIFYING, serum_ph=7.6))
    assert len(log) == 9 and (log.to_frame()["source"] == "homogeneous").all()


def test_secondary_nucleation_spreads_to_neighbours_of_nuclei():
    f = fields(5, 5, pi=2.0, ppi=0.0)
    f["nuclei_count"][2, 2] = 1.0
    log, _ = run(f, 1, params={"secondary_j0_per_h": 1e9, "hap_growth_rate_per_h": 0.0})
    df = log.to_frame()
    assert sorted(zip(df["row"], df["col"], strict=True)) == [(1, 2), (2, 1), (2, 3), (3, 2)]
    assert (df["source"] == "secondary").all()


def test_mineralised_neighbours_wrap_columns_but_not_rows():
    n = np.zeros((3, 4))
    n[0, 0] = 1
    nb = mineralised_neighbours(n)
    assert nb[0, 1] == 1 and nb[0, 3] == 1 and nb[1, 0] == 1
    assert nb[2, 0] == 0 and nb.sum() == 3


def test_tnap_in_react_turns_ppi_into_phosphate():
    f = fields(2, 3, ppi=3.0, tnap=5.0)
    p_before = totals(f)[1]
    _, results = run(f, 1, systemic=HEALTHY)
    assert np.all(f["pyrophosphate_uM"] < 3.0)
    assert np.all(f["phosphate_mM"] > 1.1)
    assert totals(f)[1] == pytest.approx(p_before, rel=1e-14)
    assert results[0]["ppi_hydrolysed_umol"] > 0


def test_event_log_round_trips_through_arrays_and_accepts_lists():
    log, _ = run(calcifying_fields(), 5)
    again = EventLog.from_array(log.to_array(), log.source_names())
    pd.testing.assert_frame_equal(again.to_frame(), log.to_frame())
    # codes written with another source order are remapped
    arr = log.to_array().copy()
    names = list(reversed(SOURCES))
    arr[:, 5] = [names.index(SOURCES[int(c)]) for c in arr[:, 5]]
    pd.testing.assert_frame_equal(EventLog.from_array(arr, names).to_frame(), log.to_frame())
    events: list = []
    f = calcifying_fields()
    for step in range(1, 6):
        react(f, None, CALCIFYING, None, 1.0, 1, step, float(step), events, POROSITY)
    assert len(events) == len(log)
    assert set(events[0]) == set(EventLog.COLUMNS)
    assert len(EventLog().to_frame()) == 0


def test_react_runs_with_the_full_parameter_set():
    from vcsim.params import default_parameters

    p = default_parameters()
    systemic = {k: p[k] for k in ("serum_ph", "temperature_c", "serum_nacl_mM", "fetuin_a_g_per_L")}
    f = calcifying_fields()
    log = EventLog()
    out = react(f, lamina_mask(), systemic, p, p["dt_h"], 3, 1, 0.0, log, p["porosity_fraction"])
    assert out["events_new"] == len(log)
    assert set(f"events_new_{s}" for s in SOURCES) <= set(out)
