"""TNAP hydrolyses pyrophosphate to phosphate in the pore fluid of every site with the enzyme.

``PPi -> 2 Pi`` by the exact Michaelis-Menten step of :mod:`vcsim.chemistry.tnap` over the time
step, ``Vmax`` = the ``tnap_activity_uM_per_h`` field (the cells and their vesicles),
``Km = tnap_km_ppi_uM``. Phosphorus is conserved exactly (``Pi + 2 PPi/1000``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vcsim.chemistry import tnap as tnapmod
from vcsim.parallel import map_blocks
from vcsim.processes.base import Process

#: sites per block of the hydrolysis (long scipy calls, which overlap well on threads)
BLOCK = 65536


class TNAPHydrolysis(Process):
    """Exact Michaelis-Menten hydrolysis of PPi by TNAP over the step (module docstring)."""

    name = "tnap"
    reads = ("field.tnap_activity_uM_per_h", "field.pyrophosphate_uM", "field.phosphate_mM")
    writes = ("field.pyrophosphate_uM", "field.phosphate_mM")
    parameters = ("tnap_km_ppi_uM",)

    def __init__(self) -> None:
        self.hydrolysed_uM_sum = 0.0

    def step(self, model: Any) -> None:
        f = model.lattice.fields
        tnap = f["tnap_activity_uM_per_h"].reshape(-1)
        ppi, pi = f["pyrophosphate_uM"].reshape(-1), f["phosphate_mM"].reshape(-1)
        act = np.flatnonzero((tnap > 0.0) & (ppi > 0.0))
        self.hydrolysed_uM_sum = 0.0
        if not act.size:
            return
        km, dt = float(model.params.tnap_km_ppi_uM), model.dt_h
        hydrolysed = np.empty(act.size)  # summed once at the end: the same total to the bit

        def block(start: int) -> None:
            sl = slice(start, start + BLOCK)
            a = act[sl]
            ppi[a], pi[a], hydrolysed[sl] = tnapmod.hydrolyse(ppi[a], pi[a], tnap[a], km, dt)

        map_blocks(block, range(0, act.size, BLOCK), model.threads)
        self.hydrolysed_uM_sum = float(hydrolysed.sum())
