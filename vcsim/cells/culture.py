"""The cell model on its own: a dish of VSMCs in a medium of fixed composition.

No chemistry, no transport, no divisions: every cell senses the same site values (the medium)
and the same systemic inputs, and the VSMC cell processes run each step as they do in the
model (the dish *is* a :class:`vcsim.model.VascularModel` with a one-row geometry and a
reduced process list: :func:`culture_processes`). This is how the cell model is calibrated
against in-vitro anchors (Jono et al. 2000: fraction of cells switched to the osteogenic
phenotype by day 3-14 at 1.0-3.0 mM Pi) and how each mechanism is tested in isolation
(``tests/test_cells_*.py``).

Example::

    from vcsim.cells.culture import run_culture
    res = run_culture(days=7, overrides={"serum_phosphate_mM": 2.0})
    res.fraction("osteogenic")[-1]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vcsim.cells.population import CellPopulation
from vcsim.cells.reporting import marker_means
from vcsim.cells.rules import RulesTable
from vcsim.lattice import FieldSpec
from vcsim.processes.base import Process, ProcessList
from vcsim.processes.releases import RELEASES

SITE_FIELDS = ("phosphate_mM", "calcium_mM", "magnesium_mM", "pyrophosphate_uM", "mineral_hap_mM",
               "hap_saturation_index")


def systemic_values(params: Mapping[str, Any], t_h: float = 0.0) -> dict[str, Any]:
    """Systemic + intervention values of ``params`` at time ``t_h`` (the glucose square wave
    and the phosphate binder applied: the same definitions as the model's systemic process)."""
    from vcsim.processes.systemic import apply_systemic_interventions
    from vcsim.schedule import Schedule

    return apply_systemic_interventions(Schedule().systemic_at(params, t_h))


class Medium(Process):
    """The culture medium at every site: the serum values in force (Pi after any binder), or
    fixed site values (a number for every site, or one value per site); no mineral."""

    name = "medium"
    reads = ("input.*",)
    writes = tuple(f"field.{f}" for f in SITE_FIELDS)
    fields = tuple(FieldSpec(f, units, "culture medium as the cells meet it") for f, units in zip(
        SITE_FIELDS, ("mM", "mM", "mM", "uM", "mmol HAP / L tissue", "log10(IAP/Ksp)"), strict=True))

    def __init__(self, site: Mapping[str, float] | None = None):
        unknown = set(site or {}) - set(SITE_FIELDS)
        if unknown:
            raise ValueError(f"unknown site value(s) {sorted(unknown)}; allowed: {', '.join(SITE_FIELDS)}")
        self.site = dict(site or {})

    def step(self, model: Any) -> None:
        sy, f = model.systemic, model.lattice.fields
        values = {"phosphate_mM": sy["serum_phosphate_mM"], "calcium_mM": sy["serum_calcium_mM"],
                  "magnesium_mM": sy["serum_magnesium_mM"], "pyrophosphate_uM": sy["serum_ppi_uM"],
                  "mineral_hap_mM": 0.0, "hap_saturation_index": 0.0}
        values.update(self.site)
        for name, v in values.items():
            f[name][...] = np.reshape(np.asarray(v, dtype=np.float64), (1, -1)) if np.ndim(v) else float(v)


class ReleaseTally(Process):
    """Sums what the cells released since the last record, then clears the buffers."""

    name = "releases"
    buffers = RELEASES

    def __init__(self) -> None:
        self.totals = {b.name: 0.0 for b in RELEASES}

    def initialise(self, model: Any) -> None:
        """The dish has no matrix to start at steady state: the cells' expected releases of
        the start (their ``initialise``) are dropped."""
        for arr in model.release.values():
            arr[:] = 0.0

    def step(self, model: Any) -> None:
        for name, arr in model.release.items():
            if name != "vesicle_inhibition_fraction":
                self.totals[name] += float(arr.sum())
            arr[:] = 0.0

    def take(self) -> dict[str, float]:
        out = dict(self.totals)
        for k in self.totals:
            self.totals[k] = 0.0
        return out


def culture_processes(site: Mapping[str, float] | None = None) -> ProcessList:
    """systemic -> medium -> the VSMC cell processes (no division) -> release tally."""
    from vcsim.cells.vsmc.processes import vsmc_phase
    from vcsim.processes.systemic import SystemicInputs

    phase = vsmc_phase()
    phase.processes.remove("division_wish")
    return ProcessList([SystemicInputs(), Medium(site), phase, ReleaseTally()])


@dataclass
class CultureResult:
    """Trajectory of a culture: phenotype counts and mean markers at each record time."""

    state: CellPopulation
    times_h: list[float] = field(default_factory=list)
    counts: list[dict[str, int]] = field(default_factory=list)
    markers: list[dict[str, float]] = field(default_factory=list)
    released: list[dict[str, float]] = field(default_factory=list)
    sensed: list[dict[str, float]] = field(default_factory=list)

    @property
    def n_cells(self) -> int:
        return sum(self.counts[0].values()) if self.counts else 0

    def fraction(self, phenotype: str) -> np.ndarray:
        """Fraction of the initial cells in ``phenotype`` at each record (empty = cleared dead)."""
        return np.array([c[phenotype] / max(sum(c.values()), 1) for c in self.counts])

    def dead_fraction(self) -> np.ndarray:
        """Fraction of cells that died so far (apoptotic + already cleared)."""
        return self.fraction("apoptotic") + self.fraction("empty")

    def marker(self, name: str) -> np.ndarray:
        """Mean of ``name`` over viable cells at each record (``name`` without ``mean_``)."""
        return np.array([m[f"mean_{name}"] for m in self.markers])

    def release(self, name: str) -> np.ndarray:
        """Total of a release over the culture in each record interval."""
        return np.array([r[name] for r in self.released])

    def at_day(self, day: float) -> int:
        """Index of the record closest to ``day``."""
        return int(np.argmin(np.abs(np.asarray(self.times_h) - 24.0 * day)))


def culture_model(n_cells: int = 200, params: Mapping[str, Any] | None = None,
                  overrides: Mapping[str, Any] | None = None, site: Mapping[str, Any] | None = None,
                  rules: RulesTable | None = None, seed: int = 0, dt_h: float | None = None,
                  changes: Sequence[tuple[float, Mapping[str, Any]]] = (), engine: str = "vector",
                  occupied: np.ndarray | None = None, schedule: Any = None) -> Any:
    """The dish as a model: ``n_cells`` sites in one row, the culture processes, ready to step.

    Arguments as :func:`run_culture`; ``occupied`` (bool per site) leaves some sites empty;
    ``schedule`` (a :class:`vcsim.schedule.Schedule`) is used instead of ``changes``.
    """
    from vcsim.model import VascularModel
    from vcsim.params import default_parameters
    from vcsim.schedule import Schedule, ScheduleEntry

    base = params if params is not None else default_parameters()
    if not hasattr(base, "updated"):
        base = default_parameters().updated(dict(base))
    setup = {"lattice_rows": 1, "lattice_cols": int(n_cells), "lamina_every_rows": 0,
             "initial_cell_fraction": 1.0, "geometry": "slab"}
    if dt_h is not None:
        setup["dt_h"] = float(dt_h)
    p = base.updated({**dict(overrides or {}), **setup})
    entries = []
    for day, extra in sorted(changes, key=lambda c: c[0]):
        entries += [ScheduleEntry(k, v, 24.0 * float(day)) for k, v in extra.items()]
    if schedule is None:
        schedule = Schedule(entries)
    model = VascularModel(seed=seed, params=p, schedule=schedule, rules=rules,
                          processes=culture_processes(site), threads=1, engine=engine)
    if occupied is not None:
        empty = ~np.asarray(occupied, dtype=bool)
        model.cells.phenotype[empty] = 0
        model.cells.phenotype_before[empty] = 0
        model.cells.state[empty] = 0
        if engine == "agents":
            model._sync_agents()
    return model


def run_culture(days: float = 14.0, n_cells: int = 200, params: Mapping[str, Any] | None = None,
                overrides: Mapping[str, Any] | None = None, site: Mapping[str, float] | None = None,
                rules: RulesTable | None = None, seed: int = 0, record_every_h: float = 24.0,
                dt_h: float | None = None,
                changes: Sequence[tuple[float, Mapping[str, Any]]] = ()) -> CultureResult:
    """Run ``n_cells`` VSMCs for ``days`` in a medium of constant composition.

    Args:
        params: full parameter set (defaults if None); ``overrides`` are applied on top.
        changes: medium changes ``(day, overrides)`` of systemic or intervention values: from
            ``day`` on, ``overrides`` apply on top of everything before (e.g.
            ``[(7, {"serum_phosphate_mM": 1.0})]``).
        site: fixed site values (``phosphate_mM``, ``calcium_mM``, ``magnesium_mM``,
            ``pyrophosphate_uM``, ``mineral_hap_mM``, ``hap_saturation_index``); by default the
            medium is the serum values of the systemic parameters (Pi after any binder).
        rules: rules table (the shipped one if None).
        record_every_h: interval of the recorded counts, markers and releases.
        dt_h: time step (``params["dt_h"]`` if None).
    """
    model = culture_model(n_cells, params, overrides, site, rules, seed, dt_h, changes)
    dt = model.dt_h
    n_steps = int(round(days * 24.0 / dt))
    every = max(int(round(record_every_h / dt)), 1)
    tally = model.processes["releases"]
    res = CultureResult(state=model.cells)

    def record(t_h: float) -> None:
        res.times_h.append(t_h)
        res.counts.append(model.cells.counts())
        res.markers.append(marker_means(model.cells))
        res.released.append(tally.take())
        sy = model.systemic
        res.sensed.append({"glucose_mM": float(sy["glucose_mM"]),
                           "serum_phosphate_mM": float(sy["serum_phosphate_mM"])})

    record(0.0)
    for step in range(1, n_steps + 1):
        model.step()
        if step % every == 0:
            record(step * dt)
    return res
