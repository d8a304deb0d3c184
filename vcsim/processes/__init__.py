"""Processes: the mechanisms a step is made of.

:mod:`vcsim.processes.base` is the machinery (:class:`Process`, :class:`CellProcess`,
:class:`CellPhase`, :class:`ProcessList`); the other modules here are the lattice processes, one
per mechanism; :mod:`vcsim.step` puts them in order.
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

__all__ = ["BufferSpec", "CellBuffers", "CellPhase", "CellProcess", "CellStepContext", "Process",
           "ProcessList"]
