"""ER stress and the unfolded protein response, the ER Ca2+ store, mTORC1 and autophagy.

The causal structure is MODEL.md section 4 (seed 003's review):

- oxidative stress (the ``ros`` index): made by glucose above its reference, by the un-adapted
  part of a glucose rise (glucose above its slow memory), TNF-a, AGE/RAGE, lipids and systemic
  oxidative stress; it rises within ~1 h but falls only as oxidative damage is repaired (~2 days,
  :func:`oxidative_stress_update`), so each glucose swing leaves damage that outlasts it
  (fluctuating glucose is worse than constant high glucose; seed 003 ref. 27, Ceriello 2008).
- unfolded load ``L``: made by protein synthesis (more in osteogenic, matrix-secreting cells;
  raised by mTORC1; lowered by p-eIF2a) and by stressors (Pi, ROS, TNF-a, AGE, lipids); cleared
  by GRP78-assisted folding (needs ER Ca2+), XBP1s-driven ERAD, autophagy and chemical
  chaperones (4-PBA, TUDCA):  ``dL/dt = P - k L``.
- GRP78 sequestration ``s = L / (L + K_bip * GRP78)`` frees and activates PERK, IRE1 and ATF6.
- PERK -> p-eIF2a -> ATF4 -> CHOP; CHOP -> GADD34 dephosphorylates eIF2a; PERK -> Sestrin -|
  mTORC1. IRE1 -> XBP1s (XBP1 mRNA made more by ATF6) and IRE1 -> TRAF2/ASK1 -> JNK (with TNF-a
  and ROS). ATF6, XBP1s and ATF4 induce GRP78.
- ER Ca2+ store filled by SERCA (Mg-ATP; oxidised by ROS), drained by leak that rises with ER
  stress: ``f* = k_SERCA / (k_SERCA + k_leak)``. A depleted store slows folding; the released
  Ca2+ induces autophagy.
- autophagy induced by ATF4, XBP1s and ER Ca2+ release, suppressed by mTORC1 (raised by Pi and
  AGE/RAGE, lowered by rapamycin and Sestrin), blocked by 3-MA.
- apoptosis pressure: CHOP integrated over time (``chop_persistence``; Diedrichs et al. 2018)
  and caspase-12 activated by severe, prolonged sequestration.

Integration: every variable relaxes exactly toward a quasi-steady target computed from the
old state, ``x' = x* + (x - x*) exp(-dt/tau)`` (:func:`vcsim.cells.signals.relax`): stable at
any dt, fractions stay in [0, 1] and amounts >= 0 by construction (a final clip only removes
round-off). Because all targets use the old state, the update is synchronous and each cell
reads only its own row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from vcsim.cells.signals import fvalue, hill, relax, relax_tau
from vcsim.cells.state import Phenotype


def grp78_sequestration(unfolded_load: np.ndarray, grp78: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    """Share of GRP78 engaged by unfolded protein, ``s = L / (L + K_bip * GRP78)`` in [0, 1)."""
    return unfolded_load / (unfolded_load + params["grp78_binding_half_max_index"] * np.maximum(grp78, 1e-6))


def oxidative_stress_update(ros: np.ndarray, target: np.ndarray, params: Mapping[str, Any],
                            dt_h: float) -> np.ndarray:
    """The ROS index after ``dt_h``: fast rise, slow fall (oxidative damage outlasts the burst).

    ``ros' = target + (ros - target) * exp(-dt / tau)`` with ``tau = tau_ros_h`` (~1 h) when the
    target is above the index (a ROS burst) and ``tau = tau_oxidative_damage_h`` (~1-2 days)
    when it is below: the index is the cell's oxidative stress, and the oxidised proteins and
    lipids (nitrotyrosine, 8-iso-PGF2a) and the redox signalling they sustain are repaired
    over a day or more after production stops (Ceriello et al. 2008 Diabetes 57:1349:
    oxidative-stress markers over the 48 h after oscillating glucose exceed those of constant
    high glucose; Ihnat et al. 2007
    Diabetologia 50:1523: a ROS-mediated cellular "memory" of high glucose). With a fixed
    target the relaxation is exact and monotone, so the index never overshoots; at a constant
    target both branches lead to the same steady state.
    """
    tau = np.where(target >= ros, params["tau_ros_h"], params["tau_oxidative_damage_h"])
    return target + (ros - target) * np.exp(-dt_h / tau)


def update_upr(rows: Mapping[str, np.ndarray], sig: Mapping[str, np.ndarray], phenotype: np.ndarray,
               systemic: Mapping[str, Any], params: Mapping[str, Any], dt_h: float) -> dict[str, np.ndarray]:
    """New values of the ER-stress/UPR/autophagy variables after ``dt_h`` hours (float64 arrays)."""
    p = params
    r = rows
    new: dict[str, np.ndarray] = {}

    # --- reactive oxygen species and glucose memory (Monnier/Ceriello: fluctuation > constant)
    glucose = sig["glucose_mM"]
    ros_target = (
        p["ros_basal_index"]
        + fvalue("oxidative_stress_index", systemic, params)
        + p["ros_per_mM_glucose_excess_index"] * np.maximum(glucose - p["glucose_reference_mM"], 0.0)
        + p["ros_per_mM_glucose_rise_index"] * sig["glucose_rise_mM"]
        + p["ros_from_tnf_index"] * sig["tnf_signal"]
        + p["ros_from_age_index"] * sig["age_signal"]
        + p["ros_from_lipid_index"] * sig["lipid_signal"]
    ) * (1.0 - fvalue("antioxidant_fraction", systemic, params))
    new["ros"] = oxidative_stress_update(r["ros"], ros_target, p, dt_h)
    new["glucose_memory_mM"] = relax_tau(r["glucose_memory_mM"], glucose, p["tau_glucose_memory_h"], dt_h)

    s = grp78_sequestration(r["unfolded_load"], r["grp78"], p)

    # --- ER Ca2+ store: SERCA (Mg-ATP, ROS-sensitive) vs stress-induced leak
    serca = p["serca_rate_per_h"] * sig["serca_mg_activity"] * (
        1.0 - p["serca_ros_inhibition_fraction"] * sig["ros_signal"])
    leak = p["er_leak_rate_per_h"] * (1.0 + p["er_leak_stress_factor"] * s)
    new["er_calcium_fraction"] = relax(r["er_calcium_fraction"], serca / (serca + leak), serca + leak, dt_h)

    # --- unfolded load: synthesis x translation + stressors, cleared by folding/ERAD/autophagy/chaperones
    translation = 1.0 - p["eif2a_translation_block_fraction"] * r["p_eif2a"]
    share = p["mtorc1_translation_share_fraction"]
    mtor_factor = (1.0 - share) + share * r["mtorc1"] / p["mtorc1_reference_fraction"]
    osteo = 1.0 + p["osteogenic_synthesis_factor"] * r["runx2"] + np.where(
        phenotype == Phenotype.OSTEOGENIC, p["osteogenic_phenotype_synthesis_factor"], 0.0)
    stress = (
        p["stress_pi_load_per_h"] * sig["phosphate_signal"]
        + p["stress_ros_load_per_h"] * sig["ros_signal"]
        + p["stress_tnf_load_per_h"] * sig["tnf_signal"]
        + p["stress_age_load_per_h"] * sig["age_signal"]
        + p["stress_lipid_load_per_h"] * sig["lipid_signal"]
    )
    production = translation * (p["protein_synthesis_load_per_h"] * osteo * mtor_factor + stress)
    er = r["er_calcium_fraction"]
    folding = p["folding_rate_per_h"] * r["grp78"] * hill(er, p["er_folding_half_max_fraction"], p["er_folding_hill"])
    chaperones = fvalue("pba4_chaperone_fraction", systemic, params) + fvalue(
        "tudca_chaperone_fraction", systemic, params)
    clearance = (
        p["basal_degradation_rate_per_h"]
        + folding
        + p["erad_rate_per_h"] * r["xbp1s"]
        + p["autophagy_clearance_rate_per_h"] * r["autophagy_flux"]
        + p["chaperone_clearance_rate_per_h"] * chaperones
    )
    new["unfolded_load"] = relax(r["unfolded_load"], production / clearance, clearance, dt_h)

    # --- the three sensors, released from GRP78
    perk_kd = fvalue("perk_knockdown_fraction", systemic, params)
    new["perk"] = relax_tau(r["perk"], hill(s, p["perk_half_max_fraction"], p["perk_hill"]) * (1.0 - perk_kd),
                            p["tau_perk_h"], dt_h)
    new["ire1"] = relax_tau(r["ire1"], hill(s, p["ire1_half_max_fraction"], p["ire1_hill"]), p["tau_ire1_h"], dt_h)
    new["atf6"] = relax_tau(r["atf6"], hill(s, p["atf6_half_max_fraction"], p["atf6_hill"]), p["tau_atf6_h"], dt_h)

    # --- PERK arm: p-eIF2a (kinase vs basal + GADD34 phosphatase) -> ATF4 -> CHOP
    phos = p["eif2a_phosphorylation_rate_per_h"] * r["perk"]
    dephos = p["eif2a_dephosphorylation_rate_per_h"] + p["gadd34_dephosphorylation_rate_per_h"] * r["chop"]
    new["p_eif2a"] = relax(r["p_eif2a"], phos / (phos + dephos), phos + dephos, dt_h)
    atf4_basal = p["atf4_basal_fraction"]
    atf4_target = (atf4_basal + (1.0 - atf4_basal) * hill(r["p_eif2a"], p["atf4_half_max_fraction"], p["atf4_hill"])
                   ) * (1.0 - fvalue("atf4_knockdown_fraction", systemic, params))
    new["atf4"] = relax_tau(r["atf4"], atf4_target, p["tau_atf4_h"], dt_h)
    chop_drive = r["atf4"] + p["chop_atf6_factor"] * r["atf6"]
    chop_target = hill(chop_drive, p["chop_half_max_fraction"], p["chop_hill"]) * (
        1.0 - fvalue("chop_knockdown_fraction", systemic, params))
    new["chop"] = relax_tau(r["chop"], chop_target, p["tau_chop_h"], dt_h)

    # --- IRE1 arm: XBP1 splicing (mRNA raised by ATF6), TRAF2/ASK1 -> JNK (+ TNF-a, ROS)
    xb = p["xbp1_basal_mrna_fraction"]
    xbp1s_target = r["ire1"] * (xb + (1.0 - xb) * r["atf6"]) * (
        1.0 - fvalue("xbp1_knockdown_fraction", systemic, params))
    new["xbp1s"] = relax_tau(r["xbp1s"], xbp1s_target, p["tau_xbp1s_h"], dt_h)
    jnk_drive = r["ire1"] + p["jnk_tnf_factor"] * sig["tnf_signal"] + p["jnk_ros_factor"] * sig["ros_signal"]
    new["jnk"] = relax_tau(r["jnk"], hill(jnk_drive, p["jnk_half_max_factor"], p["jnk_hill"]), p["tau_jnk_h"], dt_h)

    # --- GRP78 induction by ATF6, XBP1s, ATF4 (long-lived protein)
    gb = p["grp78_basal_fraction"]
    grp78_drive = r["atf6"] + p["grp78_xbp1s_factor"] * r["xbp1s"] + p["grp78_atf4_factor"] * r["atf4"]
    new["grp78"] = relax_tau(
        r["grp78"], gb + (1.0 - gb) * hill(grp78_drive, p["grp78_half_max_factor"], p["grp78_hill"]),
        p["tau_grp78_h"], dt_h)

    # --- mTORC1: nutrients/growth factors + Pi + AGE/RAGE; rapamycin; PERK -> Sestrin
    activation = 1.0 + p["mtorc1_pi_factor"] * sig["phosphate_signal"] + p["mtorc1_age_factor"] * sig["age_signal"]
    mtorc1_target = activation / (activation + p["mtorc1_half_max_factor"]) * (
        1.0 - fvalue("rapamycin_mtorc1_inhibition_fraction", systemic, params)) * (
        1.0 - p["sestrin_mtorc1_inhibition_fraction"] * r["perk"])
    new["mtorc1"] = relax_tau(r["mtorc1"], mtorc1_target, p["tau_mtorc1_h"], dt_h)

    # --- autophagy: ATF4, XBP1s, ER Ca2+ release; mTORC1 suppresses; 3-MA blocks
    induction = (
        p["autophagy_basal_factor"]
        + p["autophagy_atf4_factor"] * r["atf4"]
        + p["autophagy_xbp1s_factor"] * r["xbp1s"]
        + p["autophagy_er_release_factor"] * (1.0 - er)
    ) / (1.0 + p["autophagy_mtorc1_suppression_factor"] * r["mtorc1"])
    autophagy_target = hill(induction, p["autophagy_half_max_factor"], p["autophagy_hill"]) * (
        1.0 - fvalue("three_ma_autophagy_block_fraction", systemic, params))
    new["autophagy_flux"] = relax_tau(r["autophagy_flux"], autophagy_target, p["tau_autophagy_h"], dt_h)

    # --- apoptosis pressure integrators
    new["caspase12"] = relax_tau(r["caspase12"], hill(s, p["caspase12_half_max_fraction"], p["caspase12_hill"]),
                                 p["tau_caspase12_h"], dt_h)
    new["chop_persistence"] = relax_tau(
        r["chop_persistence"], hill(r["chop"], p["chop_persistence_half_max_fraction"], p["chop_persistence_hill"]),
        p["tau_chop_persistence_h"], dt_h)
    return new
