"""The geometry (slab, ring) and the fields on it with their shared Mesa PropertyLayers."""

from __future__ import annotations

import math
import random
import warnings

import numpy as np
import pytest
from mesa.discrete_space import OrthogonalMooreGrid

from vcsim.geometry import RingGeometry, SlabGeometry, geometry_from_params
from vcsim.lattice import FieldLayer, FieldSpec, Lattice
from vcsim.ledger import cell_totals_umol
from vcsim.model import VascularModel
from vcsim.params import Parameters, default_parameters
from vcsim.processes.systemic import lumen_totals

ARCHITECTURE_FIELDS = {
    "calcium_mM", "phosphate_mM", "pyrophosphate_uM", "magnesium_mM", "mineral_hap_mM",
    "nuclei_count", "vesicles_count", "vesicle_inhibition_fraction", "apoptotic_bodies_count",
    "tnap_activity_uM_per_h", "cmgp_nM", "ucmgp_nM", "hap_saturation_index", "acp_saturation_index",
    "resorption_mol_per_m2_per_s", "nucleation_clock", "nucleation_draws_count",
}


def params(**overrides: object) -> Parameters:
    """Default parameters with ``overrides`` applied (validated by the schema)."""
    return default_parameters().updated(overrides)


def lattice(rows: int, cols: int, **kw) -> Lattice:
    lat = Lattice(SlabGeometry(rows, cols, **kw))
    for name in ("calcium_mM", "phosphate_mM", "mineral_hap_mM"):
        lat.add_field(FieldSpec(name, "mM", name))
    return lat


def test_lamina_rows_every_n_rows_from_the_internal_elastic_lamina() -> None:
    g = SlabGeometry(20, 7, lamina_every_rows=6)
    assert g.lamina.shape == (20, 7) and g.lamina.dtype == bool
    assert list(np.flatnonzero(g.lamina[:, 0])) == [0, 6, 12, 18]
    assert np.all(g.lamina == g.lamina[:, :1])  # whole rows
    assert (g.cell_sites == ~g.lamina).all()
    assert not SlabGeometry(20, 7, lamina_every_rows=0).lamina.any()


def test_the_model_allocates_the_fields_its_processes_declare_at_their_steady_start() -> None:
    m = VascularModel(seed=1, serum_phosphate_mM=2.0, lattice_rows=6, lattice_cols=8)
    f = m.lattice.fields
    assert set(f) == ARCHITECTURE_FIELDS == set(m.lattice.specs)
    for field in f.values():
        assert field.dtype == np.float64 and field.shape == (6, 8) and field.flags.c_contiguous
    # the fluid starts at its steady state with the lumen (ionised Ca as a total) and the cells,
    # which make PPi (from phosphate they take up) and hydrolyse it
    lumen = lumen_totals(m.systemic)
    np.testing.assert_allclose(f["calcium_mM"], lumen["calcium_mM"], rtol=1e-12)
    np.testing.assert_allclose(f["phosphate_mM"], 2.0, rtol=1e-2)
    assert np.all(f["pyrophosphate_uM"] > 2.5) and np.all(f["pyrophosphate_uM"] < 4.0)
    assert np.all(f["mineral_hap_mM"] == 0.0)
    assert {s.kind for s in m.lattice.specs.values()} == {"dissolved", "matrix", "derived"}
    f["cmgp_nM"][0, 0] = 1.0  # arrays are independent of each other
    assert f["ucmgp_nM"][0, 0] == 0.0
    with pytest.raises(ValueError, match="declared twice"):
        m.lattice.add_field(FieldSpec("cmgp_nM", "uM", "other"))


def test_slab_site_volumes_and_amounts() -> None:
    g = geometry_from_params(params(lattice_rows=12, lattice_cols=40))
    assert g.shape == (12, 40) and g.n_sites == 480 and g.uniform
    assert g.site_volume_L.shape == (12, 1)
    assert g.site_volume_L[0, 0] == pytest.approx(1e-12)  # a 10 um cube is 1 pL
    assert g.total_volume_L == pytest.approx(480e-12)
    # mM x L = mmol
    assert g.integrate(np.full(g.shape, 2.0)) == pytest.approx(2.0 * 480e-12)
    where = np.zeros(g.shape, bool)
    where[0] = True
    assert g.integrate(np.ones(g.shape), where) == pytest.approx(40e-12)


def test_ring_sites_are_annular_sectors_whose_volumes_add_up_to_the_annulus() -> None:
    g = RingGeometry(5, 24, spacing_um=4.0, depth_um=10.0, inner_radius_um=30.0)
    assert not g.uniform
    annulus_um3 = math.pi * (g.outer_radius_um**2 - g.inner_radius_um**2) * 10.0
    assert g.total_volume_L == pytest.approx(annulus_um3 * 1e-15, rel=1e-12)
    assert np.all(np.diff(g.row_volume_um3) > 0)  # outer shells are larger
    # the face conductances follow the radius: radial faces grow, column faces shrink
    assert np.all(np.diff(g.radial_face_um) > 0) and np.all(np.diff(g.column_face_um) < 0)
    x, y = g.centres_um()
    np.testing.assert_allclose(np.hypot(x, y)[:, 0], g.centre_radius_um())
    angles = np.mod(np.arctan2(y[0], x[0]), 2 * np.pi)
    np.testing.assert_allclose(angles, 2 * np.pi * (np.arange(24) + 0.5) / 24)
    xc, yc = g.corners_um()
    assert xc.shape == (6, 25)
    np.testing.assert_allclose([xc[0, 0], yc[0, 0]], [30.0, 0.0])
    np.testing.assert_allclose([xc[0, -1], yc[0, -1]], [30.0, 0.0], atol=1e-9)  # the ring closes
    default = RingGeometry(3, 12, spacing_um=10.0)
    assert default.inner_radius_um == pytest.approx(12 * 10.0 / (2 * np.pi))  # lumen arc = one site


def test_a_ring_model_runs_and_its_ledger_uses_the_ring_volumes() -> None:
    m = VascularModel(seed=2, geometry="ring", lattice_rows=8, lattice_cols=24, ring_inner_radius_um=40.0)
    assert m.geometry.name == "ring"
    totals = m.totals_umol()
    fluid = m.params.porosity_fraction * 1e3
    in_fluid = totals["calcium_umol"] - cell_totals_umol(m)["calcium_umol"]
    assert in_fluid == pytest.approx(lumen_totals(m.systemic)["calcium_mM"] * m.geometry.total_volume_L * fluid)
    m.step()
    assert m.timeseries_frame()["total_calcium_umol"].iloc[-1] > 0


def test_site_index_and_row_col_are_c_order_inverses() -> None:
    g = SlabGeometry(5, 7)
    assert g.site_index(2, 3) == 2 * 7 + 3
    assert g.row_col(17) == (2, 3)
    rows, cols = np.meshgrid(np.arange(5), np.arange(7), indexing="ij")
    index = g.site_index(rows, cols)
    np.testing.assert_array_equal(index.ravel(), np.arange(35))
    back_r, back_c = g.row_col(index)
    np.testing.assert_array_equal(back_r, rows)
    np.testing.assert_array_equal(back_c, cols)
    assert g.site_index(1, -1) == g.site_index(1, 6)  # columns wrap
    with pytest.raises(IndexError):
        g.site_index(5, 0)  # rows do not
    with pytest.raises(IndexError):
        g.row_col(35)


def test_neighbours_wrap_columns_and_stop_at_rows() -> None:
    g = SlabGeometry(4, 6)
    s = g.site_index
    # order: row-1, row+1, col-1, col+1
    assert list(g.neighbours(s(2, 0))) == [s(1, 0), s(3, 0), s(2, 5), s(2, 1)]
    assert list(g.neighbours(s(2, 5))) == [s(1, 5), s(3, 5), s(2, 4), s(2, 0)]
    assert list(g.neighbours(s(0, 3))) == [-1, s(1, 3), s(0, 2), s(0, 4)]
    assert list(g.neighbours(s(3, 3))) == [s(2, 3), -1, s(3, 2), s(3, 4)]
    many = g.neighbours(np.arange(24).reshape(4, 6))
    assert many.shape == (4, 6, 4)
    assert (many == -1).sum() == 12  # one per site of the top and bottom rows
    # the neighbourhood is symmetric: j is a neighbour of i iff i is a neighbour of j
    all_sites = g.neighbours(np.arange(24))
    pairs = {(i, int(j)) for i in range(24) for j in all_sites[i] if j >= 0}
    assert pairs == {(j, i) for i, j in pairs}


def test_property_layer_shares_memory_with_the_field() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Mesa's dtype UserWarning must not fire
        lat = lattice(5, 8)
    layer = lat.property_layers["calcium_mM"]
    field = lat.fields["calcium_mM"]
    assert layer.data is field
    field[1, 2] = 42.0
    assert layer.data[1, 2] == 42.0
    layer.data[3, 4] = -1.0
    assert field[3, 4] == -1.0
    layer.set_cells(7.0)
    assert np.all(field == 7.0)
    layer.modify_cells(np.multiply, 2.0)  # Mesa rebinds its data here; the sharing survives
    assert layer.data is field and np.all(field == 14.0)
    with pytest.raises(TypeError):
        FieldLayer("x", np.zeros((2, 2), dtype=np.float32))


def test_attach_to_grid_exposes_fields_to_mesa_cells() -> None:
    lat = lattice(4, 5)
    grid = OrthogonalMooreGrid((4, 5), torus=False, random=random.Random(0))
    lat.attach_to_grid(grid)
    cell = grid._cells[(2, 3)]
    lat.fields["phosphate_mM"][2, 3] = 3.3
    assert cell.phosphate_mM == 3.3
    cell.mineral_hap_mM = 0.5
    assert lat.fields["mineral_hap_mM"][2, 3] == 0.5
    assert grid.calcium_mM.data is lat.fields["calcium_mM"]
    lat.attach_to_grid(grid)  # idempotent
    other = OrthogonalMooreGrid([4, 5], torus=False, random=random.Random(0))  # list dimensions
    lat.attach_to_grid(other)
    assert other.calcium_mM.data is lat.fields["calcium_mM"]
    with pytest.raises(ValueError):
        lat.attach_to_grid(OrthogonalMooreGrid((5, 4), torus=False, random=random.Random(0)))


def test_bad_geometries_are_refused() -> None:
    with pytest.raises(ValueError):
        SlabGeometry(0, 5)
    with pytest.raises(ValueError):
        SlabGeometry(3, 5, spacing_um=0.0)
    with pytest.raises(ValueError):
        RingGeometry(3, 5, inner_radius_um=-1.0)
