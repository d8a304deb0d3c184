"""Steady states of the systemic model: the reference state and the steady-state solve."""

from __future__ import annotations

import numpy as np

from vcsim.params import ParameterError, Parameters
from vcsim.systemic import dialysis, plasma
from vcsim.systemic.inputs import SystemicInputs
from vcsim.systemic.mineral_metabolism import Drive, coefficients, rates, scales
from vcsim.systemic.state import DEEP_BONE, FIELDS, N_DYNAMIC, MineralState


def reference_state(params: Parameters) -> MineralState:
    """A state at the calibration anchors (normal adult serum), used to start the solver."""
    k = coefficients(params)
    ph = plasma.serum_ph(25.0, k)
    ca_i, pi_s, mg_i = 1.2, 1.1, k["normal_ionised_magnesium_mM"]
    a_ca, a_p, a_mg = plasma.ecf_amounts(ca_i, pi_s, mg_i, ph, k)
    pi_uf = k["phosphate_ultrafilterable_fraction"] * pi_s
    bone_ca = k["skeletal_calcium_mmol"]
    v2 = k["phosphate_mobilisable_volume_factor"] * k["body_water_L"]
    values = dict(
        ecf_calcium_mmol=a_ca,
        bone_exchangeable_calcium_mmol=k["bone_exchangeable_calcium_mmol"],
        bone_calcium_mmol=bone_ca,
        gut_calcium_mmol=5.0,
        ecf_phosphate_mmol=a_p,
        tissue_phosphate_mmol=v2 * pi_uf,
        bone_phosphate_mmol=k["bone_phosphate_to_calcium_ratio"] * bone_ca,
        gut_phosphate_mmol=3.0,
        ecf_magnesium_mmol=a_mg,
        tissue_magnesium_mmol=k["tissue_magnesium_mmol"],
        bone_exchangeable_magnesium_mmol=k["bone_exchangeable_magnesium_mmol"],
        bone_magnesium_mmol=k["bone_magnesium_to_calcium_ratio"] * bone_ca,
        gut_magnesium_mmol=2.0,
        cpp_primary_calcium_mmol=1e-3 * k["plasma_volume_L"],
        cpp_secondary_calcium_mmol=1e-4,
        pth_pg_per_mL=30.0,
        parathyroid_capacity_factor=1.0,
        fgf23_pg_per_mL=55.0,
        calcitriol_pmol_per_L=100.0,
        fetuin_a_g_per_L=0.7,
        ppi_uM=2.5,
        bicarbonate_mM=25.0,
        osteoclast_activity_factor=1.0,
        osteoblast_activity_factor=1.0,
    )
    return MineralState(**values)


def steady_state(
    params: Parameters,
    inputs: SystemicInputs | None = None,
    initial: MineralState | None = None,
    t_h: float = 0.0,
) -> MineralState:
    """Solve ``f(y) = 0`` for every dynamic entry except deep bone (held at ``initial``).

    Deep bone (~25 mol Ca) changes over years; holding it fixed gives the quasi-steady state
    reached within months. With haemodialysis prescribed, the sessions are spread evenly over
    the week (:func:`vcsim.systemic.dialysis.duty_fraction`; the Pi clearance weighted by the
    intradialytic fall, :func:`~vcsim.systemic.dialysis.averaged_phosphate_weight`): a starting
    point for the periodic regime that :func:`vcsim.systemic.advance` approaches over weeks.
    The GFR is taken at ``t_h``. Solver: pseudo-transient continuation (backward-Euler steps
    whose length grows as the residual falls, ending in Newton's method; Kelley & Keyes 1998
    SIAM J Numer Anal 35:508). The ledger of the result is zero.
    """
    from vcsim.systemic.integrator import finite_difference_jacobian

    inputs = inputs or SystemicInputs()
    k = coefficients(params)
    g0 = inputs.gfr_at(t_h, k["gfr_mL_per_min"])
    drive = Drive(
        SystemicInputs(gfr_mL_per_min=g0),
        dialysis.duty_fraction(k),
        dialysis.averaged_phosphate_weight(k),
    )
    start = initial if initial is not None else reference_state(params)
    y = start.to_array()
    y[N_DYNAMIC:] = 0.0
    free = np.array([i for i in range(N_DYNAMIC) if FIELDS[i] not in DEEP_BONE])

    def f(yy: np.ndarray) -> np.ndarray:
        return rates(t_h, yy, k, drive)[free]

    sc = scales(y)[free]
    tau = 1.0
    res = f(y)
    norm = float(np.max(np.abs(res) / sc))
    for _ in range(400):
        if norm < 1e-12:
            return MineralState.from_array(y)
        jac = finite_difference_jacobian(lambda yy: rates(t_h, yy, k, drive), y, free, free)
        a = np.diag(1.0 / tau * np.ones(len(free))) - jac
        step = np.linalg.solve(a, res)
        trial = y.copy()
        trial[free] += step
        trial_res = f(trial)
        trial_norm = float(np.max(np.abs(trial_res) / sc))
        if np.all(np.isfinite(trial_res)) and _physical(trial):
            y, res = trial, trial_res
            tau = min(tau * max(2.0, norm / max(trial_norm, 1e-300)), 1e12)
            norm = trial_norm
        else:
            tau = max(tau / 4.0, 1e-6)
    raise ParameterError(
        f"steady_state did not converge (scaled residual {norm:.2e}); "
        "the inputs may have no steady state (e.g. anuria without dialysis)"
    )


def _physical(y: np.ndarray) -> bool:
    """Pools, hormones and activities stay non-negative during the solve."""
    return bool(np.all(y[:N_DYNAMIC] >= 0.0))
