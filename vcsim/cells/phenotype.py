"""Phenotype transitions, death and clearance, and the write-back of a cell's new state.

Generic over cell types: the competing transitions are the type's ``to_<phenotype>``
behaviours, their rates read from its rules table. Per step and cell (every draw keyed by
(seed, step, site, purpose), so the order in which cells are visited does not matter):

1. death from heavy local mineral (live cells): probability ``1 - exp(-r_mineral dt)``,
   draw ``Purpose.MINERAL_DEATH``;
2. competing transitions of a live cell (to each phenotype k with rate ``r_k`` from the table,
   0 for its own phenotype): a move happens with probability ``1 - exp(-sum r_k dt)`` (draw
   ``TRANSITION``) and goes to target k with probability ``r_k / sum r`` (draw
   ``TRANSITION_CHOICE``: the first target whose cumulative rate exceeds ``u sum r``);
3. a cell in the dying phenotype is cleared (site becomes empty) with probability
   ``1 - exp(-r_clearance dt)``, the rate rising with the time since death.

Rates read the cell's *updated* state (this step's intracellular update) and what it sensed.
"""

from __future__ import annotations

import numpy as np

from vcsim.cells.kinetics import probability
from vcsim.cells.rules import behaviour_value
from vcsim.compiled import jit
from vcsim.processes.base import CellBuffers, CellProcess, CellStepContext
from vcsim.rng import Purpose, uniform_at


@jit
def _transition_cells(idx, phenotype, variables, signals, rules, to_behaviour, to_code,
                      b_mineral, b_clearance, alive_lut, dying, key_mineral, key_move, key_choice,
                      dt_h, rates, died):
    for j in range(idx.size):
        i = idx[j]
        code = phenotype[i]
        alive = alive_lut[code]
        v = variables[j]
        s = signals[j]
        # 1. heavy local mineral kills
        p_min = probability(behaviour_value(rules, b_mineral, code, v, s), dt_h)
        killed = alive and uniform_at(key_mineral, i) < p_min
        # 2. competing transitions
        total = 0.0
        for t in range(to_code.size):
            r = 0.0 if code == to_code[t] else behaviour_value(rules, to_behaviour[t], code, v, s)
            rates[t] = r
            total = total + r
        u_move = uniform_at(key_move, i)
        moves = alive and (not killed) and u_move < probability(total, dt_h)
        pick = uniform_at(key_choice, i) * total
        chosen = -1
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
            p_clear = probability(behaviour_value(rules, b_clearance, code, v, s), dt_h)
            if u_move < p_clear:
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
        self.writes = (f"{ct.name}.phenotype", "died")
        if self._b_mineral < 0:
            raise ValueError(f"{ct.name}: the phenotype process needs a mineral_death behaviour")

    def prepare(self, ctx: CellStepContext) -> None:
        ct = ctx.cell_type
        self._args = (ctx.rules, self._to_behaviour, self._to_code, self._b_mineral, self._b_clearance,
                      ct.alive_lut, np.int8(ct.dying_code), ctx.key(Purpose.MINERAL_DEATH),
                      ctx.key(Purpose.TRANSITION), ctx.key(Purpose.TRANSITION_CHOICE), ctx.dt_h)

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
