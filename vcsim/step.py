"""The model's step: which processes run, in which order, and how they are coupled.

The default step, in the order the biology flows::

    systemic -> vsmc (sensing, intracellular, phenotype, secretion, commit, division_wish)
    -> vsmc_divisions -> vsmc_transitions -> releases -> tnap -> speciation -> nucleation
    -> growth -> transport -> statistics

Operator splitting: sequential (first-order Lie) splitting. Each process integrates its own
mechanism over the whole step ``[t, t + dt]`` from the state the previous one left.

Edit it from user code with :class:`~vcsim.processes.base.ProcessList`'s ``insert_after``,
``insert_before``, ``replace`` and ``remove`` (``VascularModel(processes=edit)``).
"""

from __future__ import annotations

from vcsim.cells.division import Divisions
from vcsim.cells.vsmc.processes import vsmc_phase
from vcsim.processes.base import ProcessList
from vcsim.processes.growth import Growth
from vcsim.processes.nucleation import Nucleation
from vcsim.processes.releases import Releases
from vcsim.processes.speciation import Speciation
from vcsim.processes.statistics import Statistics
from vcsim.processes.systemic import SystemicInputs
from vcsim.processes.tnap import TNAPHydrolysis
from vcsim.processes.transitions import TransitionRecorder
from vcsim.processes.transport import Diffusion


def default_processes() -> ProcessList:
    """A fresh list of the default processes, in step order (module docstring)."""
    return ProcessList([
        SystemicInputs(),
        vsmc_phase(),
        Divisions("vsmc"),
        TransitionRecorder("vsmc"),
        Releases(),
        TNAPHydrolysis(),
        Speciation(),
        Nucleation(),
        Growth(),
        Diffusion(),
        Statistics(),
    ])
