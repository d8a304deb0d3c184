"""Systemic inputs over time: constant values, step changes (a drug from day 7), ramps (a GFR
decline over years), glucose swings.

A :class:`Schedule` is a list of :class:`ScheduleEntry` (parameter, value, start, end, ramp). At
time ``t_h`` the systemic values are the run's parameters with every entry active at ``t_h``
applied (later entries win). A step entry (``ramp_h = 0``) sets its value from ``start_h``. A
ramp entry moves the parameter linearly from the value in force just before it starts (the
run's value, or earlier entries at ``start_h``) to its value over ``ramp_h``, then holds it:

    x(t) = x0 + (x1 - x0) * min(1, (t - start) / ramp),   start <= t < end.

When ``glucose_mode = "fluctuating"``, glucose is a square wave: ``glucose_mM`` for the first
half of each ``glucose_period_h`` and ``glucose_low_mM`` for the second half (stated reason: a
5 <-> 25 mM protocol switching the medium every 24 h, so the default period is 48 h).

Only systemic and intervention parameters, and the patient inputs of the mineral model
(:data:`vcsim.params.mineral.PATIENT_INPUTS`: GFR, diet, binders and other therapies, the
dialysis prescription), may be scheduled: the lattice, the time step, the cell constants and
the physiological constants are fixed for a run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vcsim.params import ParameterError, Parameters, schema, validate_value
from vcsim.params.mineral import PATIENT_INPUTS

SCHEDULABLE_GROUPS = ("systemic", "interventions")
#: parameters of other groups that may be scheduled (the mineral model's patient inputs)
SCHEDULABLE_PARAMETERS = frozenset(PATIENT_INPUTS)
RECORD_FIELDS = ("parameter", "value", "start_day", "end_day", "ramp_days")


def schedulable(p: Any) -> bool:
    """Whether parameter ``p`` (a schema entry) may change in time."""
    return p.group in SCHEDULABLE_GROUPS or p.name in SCHEDULABLE_PARAMETERS


@dataclass(frozen=True)
class ScheduleEntry:
    """``parameter`` takes ``value`` from ``start_h`` (inclusive) until ``end_h`` (exclusive);
    with ``ramp_h > 0`` it gets there linearly over ``ramp_h`` (module docstring)."""

    parameter: str
    value: float | int | bool | str
    start_h: float = 0.0
    end_h: float = math.inf
    ramp_h: float = 0.0

    def active(self, t_h: float) -> bool:
        return self.start_h <= t_h < self.end_h


class Schedule:
    """Time-varying systemic inputs, validated against the parameter schema."""

    def __init__(self, entries: Iterable[ScheduleEntry] = ()):
        s = schema()
        checked = []
        for e in entries:
            p = s.lookup(e.parameter)
            if not schedulable(p):
                raise ParameterError(
                    f"schedule: parameter '{e.parameter}' cannot vary in time; only "
                    f"{' and '.join(SCHEDULABLE_GROUPS)} parameters and the mineral model's "
                    "patient inputs (GFR, diet, therapies, dialysis) can"
                )
            if not (math.isfinite(e.start_h) and e.start_h >= 0 and e.end_h > e.start_h):
                raise ParameterError(
                    f"schedule: '{e.parameter}' window from day {e.start_h / 24:g} to day {e.end_h / 24:g} "
                    "must start at day >= 0 and end after it starts"
                )
            ramp = e.ramp_h
            if isinstance(ramp, bool) or not isinstance(ramp, (int, float)) or not math.isfinite(ramp) \
                    or ramp < 0:
                raise ParameterError(f"schedule: '{e.parameter}' ramp {ramp!r} h is not allowed; "
                                     "expected a finite duration >= 0")
            if ramp > 0 and p.kind is not float:
                raise ParameterError(f"schedule: '{e.parameter}' takes {p.kind.__name__} values and "
                                     "cannot ramp; give it step changes (ramp_days = 0)")
            if ramp > e.end_h - e.start_h:
                raise ParameterError(f"schedule: '{e.parameter}' ramp of {ramp / 24:g} days is longer "
                                     "than its window from start_day to end_day")
            value = validate_value(p, e.value)
            checked.append(ScheduleEntry(e.parameter, value, float(e.start_h), float(e.end_h),
                                         float(ramp)))
        self.entries: tuple[ScheduleEntry, ...] = tuple(checked)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> Schedule:
        """Build from TOML-style records: ``{parameter, value, start_day, end_day, ramp_days}``."""
        entries = []
        for i, r in enumerate(records):
            unknown = set(r) - set(RECORD_FIELDS)
            if unknown:
                raise ParameterError(
                    f"schedule entry {i + 1}: unknown field '{sorted(unknown)[0]}'; allowed: "
                    + ", ".join(RECORD_FIELDS)
                )
            if "parameter" not in r or "value" not in r:
                raise ParameterError(f"schedule entry {i + 1}: needs 'parameter' and 'value'")
            start = r.get("start_day", 0.0)
            end = r.get("end_day", math.inf)
            ramp = r.get("ramp_days", 0.0)
            for name, v in (("start_day", start), ("end_day", end), ("ramp_days", ramp)):
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise ParameterError(f"schedule entry {i + 1}: {name} must be a number of days, got {v!r}")
            entries.append(ScheduleEntry(str(r["parameter"]), r["value"], 24.0 * start, 24.0 * end,
                                         24.0 * ramp))
        return cls(entries)

    def to_records(self) -> list[dict[str, Any]]:
        out = []
        for e in self.entries:
            rec: dict[str, Any] = {"parameter": e.parameter, "value": e.value, "start_day": e.start_h / 24.0}
            if math.isfinite(e.end_h):
                rec["end_day"] = e.end_h / 24.0
            if e.ramp_h > 0:
                rec["ramp_days"] = e.ramp_h / 24.0
            out.append(rec)
        return out

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def systemic_at(self, params: Parameters, t_h: float) -> dict[str, Any]:
        """The systemic and intervention values in force at time ``t_h`` (hours)."""
        s = params.schema
        values = {p.name: params[p.name] for p in s if schedulable(p)}
        for i, e in enumerate(self.entries):
            if e.active(t_h):
                values[e.parameter] = self._entry_value(params, i, t_h)
        values["glucose_mM"] = glucose_at(values, t_h)
        return values

    def value_at(self, params: Parameters, name: str, t_h: float) -> Any:
        """The value of one scheduled parameter at ``t_h`` (the run's value when no entry is
        active): what :meth:`systemic_at` gives for it, without building every value."""
        value = params[name]
        for i, e in enumerate(self.entries):
            if e.parameter == name and e.active(t_h):
                value = self._entry_value(params, i, t_h)
        return value

    def _entry_value(self, params: Parameters, i: int, t_h: float) -> Any:
        e = self.entries[i]
        if e.ramp_h <= 0.0:
            return e.value
        # the value in force just before this entry starts, from the run and earlier entries
        x0 = params[e.parameter]
        for j in range(i):
            f = self.entries[j]
            if f.parameter == e.parameter and f.active(e.start_h):
                x0 = self._entry_value(params, j, e.start_h)
        w = min(1.0, (t_h - e.start_h) / e.ramp_h)
        return float(x0) + w * (float(e.value) - float(x0))

    def changes_in(self, name: str, t0_h: float, t1_h: float) -> list[float]:
        """Times inside ``(t0_h, t1_h)`` at which the entries of ``name`` start, end or finish a
        ramp (where a piecewise-linear schedule has its kinks)."""
        cuts = set()
        for e in self.entries:
            if e.parameter == name:
                cuts.update((e.start_h, e.end_h, e.start_h + e.ramp_h))
        return sorted(c for c in cuts if t0_h < c < t1_h)


def glucose_at(values: Mapping[str, Any], t_h: float) -> float:
    """Glucose (mM) at ``t_h``: constant, or the high/low square wave of period P.

    fluctuating: G(t) = glucose_mM if (t mod P) < P/2 else glucose_low_mM.
    """
    if values["glucose_mode"] != "fluctuating":
        return float(values["glucose_mM"])
    period = float(values["glucose_period_h"])
    phase = math.fmod(t_h, period)
    return float(values["glucose_mM"] if phase < 0.5 * period else values["glucose_low_mM"])
