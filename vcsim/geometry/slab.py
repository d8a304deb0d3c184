"""A flat slab of arterial media: square sites, columns periodic along the wall.

Every site is a box of ``spacing x spacing x depth`` um. Row 0 faces the lumen (the internal
elastic lamina), the last row the adventitia; columns run along the wall and wrap around.
Metrics (:mod:`vcsim.geometry.base`): ``V = dx^2 h``; faces between rows and between columns
``A/d = dx h / dx = h``; the outer faces, half a site from the edge-row centres,
``A/(d/2) = 2 h``.
"""

from __future__ import annotations

import numpy as np

from vcsim.geometry.base import Geometry, check_metrics


class SlabGeometry(Geometry):
    """``rows x cols`` square sites of edge ``spacing_um`` (see the module docstring)."""

    name = "slab"

    def __init__(self, rows: int, cols: int, spacing_um: float = 10.0, depth_um: float = 10.0,
                 lamina_every_rows: int = 0):
        super().__init__(rows, cols, spacing_um, depth_um, lamina_every_rows)
        dx, h = self.spacing_um, self.depth_um
        self.row_volume_um3 = np.full(self.rows, dx * dx * h)
        self.radial_face_um = np.full(max(self.rows - 1, 0), h)
        self.column_face_um = np.full(self.rows, h)
        self.lumen_face_um = 2.0 * h
        self.adventitia_face_um = 2.0 * h
        check_metrics(self)

    def corners_um(self) -> tuple[np.ndarray, np.ndarray]:
        """Corners: ``x`` along the wall (columns), ``y`` depth from the lumen (rows)."""
        x = np.arange(self.cols + 1) * self.spacing_um
        y = np.arange(self.rows + 1) * self.spacing_um
        return np.meshgrid(x, y)

    def centres_um(self) -> tuple[np.ndarray, np.ndarray]:
        x = (np.arange(self.cols) + 0.5) * self.spacing_um
        y = (np.arange(self.rows) + 0.5) * self.spacing_um
        return np.meshgrid(x, y)
