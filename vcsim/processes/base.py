"""Processes: the mechanisms a step is made of, each declaring what it reads and writes.

A :class:`Process` is one mechanism (systemic inputs, the cells of a type, divisions, the
deposit of what cells released, TNAP, speciation, nucleation, growth, transport, ...). It
declares

- ``reads`` / ``writes``: the state it uses, as dotted names in the model's namespaces:
  ``field.<name>`` (lattice fields), ``<cell type>.<variable>``, ``<cell type>.phenotype`` or
  ``<cell type>.event_clock`` (the sites' event clocks, :mod:`vcsim.cells.clocks`),
  ``signal.<name>`` (what cells sensed this step), ``release.<name>`` (what cells released
  this step), ``input.<parameter>`` (values in force now), ``log.<name>``, ``ledger.<account>``;
- ``parameters``: the schema parameters it reads;
- ``fields``: the lattice fields it owns (:class:`~vcsim.lattice.FieldSpec`; the model
  allocates them) and ``buffers``: per-site arrays of one step it owns;
- its checkpoint state (:meth:`Process.get_state` / :meth:`Process.set_state`) and the outputs it
  contributes to the registry (:meth:`Process.outputs`).

The model steps an ordered :class:`ProcessList`; :meth:`ProcessList.table` prints the order with
what each process reads and writes (docs/ARCHITECTURE.md is generated from it). A user adds,
replaces or removes a process from their own code (``VascularModel(processes=...)``,
``scenarios/custom_process.py``) without editing the package.

The cells of one type are a :class:`CellPhase`: its own ordered list of :class:`CellProcess`
objects (sensing, intracellular update, phenotype, secretion, ...), run for every cell. In the
vector engine each runs over chunks of all cells; in the agents engine every Mesa agent runs
them for its own cell. A cell process reads only its own cell's row and its site, and writes
only its own cell's row and release, so both engines give the same result.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from vcsim.lattice import FieldSpec

if TYPE_CHECKING:
    from vcsim.model import VascularModel
    from vcsim.outputs.registry import Output


@dataclass(frozen=True)
class BufferSpec:
    """A per-site array of one step owned by a process (e.g. what cells released), not
    checkpointed: it is filled and consumed within a step."""

    name: str
    units: str
    meaning: str
    dtype: Any = np.float64
    group: str = ""  # "release": what cells release this step (``model.release``)


def _describe(proc: Any) -> dict[str, Any]:
    doc = (type(proc).__doc__ or "").strip().split("\n\n")[0]
    doc = re.sub(r"\s*\(module docstring[^)]*\)", "", " ".join(doc.split()))
    return {"name": proc.name, "class": f"{type(proc).__module__}.{type(proc).__qualname__}",
            "reads": list(proc.reads), "writes": list(proc.writes),
            "parameters": list(proc.parameters), "doc": doc}


class Process(ABC):
    """One mechanism of a step (see the module docstring)."""

    name: str = ""
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    buffers: tuple[BufferSpec, ...] = ()

    def setup(self, model: VascularModel) -> None:  # noqa: B027 - optional hook
        """Called once when the model is built (after every field and buffer exists)."""

    def initialise(self, model: VascularModel) -> None:  # noqa: B027 - optional hook
        """Called once after every process's :meth:`setup`, in step order: put this process's
        state at the steady state a run starts from (the healthy tissue at t = 0)."""

    @abstractmethod
    def step(self, model: VascularModel) -> None:
        """Advance this mechanism over one time step ``[t, t + dt]`` (``model.time_h`` is t)."""

    def outputs(self, model: VascularModel) -> Sequence[Output]:
        """Outputs this process contributes to the registry."""
        return ()

    def get_state(self) -> dict[str, Any]:
        """What a checkpoint must keep to continue exactly (numbers, lists, numpy arrays)."""
        return {}

    def set_state(self, state: dict[str, Any]) -> None:  # noqa: B027 - optional hook
        """Restore :meth:`get_state` output."""

    def resume(self, model: VascularModel) -> None:  # noqa: B027 - optional hook
        """After a checkpoint is loaded and the systemic values in force are applied again:
        re-apply whatever else this process puts into the input record or the boundary."""

    def describe(self) -> dict[str, Any]:
        """Name, declarations and the docstring's first paragraph (for the process table)."""
        return _describe(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class CellProcess(ABC):
    """One rule of a cell type's life, run for a chunk of its cells (module docstring).

    ``prepare(ctx)`` is called once per step before any cell runs (stream keys, views);
    ``run(ctx, idx, buf)`` for the cells at sites ``idx`` with the chunk's buffers ``buf``.
    """

    name: str = ""
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()

    def setup(self, model: VascularModel, phase: CellPhase) -> None:  # noqa: B027 - optional hook
        """Called once when the model is built."""

    def prepare(self, ctx: CellStepContext) -> None:  # noqa: B027 - optional hook
        """Called once per step, before the cells run."""

    def initialise(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:  # noqa: B027
        """At the start of a run, for the cells at ``idx`` (the chunk's ``next`` holds their
        stored state, nobody died): what this rule contributes to the starting steady state
        (sensing senses, secretion gives its expected releases of one step, ...). Default:
        nothing."""

    @abstractmethod
    def run(self, ctx: CellStepContext, idx: np.ndarray, buf: CellBuffers) -> None:
        """Apply this rule to the cells at sites ``idx`` (chunk buffers ``buf``)."""

    def outputs(self, model: VascularModel) -> Sequence[Any]:
        """Outputs this cell process contributes to the registry."""
        return ()

    def describe(self) -> dict[str, Any]:
        return _describe(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class CellBuffers:
    """Per-chunk scratch of a cell phase: what the cells sensed (``signals``), their updated
    state before it is stored (``next``, float64) and who died this step (``died``), with 2-D
    views (``signals_matrix``, ``next_matrix``) of the same memory for the rules engine."""

    def __init__(self, cell_type: Any, capacity: int):
        from vcsim.compiled import as_matrix

        self.capacity = capacity
        self._signals = np.zeros(capacity, dtype=cell_type.signal_dtype)
        self._next = np.zeros(capacity, dtype=cell_type.work_dtype)
        self._signals_m = as_matrix(self._signals)
        self._next_m = as_matrix(self._next)
        self._died = np.zeros(capacity, dtype=np.bool_)
        self.size = capacity

    def resize(self, size: int) -> CellBuffers:
        self.size = size
        return self

    @property
    def signals(self) -> np.ndarray:
        return self._signals[: self.size]

    @property
    def signals_matrix(self) -> np.ndarray:
        return self._signals_m[: self.size]

    @property
    def next(self) -> np.ndarray:
        return self._next[: self.size]

    @property
    def next_matrix(self) -> np.ndarray:
        return self._next_m[: self.size]

    @property
    def died(self) -> np.ndarray:
        return self._died[: self.size]


class CellStepContext:
    """What the cell processes of a type share during one step: the model, the population,
    the compiled rules, the input record, the step's random-stream keys and flat views of the
    fields. Built by the :class:`CellPhase` at the start of each step."""

    def __init__(self, model: VascularModel, phase: CellPhase):
        self.model = model
        self.phase = phase
        self.cell_type = phase.cell_type
        self.population = model.populations[phase.cell_type.name]
        self.rules = model.compiled_rules[phase.cell_type.name]
        self.inputs = model.inputs.array  # one-element record array (p = inputs[0] in kernels)
        self.dt_h = model.dt_h
        self.seed = model.seed
        self.step = model.steps
        self.flat = {name: arr.reshape(-1) for name, arr in model.lattice.fields.items()}
        self.release = model.release
        self.keys: dict[int, Any] = {}

    def key(self, purpose: int) -> Any:
        """The random-stream key of ``purpose`` for this step (:func:`vcsim.rng.stream_key`)."""
        from vcsim.rng import stream_key

        k = self.keys.get(purpose)
        if k is None:
            k = self.keys[purpose] = stream_key(self.seed, self.step, int(purpose))
        return k


#: cells per chunk of a cell phase: bounds the buffers (~(variables + signals) x 8 B per cell)
CHUNK_CELLS = 65536


class CellPhase(Process):
    """The cells of one type: its cell processes, run for every cell (module docstring)."""

    def __init__(self, cell_type: Any, processes: Sequence[CellProcess], name: str | None = None):
        self.cell_type = cell_type
        self.name = name or cell_type.name
        self.processes = ProcessList(processes)
        self._local = threading.local()
        self.ctx: CellStepContext | None = None
        self._sequence: tuple[CellProcess, ...] = ()

    # declarations are the union of the cell processes'
    @property
    def reads(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(dict.fromkeys(r for p in self.processes for r in p.reads))

    @property
    def writes(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(dict.fromkeys(w for p in self.processes for w in p.writes))

    @property
    def parameters(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(dict.fromkeys(x for p in self.processes for x in p.parameters))

    def setup(self, model: VascularModel) -> None:
        for proc in self.processes:
            proc.setup(model, self)

    def outputs(self, model: VascularModel) -> Sequence[Any]:
        from vcsim.cells.reporting import cell_outputs

        groups = list(cell_outputs(self.cell_type, model, self.name))
        for proc in self.processes:
            groups += list(proc.outputs(model))
        return groups

    def _buffers(self, size: int) -> CellBuffers:
        cache = getattr(self._local, "buffers", None)
        if cache is None or cache.capacity < size:
            cache = self._local.buffers = CellBuffers(self.cell_type, max(size, 1))
        return cache.resize(size)

    def begin_step(self, model: VascularModel) -> CellStepContext:
        """Build this step's context and let every cell process prepare."""
        self.ctx = ctx = CellStepContext(model, self)
        self._sequence = tuple(self.processes)  # the order of this step (edits apply next step)
        for proc in self._sequence:
            proc.prepare(ctx)
        return ctx

    def run_cells(self, idx: np.ndarray) -> None:
        """Run every cell process, in order, for the cells at sites ``idx`` (one chunk)."""
        ctx = self.ctx
        if ctx is None:
            raise RuntimeError(f"cell phase {self.name!r}: run_cells before begin_step")
        if idx.dtype != np.int64 or not idx.flags.c_contiguous:
            idx = np.ascontiguousarray(idx, dtype=np.int64)
        buf = self._buffers(idx.size)
        for proc in self._sequence:
            proc.run(ctx, idx, buf)

    def initialise(self, model: VascularModel) -> None:
        """Run every cell process's ``initialise`` for every cell (one pass, no state change
        except what those hooks write)."""
        ctx = self.begin_step(model)
        pop = ctx.population
        idx = pop.occupied()
        for s in range(0, idx.size, CHUNK_CELLS):
            chunk = np.ascontiguousarray(idx[s:s + CHUNK_CELLS], dtype=np.int64)
            buf = self._buffers(chunk.size)
            buf.next_matrix[:, :pop.matrix.shape[1]] = pop.matrix[chunk]
            buf.died[:] = False
            for proc in self._sequence:
                proc.initialise(ctx, chunk, buf)
        self.ctx = None

    def step(self, model: VascularModel) -> None:
        from vcsim.parallel import map_blocks

        self.begin_step(model)
        pop = model.populations[self.cell_type.name]
        np.copyto(pop.phenotype_before, pop.phenotype)
        if model.engine == "agents":
            model.agent_sets[self.cell_type.name].shuffle_do("step")
        else:
            idx = pop.occupied()
            chunks = [idx[s:s + CHUNK_CELLS] for s in range(0, idx.size, CHUNK_CELLS)]
            # chunks touch disjoint cells and sites: any thread count gives the same bits
            map_blocks(self.run_cells, chunks, model.threads)


class ProcessList(Sequence):
    """An ordered list of processes with names, editable from user code.

    Names are unique within a list; a cell process is named ``<phase>.<name>`` from outside
    (``"vsmc.sensing"``).
    """

    def __init__(self, processes: Sequence[Any] = ()):
        self._items: list[Any] = []
        for p in processes:
            self.append(p)

    def __getitem__(self, key: int | str) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            lst, i = self._locate(key)
            return lst._items[i]
        return self._items[key]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def names(self) -> list[str]:
        out = []
        for p in self._items:
            out.append(p.name)
            if isinstance(p, CellPhase):
                out += [f"{p.name}.{c.name}" for c in p.processes]
        return out

    def _locate(self, name: str) -> tuple[ProcessList, int]:
        head, _, rest = name.partition(".")
        for i, p in enumerate(self._items):
            if p.name == head:
                if rest:
                    if not isinstance(p, CellPhase):
                        break
                    return p.processes._locate(rest)
                return self, i
        raise KeyError(f"no process {name!r}; processes: {', '.join(self.names())}")

    def append(self, process: Any) -> None:
        if not getattr(process, "name", ""):
            raise ValueError(f"process {process!r} needs a name")
        if any(p.name == process.name for p in self._items):
            raise ValueError(f"a process named {process.name!r} is already in the list")
        self._items.append(process)

    def insert_before(self, name: str, process: Any) -> ProcessList:
        lst, i = self._locate(name)
        lst._check_new(process)
        lst._items.insert(i, process)
        return self

    def insert_after(self, name: str, process: Any) -> ProcessList:
        lst, i = self._locate(name)
        lst._check_new(process)
        lst._items.insert(i + 1, process)
        return self

    def replace(self, name: str, process: Any) -> ProcessList:
        lst, i = self._locate(name)
        lst._items[i] = process
        return self

    def remove(self, name: str) -> ProcessList:
        lst, i = self._locate(name)
        del lst._items[i]
        return self

    def _check_new(self, process: Any) -> None:
        if not getattr(process, "name", ""):
            raise ValueError(f"process {process!r} needs a name")
        if any(p.name == process.name for p in self._items):
            raise ValueError(f"a process named {process.name!r} is already in the list")

    def check(self, model: VascularModel) -> None:
        """Refuse (one line) a process that declares a parameter, field or cell variable the
        model does not have: a typo in a user's process shows at once, not as a wrong result."""
        schema = model.params.schema
        variables = {name: set(pop.cell_type.variable_names) | {"phenotype", "event_clock", "*"}
                     for name, pop in model.populations.items()}
        for row in self.table():
            where = f"process '{row['name']}'"
            for name in row["parameters"]:
                if name not in schema:
                    raise ValueError(f"{where}: parameter {name!r} is not in the schema")
            for name in (*row["reads"], *row["writes"]):
                space, _, item = name.partition(".")
                if space == "field" and item != "*" and item not in model.lattice.fields:
                    raise ValueError(f"{where}: field {item!r} does not exist; fields: "
                                     + ", ".join(model.lattice.fields))
                if space == "input" and item != "*" and item not in schema:
                    raise ValueError(f"{where}: input {item!r} is not a parameter of the schema")
                if space in variables and item not in variables[space]:
                    raise ValueError(f"{where}: {space} cells have no variable {item!r}")

    def table(self) -> list[dict[str, Any]]:
        """One row per process in step order (cell processes nested under their phase)."""
        rows = []
        for p in self._items:
            d = p.describe()
            rows.append(d)
            if isinstance(p, CellPhase):
                for c in p.processes:
                    sub = c.describe()
                    sub["name"] = f"{p.name}.{sub['name']}"
                    rows.append(sub)
        return rows


ProcessEditor = Callable[[ProcessList], ProcessList | None]
