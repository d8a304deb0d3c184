"""One step of a cell's life, and the quiescent state cells start in.

:func:`advance` runs, for the cells at sites ``idx`` only:
sense -> intracellular update (UPR, ER Ca2+, mTORC1, autophagy, osteogenic programme) ->
phenotype transition (death from mineral, competing transitions, clearance of apoptotic cells)
-> secretion. It is synchronous: every target is computed from the cell's own old row and every
random draw is keyed by (seed, step, site, purpose), so one call with all cells and one call per
cell in any order give the same result to the bit.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from vcsim import kernels
from vcsim.cells.osteogenic import update_osteogenic
from vcsim.cells.phenotype import rule_signals, transition
from vcsim.cells.rules import RulesTable
from vcsim.cells.secretion import CellRelease, secrete
from vcsim.cells.signals import SiteInputs, sense
from vcsim.cells.state import CellState, Phenotype, viable_mask
from vcsim.cells.upr import update_upr
from vcsim.rng import Purpose, normal

#: cells per chunk in :func:`advance` (~70 float64 temporaries of this length are live at once:
#: 64k cells keep them near 40 MB whatever the lattice size)
CHUNK_CELLS = 65536

#: state variables that are not fractions in [0, 1] (they are only kept >= 0)
NON_FRACTIONS = frozenset({"unfolded_load", "ros", "glucose_memory_mM", "pit1_expression",
                           "osteogenic_plasticity", "time_since_death_h"})


def _bounded(name: str, x: np.ndarray) -> np.ndarray:
    # exact relaxation keeps every variable in range; this only removes round-off.
    # In place: ``x`` is a fresh float64 temporary of the update.
    if kernels.usable(x):
        return kernels.clip_inplace(x, upper=name not in NON_FRACTIONS)
    if name in NON_FRACTIONS:
        return np.maximum(x, 0.0, out=x)
    np.maximum(x, 0.0, out=x)
    return np.minimum(x, 1.0, out=x)


def update_intracellular(rows: Mapping[str, np.ndarray], sig: Mapping[str, np.ndarray], phenotype: np.ndarray,
                         systemic: Mapping[str, Any], params: Mapping[str, Any], dt_h: float) -> dict[str, np.ndarray]:
    """New values of every dynamic variable of viable cells (targets from the old rows)."""
    new = update_upr(rows, sig, phenotype, systemic, params, dt_h)
    new.update(update_osteogenic(rows, sig, systemic, params, dt_h))
    return {name: _bounded(name, v) for name, v in new.items()}


def advance(state: CellState, idx: np.ndarray, site: SiteInputs, systemic: Mapping[str, Any],
            params: Mapping[str, Any], rules: RulesTable, dt_h: float, seed: int, step: int,
            release: CellRelease) -> None:
    """Advance the cells at sites ``idx`` by ``dt_h`` hours, in place (see the module docstring).

    ``site`` is index-aligned with ``idx``; EMPTY sites in ``idx`` are left untouched. Writes
    ``state[idx]`` and ``release[idx]`` (the model zeroes ``release`` each step).
    """
    idx = np.asarray(idx, dtype=np.intp)
    if idx.size > CHUNK_CELLS:
        # every cell reads only its own row: chunks give the same bits and bound the memory
        for start in range(0, idx.size, CHUNK_CELLS):
            sel = slice(start, start + CHUNK_CELLS)
            advance(state, idx[sel], site.take(sel), systemic, params, rules, dt_h, seed, step,
                    release)
        return
    if idx.size == 0:
        return
    ph = state.phenotype[idx]
    occupied = ph != Phenotype.EMPTY
    if not occupied.all():
        sel = np.flatnonzero(occupied)
        idx, ph, site = idx[sel], ph[sel], site.take(sel)
        if idx.size == 0:
            return

    rows = state.rows(idx)
    sig = sense(rows, site, systemic, params)
    alive = viable_mask(ph)
    new = update_intracellular(rows, sig, ph, systemic, params, dt_h)
    cur = dict(rows)
    all_alive = bool(alive.all())
    dead = None if all_alive else ~alive
    for name, v in new.items():
        if dead is not None:
            np.copyto(v, rows[name], where=dead)  # an apoptotic cell's state is frozen
        cur[name] = v
    cur["time_since_death_h"] = (np.zeros(idx.size) if all_alive
                                 else np.where(alive, 0.0, rows["time_since_death_h"] + dt_h))

    signals = rule_signals(cur, sig)
    new_ph, died = transition(ph, signals, rules, dt_h, seed, step, idx)
    vesicle_rate = rules.evaluate("vesicle_release", new_ph, signals)
    released = secrete(cur, new_ph, died, vesicle_rate, sig, systemic, params, dt_h, seed, step, idx)

    if died.any():
        cur["time_since_death_h"] = np.where(died, 0.0, cur["time_since_death_h"])
    cleared = new_ph == Phenotype.EMPTY
    if cleared.any():
        cur = {name: np.where(cleared, 0.0, v) for name, v in cur.items()}
    state.write(idx, cur)
    state.phenotype[idx] = new_ph
    for name, v in released.items():
        getattr(release, name)[idx] = v


# ---------------------------------------------------------------------------- initial state
def _reference_inputs(params: Mapping[str, Any]) -> tuple[dict[str, Any], SiteInputs]:
    """Healthy reference: the systemic defaults (normal serum, 5.5 mM glucose, TNF 2 pg/mL, no
    drugs) with the run's genotype (knock-downs), and a site at serum values."""
    from vcsim.params import interventions, systemic

    ref: dict[str, Any] = {p.name: p.default for p in (*systemic.PARAMS, *interventions.PARAMS)}
    for name in ref:
        if name.endswith("_knockdown_fraction") and name in params:
            ref[name] = params[name]
    site = SiteInputs.constant(1, phosphate_mM=ref["serum_phosphate_mM"], calcium_mM=ref["serum_calcium_mM"],
                               magnesium_mM=ref["serum_magnesium_mM"], pyrophosphate_uM=ref["serum_ppi_uM"])
    return ref, site


def _cell_param_key(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    from vcsim.params import cells as cell_params

    names = [p.name for p in cell_params.PARAMS]
    names += [k for k in params if k.endswith("_knockdown_fraction")]
    return tuple((k, params[k]) for k in sorted(names))


@lru_cache(maxsize=32)
def _steady_state(key: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, float], ...]:
    params = dict(key)
    ref, site = _reference_inputs(params)
    rows = {name: np.zeros(1) for name in CellState.VARIABLES}
    for name, v0 in (("grp78", params["grp78_basal_fraction"]), ("er_calcium_fraction", 1.0),
                     ("mtorc1", 0.5), ("contractile_markers", 1.0), ("enpp1", 1.0),
                     ("mgp_carboxylated_fraction", 0.8), ("pit1_expression", 1.0),
                     ("osteogenic_plasticity", 1.0), ("glucose_memory_mM", ref["glucose_mM"])):
        rows[name][:] = v0
    contractile = np.array([Phenotype.CONTRACTILE], dtype=np.int8)
    dt = 2.0  # h; small enough that the fast negative-feedback loops settle without ringing
    for _ in range(5000):
        sig = sense(rows, site, ref, params)
        new = update_intracellular(rows, sig, contractile, ref, params, dt)
        change = max(float(np.abs(new[k] - rows[k]).max()) for k in new)
        rows.update(new)
        if change < 1e-13:
            break
    return tuple((name, float(v[0])) for name, v in rows.items())


def quiescent_steady_state(params: Mapping[str, Any]) -> dict[str, float]:
    """Intracellular steady state of a contractile cell under healthy reference inputs.

    Found by running the cell model itself (no phenotype changes) until it settles; cached per
    set of cell parameters.
    """
    return dict(_steady_state(_cell_param_key(params)))


def new_cell_state(n_sites: int, occupied: np.ndarray, params: Mapping[str, Any], seed: int = 0) -> CellState:
    """Cell state with a quiescent contractile VSMC on every ``occupied`` site, others EMPTY.

    Each cell gets a fixed osteogenic plasticity ``exp(sigma * z)``, z standard normal keyed by
    (seed, step 0, site, INITIAL_STATE): VSMC heterogeneity in osteogenic responsiveness.
    """
    occupied = np.asarray(occupied, dtype=bool)
    if occupied.shape != (n_sites,):
        raise ValueError(f"occupied has shape {occupied.shape}, expected ({n_sites},)")
    state = CellState.zeros(n_sites)
    sites = np.flatnonzero(occupied)
    state.phenotype[sites] = Phenotype.CONTRACTILE
    for name, v in quiescent_steady_state(params).items():
        getattr(state, name)[sites] = v
    sigma = float(params["osteogenic_plasticity_lognormal_sigma"])
    z = normal(seed, 0, sites, Purpose.INITIAL_STATE)
    state.osteogenic_plasticity[sites] = np.exp(sigma * z)
    state.time_since_death_h[sites] = 0.0
    return state
