"""Geometries of the arterial wall: the mesh every process asks about space.

- :class:`~vcsim.geometry.slab.SlabGeometry`: a flat slab of media (the default);
- :class:`~vcsim.geometry.ring.RingGeometry`: a vessel cross-section in polar coordinates.

Both are rows (across the wall, lumen first) x periodic columns with per-row metrics
(:mod:`vcsim.geometry.base`); transport, neighbours, divisions, logs, snapshots, figures and
the visualisation all read them from the geometry, so a new geometry is a new module here.
"""

from collections.abc import Mapping
from typing import Any

from vcsim.geometry.base import VON_NEUMANN_OFFSETS, Geometry
from vcsim.geometry.ring import RingGeometry
from vcsim.geometry.slab import SlabGeometry


def geometry_from_params(params: Mapping[str, Any]) -> Geometry:
    """The geometry a run's parameters describe (``geometry`` = slab or ring)."""
    kind = str(params["geometry"])
    common = dict(rows=int(params["lattice_rows"]), cols=int(params["lattice_cols"]),
                  spacing_um=float(params["site_spacing_um"]), depth_um=float(params["site_depth_um"]),
                  lamina_every_rows=int(params["lamina_every_rows"]))
    if kind == "slab":
        return SlabGeometry(**common)
    if kind == "ring":
        radius = float(params["ring_inner_radius_um"])
        return RingGeometry(**common, inner_radius_um=radius if radius > 0 else None)
    raise ValueError(f"geometry {kind!r} is not known; expected 'slab' or 'ring'")


__all__ = ["VON_NEUMANN_OFFSETS", "Geometry", "RingGeometry", "SlabGeometry", "geometry_from_params"]
