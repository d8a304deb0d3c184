"""Per-call inputs of the systemic model: the GFR schedule and the artery's mineral uptake.

Everything constant for a run (diet, therapies, dialysis prescription) is a parameter of the
``mineral`` group. What the caller varies from step to step travels in :class:`SystemicInputs`:

- ``gfr_mL_per_min``: a number, a callable ``t_h -> GFR`` or a :class:`PiecewiseLinear`
  schedule (CKD progression, transplantation); ``None`` uses the ``gfr_mL_per_min`` parameter.
  It is evaluated at every stage time, so a declining GFR is followed continuously.
- ``wall_*_uptake_mmol``: mineral taken up (positive) or released (negative) by the vascular
  wall model during this call's ``dt_h``, spread uniformly over the interval and removed from
  the ECF. In vivo this feedback is negligible for serum values (a heavily calcifying artery
  takes up well under 1 mmol Ca/day against ~25 mmol/day of dietary Ca) but it keeps the mass
  ledger closed; it matters for closed systems (a culture dish) and for CPP/fetuin-A capture if
  the wall model ever passes those back.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vcsim.params import ParameterError


class PiecewiseLinear:
    """A schedule through points ``(t_h, value)``, linear between them, flat outside."""

    def __init__(self, points: Iterable[tuple[float, float]]):
        pts = [(float(t), float(v)) for t, v in points]
        if not pts:
            raise ParameterError("piecewise-linear schedule: needs at least one (t_h, value) point")
        for t, v in pts:
            if not (math.isfinite(t) and math.isfinite(v)):
                raise ParameterError(f"piecewise-linear schedule: point ({t}, {v}) is not finite")
        times = [t for t, _ in pts]
        if any(b <= a for a, b in zip(times, times[1:], strict=False)):
            raise ParameterError("piecewise-linear schedule: times must be strictly increasing")
        self.times = times
        self.values = [v for _, v in pts]

    def __call__(self, t_h: float) -> float:
        ts, vs = self.times, self.values
        if t_h <= ts[0]:
            return vs[0]
        if t_h >= ts[-1]:
            return vs[-1]
        i = bisect.bisect_right(ts, t_h)
        w = (t_h - ts[i - 1]) / (ts[i] - ts[i - 1])
        return vs[i - 1] + w * (vs[i] - vs[i - 1])

    def breakpoints(self) -> list[float]:
        return list(self.times)


@dataclass(frozen=True)
class SystemicInputs:
    """What the caller supplies for one :func:`vcsim.systemic.advance` call (module docstring)."""

    gfr_mL_per_min: float | Callable[[float], float] | None = None
    wall_calcium_uptake_mmol: float = 0.0
    wall_phosphate_uptake_mmol: float = 0.0
    wall_magnesium_uptake_mmol: float = 0.0

    def gfr_at(self, t_h: float, default_mL_per_min: float) -> float:
        """GFR (mL/min) at ``t_h``; a negative or non-finite schedule value is a ParameterError."""
        g = self.gfr_mL_per_min
        value = default_mL_per_min if g is None else (g(t_h) if callable(g) else g)
        value = float(value)
        if not math.isfinite(value) or value < 0.0:
            raise ParameterError(
                f"GFR at t = {t_h:g} h is {value!r}; expected a finite value >= 0 mL/min"
            )
        return value

    def wall_rates(self, dt_h: float) -> tuple[float, float, float]:
        """Uptake rates (mmol/h) spreading each per-call amount over ``dt_h``."""
        amounts = (
            self.wall_calcium_uptake_mmol,
            self.wall_phosphate_uptake_mmol,
            self.wall_magnesium_uptake_mmol,
        )
        for name, a in zip(("calcium", "phosphate", "magnesium"), amounts, strict=True):
            if isinstance(a, bool) or not isinstance(a, (int, float)) or not math.isfinite(a):
                raise ParameterError(f"wall_{name}_uptake_mmol = {a!r} is not a finite number")
        return tuple(float(a) / dt_h for a in amounts)
