"""Cell division: who wants to divide (per cell, from the rules table) and where the daughters
go (over the lattice, after every cell has stepped).

1. :class:`DivisionWish` (a cell process, after the cell's state is stored): a live cell
   divides when its site's ``division`` event clock runs out (:mod:`vcsim.cells.clocks`: it
   spends ``r_division dt`` per step); the rate comes from the rules table (mTORC1-driven,
   inhibited by local mineral; in vivo rows for the quiescent media).
2. :class:`Divisions` (a process of the step): each dividing cell picks one empty neighbour
   that can hold a cell and is not heavily mineralised (von Neumann neighbours of the geometry,
   draw ``DIVISION_TARGET`` keyed by its site). When several pick the same site, the one with
   the smallest draw wins (ties: lowest site index): a deterministic rule that does not depend
   on the order cells were visited. Contact inhibition is the model's: a daughter only goes
   into an empty site. A daughter inherits its parent's phenotype and whole intracellular
   state (the cytoplasm it is made of), with its death clock at 0, and fresh event
   thresholds from its new site's sequences.
"""

from __future__ import annotations

import numpy as np

from vcsim.cells.clocks import DIVISION, choice_key, choice_uniform, clock_key, fire
from vcsim.cells.rules import behaviour_value
from vcsim.chemistry.phases import HAP_CALCIUM
from vcsim.compiled import jit
from vcsim.processes.base import BufferSpec, CellBuffers, CellProcess, CellStepContext, Process


@jit
def _division_cells(idx, phenotype, stored, signals, rules, b_division, alive_lut, clock, draws, key,
                    dt_h, wish):
    n_sites = phenotype.size
    for j in range(idx.size):
        i = idx[j]
        code = phenotype[i]
        if not alive_lut[code]:
            wish[i] = False
            continue
        rate = behaviour_value(rules, b_division, code, stored[i], signals[j])
        wish[i] = fire(clock, draws, i, DIVISION, rate * dt_h, key, n_sites)


@jit
def _target_uniforms(parents, draws, key, n_sites, out):
    for j in range(parents.size):
        out[j] = choice_uniform(key, parents[j], DIVISION, draws[parents[j], DIVISION], n_sites)


class DivisionWish(CellProcess):
    """Whether each live cell divides this step (module docstring, 1)."""

    name = "division_wish"

    def setup(self, model, phase) -> None:
        ct = phase.cell_type
        self._b = list(ct.behaviours).index("division")
        self.reads = (f"{ct.name}.*", "signal.*")
        self.writes = (f"division_wish.{ct.name}", f"{ct.name}.event_clock")

    def prepare(self, ctx: CellStepContext) -> None:
        self._args = (ctx.rules, self._b, ctx.cell_type.alive_lut, ctx.population.event_clock,
                      ctx.population.event_draws, clock_key(ctx.model.seed), ctx.dt_h,
                      ctx.model.buffers[f"division_wish_{ctx.cell_type.name}"])

    def run(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        _division_cells(idx, ctx.population.phenotype, ctx.population.matrix, buf.signals_matrix,
                        *self._args)


class Divisions(Process):
    """Daughters of dividing cells into empty neighbouring sites (module docstring, 2)."""

    parameters = ("calcified_threshold_mmol_per_L",)

    def __init__(self, cell_type_name: str = "vsmc"):
        self.cell_type_name = cell_type_name
        self.name = f"{cell_type_name}_divisions"
        self.reads = (f"division_wish.{cell_type_name}", f"{cell_type_name}.phenotype",
                      "field.mineral_hap_mM")
        self.writes = (f"{cell_type_name}.*",)
        self.buffers = (BufferSpec(f"division_wish_{cell_type_name}", "bool",
                                   f"{cell_type_name} cells that divide this step", np.bool_),)

    def setup(self, model) -> None:
        g = model.geometry
        self._neighbours = g.neighbours(np.arange(g.n_sites))
        self._cell_sites = g.cell_sites.reshape(-1)

    def step(self, model) -> None:
        wish = model.buffers[f"division_wish_{self.cell_type_name}"]
        parents = np.flatnonzero(wish)
        wish[:] = False
        if parents.size == 0:
            return
        pop = model.populations[self.cell_type_name]
        ph = pop.phenotype
        mineral_ca = HAP_CALCIUM * model.lattice.fields["mineral_hap_mM"].reshape(-1)
        nb = self._neighbours[parents]  # (k, 4), -1 off the grid
        valid = nb >= 0
        nbc = np.where(valid, nb, 0)
        free = valid & (ph[nbc] == 0) & self._cell_sites[nbc] & (
            mineral_ca[nbc] < model.params.calcified_threshold_mmol_per_L)
        n_free = free.sum(axis=1)
        has = n_free > 0
        parents, nb, free, n_free = parents[has], nb[has], free[has], n_free[has]
        if parents.size == 0:
            return
        u = np.empty(parents.size)
        _target_uniforms(parents.astype(np.int64), pop.event_draws, choice_key(model.seed), pop.n_sites, u)
        pick = np.minimum((u * n_free).astype(np.intp), n_free - 1)
        # index of the pick-th free neighbour in each row
        rank = np.cumsum(free, axis=1) - 1
        chosen_col = np.argmax(free & (rank == pick[:, None]), axis=1)
        targets = nb[np.arange(len(parents)), chosen_col]
        order = np.lexsort((parents, u, targets))
        targets, parents = targets[order], parents[order]
        first = np.ones(len(targets), dtype=bool)
        first[1:] = targets[1:] != targets[:-1]
        place_daughters(pop, parents[first], targets[first])


def place_daughters(population, parent_idx: np.ndarray, child_idx: np.ndarray) -> None:
    """Put the daughters of the cells at ``parent_idx`` into the sites ``child_idx``: the
    parent's phenotype and state, the death clock at 0, and half of every amount the parent
    held (its extensive variables: phosphate, ER calcium), so that division creates no mass."""
    parent_idx = np.asarray(parent_idx, dtype=np.intp)
    child_idx = np.asarray(child_idx, dtype=np.intp)
    population.phenotype[child_idx] = population.phenotype[parent_idx]
    for name in population.cell_type.extensive_names:
        population.state[name][parent_idx] *= np.float32(0.5)  # exact in binary floating point
    population.state[child_idx] = population.state[parent_idx]
    clock = population.cell_type.death_clock
    if clock:
        population.state[clock][child_idx] = 0.0
    population.renew_clocks(child_idx)
