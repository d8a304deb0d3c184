"""The Mesa agent: one vascular smooth-muscle cell on one lattice site.

``VSMC.step`` runs the VSMC's cell processes (:mod:`vcsim.cells.vsmc.processes`: the same
compiled rules the vector engine runs over all cells) for its own cell, so the per-agent engine
and the vector engine share one implementation. Subclass ``VSMC`` and pass ``agent_class=`` to
:class:`vcsim.model.VascularModel` to try a new behaviour on a small lattice: override
:meth:`VSMC.step` (call ``super().step()`` and then change ``self.model.cells.state`` at
``self.site``), or add a cell process for both engines (``scenarios/custom_process.py``).
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
        pos: the site as ``(row, col)`` (row 0 on the lumen side), as Mesa's grid agents have
            it; the same as ``cell.coordinate``.
    """

    model: VascularModel

    def __init__(self, model: VascularModel, site: int, cell) -> None:
        super().__init__(model)
        self.site = int(site)
        self.index = np.array([self.site], dtype=np.int64)
        self.cell = cell
        self.pos = tuple(int(x) for x in cell.coordinate)

    @property
    def phenotype_code(self) -> int:
        """The cell's phenotype as its integer code (``model.cells.phenotype``)."""
        return int(self.model.cells.phenotype[self.site])

    @property
    def phenotype(self) -> str:
        """The cell's phenotype by name ("contractile", "osteogenic", ...), so that Mesa's
        ``model.agents.groupby("phenotype")`` and agent reporters read as words."""
        return self.model.cells.cell_type.code_names[self.phenotype_code]

    def state(self) -> dict[str, float]:
        """This cell's intracellular state as a plain dict (for inspection and teaching)."""
        row = self.model.cells.state[self.site]
        return {name: float(row[name]) for name in self.model.cells.cell_type.variable_names}

    def step(self) -> None:
        """Sense, update the UPR state, switch phenotype, release: the shared cell processes."""
        self.model.processes["vsmc"].run_cells(self.index)
