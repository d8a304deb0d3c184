"""The intestine: diet, absorption (calcitriol-dependent for Ca and Pi), secretion, binders.

Each element has a lumen pool ``G`` (mmol) in the absorbing small intestine. Intake enters it
continuously (meals are averaged over the day: the model has no diurnal cycle); contents leave
by transit to the faeces with rate ``k_tr`` (1/h) or are absorbed. Absorption is the sum of a
passive paracellular path, linear in ``G``, and an active transcellular path that saturates in
``G`` (Michaelis-Menten) -- the two-path description of Ca absorption of Bronner (2003 J Cell
Biochem 88:387) and of Mg absorption of Fine et al. (1991 J Clin Invest 88:396)::

    J_abs = k_pass * G + V_act * E * G / (K_act + G)                               [mmol/h]

For Ca and Pi the active path is induced by calcitriol ``D`` through the VDR (TRPV6/calbindin;
NaPi-IIb): ``E = D**n / (D**n + K_D**n)``. For Mg it is TRPM6/7, which proton-pump inhibitors impair
(Cundy & Dissanayake 2008 Clin Endocrinol 69:338; Hess et al. 2012 Aliment Pharmacol Ther
36:405): ``E = 1 - proton_pump_inhibitor_trpm6_inhibition_fraction``.

Digestive secretions return Ca and Mg from plasma to the lumen (endogenous faecal loss,
~2-4 mmol/day Ca and ~1 mmol/day Mg in adults; Heaney & Skillman 1964 J Lab Clin Med
64:29): ``J_sec = q * ionised concentration``.

Phosphate binders take free luminal Pi into an insoluble complex that leaves with the faeces,
competing with absorption: ``J_bind = sum_b (beta_b * dose_b) * G_Pi``. The per-gram rate
constants keep the relative binding coefficients of Daugirdas et al. (2011 Semin Dial 24:41):
calcium acetate 1.0, sevelamer 0.75, elemental lanthanum 2.0; the absolute scale is calibrated
to lanthanum 3 g/day lowering urinary phosphate of healthy volunteers by 236-468 mg/day
(Pennick et al. 2012 Ren Fail 34:263). Calcium acetate delivers 6.32 mmol Ca per g (25.3 %
Ca by mass) into the calcium lumen pool, where it is absorbed like dietary Ca.

Pi secreted into the gut and colonic Mg absorption are not modelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class GutFluxes:
    """All intestinal fluxes in mmol/h (``*_intake`` into the lumen, ``*_faecal`` out of it)."""

    calcium_intake: float
    calcium_absorbed: float
    calcium_secreted: float
    calcium_faecal: float
    phosphate_intake: float
    phosphate_absorbed: float
    phosphate_bound: float
    phosphate_faecal: float
    magnesium_intake: float
    magnesium_absorbed: float
    magnesium_secreted: float
    magnesium_faecal: float


def phosphate_binding_per_h(k: Mapping[str, float]) -> float:
    """First-order binding rate constant (1/h) of luminal Pi from all binder doses."""
    return (
        k["calcium_acetate_binding_per_h_per_g_day"] * k["calcium_acetate_g_per_day"]
        + k["sevelamer_binding_per_h_per_g_day"] * k["sevelamer_carbonate_g_per_day"]
        + k["lanthanum_binding_per_h_per_g_day"] * k["lanthanum_g_per_day"]
    )


def intake_per_h(k: Mapping[str, float]) -> tuple[float, float, float]:
    """Ca, Pi, Mg entering the lumen (mmol/h): diet, supplements and calcium-acetate Ca."""
    ca = (
        k["dietary_calcium_mmol_per_day"]
        + k["calcium_supplement_mmol_per_day"]
        + k["calcium_acetate_calcium_mmol_per_g"] * k["calcium_acetate_g_per_day"]
    )
    pi = k["dietary_phosphate_mmol_per_day"]
    mg = k["dietary_magnesium_mmol_per_day"] + k["magnesium_supplement_mmol_per_day"]
    return ca / HOURS_PER_DAY, pi / HOURS_PER_DAY, mg / HOURS_PER_DAY


def absorption(
    lumen_mmol: float,
    passive_per_h: float,
    active_max_mmol_per_h: float,
    active_half_mmol: float,
    induction: float,
) -> float:
    """``k_pass * G + V_act * E * G / (K_act + G)`` (mmol/h); ``G`` floored at 0."""
    g = max(lumen_mmol, 0.0)
    return passive_per_h * g + active_max_mmol_per_h * induction * g / (active_half_mmol + g)


def gut_fluxes(
    gut_calcium_mmol: float,
    gut_phosphate_mmol: float,
    gut_magnesium_mmol: float,
    ionised_calcium_mM: float,
    ionised_magnesium_mM: float,
    calcitriol_pmol_per_L: float,
    k: Mapping[str, float],
) -> GutFluxes:
    """Intestinal fluxes for the current lumen pools and serum state (see module docstring)."""
    i_ca, i_pi, i_mg = intake_per_h(k)
    d = max(calcitriol_pmol_per_L, 0.0)
    n = k["calcitriol_absorption_hill_factor"]
    vdr = d**n / (d**n + k["calcitriol_absorption_half_pmol_per_L"] ** n)
    k_tr = k["gut_transit_per_h"]
    ca_abs = absorption(
        gut_calcium_mmol,
        k["calcium_passive_absorption_per_h"],
        k["calcium_active_absorption_max_mmol_per_h"],
        k["calcium_active_absorption_half_mmol"],
        vdr,
    )
    pi_abs = absorption(
        gut_phosphate_mmol,
        k["phosphate_passive_absorption_per_h"],
        k["phosphate_active_absorption_max_mmol_per_h"],
        k["phosphate_active_absorption_half_mmol"],
        vdr,
    )
    trpm6 = 1.0 - k["proton_pump_inhibitor_trpm6_inhibition_fraction"]
    mg_abs = absorption(
        gut_magnesium_mmol,
        k["magnesium_passive_absorption_per_h"],
        k["magnesium_active_absorption_max_mmol_per_h"],
        k["magnesium_active_absorption_half_mmol"],
        trpm6,
    )
    return GutFluxes(
        calcium_intake=i_ca,
        calcium_absorbed=ca_abs,
        calcium_secreted=k["calcium_gut_secretion_L_per_h"] * max(ionised_calcium_mM, 0.0),
        calcium_faecal=k_tr * gut_calcium_mmol,
        phosphate_intake=i_pi,
        phosphate_absorbed=pi_abs,
        phosphate_bound=phosphate_binding_per_h(k) * gut_phosphate_mmol,
        phosphate_faecal=k_tr * gut_phosphate_mmol,
        magnesium_intake=i_mg,
        magnesium_absorbed=mg_abs,
        magnesium_secreted=k["magnesium_gut_secretion_L_per_h"] * max(ionised_magnesium_mM, 0.0),
        magnesium_faecal=k_tr * gut_magnesium_mmol,
    )
