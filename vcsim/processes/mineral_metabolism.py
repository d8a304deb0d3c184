"""The patient around the artery: the systemic mineral model coupled to the wall.

With ``patient_coupled = true`` this process runs right after ``systemic`` and makes the
lumen follow a patient: the CKD-MBD model of :mod:`vcsim.systemic` (whole-body Ca, Pi, Mg,
PTH, FGF23, calcitriol, fetuin-A and calciprotein particles, plasma PPi, acid-base, gut,
kidney, bone, dialysis; ``docs/systemic.md``) is a state of the run, checkpointed with it.

Each wall step ``[t, t + dt]``:

1. the serum of the patient at ``t`` becomes the systemic values of the wall
   (:func:`vcsim.systemic.lumen_boundary`: ionised Ca into ``serum_calcium_mM``, total Pi,
   total Mg, PPi, pH, fetuin-A), and from them the lumen boundary values
   (:func:`vcsim.processes.systemic.lumen_totals`); the cells sense them in this step, as they
   sense any systemic value held over a step;
2. the patient is advanced to ``t + dt`` (:func:`vcsim.systemic.advance`: implicit SDIRK2
   sub-steps of at most ``systemic_max_substep_h``, never across a dialysis session boundary)
   with the patient inputs in force (GFR, diet, binders, vitamin D, calcimimetic,
   parathyroidectomy, Mg, dialysis: the mineral parameters of
   :data:`vcsim.params.mineral.PATIENT_INPUTS`, which a scenario's ``[[schedule]]`` may change;
   GFR is followed through ramps inside the step), so the outputs after the step describe the
   patient at ``t + dt`` like the rest of the state.

**Feedback of the wall.** What the lattice took up through its lumen face during the previous
step (the reaction-transport step's boundary flux, ledger accounts ``boundary_*_in_umol``) is
scaled from the lattice's tissue volume to ``patient_media_volume_mL`` of arterial media and
removed from the patient's extracellular fluid during this step (one step late, because it is
known only after the wall's chemistry has run). So at every output time the body's ``wall``
ledger equals the scaled lattice uptake up to the start of the last step, and the body's mass
balance closes with it (``vcsim.systemic.mass_balance_error``). The phosphorus of the lattice
flux, which includes PPi's two P, is returned as Pi (plasma PPi is outside the body's phosphate
ledger); the lattice deposits no Mg, so Mg uptake is zero. The feedback is small for serum: a
heavily calcifying media adds ~10 mmol Ca a year against ~9,000 mmol eaten (docs/systemic.md
s. 1); ``patient_media_volume_mL = 0`` turns it off.

**What the lattice does not return**: calciprotein particles captured by the wall and the
fetuin-A they carry (the lattice has no CPP), and the wall's consumption of plasma PPi's
organic sources.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from vcsim import systemic as patient
from vcsim.outputs.registry import NON_NEGATIVE, Output, OutputGroup
from vcsim.params import ParameterError, Parameters
from vcsim.params.mineral import PATIENT_INPUTS
from vcsim.processes.base import Process
from vcsim.processes.systemic import lumen_totals

#: systemic parameters the patient sets when coupled (given any other value, the run is refused)
COUPLED_SYSTEMIC = ("serum_calcium_mM", "serum_phosphate_mM", "serum_magnesium_mM", "serum_ppi_uM",
                    "serum_ph", "fetuin_a_g_per_L")

#: the patient's readouts in timeseries.csv: (serum() key, label, units)
READOUTS: tuple[tuple[str, str, str], ...] = (
    ("gfr_mL_per_min", "GFR", "mL/min"),
    ("serum_ionised_calcium_mM", "serum ionised Ca", "mM"),
    ("serum_total_calcium_mM", "serum total Ca", "mM"),
    ("serum_phosphate_mM", "serum Pi", "mM"),
    ("serum_magnesium_mM", "serum Mg", "mM"),
    ("serum_ionised_magnesium_mM", "serum ionised Mg", "mM"),
    ("pth_pg_per_mL", "PTH (intact)", "pg/mL"),
    ("fgf23_pg_per_mL", "FGF23 (intact)", "pg/mL"),
    ("calcitriol_pmol_per_L", "calcitriol", "pmol/L"),
    ("fetuin_a_g_per_L", "fetuin-A", "g/L"),
    ("serum_ppi_uM", "plasma PPi", "uM"),
    ("serum_bicarbonate_mM", "serum bicarbonate", "mM"),
    ("serum_ph", "serum pH", "1"),
    ("t50_min", "calcification propensity T50", "min"),
    ("cpp_primary_calcium_uM", "primary CPP calcium", "uM"),
    ("cpp_secondary_calcium_uM", "secondary CPP calcium", "uM"),
    ("calcium_phosphate_product_mM2", "Ca x Pi product", "mM2"),
)
#: the timeseries column of each readout (units in the names; prefixed so the patient's serum
#: cannot be mistaken for the systemic parameter of the same name)
COLUMN_PREFIX = "patient_"


def column(key: str) -> str:
    """The timeseries column of the patient readout ``key`` (``patient_serum_phosphate_mM``)."""
    return COLUMN_PREFIX + key


def check_coupled_parameters(params: Parameters, schedule: Any) -> None:
    """Refuse, in one line, inputs that a coupled patient would silently override."""
    if params["setting"] != "in_vivo":
        raise ParameterError(f"patient_coupled: true needs setting = 'in_vivo' (got {params['setting']!r}); "
                             "a culture dish has no patient")
    for name in COUPLED_SYSTEMIC:
        default = params.schema[name].default
        if params[name] != default:
            raise ParameterError(
                f"{name}: {params[name]!r} is set, but with patient_coupled = true the patient's serum sets "
                f"it; remove it (default {default!r}) or set patient_coupled = false")
    if float(params["phosphate_binder_fraction"]) != 0.0:
        raise ParameterError(
            "phosphate_binder_fraction: with patient_coupled = true a binder is a dose of the mineral "
            "model (calcium_acetate_g_per_day, sevelamer_carbonate_g_per_day, lanthanum_g_per_day)")
    for e in schedule.entries:
        if e.parameter in COUPLED_SYSTEMIC or e.parameter == "phosphate_binder_fraction":
            raise ParameterError(
                f"schedule: '{e.parameter}' is set by the patient when patient_coupled = true; schedule "
                "the patient's inputs instead (GFR, diet, binders, dialysis: " + ", ".join(PATIENT_INPUTS[:4])
                + ", ...)")


class PatientMineralMetabolism(Process):
    """The patient's mineral metabolism (vcsim.systemic) sets the lumen and follows the wall
    (module docstring)."""

    name = "mineral_metabolism"
    reads = ("schedule", "input.*", "ledger.boundary_calcium_in_umol",
             "ledger.boundary_phosphorus_in_umol")
    writes = tuple(f"input.{n}" for n in COUPLED_SYSTEMIC) + ("boundary.*",)
    parameters = ("patient_coupled", "patient_media_volume_mL", *PATIENT_INPUTS)

    def __init__(self) -> None:
        self.state: patient.MineralState | None = None
        self.start: patient.MineralState | None = None
        self.state_time_h = 0.0
        self.fed_back_umol = {"calcium": 0.0, "phosphorus": 0.0}  # lattice uptake already passed
        self._params_key: tuple[Any, ...] | None = None
        self._params: Parameters | None = None

    # ------------------------------------------------------------------ set-up
    def setup(self, model: Any) -> None:
        check_coupled_parameters(model.params, model.schedule)
        self.lattice_volume_L = float(model.geometry.integrate(np.ones(model.geometry.shape)))
        p0 = self.patient_params(model, 0.0)
        gfr0 = float(model.schedule.value_at(model.params, "gfr_mL_per_min", 0.0))
        try:
            self.state = patient.steady_state(p0, patient.SystemicInputs(gfr_mL_per_min=gfr0))
        except ParameterError as exc:
            raise ParameterError(f"patient at t = 0 (GFR {gfr0:g} mL/min): {exc}") from None
        self.start = self.state
        self.state_time_h = 0.0
        self.apply(model)

    def patient_params(self, model: Any, t_h: float) -> Parameters:
        """The run's parameters with the patient inputs in force at ``t_h`` (cached: they are
        step-wise constant, except GFR, which :meth:`step` follows continuously)."""
        sched = model.schedule
        values = {n: sched.value_at(model.params, n, t_h) for n in PATIENT_INPUTS
                  if n != "gfr_mL_per_min"}
        key = tuple(values.values())
        if key != self._params_key:
            self._params = model.params.updated(values)
            self._params_key = key
        assert self._params is not None
        return self._params

    # ------------------------------------------------------------------ the step
    def serum_values(self, model: Any) -> dict[str, float]:
        """The patient's serum now, under the names of the systemic parameters it sets."""
        assert self.state is not None
        return patient.lumen_boundary(self.state, self.patient_params(model, self.state_time_h))

    def apply(self, model: Any) -> None:
        """Put the patient's serum now into the systemic values, the input record and the lumen."""
        values = self.serum_values(model)
        model.systemic.update(values)
        model.inputs.update(values)
        model.boundary = lumen_totals(model.systemic)

    def step(self, model: Any) -> None:
        assert self.state is not None
        t, dt = float(model.time_h), float(model.dt_h)
        if not math.isclose(t, self.state_time_h, rel_tol=0.0, abs_tol=1e-9 * max(1.0, t)):
            raise RuntimeError(f"mineral_metabolism: patient at t = {self.state_time_h} h, wall at {t} h")
        self.apply(model)
        uptake = self._new_uptake_mmol(model)
        sched, params = model.schedule, model.params

        def gfr(t_h: float) -> float:
            return float(sched.value_at(params, "gfr_mL_per_min", t_h))

        inputs = patient.SystemicInputs(gfr_mL_per_min=gfr, wall_calcium_uptake_mmol=uptake["calcium"],
                                        wall_phosphate_uptake_mmol=uptake["phosphorus"])
        p = self.patient_params(model, t)
        try:
            self.state = patient.advance(self.state, t, dt, inputs, p)
        except ParameterError as exc:
            raise ParameterError(f"patient from t = {t / 24:g} days: {exc}") from None
        self.state_time_h = t + dt

    def _new_uptake_mmol(self, model: Any) -> dict[str, float]:
        """Scaled lattice uptake since the last step (mmol), marked as passed to the body."""
        scale = 1e-3 * float(model.params.patient_media_volume_mL) / self.lattice_volume_L
        out = {}
        for el in ("calcium", "phosphorus"):
            total = float(model.ledger[f"boundary_{el}_in_umol"])
            out[el] = 1e-3 * (total - self.fed_back_umol[el]) * scale
            self.fed_back_umol[el] = total
        return out

    # ------------------------------------------------------------------ readouts
    def readouts(self, model: Any) -> dict[str, float]:
        """The patient now: :func:`vcsim.systemic.serum` and the GFR in force."""
        assert self.state is not None
        s = patient.serum(self.state, self.patient_params(model, self.state_time_h))
        s["gfr_mL_per_min"] = float(model.schedule.value_at(model.params, "gfr_mL_per_min",
                                                            self.state_time_h))
        return s

    def outputs(self, model: Any) -> Sequence[OutputGroup]:
        outs = [Output(column(k), units, f"the patient's {label} (vcsim.systemic)", label=label,
                       section="systemic", domain=NON_NEGATIVE, source="vcsim.systemic")
                for k, label, units in READOUTS]

        def compute(m: Any) -> dict[str, float]:
            r = self.readouts(m)
            return {column(k): float(r[k]) for k, _, _ in READOUTS}

        return [OutputGroup(outs, compute, "vcsim.processes.mineral_metabolism")]

    def mass_balance_error(self) -> dict[str, float]:
        """The patient's relative mass-balance residual since t = 0, wall ledger included."""
        assert self.state is not None and self.start is not None and self._params is not None
        return patient.mass_balance_error(self.start, self.state,
                                          float(self._params.cpp_phosphate_to_calcium_ratio))

    # ------------------------------------------------------------------ checkpoint
    def get_state(self) -> dict[str, Any]:
        assert self.state is not None and self.start is not None
        return {"state": self.state.to_dict(), "start": self.start.to_dict(),
                "state_time_h": self.state_time_h, "fed_back_umol": dict(self.fed_back_umol)}

    def set_state(self, state: dict[str, Any]) -> None:
        self.state = patient.MineralState.from_dict(state["state"])
        self.start = patient.MineralState.from_dict(state["start"])
        self.state_time_h = float(state["state_time_h"])
        self.fed_back_umol = {k: float(v) for k, v in state["fed_back_umol"].items()}

    def resume(self, model: Any) -> None:
        """After a checkpoint is loaded: the patient's serum into the values in force again."""
        self.apply(model)
