"""Imported by the forkserver of a local sweep pool: loads the compiled rules once.

Every process loads (or, on a cold cache, compiles) vcsim's numba kernels on their first use,
~1 s from the disk cache. The pool's workers are forked from the forkserver, so loading them
there, once, gives every worker (and every worker that replaces a killed one) the kernels ready.
"""

from __future__ import annotations


def warm() -> None:
    """One step of a small model, which loads every kernel a step uses. Never raises: a failure
    here only means the workers load the kernels themselves."""
    try:
        from vcsim.model import VascularModel

        VascularModel(seed=0, lattice_rows=16, lattice_cols=16, threads=1).step()
    except Exception:  # noqa: BLE001 - warming is an optimisation only
        pass


warm()
