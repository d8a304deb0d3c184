"""The cells of one type on the lattice: a phenotype code and a state row per site.

One row per lattice site (C order). Sites without a cell of this type have code 0 and
variables 0. The state is a record array of float32 (every variable of the
:class:`~vcsim.cells.types.CellType`); a cell's update computes in float64 and rounds once when
it is written back, the same way in both engines. ``population.grp78`` is a view of one
variable across all sites (writes go through), ``population.matrix`` the same memory as a
``(n_sites, n_variables)`` float32 array (rules read variables by column). Each site also
carries the event clocks of its cells (:mod:`vcsim.cells.clocks`): ``event_clock`` (float64,
internal time left per channel) and ``event_draws`` (int64, thresholds drawn per channel).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from vcsim.cells.clocks import N_CHANNELS, renew_clocks, start_clocks
from vcsim.cells.types import EMPTY_CODE, CellType
from vcsim.compiled import as_matrix


class CellPopulation:
    """Phenotype codes and state rows of the cells of ``cell_type`` (module docstring)."""

    def __init__(self, cell_type: CellType, n_sites: int, *, phenotype: np.ndarray | None = None,
                 state: np.ndarray | None = None, seed: int = 0,
                 event_clock: np.ndarray | None = None, event_draws: np.ndarray | None = None):
        self.cell_type = cell_type
        self.seed = int(seed)
        self.phenotype = (np.zeros(n_sites, dtype=np.int8) if phenotype is None
                          else np.ascontiguousarray(phenotype, dtype=np.int8))
        self.state = np.zeros(n_sites, dtype=cell_type.state_dtype) if state is None else state
        if self.state.dtype != cell_type.state_dtype or self.state.shape != (n_sites,):
            raise ValueError(f"{cell_type.name} state must be {n_sites} records of its state dtype")
        self.matrix = as_matrix(self.state)
        if (event_clock is None) != (event_draws is None):
            raise ValueError(f"{cell_type.name}: event_clock and event_draws come together")
        if event_clock is None:
            self.event_clock = np.zeros((n_sites, N_CHANNELS))
            self.event_draws = np.zeros((n_sites, N_CHANNELS), dtype=np.int64)
            start_clocks(self.event_clock, self.event_draws, self.seed)
        else:
            self.event_clock = np.ascontiguousarray(event_clock, dtype=np.float64)
            self.event_draws = np.ascontiguousarray(event_draws, dtype=np.int64)
            if self.event_clock.shape != (n_sites, N_CHANNELS) or self.event_draws.shape != (n_sites, N_CHANNELS):
                raise ValueError(f"{cell_type.name}: event clocks must have shape ({n_sites}, {N_CHANNELS})")
        #: phenotype codes at the start of the current step (the transition log compares)
        self.phenotype_before = self.phenotype.copy()

    # ---- access ----------------------------------------------------------------------------
    @property
    def n_sites(self) -> int:
        return len(self.phenotype)

    @property
    def VARIABLES(self) -> tuple[str, ...]:  # noqa: N802 - the old CellState spelling
        return self.cell_type.variable_names

    def __getattr__(self, name: str) -> np.ndarray:
        # one variable across all sites, as a writeable view
        if name.startswith("_") or name in ("cell_type", "state", "phenotype", "matrix",
                                                    "phenotype_before", "seed", "event_clock", "event_draws"):
            raise AttributeError(name)
        if name in self.cell_type.variable_names:
            return self.state[name]
        raise AttributeError(f"{self.cell_type.name} cells have no variable {name!r}")

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array by name (phenotype first, the event clocks last); views, not copies."""
        out = {"phenotype": self.phenotype}
        for name in self.cell_type.variable_names:
            out[name] = self.state[name]
        out["event_clock"] = self.event_clock
        out["event_draws"] = self.event_draws
        return out

    def renew_clocks(self, idx: np.ndarray) -> None:
        """Fresh event thresholds at sites ``idx``, where new cells have arrived."""
        renew_clocks(self.event_clock, self.event_draws, idx, self.seed)

    def rows(self, idx: np.ndarray, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """The variables at sites ``idx`` (all, or ``names``) as float64 copies."""
        names = self.cell_type.variable_names if names is None else names
        sub = self.state[np.asarray(idx, dtype=np.intp)]
        return {name: sub[name].astype(np.float64) for name in names}

    def write(self, idx: np.ndarray, values: Mapping[str, np.ndarray]) -> None:
        """Write variables at sites ``idx`` (rounded to float32)."""
        idx = np.asarray(idx, dtype=np.intp)
        for name, v in values.items():
            self.state[name][idx] = np.asarray(v).astype(np.float32, copy=False)

    def occupied(self) -> np.ndarray:
        """Site indices holding a cell of this type."""
        return np.flatnonzero(self.phenotype != EMPTY_CODE)

    def alive_mask(self, phenotype: np.ndarray | None = None) -> np.ndarray:
        """True where a site holds a live cell of this type (the type's one definition)."""
        ph = self.phenotype if phenotype is None else np.asarray(phenotype)
        return self.cell_type.alive_lut[ph.astype(np.intp)]

    def counts(self) -> dict[str, int]:
        """Number of sites at each code, by phenotype name (``empty`` counts every site with no
        cell of this type, lamina sites included)."""
        c = np.bincount(self.phenotype.astype(np.intp), minlength=self.cell_type.n_codes)
        return {name: int(c[code]) for code, name in self.cell_type.code_names.items()}

    # ---- copies and checkpoints ------------------------------------------------------------
    @classmethod
    def from_arrays(cls, cell_type: CellType, d: Mapping[str, np.ndarray], seed: int = 0) -> CellPopulation:
        """Rebuild from :meth:`arrays` output (e.g. a checkpoint); dtypes are restored."""
        names = ("phenotype", *cell_type.variable_names, "event_clock", "event_draws")
        missing = [k for k in names if k not in d]
        if missing:
            raise ValueError(f"{cell_type.name} cell state is missing arrays: {', '.join(missing)}")
        n = len(d["phenotype"])
        state = np.zeros(n, dtype=cell_type.state_dtype)
        for name in cell_type.variable_names:
            arr = np.asarray(d[name])
            if arr.shape != (n,):
                raise ValueError(f"cell state array {name!r} has shape {arr.shape}, expected ({n},)")
            state[name] = arr.astype(np.float32)
        return cls(cell_type, n, phenotype=np.asarray(d["phenotype"]), state=state, seed=seed,
                   event_clock=np.asarray(d["event_clock"]), event_draws=np.asarray(d["event_draws"]))

    def copy(self) -> CellPopulation:
        return CellPopulation(self.cell_type, self.n_sites, phenotype=self.phenotype.copy(),
                              state=self.state.copy(), seed=self.seed, event_clock=self.event_clock.copy(),
                              event_draws=self.event_draws.copy())
