"""ER stress and the unfolded protein response, the ER Ca2+ store, mTORC1 and autophagy.

The causal structure follows the review of ER stress in vascular calcification (Rao et al. 2022 Front Cardiovasc Med
9:918056; Shanahan & Furmanik 2017 Curr Cardiol Rev 13:94) and its
primary literature:

- oxidative stress (the ``ros`` index): made by glucose above its reference, by the un-adapted
  part of a glucose rise (glucose above its slow memory), TNF-a, AGE/RAGE, lipids and systemic
  oxidative stress; it rises within ~1 h but falls only as oxidative damage is repaired (~2 days,
  :func:`oxidative_stress_update`), so each glucose swing leaves damage that outlasts it
  (fluctuating glucose is worse than constant high glucose; Zhang et al. 2019 Diabetol Metab Syndr 11:67; Ceriello et al. 2008 Diabetes 57:1349).
- unfolded load ``L``: made by protein synthesis (more in osteogenic, matrix-secreting cells;
  raised by mTORC1; lowered by p-eIF2a) and by stressors (Pi, ROS, TNF-a, AGE, lipids); cleared
  by GRP78-assisted folding (needs ER Ca2+), XBP1s-driven ERAD, autophagy and chemical
  chaperones (4-PBA, TUDCA):  ``dL/dt = P - k L``.
- GRP78 sequestration ``s = L / (L + K_bip * GRP78)`` frees and activates PERK, IRE1 and ATF6.
- PERK -> p-eIF2a -> ATF4 -> CHOP; CHOP -> GADD34 dephosphorylates eIF2a; PERK -> Sestrin -|
  mTORC1. IRE1 -> XBP1s (XBP1 mRNA made more by ATF6) and IRE1 -> TRAF2/ASK1 -> JNK (with TNF-a
  and ROS). ATF6, XBP1s and ATF4 induce GRP78.
- ER Ca2+ store (:mod:`vcsim.cells.vsmc.calcium`, ``docs/cell_calcium.md``): filled from the
  site's fluid Ca2+ through the plasma membrane (background entry, store-operated entry) by
  SERCA, which runs on the cell's Mg-ATP (cytosolic free Mg2+, a state following the fluid Mg)
  and is oxidised by ROS, and drained by a leak that rises with GRP78 sequestration; the
  cytosolic Ca2+ balance is quasi-steady. With no fluid Ca2+ the store empties. A depleted
  store slows folding; the released Ca2+ induces autophagy.
- autophagy induced by ATF4, XBP1s and ER Ca2+ release, suppressed by mTORC1 (raised by Pi and
  AGE/RAGE, lowered by rapamycin and Sestrin), blocked by 3-MA.
- apoptosis pressure: CHOP integrated over time (``chop_persistence``; Diedrichs et al. 2018)
  and caspase-12 activated by severe, prolonged sequestration.

Integration: every variable relaxes exactly toward a quasi-steady target computed from the
old state, ``x' = x* + (x - x*) exp(-dt/tau)`` (:func:`vcsim.cells.kinetics.relax`; the store with the
secant rate of its own balance, :func:`vcsim.cells.vsmc.calcium.store_step`): stable at
any dt, fractions stay in [0, 1] and amounts >= 0 by construction (a final clip only removes
round-off). Because all targets use the old state (``c``, the stored row) and the new values go to a
separate record (``n``), the update is synchronous and each cell reads only its own row.
"""

from __future__ import annotations

import math

from vcsim.cells.kinetics import hill, relax, relax_tau
from vcsim.cells.vsmc.calcium import cytosol_magnesium_step, fluid_calcium_amol, store_step
from vcsim.compiled import jit


@jit
def grp78_sequestration(unfolded_load, grp78, p):
    """Share of GRP78 engaged by unfolded protein, ``s = L / (L + K_bip * GRP78)`` in [0, 1)."""
    return unfolded_load / (unfolded_load + p.grp78_binding_half_max_index * max(grp78, 1e-6))


@jit
def oxidative_stress_update(ros, target, p, dt_h):
    """The ROS index after ``dt_h``: fast rise, slow fall (oxidative damage outlasts the burst).

    ``ros' = target + (ros - target) * exp(-dt / tau)`` with ``tau = tau_ros_h`` (~1 h) when the
    target is above the index (a ROS burst) and ``tau = tau_oxidative_damage_h`` (~1-2 days)
    when it is below: the index is the cell's oxidative stress, and the oxidised proteins and
    lipids (nitrotyrosine, 8-iso-PGF2a) and the redox signalling they sustain are repaired
    over a day or more after production stops (Ceriello et al. 2008 Diabetes 57:1349:
    oxidative-stress markers over the 48 h after oscillating glucose exceed those of constant
    high glucose; Ihnat et al. 2007 Diabetologia 50:1523: a ROS-mediated cellular "memory" of
    high glucose). With a fixed target the relaxation is exact and monotone, so the index never
    overshoots; at a constant target both branches lead to the same steady state.
    """
    tau = p.tau_ros_h if target >= ros else p.tau_oxidative_damage_h
    return target + (ros - target) * math.exp(-dt_h / tau)


@jit
def update_upr(c, s, n, osteogenic_phenotype, p, dt_h):
    """New ER-stress/UPR/autophagy variables of one cell after ``dt_h`` hours, into ``n``.

    ``c``: the cell's stored state (old), ``s``: its sensed signals, ``osteogenic_phenotype``:
    whether it is in the osteogenic phenotype (more matrix synthesis).
    """
    # --- reactive oxygen species and glucose memory (Monnier/Ceriello: fluctuation > constant)
    glucose = s.glucose_mM
    excess = glucose - p.glucose_reference_mM
    ros_target = (
        p.ros_basal_index
        + p.oxidative_stress_index
        + p.ros_per_mM_glucose_excess_index * (excess if excess > 0.0 else 0.0)
        + p.ros_per_mM_glucose_rise_index * s.glucose_rise_mM
        + p.ros_from_tnf_index * s.tnf_signal
        + p.ros_from_age_index * s.age_signal
        + p.ros_from_lipid_index * s.lipid_signal
    ) * (1.0 - p.antioxidant_fraction)
    n.ros = oxidative_stress_update(c.ros, ros_target, p, dt_h)
    n.glucose_memory_mM = relax_tau(c.glucose_memory_mM, glucose, p.tau_glucose_memory_h, dt_h)

    sq = grp78_sequestration(c.unfolded_load, c.grp78, p)

    # --- the cell's own ions (vcsim.cells.vsmc.calcium). Cytosolic free Mg2+ follows the fluid
    # Mg with tau_cytosol_magnesium_h (~12 h, much longer than a step: a state variable). The ER
    # store relaxes toward the filling set by the quasi-steady cytosolic Ca2+ balance (SERCA on
    # the cell's Mg-ATP, oxidised by ROS; leak raised by GRP78 sequestration; SOCE): the Ca2+ it
    # gains comes from the site's pore fluid, at most what that fluid holds.
    n.cytosol_magnesium_mM = cytosol_magnesium_step(c.cytosol_magnesium_mM, s.magnesium_mM, p, dt_h)
    available_amol = fluid_calcium_amol(s.calcium_mM, s.pore_volume_L)
    n.er_calcium_fraction = store_step(c.er_calcium_fraction, s.calcium_mM, c.cytosol_magnesium_mM, sq,
                                       s.ros_signal, available_amol, p, dt_h)[0]

    # --- unfolded load: synthesis x translation + stressors, cleared by folding/ERAD/autophagy/chaperones
    translation = 1.0 - p.eif2a_translation_block_fraction * c.p_eif2a
    share = p.mtorc1_translation_share_fraction
    mtor_factor = (1.0 - share) + share * c.mtorc1 / p.mtorc1_reference_fraction
    osteo = 1.0 + p.osteogenic_synthesis_factor * c.runx2 + (
        p.osteogenic_phenotype_synthesis_factor if osteogenic_phenotype else 0.0)
    stress = (
        p.stress_pi_load_per_h * s.phosphate_signal
        + p.stress_ros_load_per_h * s.ros_signal
        + p.stress_tnf_load_per_h * s.tnf_signal
        + p.stress_age_load_per_h * s.age_signal
        + p.stress_lipid_load_per_h * s.lipid_signal
    )
    production = translation * (p.protein_synthesis_load_per_h * osteo * mtor_factor + stress)
    er = c.er_calcium_fraction
    folding = p.folding_rate_per_h * c.grp78 * hill(er, p.er_folding_half_max_fraction, p.er_folding_hill)
    chaperones = p.pba4_chaperone_fraction + p.tudca_chaperone_fraction
    clearance = (
        p.basal_degradation_rate_per_h
        + folding
        + p.erad_rate_per_h * c.xbp1s
        + p.autophagy_clearance_rate_per_h * c.autophagy_flux
        + p.chaperone_clearance_rate_per_h * chaperones
    )
    n.unfolded_load = relax(c.unfolded_load, production / clearance, clearance, dt_h)

    # --- the three sensors, released from GRP78
    n.perk = relax_tau(c.perk, hill(sq, p.perk_half_max_fraction, p.perk_hill) * (1.0 - p.perk_knockdown_fraction),
                       p.tau_perk_h, dt_h)
    n.ire1 = relax_tau(c.ire1, hill(sq, p.ire1_half_max_fraction, p.ire1_hill), p.tau_ire1_h, dt_h)
    n.atf6 = relax_tau(c.atf6, hill(sq, p.atf6_half_max_fraction, p.atf6_hill), p.tau_atf6_h, dt_h)

    # --- PERK arm: p-eIF2a (kinase vs basal + GADD34 phosphatase) -> ATF4 -> CHOP
    phos = p.eif2a_phosphorylation_rate_per_h * c.perk
    dephos = p.eif2a_dephosphorylation_rate_per_h + p.gadd34_dephosphorylation_rate_per_h * c.chop
    n.p_eif2a = relax(c.p_eif2a, phos / (phos + dephos), phos + dephos, dt_h)
    atf4_basal = p.atf4_basal_fraction
    atf4_target = (atf4_basal + (1.0 - atf4_basal) * hill(c.p_eif2a, p.atf4_half_max_fraction, p.atf4_hill)
                   ) * (1.0 - p.atf4_knockdown_fraction)
    n.atf4 = relax_tau(c.atf4, atf4_target, p.tau_atf4_h, dt_h)
    chop_drive = c.atf4 + p.chop_atf6_factor * c.atf6
    chop_target = hill(chop_drive, p.chop_half_max_fraction, p.chop_hill) * (1.0 - p.chop_knockdown_fraction)
    n.chop = relax_tau(c.chop, chop_target, p.tau_chop_h, dt_h)

    # --- IRE1 arm: XBP1 splicing (mRNA raised by ATF6), TRAF2/ASK1 -> JNK (+ TNF-a, ROS)
    xb = p.xbp1_basal_mrna_fraction
    xbp1s_target = c.ire1 * (xb + (1.0 - xb) * c.atf6) * (1.0 - p.xbp1_knockdown_fraction)
    n.xbp1s = relax_tau(c.xbp1s, xbp1s_target, p.tau_xbp1s_h, dt_h)
    jnk_drive = c.ire1 + p.jnk_tnf_factor * s.tnf_signal + p.jnk_ros_factor * s.ros_signal
    n.jnk = relax_tau(c.jnk, hill(jnk_drive, p.jnk_half_max_factor, p.jnk_hill), p.tau_jnk_h, dt_h)

    # --- GRP78 induction by ATF6, XBP1s, ATF4 (long-lived protein)
    gb = p.grp78_basal_fraction
    grp78_drive = c.atf6 + p.grp78_xbp1s_factor * c.xbp1s + p.grp78_atf4_factor * c.atf4
    n.grp78 = relax_tau(c.grp78, gb + (1.0 - gb) * hill(grp78_drive, p.grp78_half_max_factor, p.grp78_hill),
                        p.tau_grp78_h, dt_h)

    # --- mTORC1: nutrients/growth factors + Pi + AGE/RAGE; rapamycin; PERK -> Sestrin
    activation = 1.0 + p.mtorc1_pi_factor * s.phosphate_signal + p.mtorc1_age_factor * s.age_signal
    mtorc1_target = activation / (activation + p.mtorc1_half_max_factor) * (
        1.0 - p.rapamycin_mtorc1_inhibition_fraction) * (
        1.0 - p.sestrin_mtorc1_inhibition_fraction * c.perk)
    n.mtorc1 = relax_tau(c.mtorc1, mtorc1_target, p.tau_mtorc1_h, dt_h)

    # --- autophagy: ATF4, XBP1s, ER Ca2+ release; mTORC1 suppresses; 3-MA blocks
    induction = (
        p.autophagy_basal_factor
        + p.autophagy_atf4_factor * c.atf4
        + p.autophagy_xbp1s_factor * c.xbp1s
        + p.autophagy_er_release_factor * (1.0 - er)
    ) / (1.0 + p.autophagy_mtorc1_suppression_factor * c.mtorc1)
    autophagy_target = hill(induction, p.autophagy_half_max_factor, p.autophagy_hill) * (
        1.0 - p.three_ma_autophagy_block_fraction)
    n.autophagy_flux = relax_tau(c.autophagy_flux, autophagy_target, p.tau_autophagy_h, dt_h)

    # --- apoptosis pressure integrators
    n.caspase12 = relax_tau(c.caspase12, hill(sq, p.caspase12_half_max_fraction, p.caspase12_hill),
                            p.tau_caspase12_h, dt_h)
    n.chop_persistence = relax_tau(
        c.chop_persistence, hill(c.chop, p.chop_persistence_half_max_fraction, p.chop_persistence_hill),
        p.tau_chop_persistence_h, dt_h)
