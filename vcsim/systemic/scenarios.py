"""Reusable patient states: CKD by GFR (continuation of steady states) and a haemodialysis start.

Steady states along falling GFR are solved by continuation (each solve starts from the previous
one), which is fast and keeps the solver on the physiological branch. The CKD sequence is read
off with :func:`crossing_gfr`: the GFR at which a serum value first crosses a limit as GFR falls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from vcsim.params import ParameterError, Parameters
from vcsim.systemic.equilibrium import steady_state
from vcsim.systemic.inputs import SystemicInputs
from vcsim.systemic.mineral_metabolism import serum
from vcsim.systemic.state import MineralState


def ckd_steady_states(
    params: Parameters, gfrs_mL_per_min: Iterable[float], initial: MineralState | None = None
) -> list[tuple[float, MineralState]]:
    """Steady states at each GFR (in the given order, by continuation)."""
    out = []
    state = initial
    for g in gfrs_mL_per_min:
        state = steady_state(params, SystemicInputs(gfr_mL_per_min=float(g)), initial=state)
        out.append((float(g), state))
    return out


def haemodialysis_start_state(
    params: Parameters, sessions_per_week: int = 3
) -> tuple[Parameters, MineralState]:
    """(parameters with HD on, anuric starting state with the sessions spread over the week).

    Reached by continuation from normal GFR down to 15 mL/min without dialysis, then to 0 with
    haemodialysis; run :func:`vcsim.systemic.advance` for some weeks to reach the periodic regime.
    """
    hd = params.updated({"haemodialysis_sessions_per_week": sessions_per_week})
    pre = ckd_steady_states(params, (100.0, 60.0, 30.0, 15.0))[-1][1]
    return hd, ckd_steady_states(hd, (10.0, 5.0, 0.0), initial=pre)[-1][1]


def crossing_gfr(
    series: Sequence[tuple[float, MineralState]],
    params: Parameters,
    key: str,
    limit: float,
    above: bool = True,
) -> float:
    """GFR (linear interpolation) where ``serum()[key]`` first passes ``limit`` as GFR falls.

    ``series`` must be ordered by falling GFR; ``above=False`` looks for a fall below ``limit``.
    A series that never crosses is a ParameterError.
    """
    prev = None
    for g, st in series:
        v = serum(st, params)[key]
        crossed = v > limit if above else v < limit
        if crossed:
            if prev is None:
                return g
            g0, v0 = prev
            return g0 + (limit - v0) * (g - g0) / (v - v0)
        prev = (g, v)
    raise ParameterError(f"{key} never crosses {limit} over the GFR series")
