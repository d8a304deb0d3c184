"""A vessel cross-section: an annulus of sites in polar coordinates.

Row r is the shell between radii ``R0 + r dr`` and ``R0 + (r + 1) dr`` (``dr`` = the site
spacing, ``R0`` the lumen radius, row 0 the inner shell facing the lumen); column c the sector
between angles ``c dtheta`` and ``(c + 1) dtheta``, ``dtheta = 2 pi / cols``, periodic. A site
is an annular sector of thickness ``h`` (the depth of the slice), so its volume and faces grow
with radius (finite-volume metrics, :mod:`vcsim.geometry.base`):

- ``V_r = r_c dr dtheta h`` with the centre radius ``r_c = R0 + (r + 1/2) dr`` (the exact
  sector area ``(r_out^2 - r_in^2) dtheta / 2`` times h);
- between shells r and r + 1, at ``R_f = R0 + (r + 1) dr``: ``A/d = R_f dtheta h / dr``;
- between sectors of shell r: ``A/d = dr h / (r_c dtheta)``;
- lumen face at ``R0``: ``A/(dr/2) = 2 R0 dtheta h / dr``; adventitial face at the outer
  radius likewise.

This is the standard conservative discretisation of ``div(D grad c)`` in polar coordinates
(Patankar 1980, "Numerical Heat Transfer and Fluid Flow", s. 4.2 and 5.4). Sites near a small
lumen are thinner along the circumference than deep ones, but each still holds at most one cell.
The default ``R0 = cols dr / (2 pi)`` makes the lumen-side arc of a site equal to ``dr``.
"""

from __future__ import annotations

import math

import numpy as np

from vcsim.geometry.base import Geometry, check_metrics


class RingGeometry(Geometry):
    """An annulus of ``rows`` shells x ``cols`` sectors (see the module docstring)."""

    name = "ring"

    def __init__(self, rows: int, cols: int, spacing_um: float = 10.0, depth_um: float = 10.0,
                 lamina_every_rows: int = 0, inner_radius_um: float | None = None):
        super().__init__(rows, cols, spacing_um, depth_um, lamina_every_rows)
        dr, h = self.spacing_um, self.depth_um
        if inner_radius_um is None:
            inner_radius_um = self.cols * dr / (2.0 * math.pi)
        if not inner_radius_um > 0:
            raise ValueError(f"ring inner radius must be > 0 um, got {inner_radius_um}")
        self.inner_radius_um = float(inner_radius_um)
        self.dtheta = 2.0 * math.pi / self.cols
        r_c = self.centre_radius_um()
        r_f = self.inner_radius_um + (np.arange(1, self.rows)) * dr
        self.row_volume_um3 = r_c * dr * self.dtheta * h
        self.radial_face_um = r_f * self.dtheta * h / dr
        self.column_face_um = dr * h / (r_c * self.dtheta)
        self.lumen_face_um = 2.0 * self.inner_radius_um * self.dtheta * h / dr
        self.adventitia_face_um = 2.0 * self.outer_radius_um * self.dtheta * h / dr
        check_metrics(self)

    @property
    def outer_radius_um(self) -> float:
        return self.inner_radius_um + self.rows * self.spacing_um

    def centre_radius_um(self) -> np.ndarray:
        """Radius of each shell's centre, ``R0 + (r + 1/2) dr`` (um)."""
        return self.inner_radius_um + (np.arange(self.rows) + 0.5) * self.spacing_um

    def corners_um(self) -> tuple[np.ndarray, np.ndarray]:
        radius = self.inner_radius_um + np.arange(self.rows + 1) * self.spacing_um
        angle = np.arange(self.cols + 1) * self.dtheta
        return radius[:, None] * np.cos(angle)[None, :], radius[:, None] * np.sin(angle)[None, :]

    def centres_um(self) -> tuple[np.ndarray, np.ndarray]:
        radius = self.centre_radius_um()
        angle = (np.arange(self.cols) + 0.5) * self.dtheta
        return radius[:, None] * np.cos(angle)[None, :], radius[:, None] * np.sin(angle)[None, :]

    def describe(self) -> dict:
        out = super().describe()
        out.update(inner_radius_um=self.inner_radius_um, outer_radius_um=self.outer_radius_um)
        return out
