"""What a VSMC senses: its site's fluid and mineral, and the systemic inputs and drugs.

One cell at a time (:func:`sense`), compiled; ``p`` is the run's input record
(:mod:`vcsim.params.record`: every parameter, systemic and intervention values as in force
now). Sensed signals (dimensionless in [0, 1) unless the name says otherwise):

- ``phosphate_uptake_nmol_per_mg_per_h``: Pit-1 Na-Pi cotransport,
  ``J = Vmax * a * Pi / (Km + Pi)`` with Pit-1 activity
  ``a = pit1_expression * (1 - pit1_knockdown) * (1 - pit1_blocker)``.
- ``phosphate_signal``: Pit-1-dependent Pi signalling toward BMP2/Wnt/Runx2 and mTORC1,
  ``H(a * Pi; K, n)``. It is a separate, lower-affinity Hill term because transport by
  SLC20 carriers is near-saturated above ~0.3 mM (Km ~0.03-0.1 mM) whereas the osteogenic
  response rises steeply between 1.4 and 3 mM (Jono et al. 2000); Pit-1 signals to ERK1/2
  partly independently of transport (Chavkin et al. 2015, Exp Cell Res).
- ``tnf_signal``: ``H(TNF * (1 - anti_TNF); K, n)``; ``age_signal``, ``lipid_signal``: receptor
  occupancy ``x / (x + K)`` (AGE after the RAGE antagonist).
- ``ros_signal``: ``H(ros; K, n)`` of the cell's ROS state (n > 1: antioxidant buffering absorbs
  low ROS, so basal ROS signals little).
- ``glucose_rise_mM``: ``max(G - glucose_memory, 0)``, the un-adapted part of a glucose rise.
- ``pore_volume_L``: the volume of the site's pore fluid the cell exchanges Ca2+ with (L), which
  caps what the ER store can take from it in a step (:mod:`vcsim.cells.vsmc.calcium`): the
  site's own ``porosity x site volume`` from the geometry, passed in by the sensing process
  (on a slab every site has ``porosity x spacing^2 x depth``, :func:`slab_pore_volume_L`; on a
  ring the volume grows with the radius).
- ``reduced_vitamin_k_index``: vitamin K hydroquinone supply,
  ``vk * ((1 - warfarin) + bypass)``; the bypass is the warfarin-insensitive reductase that lets
  high-dose vitamin K rescue carboxylation under warfarin.
- ``fetuin_loading_fraction``: ``F / (F + K)``, fetuin-A taken up by matrix vesicles.
"""

from __future__ import annotations

from vcsim.cells.kinetics import hill
from vcsim.compiled import jit


@jit
def pit1_activity(c, p):
    """Functional Pit-1 relative to a healthy contractile cell (expression x knock-down x PFA)."""
    return c.pit1_expression * ((1.0 - p.pit1_knockdown_fraction) * (1.0 - p.pit1_blocker_fraction))


@jit
def phosphate_uptake(pi_mM, activity, p):
    """Na-dependent Pi uptake by Pit-1: ``Vmax * activity * Pi / (Km + Pi)`` (nmol/mg protein/h)."""
    pi = pi_mM if pi_mM > 0.0 else 0.0
    return p.pit1_uptake_vmax_nmol_per_mg_per_h * activity * pi / (p.pit1_uptake_km_mM + pi)


#: L per um^3
L_PER_UM3 = 1.0e-15


@jit
def slab_pore_volume_L(p):
    """Pore-fluid volume of one slab site, ``V = porosity_fraction x site_spacing_um^2 x
    site_depth_um x 1e-15 L/um^3`` (L): 0.3 x 10 x 10 x 10 um^3 = 0.3 pL at the defaults. On the
    ring geometry site volumes differ by row (``geometry.site_volume_L_flat``)."""
    return p.porosity_fraction * p.site_spacing_um * p.site_spacing_um * p.site_depth_um * L_PER_UM3


@jit
def sense(c, s, phosphate_mM, calcium_mM, magnesium_mM, pyrophosphate_uM, mineral_hap_mM,
          hap_saturation_index, pore_volume_L, p):
    """Write what the cell with state ``c`` senses into its signal record ``s`` (module
    docstring for each formula); the six site values are the fluid and mineral at its site,
    ``pore_volume_L`` the volume of its site's pore fluid."""
    s.phosphate_mM = phosphate_mM
    s.calcium_mM = calcium_mM
    s.magnesium_mM = magnesium_mM
    s.pyrophosphate_uM = pyrophosphate_uM
    s.mineral_hap_mM = mineral_hap_mM
    s.hap_saturation_index = hap_saturation_index
    s.pore_volume_L = pore_volume_L
    a = pit1_activity(c, p)
    pi = phosphate_mM if phosphate_mM > 0.0 else 0.0
    s.phosphate_uptake_nmol_per_mg_per_h = phosphate_uptake(pi, a, p)
    s.phosphate_signal = hill(a * pi, p.pit1_signal_half_max_mM, p.pit1_signal_hill)

    tnf = p.tnf_alpha_pg_per_mL * (1.0 - p.anti_tnf_fraction)
    age = p.age_index * (1.0 - p.rage_antagonist_fraction)
    lipid = p.lipid_index
    s.tnf_signal = hill(tnf, p.tnf_half_max_pg_per_mL, p.tnf_signal_hill)
    s.age_signal = age / (age + p.age_half_max_index)
    s.lipid_signal = lipid / (lipid + p.lipid_half_max_index)
    s.ros_signal = hill(c.ros, p.ros_half_max_index, p.ros_signal_hill)

    glucose = p.glucose_mM
    s.glucose_mM = glucose
    rise = glucose - c.glucose_memory_mM
    s.glucose_rise_mM = rise if rise > 0.0 else 0.0

    s.reduced_vitamin_k_index = p.vitamin_k_index * (
        (1.0 - p.warfarin_vkorc1_inhibition_fraction) + p.vitamin_k_warfarin_bypass_fraction)
    fetuin = p.fetuin_a_g_per_L
    s.fetuin_loading_fraction = fetuin / (fetuin + p.fetuin_vesicle_half_max_g_per_L)
