"""What a run reports of the cells of a type: counts and fractions by phenotype, and the mean
of each state variable flagged ``summary`` over the live cells.

Counts are over the sites that can hold a cell (lamina sites excluded): ``n_<phenotype>``,
``n_empty`` (cell sites without a cell) and ``fraction_<phenotype>`` of the cell sites. Marker
means ``mean_<variable>`` are over live cells (NaN when there is none), in the variable's
units (most are relative levels 0-1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vcsim.cells.types import CellType
from vcsim.compiled import jit
from vcsim.outputs.registry import NON_NEGATIVE, UNIT_INTERVAL, Output, OutputGroup


@jit
def _means(matrix, phenotype, alive_lut, columns, out):
    n = 0
    for k in range(columns.size):
        out[k] = 0.0
    for i in range(phenotype.size):
        if alive_lut[phenotype[i]]:
            n += 1
            for k in range(columns.size):
                out[k] += matrix[i, columns[k]]
    for k in range(columns.size):
        out[k] = out[k] / n if n > 0 else np.nan


def marker_means(population: Any) -> dict[str, float]:
    """``mean_<variable>`` over live cells for every summary variable of the population's type."""
    ct = population.cell_type
    names = [v.name for v in ct.variables if v.summary]
    cols = np.array([ct.variable_names.index(n) for n in names], dtype=np.int64)
    out = np.empty(cols.size)
    _means(population.matrix, population.phenotype, ct.alive_lut, cols, out)
    return {f"mean_{n}": float(v) for n, v in zip(names, out, strict=True)}


def cell_outputs(ct: CellType, model: Any, source: str) -> list[OutputGroup]:
    """The counts and marker-mean outputs of the cells of ``ct`` (module docstring)."""
    cell_sites = model.geometry.cell_sites.reshape(-1)
    n_cell_sites = int(cell_sites.sum())
    n_lamina = cell_sites.size - n_cell_sites
    counts: list[Output] = []
    for code, name in ct.code_names.items():
        label = "no cell" if code == 0 else ct.phenotypes[code - 1].label or name
        counts.append(Output(f"n_{name}", "sites", f"cell sites holding a {name} {ct.name}"
                             if code else f"cell sites without a {ct.name}", label, "cells",
                             domain=NON_NEGATIVE, source=source))
        counts.append(Output(f"fraction_{name}", "1", f"share of cell sites {'with' if code else 'without'} "
                             f"{'a ' + name + ' ' + ct.name if code else 'a cell'}", label, "cells",
                             domain=UNIT_INTERVAL, source=source))

    def compute_counts(m: Any) -> dict[str, float]:
        # the population is looked up at each call: a checkpoint restore replaces it
        c = np.bincount(m.populations[ct.name].phenotype.astype(np.intp), minlength=ct.n_codes)
        out: dict[str, float] = {}
        for code, name in ct.code_names.items():
            k = int(c[code]) - (n_lamina if code == 0 else 0)
            out[f"n_{name}"] = k
            out[f"fraction_{name}"] = k / max(n_cell_sites, 1)
        return out

    markers = [Output(f"mean_{v.name}", v.units if v.units != "0-1" else "1",
                      f"mean over live cells: {v.meaning}", v.label or v.name, "markers",
                      domain=UNIT_INTERVAL if v.upper == 1.0 else NON_NEGATIVE, source=source)
               for v in ct.variables if v.summary]
    maxima = [Output(f"{name}_max", "1", f"largest value over the run of {name}", f"{name} (max)", "cells",
                     kind="summary", domain=UNIT_INTERVAL, source=source)
              for name in ("fraction_osteogenic", "fraction_apoptotic", "mean_chop", "mean_grp78")
              if name.replace("fraction_", "") in ct.code_names.values()
              or name.replace("mean_", "") in ct.variable_names]

    def compute_maxima(m: Any) -> dict[str, float]:
        ts = m.datacollector.model_vars
        return {o.name: float(np.nanmax(ts[o.name[:-4]])) if ts.get(o.name[:-4]) else float("nan")
                for o in maxima}

    groups = [OutputGroup(counts, compute_counts, source),
              OutputGroup(markers, lambda m: marker_means(m.populations[ct.name]), source)]
    if maxima:
        groups.append(OutputGroup(maxima, compute_maxima, source))
    return groups
