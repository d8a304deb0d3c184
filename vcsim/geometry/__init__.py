"""Geometries of the arterial wall: the mesh every process asks about space.

- :class:`~vcsim.geometry.slab.SlabGeometry`: a flat slab of media (the default);
- :class:`~vcsim.geometry.ring.RingGeometry`: a vessel cross-section in polar coordinates.

Both are rows (across the wall, lumen first) x periodic columns with per-row metrics
(:mod:`vcsim.geometry.base`); transport, neighbours, divisions, logs, snapshots, figures and
the visualisation all read them from the geometry, so a new geometry is a new module here.
"""

from vcsim.geometry.base import VON_NEUMANN_OFFSETS, Geometry, geometry_from_params
from vcsim.geometry.ring import RingGeometry
from vcsim.geometry.slab import SlabGeometry

__all__ = ["VON_NEUMANN_OFFSETS", "Geometry", "RingGeometry", "SlabGeometry", "geometry_from_params"]
