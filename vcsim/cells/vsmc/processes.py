"""The VSMC's cell processes, in the order a cell lives a step.

sensing -> intracellular (UPR, ER Ca2+, mTORC1, autophagy, osteogenic programme) -> phenotype
(death from mineral, competing transitions, clearance; :mod:`vcsim.cells.phenotype`) ->
secretion -> commit (store the new state) -> division_wish (:mod:`vcsim.cells.division`).

Each is a compiled loop over the cells of a chunk that calls the one-cell rule of its module
(:mod:`~vcsim.cells.vsmc.sensing`, :mod:`~vcsim.cells.vsmc.upr`,
:mod:`~vcsim.cells.vsmc.osteogenic`, :mod:`~vcsim.cells.vsmc.secretion`). The update is
synchronous: every new value is computed from the cell's stored row (``state``) into the
chunk's ``next`` buffer, and only the commit writes it back.
"""

from __future__ import annotations

import numpy as np

from vcsim.cells.division import DivisionWish
from vcsim.cells.kinetics import clip
from vcsim.cells.phenotype import Commit, PhenotypeTransitions
from vcsim.cells.rules import behaviour_value
from vcsim.cells.vsmc.osteogenic import update_osteogenic
from vcsim.cells.vsmc.secretion import secrete
from vcsim.cells.vsmc.sensing import sense
from vcsim.cells.vsmc.upr import update_upr
from vcsim.cells.vsmc.variables import VSMC
from vcsim.compiled import jit
from vcsim.processes.base import CellBuffers, CellPhase, CellProcess, CellStepContext
from vcsim.rng import Purpose, uniform_at

SITE_FIELDS = ("phosphate_mM", "calcium_mM", "magnesium_mM", "pyrophosphate_uM", "mineral_hap_mM",
               "hap_saturation_index")
OSTEOGENIC = VSMC.phenotype("osteogenic").code


@jit
def _sense_cells(idx, state, signals, pi, ca, mg, ppi, mineral, si, inputs):
    p = inputs[0]
    for j in range(idx.size):
        i = idx[j]
        sense(state[i], signals[j], pi[i], ca[i], mg[i], ppi[i], mineral[i], si[i], p)


class Sensing(CellProcess):
    """What each cell senses from its site and the systemic inputs (vcsim.cells.vsmc.sensing)."""

    name = "sensing"
    reads = tuple(f"field.{f}" for f in SITE_FIELDS) + ("vsmc.pit1_expression", "vsmc.ros",
                                                       "vsmc.glucose_memory_mM", "input.*")
    writes = ("signal.*",)

    def run(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        f = ctx.flat
        _sense_cells(idx, ctx.population.state, buf.signals, f["phosphate_mM"], f["calcium_mM"],
                     f["magnesium_mM"], f["pyrophosphate_uM"], f["mineral_hap_mM"],
                     f["hap_saturation_index"], ctx.inputs)


@jit
def _update_cells(idx, phenotype, state, stored, signals, nxt, variables, upper, alive_lut,
                  osteogenic, clock, inputs, dt_h):
    p = inputs[0]
    for j in range(idx.size):
        i = idx[j]
        code = phenotype[i]
        for k in range(stored.shape[1]):  # variables without an update carry over
            variables[j, k] = stored[i, k]
        if alive_lut[code]:
            update_upr(state[i], signals[j], nxt[j], code == osteogenic, p, dt_h)
            update_osteogenic(state[i], signals[j], nxt[j], p, dt_h)
            # exact relaxation keeps every variable in range; this only removes round-off
            for k in range(stored.shape[1]):
                variables[j, k] = clip(variables[j, k], upper[k])
            variables[j, clock] = 0.0
        else:
            # a dead cell's state is frozen; its death clock runs
            variables[j, clock] = stored[i, clock] + dt_h


class IntracellularUpdate(CellProcess):
    """ER stress / UPR, ER Ca2+, mTORC1, autophagy and the osteogenic programme of live cells
    (vcsim.cells.vsmc.upr, vcsim.cells.vsmc.osteogenic)."""

    name = "intracellular"
    reads = ("vsmc.*", "signal.*", "input.*")
    writes = ("next.vsmc.*",)

    def run(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        ct = ctx.cell_type
        _update_cells(idx, ctx.population.phenotype, ctx.population.state, ctx.population.matrix,
                      buf.signals, buf.next, buf.next_matrix, ct.upper_bounds, ct.alive_lut, OSTEOGENIC,
                      ct.death_clock_index, ctx.inputs, ctx.dt_h)


@jit
def _secrete_cells(idx, phenotype, died, nxt, signals, variables, signal_m, rules, b_vesicle, b_ppi,
                   b_tnap, b_mgp, alive_lut, osteogenic, key, pore_volume_L, inputs, dt_h,
                   vesicles, inhibition, bodies, ppi, tnap, cmgp, ucmgp):
    p = inputs[0]
    for j in range(idx.size):
        i = idx[j]
        code = phenotype[i]
        v = variables[j]
        s = signal_m[j]
        out = secrete(nxt[j], signals[j], alive_lut[code], code == osteogenic, died[j],
                      behaviour_value(rules, b_vesicle, code, v, s),
                      behaviour_value(rules, b_ppi, code, v, s),
                      behaviour_value(rules, b_tnap, code, v, s),
                      behaviour_value(rules, b_mgp, code, v, s),
                      uniform_at(key, i), pore_volume_L[i if pore_volume_L.size > 1 else 0], p, dt_h)
        vesicles[i] = out[0]
        inhibition[i] = out[1]
        bodies[i] = out[2]
        ppi[i] = out[3]
        tnap[i] = out[4]
        cmgp[i] = out[5]
        ucmgp[i] = out[6]


class Secretion(CellProcess):
    """Matrix vesicles, apoptotic bodies, PPi, TNAP and MGP released into the site
    (vcsim.cells.vsmc.secretion)."""

    name = "secretion"
    reads = ("next.vsmc.*", "vsmc.phenotype", "died", "signal.*", "input.*")
    writes = ("release.*",)

    def setup(self, model, phase) -> None:
        behaviours = list(phase.cell_type.behaviours)
        self._b = tuple(behaviours.index(b) for b in ("vesicle_release", "ppi_secretion",
                                                      "tnap_activity", "mgp_secretion"))
        g = model.geometry
        porosity = float(model.params.porosity_fraction)
        volumes = g.site_volume_L_flat if not g.uniform else g.site_volume_L_flat[:1]
        self._pore_volume_L = np.ascontiguousarray(volumes * porosity)

    def prepare(self, ctx: CellStepContext) -> None:
        r = ctx.release
        self._args = (ctx.rules, *self._b, ctx.cell_type.alive_lut, OSTEOGENIC, ctx.key(Purpose.VESICLE),
                      self._pore_volume_L, ctx.inputs, ctx.dt_h, r["vesicles_count"],
                      r["vesicle_inhibition_fraction"], r["apoptotic_bodies_count"], r["ppi_release_uM"],
                      r["tnap_activity_uM_per_h"], r["cmgp_release_nM"], r["ucmgp_release_nM"])

    def run(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        _secrete_cells(idx, ctx.population.phenotype, buf.died, buf.next, buf.signals, buf.next_matrix,
                       buf.signals_matrix, *self._args)


def vsmc_processes() -> list[CellProcess]:
    """The VSMC cell processes in step order (module docstring)."""
    return [Sensing(), IntracellularUpdate(), PhenotypeTransitions(), Secretion(), Commit(),
            DivisionWish()]


def vsmc_phase() -> CellPhase:
    """The VSMC cell phase with its default cell processes."""
    return CellPhase(VSMC, vsmc_processes())
