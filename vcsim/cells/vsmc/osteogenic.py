"""The osteogenic programme and the matrix proteins: Runx2, commitment, contractile markers,
TNAP, ENPP1, MGP carboxylation and Pit-1 expression.

- Runx2 (Cbfa-1) is driven by Pit-1-dependent Pi signalling (BMP2/Wnt), XBP1s (binds the Runx2
  promoter), ATF4, inflammation (TNF-a) and ROS; autophagy slows it; each cell scales its drive
  by a fixed ``osteogenic_plasticity`` (VSMC heterogeneity), which turns the single-cell
  threshold into a graded population dose-response.
- ``osteogenic_commitment`` integrates high Runx2 slowly and reinforces itself (hysteresis: the
  switch needs Runx2 high *and* sustained, and reversal is slow).
- contractile markers (aSMA, SM22a) fall as Runx2 rises; TNAP/ALP rises with Runx2 and ATF4
  (within 1-3 days); ENPP1 (PPi) is made mostly by contractile cells and suppressed by CHOP;
  BMP2/Runx2 induce Pit-1 (positive feedback on Pi signalling; Li, Yang & Giachelli 2008).
- MGP gamma-carboxylation follows the supply of reduced vitamin K (vitamin K status x VKORC1,
  which warfarin blocks), slowly (MGP turnover).

Same integration rule as :mod:`vcsim.cells.vsmc.upr`: exact relaxation toward targets from the
old state ``c``, written into ``n``.
"""

from __future__ import annotations

from vcsim.cells.kinetics import hill, relax_tau
from vcsim.compiled import jit


@jit
def update_osteogenic(c, s, n, p, dt_h):
    """New osteogenic/matrix variables of one cell after ``dt_h`` hours, into ``n``."""
    drive = c.osteogenic_plasticity * (
        p.runx2_pi_factor * s.phosphate_signal
        + p.runx2_xbp1s_factor * c.xbp1s
        + p.runx2_atf4_factor * c.atf4
        + p.runx2_tnf_factor * s.tnf_signal
        + p.runx2_ros_factor * s.ros_signal
    ) * (1.0 - p.runx2_autophagy_brake_fraction * c.autophagy_flux)
    n.runx2 = relax_tau(c.runx2, hill(drive, p.runx2_half_max_factor, p.runx2_hill), p.tau_runx2_h, dt_h)

    commit_drive = c.runx2 + p.commitment_feedback_factor * c.osteogenic_commitment
    n.osteogenic_commitment = relax_tau(
        c.osteogenic_commitment, hill(commit_drive, p.commitment_half_max_factor, p.commitment_hill),
        p.tau_commitment_h, dt_h)

    contractile_target = 1.0 - hill(c.runx2, p.contractile_runx2_half_max_fraction, p.contractile_hill)
    n.contractile_markers = relax_tau(c.contractile_markers, contractile_target, p.tau_contractile_h, dt_h)

    tb = p.tnap_basal_fraction
    tnap_drive = c.runx2 + p.tnap_atf4_factor * c.atf4
    n.tnap = relax_tau(c.tnap, tb + (1.0 - tb) * hill(tnap_drive, p.tnap_half_max_factor, p.tnap_hill),
                       p.tau_tnap_h, dt_h)

    share = p.enpp1_contractile_share_fraction
    enpp1_target = ((1.0 - share) + share * c.contractile_markers) * (
        1.0 - p.enpp1_chop_suppression_fraction * c.chop) * (1.0 - p.enpp1_knockdown_fraction)
    n.enpp1 = relax_tau(c.enpp1, enpp1_target, p.tau_enpp1_h, dt_h)

    rvk = s.reduced_vitamin_k_index
    n.mgp_carboxylated_fraction = relax_tau(
        c.mgp_carboxylated_fraction, rvk / (rvk + p.vitamin_k_carboxylation_half_max_index),
        p.tau_mgp_carboxylation_h, dt_h)

    n.pit1_expression = relax_tau(
        c.pit1_expression, 1.0 + p.pit1_runx2_induction_factor * c.runx2, p.tau_pit1_h, dt_h)
