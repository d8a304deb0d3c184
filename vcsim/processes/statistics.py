"""The step's outputs: every quantity of the output registry, computed once at the end of the
step (the DataCollector, timeseries.csv, sweeps, figures and the viz read them from here),
with the clock and the calcium and phosphorus ledger of the wall."""

from __future__ import annotations

from typing import Any

from vcsim.ledger import ACCOUNTS, cell_totals_umol, wall_totals_umol
from vcsim.outputs.registry import NON_NEGATIVE, Output, OutputGroup
from vcsim.processes.base import Process


class Statistics(Process):
    """Compute every registered output of the state after this step."""

    name = "statistics"
    reads = ("*",)
    writes = ("outputs",)

    def step(self, model: Any) -> None:
        model.refresh_stats()

    def outputs(self, model: Any) -> list:
        clock = [Output("time_h", "h", "time at the end of the step", "time", "time", source=self.name),
                 Output("day", "d", "time at the end of the step", "day", "time", source=self.name)]

        def time(m: Any) -> dict[str, float]:
            t = m.steps * m.dt_h
            return {"time_h": t, "day": t / 24.0}

        ledger = [
            Output("total_calcium_umol", "umol", "calcium in the wall: pore fluid, mineral and cells",
                   "total Ca", "ledger", domain=NON_NEGATIVE, source=self.name),
            Output("total_phosphorus_umol", "umol", "phosphorus in the wall: Pi and PPi of the fluid, mineral, cells",
                   "total P", "ledger", domain=NON_NEGATIVE, source=self.name),
            Output("cell_calcium_umol", "umol", "calcium the cells hold (their ER stores)", "cell Ca",
                   "ledger", domain=NON_NEGATIVE, source=self.name),
            Output("cell_phosphorus_umol", "umol", "phosphorus the cells hold (their phosphate pools)",
                   "cell P", "ledger", domain=NON_NEGATIVE, source=self.name),
            Output("boundary_calcium_in_umol", "umol", "calcium that entered through the boundaries since the start",
                   "Ca in through boundaries", "ledger", source=self.name),
            Output("boundary_phosphorus_in_umol", "umol",
                   "phosphorus that entered through the boundaries since the start",
                   "P in through boundaries", "ledger", source=self.name),
            Output("cell_phosphorus_released_umol", "umol",
                   "net phosphorus the cells gave their sites' fluid since the start (PPi and Pi, less uptake)",
                   "P from cells to fluid", "ledger", source=self.name),
            Output("cell_calcium_released_umol", "umol",
                   "net calcium the cells gave their sites' fluid since the start (less uptake)",
                   "Ca from cells to fluid", "ledger", source=self.name),
        ]

        def balance(m: Any) -> dict[str, float]:
            t, c = wall_totals_umol(m), cell_totals_umol(m)
            out = {"total_calcium_umol": t["calcium_umol"], "total_phosphorus_umol": t["phosphorus_umol"],
                   "cell_calcium_umol": c["calcium_umol"], "cell_phosphorus_umol": c["phosphorus_umol"]}
            out.update({a: m.ledger[a] for a in ACCOUNTS})
            return out

        return [OutputGroup(clock, time, self.name), OutputGroup(ledger, balance, self.name)]
