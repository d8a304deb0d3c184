"""Imported by the forkserver of a local sweep pool: warms the compiled kernels once.

With ``vcsim[fast]`` every process loads (or, on a cold cache, compiles) the numba kernels on
their first use, ~0.5 s. The pool's workers are forked from the forkserver, so loading them
there, once, gives every worker (and every worker that replaces a killed one) the kernels
ready. Without numba, or with ``VCSIM_KERNELS=numpy``, importing this does nothing.
"""

from __future__ import annotations

from vcsim import kernels


def warm() -> None:
    """One step of a small model (and a float64 speciation, as crystal growth uses) on the
    compiled path, which loads every kernel a step uses. Never raises: a failure here only
    means the workers load the kernels themselves."""
    if not kernels.ENABLED:
        return
    try:
        import numpy as np

        from vcsim.chemistry.speciation import speciate
        from vcsim.model import VascularModel

        VascularModel(seed=0, lattice_rows=16, lattice_cols=16, threads=1).step()
        speciate(np.full(kernels.MIN_SIZE, 1.2), np.full(kernels.MIN_SIZE, 1.0), 7.4)
    except Exception:  # noqa: BLE001 - warming is an optimisation only
        pass


warm()
