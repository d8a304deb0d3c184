"""The model loop: engines agree, invariants hold, Mesa batch_run works, checkpoints continue."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from vcsim.cells import Phenotype
from vcsim.model import VascularModel, run
from vcsim.params import ParameterError

SMALL = {"lattice_rows": 8, "lattice_cols": 10}


def _calcifying(**extra):
    return dict(SMALL, serum_phosphate_mM=2.6, tnf_alpha_pg_per_mL=20.0, **extra)


def test_engines_give_the_same_trajectory_over_48_steps():
    a = VascularModel(seed=7, engine="vector", **_calcifying())
    b = VascularModel(seed=7, engine="agents", **_calcifying())
    for _ in range(48):
        a.step()
        b.step()
        np.testing.assert_array_equal(a.cells.phenotype, b.cells.phenotype)
    for name, arr in a.cells.arrays().items():
        np.testing.assert_array_equal(arr, b.cells.arrays()[name], err_msg=name)
    for name, arr in a.lattice.fields.items():
        np.testing.assert_array_equal(arr, b.lattice.fields[name], err_msg=name)
    ta, tb = a.timeseries_frame(), b.timeseries_frame()
    assert ta.equals(tb)
    assert len(b.agents) == int((b.cells.phenotype != Phenotype.EMPTY).sum())


def test_same_seed_same_run_and_different_seed_differs():
    runs = [run(VascularModel(seed=s, **_calcifying()), days=3).timeseries_frame() for s in (3, 3, 4)]
    assert runs[0].equals(runs[1])
    assert not runs[0].equals(runs[2])


def test_phenotype_counts_plus_empty_equal_the_cell_sites():
    m = run(VascularModel(seed=1, **_calcifying()), days=4)
    ts = m.timeseries_frame()
    n_cell_sites = int((~m.lattice.lamina).sum())
    total = sum(ts[f"n_{p.name.lower()}"] for p in Phenotype)
    assert (total == n_cell_sites).all()
    assert (m.cells.phenotype[m.lattice.lamina.ravel()] == Phenotype.EMPTY).all()


def test_calcium_and_phosphorus_ledger_closes():
    """Fluid + mineral + cells change = what crossed the boundaries."""
    m = VascularModel(seed=2, **_calcifying())
    t0 = m.totals_umol()
    run(m, days=5)
    t1 = m.totals_umol()
    ca_in = m.ledger["boundary_calcium_in_umol"]
    p_in = m.ledger["boundary_phosphorus_in_umol"]
    scale_ca, scale_p = t0["calcium_umol"], t0["phosphorus_umol"]
    assert abs(t1["calcium_umol"] - t0["calcium_umol"] - ca_in) < 1e-10 * scale_ca
    assert abs(t1["phosphorus_umol"] - t0["phosphorus_umol"] - p_in) < 1e-10 * scale_p


def test_fields_never_negative():
    m = run(VascularModel(seed=5, **_calcifying()), days=4)
    for name, arr in m.lattice.fields.items():
        if not name.endswith("_saturation_index"):
            assert (arr >= 0).all(), name


def test_checkpoint_continues_exactly():
    straight = run(VascularModel(seed=11, **_calcifying()), days=3)
    half = run(VascularModel(seed=11, **_calcifying()), days=1.5)
    arrays, meta = half.checkpoint()
    resumed = run(VascularModel.from_checkpoint(arrays, meta), days=1.5)
    assert straight.timeseries_frame().equals(resumed.timeseries_frame())
    assert straight.nucleation_log.to_frame().equals(resumed.nucleation_log.to_frame())
    assert straight.transition_log.to_frame().equals(resumed.transition_log.to_frame())


def test_mesa_batch_run_returns_the_reporters():
    results = mesa.batch_run(
        VascularModel,
        parameters={"serum_phosphate_mM": [1.0, 2.5], "seed": [1], **{k: [v] for k, v in SMALL.items()}},
        number_processes=1,
        iterations=1,
        max_steps=6,
        display_progress=False,
    )
    assert len(results) == 2
    for row in results:
        assert "fraction_osteogenic" in row and "calcified_fraction" in row


def test_bad_keyword_is_a_parameter_error():
    with pytest.raises(ParameterError, match="serum_phosphate_mM"):
        VascularModel(serum_phosphat_mM=2.0)
    with pytest.raises(ParameterError, match="engine"):
        VascularModel(engine="gpu")


def test_agents_follow_mesa_conventions_position_and_readable_phenotypes():
    model = VascularModel(seed=3, engine="agents", lattice_rows=6, lattice_cols=8, serum_phosphate_mM=2.5)
    for _ in range(4):
        model.step()
    agents = list(model.agent_sets["vsmc"])
    assert agents
    names = set(model.cells.cell_type.code_names.values())
    for agent in agents:
        assert agent.pos == divmod(agent.site, 8) == agent.cell.coordinate
        assert agent.phenotype in names
        assert model.cells.cell_type.code_names[agent.phenotype_code] == agent.phenotype
    counts = model.agent_sets["vsmc"].groupby("phenotype").count()
    assert set(counts) <= names and sum(counts.values()) == len(agents)
