"""All vcsim parameters: one schema assembled from the group modules beside this file.

Groups (module -> what reads it):

- ``systemic``: serum / medium composition and the setting (in vitro or in vivo).
- ``simulation``: time step, lattice size, geometry, outputs thresholds.
- ``chemistry``: speciation, nucleation, growth, TNAP (:mod:`vcsim.chemistry`).
- ``transport``: diffusion and boundaries (:mod:`vcsim.transport`).
- ``cells``: the VSMC state, UPR and phenotype rates (:mod:`vcsim.cells`).
- ``interventions``: drugs and genotypes, each acting through a mechanism.
- ``cell_ions``: the cell's own Ca2+ balance, ER store and Mg-ATP (:mod:`vcsim.cells.vsmc.calcium`).

Usage::

    from vcsim.params import default_parameters
    p = default_parameters().with_overrides(["serum_phosphate_mM=2.0"])
"""

from __future__ import annotations

from functools import cache

from vcsim.params.schema import (
    Param,
    ParameterError,
    Parameters,
    Schema,
    parse_assignments,
    read_toml,
    validate_value,
)

__all__ = [
    "Param",
    "ParameterError",
    "Parameters",
    "Schema",
    "default_parameters",
    "parse_assignments",
    "read_toml",
    "schema",
    "validate_value",
]

GROUPS = (
    "systemic", "simulation", "chemistry", "transport", "cells", "interventions", "mineral",
    "cell_ions",
)


@cache
def schema() -> Schema:
    """The one schema of every parameter, grouped by the module that uses it."""
    import importlib

    s = Schema()
    for group in GROUPS:
        module = importlib.import_module(f"vcsim.params.{group}")
        s.add_group(group, module.PARAMS)
    return s


def default_parameters() -> Parameters:
    """Every parameter at its default."""
    return Parameters(schema())
