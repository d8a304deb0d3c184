"""What a VSMC's own calcium and phosphate exchange with its site's pore fluid each step.

A cell holds two amounts the wall's ledger counts (extensive variables, shared between the
daughters at division):

- **Phosphate** ``X`` (``phosphate_pool_amol``, amol P): filled by Pit-1 uptake ``J_in``
  (:func:`vcsim.cells.vsmc.sensing.phosphate_uptake`, nmol/mg protein/h x the cell's protein),
  emptied by XPR1 efflux ``k_out X`` and by the P of the PPi the cell exports (ENPP1 makes PPi
  from the ATP the cell releases: 2 P per PPi). Efflux balances influx within minutes
  (Jennings 2023, Front Pharmacol 14:1163442: PiT influx balanced by XPR1 efflux; Giovannini
  et al. 2013, Cell Rep 3:1866), far below the step, so the pool is quasi-steady::

      X* = (J_in - 2 J_PPi) / k_out                         [amol P]

  with the PPi export capped at what influx and pool can supply over the step
  (``2 J_PPi dt <= X + J_in dt``). The fluid gains ``-(X' - X) - 2 PPi`` of Pi over the step,
  and the PPi itself (a separate fluid source): phosphorus is conserved exactly.
- **ER calcium** ``Q f`` (``er_calcium_fraction`` x the full store's calcium,
  :func:`vcsim.cells.vsmc.calcium.store_capacity_amol`): the store takes its calcium from the
  site's fluid and gives it back (:mod:`vcsim.cells.vsmc.calcium`), so the fluid gains
  ``-Q (f' - f)``.

A cell that dies this step returns everything it held to its site's fluid (membranes of dying
cells leak; apoptotic bodies that carry calcium are not tracked as a separate pool), and its
amounts become 0. Amounts are rounded to the stored float32 before the exchange is taken, so the
cell pools in the ledger and the fluid's gains agree to round-off of float64 sums.
"""

from __future__ import annotations

import numpy as np

from vcsim.cells.vsmc.calcium import store_capacity_amol
from vcsim.compiled import jit

#: amol per (nmol/mg/h x ng protein x h): 1 nmol = 1e9 amol, 1 ng = 1e-6 mg
AMOL_PER_NMOL_MG_NG = 1.0e3


@jit
def phosphate_influx_amol_per_h(uptake_nmol_per_mg_per_h, p):
    """``J_in`` (amol P / h per cell) = uptake (nmol/mg/h) x protein per cell (ng) x 1e3."""
    return uptake_nmol_per_mg_per_h * p.protein_per_cell_ng * AMOL_PER_NMOL_MG_NG


@jit
def phosphate_pool_steady_amol(influx_amol_per_h, ppi_phosphorus_amol_per_h, p):
    """``X* = max(J_in - J_P,PPi, 0) / k_out`` (amol P), module docstring."""
    net = influx_amol_per_h - ppi_phosphorus_amol_per_h
    return (net if net > 0.0 else 0.0) / p.phosphate_efflux_rate_per_h


@jit
def exchange_ions(c, n, s, viable, died, ppi_amol, p, dt_h):
    """One cell's exchange with its site's fluid over the step (module docstring).

    ``c``: the cell's stored state at the start of the step, ``n``: its new state (written:
    the pool and the store rounded to float32; both 0 if the cell died), ``s``: what it
    sensed. ``ppi_amol``: the PPi secretion made this step. Returns ``(ppi_amol,
    phosphate_to_fluid_amol, calcium_to_fluid_amol)``: the PPi exported (capped by the P the
    cell can supply) and the net Pi and Ca the fluid gains (negative: taken up).
    """
    q = store_capacity_amol(p)
    x0 = c.phosphate_pool_amol
    f0 = c.er_calcium_fraction
    if died:
        n.phosphate_pool_amol = 0.0
        n.er_calcium_fraction = 0.0
        return 0.0, x0, q * f0
    if not viable:
        return 0.0, 0.0, 0.0
    influx = phosphate_influx_amol_per_h(s.phosphate_uptake_nmol_per_mg_per_h, p)
    supply = x0 + influx * dt_h
    ppi = ppi_amol if 2.0 * ppi_amol <= supply else 0.5 * supply
    x1 = np.float64(np.float32(phosphate_pool_steady_amol(influx, 2.0 * ppi / dt_h, p)))
    f1 = np.float64(np.float32(n.er_calcium_fraction))
    n.phosphate_pool_amol = x1
    n.er_calcium_fraction = f1
    return ppi, -(x1 - x0) - 2.0 * ppi, -q * (f1 - f0)


@jit
def initial_phosphate_pool_amol(s, ppi_amol_per_h, p):
    """The quasi-steady pool of a cell that has sensed ``s`` and exports ``ppi_amol_per_h``
    (the start of a run: cells begin at their steady state)."""
    influx = phosphate_influx_amol_per_h(s.phosphate_uptake_nmol_per_mg_per_h, p)
    ppi = ppi_amol_per_h if 2.0 * ppi_amol_per_h <= influx else 0.5 * influx
    return np.float64(np.float32(phosphate_pool_steady_amol(influx, 2.0 * ppi, p)))
