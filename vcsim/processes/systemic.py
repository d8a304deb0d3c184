"""Systemic inputs: the serum (in vivo) or medium (in vitro) values in force at each step.

At the start of each step the values of the ``systemic`` and ``interventions`` parameters are
taken at time t (:class:`vcsim.schedule.Schedule`: constant values, step changes, the glucose
square wave), the systemic pharmacology is applied (the phosphate binder,
:func:`effective_serum_phosphate_mM`), and the result is

- written into the model's input record (what every compiled rule reads: ``p.glucose_mM`` is
  the glucose now), and
- turned into the boundary value of each dissolved field at the lumen (:data:`DISSOLVED_FIELDS`).

This process holds no state of its own yet; a systemic model with state (CKD-MBD mineral
metabolism) replaces it, or runs before it, and checkpoints its state with the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vcsim.processes.base import Process

#: Dissolved fields and the systemic parameter holding each one's serum (lumen) value.
DISSOLVED_FIELDS: dict[str, str] = {
    "calcium_mM": "serum_calcium_mM",
    "phosphate_mM": "serum_phosphate_mM",
    "pyrophosphate_uM": "serum_ppi_uM",
    "magnesium_mM": "serum_magnesium_mM",
}

_UNTREATED_PI_KEY = "serum_phosphate_untreated_mM"


def effective_serum_phosphate_mM(serum_phosphate_mM: float, phosphate_binder_fraction: float,
                                 target_mM: float = 1.1) -> float:
    """Serum Pi under a phosphate binder or dialysis.

    ``Pi_eff = Pi - f * max(Pi - Pi_target, 0)`` (mM): a binder removes the fraction ``f`` of
    the excess over ``target_mM``; it never pushes serum Pi below the target (renal and skeletal
    regulation defend normal Pi) and does nothing when serum Pi is already at or below it.
    """
    excess = max(float(serum_phosphate_mM) - float(target_mM), 0.0)
    return float(serum_phosphate_mM) - float(phosphate_binder_fraction) * excess


def apply_systemic_interventions(values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the systemic values with the systemic pharmacology applied.

    Only the phosphate binder acts on a serum value; every other intervention acts inside the
    cells. The untreated serum Pi is kept under ``serum_phosphate_untreated_mM`` so applying
    the function twice gives the same result.
    """
    out = dict(values)
    untreated = float(out.get(_UNTREATED_PI_KEY, out["serum_phosphate_mM"]))
    out[_UNTREATED_PI_KEY] = untreated
    out["serum_phosphate_mM"] = effective_serum_phosphate_mM(
        untreated,
        float(out.get("phosphate_binder_fraction", 0.0)),
        float(out.get("phosphate_binder_target_mM", 1.1)),
    )
    return out


def serum_boundary(values: Mapping[str, Any]) -> dict[str, float]:
    """The lumen value of each dissolved field from the systemic values."""
    return {name: float(values[key]) for name, key in DISSOLVED_FIELDS.items()}


class SystemicInputs(Process):
    """Systemic and intervention values at time t, the phosphate binder applied (module
    docstring)."""

    name = "systemic"
    reads = ("schedule",)
    writes = ("input.*", "boundary.*")

    def values_at(self, model: Any, t_h: float) -> dict[str, Any]:
        return apply_systemic_interventions(model.schedule.systemic_at(model.params, t_h))

    def setup(self, model: Any) -> None:
        self._apply(model, self.values_at(model, model.time_h))

    def step(self, model: Any) -> None:
        self._apply(model, self.values_at(model, model.time_h))

    @staticmethod
    def _apply(model: Any, values: dict[str, Any]) -> None:
        model.systemic = values
        model.inputs.update(values)
        model.boundary = serum_boundary(values)
