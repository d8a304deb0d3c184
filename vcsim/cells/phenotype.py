"""Phenotype transitions, death and clearance, and the write-back of a cell's new state.

Generic over cell types: the competing transitions are the type's ``to_<phenotype>``
behaviours, their rates read from its rules table. Per step and cell, every event drawn by
its site's event clock (:mod:`vcsim.cells.clocks`: random time change, thresholds keyed by
(seed, site, channel, draw index), so neither the order in which cells are visited nor the step
size changes a seed's sample):

1. death from heavy local mineral (live cells): channel ``mineral_death`` spends
   ``r_mineral dt``;
2. competing transitions of a live cell not killed (to each phenotype k with rate ``r_k`` from
   the table, 0 for its own phenotype): channel ``transition`` spends ``sum r_k dt``; at its
   event the target is k with probability ``r_k / sum r`` (the first target whose cumulative
   rate exceeds ``u sum r``, ``u`` the event's choice uniform);
3. a cell in the dying phenotype is cleared (site becomes empty): channel ``clearance`` spends
   ``r_clearance dt``, the rate rising with the time since death.

Rates read the cell's *updated* state (this step's intracellular update) and what it sensed.
"""

from __future__ import annotations

import numpy as np

from vcsim.cells.clocks import (
    CLEARANCE,
    MINERAL_DEATH,
    TRANSITION,
    choice_key,
    choice_uniform,
    clock_key,
    fire,
)
from vcsim.cells.rules import behaviour_value
from vcsim.compiled import jit
from vcsim.processes.base import CellBuffers, CellProcess, CellStepContext


@jit
def _transition_cells(idx, phenotype, variables, signals, rules, to_behaviour, to_code,
                      b_mineral, b_clearance, alive_lut, dying, clock, draws, key_clock, key_choice,
                      dt_h, rates, died):
    n_sites = phenotype.size
    for j in range(idx.size):
        i = idx[j]
        code = phenotype[i]
        alive = alive_lut[code]
        v = variables[j]
        s = signals[j]
        # 1. heavy local mineral kills
        killed = False
        if alive:
            r_min = behaviour_value(rules, b_mineral, code, v, s)
            killed = fire(clock, draws, i, MINERAL_DEATH, r_min * dt_h, key_clock, n_sites)
        # 2. competing transitions
        total = 0.0
        for t in range(to_code.size):
            r = 0.0 if code == to_code[t] else behaviour_value(rules, to_behaviour[t], code, v, s)
            rates[t] = r
            total = total + r
        moves = False
        chosen = -1
        if alive and (not killed) and total > 0.0:
            moves = fire(clock, draws, i, TRANSITION, total * dt_h, key_clock, n_sites)
            if moves:
                pick = choice_uniform(key_choice, i, TRANSITION, draws[i, TRANSITION], n_sites) * total
                cumulative = 0.0
                for t in range(to_code.size):
                    cumulative = cumulative + rates[t]
                    if chosen < 0 and pick < cumulative:
                        chosen = to_code[t]
                if chosen < 0:  # round-off guard: a pick on the total goes to the last non-zero rate
                    for t in range(to_code.size):
                        if rates[t] > 0.0:
                            chosen = to_code[t]
        moves = moves and chosen >= 0
        new = chosen if moves else code
        if killed:
            new = dying
        died[j] = killed or (moves and chosen == dying)
        # 3. clearance of dead cells
        if code == dying and dying > 0:
            r_clear = behaviour_value(rules, b_clearance, code, v, s)
            if fire(clock, draws, i, CLEARANCE, r_clear * dt_h, key_clock, n_sites):
                new = 0
        phenotype[i] = new


class PhenotypeTransitions(CellProcess):
    """Death from mineral, competing phenotype transitions and clearance (module docstring)."""

    name = "phenotype"

    def setup(self, model, phase) -> None:
        ct = phase.cell_type
        behaviours = list(ct.behaviours)
        targets = [p for p in ct.phenotypes if f"to_{p.name}" in ct.behaviours]
        self._to_behaviour = np.array([behaviours.index(f"to_{p.name}") for p in targets], dtype=np.int64)
        self._to_code = np.array([p.code for p in targets], dtype=np.int8)
        self._b_mineral = behaviours.index("mineral_death") if "mineral_death" in ct.behaviours else -1
        self._b_clearance = behaviours.index("clearance")
        self._rates = np.zeros(len(targets))
        self.reads = (f"{ct.name}.phenotype", f"{ct.name}.*", "signal.*")
        self.writes = (f"{ct.name}.phenotype", f"{ct.name}.event_clock", "died")
        if self._b_mineral < 0:
            raise ValueError(f"{ct.name}: the phenotype process needs a mineral_death behaviour")

    def prepare(self, ctx: CellStepContext) -> None:
        ct = ctx.cell_type
        self._args = (ctx.rules, self._to_behaviour, self._to_code, self._b_mineral, self._b_clearance,
                      ct.alive_lut, np.int8(ct.dying_code), ctx.population.event_clock,
                      ctx.population.event_draws, clock_key(ctx.model.seed), choice_key(ctx.model.seed), ctx.dt_h)

    def run(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        rates = getattr(buf, "transition_rates", None)
        if rates is None:  # per-thread scratch (the buffers are the thread's own)
            rates = buf.transition_rates = np.zeros(self._rates.size)
        _transition_cells(idx, ctx.population.phenotype, buf.next_matrix, buf.signals_matrix,
                          *self._args, rates, buf.died)


@jit
def _commit_cells(idx, phenotype, died, variables, stored, clock):
    for j in range(idx.size):
        i = idx[j]
        if died[j] and clock >= 0:
            variables[j, clock] = 0.0
        if phenotype[i] == 0:
            for k in range(stored.shape[1]):
                stored[i, k] = 0.0
        else:
            for k in range(stored.shape[1]):
                stored[i, k] = variables[j, k]  # rounded to the stored float32


class Commit(CellProcess):
    """Store the cells' updated state (rounded to float32 once); a cell that died this step
    starts its death clock at 0, a cleared site is emptied."""

    name = "commit"

    def setup(self, model, phase) -> None:
        self.reads = (f"{phase.cell_type.name}.*", "died")
        self.writes = (f"{phase.cell_type.name}.*",)

    def run(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        _commit_cells(idx, ctx.population.phenotype, buf.died, buf.next_matrix, ctx.population.matrix,
                      ctx.cell_type.death_clock_index)

    def initialise(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        self.run(ctx, idx, buf)
