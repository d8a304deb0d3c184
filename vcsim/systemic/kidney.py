"""The kidney: filtration, tubular reabsorption, calcitriol synthesis, acid excretion.

GFR ``G`` is in mL/min (``G_h = 0.06 * G`` L/h); the renal mass that carries tubular enzymes is
represented by ``N = G / G_ref``. Only the ultrafilterable part of each ion is filtered.

Hormone actions (shared by kidney, bone and parathyroid; Mg-dependent PTH resistance from seed
002 and its sources: Rude et al. 1976 Clin Endocrinol 5:209, end-organ PTH resistance in Mg
deficiency, where adenylate cyclase needs Mg)::

    PTH_eff = PTH * m**q / (m**q + K_r**q)          m = ionised Mg (mM)
    E_PTH   = PTH_eff / (PTH_eff + K_PTH * (1 + u * max(0, 1 - N)))

The factor ``u`` is the uraemic down-regulation of the PTH/PTHrP receptor in kidney and bone
(Urena et al. 1994 Kidney Int 45:605; skeletal resistance to PTH, Massry et al. 1973 Ann Intern
Med 78:357): CKD needs more PTH for the same action, which is one reason PTH rises while serum
Ca stays normal. FGF23 acts through its receptor-Klotho complex with a saturable effect::

    E_FGF   = FGF23 / (FGF23 + K_FGF)

Calcium (fractions of the filtered load ``F = G_h * Ca_uf``; proximal reabsorption passive and
fixed; thick ascending limb paracellular reabsorption inhibited by its Ca-sensing receptor;
distal (TRPV5) reabsorption raised by PTH -- Blaine et al. 2015 Clin J Am Soc Nephrol 10:1257)::

    TAL = f_TAL / (1 + (x / K_TAL)**n_TAL)           x = Ca_i + w_Mg * (m - m_ref)
    U_Ca = F * (1 - f_PT - TAL) * (1 - rho * (h0 + (1 - h0) * E_PTH))

Phosphate: proximal NaPi-IIa/IIc reabsorption has a tubular maximum ``TmP/GFR`` (Bijvoet 1969
Clin Sci 37:23) that PTH and FGF23 lower (Shimada et al. 2004 J Clin Invest 113:561); the
titration curve is the smooth minimum ``R/G_h = Pi_uf * (1 + (Pi_uf/T)**n)**(-1/n)``::

    T = TmP_max * (1 - a_PTH * E_PTH) * (1 - a_FGF * E_FGF)
    U_Pi = G_h * (Pi_uf - Pi_uf * (1 + (Pi_uf / T)**n)**(-1/n))

Magnesium: reabsorption (mostly paracellular in the TAL, fine-tuned by TRPM6 in the DCT) shows
a tubular maximum too (Quamme 1997 Kidney Int 52:1180); PTH raises it. Same smooth minimum with
``T_Mg = T_Mg0 * N**theta * (1 + a_Mg * E_PTH)``; ``theta`` > 0 is the adaptive rise of FE_Mg
in surviving nephrons (Coburn et al. 1969 Arch Intern Med 124:302). Renal Mg conservation in
deficiency (FE_Mg well below 2 %) and Mg wasting above the threshold (stated reason: FE_Mg < ~2 % is the usual renal-conservation criterion) follow from
this curve.

Calcitriol: renal 1-alpha-hydroxylase (CYP27B1) is stimulated by PTH and suppressed by FGF23;
FGF23 also induces the 24-hydroxylase CYP24A1 (Shimada 2004). Tubular mass scales as ``N**nu``
(``nu < 1``: surviving nephrons hypertrophy); 25(OH)D is the substrate; an extrarenal
(macrophage) production, not under PTH/FGF23 control, keeps calcitriol measurable in anephric
patients (Lambert et al. 1982 J Clin Invest 69:722)::

    synthesis = (sigma * N**nu * (1 + a * E_PTH) * (1 - b * E_FGF) + sigma_extra)
                * S25 / (S25 + K25) + oral dose                             [pmol/L/h]
    catabolism = ln2 / t_half * (1 + c * E_FGF) * D

Acid: net acid excretion ``NAE = A * N * (HCO3_set / HCO3)**n`` balances the endogenous acid
production ``A`` at ``HCO3 = HCO3_set`` in health; in CKD bicarbonate falls until the
remaining nephrons excrete ``A`` (metabolic acidosis of CKD; Moranne et al. 2009 J Am Soc
Nephrol 20:164).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ML_PER_MIN_TO_L_PER_H = 0.06
PMOL_PER_UG_CALCITRIOL = 1.0e6 / 416.64  # calcitriol C27H44O3, 416.64 g/mol


@dataclass(frozen=True)
class HormoneActions:
    """Receptor-level hormone actions (dimensionless, 0..1) shared by the target organs."""

    pth_effective_pg_per_mL: float
    pth_action: float
    fgf23_action: float


def hormone_actions(
    pth_pg_per_mL: float,
    fgf23_pg_per_mL: float,
    ionised_magnesium_mM: float,
    gfr_mL_per_min: float,
    k: Mapping[str, float],
) -> HormoneActions:
    """PTH action with Mg-dependent and uraemic end-organ resistance, and FGF23 action."""
    m = max(ionised_magnesium_mM, 1e-9)
    q = k["pth_resistance_magnesium_hill_factor"]
    sens = m**q / (m**q + k["pth_resistance_magnesium_half_mM"] ** q)
    p_eff = max(pth_pg_per_mL, 0.0) * sens
    lost = max(0.0, 1.0 - max(gfr_mL_per_min, 0.0) / k["reference_gfr_mL_per_min"])
    k_pth = k["pth_action_half_pg_per_mL"] * (
        1.0 + k["pth_receptor_ckd_downregulation_factor"] * lost
    )
    f = max(fgf23_pg_per_mL, 0.0)
    return HormoneActions(
        p_eff, p_eff / (p_eff + k_pth), f / (f + k["fgf23_action_half_pg_per_mL"])
    )


def smooth_reabsorbed(conc_mM: float, tm_mM: float, splay: float) -> float:
    """Reabsorbed amount per litre filtered (mM): ``c * (1 + (c/T)**n)**(-1/n)`` <= min(c, T)."""
    c = max(conc_mM, 0.0)
    if c == 0.0:
        return 0.0
    return c * (1.0 + (c / max(tm_mM, 1e-12)) ** splay) ** (-1.0 / splay)


def casr_signal_mM(
    ionised_calcium_mM: float, ionised_magnesium_mM: float, k: Mapping[str, float]
) -> float:
    """CaSR agonist signal in Ca equivalents: ``Ca_i + w_Mg * (Mg_i - Mg_ref)`` (mM).

    Mg2+ is a weaker CaSR agonist than Ca2+ (Brown et al. 1993 Nature 366:575); the offset keeps
    the Ca set points meaningful at normal Mg.
    """
    return max(
        ionised_calcium_mM
        + k["casr_magnesium_weight_factor"]
        * (ionised_magnesium_mM - k["normal_ionised_magnesium_mM"]),
        1e-6,
    )


@dataclass(frozen=True)
class RenalFluxes:
    """Urinary excretion (mmol/h), calcitriol synthesis/catabolism (pmol/L/h), acid (mmol/h)."""

    calcium_urine: float
    phosphate_urine: float
    magnesium_urine: float
    calcium_filtered: float
    phosphate_filtered: float
    magnesium_filtered: float
    tmp_gfr_mM: float
    calcitriol_synthesis: float
    calcitriol_catabolism: float
    net_acid_excretion: float


def renal_fluxes(
    gfr_mL_per_min: float,
    ca_ionised: float,
    ca_uf: float,
    pi_uf: float,
    mg_ionised: float,
    mg_uf: float,
    calcitriol: float,
    bicarbonate: float,
    act: HormoneActions,
    k: Mapping[str, float],
) -> RenalFluxes:
    """All renal fluxes for the current serum state (formulas in the module docstring)."""
    g_h = max(gfr_mL_per_min, 0.0) * ML_PER_MIN_TO_L_PER_H
    nephron = max(gfr_mL_per_min, 0.0) / k["reference_gfr_mL_per_min"]
    e_p, e_f = act.pth_action, act.fgf23_action

    # calcium
    x = casr_signal_mM(ca_ionised, mg_ionised, k)
    tal = k["calcium_tal_max_fraction"] / (
        1.0 + (x / k["calcium_tal_casr_half_mM"]) ** k["calcium_tal_casr_hill_factor"]
    )
    distal_delivery = max(1.0 - k["calcium_proximal_fraction"] - tal, 0.0)
    h = (
        k["calcium_distal_pth_independent_fraction"]
        + (1.0 - k["calcium_distal_pth_independent_fraction"]) * e_p
    )
    f_ca = g_h * max(ca_uf, 0.0)
    u_ca = f_ca * distal_delivery * (1.0 - k["calcium_distal_max_fraction"] * h)

    # phosphate
    tmp = (
        k["phosphate_tmp_max_mM"]
        * (1.0 - k["phosphate_tmp_pth_reduction_fraction"] * e_p)
        * (1.0 - k["phosphate_tmp_fgf23_reduction_fraction"] * e_f)
    )
    n = k["tubular_maximum_splay_factor"]
    u_pi = g_h * (max(pi_uf, 0.0) - smooth_reabsorbed(pi_uf, tmp, n))

    # magnesium
    tm_mg = (
        k["magnesium_tm_mM"]
        * nephron ** k["magnesium_tm_ckd_exponent_factor"]
        * (1.0 + k["magnesium_tm_pth_gain_factor"] * e_p)
    )
    u_mg = g_h * (max(mg_uf, 0.0) - smooth_reabsorbed(mg_uf, tm_mg, n))

    # calcitriol (pmol/L/h)
    s25 = k["vitamin_d_25oh_nM"]
    substrate = s25 / (s25 + k["calcitriol_substrate_half_nM"])
    renal = (
        k["calcitriol_synthesis_pmol_per_L_per_h"]
        * nephron ** k["calcitriol_tubular_mass_exponent_factor"]
        * (1.0 + k["calcitriol_pth_stimulation_factor"] * e_p)
        * (1.0 - k["calcitriol_fgf23_suppression_fraction"] * e_f)
    )
    synth = (renal + k["calcitriol_extrarenal_pmol_per_L_per_h"]) * substrate
    oral = (
        k["calcitriol_dose_ug_per_day"]
        * PMOL_PER_UG_CALCITRIOL
        * k["calcitriol_oral_bioavailability_fraction"]
        / (24.0 * k["calcitriol_distribution_volume_L"])
    )
    cat = (
        k["calcitriol_elimination_per_h"]
        * (1.0 + k["calcitriol_fgf23_catabolism_factor"] * e_f)
        * max(calcitriol, 0.0)
    )

    # acid
    hco3 = max(bicarbonate, 1e-3)
    nae = (
        k["acid_production_mmol_per_day"]
        / 24.0
        * nephron
        * (k["bicarbonate_set_point_mM"] / hco3) ** k["renal_acid_excretion_hill_factor"]
    )

    return RenalFluxes(
        u_ca,
        u_pi,
        u_mg,
        f_ca,
        g_h * max(pi_uf, 0.0),
        g_h * max(mg_uf, 0.0),
        tmp,
        synth + oral,
        cat,
        nae,
    )
