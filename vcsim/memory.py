"""How much memory a run will need, checked before anything is allocated.

The estimate is linear in the number of lattice sites::

    bytes ~= BASE_BYTES + BYTES_PER_SITE * rows * cols

measured as the peak resident set (VmHWM) of a fresh process that builds a model and steps it
twice: ~235 MB at 30 x 100 (interpreter, numpy, numba and the LLVM compiler), 359 MB at
300 x 300 and 1.78 GB at 1000 x 1000 (the default scenario, 2 threads, vcsim 0.2.0), i.e.
1.4-1.55 kB per site with the reaction-transport solver's scratch and the Anderson retry's
history. :data:`BYTES_PER_SITE` rounds that up. A lattice whose estimate exceeds the memory
the system reports available (``MemAvailable`` of ``/proc/meminfo``; unknown elsewhere, then
nothing is refused) is refused in one line before the run directory or any array is made;
``memory_check=False`` (``--no-memory-check``) overrides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vcsim.params import ParameterError

BASE_BYTES = 250e6
BYTES_PER_SITE = 1600.0


def estimate_bytes(rows: int, cols: int) -> float:
    """Peak memory (bytes) of a run on a ``rows x cols`` lattice (module docstring)."""
    return BASE_BYTES + BYTES_PER_SITE * float(rows) * float(cols)


def available_bytes() -> float | None:
    """Memory available to a new process (``MemAvailable``), or None where it is unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024.0
    except OSError:
        return None
    return None


def _gb(x: float) -> str:
    return f"{x / 1e9:.1f} GB"


def check(params: Mapping[str, Any], available: float | None = None) -> None:
    """Refuse (ParameterError, one line) a lattice that will not fit in the available memory."""
    rows, cols = int(params["lattice_rows"]), int(params["lattice_cols"])
    need = estimate_bytes(rows, cols)
    have = available_bytes() if available is None else available
    if have is not None and need > have:
        raise ParameterError(
            f"lattice_rows x lattice_cols = {rows} x {cols} ({rows * cols:,} sites) needs about {_gb(need)} "
            f"(~{BYTES_PER_SITE / 1e3:g} kB per site) and {_gb(have)} is available; use a smaller lattice, "
            "or --no-memory-check (memory_check=False) to try anyway")
