"""The cell model on its own: a dish of VSMCs in a medium of fixed composition.

No lattice, no chemistry, no transport: every cell senses the same site values (the medium) and
the same systemic inputs, and :func:`vcsim.cells.advance` is called once per step for all cells.
This is how the cell model is calibrated against in-vitro anchors (Jono et al. 2000: fraction
of cells switched to the osteogenic phenotype by day 3-14 at 1.0-3.0 mM Pi) and how each
mechanism is tested in isolation (``tests/test_cells_*.py``).

Example::

    from vcsim.cells.culture import run_culture
    res = run_culture(days=7, overrides={"serum_phosphate_mM": 2.0})
    res.fraction("osteogenic")[-1]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vcsim.cells.rules import RulesTable, load_rules
from vcsim.cells.secretion import CellRelease
from vcsim.cells.signals import SiteInputs
from vcsim.cells.state import CellState, Phenotype, summary_markers
from vcsim.cells.step import advance, new_cell_state
from vcsim.params.interventions import apply_systemic_interventions

SYSTEMIC_GROUPS = ("systemic", "interventions")


def systemic_values(params: Mapping[str, Any], t_h: float = 0.0) -> dict[str, Any]:
    """Systemic + intervention values of ``params`` at time ``t_h``.

    Glucose follows the square wave of ``glucose_mode = fluctuating``: ``glucose_mM`` during
    the first half of each ``glucose_period_h``, ``glucose_low_mM`` during the second (the same
    definition as :mod:`vcsim.schedule`). The phosphate binder is applied.
    """
    schema = getattr(params, "schema", None)
    if schema is not None:
        values = {p.name: params[p.name] for p in schema if p.group in SYSTEMIC_GROUPS}
    else:
        values = dict(params)
    if values.get("glucose_mode") == "fluctuating":
        period = float(values["glucose_period_h"])
        high = math.fmod(t_h, period) < 0.5 * period
        values["glucose_mM"] = float(values["glucose_mM"] if high else values["glucose_low_mM"])
    return apply_systemic_interventions(values)


@dataclass
class CultureResult:
    """Trajectory of a culture: phenotype counts and mean markers at each record time."""

    state: CellState
    times_h: list[float] = field(default_factory=list)
    counts: list[dict[str, int]] = field(default_factory=list)
    markers: list[dict[str, float]] = field(default_factory=list)
    released: list[dict[str, float]] = field(default_factory=list)
    sensed: list[dict[str, float]] = field(default_factory=list)

    @property
    def n_cells(self) -> int:
        return sum(self.counts[0].values()) if self.counts else 0

    def fraction(self, phenotype: str) -> np.ndarray:
        """Fraction of the initial cells in ``phenotype`` at each record (EMPTY = cleared dead)."""
        return np.array([c[phenotype] / max(sum(c.values()), 1) for c in self.counts])

    def dead_fraction(self) -> np.ndarray:
        """Fraction of cells that died so far (apoptotic + already cleared)."""
        return self.fraction("apoptotic") + self.fraction("empty")

    def marker(self, name: str) -> np.ndarray:
        """Mean of ``name`` over viable cells at each record (``name`` without ``mean_``)."""
        return np.array([m[f"mean_{name}"] for m in self.markers])

    def release(self, name: str) -> np.ndarray:
        """Total of a :class:`CellRelease` field over the culture in each record interval."""
        return np.array([r[name] for r in self.released])

    def at_day(self, day: float) -> int:
        """Index of the record closest to ``day``."""
        return int(np.argmin(np.abs(np.asarray(self.times_h) - 24.0 * day)))


def run_culture(days: float = 14.0, n_cells: int = 200, params: Mapping[str, Any] | None = None,
                overrides: Mapping[str, Any] | None = None, site: Mapping[str, float] | None = None,
                rules: RulesTable | None = None, seed: int = 0, record_every_h: float = 24.0,
                dt_h: float | None = None,
                changes: Sequence[tuple[float, Mapping[str, Any]]] = ()) -> CultureResult:
    """Run ``n_cells`` VSMCs for ``days`` in a medium of constant composition.

    Args:
        params: full parameter set (defaults if None); ``overrides`` are applied on top.
        changes: medium changes ``(day, overrides)``: from ``day`` on, ``overrides`` apply on
            top of everything before (e.g. ``[(7, {"serum_phosphate_mM": 1.0})]``).
        site: site values by :class:`SiteInputs` field name; by default the medium is the serum
            values of the systemic parameters (Pi after any phosphate binder), no mineral.
        rules: rules table (the shipped one if None).
        record_every_h: interval of the recorded counts, markers and releases.
        dt_h: time step (``params["dt_h"]`` if None).
    """
    if params is None:
        from vcsim.params import default_parameters

        params = default_parameters()
    if overrides:
        params = params.updated(overrides) if hasattr(params, "updated") else {**params, **overrides}
    rules = rules if rules is not None else load_rules()
    phases = [(0.0, params)]
    for day, extra in sorted(changes, key=lambda c: c[0]):
        last = phases[-1][1]
        phases.append((24.0 * float(day), last.updated(extra) if hasattr(last, "updated") else {**last, **extra}))
    dt = float(dt_h if dt_h is not None else params["dt_h"])
    state = new_cell_state(n_cells, np.ones(n_cells, dtype=bool), params, seed=seed)
    release = CellRelease(n_cells)
    res = CultureResult(state=state)
    n_steps = int(round(days * 24.0 / dt))
    every = max(int(round(record_every_h / dt)), 1)
    acc = {name: 0.0 for name in release.arrays()}

    def record(t_h: float, systemic: Mapping[str, Any]) -> None:
        res.times_h.append(t_h)
        res.counts.append(state.counts())
        res.markers.append(summary_markers(state))
        res.released.append(dict(acc))
        res.sensed.append({"glucose_mM": float(systemic["glucose_mM"]),
                           "serum_phosphate_mM": float(systemic["serum_phosphate_mM"])})
        for k in acc:
            acc[k] = 0.0

    record(0.0, systemic_values(params, 0.0))
    for step in range(1, n_steps + 1):
        t = (step - 1) * dt
        params = [p for start, p in phases if start <= t][-1]
        systemic = systemic_values(params, t)
        values = {
            "phosphate_mM": float(systemic["serum_phosphate_mM"]),
            "calcium_mM": float(systemic["serum_calcium_mM"]),
            "magnesium_mM": float(systemic["serum_magnesium_mM"]),
            "pyrophosphate_uM": float(systemic["serum_ppi_uM"]),
        }
        values.update(site or {})
        inputs = SiteInputs.constant(n_cells, **values)
        alive = np.flatnonzero(state.phenotype != Phenotype.EMPTY)
        release.zero()
        advance(state, alive, inputs.take(alive), systemic, params, rules, dt, seed, step, release)
        for k, arr in release.arrays().items():
            if k != "vesicle_inhibition_fraction":
                acc[k] += float(arr.sum())
        if step % every == 0:
            record(step * dt, systemic)
    return res
