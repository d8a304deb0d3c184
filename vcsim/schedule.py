"""Systemic inputs over time: constant values, step changes (a drug from day 7), glucose swings.

A :class:`Schedule` is a list of :class:`ScheduleEntry` (parameter, value, start, end). At time
``t_h`` the systemic values are the run's parameters with every entry active at ``t_h``
applied (later entries win), and, when ``glucose_mode = "fluctuating"``, glucose as a square
wave: ``glucose_mM`` for the first half of each ``glucose_period_h`` and ``glucose_low_mM`` for
the second half (stated reason: a 5 <-> 25 mM protocol switching the medium every 24 h, so the
default period is 48 h).

Only systemic and intervention parameters may be scheduled: the lattice, the time step and the
cell constants are fixed for a run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vcsim.params import ParameterError, Parameters, schema, validate_value

SCHEDULABLE_GROUPS = ("systemic", "interventions")


@dataclass(frozen=True)
class ScheduleEntry:
    """``parameter`` takes ``value`` from ``start_h`` (inclusive) until ``end_h`` (exclusive)."""

    parameter: str
    value: float | int | bool | str
    start_h: float = 0.0
    end_h: float = math.inf

    def active(self, t_h: float) -> bool:
        return self.start_h <= t_h < self.end_h


class Schedule:
    """Time-varying systemic inputs, validated against the parameter schema."""

    def __init__(self, entries: Iterable[ScheduleEntry] = ()):
        s = schema()
        checked = []
        for e in entries:
            p = s.lookup(e.parameter)
            if p.group not in SCHEDULABLE_GROUPS:
                raise ParameterError(
                    f"schedule: parameter '{e.parameter}' cannot vary in time; only "
                    f"{' and '.join(SCHEDULABLE_GROUPS)} parameters can"
                )
            if not (math.isfinite(e.start_h) and e.start_h >= 0 and e.end_h > e.start_h):
                raise ParameterError(
                    f"schedule: '{e.parameter}' window [{e.start_h}, {e.end_h}) h must start at "
                    ">= 0 and end after it starts"
                )
            value = validate_value(p, e.value)
            checked.append(ScheduleEntry(e.parameter, value, float(e.start_h), float(e.end_h)))
        self.entries: tuple[ScheduleEntry, ...] = tuple(checked)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> Schedule:
        """Build from TOML-style records: ``{parameter, value, start_day, end_day}``."""
        entries = []
        for i, r in enumerate(records):
            unknown = set(r) - {"parameter", "value", "start_day", "end_day"}
            if unknown:
                raise ParameterError(
                    f"schedule entry {i + 1}: unknown field '{sorted(unknown)[0]}'; allowed: "
                    "parameter, value, start_day, end_day"
                )
            if "parameter" not in r or "value" not in r:
                raise ParameterError(f"schedule entry {i + 1}: needs 'parameter' and 'value'")
            start = r.get("start_day", 0.0)
            end = r.get("end_day", math.inf)
            for name, v in (("start_day", start), ("end_day", end)):
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise ParameterError(f"schedule entry {i + 1}: {name} must be a number of days, got {v!r}")
            entries.append(ScheduleEntry(str(r["parameter"]), r["value"], 24.0 * start, 24.0 * end))
        return cls(entries)

    def to_records(self) -> list[dict[str, Any]]:
        out = []
        for e in self.entries:
            rec: dict[str, Any] = {"parameter": e.parameter, "value": e.value, "start_day": e.start_h / 24.0}
            if math.isfinite(e.end_h):
                rec["end_day"] = e.end_h / 24.0
            out.append(rec)
        return out

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def systemic_at(self, params: Parameters, t_h: float) -> dict[str, Any]:
        """The systemic and intervention values in force at time ``t_h`` (hours)."""
        s = params.schema
        values = {p.name: params[p.name] for p in s if p.group in SCHEDULABLE_GROUPS}
        for e in self.entries:
            if e.active(t_h):
                values[e.parameter] = e.value
        values["glucose_mM"] = glucose_at(values, t_h)
        return values


def glucose_at(values: Mapping[str, Any], t_h: float) -> float:
    """Glucose (mM) at ``t_h``: constant, or the high/low square wave of period P.

    fluctuating: G(t) = glucose_mM if (t mod P) < P/2 else glucose_low_mM.
    """
    if values["glucose_mode"] != "fluctuating":
        return float(values["glucose_mM"])
    period = float(values["glucose_period_h"])
    phase = math.fmod(t_h, period)
    return float(values["glucose_mM"] if phase < 0.5 * period else values["glucose_low_mM"])
