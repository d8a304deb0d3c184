"""The Mesa agent: one vascular smooth-muscle cell on one lattice site.

``VSMC.step`` applies exactly the vectorised cell rules of :mod:`vcsim.cells` to its own row of
the model's cell-state arrays (``idx = [self.site]``), so the per-agent engine and the vector
engine share one implementation. Subclass ``VSMC`` and pass ``agent_class=`` to
:class:`vcsim.model.VascularModel` to try a new behaviour on a small lattice: override
:meth:`VSMC.step` (call ``super().step()`` and then change ``self.model.cells`` at
``self.index``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import FixedAgent

if TYPE_CHECKING:
    from vcsim.model import VascularModel


class VSMC(FixedAgent):
    """A vascular smooth-muscle cell fixed to its lattice site.

    Attributes:
        site: flattened (C-order) index of the cell's site; its row in ``model.cells``.
    """

    model: VascularModel

    def __init__(self, model: VascularModel, site: int, cell) -> None:
        super().__init__(model)
        self.site = int(site)
        self.index = np.array([self.site], dtype=np.intp)
        self.cell = cell

    @property
    def phenotype(self) -> int:
        return int(self.model.cells.phenotype[self.site])

    def state(self) -> dict[str, float]:
        """This cell's intracellular state as a plain dict (for inspection and teaching)."""
        return {name: float(arr[self.site]) for name, arr in self.model.cells.arrays().items()}

    def step(self) -> None:
        """Sense, update the UPR state, switch phenotype, release: the shared cell rules."""
        self.model.advance_cells(self.index)
