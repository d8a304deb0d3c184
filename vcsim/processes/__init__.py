"""The step as an ordered list of processes (:mod:`vcsim.processes.base`).

:func:`default_processes` is the model's step, in the order the biology flows::

    systemic -> vsmc (sensing, intracellular, phenotype, secretion, commit, division_wish)
    -> vsmc_divisions -> vsmc_transitions -> releases -> tnap -> speciation -> nucleation
    -> growth -> transport -> statistics

Edit it from user code with :class:`~vcsim.processes.base.ProcessList`'s ``insert_after``,
``insert_before``, ``replace`` and ``remove`` (``VascularModel(processes=edit)``).
"""

from vcsim.processes.base import (
    BufferSpec,
    CellBuffers,
    CellPhase,
    CellProcess,
    CellStepContext,
    Process,
    ProcessList,
)


def default_processes() -> ProcessList:
    """A fresh list of the default processes, in step order (module docstring)."""
    from vcsim.cells.division import Divisions
    from vcsim.cells.vsmc.processes import vsmc_phase
    from vcsim.processes.growth import Growth
    from vcsim.processes.nucleation import Nucleation
    from vcsim.processes.releases import Releases
    from vcsim.processes.speciation import Speciation
    from vcsim.processes.statistics import Statistics
    from vcsim.processes.systemic import SystemicInputs
    from vcsim.processes.tnap import TNAPHydrolysis
    from vcsim.processes.transitions import TransitionRecorder
    from vcsim.processes.transport import Diffusion

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


__all__ = ["BufferSpec", "CellBuffers", "CellPhase", "CellProcess", "CellStepContext", "Process",
           "ProcessList", "default_processes"]
