"""The log of phenotype transitions of a cell type: every site whose code changed this step
(deaths, switches, clearance, daughters of divisions), with the codes before and after."""

from __future__ import annotations

from typing import Any

import numpy as np

from vcsim.eventlog import TransitionLog
from vcsim.processes.base import Process


class TransitionRecorder(Process):
    """Append this step's phenotype changes of one cell type to its transition log."""

    def __init__(self, cell_type_name: str = "vsmc"):
        self.cell_type_name = cell_type_name
        self.name = f"{cell_type_name}_transitions"
        self.reads = (f"{cell_type_name}.phenotype",)
        self.writes = (f"log.{cell_type_name}_transitions",)
        self.log: TransitionLog | None = None

    def setup(self, model: Any) -> None:
        self.log = TransitionLog(model.populations[self.cell_type_name].cell_type.code_names)

    def step(self, model: Any) -> None:
        pop = model.populations[self.cell_type_name]
        changed = np.flatnonzero(pop.phenotype_before != pop.phenotype)
        if changed.size:
            rows, cols = np.divmod(changed, model.geometry.cols)
            self.log.append(model.time_h, model.steps, rows, cols, pop.phenotype_before[changed],
                            pop.phenotype[changed])

    def get_state(self) -> dict[str, Any]:
        return {"log": self.log.to_array()}

    def set_state(self, state: dict[str, Any]) -> None:
        self.log = TransitionLog.from_array(np.asarray(state["log"]), self.log.code_names)
