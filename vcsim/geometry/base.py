"""The mesh every process asks about space: shape, neighbours, site volumes, transport metrics.

A geometry is a tensor grid of ``rows x cols`` sites. Rows run across the wall, row 0 facing
the lumen and the last row the adventitia; columns run around or along the wall and are
periodic. Sites are numbered in flattened C order, ``index = row * cols + col``. Within this
topology a geometry is defined by its *metrics*, which may vary from row to row (never along a
row, so the transport stays diagonal in column Fourier modes):

- ``row_volume_um3[r]``: tissue volume of one site of row r;
- ``radial_face_um[r]``: area / centre distance of the face between rows r and r + 1
  (diffusive conductance per unit diffusivity, um), for r = 0 .. rows - 2;
- ``lumen_face_um``, ``adventitia_face_um``: area / (half a site) of the outer faces of the
  first and last rows, where a boundary value is held;
- ``column_face_um[r]``: area / centre distance of the faces between neighbouring columns of
  row r.

A finite-volume diffusion operator built from these metrics is conservative and symmetric in
the volume-weighted form (:mod:`vcsim.transport`). Every amount (a concentration times a
volume) goes through :meth:`Geometry.integrate`, so a geometry with unequal sites is exactly as
conservative as one with equal sites.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

UM3_TO_L = 1e-15

#: von Neumann neighbour offsets (d_row, d_col): towards the lumen, the adventitia, col-1, col+1
VON_NEUMANN_OFFSETS: tuple[tuple[int, int], ...] = ((-1, 0), (1, 0), (0, -1), (0, 1))


class Geometry(ABC):
    """Rows x periodic columns of sites with per-row metrics (see the module docstring).

    Subclasses set the metrics; everything else is shared.

    Attributes:
        rows, cols, shape, n_sites: the grid.
        spacing_um: site edge across the wall (radial step).
        depth_um: thickness of the slice a site represents.
        lamina: bool ``(rows, cols)``: elastic-lamina sites (no cells there).
        cell_sites: bool ``(rows, cols)``: sites that can hold a cell.
    """

    name = "geometry"

    def __init__(self, rows: int, cols: int, spacing_um: float, depth_um: float,
                 lamina_every_rows: int = 0):
        if rows < 1 or cols < 1:
            raise ValueError(f"geometry needs rows >= 1 and cols >= 1, got {rows} x {cols}")
        if not (spacing_um > 0 and depth_um > 0):
            raise ValueError(f"site spacing and depth must be > 0, got {spacing_um}, {depth_um}")
        self.rows = int(rows)
        self.cols = int(cols)
        self.shape: tuple[int, int] = (self.rows, self.cols)
        self.n_sites = self.rows * self.cols
        self.spacing_um = float(spacing_um)
        self.depth_um = float(depth_um)
        self.lamina_every_rows = int(lamina_every_rows)
        lamina_rows = np.zeros(self.rows, dtype=bool)
        if self.lamina_every_rows > 0:
            lamina_rows[:: self.lamina_every_rows] = True
        self.lamina = np.repeat(lamina_rows[:, None], self.cols, axis=1)
        self.cell_sites = ~self.lamina
        # metrics, set by the subclass
        self.row_volume_um3 = np.empty(self.rows)
        self.radial_face_um = np.empty(max(self.rows - 1, 0))
        self.column_face_um = np.empty(self.rows)
        self.lumen_face_um = 0.0
        self.adventitia_face_um = 0.0
        self._site_volume_L_flat: np.ndarray | None = None

    # ---- volumes and amounts ------------------------------------------------------------
    @property
    def site_volume_L(self) -> np.ndarray:
        """Tissue volume of each site (L), shape ``(rows, 1)``: broadcasts against a field."""
        return (self.row_volume_um3 * UM3_TO_L)[:, None]

    @property
    def site_volume_L_flat(self) -> np.ndarray:
        """Tissue volume of each site (L) in site order, shape ``(n_sites,)``."""
        if self._site_volume_L_flat is None:
            self._site_volume_L_flat = np.repeat(self.row_volume_um3 * UM3_TO_L, self.cols)
        return self._site_volume_L_flat

    @property
    def uniform(self) -> bool:
        """True when every site has the same volume."""
        return bool(np.all(self.row_volume_um3 == self.row_volume_um3[0]))

    @property
    def reference_volume_um3(self) -> float:
        """The volume of a site of row 0 (the unit the transport's coefficients are scaled by)."""
        return float(self.row_volume_um3[0])

    @property
    def total_volume_L(self) -> float:
        return float(self.row_volume_um3.sum()) * self.cols * UM3_TO_L

    def integrate(self, field: np.ndarray, where: np.ndarray | None = None) -> float:
        """``sum over sites of field * V_site`` (field units x L), optionally over ``where``."""
        f = np.asarray(field).reshape(self.shape)
        row_sums = (np.where(where, f, 0.0) if where is not None else f).sum(axis=1)
        return float(np.dot(row_sums, self.row_volume_um3)) * UM3_TO_L

    # ---- indices and neighbours -----------------------------------------------------------
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

    def neighbours(self, index: int | np.ndarray) -> np.ndarray:
        """The 4 edge neighbours of each site, shape ``index.shape + (4,)``, -1 off the grid.

        Order: towards the lumen (row - 1), towards the adventitia (row + 1), col - 1, col + 1.
        Columns are periodic; rows are not.
        """
        row, col = np.divmod(np.asarray(index, dtype=np.int64), self.cols)
        d_row = np.array([o[0] for o in VON_NEUMANN_OFFSETS], dtype=np.int64)
        d_col = np.array([o[1] for o in VON_NEUMANN_OFFSETS], dtype=np.int64)
        n_row = row[..., None] + d_row
        n_col = np.mod(col[..., None] + d_col, self.cols)
        out = n_row * self.cols + n_col
        out[(n_row < 0) | (n_row >= self.rows)] = -1
        return out

    def count_neighbours(self, mask: np.ndarray) -> np.ndarray:
        """Number of von Neumann neighbours where ``mask`` (rows x cols) holds, per site."""
        has = np.asarray(mask, dtype=np.int8).reshape(self.shape)
        out = np.roll(has, 1, axis=1) + np.roll(has, -1, axis=1)
        out[1:] += has[:-1]
        out[:-1] += has[1:]
        return out

    def row_depth_um(self) -> np.ndarray:
        """Distance of each row's centre from the lumen-side face (um), shape ``(rows,)``."""
        return (np.arange(self.rows) + 0.5) * self.spacing_um

    # ---- drawing --------------------------------------------------------------------------
    @abstractmethod
    def corners_um(self) -> tuple[np.ndarray, np.ndarray]:
        """Site corners ``(x, y)`` in um, each ``(rows + 1, cols + 1)``, for ``pcolormesh``."""

    @abstractmethod
    def centres_um(self) -> tuple[np.ndarray, np.ndarray]:
        """Site centres ``(x, y)`` in um, each ``(rows, cols)``."""

    def describe(self) -> dict[str, Any]:
        """What metadata records of the geometry."""
        return {"geometry": self.name, "rows": self.rows, "cols": self.cols,
                "spacing_um": self.spacing_um, "depth_um": self.depth_um,
                "lamina_every_rows": self.lamina_every_rows,
                "total_volume_L": self.total_volume_L}

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.rows} x {self.cols}, spacing={self.spacing_um:g} um, "
                f"lamina_every_rows={self.lamina_every_rows})")


def check_metrics(g: Geometry) -> None:
    """Raise ValueError unless the subclass set positive, finite metrics of the right shapes."""
    for name, arr, n in (("row_volume_um3", g.row_volume_um3, g.rows),
                         ("radial_face_um", g.radial_face_um, max(g.rows - 1, 0)),
                         ("column_face_um", g.column_face_um, g.rows)):
        a = np.asarray(arr)
        if a.shape != (n,) or not np.all(np.isfinite(a)) or np.any(a <= 0):
            raise ValueError(f"geometry metric {name} must be {n} positive numbers")
    for name in ("lumen_face_um", "adventitia_face_um"):
        v = getattr(g, name)
        if not (np.isfinite(v) and v > 0):
            raise ValueError(f"geometry metric {name} must be positive")
