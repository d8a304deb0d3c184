"""What a VSMC releases into its site each step: matrix vesicles (with their inhibitor loading),
apoptotic bodies, PPi (ENPP1), TNAP activity and MGP (carboxylated and not).

Rates come from the rules table (behaviours ``vesicle_release``, ``ppi_secretion``,
``tnap_activity``, ``mgp_secretion``: base values by phenotype, modulated by rules) times the
cell's own expression levels; conversions use the site's volumes (the geometry):

- a cell making PPi at ``q`` amol/h (``ppi_secretion`` x its ENPP1 activity) exports ``q dt``
  amol over the step (:mod:`vcsim.cells.vsmc.ions` takes its phosphorus from the cell's pool;
  :mod:`vcsim.processes.releases` puts it into the site's pore fluid: 1 amol in 3e-13 L is
  3.33 uM);
- MGP is deposited per litre of *tissue* (site volume), in nM;
- TNAP is the Vmax (uM PPi per hour in the site's pore fluid) of the enzyme on the cell and on
  the matrix vesicles it sheds into its own site (lumped);
- matrix vesicles are counted: a Poisson number with mean ``rate dt`` (``vesicle_release``:
  phenotype base, raised by ER stress through PERK (Furmanik et al. 2021, ATVB 41:898: ER
  stress -> SMPD3-dependent vesicle release) and by high Ca, lowered by autophagy): the count
  of the site's ``vesicle`` event clock over the step (:mod:`vcsim.cells.clocks`), passed in
  as ``vesicle_count`` (``< 0``: the expected count ``rate dt``, for the steady state a run
  starts from);
- a cell that died this step sheds ``apoptotic_bodies_per_cell`` apoptotic bodies, once.

Apoptotic and empty sites make no PPi, MGP, TNAP or vesicles.
"""

from __future__ import annotations

from vcsim.compiled import jit


@jit
def vesicle_inhibition_fraction(n, s, osteogenic, p):
    """Inhibitor loading of the vesicles a cell sheds (0 none, 1 fully inhibited).

    ``1 - (1 - L w_MGP cMGP_share) * (1 - L w_fetuin F/(F + K))``, where the cMGP share is the
    cell's carboxylated fraction times its MGP expression (0 in Mgp-/-) and the loading ``L``
    is 1 for contractile/autophagic cells and ``vesicle_osteogenic_loading_factor`` for
    osteogenic ones. Reynolds et al. 2004 (JASN 15:2857): VSMC vesicles load fetuin-A and MGP,
    which inhibit their mineralisation; Kapustin et al. 2011 (Circ Res 109:e1): stressed,
    osteogenic VSMCs shed vesicles depleted of both, which calcify.
    """
    mgp = 1.0 - p.mgp_knockdown_fraction
    loading = p.vesicle_osteogenic_loading_factor if osteogenic else 1.0
    cmgp_share = n.mgp_carboxylated_fraction * mgp
    return 1.0 - (1.0 - loading * p.vesicle_mgp_inhibition_fraction * cmgp_share) * (
        1.0 - loading * p.vesicle_fetuin_inhibition_fraction * s.fetuin_loading_fraction)


@jit
def secrete(n, s, viable, osteogenic, died, vesicle_rate_per_h, ppi_amol_per_h, tnap_uM_per_h,
            mgp_nM_per_h, vesicle_count, p, dt_h):
    """One step's releases of one cell with (new) state ``n``; see the module docstring.

    Returns ``(vesicles, vesicle_inhibition, apoptotic_bodies, ppi_amol, tnap_uM_per_h,
    cmgp_nM, ucmgp_nM)``.
    """
    bodies = p.apoptotic_bodies_per_cell if died else 0.0
    if not viable:
        return 0.0, 0.0, bodies, 0.0, 0.0, 0.0, 0.0
    mean = vesicle_rate_per_h * dt_h
    vesicles = vesicle_count if vesicle_count >= 0.0 else mean
    inhibition = vesicle_inhibition_fraction(n, s, osteogenic, p)
    ppi_amol = ppi_amol_per_h * n.enpp1 * dt_h
    tnap = tnap_uM_per_h * n.tnap
    mgp = mgp_nM_per_h * (1.0 - p.mgp_knockdown_fraction) * dt_h
    carb = n.mgp_carboxylated_fraction
    return vesicles, inhibition, bodies, ppi_amol, tnap, mgp * carb, mgp * (1.0 - carb)
