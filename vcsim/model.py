"""VascularModel: a piece of arterial wall, its cells and its mineral chemistry, stepped in time.

The model builds the geometry, the fields, the cells and the ordered list of processes, and
its step runs them, nothing else (docs/ARCHITECTURE.md has the table of processes with what
each reads and writes). The default step (``dt_h``, 1 h):

1. ``systemic``: the values in force at time t (schedules, glucose swings, the phosphate
   binder) into the input record and the lumen boundary;
2. ``vsmc``: every VSMC senses its site, updates its ER-stress/UPR and osteogenic state,
   switches phenotype, releases vesicles, apoptotic bodies, PPi, TNAP and MGP, stores its state
   and says whether it divides;
3. ``vsmc_divisions``: daughters into empty neighbouring sites; ``vsmc_transitions``: the log;
4. ``releases``: what the cells released goes into the fields;
5. ``tnap``, ``speciation``, ``nucleation`` (every event logged), ``growth``: the chemistry;
6. ``transport``: diffusion of the dissolved species with the lumen at serum values;
7. ``statistics``: every output of the registry.

Operator splitting: the processes act one after the other on the state the previous one left
(sequential, first-order Lie splitting), each integrating its own mechanism over the whole
step; the order is :mod:`vcsim.step`.

``engine="vector"`` runs each cell process over chunks of all cells; ``engine="agents"`` creates
one Mesa agent (:class:`vcsim.agents.VSMC`) per cell, and ``model.agents.shuffle_do("step")``
has each agent run the same cell processes on its own cell. Random draws are keyed by
(seed, step, cell, purpose) (:mod:`vcsim.rng`) and a cell reads only its own row and site
during its processes, so both engines give the same trajectory.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import OrthogonalMooreGrid

from vcsim import __version__
from vcsim.agents import VSMC
from vcsim.cells.population import CellPopulation
from vcsim.cells.rules import RulesTable, load_rules
from vcsim.cells.vsmc import VSMC as VSMC_TYPE
from vcsim.cells.vsmc.steady_state import new_population
from vcsim.geometry import geometry_from_params
from vcsim.lattice import Lattice
from vcsim.ledger import Ledger, mineral_calcium_umol, wall_totals_umol
from vcsim.memory import check as check_memory
from vcsim.outputs.registry import OutputGroup, OutputRegistry
from vcsim.parallel import resolve_threads
from vcsim.params import ParameterError, Parameters, default_parameters
from vcsim.params.record import InputRecord
from vcsim.processes.base import CellPhase, Process, ProcessList
from vcsim.rng import Purpose, uniform
from vcsim.schedule import Schedule
from vcsim.step import default_processes

ENGINES = ("vector", "agents")
#: version of the checkpoint layout; a checkpoint of another version is refused
CHECKPOINT_FORMAT = 3


def _resolve_seed(seed: Any, rng: Any) -> int:
    """The run's integer seed from Mesa's ``seed`` or ``rng`` keyword (int, numpy integer, or a
    numpy Generator to draw one from); drawn from the OS when neither is given."""
    if seed is not None and rng is not None:
        raise ParameterError("seed and rng: give one of them, not both")
    value = seed if seed is not None else rng
    if value is None:
        return secrets.randbits(63)
    if isinstance(value, np.random.Generator):
        return int(value.integers(0, 2**63 - 1))
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        which = "seed" if seed is not None else "rng"
        raise ParameterError(f"{which}: {value!r} is not allowed; expected a non-negative integer "
                             "(or, for rng, a numpy Generator)")
    return int(value)


class VascularModel(mesa.Model):
    """Agent-based model of medial vascular calcification.

    Args:
        seed: integer seed; fixes the run (drawn from the OS and recorded when None).
        rng: Mesa 3's seeding keyword: an integer seed or a numpy Generator (a seed is drawn
            from it); give ``seed`` or ``rng``, not both.
        engine: "vector" (all cells per call, the default) or "agents" (one Mesa agent per cell).
        schedule: time-varying systemic inputs (:class:`vcsim.schedule.Schedule`).
        rules_overrides: entries that replace rows of the cell rules table.
        params: a full :class:`vcsim.params.Parameters` to start from (defaults otherwise).
        agent_class: the Mesa agent class for engine="agents" (subclass of :class:`VSMC`).
        threads: threads for the block loops (cell chunks, speciation, transport); default
            ``$VCSIM_THREADS`` or the CPUs available. Results are the same for any count.
        processes: the step's processes: a :class:`~vcsim.processes.base.ProcessList` (or list),
            or a function that takes the default list and edits it (``insert_after``,
            ``replace``, ``remove``) or returns a new one.
        rules: a whole rules table to use instead of the shipped ``rules.csv``
            (``rules_overrides`` are applied on top).
        memory_check: refuse, before allocating, a lattice whose estimated memory exceeds what
            the system has available (:mod:`vcsim.memory`); False tries anyway.
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
        processes: ProcessList | Sequence[Process] | Callable[[ProcessList], Any] | None = None,
        rng: Any = None,
        rules: RulesTable | None = None,
        memory_check: bool = True,
        **kwargs: Any,
    ) -> None:
        seed = _resolve_seed(seed, rng)
        if engine not in ENGINES:
            raise ParameterError(f"engine: {engine!r} is not allowed; expected one of {', '.join(ENGINES)}")
        try:
            self.threads = resolve_threads(threads)
        except ValueError as exc:
            raise ParameterError(str(exc)) from None
        if schedule is not None and not isinstance(schedule, Schedule):
            schedule = _schedule_from(schedule)
        super().__init__(seed=int(seed))
        self.seed = int(seed)
        self.engine = engine
        self.params: Parameters = (params if params is not None else default_parameters()).updated(kwargs)
        if memory_check:
            check_memory(self.params)
        self.schedule = schedule if schedule is not None else Schedule()
        self.rules_overrides = _rules_overrides_from(rules_overrides)
        self.rules = (rules if rules is not None else load_rules()).override(self.rules_overrides)
        p = self.params
        self.dt_h = float(p.dt_h)
        self.time_h = 0.0

        self.geometry = geometry_from_params(p)
        self.lattice = Lattice(self.geometry)
        self.n_sites = self.geometry.n_sites
        self.processes = _process_list(processes, p)
        self.inputs = InputRecord(p.schema, p)
        self.systemic: dict[str, Any] = {}
        self.boundary: dict[str, float] = {}
        self.ledger = Ledger()

        # the cells: a quiescent VSMC on a fraction of the sites that can hold one
        cell_sites = self.geometry.cell_sites.reshape(-1)
        occupied = cell_sites & (
            uniform(self.seed, 0, np.arange(self.n_sites), Purpose.INITIAL_OCCUPANCY) < p.initial_cell_fraction)
        self.populations: dict[str, CellPopulation] = {
            VSMC_TYPE.name: new_population(self.n_sites, occupied, p, seed=self.seed)}
        self.compiled_rules = {name: self.rules.compile(pop.cell_type, str(p.setting))
                               for name, pop in self.populations.items()}

        self._allocate()
        self.agent_class = agent_class
        self.grid = None
        self._agents_by_site: dict[int, VSMC] = {}
        if engine == "agents":
            self.grid = OrthogonalMooreGrid(self.geometry.shape, torus=False, capacity=1, random=self.random)
            self.lattice.attach_to_grid(self.grid)  # cell.calcium_mM etc. read the fields
        for proc in self.processes:
            proc.setup(self)
        try:
            self.processes.check(self)
        except ValueError as exc:
            raise ParameterError(str(exc)) from None
        for proc in self.processes:
            proc.initialise(self)
        if engine == "agents":
            self._sync_agents()

        self.outputs = OutputRegistry()
        for proc in self.processes:
            for group in proc.outputs(self):
                self.outputs.add(group)
        self.stats: dict[str, float] = {}
        self._stats_step: int | None = None
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_read_stat, name=name) for name in self.outputs.names()})
        self.refresh_stats()
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ construction
    def _allocate(self) -> None:
        """Every field and buffer the processes declare, once."""
        initial: dict[str, float] = {}
        for proc in self.processes:
            values = getattr(proc, "initial_values", None)
            if values is not None:
                initial.update(values(self.params))
        self.buffers: dict[str, np.ndarray] = {}
        self.release: dict[str, np.ndarray] = {}
        for proc in self.processes:
            for spec in proc.fields:
                self.lattice.add_field(spec, initial.get(spec.name))
            for buf in proc.buffers:
                arr = np.zeros(self.n_sites, dtype=buf.dtype)
                self.buffers[buf.name] = arr
                if buf.group == "release":
                    self.release[buf.name] = arr

    # ------------------------------------------------------------------ conveniences
    @property
    def cells(self) -> CellPopulation:
        """The VSMCs (the population of the ``vsmc`` type)."""
        return self.populations[VSMC_TYPE.name]

    @property
    def cell_phases(self) -> dict[str, CellPhase]:
        return {p.name: p for p in self.processes if isinstance(p, CellPhase)}

    @property
    def agent_sets(self) -> dict[str, Any]:
        """The Mesa agents of each cell type (engine="agents")."""
        agents = self.agents_by_type.get(self.agent_class)
        return {VSMC_TYPE.name: agents if agents is not None else mesa.agent.AgentSet([], random=self.random)}

    @property
    def nucleation_log(self):
        return self.processes["nucleation"].log

    @property
    def transition_log(self):
        return self.processes[f"{VSMC_TYPE.name}_transitions"].log

    def systemic_now(self) -> dict[str, Any]:
        """Systemic and intervention values in force now (schedule and glucose swings applied;
        with a coupled patient, its serum at this time in place of the serum parameters)."""
        values = self.processes["systemic"].values_at(self, self.time_h)
        if "mineral_metabolism" in self.processes.names():
            values.update(self.processes["mineral_metabolism"].serum_values(self))
        return values

    # ------------------------------------------------------------------ agents engine
    def _sync_agents(self) -> None:
        """Keep exactly one VSMC agent on every occupied site (after deaths and divisions)."""
        occupied = set(self.cells.occupied().tolist())
        current = set(self._agents_by_site)
        for site in current - occupied:
            self._agents_by_site.pop(site).remove()
        cols = self.geometry.cols
        for site in sorted(occupied - current):
            cell = self.grid._cells[(site // cols, site % cols)]
            self._agents_by_site[site] = self.agent_class(self, site, cell)

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance the model by one time step of ``dt_h`` hours: run every process in order."""
        for proc in self.processes:
            proc.step(self)
        if self.engine == "agents":
            self._sync_agents()
        self.time_h = self.steps * self.dt_h
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ outputs
    def refresh_stats(self) -> None:
        """Compute every step output of the registry for the current state."""
        self.stats = self.outputs.compute(self, "step")
        self._stats_step = self.steps

    def stat(self, name: str) -> float:
        """The current value of output ``name``."""
        if self._stats_step != self.steps:
            self.refresh_stats()
        if name not in self.stats:
            raise KeyError(self.outputs.unknown_message(name))
        return self.stats[name]

    def phenotype_grid(self) -> np.ndarray:
        """VSMC phenotype code per site, shape (rows, cols): 0 empty, then the codes of
        :data:`vcsim.cells.vsmc.variables.PHENOTYPES` (lamina sites are 0)."""
        return self.cells.phenotype.reshape(self.geometry.shape)

    def mineral_calcium_umol(self) -> float:
        """Calcium held in mineral over the wall (umol)."""
        return mineral_calcium_umol(self)

    def totals_umol(self) -> dict[str, float]:
        """Calcium and phosphorus in the wall's fluid, mineral and cells (umol), for the ledger."""
        return wall_totals_umol(self)

    def timeseries_frame(self) -> pd.DataFrame:
        """One row per collected step (step 0 = initial state), units in the column names."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "step", np.arange(len(df), dtype=np.int64))
        return df

    def snapshot_fields(self) -> dict[str, np.ndarray]:
        """Copies of every lattice field, the phenotype grid and the cell-state grids."""
        out = {name: arr.copy() for name, arr in self.lattice.fields.items()}
        out["phenotype"] = self.phenotype_grid().copy()
        shape = self.geometry.shape
        for name in self.cells.cell_type.variable_names:
            out[f"cell_{name}"] = self.cells.state[name].reshape(shape).copy()
        return out

    def summary_metrics(self) -> dict[str, float]:
        """Final values of the outputs and the run-level summaries (for sweeps and validation)."""
        if self._stats_step != self.steps:
            self.refresh_stats()
        s = dict(self.stats)
        s.update(self.outputs.compute(self, "summary"))
        return s

    # ------------------------------------------------------------------ checkpoints
    def checkpoint(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Everything needed to continue this run exactly: arrays (npz) and metadata (json)."""
        arrays: dict[str, np.ndarray] = {}
        for type_name, pop in self.populations.items():
            for name, arr in pop.arrays().items():
                arrays[f"cells/{type_name}/{name}"] = np.asarray(arr)
        for name, arr in self.lattice.fields.items():
            arrays[f"field/{name}"] = arr
        process_state: dict[str, dict[str, Any]] = {}
        for name, state in self._process_states().items():
            plain: dict[str, Any] = {}
            for key, value in state.items():
                if isinstance(value, np.ndarray):
                    arrays[f"process/{name}/{key}"] = value
                else:
                    plain[key] = value
            process_state[name] = plain
        ts = self.datacollector.model_vars
        for name in self.outputs.names():
            arrays[f"ts/{name}"] = np.asarray(ts[name])  # ints stay ints
        meta = {
            "checkpoint_format": CHECKPOINT_FORMAT,
            "vcsim_version": __version__,
            "seed": self.seed,
            "engine": self.engine,
            "steps": int(self.steps),
            "time_h": self.time_h,
            "params": self.params.to_dict(),
            "schedule": self.schedule.to_records(),
            "rules_overrides": self.rules_overrides,
            "ledger": self.ledger.to_dict(),
            "processes": self.processes.names(),
            "process_state": process_state,
        }
        json.dumps(meta)  # fail here, not half-way through writing, if anything is not JSON
        return arrays, meta

    def _process_states(self) -> dict[str, dict[str, Any]]:
        return {p.name: p.get_state() for p in self.processes if p.get_state()}

    @classmethod
    def from_checkpoint(cls, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any],
                        agent_class: type[VSMC] = VSMC, processes: Any = None,
                        memory_check: bool = True) -> VascularModel:
        """Rebuild a model from :meth:`checkpoint` output; stepping it continues the run exactly.

        A checkpoint of another format version is refused with a one-line ParameterError;
        ``processes`` must be the same as the run's (the default list, or the same editor).
        """
        fmt = meta.get("checkpoint_format")
        if fmt != CHECKPOINT_FORMAT:
            raise ParameterError(
                f"checkpoint format {fmt!r} (vcsim {meta.get('vcsim_version', '?')}) cannot be read by vcsim "
                f"{__version__}, which reads format {CHECKPOINT_FORMAT}; rerun the scenario from the start")
        params = default_parameters().updated(meta["params"])
        schedule = Schedule.from_records(meta.get("schedule", []))
        model = cls(seed=int(meta["seed"]), engine=meta["engine"], schedule=schedule,
                    rules_overrides=meta.get("rules_overrides"), params=params,
                    agent_class=agent_class, processes=processes, memory_check=memory_check)
        if list(meta.get("processes", [])) != model.processes.names():
            raise ParameterError("checkpoint: its processes (" + ", ".join(meta.get("processes", []))
                                 + ") differ from this model's; pass the same processes= to resume")
        for type_name, pop in model.populations.items():
            prefix = f"cells/{type_name}/"
            d = {k[len(prefix):]: np.array(v) for k, v in arrays.items() if k.startswith(prefix)}
            model.populations[type_name] = CellPopulation.from_arrays(pop.cell_type, d, seed=model.seed)
        for k, v in arrays.items():
            if k.startswith("field/"):
                name = k.split("/", 1)[1]
                if name in model.lattice.fields:
                    np.copyto(model.lattice.fields[name], v)
        states: dict[str, dict[str, Any]] = {k: dict(v) for k, v in meta.get("process_state", {}).items()}
        for k, v in arrays.items():
            if k.startswith("process/"):
                _, name, key = k.split("/", 2)
                states.setdefault(name, {})[key] = np.asarray(v)
        for proc in model.processes:
            if proc.name in states:
                proc.set_state(states[proc.name])
        model.steps = int(meta["steps"])
        model.time_h = float(meta["time_h"])
        model.ledger.load(meta["ledger"])
        model.processes["systemic"].step(model)  # the values in force at the checkpoint's time
        for proc in model.processes:
            if hasattr(proc, "resume"):
                proc.resume(model)
        ts = {name: list(np.asarray(arrays[f"ts/{name}"]).tolist()) for name in model.outputs.names()}
        model.datacollector.model_vars = ts
        if model.engine == "agents":
            model._sync_agents()
        model._stats_step = None
        return model


def _read_stat(model: VascularModel, name: str) -> float:
    """DataCollector reporter: one output, all computed once per step by the model."""
    return model.stat(name)


def _process_list(processes: Any, params: Parameters) -> ProcessList:
    default = default_processes(params)
    if processes is None:
        return default
    if callable(processes) and not isinstance(processes, ProcessList):
        edited = processes(default)
        return default if edited is None else ProcessList(edited)
    if isinstance(processes, Sequence) and not isinstance(processes, str):
        return ProcessList(processes)
    raise ParameterError(f"processes: {processes!r} is not allowed; expected a list of processes or a "
                         "function that edits the default ProcessList")


def _rules_overrides_from(value: Any) -> list[dict[str, Any]]:
    """The rule overrides as a list of tables: a list of mappings, or ``{rule_id: fields}``."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        if all(isinstance(v, Mapping) for v in value.values()):
            return [dict(fields, id=rule_id) for rule_id, fields in value.items()]
    elif (isinstance(value, Sequence) and not isinstance(value, str | bytes)
          and all(isinstance(e, Mapping) for e in value)):
        return [dict(e) for e in value]
    raise ParameterError(f"rules_overrides: {value!r} is not allowed; expected a list of tables such "
                         "as [{'id': 'apoptosis_base', 'saturation': 2e-5}] or {rule_id: {field: value}}")


def _schedule_from(value: Any) -> Schedule:
    """A Schedule from the TOML shape (a list of {parameter, value, start_day, end_day})."""
    if isinstance(value, Sequence) and not isinstance(value, str) and all(isinstance(e, Mapping) for e in value):
        return Schedule.from_records(value)
    raise ParameterError(f"schedule: {value!r} is not allowed; expected a vcsim.schedule.Schedule or a "
                         "list of {parameter, value, start_day, end_day} tables")


def run(model: VascularModel, days: float) -> VascularModel:
    """Step ``model`` for ``days`` simulated days (rounded to whole steps)."""
    if isinstance(days, bool) or not isinstance(days, (int, float, np.integer, np.floating)) \
            or not math.isfinite(days) or days < 0:
        raise ParameterError(f"days: {days!r} is not allowed; expected a finite number >= 0")
    for _ in range(int(round(float(days) * 24.0 / model.dt_h))):
        model.step()
    return model


__all__ = ["CHECKPOINT_FORMAT", "ENGINES", "OutputGroup", "VascularModel", "run"]
