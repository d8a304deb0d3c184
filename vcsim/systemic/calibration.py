"""Where the calibrated constants come from: anchors, and the algebra that meets them.

Most production and transport constants cannot be measured directly; they are fixed by
requiring that the **normal adult steady state** (GFR 100 mL/min, default diet, no therapy) has
the anchor serum values and daily fluxes below. Each anchor cites its source. At the anchors
every balance is closed by one constant, solved here in closed form
(:func:`normal_state_constants`). Two constants are fixed by anchors away from the normal
state (:data:`DISEASE_ANCHORS`) and need the full model; :func:`disease_anchor_values`
measures them and :func:`calibrate_disease_constants` solves for them by bisection.

Anchor values (serum):

====================================  ==========  ==================================================
ionised Ca                            1.20 mM     reference 1.1-1.3 mM
serum inorganic phosphate             1.10 mM     reference 0.8-1.45 mM
total serum Mg                        0.85 mM     reference 0.7-1.0 mM (clinical reference range)
intact PTH                            30 pg/mL    reference ~10-65 pg/mL (Levin et al. 2007)
intact FGF23                          55 pg/mL    healthy 28-100 pg/mL (Cho et al. 2026)
calcitriol                            100 pmol/L  reference ~40-150 pmol/L
fetuin-A                              0.7 g/L     0.5-1.0 g/L (Ketteler et al. 2003)
plasma PPi                            2.5 uM      ~2-3.3 uM (Lomashvili et al. 2005)
====================================  ==========  ==================================================

Anchor values (daily fluxes): true fractional Ca absorption 0.30 of luminal Ca with 5 % passive
(Heaney et al. 1989; Bronner 2003); endogenous faecal Ca 3 mmol/day (Heaney & Skillman 1964);
net Pi absorption 65 % of intake with 70 % of it paracellular (Marks et al. 2010); fractional
Mg absorption 0.38 with 7 % passive (Fine et al. 1991); endogenous faecal Mg 1 mmol/day
(Avioli & Berman 1966); the skeleton in balance, so urine = net absorption for each element;
thick ascending limb reabsorbing 25 % of filtered Ca (Blaine et al. 2015); lanthanum 3 g/day
lowering Pi absorption by 11.4 mmol/day (Pennick et al. 2012), other binders by their relative
binding coefficients (Daugirdas et al. 2011); CPP-I mineral 1 umol/L Ca (a scale, not data);
extrarenal calcitriol synthesis 20 % of the normal total, which leaves anephric patients with
low but measurable calcitriol (Lambert et al. 1982).
"""

from __future__ import annotations

import math

from vcsim.params import Parameters
from vcsim.systemic import kidney, parathyroid, plasma
from vcsim.systemic.calciprotein import t50_min

ANCHORS = {
    "ionised_calcium_mM": 1.20,
    "serum_phosphate_mM": 1.10,
    "serum_magnesium_mM": 0.85,
    "pth_pg_per_mL": 30.0,
    "fgf23_pg_per_mL": 55.0,
    "calcitriol_pmol_per_L": 100.0,
    "fetuin_a_g_per_L": 0.7,
    "ppi_uM": 2.5,
    "bicarbonate_mM": 25.0,
    "calcium_fractional_absorption": 0.30,
    "calcium_passive_fraction_of_lumen": 0.05,
    "calcium_endogenous_faecal_mmol_per_day": 3.0,
    "phosphate_net_absorption_fraction": 0.65,
    "phosphate_passive_share_of_absorption": 0.70,
    "magnesium_fractional_absorption": 0.38,
    "magnesium_passive_fraction_of_lumen": 0.07,
    "magnesium_endogenous_faecal_mmol_per_day": 1.0,
    "calcium_tal_reabsorbed_fraction": 0.25,
    "lanthanum_3g_absorption_reduction_mmol_per_day": 11.4,
    "cpp_primary_calcium_uM": 1.0,
    "calcitriol_extrarenal_share": 0.2,
}

#: Anchors away from the normal state: parameter -> (what is measured, target).
DISEASE_ANCHORS = {
    "pth_receptor_ckd_downregulation_factor": ("PTH (pg/mL) at GFR 35", 65.0),
    "fgf23_ckd_stimulation_factor": ("FGF23 at GFR 40 / normal", 3.0),
}

#: A typical pre-dialysis haemodialysis serum (assumed from usual ranges: Pi ~1.7 mM as in
#: DOPPS; Mg ~1.05 mM with 0.5 mM dialysate; fetuin-A ~0.55 g/L, Ketteler et al. 2003; PPi
#: ~2 uM, Lomashvili et al. 2005; bicarbonate ~22 mM; albumin ~38 g/L) and its T50 of
#: 233-247 min (Bressendorff et al. 2018): anchors the phosphate exponent of the readout.
HAEMODIALYSIS_SERUM = {
    "ionised_calcium_mM": 1.15,
    "serum_phosphate_mM": 1.7,
    "serum_magnesium_mM": 1.05,
    "fetuin_a_g_per_L": 0.55,
    "ppi_uM": 2.0,
    "bicarbonate_mM": 22.0,
    "serum_albumin_g_per_L": 38.0,
    "t50_min": 240.0,
}

RELATIVE_BINDING = {"lanthanum": 2.0, "calcium_acetate": 1.0, "sevelamer": 0.75}


def _lumen(intake_per_h: float, absorbed_fraction: float, transit_per_h: float) -> float:
    """Lumen pool (mmol) at steady state: input = transit * G + absorbed."""
    return intake_per_h * (1.0 - absorbed_fraction) / transit_per_h


def normal_state_constants(params: Parameters) -> dict[str, float]:
    """Closed-form calibrated constants that put the normal steady state on the anchors."""
    from vcsim.systemic.mineral_metabolism import coefficients

    k = coefficients(params)
    a = ANCHORS
    out: dict[str, float] = {}
    ph = plasma.serum_ph(a["bicarbonate_mM"], k)

    # Mg speciation: ionised share of total at the anchor pH
    m_ion_per_amount, _, mg_tot_per_amount = plasma.magnesium_species(1.0, ph, k)
    mg_i = a["serum_magnesium_mM"] * m_ion_per_amount / mg_tot_per_amount
    out["normal_ionised_magnesium_mM"] = mg_i
    k = dict(k, normal_ionised_magnesium_mM=mg_i)

    ca_i = a["ionised_calcium_mM"]
    pi_uf = k["phosphate_ultrafilterable_fraction"] * a["serum_phosphate_mM"]
    kappa = k["calcium_complexed_ratio_factor"] + k["calcium_phosphate_complex_per_mM"] * pi_uf
    ca_uf = ca_i * (1.0 + kappa)
    mg_uf = mg_i * (1.0 + k["magnesium_complexed_ratio_factor"])
    act = kidney.hormone_actions(
        a["pth_pg_per_mL"], a["fgf23_pg_per_mL"], mg_i, k["reference_gfr_mL_per_min"], k
    )
    e_p, e_f = act.pth_action, act.fgf23_action
    k_tr = k["gut_transit_per_h"]
    nh = k["calcitriol_absorption_hill_factor"]
    vdr = a["calcitriol_pmol_per_L"] ** nh / (
        a["calcitriol_pmol_per_L"] ** nh + k["calcitriol_absorption_half_pmol_per_L"] ** nh
    )
    g_h = k["reference_gfr_mL_per_min"] * kidney.ML_PER_MIN_TO_L_PER_H

    # gut calcium
    sec_ca = a["calcium_endogenous_faecal_mmol_per_day"] / 24.0
    out["calcium_gut_secretion_L_per_h"] = sec_ca / ca_i
    lumen_in = k["dietary_calcium_mmol_per_day"] / 24.0 + sec_ca
    g = _lumen(lumen_in, a["calcium_fractional_absorption"], k_tr)
    passive = a["calcium_passive_fraction_of_lumen"] * lumen_in
    active = (
        a["calcium_fractional_absorption"] - a["calcium_passive_fraction_of_lumen"]
    ) * lumen_in
    out["calcium_passive_absorption_per_h"] = passive / g
    out["calcium_active_absorption_max_mmol_per_h"] = (
        active * (k["calcium_active_absorption_half_mmol"] + g) / (vdr * g)
    )
    u_ca = a["calcium_fractional_absorption"] * lumen_in - sec_ca

    # gut phosphate
    i_pi = k["dietary_phosphate_mmol_per_day"] / 24.0
    absorbed_pi = a["phosphate_net_absorption_fraction"] * i_pi
    g = _lumen(i_pi, a["phosphate_net_absorption_fraction"], k_tr)
    passive = a["phosphate_passive_share_of_absorption"] * absorbed_pi
    out["phosphate_passive_absorption_per_h"] = passive / g
    out["phosphate_active_absorption_max_mmol_per_h"] = (
        (absorbed_pi - passive) * (k["phosphate_active_absorption_half_mmol"] + g) / (vdr * g)
    )
    u_pi = absorbed_pi

    # gut magnesium
    sec_mg = a["magnesium_endogenous_faecal_mmol_per_day"] / 24.0
    out["magnesium_gut_secretion_L_per_h"] = sec_mg / mg_i
    lumen_in = k["dietary_magnesium_mmol_per_day"] / 24.0 + sec_mg
    g = _lumen(lumen_in, a["magnesium_fractional_absorption"], k_tr)
    passive = a["magnesium_passive_fraction_of_lumen"] * lumen_in
    active = (
        a["magnesium_fractional_absorption"] - a["magnesium_passive_fraction_of_lumen"]
    ) * lumen_in
    out["magnesium_passive_absorption_per_h"] = passive / g
    out["magnesium_active_absorption_max_mmol_per_h"] = (
        active * (k["magnesium_active_absorption_half_mmol"] + g) / g
    )
    u_mg = a["magnesium_fractional_absorption"] * lumen_in - sec_mg

    # kidney calcium: TAL share, then distal reabsorption closing the balance
    x = kidney.casr_signal_mM(ca_i, mg_i, k)
    ratio = k["calcium_tal_max_fraction"] / a["calcium_tal_reabsorbed_fraction"] - 1.0
    out["calcium_tal_casr_half_mM"] = x / ratio ** (1.0 / k["calcium_tal_casr_hill_factor"])
    delivery = 1.0 - k["calcium_proximal_fraction"] - a["calcium_tal_reabsorbed_fraction"]
    h = (
        k["calcium_distal_pth_independent_fraction"]
        + (1.0 - k["calcium_distal_pth_independent_fraction"]) * e_p
    )
    fe_distal = u_ca / (g_h * ca_uf * delivery)
    out["calcium_distal_max_fraction"] = (1.0 - fe_distal) / h

    # kidney phosphate and magnesium: invert the smooth titration curve
    n = k["tubular_maximum_splay_factor"]

    def tm_for(conc: float, urine: float) -> float:
        reab = conc - urine / g_h
        return (reab**-n - conc**-n) ** (-1.0 / n)

    t_pi = tm_for(pi_uf, u_pi)
    out["phosphate_tmp_max_mM"] = t_pi / (
        (1.0 - k["phosphate_tmp_pth_reduction_fraction"] * e_p)
        * (1.0 - k["phosphate_tmp_fgf23_reduction_fraction"] * e_f)
    )
    out["magnesium_tm_mM"] = tm_for(mg_uf, u_mg) / (1.0 + k["magnesium_tm_pth_gain_factor"] * e_p)

    # calcitriol
    s25 = k["vitamin_d_25oh_nM"] / (k["vitamin_d_25oh_nM"] + k["calcitriol_substrate_half_nM"])
    cat = (
        k["calcitriol_elimination_per_h"]
        * (1.0 + k["calcitriol_fgf23_catabolism_factor"] * e_f)
        * a["calcitriol_pmol_per_L"]
    )
    renal_share = 1.0 - ANCHORS["calcitriol_extrarenal_share"]
    out["calcitriol_synthesis_pmol_per_L_per_h"] = (
        renal_share
        * cat
        / (
            (1.0 + k["calcitriol_pth_stimulation_factor"] * e_p)
            * (1.0 - k["calcitriol_fgf23_suppression_fraction"] * e_f)
            * s25
        )
    )
    out["calcitriol_extrarenal_pmol_per_L_per_h"] = (
        ANCHORS["calcitriol_extrarenal_share"] * cat / s25
    )

    # parathyroid: slope for the PTH anchor, then the capacity scale
    q = k["pth_secretion_magnesium_hill_factor"]
    gmg = mg_i**q / (mg_i**q + k["pth_secretion_magnesium_half_mM"] ** q)
    d = k["pth_minimum_fraction"]
    s = a["pth_pg_per_mL"] / (k["pth_max_pg_per_mL"] * gmg)
    r = x / k["pth_calcium_set_point_mM"]
    out["pth_calcium_hill_factor"] = math.log((1.0 - d) / (s - d) - 1.0) / math.log(r)
    sec = parathyroid.secretion_fraction(
        x, k["pth_calcium_set_point_mM"], out["pth_calcium_hill_factor"], d
    )
    kv = k["parathyroid_calcitriol_half_pmol_per_L"]
    out["parathyroid_capacity_scale_factor"] = 1.0 / (
        sec ** k["parathyroid_growth_calcium_factor"]
        * a["serum_phosphate_mM"] ** k["parathyroid_growth_phosphate_factor"]
        * (kv / (kv + a["calcitriol_pmol_per_L"])) ** k["parathyroid_growth_calcitriol_factor"]
    )

    # FGF23, bone, PPi
    k_f = math.log(2.0) / (k["fgf23_half_life_min"] / 60.0)
    out["fgf23_secretion_pg_per_mL_per_h"] = (
        k_f
        * a["fgf23_pg_per_mL"]
        / (
            a["serum_phosphate_mM"] ** k["fgf23_phosphate_exponent_factor"]
            * (a["calcitriol_pmol_per_L"] / 100.0) ** k["fgf23_calcitriol_exponent_factor"]
        )
    )
    out["osteoclast_pth_factor"] = (1.0 - k["osteoclast_basal_factor"]) / e_p
    out["ppi_synthesis_uM_per_h"] = math.log(2.0) / k["ppi_half_life_h"] * a["ppi_uM"]

    # CPP and fetuin-A
    t50 = t50_min(
        ca_i,
        a["serum_phosphate_mM"],
        a["serum_magnesium_mM"],
        a["fetuin_a_g_per_L"],
        a["ppi_uM"],
        a["bicarbonate_mM"],
        k,
    )
    cpp1 = a["cpp_primary_calcium_uM"]  # umol/L
    k_rip = k["cpp_in_vivo_ripening_factor"] * math.log(2.0) / (t50 / 60.0)
    k_c1 = math.log(2.0) / (k["cpp_primary_half_life_min"] / 60.0)
    out["cpp_formation_umol_per_L_per_h"] = cpp1 * (k_rip + k_c1)  # at ion product 1, fetuin 0.7
    cleared_umol_per_L_per_h = cpp1 * (k_rip + k_c1)  # all CPP-I mineral is eventually cleared
    out["fetuin_a_synthesis_g_per_L_per_h"] = (
        math.log(2.0) / (k["fetuin_a_half_life_days"] * 24.0) * a["fetuin_a_g_per_L"]
        + k["cpp_fetuin_a_g_per_mmol_calcium"] * 1e-3 * cleared_umol_per_L_per_h
    )

    # T50 readout: the phosphate exponent that gives the haemodialysis serum its T50
    hd = HAEMODIALYSIS_SERUM
    kk = dict(
        k, serum_albumin_g_per_L=hd["serum_albumin_g_per_L"], t50_phosphate_exponent_factor=0.0
    )
    t50_no_pi = t50_min(
        hd["ionised_calcium_mM"],
        hd["serum_phosphate_mM"],
        hd["serum_magnesium_mM"],
        hd["fetuin_a_g_per_L"],
        hd["ppi_uM"],
        hd["bicarbonate_mM"],
        kk,
    )
    out["t50_phosphate_exponent_factor"] = math.log(t50_no_pi / hd["t50_min"]) / math.log(
        hd["serum_phosphate_mM"] / 1.1
    )

    # binders: lanthanum rate constant from its anchor, the others by relative binding
    out.update(_binder_constants(k, out, vdr))
    return out


def _binder_constants(k: dict, cal: dict, vdr: float) -> dict[str, float]:
    i_pi = k["dietary_phosphate_mmol_per_day"] / 24.0
    k_tr = k["gut_transit_per_h"]
    kp = cal["phosphate_passive_absorption_per_h"]
    vmax = cal["phosphate_active_absorption_max_mmol_per_h"] * vdr
    half = k["phosphate_active_absorption_half_mmol"]

    def absorbed(bind_per_h: float) -> float:
        lo, hi = 0.0, i_pi / k_tr
        for _ in range(200):  # input = (k_tr + bind + kp) G + vmax G / (half + G), monotone in G
            gmid = 0.5 * (lo + hi)
            if (k_tr + bind_per_h + kp) * gmid + vmax * gmid / (half + gmid) > i_pi:
                hi = gmid
            else:
                lo = gmid
        gg = 0.5 * (lo + hi)
        return kp * gg + vmax * gg / (half + gg)

    target = absorbed(0.0) - ANCHORS["lanthanum_3g_absorption_reduction_mmol_per_day"] / 24.0
    lo, hi = 0.0, 50.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if absorbed(mid) > target:
            lo = mid
        else:
            hi = mid
    beta_la = 0.5 * (lo + hi) / 3.0
    per_unit = beta_la / RELATIVE_BINDING["lanthanum"]
    return {
        "lanthanum_binding_per_h_per_g_day": beta_la,
        "calcium_acetate_binding_per_h_per_g_day": per_unit * RELATIVE_BINDING["calcium_acetate"],
        "sevelamer_binding_per_h_per_g_day": per_unit * RELATIVE_BINDING["sevelamer"],
    }


def disease_anchor_values(params: Parameters) -> dict[str, float]:
    """The quantities of :data:`DISEASE_ANCHORS` for ``params`` (steady-state solves)."""
    from vcsim.systemic.equilibrium import steady_state
    from vcsim.systemic.inputs import SystemicInputs
    from vcsim.systemic.mineral_metabolism import serum

    normal = steady_state(params)
    s0 = serum(normal, params)
    st40 = steady_state(params, SystemicInputs(gfr_mL_per_min=40.0), initial=normal)
    st35 = steady_state(params, SystemicInputs(gfr_mL_per_min=35.0), initial=st40)
    return {
        "pth_receptor_ckd_downregulation_factor": serum(st35, params)["pth_pg_per_mL"],
        "fgf23_ckd_stimulation_factor": serum(st40, params)["fgf23_pg_per_mL"]
        / s0["fgf23_pg_per_mL"],
    }


def calibrate_disease_constants(params: Parameters) -> dict[str, float]:
    """Solve the disease-anchored constants jointly (scipy root finder, log scale)."""
    import numpy as np
    from scipy.optimize import root

    names = list(DISEASE_ANCHORS)
    targets = np.array([DISEASE_ANCHORS[n][1] for n in names])

    def resid(logx: np.ndarray) -> np.ndarray:
        p = params.updated({n: float(np.exp(v)) for n, v in zip(names, logx, strict=True)})
        got = disease_anchor_values(p)
        return np.log(np.array([got[n] for n in names]) / targets)

    x0 = np.log([max(float(params[n]), 1e-3) for n in names])
    sol = root(resid, x0, method="hybr", options={"xtol": 1e-8})
    return {n: float(np.exp(v)) for n, v in zip(names, sol.x, strict=True)}
