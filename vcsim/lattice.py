"""The site fields of the wall on its geometry, and their Mesa PropertyLayers.

Every field is a float64 array of shape ``geometry.shape`` in ``Lattice.fields``;
``Lattice.property_layers[name]`` is a Mesa ``PropertyLayer`` whose data *is* that array (same
memory), so a write through either shows in the other. Fields are declared by the processes
that own them (:class:`FieldSpec`): the model allocates each once, at its initial value.

Amounts (docs/ARCHITECTURE.md, "Units and amounts"): dissolved concentrations are in the pore
fluid, which is ``porosity`` of a site's tissue volume, so a site holds
``porosity * c * V_site`` of a dissolved species; matrix-bound amounts are per litre of tissue.
:meth:`vcsim.geometry.Geometry.integrate` sums either over the wall.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from mesa.discrete_space import PropertyLayer

from vcsim.geometry import Geometry


@dataclass(frozen=True)
class FieldSpec:
    """One lattice field: its name (units as the suffix), units, meaning and role.

    ``kind``: ``"dissolved"`` (pore-fluid concentration, moves by transport), ``"matrix"``
    (bound to the tissue, does not move) or ``"derived"`` (recomputed from others each step).
    """

    name: str
    units: str
    meaning: str
    kind: str = "matrix"
    initial: float = 0.0


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
    """The fields of the wall on a :class:`~vcsim.geometry.Geometry`.

    Attributes:
        geometry: the mesh (shape, neighbours, site volumes, transport metrics).
        fields: ``{name: float64 array geometry.shape}``.
        specs: ``{name: FieldSpec}`` of every field.
        property_layers: ``{name: FieldLayer}`` sharing memory with ``fields``.
    """

    def __init__(self, geometry: Geometry, specs: Mapping[str, FieldSpec] | None = None):
        self.geometry = geometry
        self.fields: dict[str, np.ndarray] = {}
        self.specs: dict[str, FieldSpec] = {}
        self.property_layers: dict[str, FieldLayer] = {}
        for spec in (specs or {}).values():
            self.add_field(spec)

    def add_field(self, spec: FieldSpec, initial: float | None = None) -> np.ndarray:
        """Allocate ``spec`` at ``initial`` (default ``spec.initial``); adding a field twice
        with the same spec is a no-op."""
        if spec.name in self.specs:
            if self.specs[spec.name] != spec:
                raise ValueError(f"field {spec.name!r} declared twice with different specs")
            return self.fields[spec.name]
        value = spec.initial if initial is None else float(initial)
        arr = np.full(self.geometry.shape, value, dtype=np.float64)
        self.fields[spec.name] = arr
        self.specs[spec.name] = spec
        self.property_layers[spec.name] = FieldLayer(spec.name, arr)
        return arr

    # the geometry's shape, for readers of the fields
    @property
    def shape(self) -> tuple[int, int]:
        return self.geometry.shape

    @property
    def rows(self) -> int:
        return self.geometry.rows

    @property
    def cols(self) -> int:
        return self.geometry.cols

    @property
    def n_sites(self) -> int:
        return self.geometry.n_sites

    @property
    def lamina(self) -> np.ndarray:
        return self.geometry.lamina

    @property
    def spacing_um(self) -> float:
        return self.geometry.spacing_um

    def __repr__(self) -> str:
        return f"Lattice({self.geometry!r}, fields={list(self.fields)})"

    def attach_to_grid(self, grid: Any) -> None:
        """Add every field as a PropertyLayer of a Mesa grid, sharing memory with ``fields``.

        The grid must have dimensions ``(rows, cols)`` so that a Mesa cell coordinate is
        ``(row, col)`` and ``cell.calcium_mM`` reads ``fields["calcium_mM"][row, col]``.
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
