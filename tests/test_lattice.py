"""The lattice: geometry, lamina, neighbours, fields and their shared Mesa PropertyLayers."""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest
from mesa.discrete_space import OrthogonalMooreGrid

from vcsim.lattice import FIELD_NAMES, FieldLayer, Lattice, serum_values
from vcsim.params import Parameters, default_parameters

ARCHITECTURE_FIELDS = {
    "calcium_mM", "phosphate_mM", "pyrophosphate_uM", "magnesium_mM", "mineral_hap_mM",
    "nuclei_count", "vesicles_count", "vesicle_inhibition_fraction", "apoptotic_bodies_count",
    "tnap_activity_uM_per_h", "cmgp_nM", "ucmgp_nM", "hap_saturation_index",
}


def params(**overrides: object) -> Parameters:
    """Default parameters with ``overrides`` applied (validated by the schema)."""
    return default_parameters().updated(overrides)


def test_lamina_rows_every_n_rows_from_the_internal_elastic_lamina() -> None:
    lattice = Lattice(20, 7, lamina_every_rows=6)
    assert lattice.lamina.shape == (20, 7) and lattice.lamina.dtype == bool
    assert list(np.flatnonzero(lattice.lamina[:, 0])) == [0, 6, 12, 18]
    assert np.all(lattice.lamina == lattice.lamina[:, :1])  # whole rows
    assert not Lattice(20, 7, lamina_every_rows=0).lamina.any()


def test_fields_are_the_architecture_fields_at_serum_or_zero() -> None:
    lattice = Lattice.from_params(params(serum_phosphate_mM=2.0))
    assert set(lattice.fields) == ARCHITECTURE_FIELDS == set(FIELD_NAMES)
    for field in lattice.fields.values():
        assert field.dtype == np.float64 and field.shape == (30, 100) and field.flags.c_contiguous
    assert np.all(lattice.fields["phosphate_mM"] == 2.0)
    assert np.all(lattice.fields["calcium_mM"] == 1.2)
    assert np.all(lattice.fields["pyrophosphate_uM"] == 2.5)
    assert np.all(lattice.fields["mineral_hap_mM"] == 0.0)
    assert serum_values()["magnesium_mM"] == 0.85
    # arrays are independent of each other
    lattice.fields["cmgp_nM"][0, 0] = 1.0
    assert lattice.fields["ucmgp_nM"][0, 0] == 0.0


def test_geometry_and_site_volume() -> None:
    lattice = Lattice.from_params(params(lattice_rows=12, lattice_cols=40, porosity_fraction=0.25))
    assert lattice.shape == (12, 40) and lattice.n_sites == 480
    assert lattice.site_volume_L == pytest.approx(1e-12)  # a 10 um cube is 1 pL
    lattice.fields["calcium_mM"][...] = 2.0
    # mM x L = mmol: 0.25 * 1e-12 L * 2 mM * 480 sites
    assert lattice.dissolved_amount("calcium_mM") == pytest.approx(0.25 * 1e-12 * 2.0 * 480)


def test_site_index_and_row_col_are_c_order_inverses() -> None:
    lattice = Lattice(5, 7)
    assert lattice.site_index(2, 3) == 2 * 7 + 3
    assert lattice.row_col(17) == (2, 3)
    rows, cols = np.meshgrid(np.arange(5), np.arange(7), indexing="ij")
    index = lattice.site_index(rows, cols)
    np.testing.assert_array_equal(index.ravel(), np.arange(35))
    back_r, back_c = lattice.row_col(index)
    np.testing.assert_array_equal(back_r, rows)
    np.testing.assert_array_equal(back_c, cols)
    assert lattice.site_index(1, -1) == lattice.site_index(1, 6)  # columns wrap
    with pytest.raises(IndexError):
        lattice.site_index(5, 0)  # rows do not
    with pytest.raises(IndexError):
        lattice.row_col(35)


def test_von_neumann_neighbours_wrap_columns_and_stop_at_rows() -> None:
    lattice = Lattice(4, 6)
    s = lattice.site_index
    # order: row-1, row+1, col-1, col+1
    assert list(lattice.von_neumann_neighbours(s(2, 0))) == [s(1, 0), s(3, 0), s(2, 5), s(2, 1)]
    assert list(lattice.von_neumann_neighbours(s(2, 5))) == [s(1, 5), s(3, 5), s(2, 4), s(2, 0)]
    assert list(lattice.von_neumann_neighbours(s(0, 3))) == [-1, s(1, 3), s(0, 2), s(0, 4)]
    assert list(lattice.von_neumann_neighbours(s(3, 3))) == [s(2, 3), -1, s(3, 2), s(3, 4)]
    many = lattice.von_neumann_neighbours(np.arange(24).reshape(4, 6))
    assert many.shape == (4, 6, 4)
    assert (many == -1).sum() == 12  # one per site of the top and bottom rows


def test_moore_neighbours_at_the_corners_of_the_seam() -> None:
    lattice = Lattice(4, 6)
    s = lattice.site_index
    top_left = lattice.moore_neighbours(s(0, 0))
    assert list(top_left) == [-1, -1, -1, s(0, 5), s(0, 1), s(1, 5), s(1, 0), s(1, 1)]
    bottom_right = lattice.moore_neighbours(s(3, 5))
    assert list(bottom_right) == [s(2, 4), s(2, 5), s(2, 0), s(3, 4), s(3, 0), -1, -1, -1]
    all_sites = lattice.moore_neighbours(np.arange(24))
    assert all_sites.shape == (24, 8)
    # neighbourhood is symmetric: j is a neighbour of i iff i is a neighbour of j
    pairs = {(i, int(j)) for i in range(24) for j in all_sites[i] if j >= 0}
    assert pairs == {(j, i) for i, j in pairs}


def test_property_layer_shares_memory_with_the_field() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Mesa's dtype UserWarning must not fire
        lattice = Lattice(5, 8)
    layer = lattice.property_layers["calcium_mM"]
    field = lattice.fields["calcium_mM"]
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
    lattice = Lattice(4, 5)
    grid = OrthogonalMooreGrid((4, 5), torus=False, random=random.Random(0))
    lattice.attach_to_grid(grid)
    cell = grid._cells[(2, 3)]
    lattice.fields["phosphate_mM"][2, 3] = 3.3
    assert cell.phosphate_mM == 3.3
    cell.mineral_hap_mM = 0.5
    assert lattice.fields["mineral_hap_mM"][2, 3] == 0.5
    assert grid.calcium_mM.data is lattice.fields["calcium_mM"]
    lattice.attach_to_grid(grid)  # idempotent
    other = OrthogonalMooreGrid([4, 5], torus=False, random=random.Random(0))  # list dimensions
    lattice.attach_to_grid(other)
    assert other.calcium_mM.data is lattice.fields["calcium_mM"]
    with pytest.raises(ValueError):
        lattice.attach_to_grid(OrthogonalMooreGrid((5, 4), torus=False, random=random.Random(0)))


def test_ring_coordinates_put_rows_on_circles() -> None:
    lattice = Lattice(3, 12, spacing_um=10.0, geometry="ring")
    x, y = lattice.ring_coordinates()
    assert x.shape == (3, 12)
    r_in = 12 * 10.0 / (2 * np.pi)
    np.testing.assert_allclose(np.hypot(x, y), (r_in + (np.arange(3) + 0.5) * 10.0)[:, None] * np.ones(12))
    angles = np.mod(np.arctan2(y[0], x[0]), 2 * np.pi)
    np.testing.assert_allclose(angles, 2 * np.pi * (np.arange(12) + 0.5) / 12)
    xc, yc = lattice.ring_coordinates(inner_radius_um=100.0, corners=True)
    assert xc.shape == (4, 13)
    np.testing.assert_allclose([xc[0, 0], yc[0, 0]], [100.0, 0.0])
    np.testing.assert_allclose([xc[0, -1], yc[0, -1]], [100.0, 0.0], atol=1e-9)  # ring closes


def test_bad_lattices_are_refused() -> None:
    with pytest.raises(ValueError):
        Lattice(0, 5)
    with pytest.raises(ValueError):
        Lattice(3, 5, porosity=0.0)
    with pytest.raises(ValueError):
        Lattice(3, 5, geometry="cube")
    with pytest.raises(KeyError):
        Lattice(3, 5, initial={"calcium": 1.0})
