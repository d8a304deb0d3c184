"""Phenotype transitions, death, clearance and division, with rates from the rules table.

Per step and cell (all draws keyed by (seed, step, site, purpose), so the order in which cells
are visited does not matter):

1. death from heavy local mineral (viable cells): probability ``1 - exp(-r_mineral dt)``,
   draw ``Purpose.MINERAL_DEATH``;
2. competing transitions of a viable cell (to contractile / osteogenic / autophagic /
   apoptotic, rates ``r_k`` from the table, 0 for its own phenotype): a move happens with
   probability ``1 - exp(-sum r_k dt)`` (draw ``TRANSITION``) and goes to target k with
   probability ``r_k / sum r`` (draw ``TRANSITION_CHOICE``);
3. an apoptotic cell is cleared (site becomes EMPTY) with probability
   ``1 - exp(-r_clearance dt)``, the rate rising steeply with ``time_since_death_h``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from vcsim import kernels
from vcsim.cells.rules import RulesTable
from vcsim.cells.signals import SENSE_READS, SENSED_SIGNALS, SITE_SIGNALS, SiteInputs, sense, value
from vcsim.cells.state import CellState, Phenotype, viable_mask
from vcsim.rng import Purpose, uniform

#: (behaviour, target phenotype) of the competing transitions of a viable cell, in draw order
TRANSITIONS: tuple[tuple[str, Phenotype], ...] = (
    ("to_contractile", Phenotype.CONTRACTILE),
    ("to_osteogenic", Phenotype.OSTEOGENIC),
    ("to_autophagic", Phenotype.AUTOPHAGIC),
    ("to_apoptotic", Phenotype.APOPTOTIC),
)


def probability(rate_per_h: np.ndarray, dt_h: float) -> np.ndarray:
    """Probability of at least one event in ``dt_h`` at a constant rate: ``1 - exp(-r dt)``."""
    return -np.expm1(-np.asarray(rate_per_h) * dt_h)


def transition(phenotype: np.ndarray, signals: Mapping[str, np.ndarray], rules: RulesTable, dt_h: float,
               seed: int, step: int, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """New phenotypes of the cells at ``idx`` and a mask of those that died this step."""
    ph = np.asarray(phenotype, dtype=np.int8)
    alive = viable_mask(ph)
    if kernels.applies(ph):
        return _transition_compiled(ph, alive, signals, rules, dt_h, seed, step, idx)
    new = ph.copy()

    # 1. heavy local mineral kills
    p_min = probability(rules.evaluate("mineral_death", ph, signals), dt_h)
    killed = alive & (uniform(seed, step, idx, Purpose.MINERAL_DEATH) < p_min)

    # 2. competing phenotype transitions
    rates = []
    for behaviour, target in TRANSITIONS:
        r = rules.evaluate(behaviour, ph, signals)
        rates.append(np.where(ph == target, 0.0, r))
    total = rates[0]
    for r in rates[1:]:
        total = total + r
    u_move = uniform(seed, step, idx, Purpose.TRANSITION)
    moves = alive & ~killed & (u_move < probability(total, dt_h))
    pick = uniform(seed, step, idx, Purpose.TRANSITION_CHOICE) * total
    chosen = np.full(len(ph), -1, dtype=np.int8)
    cumulative = np.zeros(len(ph))
    for r, (_, target) in zip(rates, TRANSITIONS, strict=True):
        cumulative = cumulative + r
        chosen = np.where((chosen < 0) & (pick < cumulative), np.int8(target), chosen)
    # round-off guard: a move whose pick fell on the total itself goes to the last non-zero rate
    last = np.full(len(ph), -1, dtype=np.int8)
    for r, (_, target) in zip(rates, TRANSITIONS, strict=True):
        last = np.where(r > 0, np.int8(target), last)
    chosen = np.where(chosen < 0, last, chosen)
    moves &= chosen >= 0
    new = np.where(moves, chosen, new)
    new = np.where(killed, np.int8(Phenotype.APOPTOTIC), new).astype(np.int8)
    died = killed | (moves & (chosen == Phenotype.APOPTOTIC))

    # 3. clearance of apoptotic cells
    dead = ph == Phenotype.APOPTOTIC
    p_clear = probability(rules.evaluate("clearance", ph, signals), dt_h)
    cleared = dead & (u_move < p_clear)
    new = np.where(cleared, np.int8(Phenotype.EMPTY), new).astype(np.int8)
    return new, died


def _transition_compiled(ph: np.ndarray, alive: np.ndarray, signals: Mapping[str, np.ndarray],
                         rules: RulesTable, dt_h: float, seed: int, step: int,
                         idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`transition` with its per-cell logic in two compiled passes (same rates, same
    probabilities, same draws, same decisions: the same bits)."""
    targets = tuple(int(t) for _, t in TRANSITIONS)
    rates = [np.ascontiguousarray(rules.evaluate(b, ph, signals)) for b, _ in TRANSITIONS]
    total = kernels.competing_rates(ph, rates, targets)
    p_min = probability(rules.evaluate("mineral_death", ph, signals), dt_h)
    p_clear = probability(rules.evaluate("clearance", ph, signals), dt_h)
    return kernels.competing_choice(
        ph, alive, rates, targets, total, p_min, probability(total, dt_h), p_clear,
        uniform(seed, step, idx, Purpose.MINERAL_DEATH), uniform(seed, step, idx, Purpose.TRANSITION),
        uniform(seed, step, idx, Purpose.TRANSITION_CHOICE), int(Phenotype.APOPTOTIC), int(Phenotype.EMPTY))


def rule_signals(rows: Mapping[str, np.ndarray], sensed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every signal a rule may read: the cell's state variables and what it senses."""
    out = dict(rows)
    out.update(sensed)
    return out


def division_probability(state: CellState, idx: np.ndarray, site: SiteInputs, systemic: Mapping[str, Any],
                         params: Mapping[str, Any], rules: RulesTable, dt_h: float) -> np.ndarray:
    """Probability that each viable cell at ``idx`` divides this step (0 for others).

    Rate from the rules table (``division``: mTORC1-driven, inhibited by local mineral),
    times ``division_in_vivo_factor`` when ``setting`` is ``in_vivo``. Contact inhibition is
    the model's: a daughter only goes into an empty neighbouring site.
    """
    idx = np.asarray(idx, dtype=np.intp)
    # read only what the division rules use (values are the same either way)
    used = rules.signals_used("division")
    needs_sense = bool(used & frozenset(SENSED_SIGNALS))
    needed = used | (SENSE_READS if needs_sense else frozenset())
    rows = state.rows(idx, [name for name in CellState.VARIABLES if name in needed])
    ph = state.phenotype[idx]
    if needs_sense:
        sig = rule_signals(rows, sense(rows, site, systemic, params))
    else:
        sig = rule_signals(rows, {name: np.asarray(getattr(site, name), dtype=np.float64)
                                  for name in SITE_SIGNALS if name in used})
    rate = rules.evaluate("division", ph, sig)
    if value("setting", systemic, params) == "in_vivo":
        rate = rate * params["division_in_vivo_factor"]
    return np.where(viable_mask(ph), probability(rate, dt_h), 0.0)


def place_daughter(state: CellState, parent_idx: np.ndarray, child_idx: np.ndarray,
                   params: Mapping[str, Any] | None = None) -> None:
    """Put the daughters of the cells at ``parent_idx`` into the sites ``child_idx``.

    A daughter inherits its parent's phenotype and whole intracellular state (including its
    fixed osteogenic plasticity): the state is that of the cytoplasm it is made of.
    ``time_since_death_h`` starts at 0.
    """
    parent_idx = np.asarray(parent_idx, dtype=np.intp)
    child_idx = np.asarray(child_idx, dtype=np.intp)
    state.phenotype[child_idx] = state.phenotype[parent_idx]
    for name in state.VARIABLES:
        arr = getattr(state, name)
        arr[child_idx] = arr[parent_idx]
    state.time_since_death_h[child_idx] = 0.0
