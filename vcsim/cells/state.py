"""The state of every VSMC: a discrete phenotype and continuous intracellular variables.

One row per lattice site (``n_sites = rows * cols``, C order). Sites without a cell (and the
elastic-lamina sites, which never hold one) are ``Phenotype.EMPTY`` and their variables are 0.
The float variables are stored as float32 (26 x 4 bytes + 1 byte phenotype = 105 bytes per
site); every update computes in float64 and rounds once when it writes back, the same way in
both engines.

Units: UPR/osteogenic activities are relative levels in [0, 1] (1 = the maximal response the
model allows), ``unfolded_load`` and ``ros`` are non-negative indices relative to a reference
(see :data:`VARIABLE_UNITS`), ``glucose_memory_mM`` is mM and ``time_since_death_h`` hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from enum import IntEnum
from typing import ClassVar

import numpy as np

from vcsim import kernels
from vcsim.parallel import map_blocks

STATE_DTYPE = np.float32


class Phenotype(IntEnum):
    """The discrete state of a site."""

    EMPTY = 0
    CONTRACTILE = 1
    OSTEOGENIC = 2
    AUTOPHAGIC = 3
    APOPTOTIC = 4


VIABLE = (Phenotype.CONTRACTILE, Phenotype.OSTEOGENIC, Phenotype.AUTOPHAGIC)

#: units and meaning of each float state variable
VARIABLE_UNITS: dict[str, str] = {
    "unfolded_load": "index >= 0; unfolded/misfolded ER protein relative to basal folding capacity",
    "grp78": "0-1; GRP78/BiP level relative to maximal induction",
    "perk": "0-1; fraction of PERK active (released from GRP78, autophosphorylated)",
    "p_eif2a": "0-1; fraction of eIF2a phosphorylated",
    "atf4": "0-1; ATF4 protein relative to maximal",
    "chop": "0-1; CHOP (DDIT3) relative to maximal",
    "ire1": "0-1; fraction of IRE1a active",
    "xbp1s": "0-1; spliced XBP1 protein relative to maximal",
    "jnk": "0-1; fraction of JNK phosphorylated",
    "atf6": "0-1; cleaved nuclear ATF6(N) relative to maximal",
    "er_calcium_fraction": "0-1; ER Ca2+ store filling (1 = full)",
    "mtorc1": "0-1; mTORC1 activity relative to maximal",
    "autophagy_flux": "0-1; autophagic flux relative to maximal",
    "caspase12": "0-1; fraction of caspase-12 cleaved (severe, prolonged ER stress)",
    "chop_persistence": "0-1; slow integral of high CHOP (persistent, not transient, CHOP kills)",
    "ros": "index >= 0; intracellular ROS relative to a stressed reference (1)",
    "glucose_memory_mM": "mM; slowly adapting memory of glucose (antioxidant adaptation)",
    "runx2": "0-1; Runx2/Cbfa-1 activity (osteogenic transcription) relative to maximal",
    "osteogenic_commitment": "0-1; slow, self-reinforcing integral of high Runx2",
    "contractile_markers": "0-1; aSMA/SM22a relative to a healthy contractile cell",
    "tnap": "0-1; TNAP/ALP expression relative to maximal (osteoblast-like)",
    "enpp1": "0-1; ENPP1 PPi-producing activity relative to a healthy contractile cell",
    "mgp_carboxylated_fraction": "0-1; gamma-carboxylated share of the MGP the cell makes",
    "pit1_expression": "relative >= 0; Pit-1 (SLC20A1) abundance, 1 = healthy contractile",
    "osteogenic_plasticity": "relative > 0; fixed per-cell susceptibility to osteogenic drive (lognormal, median 1)",
    "time_since_death_h": "h; time since the cell became apoptotic (0 while viable)",
}


@dataclass
class CellState:
    """Cell state arrays, one entry per site; ``phenotype`` is int8 (:class:`Phenotype`)."""

    phenotype: np.ndarray
    unfolded_load: np.ndarray
    grp78: np.ndarray
    perk: np.ndarray
    p_eif2a: np.ndarray
    atf4: np.ndarray
    chop: np.ndarray
    ire1: np.ndarray
    xbp1s: np.ndarray
    jnk: np.ndarray
    atf6: np.ndarray
    er_calcium_fraction: np.ndarray
    mtorc1: np.ndarray
    autophagy_flux: np.ndarray
    caspase12: np.ndarray
    chop_persistence: np.ndarray
    ros: np.ndarray
    glucose_memory_mM: np.ndarray
    runx2: np.ndarray
    osteogenic_commitment: np.ndarray
    contractile_markers: np.ndarray
    tnap: np.ndarray
    enpp1: np.ndarray
    mgp_carboxylated_fraction: np.ndarray
    pit1_expression: np.ndarray
    osteogenic_plasticity: np.ndarray
    time_since_death_h: np.ndarray

    VARIABLES: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def zeros(cls, n_sites: int) -> CellState:
        """All sites EMPTY, every variable 0."""
        arrays = {name: np.zeros(n_sites, dtype=STATE_DTYPE) for name in cls.VARIABLES}
        return cls(phenotype=np.zeros(n_sites, dtype=np.int8), **arrays)

    @property
    def n_sites(self) -> int:
        return len(self.phenotype)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array by name (phenotype first); the arrays themselves, not copies."""
        out = {"phenotype": self.phenotype}
        for name in self.VARIABLES:
            out[name] = getattr(self, name)
        return out

    @classmethod
    def from_arrays(cls, d: Mapping[str, np.ndarray]) -> CellState:
        """Rebuild from :meth:`arrays` output (e.g. a checkpoint); dtypes are restored."""
        missing = [k for k in ("phenotype", *cls.VARIABLES) if k not in d]
        if missing:
            raise ValueError(f"cell state is missing arrays: {', '.join(missing)}")
        n = len(d["phenotype"])
        kwargs = {"phenotype": np.array(d["phenotype"], dtype=np.int8)}
        for name in cls.VARIABLES:
            arr = np.array(d[name], dtype=STATE_DTYPE)
            if arr.shape != (n,):
                raise ValueError(f"cell state array {name!r} has shape {arr.shape}, expected ({n},)")
            kwargs[name] = arr
        return cls(**kwargs)

    def rows(self, idx: np.ndarray, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """The float variables at sites ``idx`` (all, or ``names``) as float64 copies (what a
        cell reads)."""
        names = self.VARIABLES if names is None else names
        if kernels.applies(idx):
            idx = np.asarray(idx, dtype=np.intp)
            return {name: kernels.gather(getattr(self, name), idx) for name in names}
        return {name: getattr(self, name)[idx].astype(np.float64) for name in names}

    def write(self, idx: np.ndarray, values: Mapping[str, np.ndarray]) -> None:
        """Write float variables at sites ``idx`` (rounded to the storage dtype)."""
        compiled = kernels.applies(idx)
        if compiled:
            idx = np.asarray(idx, dtype=np.intp)
        for name, v in values.items():
            if compiled and kernels.usable(v) and v.size == idx.size:
                kernels.scatter(getattr(self, name), idx, v)  # round and scatter in one pass
            else:
                # round first, then scatter (the same rounding; a same-dtype scatter is faster)
                getattr(self, name)[idx] = np.asarray(v).astype(STATE_DTYPE, copy=False)

    def counts(self) -> dict[str, int]:
        """Number of sites in each phenotype (EMPTY includes lamina sites)."""
        c = np.bincount(self.phenotype.astype(np.intp), minlength=len(Phenotype))
        return {p.name.lower(): int(c[p]) for p in Phenotype}


CellState.VARIABLES = tuple(f.name for f in fields(CellState) if f.name != "phenotype")
assert set(CellState.VARIABLES) == set(VARIABLE_UNITS), "every variable needs units"

#: below this many viable cells the marker means are taken on one thread (a thread hand-over
#: costs more than a mean of a shorter array)
THREADED_MEANS_MIN_CELLS = 100_000

#: markers averaged over viable cells by :func:`summary_markers`
SUMMARY_MARKERS = (
    "unfolded_load", "grp78", "p_eif2a", "atf4", "chop", "xbp1s", "jnk", "atf6",
    "perk", "ire1", "er_calcium_fraction", "mtorc1", "autophagy_flux", "caspase12", "chop_persistence",
    "ros", "runx2",
    "osteogenic_commitment", "contractile_markers", "tnap", "enpp1", "mgp_carboxylated_fraction",
)


def viable_mask(phenotype: np.ndarray) -> np.ndarray:
    """True where the site holds a living cell (contractile, osteogenic or autophagic)."""
    return (phenotype == Phenotype.CONTRACTILE) | (phenotype == Phenotype.OSTEOGENIC) | (
        phenotype == Phenotype.AUTOPHAGIC
    )


def summary_markers(state: CellState, threads: int = 1) -> dict[str, float]:
    """Mean of the key UPR/osteogenic markers over viable cells, keyed ``mean_<variable>``.

    Units as in :data:`VARIABLE_UNITS`; NaN when there is no viable cell. ``threads``: the
    markers are independent (numpy's take and sum release the GIL), so they can be reduced
    on several threads with the same result.
    """
    alive = np.flatnonzero(viable_mask(state.phenotype))  # gathered once, by index
    n = alive.size

    def mean(name: str) -> float:
        # float64 accumulation without a float64 copy of the gathered values
        arr = getattr(state, name)
        return float(np.add.reduce(arr.take(alive), dtype=np.float64)) / n if n else float("nan")

    means = map_blocks(mean, SUMMARY_MARKERS, threads if n >= THREADED_MEANS_MIN_CELLS else 1)
    return {f"mean_{name}": m for name, m in zip(SUMMARY_MARKERS, means, strict=True)}
