"""How vcsim compiles its per-cell and per-site rules (numba), written once for every caller.

Every equation of the cell model and the speciation solve is a plain Python function of *one*
cell or *one* site, decorated with :func:`jit`. The vector engine calls it in a compiled loop
over the lattice; the agents engine (one Mesa agent per cell) calls the same loop with a
one-cell index. There is no second transcription of the science, so the two engines agree by
construction.

Settings (the same for every kernel):

- ``cache=True``: compiled code is kept on disk next to the source (``__pycache__``); a cold
  cache costs some seconds once per checkout;
- ``nogil=True``: the block threads of :mod:`vcsim.parallel` run kernels side by side;
- ``error_model="numpy"``: division by zero gives inf/NaN as numpy does, no exception;
- ``fastmath=False``: IEEE arithmetic in the order written, so results do not depend on the
  compiler's reassociation.

``NUMBA_DISABLE_JIT=1`` runs the same source as plain Python (slowly): the way to step through
a rule in a debugger. Records (numpy structured scalars of dtype ``np.record``) give the rules
readable names, ``cell.grp78`` and ``p.tau_grp78_h``, in both modes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numba
import numpy as np

F = TypeVar("F", bound=Callable[..., Any])

JIT_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": False}


def jit(fn: F) -> F:
    """Compile ``fn`` with the settings of the module docstring."""
    return numba.njit(**JIT_OPTIONS)(fn)


def record_dtype(names: Sequence[str], dtype: Any = np.float64) -> np.dtype:
    """A structured dtype with one ``dtype`` field per name, of record type (attribute access
    ``r.name`` in numpy and in compiled code)."""
    return np.dtype((np.record, [(name, dtype) for name in names]))


def as_matrix(records: np.ndarray) -> np.ndarray:
    """A 2-D view ``(len, n_fields)`` of a record array whose fields share one dtype (the same
    memory: rules read a variable by its column index)."""
    base = records.dtype.fields[records.dtype.names[0]][0]
    return records.view(np.ndarray).view(base).reshape(len(records), len(records.dtype.names))


def numba_version() -> str:
    return numba.__version__
