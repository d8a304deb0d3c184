"""The VSMC's cell processes, in the order a cell lives a step.

sensing -> intracellular (UPR, ER Ca2+, mTORC1, autophagy, osteogenic programme) -> phenotype
(death from mineral, competing transitions, clearance; :mod:`vcsim.cells.phenotype`) ->
secretion -> ions (the cell's phosphate and ER calcium exchanged with its site's fluid;
:mod:`vcsim.cells.vsmc.ions`) -> commit (store the new state) -> division_wish
(:mod:`vcsim.cells.division`).

Each is a compiled loop over the cells of a chunk that calls the one-cell rule of its module
(:mod:`~vcsim.cells.vsmc.sensing`, :mod:`~vcsim.cells.vsmc.upr`,
:mod:`~vcsim.cells.vsmc.osteogenic`, :mod:`~vcsim.cells.vsmc.secretion`). The update is
synchronous: every new value is computed from the cell's stored row (``state``) into the
chunk's ``next`` buffer, and only the commit writes it back.
"""

from __future__ import annotations

import numpy as np

from vcsim.cells.clocks import VESICLE, clock_key, count_events
from vcsim.cells.division import DivisionWish
from vcsim.cells.kinetics import clip
from vcsim.cells.phenotype import Commit, PhenotypeTransitions
from vcsim.cells.rules import behaviour_value
from vcsim.cells.vsmc.ions import exchange_ions, initial_phosphate_pool_amol
from vcsim.cells.vsmc.osteogenic import update_osteogenic
from vcsim.cells.vsmc.secretion import secrete
from vcsim.cells.vsmc.sensing import sense
from vcsim.cells.vsmc.upr import update_upr
from vcsim.cells.vsmc.variables import VSMC
from vcsim.compiled import jit
from vcsim.processes.base import CellBuffers, CellPhase, CellProcess, CellStepContext

SITE_FIELDS = ("phosphate_mM", "calcium_mM", "magnesium_mM", "pyrophosphate_uM", "mineral_hap_mM",
               "hap_saturation_index")
OSTEOGENIC = VSMC.phenotype("osteogenic").code


@jit
def _sense_cells(idx, state, signals, pi, ca, mg, ppi, mineral, si, pore_volume_L, inputs):
    p = inputs[0]
    for j in range(idx.size):
        i = idx[j]
        sense(state[i], signals[j], pi[i], ca[i], mg[i], ppi[i], mineral[i], si[i],
              pore_volume_L[i if pore_volume_L.size > 1 else 0], p)


class Sensing(CellProcess):
    """What each cell senses from its site and the systemic inputs (vcsim.cells.vsmc.sensing)."""

    name = "sensing"
    reads = tuple(f"field.{f}" for f in SITE_FIELDS) + ("vsmc.pit1_expression", "vsmc.ros",
                                                       "vsmc.glucose_memory_mM", "input.*")
    writes = ("signal.*",)

    def setup(self, model, phase) -> None:
        g = model.geometry
        volumes = g.site_volume_L_flat if not g.uniform else g.site_volume_L_flat[:1]
        self._pore_volume_L = np.ascontiguousarray(volumes * float(model.params.porosity_fraction))

    def run(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        f = ctx.flat
        _sense_cells(idx, ctx.population.state, buf.signals, f["phosphate_mM"], f["calcium_mM"],
                     f["magnesium_mM"], f["pyrophosphate_uM"], f["mineral_hap_mM"],
                     f["hap_saturation_index"], self._pore_volume_L, ctx.inputs)

    def initialise(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        self.run(ctx, idx, buf)


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
def _secrete_cells(idx, phenotype, died, nxt, signals, variables, signal_m, expected, rules, b_vesicle,
                   b_ppi, b_tnap, b_mgp, alive_lut, osteogenic, clock, draws, key, inputs, dt_h,
                   vesicles, inhibition, bodies, ppi, tnap, cmgp, ucmgp):
    p = inputs[0]
    n_sites = phenotype.size
    for j in range(idx.size):
        i = idx[j]
        code = phenotype[i]
        v = variables[j]
        s = signal_m[j]
        rate = behaviour_value(rules, b_vesicle, code, v, s)
        count = -1.0
        if not expected and alive_lut[code]:
            count = count_events(clock, draws, i, VESICLE, max(rate, 0.0) * dt_h, key, n_sites)
        out = secrete(nxt[j], signals[j], alive_lut[code], code == osteogenic, died[j], rate,
                      behaviour_value(rules, b_ppi, code, v, s),
                      behaviour_value(rules, b_tnap, code, v, s),
                      behaviour_value(rules, b_mgp, code, v, s), count, p, dt_h)
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
    reads = ("next.vsmc.*", "vsmc.phenotype", "vsmc.event_clock", "died", "signal.*", "input.*")
    writes = ("release.*", "vsmc.event_clock")

    def setup(self, model, phase) -> None:
        behaviours = list(phase.cell_type.behaviours)
        self._b = tuple(behaviours.index(b) for b in ("vesicle_release", "ppi_secretion",
                                                      "tnap_activity", "mgp_secretion"))

    def prepare(self, ctx: CellStepContext) -> None:
        r = ctx.release
        self._args = (ctx.rules, *self._b, ctx.cell_type.alive_lut, OSTEOGENIC, ctx.population.event_clock,
                      ctx.population.event_draws, clock_key(ctx.model.seed),
                      ctx.inputs, ctx.dt_h, r["vesicles_count"], r["vesicle_inhibition_fraction"],
                      r["apoptotic_bodies_count"], r["ppi_release_amol"], r["tnap_activity_uM_per_h"],
                      r["cmgp_release_nM"], r["ucmgp_release_nM"])

    def run(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        _secrete_cells(idx, ctx.population.phenotype, buf.died, buf.next, buf.signals, buf.next_matrix,
                       buf.signals_matrix, False, *self._args)

    def initialise(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        """Expected releases of one step (no random vesicle count): what the run's starting
        steady state is built from (:meth:`vcsim.processes.releases.Releases.initialise`)."""
        _secrete_cells(idx, ctx.population.phenotype, buf.died, buf.next, buf.signals, buf.next_matrix,
                       buf.signals_matrix, True, *self._args)


@jit
def _exchange_cells(idx, phenotype, state, nxt, signals, died, alive_lut, inputs, dt_h, ppi,
                    phosphate, calcium):
    p = inputs[0]
    for j in range(idx.size):
        i = idx[j]
        out = exchange_ions(state[i], nxt[j], signals[j], alive_lut[phenotype[i]], died[j], ppi[i], p, dt_h)
        ppi[i] = out[0]
        phosphate[i] = out[1]
        calcium[i] = out[2]


@jit
def _initial_pools(idx, phenotype, nxt, signals, alive_lut, inputs, dt_h, ppi, phosphate):
    p = inputs[0]
    for j in range(idx.size):
        i = idx[j]
        if alive_lut[phenotype[i]]:
            nxt[j].phosphate_pool_amol = initial_phosphate_pool_amol(signals[j], ppi[i] / dt_h, p)
            # at steady state the pool's P that leaves as PPi is replaced from the fluid
            phosphate[i] = -2.0 * ppi[i]


class IonExchange(CellProcess):
    """The cell's phosphate pool and ER calcium exchanged with its site's pore fluid; a cell
    that died returns what it held (vcsim.cells.vsmc.ions)."""

    name = "ions"
    reads = ("vsmc.phosphate_pool_amol", "vsmc.er_calcium_fraction", "next.vsmc.er_calcium_fraction",
             "vsmc.phenotype", "died", "signal.phosphate_uptake_nmol_per_mg_per_h", "release.ppi_release_amol")
    writes = ("next.vsmc.phosphate_pool_amol", "next.vsmc.er_calcium_fraction", "release.ppi_release_amol",
              "release.phosphate_to_fluid_amol", "release.calcium_to_fluid_amol")
    parameters = ("phosphate_efflux_rate_per_h", "protein_per_cell_ng")

    def prepare(self, ctx: CellStepContext) -> None:
        r = ctx.release
        self._out = (r["ppi_release_amol"], r["phosphate_to_fluid_amol"], r["calcium_to_fluid_amol"])

    def run(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        _exchange_cells(idx, ctx.population.phenotype, ctx.population.state, buf.next, buf.signals, buf.died,
                        ctx.cell_type.alive_lut, ctx.inputs, ctx.dt_h, *self._out)

    def initialise(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        """Cells start with their quasi-steady phosphate pool (their ER store is at its steady
        state already, :mod:`vcsim.cells.vsmc.steady_state`); the fluid's steady state is
        found with the Pi uptake that feeds their PPi export."""
        _initial_pools(idx, ctx.population.phenotype, buf.next, buf.signals, ctx.cell_type.alive_lut,
                       ctx.inputs, ctx.dt_h, self._out[0], self._out[1])


def vsmc_processes() -> list[CellProcess]:
    """The VSMC cell processes in step order (module docstring)."""
    return [Sensing(), IntracellularUpdate(), PhenotypeTransitions(), Secretion(), IonExchange(), Commit(),
            DivisionWish()]


def vsmc_phase() -> CellPhase:
    """The VSMC cell phase with its default cell processes."""
    return CellPhase(VSMC, vsmc_processes())
