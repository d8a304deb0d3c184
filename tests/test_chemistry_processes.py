"""The chemistry processes of a step on lattice fields (nucleation, reaction-transport,
speciation) and the nucleation event log, run alone on preset fields in a closed box (no cells,
no-flux lumen and adventitia)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vcsim.chemistry.nucleation import SOURCES
from vcsim.chemistry.speciation import speciate
from vcsim.eventlog import NucleationLog
from vcsim.ledger import wall_totals_umol
from vcsim.model import VascularModel
from vcsim.processes import Process, ProcessList
from vcsim.processes.nucleation import Nucleation
from vcsim.processes.reaction_transport import ReactionTransport
from vcsim.processes.releases import MATRIX_FIELDS
from vcsim.processes.speciation import Speciation
from vcsim.processes.systemic import SystemicInputs

POROSITY = 0.3
HEALTHY = {"fetuin_a_g_per_L": 0.7}
CALCIFYING = {"fetuin_a_g_per_L": 0.05}


class PresetFields(Process):
    """Declares the matrix fields (set by the test) and changes nothing."""

    name = "preset"
    fields = MATRIX_FIELDS

    def step(self, model) -> None:
        pass


def chemistry(rows=12, cols=20, lamina_every=0, seed=1, dt=1.0, **params) -> VascularModel:
    """A model of the chemistry processes alone on a rows x cols slab (no cells), closed."""
    procs = ProcessList([SystemicInputs(), PresetFields(), Nucleation(), ReactionTransport(), Speciation()])
    overrides = {"lattice_rows": rows, "lattice_cols": cols, "lamina_every_rows": lamina_every,
                 "initial_cell_fraction": 0.0, "dt_h": dt, "porosity_fraction": POROSITY,
                 "lumen_boundary": "noflux", "adventitia_boundary": "noflux", **CALCIFYING, **params}
    return VascularModel(seed=seed, processes=procs, threads=1, **overrides)


def preset(m, ca=1.2, pi=1.1, mg=0.85, ppi=2.5, vesicles=0.0, inhibition=0.0, apoptotic=0.0,
           tnap=0.0, cmgp=0.0):
    f = m.lattice.fields
    for name, v in (("calcium_mM", ca), ("phosphate_mM", pi), ("magnesium_mM", mg),
                    ("pyrophosphate_uM", ppi), ("vesicles_count", vesicles),
                    ("vesicle_inhibition_fraction", inhibition), ("apoptotic_bodies_count", apoptotic),
                    ("tnap_activity_uM_per_h", tnap), ("cmgp_nM", cmgp)):
        f[name][...] = v
    m.processes["speciation"].step(m)  # the saturation of the preset fluid
    return f


def calcifying(seed=0, rows=12, cols=20, lamina_every=0, model_seed=1, **params):
    """Heterogeneous, strongly calcifying lattice: many free vesicles, TNAP, low PPi."""
    m = chemistry(rows, cols, lamina_every, seed=model_seed, **params)
    rng = np.random.default_rng(seed)
    f = preset(m, pi=2.2, ppi=1.0, tnap=2.0)
    f["calcium_mM"] += rng.uniform(-0.2, 0.6, (rows, cols))
    f["phosphate_mM"] += rng.uniform(-0.5, 0.8, (rows, cols))
    f["vesicles_count"][:] = rng.integers(0, 400, (rows, cols))
    f["apoptotic_bodies_count"][:] = rng.integers(0, 3, (rows, cols))
    f["vesicle_inhibition_fraction"][:] = rng.uniform(0.0, 0.3, (rows, cols))
    f["pyrophosphate_uM"][:] = rng.uniform(0.0, 3.0, (rows, cols))
    f["nuclei_count"][rng.random((rows, cols)) < 0.05] = 1.0
    m.processes["speciation"].step(m)
    return m


def run(m, steps):
    new = []
    for _ in range(steps):
        m.step()
        new.append(dict(m.processes["nucleation"].new_by_source))
    return m.nucleation_log, new


def totals(m):
    t = wall_totals_umol(m)
    return t["calcium_umol"], t["phosphorus_umol"]


def test_closed_box_calcium_and_phosphorus_are_conserved_to_round_off():
    m = calcifying(lamina_every=6)
    ca0, p0 = totals(m)
    log, _ = run(m, 40)
    ca1, p1 = totals(m)
    f = m.lattice.fields
    assert len(log) > 0 and f["mineral_hap_mM"].sum() > 0
    assert ca1 == pytest.approx(ca0, rel=1e-13)
    assert p1 == pytest.approx(p0, rel=1e-13)
    for name in ("calcium_mM", "phosphate_mM", "pyrophosphate_uM", "mineral_hap_mM"):
        assert np.all(f[name] >= 0.0), name


def test_a_closed_box_with_crystals_relaxes_toward_saturation_and_never_below():
    m = calcifying(seed=5)
    run(m, 100)
    f = m.lattice.fields
    mid = float(f["hap_saturation_index"][f["mineral_hap_mM"] > 0].max())
    run(m, 100)
    grown = f["mineral_hap_mM"] > 0
    assert grown.any()
    si = speciate(f["calcium_mM"][grown], f["phosphate_mM"][grown], 7.4, 37.0,
                  f["magnesium_mM"][grown], 140.0).saturation_index("HAP")
    # growth draws the whole (well-mixed) box toward HAP saturation, the parabolic law ever
    # more slowly (S_gu - 1 ~ 1/t), and never past it
    assert np.all(si > 0.0) and float(si.max()) < mid
    assert float(si.max() - si.min()) < 1e-5
    np.testing.assert_allclose(f["hap_saturation_index"][grown], si, atol=1e-9)


def test_events_are_logged_with_the_documented_columns():
    m = calcifying(lamina_every=6)
    before_nuclei = m.lattice.fields["nuclei_count"].sum()
    log, new = run(m, 20)
    df = log.to_frame()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["time_h", "step", "row", "col", "saturation_ratio", "source",
                                "inhibitor_factor"]
    assert len(df) == len(log) == sum(sum(n.values()) for n in new) > 0
    assert set(df["source"]) <= set(SOURCES)
    assert df["step"].dtype == np.int64 and df["row"].between(0, 11).all() and df["col"].between(0, 19).all()
    assert (df["saturation_ratio"] > 1.0).all()
    assert ((df["inhibitor_factor"] > 0) & (df["inhibitor_factor"] <= 1)).all()
    assert m.lattice.fields["nuclei_count"].sum() == before_nuclei + len(log)
    counts = df["source"].value_counts()
    for name in SOURCES:
        assert counts.get(name, 0) == sum(n[name] for n in new)
    # the model's outputs report the same counts
    ts = m.timeseries_frame()
    assert ts["nucleation_events_new"].sum() == len(log)
    assert ts["nucleation_events_cumulative"].iloc[-1] == len(log)


def test_same_seed_gives_the_same_events_and_a_different_seed_differs():
    frames = []
    for seed in (7, 7, 8):
        log, _ = run(calcifying(model_seed=seed), 15)
        frames.append(log.to_frame())
    pd.testing.assert_frame_equal(frames[0], frames[1])
    assert not frames[0].equals(frames[2])


def test_healthy_serum_without_vesicles_gives_no_events_over_many_steps():
    m = chemistry(30, 100, lamina_every=6, **HEALTHY)
    preset(m)
    ca0, p0 = totals(m)
    log, _ = run(m, 2000)
    assert len(log) == 0
    assert m.lattice.fields["mineral_hap_mM"].sum() == 0.0
    assert totals(m) == pytest.approx((ca0, p0), rel=1e-13)
    sp = speciate(1.2, 1.1, 7.4, 37.0, 0.85, 140.0)
    np.testing.assert_allclose(m.lattice.fields["hap_saturation_index"], float(sp.saturation_index("HAP")),
                               atol=1e-9)


def test_a_nucleating_vesicle_becomes_the_nucleus():
    m = chemistry(4, 5, vesicle_j0_per_h=1e4, hap_growth_rate_mol_per_m2_per_s=0.0, secondary_j0_per_h=0.0)
    f = preset(m, pi=2.5, ppi=0.0, vesicles=1000.0)
    log, _ = run(m, 3)
    df = log.to_frame()
    # at this rate every site's clock spends many thresholds per step: several events each
    assert (df["source"] == "vesicle").all() and len(df) > 3 * 20
    assert set(zip(df["row"], df["col"], strict=True)) == {(r, c) for r in range(4) for c in range(5)}
    assert f["vesicles_count"].sum() == 20 * 1000.0 - len(df)
    assert f["nuclei_count"].sum() == len(df)


def test_elastin_and_homogeneous_sources_are_attributed():
    m = chemistry(6, 8, lamina_every=3, elastin_j0_per_h=1e4, elastin_barrier_factor=0.05,
                  secondary_j0_per_h=0.0)
    preset(m, pi=2.0)
    log, _ = run(m, 2)
    df = log.to_frame()
    assert len(df) > 0 and (df["source"] == "elastin").all()
    assert m.geometry.lamina[df["row"], df["col"]].all()
    g = chemistry(3, 3, acp_interfacial_energy_J_per_m2=0.01, secondary_j0_per_h=0.0, serum_ph=7.6)
    preset(g, ca=5.0, pi=6.0, mg=0.0, ppi=0.0)
    log, _ = run(g, 1)
    hom = log.to_frame()
    assert len(set(zip(hom["row"], hom["col"], strict=True))) == 9 and (hom["source"] == "homogeneous").all()


def test_secondary_nucleation_spreads_to_neighbours_of_nuclei():
    m = chemistry(5, 5, secondary_j0_per_h=1e4, secondary_barrier_factor=0.05,
                  hap_growth_rate_mol_per_m2_per_s=0.0)
    f = preset(m, pi=2.0, ppi=0.0)
    f["nuclei_count"][2, 2] = 1.0
    log, _ = run(m, 1)
    df = log.to_frame()
    assert sorted(set(zip(df["row"], df["col"], strict=True))) == [(1, 2), (2, 1), (2, 3), (3, 2)]
    assert (df["source"] == "secondary").all()


def test_neighbour_counts_wrap_columns_but_not_rows():
    m = chemistry(3, 4)
    n = np.zeros((3, 4), bool)
    n[0, 0] = True
    nb = m.geometry.count_neighbours(n)
    assert nb[0, 1] == 1 and nb[0, 3] == 1 and nb[1, 0] == 1
    assert nb[2, 0] == 0 and nb.sum() == 3


def test_tnap_turns_ppi_into_phosphate_conserving_phosphorus():
    m = chemistry(2, 3, **HEALTHY)
    f = preset(m, ppi=3.0, tnap=5.0)
    p_before = totals(m)[1]
    run(m, 1)
    assert np.all(f["pyrophosphate_uM"] < 3.0)
    assert np.all(f["phosphate_mM"] > 1.1)
    assert totals(m)[1] == pytest.approx(p_before, rel=1e-14)


def test_event_log_round_trips_through_arrays_and_remaps_source_codes():
    log, _ = run(calcifying(), 5)
    again = NucleationLog.from_array(log.to_array(), SOURCES, log.source_names())
    pd.testing.assert_frame_equal(again.to_frame(), log.to_frame())
    # codes written with another source order are remapped
    arr = log.to_array().copy()
    names = list(reversed(SOURCES))
    arr[:, 5] = [names.index(SOURCES[int(c)]) for c in arr[:, 5]]
    pd.testing.assert_frame_equal(NucleationLog.from_array(arr, SOURCES, names).to_frame(), log.to_frame())
    assert len(NucleationLog(SOURCES).to_frame()) == 0
