"""Cell types: what a kind of cell is made of, beside the phenotypes it can take.

A :class:`CellType` (VSMC today; endothelial cells and macrophages are further types) names

- its state **variables** (:class:`Variable`: units, meaning, bounds, whether the run reports
  their mean), stored as float32, one row per lattice site;
- its **sensed signals** (what its sensing process computes each step, float64);
- its **phenotypes** (:class:`PhenotypeDef`: code, whether the cell is alive, whether it is the
  dying state that clearance empties), with code 0 reserved for "no cell of this type here";
- its **behaviours**: the rates and amounts its rules table sets (``to_<phenotype>``,
  ``clearance``, ``division``, secretion rates ...);
- the variable that clocks time since death, read by the clearance rules.

Everything generic (the rules engine, competing phenotype transitions, division, the
population arrays, the outputs of counts and marker means) reads these definitions, so a new
type is a definition and its own processes, not edits of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from vcsim.compiled import record_dtype

EMPTY_CODE = 0


@dataclass(frozen=True)
class Variable:
    """One continuous state variable of a cell type.

    ``upper`` is the largest allowed value (1.0 for levels on the model's 0-1 scale, inf for
    amounts that are only kept >= 0); ``summary``: the run reports its mean over live cells
    as ``mean_<name>``; ``label``: how figures name it; ``panel``: the figure panel that
    plots its mean; ``extensive``: the variable is an amount the cell holds (its phosphate, its
    ER calcium), which division shares between the two daughters instead of copying.
    """

    name: str
    units: str
    meaning: str
    upper: float = 1.0
    summary: bool = True
    label: str = ""
    panel: str = ""  # which figure panel shows its mean ("upr", "osteogenic"; "" none)
    extensive: bool = False  # an amount the cell holds: divided between the daughters


@dataclass(frozen=True)
class PhenotypeDef:
    """One phenotype: its code (>= 1), whether its cells are alive, and whether it is the dying
    state (cells in it are cleared, leaving an empty site)."""

    name: str
    code: int
    alive: bool = True
    dying: bool = False
    colour: str = "#999999"
    label: str = ""


@dataclass(frozen=True)
class CellType:
    """A kind of cell (see the module docstring)."""

    name: str
    label: str
    variables: tuple[Variable, ...]
    signals: tuple[str, ...]
    phenotypes: tuple[PhenotypeDef, ...]
    behaviours: dict[str, tuple[str, str]] = field(default_factory=dict)
    death_clock: str = ""
    empty_colour: str = "#ffffff"

    def __post_init__(self) -> None:
        codes = [p.code for p in self.phenotypes]
        if sorted(codes) != list(range(1, len(codes) + 1)):
            raise ValueError(f"{self.name}: phenotype codes must be 1..{len(codes)}, got {codes}")
        names = [v.name for v in self.variables]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: duplicate variable names")
        if self.death_clock and self.death_clock not in names:
            raise ValueError(f"{self.name}: death clock {self.death_clock!r} is not a variable")

    # ---- names and codes ------------------------------------------------------------------
    @cached_property
    def variable_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    @cached_property
    def n_codes(self) -> int:
        """Phenotype codes including 0 (no cell)."""
        return len(self.phenotypes) + 1

    def phenotype(self, name: str) -> PhenotypeDef:
        for p in self.phenotypes:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no phenotype {name!r}; phenotypes: "
                       + ", ".join(p.name for p in self.phenotypes))

    @cached_property
    def code_names(self) -> dict[int, str]:
        """Code -> name, with 0 as ``"empty"``."""
        return {EMPTY_CODE: "empty", **{p.code: p.name for p in self.phenotypes}}

    @cached_property
    def alive_lut(self) -> np.ndarray:
        """bool per code: the cell is alive (code 0 and dying phenotypes are not)."""
        lut = np.zeros(self.n_codes, dtype=np.bool_)
        for p in self.phenotypes:
            lut[p.code] = p.alive
        return lut

    @cached_property
    def dying_code(self) -> int:
        """Code of the dying phenotype (0 if the type has none)."""
        for p in self.phenotypes:
            if p.dying:
                return p.code
        return EMPTY_CODE

    @cached_property
    def upper_bounds(self) -> np.ndarray:
        return np.array([v.upper for v in self.variables], dtype=np.float64)

    @cached_property
    def extensive_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables if v.extensive)

    @cached_property
    def death_clock_index(self) -> int:
        return self.variable_names.index(self.death_clock) if self.death_clock else -1

    # ---- storage ---------------------------------------------------------------------------
    @cached_property
    def state_dtype(self) -> np.dtype:
        """The stored state of one cell: every variable as float32."""
        return record_dtype(self.variable_names, np.float32)

    @cached_property
    def work_dtype(self) -> np.dtype:
        """The state of one cell during its update: every variable as float64."""
        return record_dtype(self.variable_names, np.float64)

    @cached_property
    def signal_dtype(self) -> np.dtype:
        return record_dtype(self.signals, np.float64)

    @cached_property
    def rule_signals(self) -> frozenset[str]:
        """Every name a rule may read: the variables and the sensed signals."""
        return frozenset(self.variable_names) | frozenset(self.signals)

    def signal_source(self, name: str) -> tuple[int, int]:
        """Where a rule reads ``name``: (0, variable column) or (1, signal column)."""
        if name in self.variable_names:
            return 0, self.variable_names.index(name)
        if name in self.signals:
            return 1, self.signals.index(name)
        raise KeyError(name)

    def phenotype_groups(self) -> dict[str, tuple[int, ...]]:
        """Rules-table ``phenotype`` column values -> the codes they cover."""
        groups = {p.name: (p.code,) for p in self.phenotypes}
        groups["viable"] = tuple(p.code for p in self.phenotypes if p.alive)
        groups["any"] = tuple(p.code for p in self.phenotypes)
        return groups
