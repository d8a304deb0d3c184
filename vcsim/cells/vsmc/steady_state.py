"""The quiescent state VSMCs start in: the steady state of the cell model under healthy inputs.

Found by running the cell model itself (sensing and the intracellular update of a contractile
cell, no phenotype changes) from a rough start until it settles, under the healthy reference:
the systemic defaults (normal serum, 5.5 mM glucose, TNF-a 2 pg/mL, no drugs) with the run's
genotype (knock-downs), and a site at serum values. Cached per set of cell parameters (groups
``cells`` and ``cell_ions``) and knock-downs.

The ER store in it is the quasi-steady filling of the cell's own Ca2+ balance
(:func:`vcsim.cells.vsmc.calcium.quasi_steady_store`) at the settled GRP78 sequestration and ROS
signal, with serum Ca as the fluid Ca and cytosolic free Mg2+ at its target for serum Mg: the
settling runs the same :func:`vcsim.cells.vsmc.upr.update_upr` as the model, whose store update
ends on that filling (``tests/test_cells_calcium.py`` checks both).

Each cell then gets a fixed osteogenic plasticity ``exp(sigma z)``, z standard normal keyed by
(seed, step 0, site, INITIAL_STATE): VSMC heterogeneity in osteogenic responsiveness.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from vcsim.cells.kinetics import clip
from vcsim.cells.population import CellPopulation
from vcsim.cells.vsmc.calcium import cytosol_magnesium_target_mM
from vcsim.cells.vsmc.osteogenic import update_osteogenic
from vcsim.cells.vsmc.sensing import sense, slab_pore_volume_L
from vcsim.cells.vsmc.upr import update_upr
from vcsim.cells.vsmc.variables import VSMC
from vcsim.compiled import as_matrix, jit
from vcsim.rng import Purpose, normal

#: h per iteration: small enough that the fast negative-feedback loops settle without ringing
_DT_H = 2.0
_MAX_ITER = 5000
_TOL = 1e-13


@jit
def _settle(rows, rows_m, signals, work, work_m, upper, site, inputs, dt_h, max_iter, tol):
    p = inputs[0]
    for _ in range(max_iter):
        sense(rows[0], signals[0], site[0], site[1], site[2], site[3], 0.0, 0.0, slab_pore_volume_L(p), p)
        for k in range(rows_m.shape[1]):
            work_m[0, k] = rows_m[0, k]
        update_upr(rows[0], signals[0], work[0], False, p, dt_h)
        update_osteogenic(rows[0], signals[0], work[0], p, dt_h)
        change = 0.0
        for k in range(rows_m.shape[1]):
            v = clip(work_m[0, k], upper[k])
            change = max(change, abs(v - rows_m[0, k]))
            rows_m[0, k] = v
        if change < tol:
            return


def _reference(params: Mapping[str, Any]) -> dict[str, Any]:
    from vcsim.params import interventions, systemic

    ref: dict[str, Any] = {p.name: p.default for p in (*systemic.PARAMS, *interventions.PARAMS)}
    for name in ref:
        if name.endswith("_knockdown_fraction") and name in params:
            ref[name] = params[name]
    return ref


def _cell_param_key(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    from vcsim.params import cell_ions
    from vcsim.params import cells as cell_params

    names = [p.name for p in (*cell_params.PARAMS, *cell_ions.PARAMS)]
    names += [k for k in params if k.endswith("_knockdown_fraction")]
    return tuple((k, params[k]) for k in sorted(names))


@lru_cache(maxsize=32)
def _steady_state(key: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, float], ...]:
    from vcsim.params import default_parameters
    from vcsim.params.record import InputRecord

    values = dict(key)
    ref = _reference(values)
    params = default_parameters()
    record = InputRecord(params.schema, {**params.to_dict(), **values, **ref})
    rows = np.zeros(1, dtype=VSMC.work_dtype)
    # cytosolic Mg2+ starts at its target (it relaxes slowly, tau ~12 h, and depends on nothing
    # else); the store's start is irrelevant (it relaxes in minutes)
    mg_cyt = cytosol_magnesium_target_mM(ref["serum_magnesium_mM"], record.record)
    for name, v0 in (("grp78", values["grp78_basal_fraction"]), ("er_calcium_fraction", 1.0),
                     ("cytosol_magnesium_mM", mg_cyt),
                     ("mtorc1", 0.5), ("contractile_markers", 1.0), ("enpp1", 1.0),
                     ("mgp_carboxylated_fraction", 0.8), ("pit1_expression", 1.0),
                     ("osteogenic_plasticity", 1.0), ("glucose_memory_mM", ref["glucose_mM"])):
        rows[name] = v0
    work = np.zeros(1, dtype=VSMC.work_dtype)
    signals = np.zeros(1, dtype=VSMC.signal_dtype)
    site = np.array([ref["serum_phosphate_mM"], ref["serum_calcium_mM"], ref["serum_magnesium_mM"],
                     ref["serum_ppi_uM"]])
    _settle(rows, as_matrix(rows), signals, work, as_matrix(work), VSMC.upper_bounds, site,
            record.array, _DT_H, _MAX_ITER, _TOL)
    return tuple((name, float(rows[name][0])) for name in VSMC.variable_names)


def quiescent_steady_state(params: Mapping[str, Any]) -> dict[str, float]:
    """Intracellular steady state of a contractile cell under healthy reference inputs
    (module docstring)."""
    return dict(_steady_state(_cell_param_key(params)))


def new_population(n_sites: int, occupied: np.ndarray, params: Mapping[str, Any], seed: int = 0) -> CellPopulation:
    """VSMCs in their quiescent contractile state on every ``occupied`` site, others empty."""
    occupied = np.asarray(occupied, dtype=bool)
    if occupied.shape != (n_sites,):
        raise ValueError(f"occupied has shape {occupied.shape}, expected ({n_sites},)")
    pop = CellPopulation(VSMC, n_sites, seed=seed)
    sites = np.flatnonzero(occupied)
    pop.phenotype[sites] = VSMC.phenotype("contractile").code
    for name, v in quiescent_steady_state(params).items():
        pop.state[name][sites] = v
    sigma = float(params["osteogenic_plasticity_lognormal_sigma"])
    z = normal(seed, 0, sites, Purpose.INITIAL_STATE)
    pop.state["osteogenic_plasticity"][sites] = np.exp(sigma * z)
    pop.state["time_since_death_h"][sites] = 0.0
    pop.phenotype_before[:] = pop.phenotype
    return pop
