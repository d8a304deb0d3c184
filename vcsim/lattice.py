"""The lattice of arterial media: geometry, site fields and their Mesa PropertyLayers.

A slab of media of ``rows`` x ``cols`` square sites. Row 0 is the lumen side (internal elastic
lamina), the last row the adventitial side; columns run along the wall and are periodic, rows
are not. Sites are numbered in flattened C order, ``index = row * cols + col``.

Every field of ``docs/ARCHITECTURE.md`` is a float64 array of shape ``(rows, cols)`` in
``Lattice.fields``; ``Lattice.property_layers[name]`` is a Mesa ``PropertyLayer`` whose data
*is* that array (same memory), so a write through either shows in the other. Dissolved
species start at their serum values, everything else at zero.

Amounts (ARCHITECTURE.md, "Units and amounts"): a site holds ``site_volume_L = spacing^2 *
depth * 1e-15`` L of tissue, of which ``porosity`` is pore fluid; dissolved concentrations are
in the pore fluid, so the dissolved amount of a site is ``porosity * c * site_volume_L``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from mesa.discrete_space import PropertyLayer

from vcsim.params import Parameters

#: Dissolved species (they diffuse) and the systemic parameter holding each one's serum value.
DISSOLVED_FIELDS: dict[str, str] = {
    "calcium_mM": "serum_calcium_mM",
    "phosphate_mM": "serum_phosphate_mM",
    "pyrophosphate_uM": "serum_ppi_uM",
    "magnesium_mM": "serum_magnesium_mM",
}

#: Fields that do not diffuse (matrix-bound or derived); they start at zero.
MATRIX_FIELDS: tuple[str, ...] = (
    "mineral_hap_mM",
    "nuclei_count",
    "vesicles_count",
    "vesicle_inhibition_fraction",
    "apoptotic_bodies_count",
    "tnap_activity_uM_per_h",
    "cmgp_nM",
    "ucmgp_nM",
    "hap_saturation_index",
)

FIELD_NAMES: tuple[str, ...] = (*DISSOLVED_FIELDS, *MATRIX_FIELDS)

# Neighbour offsets (d_row, d_col). Order is part of the API.
VON_NEUMANN_OFFSETS: tuple[tuple[int, int], ...] = ((-1, 0), (1, 0), (0, -1), (0, 1))
MOORE_OFFSETS: tuple[tuple[int, int], ...] = (
    (-1, -1), (-1, 0), (-1, 1),
    (0, -1), (0, 1),
    (1, -1), (1, 0), (1, 1),
)


def serum_values(params: Mapping[str, Any] | None = None) -> dict[str, float]:
    """Serum (boundary) value of each dissolved field, from ``params`` or the systemic defaults."""
    if params is None:
        from vcsim.params import systemic

        defaults = {p.name: p.default for p in systemic.PARAMS}
        return {field: float(defaults[key]) for field, key in DISSOLVED_FIELDS.items()}
    return {field: float(params[key]) for field, key in DISSOLVED_FIELDS.items()}


class FieldLayer(PropertyLayer):
    """A Mesa ``PropertyLayer`` whose data is an existing float64 array (shared, not copied).

    Mesa's ``PropertyLayer.modify_cells`` rebinds its data to a new array; here the result is
    copied back into the shared array so the sharing survives every Mesa operation.
    """

    def __init__(self, name: str, array: np.ndarray, dimensions: tuple[int, ...] | None = None):
        if array.dtype != np.float64:
            raise TypeError(f"field {name!r} must be float64, not {array.dtype}")
        # dtype=float with a float default: Mesa's dtype-compatibility UserWarning stays silent.
        super().__init__(name, array.shape if dimensions is None else dimensions, 0.0, float)
        self._mesa_data = array

    def modify_cells(
        self, operation: Callable, value: Any = None, condition: Callable | None = None
    ) -> None:
        shared = self._mesa_data
        super().modify_cells(operation, value, condition)
        if self._mesa_data is not shared:
            np.copyto(shared, self._mesa_data)
            self._mesa_data = shared


class Lattice:
    """Geometry and site fields of the media.

    Args:
        rows: sites across the media, lumen side (row 0) to adventitia.
        cols: sites along the wall (periodic).
        spacing_um: edge of a square site (um).
        depth_um: thickness of the slice a site represents (um).
        porosity: pore-fluid volume fraction of a site (1).
        lamina_every_rows: an elastic-lamina row at every row ``r`` with
            ``r % lamina_every_rows == 0`` (row 0 is the internal elastic lamina); 0 = none.
        geometry: ``"slab"`` or ``"ring"`` (ring only changes how the lattice is drawn,
            see :meth:`ring_coordinates`).
        initial: starting values of fields (default: serum values for the dissolved fields,
            zero for the rest).

    Attributes:
        fields: ``{name: float64 array (rows, cols)}`` for every name in :data:`FIELD_NAMES`.
        property_layers: ``{name: FieldLayer}`` sharing memory with ``fields``.
        lamina: bool ``(rows, cols)`` mask of elastic-lamina sites (no cells there).
        site_volume_L: tissue volume of one site, ``spacing^2 * depth * 1e-15`` L.
    """

    def __init__(
        self,
        rows: int,
        cols: int,
        spacing_um: float = 10.0,
        depth_um: float = 10.0,
        porosity: float = 0.3,
        lamina_every_rows: int = 0,
        geometry: str = "slab",
        initial: Mapping[str, float] | None = None,
    ):
        if rows < 1 or cols < 1:
            raise ValueError(f"lattice needs rows >= 1 and cols >= 1, got {rows} x {cols}")
        if not 0.0 < porosity <= 1.0:
            raise ValueError(f"porosity must be in (0, 1], got {porosity}")
        if geometry not in ("slab", "ring"):
            raise ValueError(f"geometry must be 'slab' or 'ring', got {geometry!r}")
        self.rows = int(rows)
        self.cols = int(cols)
        self.shape: tuple[int, int] = (self.rows, self.cols)
        self.n_sites = self.rows * self.cols
        self.spacing_um = float(spacing_um)
        self.depth_um = float(depth_um)
        self.porosity = float(porosity)
        self.lamina_every_rows = int(lamina_every_rows)
        self.geometry = geometry
        # 1 um^3 = 1e-15 L
        self.site_volume_L = self.spacing_um**2 * self.depth_um * 1e-15

        lamina_rows = np.zeros(self.rows, dtype=bool)
        if self.lamina_every_rows > 0:
            lamina_rows[:: self.lamina_every_rows] = True
        self.lamina = np.repeat(lamina_rows[:, None], self.cols, axis=1)

        start = serum_values()
        if initial is not None:
            unknown = set(initial) - set(FIELD_NAMES)
            if unknown:
                raise KeyError(f"unknown field(s) {sorted(unknown)}; fields are {FIELD_NAMES}")
            start.update({k: float(v) for k, v in initial.items()})
        self.fields: dict[str, np.ndarray] = {
            name: np.full(self.shape, start.get(name, 0.0), dtype=np.float64) for name in FIELD_NAMES
        }
        self.property_layers: dict[str, FieldLayer] = {
            name: FieldLayer(name, array) for name, array in self.fields.items()
        }

    @classmethod
    def from_params(cls, params: Parameters | Mapping[str, Any]) -> Lattice:
        """Build the lattice from ``simulation`` geometry and ``systemic`` serum values."""
        return cls(
            rows=int(params["lattice_rows"]),
            cols=int(params["lattice_cols"]),
            spacing_um=float(params["site_spacing_um"]),
            depth_um=float(params["site_depth_um"]),
            porosity=float(params["porosity_fraction"]),
            lamina_every_rows=int(params["lamina_every_rows"]),
            geometry=str(params["geometry"]),
            initial=serum_values(params),
        )

    def __repr__(self) -> str:
        return (
            f"Lattice({self.rows} x {self.cols}, spacing={self.spacing_um:g} um, "
            f"porosity={self.porosity:g}, lamina_every_rows={self.lamina_every_rows})"
        )

    # ---- indices ---------------------------------------------------------------------------

    def site_index(self, row: int | np.ndarray, col: int | np.ndarray) -> int | np.ndarray:
        """Flattened C-order index ``row * cols + col`` (columns wrap, rows must be in range)."""
        row = np.asarray(row)
        if np.any((row < 0) | (row >= self.rows)):
            raise IndexError(f"row out of range [0, {self.rows})")
        index = row * self.cols + np.mod(col, self.cols)
        return int(index) if np.ndim(index) == 0 else index

    def row_col(self, index: int | np.ndarray) -> tuple[Any, Any]:
        """Inverse of :meth:`site_index`: ``(index // cols, index % cols)``."""
        index = np.asarray(index)
        if np.any((index < 0) | (index >= self.n_sites)):
            raise IndexError(f"site index out of range [0, {self.n_sites})")
        row, col = np.divmod(index, self.cols)
        if row.ndim == 0:
            return int(row), int(col)
        return row, col

    def _neighbours(self, index: int | np.ndarray, offsets: tuple[tuple[int, int], ...]) -> np.ndarray:
        row, col = np.divmod(np.asarray(index, dtype=np.int64), self.cols)
        d_row = np.array([o[0] for o in offsets], dtype=np.int64)
        d_col = np.array([o[1] for o in offsets], dtype=np.int64)
        n_row = row[..., None] + d_row
        n_col = np.mod(col[..., None] + d_col, self.cols)  # periodic columns
        out = n_row * self.cols + n_col
        out[(n_row < 0) | (n_row >= self.rows)] = -1  # rows are not periodic
        return out

    def von_neumann_neighbours(self, index: int | np.ndarray) -> np.ndarray:
        """The 4 edge neighbours of each site, shape ``index.shape + (4,)``, -1 off-lattice.

        Order: row-1 (towards the lumen), row+1 (towards the adventitia), col-1, col+1.
        Columns are periodic (col -1 is col ``cols-1``); rows are not.
        """
        return self._neighbours(index, VON_NEUMANN_OFFSETS)

    def moore_neighbours(self, index: int | np.ndarray) -> np.ndarray:
        """The 8 edge and corner neighbours, shape ``index.shape + (8,)``, -1 off-lattice.

        Order: :data:`MOORE_OFFSETS` (row-major over the 3 x 3 block, centre left out).
        """
        return self._neighbours(index, MOORE_OFFSETS)

    # ---- amounts -----------------------------------------------------------------------------

    def dissolved_amount(self, name: str) -> float:
        """Dissolved amount of a field over the lattice, in (field units) x L.

        ``porosity * site_volume_L * sum(c)``; for a field in mM this is mmol.
        """
        return self.porosity * self.site_volume_L * float(self.fields[name].sum())

    # ---- drawing and Mesa --------------------------------------------------------------------

    def ring_coordinates(
        self, inner_radius_um: float | None = None, corners: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Map sites onto a vessel cross-section, for visualisation (``geometry="ring"``).

        Row ``r`` lies at radius ``R_in + (r + 1/2) * spacing`` and column ``c`` at angle
        ``2 pi (c + 1/2) / cols`` (lumen inside, adventitia outside). The default inner radius
        ``R_in = cols * spacing / (2 pi)`` makes the lumen-side circumference equal to the
        lattice length. With ``corners=True`` the site corners are returned instead, arrays of
        shape ``(rows + 1, cols + 1)`` closing the ring, ready for ``pcolormesh(x, y, field)``.

        Returns:
            ``(x_um, y_um)``, each of shape ``(rows, cols)`` (or the corner shape).
        """
        if inner_radius_um is None:
            inner_radius_um = self.cols * self.spacing_um / (2.0 * np.pi)
        offset = 0.0 if corners else 0.5
        n_r = self.rows + (1 if corners else 0)
        n_c = self.cols + (1 if corners else 0)
        radius = inner_radius_um + (np.arange(n_r) + offset) * self.spacing_um
        angle = 2.0 * np.pi * (np.arange(n_c) + offset) / self.cols
        return (
            radius[:, None] * np.cos(angle)[None, :],
            radius[:, None] * np.sin(angle)[None, :],
        )

    def attach_to_grid(self, grid: Any) -> None:
        """Add every field as a PropertyLayer of a Mesa grid, sharing memory with ``fields``.

        The grid must have dimensions ``(rows, cols)`` so that a Mesa cell coordinate is
        ``(row, col)`` and ``cell.calcium_mM`` reads ``fields["calcium_mM"][row, col]``.
        Mesa grids wrap either all axes (``torus=True``) or none; the lattice's own neighbour
        helpers are the ones with periodic columns and closed rows.
        """
        if tuple(grid.dimensions) != self.shape:
            raise ValueError(f"grid dimensions {tuple(grid.dimensions)} != lattice shape {self.shape}")
        existing = grid._mesa_property_layers  # Mesa 3.3 has no public accessor
        for name, layer in self.property_layers.items():
            if existing.get(name) is not None and existing[name].data is self.fields[name]:
                continue
            if layer.dimensions != grid.dimensions:  # same values, other sequence type
                layer = FieldLayer(name, self.fields[name], dimensions=grid.dimensions)
            grid.add_property_layer(layer)
