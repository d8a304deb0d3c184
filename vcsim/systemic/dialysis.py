"""Haemodialysis sessions on a weekly schedule, and peritoneal dialysis as continuous clearance.

**Schedule.** Time ``t = 0`` is Monday 00:00. With ``n`` sessions a week, session ``j`` starts
on day ``floor(7 j / n)`` (3/week: Mon, Wed, Fri) at ``haemodialysis_start_hour_of_day`` and
lasts ``haemodialysis_session_h``. :func:`session_boundaries` lists the on/off times inside an
interval so the integrator never steps across one.

**Haemodialysis** removes each small solute from the ECF (its central distribution volume) by
diffusion across the dialyser, driven by the blood-side diffusible (ultrafilterable)
concentration against the dialysate::

    J_Pi   = K_Pi * Pi_uf                          (no phosphate in dialysate)
    J_Ca   = K_Ca * (Ca_uf - Ca_dialysate)          (negative: the dialysate loads Ca)
    J_Mg   = K_Mg * (Mg_uf - Mg_dialysate)
    J_HCO3 = K_HCO3 * (HCO3_dialysate - HCO3)       (into the patient)

Phosphate kinetics follow the pseudo-one-compartment model of Agar et al. (2011 Clin J Am Soc
Nephrol 6:2854): removal from a central volume (here the ECF, 14 L; Agar et al. 11.9 +- 3.8 L)
with mobilisation from a large second pool at the mobilisation clearance ``K_M`` (99 +- 47
mL/min), in :mod:`vcsim.systemic.bone`. The default dialyser Pi clearance is 160 mL/min (HD in
Leypoldt et al. 2013 Blood Purif 35 Suppl 1:59: 160 +- 14 mL/min). Intradialytic Pi then
falls to ``K_M / (K_M + K_Pi)`` ~ 40 % of its start within ~1.5 h and stays on a plateau;
after the session it rebounds toward the pre-dialysis value with time constant ``V / K_M``
~ 2 h. Ca, Mg and bicarbonate dialysances are set equal to the Pi clearance (small solutes at
the same blood and dialysate flows; a stated simplification). Convective removal by
ultrafiltration and fluid shifts are not modelled.

**Peritoneal dialysis** is continuous: ``J = K_PD * (C_uf - C_dialysate)`` with a weekly
phosphate clearance of ~36-42 L/week (CAPD; Badve et al. 2008 Clin J Am Soc Nephrol 3:1711).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

HOURS_PER_WEEK = 168.0


def session_starts_h(k: Mapping[str, float]) -> list[float]:
    """Start times (h from Monday 00:00) of the sessions within one week."""
    n = int(k["haemodialysis_sessions_per_week"])
    return [24.0 * math.floor(7 * j / n) + k["haemodialysis_start_hour_of_day"] for j in range(n)]


def on_haemodialysis(t_h: float, k: Mapping[str, float]) -> bool:
    """True while a session runs at time ``t_h`` (sessions are [start, start + duration))."""
    if int(k["haemodialysis_sessions_per_week"]) <= 0:
        return False
    tw = t_h % HOURS_PER_WEEK
    dur = k["haemodialysis_session_h"]
    for s in session_starts_h(k):
        for shift in (0.0, -HOURS_PER_WEEK):  # a session may wrap into the next week
            if s + shift <= tw < s + shift + dur:
                return True
    return False


def duty_fraction(k: Mapping[str, float]) -> float:
    """Fraction of the week on haemodialysis (sessions x duration / 168 h)."""
    n = int(k["haemodialysis_sessions_per_week"])
    return min(max(n, 0) * k["haemodialysis_session_h"] / HOURS_PER_WEEK, 1.0)


def session_boundaries(t0_h: float, t1_h: float, k: Mapping[str, float]) -> list[float]:
    """Session on/off times strictly inside ``(t0_h, t1_h)``, sorted."""
    if int(k["haemodialysis_sessions_per_week"]) <= 0 or t1_h <= t0_h:
        return []
    out = []
    week0 = math.floor(t0_h / HOURS_PER_WEEK) - 1
    week1 = math.floor(t1_h / HOURS_PER_WEEK) + 1
    for w in range(week0, week1 + 1):
        for s in session_starts_h(k):
            for b in (s, s + k["haemodialysis_session_h"]):
                t = w * HOURS_PER_WEEK + b
                if t0_h < t < t1_h:
                    out.append(t)
    return sorted(set(out))


@dataclass(frozen=True)
class DialysisFluxes:
    """Net removal from the patient (mmol/h; bicarbonate: mmol/h into the patient, PPi uM/h)."""

    calcium: float
    phosphate: float
    magnesium: float
    bicarbonate_gain: float
    ppi_removal: float


def averaged_phosphate_weight(k: Mapping[str, float]) -> float:
    """Weekly-average weight of the dialyser Pi clearance for the spread-out starting state.

    During a session Pi falls from ``C_pre`` toward the plateau ``a C_pre`` (pseudo-one-
    compartment solution, Agar et al. 2011), so the mean intradialytic concentration is
    ``rho C_pre`` with ``rho = a + (1 - a) (tau/T) (1 - exp(-T/tau))``, ``a = K_M/(K_M+K_D)``,
    ``tau = V/(K_M+K_D)``. Spreading the sessions continuously at full concentration would
    remove too much Pi; the weight is ``duty_fraction * rho``.
    """
    k_d = k["haemodialysis_phosphate_clearance_mL_per_min"] * 0.06
    k_m = k["phosphate_mobilisation_clearance_mL_per_min"] * 0.06
    if k_d <= 0.0:
        return 0.0
    a = k_m / (k_m + k_d)
    tau = k["ecf_volume_L"] / (k_m + k_d)
    t = k["haemodialysis_session_h"]
    rho = a + (1.0 - a) * (tau / t) * (1.0 - math.exp(-t / tau))
    return duty_fraction(k) * rho


def dialysis_fluxes(
    ca_uf: float,
    pi_uf: float,
    mg_uf: float,
    bicarbonate: float,
    ppi_uM: float,
    hd_weight: float,
    hd_phosphate_weight: float,
    k: Mapping[str, float],
) -> DialysisFluxes:
    """Haemodialysis fluxes times their weights plus peritoneal dialysis fluxes.

    The weights are 1 during a session and 0 between sessions (the integrator never steps
    across a boundary, see :func:`session_boundaries`); for the starting point of
    ``steady_state`` the sessions are spread over the week (:func:`duty_fraction`,
    :func:`averaged_phosphate_weight`).
    """
    ca = pi = mg = hco3 = ppi = 0.0
    if hd_weight > 0.0:
        to_l_h = 0.06
        k_pi = k["haemodialysis_phosphate_clearance_mL_per_min"] * to_l_h
        k_ca = k["haemodialysis_calcium_dialysance_mL_per_min"] * to_l_h
        k_mg = k["haemodialysis_magnesium_dialysance_mL_per_min"] * to_l_h
        k_b = k["haemodialysis_bicarbonate_dialysance_mL_per_min"] * to_l_h
        w = hd_weight
        pi += hd_phosphate_weight * k_pi * pi_uf
        ca += w * k_ca * (ca_uf - k["dialysate_calcium_mM"])
        mg += w * k_mg * (mg_uf - k["dialysate_magnesium_mM"])
        hco3 += w * k_b * (k["dialysate_bicarbonate_mM"] - bicarbonate)
        ppi += w * k["haemodialysis_ppi_clearance_mL_per_min"] * to_l_h * ppi_uM / k["ecf_volume_L"]
    k_pd_pi = k["peritoneal_phosphate_clearance_L_per_day"] / 24.0
    k_pd = k["peritoneal_calcium_magnesium_clearance_L_per_day"] / 24.0
    pi += k_pd_pi * pi_uf
    ca += k_pd * (ca_uf - k["peritoneal_dialysate_calcium_mM"])
    mg += k_pd * (mg_uf - k["peritoneal_dialysate_magnesium_mM"])
    return DialysisFluxes(ca, pi, mg, hco3, ppi)
