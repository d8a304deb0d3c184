"""Time stepping: an L-stable SDIRK2 sub-stepper inside one caller step, with exact mass ledger.

The systemic ODE is stiff (PTH clears in minutes, CPP in minutes, bone remodels over months),
so :func:`advance` integrates it with Alexander's two-stage, second-order, L-stable singly
diagonally implicit Runge-Kutta method (Alexander 1977 SIAM J Numer Anal 14:1006),
``gamma = 1 - 1/sqrt(2)``::

    K1 = f(t + gamma h, y + gamma h K1)
    K2 = f(t + h,       y + (1 - gamma) h K1 + gamma h K2)
    y_new = y + h ((1 - gamma) K1 + gamma K2)

The stage equations are solved by simplified Newton iterations with a finite-difference
Jacobian of the dynamic entries (the ledger does not feed back). The new state, ledger included,
is assembled from the stage derivatives, so the mass ledger closes to round-off whatever the
Newton tolerance: every column of ``f`` sums to zero over pools and ledger.

Sub-steps: the caller's interval is first split at haemodialysis on/off times (never stepped
across) and at the breakpoints of a piecewise-linear GFR schedule; inside each piece the step
is at most ``systemic_max_substep_h`` and, when ``systemic_rtol > 0``, adapted to a local error
estimate ``(I - gamma h J)^-1 gamma h (K2 - K1)`` (the filtered embedded first-order estimate,
Shampine's device for stiff problems). ``systemic_rtol = 0`` gives fixed sub-steps of
``systemic_max_substep_h``, for convergence studies: the error then falls as ``h**2``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.linalg import lu_factor, lu_solve

from vcsim.params import ParameterError, Parameters
from vcsim.systemic import dialysis
from vcsim.systemic.inputs import PiecewiseLinear, SystemicInputs
from vcsim.systemic.mineral_metabolism import Drive, coefficients, rates, scales
from vcsim.systemic.state import FIELDS, N_DYNAMIC, MineralState

GAMMA = 1.0 - 1.0 / math.sqrt(2.0)


def finite_difference_jacobian(
    f: Callable[[np.ndarray], np.ndarray], y: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """Forward-difference Jacobian ``d f[rows] / d y[cols]`` with steps ``sqrt(eps) * scale``."""
    f0 = f(y)[rows]
    sc = scales(y)
    jac = np.empty((len(rows), len(cols)))
    for j, c in enumerate(cols):
        h = 1.5e-8 * sc[c]
        yp = y.copy()
        yp[c] += h
        jac[:, j] = (f(yp)[rows] - f0) / h
    return jac


class _Stepper:
    """One SDIRK2 step with simplified Newton; keeps the Jacobian between steps of a call."""

    def __init__(self, k: dict[str, float], drive: Drive, rtol: float):
        self.k, self.drive = k, drive
        self.newton_tol = 1e-10 if rtol <= 0.0 else min(1e-8, 1e-3 * rtol)
        self.jac: np.ndarray | None = None
        self.lu = None
        self.lu_h = None
        self.dyn = np.arange(N_DYNAMIC)

    def f(self, t: float, y: np.ndarray) -> np.ndarray:
        return rates(t, y, self.k, self.drive)

    def _factor(self, t: float, y: np.ndarray, h: float, fresh: bool) -> None:
        if fresh or self.jac is None:
            self.jac = finite_difference_jacobian(lambda yy: self.f(t, yy), y, self.dyn, self.dyn)
            self.lu_h = None
        if self.lu_h != h:
            self.lu = lu_factor(np.eye(N_DYNAMIC) - GAMMA * h * self.jac, check_finite=False)
            self.lu_h = h

    def _stage(
        self, t: float, base: np.ndarray, h: float, guess: np.ndarray, sc: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Solve ``Y = base + gamma h f(t, Y)``; return (Y, f(Y)) or None if Newton fails."""
        y = guess.copy()
        for _ in range(12):
            fy = self.f(t, y)
            resid = y[:N_DYNAMIC] - base[:N_DYNAMIC] - GAMMA * h * fy[:N_DYNAMIC]
            if not np.all(np.isfinite(resid)):
                return None
            delta = lu_solve(self.lu, -resid, check_finite=False)
            y[:N_DYNAMIC] += delta
            if np.max(np.abs(delta) / sc) < self.newton_tol:
                return y, self.f(t, y)
        return None

    def step(self, t: float, y: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray] | None:
        """Return (y_new, filtered error vector) or None if Newton failed at this ``h``."""
        sc = scales(y)
        for attempt in range(2):
            self._factor(t, y, h, fresh=attempt > 0)
            s1 = self._stage(t + GAMMA * h, y, h, y, sc)
            if s1 is None:
                continue
            y1, k1 = s1
            base2 = y + (1.0 - GAMMA) * h * k1
            guess2 = y + h * k1
            s2 = self._stage(t + h, base2, h, guess2, sc)
            if s2 is None:
                continue
            _, k2 = s2
            y_new = y + h * ((1.0 - GAMMA) * k1 + GAMMA * k2)
            err = lu_solve(
                self.lu, GAMMA * h * (k2[:N_DYNAMIC] - k1[:N_DYNAMIC]), check_finite=False
            )
            return y_new, err
        return None


def _pieces(t0: float, t1: float, k: dict[str, float], inputs: SystemicInputs) -> list[float]:
    cuts = [t0, *dialysis.session_boundaries(t0, t1, k)]
    g = inputs.gfr_mL_per_min
    if isinstance(g, PiecewiseLinear):
        cuts += [b for b in g.breakpoints() if t0 < b < t1]
    return sorted(set(cuts)) + [t1]


def advance(
    state: MineralState, t_h: float, dt_h: float, inputs: SystemicInputs | None, params: Parameters
) -> MineralState:
    """Integrate the systemic model from ``t_h`` to ``t_h + dt_h`` (hours); return the new state.

    Call once per wall step. ``inputs`` carries the GFR schedule and the wall's mineral uptake
    during this step (mmol, removed from the ECF uniformly over ``dt_h``). Deterministic: the
    same calls give the same bits, so a run split at a call boundary with a
    :meth:`MineralState.to_dict` / :meth:`MineralState.from_dict` round trip continues
    identically.
    """
    if not isinstance(state, MineralState):
        raise ParameterError("advance: state must be a MineralState")
    for name, val in (("t_h", t_h), ("dt_h", dt_h)):
        if isinstance(val, bool) or not isinstance(val, (int, float)) or not math.isfinite(val):
            raise ParameterError(f"advance: {name} = {val!r} is not a finite number")
    if dt_h <= 0.0:
        raise ParameterError(f"advance: dt_h = {dt_h!r}; expected a positive step in hours")
    inputs = inputs or SystemicInputs()
    k = coefficients(params)
    wall = inputs.wall_rates(dt_h)
    h_max = k["systemic_max_substep_h"]
    rtol = k["systemic_rtol"]
    y = state.to_array()
    if not np.all(np.isfinite(y)):
        raise ParameterError("advance: the state contains a non-finite entry")

    cuts = _pieces(float(t_h), float(t_h) + float(dt_h), k, inputs)
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        mid = 0.5 * (a + b)
        hd = 1.0 if dialysis.on_haemodialysis(mid, k) else 0.0
        drive = Drive(inputs, hd, hd, *wall)
        stepper = _Stepper(k, drive, rtol)
        y = _integrate_piece(stepper, y, a, b, h_max, rtol)
    negative = [n for n, v in zip(FIELDS[:N_DYNAMIC], y[:N_DYNAMIC], strict=True) if v < 0.0]
    if negative:
        raise ParameterError(
            f"advance: '{negative[0]}' became negative by t = {t_h + dt_h:g} h "
            "(a wall uptake larger than the pool, or inputs without a physiological state)"
        )
    return MineralState.from_array(y)


def _integrate_piece(
    stepper: _Stepper, y: np.ndarray, t0: float, t1: float, h_max: float, rtol: float
) -> np.ndarray:
    t = t0
    span = t1 - t0
    if rtol <= 0.0:
        n = max(1, math.ceil(span / h_max - 1e-9))
        h = span / n
        for i in range(n):
            out = stepper.step(t0 + i * h, y, h)
            if out is None:
                raise ParameterError(
                    f"advance: implicit solve failed at t = {t0 + i * h:g} h "
                    "with fixed sub-steps; lower systemic_max_substep_h"
                )
            y = out[0]
        return y
    h = min(h_max, span)
    while t1 - t > 1e-12 * max(1.0, abs(t1)):
        h = min(h, t1 - t)
        out = stepper.step(t, y, h)
        if out is None:
            h *= 0.25
            if h < 1e-9:
                raise ParameterError(f"advance: implicit solve failed at t = {t:g} h")
            continue
        y_new, err = out
        sc = scales(y)
        e = float(np.sqrt(np.mean((err / (rtol * sc)) ** 2)))
        if e <= 1.0 or h <= 1e-6:
            y, t = y_new, t + h
            grow = 4.0 if e < 1e-8 else min(4.0, max(1.0, 0.9 / math.sqrt(e)))
            h = min(h_max, h * grow)
        else:
            h *= max(0.2, 0.9 / math.sqrt(e))
    return y
