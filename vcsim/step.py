"""The model's step: which processes run, in which order, and how they are coupled.

The default step, in the order the biology flows::

    systemic [-> mineral_metabolism] -> vsmc (sensing, intracellular, phenotype, secretion, ions, commit, division_wish)
    -> vsmc_divisions -> vsmc_transitions -> releases -> resorption -> nucleation
    -> reaction_transport -> speciation -> statistics

Coupling. The cells, their phenotype changes and releases, resorption and nucleation each
integrate their own mechanism over the whole step ``[t, t + dt]`` from the state the previous
one left (sequential, first-order Lie splitting; nucleation and the cells read the saturation
of the fluid at t). The dissolved species and the mineral are not split: transport, TNAP, HAP
growth and dissolution, resorption and the cells' exchanges with the fluid are one implicit
(backward-Euler) system solved by :mod:`vcsim.processes.reaction_transport`. Speciation then
describes the fluid at t + dt. The whole step is first order in dt (docs/convergence.md).

Before the first step every process's ``initialise`` runs once in this order: the cells sense
and make their expected releases, the matrix starts at their steady state, the fluid at its
steady state with them, and the saturation fields on that fluid.

Edit it from user code with :class:`~vcsim.processes.base.ProcessList`'s ``insert_after``,
``insert_before``, ``replace`` and ``remove`` (``VascularModel(processes=edit)``).
"""

from __future__ import annotations

from vcsim.cells.division import Divisions
from vcsim.cells.vsmc.processes import vsmc_phase
from vcsim.params import Parameters
from vcsim.processes.base import ProcessList
from vcsim.processes.mineral_metabolism import PatientMineralMetabolism
from vcsim.processes.nucleation import Nucleation
from vcsim.processes.reaction_transport import ReactionTransport
from vcsim.processes.releases import Releases
from vcsim.processes.resorption import MineralResorption
from vcsim.processes.speciation import Speciation
from vcsim.processes.statistics import Statistics
from vcsim.processes.systemic import SystemicInputs
from vcsim.processes.transitions import TransitionRecorder


def default_processes(params: Parameters | None = None) -> ProcessList:
    """A fresh list of the default processes, in step order (module docstring); with
    ``patient_coupled`` on, the patient's mineral metabolism follows ``systemic``."""
    patient = [PatientMineralMetabolism()] if params is not None and params["patient_coupled"] else []
    return ProcessList([
        SystemicInputs(),
        *patient,
        vsmc_phase(),
        Divisions("vsmc"),
        TransitionRecorder("vsmc"),
        Releases(),
        MineralResorption(),
        Nucleation(),
        ReactionTransport(),
        Speciation(),
        Statistics(),
    ])
