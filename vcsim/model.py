"""VascularModel: a piece of arterial media, its VSMCs and its mineral chemistry, stepped in time.

One step (``dt_h``, default 1 h), in the order of the biology (docs/ARCHITECTURE.md):

1. systemic inputs at time t (parameters + schedule + glucose swings);
2. every cell senses its site, updates its ER-stress/UPR state, switches phenotype and
   releases vesicles, apoptotic bodies, PPi, TNAP and MGP (:func:`vcsim.cells.advance`), and
   says whether it divides;
3. divisions into empty neighbouring sites, conflicts resolved deterministically;
4. what the cells released goes into the lattice fields;
5. chemistry: speciation, TNAP, nucleation (every event logged), growth
   (:func:`vcsim.chemistry.lattice.react`);
6. transport of the dissolved species with the lumen at serum values (:mod:`vcsim.transport`);
7. data collection (Mesa ``DataCollector``).

``engine="vector"`` runs step 2 for all cells in one call; ``engine="agents"`` creates one Mesa
agent (:class:`vcsim.agents.VSMC`) per cell and runs ``model.agents.shuffle_do("step")``, each
agent calling the same function on its own index. Random draws are keyed by
(seed, step, cell, purpose) (:mod:`vcsim.rng`), and a cell reads only its own state during
step 2, so both engines give the same trajectory.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import OrthogonalMooreGrid

from vcsim import __version__, kernels
from vcsim import cells as cellmod
from vcsim.agents import VSMC
from vcsim.cells import CellRelease, Phenotype, SiteInputs
from vcsim.cells.step import CHUNK_CELLS
from vcsim.chemistry.lattice import SOURCES, EventLog, react
from vcsim.eventlog import ChunkedLog
from vcsim.lattice import Lattice, serum_values
from vcsim.parallel import map_blocks, resolve_threads
from vcsim.params import ParameterError, Parameters, default_parameters
from vcsim.rng import Purpose, uniform
from vcsim.schedule import Schedule
from vcsim.transport import Transport

ENGINES = ("vector", "agents")
CA_MOLAR_MASS_G_PER_MOL = 40.078
DISSOLVED = ("calcium_mM", "phosphate_mM", "pyrophosphate_uM", "magnesium_mM")


class TransitionLog(ChunkedLog):
    """Phenotype transitions: (time_h, step, row, col, from_phenotype, to_phenotype)."""

    COLUMNS = ("time_h", "step", "row", "col", "from_phenotype", "to_phenotype")

    def append(self, time_h: float, step: int, rows: np.ndarray, cols: np.ndarray,
               before: np.ndarray, after: np.ndarray) -> None:
        self._append_columns(time_h, step, rows, cols, before, after)

    @classmethod
    def from_array(cls, arr: np.ndarray) -> TransitionLog:
        log = cls()
        log._set_array(arr)
        return log

    def to_frame(self) -> pd.DataFrame:
        a = self.to_array()
        names = {int(p): p.name.lower() for p in Phenotype}
        return pd.DataFrame(
            {
                "time_h": a[:, 0],
                "step": a[:, 1].astype(np.int64),
                "row": a[:, 2].astype(np.int64),
                "col": a[:, 3].astype(np.int64),
                "from_phenotype": [names[int(x)] for x in a[:, 4]],
                "to_phenotype": [names[int(x)] for x in a[:, 5]],
            }
        )


class VascularModel(mesa.Model):
    """Agent-based model of medial vascular calcification.

    Args:
        seed: integer seed; fixes the run (drawn from the OS and recorded when None).
        engine: "vector" (all cells per call, the default) or "agents" (one Mesa agent per cell).
        schedule: time-varying systemic inputs (:class:`vcsim.schedule.Schedule`).
        rules_overrides: entries that replace rows of the cell rules table.
        params: a full :class:`vcsim.params.Parameters` to start from (defaults otherwise).
        agent_class: the Mesa agent class for engine="agents" (subclass of :class:`VSMC`).
        threads: threads for the block loops of the vector path (cell chunks, speciation);
            default ``$VCSIM_THREADS`` or the CPUs available. Results are the same bits for
            any count (:mod:`vcsim.parallel`); only lattices above ~16k sites gain.
        **kwargs: any parameter of the schema by name (``serum_phosphate_mM=2.0``); run
            ``python run.py params`` for the table with units, bounds and sources.
    """

    def __init__(
        self,
        seed: int | None = None,
        engine: str = "vector",
        schedule: Schedule | None = None,
        rules_overrides: Sequence[Mapping[str, Any]] | None = None,
        params: Parameters | None = None,
        agent_class: type[VSMC] = VSMC,
        threads: int | None = None,
        **kwargs: Any,
    ) -> None:
        if seed is None:
            seed = secrets.randbits(63)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ParameterError(f"seed: {seed!r} is not allowed; expected a non-negative integer")
        if engine not in ENGINES:
            raise ParameterError(f"engine: {engine!r} is not allowed; expected one of {', '.join(ENGINES)}")
        try:
            self.threads = resolve_threads(threads)
            kernels.check_environment()
        except ValueError as exc:
            raise ParameterError(str(exc)) from None
        super().__init__(seed=int(seed))
        self.seed = int(seed)
        self.engine = engine
        self.params: Parameters = (params if params is not None else default_parameters()).updated(kwargs)
        self.schedule = schedule if schedule is not None else Schedule()
        self.rules_overrides = [dict(e) for e in (rules_overrides or [])]
        self.rules = cellmod.load_rules().override(self.rules_overrides)
        p = self.params
        self.dt_h = float(p.dt_h)
        self.time_h = 0.0

        self.lattice = Lattice.from_params(p)
        self.transport = Transport.from_params(p, self.lattice)
        n = self.lattice.n_sites
        self.n_sites = n
        all_sites = np.arange(n, dtype=np.intp)
        self._all_sites = all_sites
        self._cell_sites = ~self.lattice.lamina.ravel()
        occupied = self._cell_sites & (
            uniform(self.seed, 0, all_sites, Purpose.INITIAL_OCCUPANCY) < p.initial_cell_fraction
        )
        self.cells = cellmod.new_cell_state(n, occupied, p, seed=self.seed)
        self.release = CellRelease(n)
        self._division_wish = np.zeros(n, dtype=bool)
        # lattice-sized scratch of the chemistry step, reused (not state: never checkpointed)
        self._chemistry_workspace: dict[str, Any] = {}
        self._neighbours = self.lattice.von_neumann_neighbours(all_sites)
        self.nucleation_log = EventLog()
        self.transition_log = TransitionLog()
        self.ledger = {"boundary_calcium_umol": 0.0, "boundary_phosphorus_umol": 0.0,
                       "cell_phosphorus_umol": 0.0}
        self._nucleation_cumulative = 0
        self._last_chemistry: dict[str, Any] = {}
        self._systemic = self.systemic_now()

        self.agent_class = agent_class
        self.grid = None
        if engine == "agents":
            self.grid = OrthogonalMooreGrid(
                (self.lattice.rows, self.lattice.cols), torus=False, capacity=1, random=self.random
            )
            self.lattice.attach_to_grid(self.grid)  # cell.calcium_mM etc. read the fields
            self._agents_by_site: dict[int, VSMC] = {}
            self._sync_agents()

        self._stats: dict[str, float] = {}
        self._reporter_names = list(self._compute_stats().keys())
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_read_stat, name=name) for name in self._reporter_names}
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ systemic inputs
    def systemic_now(self) -> dict[str, Any]:
        """Systemic and intervention values in force now (schedule and glucose swings applied)."""
        values = self.schedule.systemic_at(self.params, self.time_h)
        return cellmod.apply_systemic_interventions(values)

    def boundary_values(self, systemic: Mapping[str, Any]) -> dict[str, float]:
        """Serum (or medium) values held at the lumen for each dissolved field."""
        return serum_values(systemic)

    # ------------------------------------------------------------------ the cell rules
    def site_inputs(self, idx: np.ndarray) -> SiteInputs:
        """What the cells at sites ``idx`` sense from their sites."""
        f = self.lattice.fields
        return SiteInputs(
            phosphate_mM=f["phosphate_mM"].ravel()[idx],
            calcium_mM=f["calcium_mM"].ravel()[idx],
            magnesium_mM=f["magnesium_mM"].ravel()[idx],
            pyrophosphate_uM=f["pyrophosphate_uM"].ravel()[idx],
            mineral_hap_mM=f["mineral_hap_mM"].ravel()[idx],
            hap_saturation_index=f["hap_saturation_index"].ravel()[idx],
        )

    def advance_cells(self, idx: np.ndarray) -> None:
        """Step 2 for the cells at sites ``idx``: the one implementation both engines call.

        Large ``idx`` are processed in chunks of :data:`vcsim.cells.step.CHUNK_CELLS` cells:
        every cell reads only its own row and site, so this gives the same bits as one call
        while bounding the temporaries (and keeping them closer to the CPU caches).
        """
        idx = np.asarray(idx, dtype=np.intp)
        chunk = CHUNK_CELLS
        if idx.size > chunk:
            # chunks touch disjoint sites: any thread count gives the same bits
            map_blocks(self._advance_cells, [idx[s:s + chunk] for s in range(0, idx.size, chunk)],
                       self.threads)
        else:
            self._advance_cells(idx)

    def _advance_cells(self, idx: np.ndarray) -> None:
        site = self.site_inputs(idx)
        step = self.steps
        cellmod.advance(self.cells, idx, site, self._systemic, self.params, self.rules,
                        self.dt_h, self.seed, step, self.release)
        viable = self.cells.phenotype[idx]
        viable = (viable != Phenotype.EMPTY) & (viable != Phenotype.APOPTOTIC)
        p_div = cellmod.division_probability(self.cells, idx, site, self._systemic, self.params,
                                             self.rules, self.dt_h)
        u = uniform(self.seed, step, idx, Purpose.DIVISION)
        self._division_wish[idx] = viable & (u < p_div)

    def _resolve_divisions(self) -> tuple[np.ndarray, np.ndarray]:
        """Place daughters of the cells that divide into empty neighbouring sites.

        Each dividing cell picks one empty, non-lamina, not heavily mineralised von Neumann
        neighbour at random (draw keyed by its site). When several pick the same site, the one
        with the smallest draw wins (ties: lowest site index): a deterministic rule that does
        not depend on the order cells were visited.
        """
        parents = np.flatnonzero(self._division_wish)
        self._division_wish[:] = False
        if parents.size == 0:
            return parents, parents
        ph = self.cells.phenotype
        mineral_ca = 10.0 * self.lattice.fields["mineral_hap_mM"].ravel()
        nb = self._neighbours[parents]  # (k, 4), -1 off-lattice
        valid = nb >= 0
        nbc = np.where(valid, nb, 0)
        free = valid & (ph[nbc] == Phenotype.EMPTY) & self._cell_sites[nbc] & (
            mineral_ca[nbc] < self.params.calcified_threshold_mmol_per_L
        )
        n_free = free.sum(axis=1)
        has = n_free > 0
        parents, nb, free, n_free = parents[has], nb[has], free[has], n_free[has]
        if parents.size == 0:
            return parents, parents
        u = uniform(self.seed, self.steps, parents, Purpose.DIVISION_TARGET)
        pick = np.minimum((u * n_free).astype(np.intp), n_free - 1)
        # index of the pick-th free neighbour in each row
        rank = np.cumsum(free, axis=1) - 1
        chosen_col = np.argmax(free & (rank == pick[:, None]), axis=1)
        targets = nb[np.arange(len(parents)), chosen_col]
        order = np.lexsort((parents, u, targets))
        targets, parents = targets[order], parents[order]
        first = np.ones(len(targets), dtype=bool)
        first[1:] = targets[1:] != targets[:-1]
        parents, targets = parents[first], targets[first]
        cellmod.place_daughter(self.cells, parents, targets, self.params)
        return parents, targets

    # ------------------------------------------------------------------ agents engine
    def _sync_agents(self) -> None:
        """Keep exactly one VSMC agent on every occupied site (after deaths and divisions)."""
        occupied = set(np.flatnonzero(self.cells.phenotype != Phenotype.EMPTY).tolist())
        current = set(self._agents_by_site)
        for site in current - occupied:
            self._agents_by_site.pop(site).remove()
        cols = self.lattice.cols
        for site in sorted(occupied - current):
            cell = self.grid._cells[(site // cols, site % cols)]
            self._agents_by_site[site] = self.agent_class(self, site, cell)

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance the model by one time step of ``dt_h`` hours."""
        p = self.params
        step = self.steps  # Mesa increments before calling step: 1 on the first step
        self._systemic = systemic = self.systemic_now()
        before = self.cells.phenotype.copy()
        self.release.zero()

        # 2. cells
        if self.engine == "vector":
            idx = np.flatnonzero(before != Phenotype.EMPTY)
            self.advance_cells(idx)
        else:
            self.agents.shuffle_do("step")

        # 3. divisions
        parents, children = self._resolve_divisions()
        after = self.cells.phenotype
        changed = np.flatnonzero(before != after)
        if changed.size:
            rows, cols = np.divmod(changed, self.lattice.cols)
            self.transition_log.append(self.time_h, step, rows, cols, before[changed], after[changed])
        if self.engine == "agents":
            self._sync_agents()

        # 4. releases into the fields
        self._deposit_releases()

        # 5. chemistry on the lattice
        fields = self.lattice.fields
        self._last_chemistry = react(
            fields, self.lattice.lamina, systemic, p, self.dt_h, self.seed, step,
            self.time_h, self.nucleation_log, p.porosity_fraction, threads=self.threads,
            workspace=self._chemistry_workspace,
        )
        self._nucleation_cumulative = len(self.nucleation_log)

        # 6. transport with the lumen at serum values
        entered = self.transport.step(fields, self.boundary_values(systemic), threads=self.threads)
        fluid_umol = p.porosity_fraction * self.lattice.site_volume_L * 1e3  # mM*site -> umol
        self.ledger["boundary_calcium_umol"] += entered["calcium_mM"] * fluid_umol
        self.ledger["boundary_phosphorus_umol"] += (
            entered["phosphate_mM"] + 2e-3 * entered["pyrophosphate_uM"]
        ) * fluid_umol

        self.time_h = step * self.dt_h
        self.datacollector.collect(self)

    def _deposit_releases(self) -> None:
        """Move this step's cell releases into the matrix-bound and dissolved fields."""
        f, r = self.lattice.fields, self.release
        shape = f["vesicles_count"].shape
        new_v = r.vesicles_count.reshape(shape)
        old_v = f["vesicles_count"]
        old_v = old_v * math.exp(-self.dt_h / self.params.vesicle_lifetime_h)
        total_v = old_v + new_v
        # vesicle inhibitor loading: count-weighted mean of what is there and what arrives
        with np.errstate(invalid="ignore", divide="ignore"):
            mixed = (old_v * f["vesicle_inhibition_fraction"]
                     + new_v * r.vesicle_inhibition_fraction.reshape(shape)) / total_v
        np.copyto(f["vesicle_inhibition_fraction"], mixed, where=total_v > 0)
        # first-order turnover of what was already in the matrix (exact over dt), then arrivals
        f["vesicles_count"] *= math.exp(-self.dt_h / self.params.vesicle_lifetime_h)
        f["vesicles_count"] += new_v
        f["apoptotic_bodies_count"] *= math.exp(-self.dt_h / self.params.apoptotic_body_lifetime_h)
        f["apoptotic_bodies_count"] += r.apoptotic_bodies_count.reshape(shape)
        f["pyrophosphate_uM"] += r.ppi_release_uM.reshape(shape)
        np.copyto(f["tnap_activity_uM_per_h"], r.tnap_activity_uM_per_h.reshape(shape))
        f["cmgp_nM"] += r.cmgp_release_nM.reshape(shape)
        f["ucmgp_nM"] += r.ucmgp_release_nM.reshape(shape)
        fluid_umol = self.params.porosity_fraction * self.lattice.site_volume_L * 1e3
        self.ledger["cell_phosphorus_umol"] += 2e-3 * float(r.ppi_release_uM.sum()) * fluid_umol

    # ------------------------------------------------------------------ outputs
    def phenotype_grid(self) -> np.ndarray:
        """Phenotype code per site, shape (rows, cols): 0 empty, 1 contractile, 2 osteogenic,
        3 autophagic, 4 apoptotic (lamina sites are 0)."""
        return self.cells.phenotype.reshape(self.lattice.rows, self.lattice.cols)

    def mineral_calcium_umol(self) -> float:
        """Calcium held in mineral over the whole lattice (umol): 10 Ca per HAP formula unit."""
        hap = float(self.lattice.fields["mineral_hap_mM"].sum())
        return 10.0 * hap * self.lattice.site_volume_L * 1e3

    def totals_umol(self) -> dict[str, float]:
        """Calcium and phosphorus in fluid plus mineral over the lattice (umol), for the ledger."""
        f, p = self.lattice.fields, self.params
        fluid = p.porosity_fraction * self.lattice.site_volume_L * 1e3
        hap = float(f["mineral_hap_mM"].sum()) * self.lattice.site_volume_L * 1e3
        return {
            "calcium_umol": float(f["calcium_mM"].sum()) * fluid + 10.0 * hap,
            "phosphorus_umol": (float(f["phosphate_mM"].sum())
                                + 2e-3 * float(f["pyrophosphate_uM"].sum())) * fluid + 6.0 * hap,
        }

    def _compute_stats(self) -> dict[str, float]:
        """Every per-step output, computed once (the DataCollector reads from here)."""
        p, f = self.params, self.lattice.fields
        ph = self.cells.phenotype
        counts = np.bincount(ph, minlength=len(Phenotype))
        n_cell_sites = int(self._cell_sites.sum())
        s: dict[str, float] = {"time_h": self.time_h, "day": self.time_h / 24.0}
        for pheno in Phenotype:
            name = pheno.name.lower()
            c = int(counts[pheno]) - (self.lattice.n_sites - n_cell_sites if pheno == Phenotype.EMPTY else 0)
            s[f"n_{name}"] = c
            s[f"fraction_{name}"] = c / max(n_cell_sites, 1)
        mineral_ca_umol = self.mineral_calcium_umol()
        s["mineral_calcium_umol"] = mineral_ca_umol
        protein_mg = n_cell_sites * p.protein_per_cell_ng * 1e-6
        # ug Ca per mg protein of a confluent layer (protein fixed by the number of cell sites)
        s["calcium_content_ug_per_mg_protein"] = mineral_ca_umol * CA_MOLAR_MASS_G_PER_MOL / protein_mg
        mineral_ca_site = 10.0 * f["mineral_hap_mM"]
        s["calcified_fraction"] = float((mineral_ca_site >= p.calcified_threshold_mmol_per_L).mean()) \
            if p.calcified_threshold_mmol_per_L > 0 else float((mineral_ca_site > 0).mean())
        chem = self._last_chemistry
        s["nucleation_events_new"] = int(chem.get("events_new", 0))
        for src in SOURCES:
            s[f"nucleation_events_new_{src}"] = int(chem.get(f"events_new_{src}", 0))
        s["nucleation_events_cumulative"] = self._nucleation_cumulative
        si = f["hap_saturation_index"]
        s["hap_saturation_index_mean"] = float(si.mean())
        s["hap_saturation_index_max"] = float(si.max())
        s["vesicles_total_count"] = float(f["vesicles_count"].sum())
        s["apoptotic_bodies_total_count"] = float(f["apoptotic_bodies_count"].sum())
        s["pyrophosphate_mean_uM"] = float(f["pyrophosphate_uM"].mean())
        s["phosphate_mean_mM"] = float(f["phosphate_mM"].mean())
        s["calcium_mean_mM"] = float(f["calcium_mM"].mean())
        s["cmgp_mean_nM"] = float(f["cmgp_nM"].mean())
        s["ucmgp_mean_nM"] = float(f["ucmgp_nM"].mean())
        for key, value in cellmod.summary_markers(self.cells, self.threads).items():
            s[key] = float(value)
        totals = self.totals_umol()
        s["total_calcium_umol"] = totals["calcium_umol"]
        s["total_phosphorus_umol"] = totals["phosphorus_umol"]
        s["boundary_calcium_in_umol"] = self.ledger["boundary_calcium_umol"]
        s["boundary_phosphorus_in_umol"] = self.ledger["boundary_phosphorus_umol"]
        s["cell_phosphorus_released_umol"] = self.ledger["cell_phosphorus_umol"]
        self._stats = s
        self._stats_step = self.steps
        return s

    def stat(self, name: str) -> float:
        if getattr(self, "_stats_step", None) != self.steps:
            self._compute_stats()
        return self._stats[name]

    def timeseries_frame(self) -> pd.DataFrame:
        """One row per collected step (step 0 = initial state), units in the column names."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "step", np.arange(len(df), dtype=np.int64))
        return df

    def snapshot_fields(self) -> dict[str, np.ndarray]:
        """Copies of every lattice field, the phenotype grid and the cell-state grids."""
        out = {name: arr.copy() for name, arr in self.lattice.fields.items()}
        out["phenotype"] = self.phenotype_grid().copy()
        shape = (self.lattice.rows, self.lattice.cols)
        for name, arr in self.cells.arrays().items():
            if name != "phenotype":
                out[f"cell_{name}"] = np.asarray(arr).reshape(shape).copy()
        return out

    def summary_metrics(self) -> dict[str, float]:
        """Final values of the main outputs (for sweeps and validation)."""
        s = dict(self._compute_stats())
        s["nucleation_events_total"] = float(len(self.nucleation_log))
        ts = self.datacollector.get_model_vars_dataframe()
        for key in ("fraction_osteogenic", "fraction_apoptotic", "mean_chop", "mean_grp78"):
            if key in ts:
                s[f"{key}_max"] = float(ts[key].max())
        return s

    # ------------------------------------------------------------------ checkpoints
    def checkpoint(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Everything needed to continue this run exactly: arrays (npz) and metadata (json)."""
        arrays: dict[str, np.ndarray] = {}
        for name, arr in self.cells.arrays().items():
            arrays[f"cell/{name}"] = np.asarray(arr)
        for name, arr in self.lattice.fields.items():
            arrays[f"field/{name}"] = arr
        arrays["log/nucleation"] = self.nucleation_log.to_array()
        arrays["log/transitions"] = self.transition_log.to_array()
        ts = self.datacollector.model_vars
        for name in self._reporter_names:
            arrays[f"ts/{name}"] = np.asarray(ts[name])  # ints stay ints
        meta = {
            "vcsim_version": __version__,
            "seed": self.seed,
            "engine": self.engine,
            "steps": int(self.steps),
            "time_h": self.time_h,
            "params": self.params.to_dict(),
            "schedule": self.schedule.to_records(),
            "rules_overrides": self.rules_overrides,
            "ledger": dict(self.ledger),
            "nucleation_sources": self.nucleation_log.source_names(),
            "last_chemistry": {k: float(v) for k, v in self._last_chemistry.items()
                               if isinstance(v, (int, float, np.integer, np.floating))},
        }
        json.dumps(meta)  # fail here, not half-way through writing, if anything is not JSON
        return arrays, meta

    @classmethod
    def from_checkpoint(cls, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any],
                        agent_class: type[VSMC] = VSMC) -> VascularModel:
        """Rebuild a model from :meth:`checkpoint` output; stepping it continues the run exactly."""
        params = default_parameters().updated(meta["params"])
        schedule = Schedule.from_records(meta.get("schedule", []))
        model = cls(seed=int(meta["seed"]), engine=meta["engine"], schedule=schedule,
                    rules_overrides=meta.get("rules_overrides"), params=params,
                    agent_class=agent_class)
        cell_arrays = {k.split("/", 1)[1]: np.array(v) for k, v in arrays.items() if k.startswith("cell/")}
        model.cells = type(model.cells).from_arrays(cell_arrays)
        for k, v in arrays.items():
            if k.startswith("field/"):
                np.copyto(model.lattice.fields[k.split("/", 1)[1]], v)
        model.nucleation_log = EventLog.from_array(np.asarray(arrays["log/nucleation"]),
                                                   meta.get("nucleation_sources"))
        model.transition_log = TransitionLog.from_array(np.asarray(arrays["log/transitions"]))
        model._nucleation_cumulative = len(model.nucleation_log)
        model.steps = int(meta["steps"])
        model.time_h = float(meta["time_h"])
        model.ledger = {k: float(v) for k, v in meta["ledger"].items()}
        model._last_chemistry = dict(meta.get("last_chemistry", {}))
        model._systemic = model.systemic_now()
        ts = {name: list(np.asarray(arrays[f"ts/{name}"]).tolist()) for name in model._reporter_names}
        model.datacollector.model_vars = ts
        if model.engine == "agents":
            model._sync_agents()
        model._stats_step = None
        return model


def _read_stat(model: VascularModel, name: str) -> float:
    """DataCollector reporter: one statistic, all computed once per step by the model."""
    return model.stat(name)


def run(model: VascularModel, days: float) -> VascularModel:
    """Step ``model`` for ``days`` simulated days (rounded to whole steps)."""
    if not math.isfinite(days) or days < 0:
        raise ParameterError(f"days: {days!r} is not allowed; expected a finite number >= 0")
    for _ in range(int(round(days * 24.0 / model.dt_h))):
        model.step()
    return model
