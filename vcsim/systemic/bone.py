"""Bone and soft tissue: remodelling, exchangeable pools, and osteocyte FGF23.

**Remodelling.** Osteoclast activity ``R`` follows a PTH-driven target in days; osteoblast
activity ``F`` follows ``R`` in months (coupling of formation to resorption through the
remodelling cycle, as in Peterson & Riggs 2010 Bone 46:49, here reduced to two relaxations)::

    R* = r0 + r1 * E_PTH
    dR/dt = (R* - R) / tau_oc,           dF/dt = (R - F) / tau_ob
    resorption = J0 * R,                 formation = J0 * F                    [mmol Ca/h]

``J0`` is the adult remodelling flux (~7.5 mmol Ca/day each way; Peacock 2010 Clin J Am Soc
Nephrol 5 Suppl 1:S23). Formation deposits Ca and Pi at the hydroxyapatite ratio
Ca10(PO4)6(OH)2 (Pi/Ca = 0.6) and Mg in proportion to the ionised Mg it is offered; resorption
releases each element at its ratio to Ca in deep bone. At a steady state ``F = R`` and the
skeleton is in balance; after a parathyroidectomy ``R`` falls within days while ``F`` stays high
for weeks -- the hungry-bone uptake of Ca and Pi.

**Exchangeable pools** (linear exchange toward an equilibrium content)::

    bone surface Ca:  J = k_x * (Q0 * Ca_i / Ca_ref - Q)       Q0 = 100 mmol, k_x Q0 = 88 mmol/day
                      (Peterson & Riggs 2010, "immediately exchangeable" bone Ca)
    bone surface Mg:  J = (Q0_Mg * Mg_i / Mg_ref - Q_Mg) / tau_Mg_bone
                      (about a third of bone Mg is surface-bound and exchanges with ECF;
                       Alfrey & Miller 1973 J Clin Invest 52:3019)
    soft-tissue Mg:   J = (T0_Mg * (Mg_i / Mg_ref)**eps - T_Mg) / tau_Mg_tissue
                      (intracellular Mg is defended: eps < 1)
    soft-tissue Pi:   J = K_M * (Pi_uf - T_Pi / V_2)
                      (phosphate mobilisation clearance K_M of the pseudo-one-compartment
                       model, Agar et al. 2011 Clin J Am Soc Nephrol 6:2854; mobilisable volume
                       V_2 = 3 x total body water, Daugirdas 2018 Nephrol Dial Transplant 33:76)

Positive ``J`` moves the element from the ECF into the pool.

**FGF23** is secreted by osteocytes, stimulated by phosphate and calcitriol and by a
CKD-dependent stimulus that raises bone FGF23 expression in early CKD before serum Pi rises
(Pereira et al. 2009 Bone 45:1161; Isakova et al. 2011 Kidney Int 79:1370); it is cleared with a
half-life of ~45-60 min (Khosravi et al. 2007 J Clin Endocrinol Metab 92:2374), partly by the
kidney (Mace et al. 2015 Kidney Int 88:1304)::

    secretion = sigma_F * Pi**n_P * (D / 100)**n_D * (1 + a_CKD * max(0, 1 - N))   [pg/mL/h]
    clearance = ln2 / t_half * ((1 - f_ren) + f_ren * N) * FGF23
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class BoneFluxes:
    """Bone and tissue fluxes (mmol/h; positive = from ECF into bone/tissue) and rates (1/h)."""

    calcium_formation: float
    calcium_resorption: float
    phosphate_formation: float
    phosphate_resorption: float
    magnesium_formation: float
    magnesium_resorption: float
    calcium_to_exchangeable: float
    magnesium_to_exchangeable: float
    magnesium_to_tissue: float
    phosphate_to_tissue: float
    osteoclast_rate: float
    osteoblast_rate: float


def bone_fluxes(
    bone_ca: float,
    bone_pi: float,
    bone_mg: float,
    exch_ca: float,
    exch_mg: float,
    tissue_mg: float,
    tissue_pi: float,
    osteoclast: float,
    osteoblast: float,
    ca_ionised: float,
    pi_uf: float,
    mg_ionised: float,
    pth_action: float,
    k: Mapping[str, float],
) -> BoneFluxes:
    """Remodelling, exchange and tissue fluxes for the current state (module docstring)."""
    j0 = k["bone_remodelling_calcium_mmol_per_day"] / 24.0
    form = j0 * max(osteoblast, 0.0)
    res = j0 * max(osteoclast, 0.0)
    per_ca = 1.0 / max(bone_ca, 1e-9)
    mg_rel = max(mg_ionised, 0.0) / k["normal_ionised_magnesium_mM"]
    target_oc = k["osteoclast_basal_factor"] + k["osteoclast_pth_factor"] * pth_action

    k_x = k["bone_exchange_calcium_mmol_per_day"] / 24.0 / k["bone_exchangeable_calcium_mmol"]
    q_eq = (
        k["bone_exchangeable_calcium_mmol"] * max(ca_ionised, 0.0) / k["normal_ionised_calcium_mM"]
    )
    qmg_eq = k["bone_exchangeable_magnesium_mmol"] * mg_rel
    tmg_eq = k["tissue_magnesium_mmol"] * mg_rel ** k["tissue_magnesium_serum_exponent_factor"]
    v2 = k["phosphate_mobilisable_volume_factor"] * k["body_water_L"]
    k_m = k["phosphate_mobilisation_clearance_mL_per_min"] * 0.06

    return BoneFluxes(
        calcium_formation=form,
        calcium_resorption=res,
        phosphate_formation=k["bone_phosphate_to_calcium_ratio"] * form,
        phosphate_resorption=res * bone_pi * per_ca,
        magnesium_formation=k["bone_magnesium_to_calcium_ratio"] * form * mg_rel,
        magnesium_resorption=res * bone_mg * per_ca,
        calcium_to_exchangeable=k_x * (q_eq - exch_ca),
        magnesium_to_exchangeable=(qmg_eq - exch_mg) / (k["bone_magnesium_exchange_days"] * 24.0),
        magnesium_to_tissue=(tmg_eq - tissue_mg) / (k["tissue_magnesium_exchange_days"] * 24.0),
        phosphate_to_tissue=k_m * (max(pi_uf, 0.0) - tissue_pi / v2),
        osteoclast_rate=(target_oc - osteoclast) / (k["osteoclast_time_constant_days"] * 24.0),
        osteoblast_rate=(osteoclast - osteoblast) / (k["osteoblast_time_constant_days"] * 24.0),
    )


def fgf23_rates(
    fgf23_pg_per_mL: float,
    serum_phosphate_mM: float,
    calcitriol_pmol_per_L: float,
    gfr_mL_per_min: float,
    k: Mapping[str, float],
) -> tuple[float, float]:
    """(secretion, clearance) of intact FGF23 in pg/mL/h (module docstring)."""
    nephron = max(gfr_mL_per_min, 0.0) / k["reference_gfr_mL_per_min"]
    ckd = 1.0 + k["fgf23_ckd_stimulation_factor"] * max(0.0, 1.0 - nephron)
    secretion = (
        k["fgf23_secretion_pg_per_mL_per_h"]
        * max(serum_phosphate_mM, 1e-9) ** k["fgf23_phosphate_exponent_factor"]
        * (max(calcitriol_pmol_per_L, 1e-9) / 100.0) ** k["fgf23_calcitriol_exponent_factor"]
        * ckd
    )
    f_ren = k["fgf23_renal_clearance_fraction"]
    k_el = math.log(2.0) / (k["fgf23_half_life_min"] / 60.0) * ((1.0 - f_ren) + f_ren * nephron)
    return secretion, k_el * max(fgf23_pg_per_mL, 0.0)
