"""The cell's own ions: cytosolic Ca2+ balance, the ER Ca2+ store and cytosolic Mg / Mg-ATP.

Read by :mod:`vcsim.cells.vsmc.calcium` (see ``docs/cell_calcium.md``). Amounts are per cell
(amol = 1e-18 mol; 1 mM in 1 pL is 1000 amol, 1 uM in 1 pL is 1 amol), fluxes amol per cell
per hour, cytosolic Ca2+ in uM, ER and fluid concentrations in mM.

The module also reads three parameters declared elsewhere, so that one effect has one number:
``temperature_c`` (systemic), ``er_leak_stress_factor`` and ``serca_ros_inhibition_fraction``
(cells: ER stress raises the leak, ROS oxidise SERCA).

Values marked ``calibrated_by`` are recomputed from :data:`REFERENCE` by
:func:`vcsim.cells.vsmc.calcium.calibrate` (``tests/test_cells_calcium.py`` checks they agree):
the healthy reference is the quiescent steady state of the cell model (GRP78 sequestration, ROS
signal and store filling of :func:`vcsim.cells.vsmc.steady_state.quiescent_steady_state` at the
defaults) at serum Ca 1.2 mM and Mg 0.85 mM. The values were taken with the store rule this
group replaced (arch d81fb8f); with this module driving the store the quiescent state is the
same fixed point (calibration makes the new store balance there), which the tests check.
"""

from vcsim.params.schema import Param

#: the healthy reference the calibrated values reproduce (see the module docstring)
REFERENCE = {
    "calcium_mM": 1.2,
    "magnesium_mM": 0.85,
    "sequestration_fraction": 0.26376739356135803,
    "ros_signal": 0.014016715042079318,
    "er_calcium_fraction": 0.743438681767177,
    "cytosol_calcium_uM": 0.1,
    "cytosol_magnesium_mM": 0.6,
}

_REF = ("healthy reference: cytosolic free Ca2+ 0.1 uM (Berridge et al. 2003 Nat Rev Mol Cell "
        "Biol 4:517), "
        "ER store filling 0.7434 of the quiescent cell model, at fluid Ca 1.2 mM, Mg 0.85 mM")
_MG_REF = ("cytosolic free Mg2+ 0.6 mM at fluid Mg 0.85 mM (free Mg 0.5-1 mM: Romani 2011 Arch "
           "Biochem "
           "Biophys 512:1; Grubbs 2002 Clin Sci 102:97)")


def _p(name, default, lower, upper, units, meaning, source, calibrated_by=""):
    return Param(name, default, lower, upper, units, meaning, source, calibrated_by=calibrated_by)


PARAMS = [
    # ------------------------------------------------------------------ geometry of the cell
    _p("cell_volume_pL", 1.0, 0.2, 10.0, "pL", "volume of one VSMC",
       "stated reason: VSMCs are ~1-5 pL; 1 pL keeps the cell inside one lattice site "
       "(10 x 10 x 10 um, 0.3 pore fluid)"),
    _p("cytosol_volume_fraction", 0.55, 0.1, 0.9, "1", "cytosol share of the cell volume",
       "cytosol ~54 % of a hepatocyte (Alberts et al., Molecular Biology of the Cell, table 12-1); "
       "stated reason: the same order in VSMCs"),
    _p("er_volume_fraction", 0.05, 0.005, 0.3, "1", "ER/SR share of the cell volume",
       "SR 2-7.5 % of smooth-muscle cell volume (Devine, Somlyo & Somlyo 1972 J Cell Biol 52:690)"),
    # ------------------------------------------------------------------ the ER store
    _p("er_free_calcium_full_mM", 0.5, 0.05, 3.0, "mM",
       "free luminal Ca2+ of a full store (filling 1, where SERCA's net uptake stops)",
       "ER free Ca2+ 0.1-0.8 mM (Bygrave & Benedetti 1996 Cell Calcium 19:547; Berridge et al. "
       "2003); "
       "luminal Ca2+ back-inhibits SERCA uptake (Mogami, Tepikin & Petersen 1998 EMBO J 17:435)"),
    _p("er_buffer_sites_mM", 10.0, 0.0, 100.0, "mM", "low-affinity luminal Ca2+-binding sites "
       "(calreticulin, GRP94, BiP, PDI) per litre of ER",
       "calreticulin binds ~25 Ca2+ per molecule at its low-affinity sites and holds >50 % of ER "
       "Ca2+ (Baksh & Michalak 1991 J Biol Chem 266:21458; Michalak et al. 2009 Biochem J "
       "417:651); "
       "stated reason: total ER Ca2+ ~2.5 mM in a full store"),
    _p("er_buffer_kd_mM", 2.0, 0.05, 20.0, "mM",
       "dissociation constant of the luminal buffer sites",
       "calreticulin C-domain Kd ~2 mM (Baksh & Michalak 1991 J Biol Chem 266:21458)"),
    _p("er_leak_free_calcium_rate_per_h", 30.0, 0.0, 10000.0, "1/h",
       "passive ER Ca2+ leak per unit free luminal Ca2+ (flux = k V_ER (Ca_ER - Ca_cyt)); the "
       "store empties at k / (1 + kappa_ER) ~6/h when SERCA is blocked",
       "the ER empties within ~10 min of SERCA block by thapsigargin (Camello et al. 2002 Cell "
       "Calcium 32:355); stated reason: tau = (1 + kappa_ER)/k ~ 10 min"),
    # ------------------------------------------------------------------ plasma membrane entry
    _p("membrane_potential_mV", -50.0, -100.0, 0.0, "mV", "resting membrane potential of the VSMC",
       "-40 to -55 mV in pressurised arteries (Nelson et al. 1990 Am J Physiol 259:C3)"),
    _p("pm_calcium_leak_amol_per_h_per_mM", 165.50415, 0.0, 1.0e6, "amol/h/mM",
       "basal Ca2+ entry per mM of fluid Ca2+ (background channels; GHK driving force at fixed V)",
       "stated reason: balances PMCA + NCX at the reference less SOCE", calibrated_by=_REF),
    _p("soce_max_amol_per_h", 3500.0, 0.0, 1.0e6, "amol/h",
       "store-operated entry (STIM1/Orai1) of an empty store at saturating fluid Ca2+",
       "stated reason: an emptied store (thapsigargin) in 1.2 mM Ca2+ holds cytosolic Ca2+ near "
       "0.5 uM (sustained SOCE plateau; Parekh & Putney 2005 Physiol Rev 85:757)"),
    _p("soce_stim1_half_mM", 0.2, 0.01, 2.0, "mM", "free ER Ca2+ at half-maximal SOCE activation",
       "CRAC activation K1/2 ~0.2 mM [Ca2+]ER (Luik et al. 2008 Nature 454:538)"),
    _p("soce_stim1_hill", 4.0, 1.0, 8.0, "1", "Hill exponent of SOCE activation by store depletion",
       "nH ~4 for CRAC activation and STIM1 redistribution (Luik et al. 2008 Nature 454:538)"),
    _p("soce_orai_calcium_half_mM", 3.0, 0.1, 50.0, "mM", "fluid Ca2+ at half-saturation of the "
                                                          "Orai1 current",
       "I_CRAC saturates with [Ca2+]o, half-maximal at a few mM (Hoth & Penner 1993 J Physiol "
       "465:359)"),
    # ------------------------------------------------------------------ extrusion
    _p("pmca_vmax_amol_per_h", 1000.0, 0.0, 1.0e6, "amol/h", "maximal PMCA extrusion per cell",
       "stated reason: ~0.5 uM/s of cytosolic total Ca2+; PMCA with NCX clears ~1/3 and SERCA ~2/3 "
       "of a cytosolic load at rest"),
    _p("pmca_half_uM", 0.2, 0.01, 10.0, "uM", "cytosolic Ca2+ at half-maximal PMCA activity",
       "K0.5 0.2-0.5 uM with calmodulin (Carafoli 1991 Physiol Rev 71:129; Brini & Carafoli 2009 "
       "Physiol Rev 89:1341)"),
    _p("pmca_hill", 2.0, 1.0, 4.0, "1", "Hill exponent of PMCA activation by Ca2+",
       "stated reason: cooperative Ca2+-calmodulin activation, nH ~2 as in common cell models"),
    _p("ncx_vmax_amol_per_h", 1000.0, 0.0, 1.0e6, "amol/h", "maximal forward-mode NCX extrusion "
        "per cell",
       "stated reason: high-capacity, low-affinity extrusion of the same order as PMCA in VSMCs "
       "(Blaustein & Lederer 1999 Physiol Rev 79:763)"),
    _p("ncx_half_uM", 1.0, 0.05, 50.0, "uM", "cytosolic Ca2+ at half-maximal NCX extrusion",
       "low affinity, K ~1 uM (Blaustein & Lederer 1999 Physiol Rev 79:763)"),
    _p("ncx_hill", 1.0, 1.0, 4.0, "1", "Hill exponent of NCX activation by cytosolic Ca2+",
       "stated reason: one Ca2+ per cycle (3 Na+ : 1 Ca2+)"),
    # ------------------------------------------------------------------ SERCA
    _p("serca_vmax_amol_per_h", 24805.844, 0.0, 1.0e7, "amol/h",
       "maximal SERCA uptake per cell at saturating Mg-ATP, an empty store and no ROS",
       "stated reason: balances the ER leak at the reference", calibrated_by=_REF),
    _p("serca_calcium_half_uM", 0.25, 0.01, 10.0, "uM", "cytosolic Ca2+ at half-maximal SERCA "
                                                        "activity",
       "SERCA2b K0.5 ~0.2-0.3 uM (Lytton et al. 1992 J Biol Chem 267:14483)"),
    _p("serca_calcium_hill", 2.0, 1.0, 4.0, "1", "Hill exponent of SERCA activation by Ca2+",
       "two Ca2+ bound cooperatively per cycle (Lytton et al. 1992 J Biol Chem 267:14483)"),
    _p("serca_mgatp_km_mM", 0.2, 0.001, 5.0, "mM", "Mg-ATP at half-maximal SERCA turnover",
       "low-affinity (modulatory) ATP activation of the Ca2+-ATPase, K ~0.1-0.5 mM (de Meis & "
       "Vianna 1979 Annu Rev Biochem 48:275); the catalytic site is saturated at uM"),
    # -------------------------------------------------------------- cytosolic buffer (time scales)
    _p("cytosol_buffer_uM", 200.0, 0.0, 5000.0, "uM", "fast cytosolic Ca2+ buffer sites",
       "endogenous buffer capacity kappa ~50-200 in mammalian cells (Neher & Augustine 1992 J "
       "Physiol 450:273); enters time scales and the reported cytosolic content only"),
    _p("cytosol_buffer_kd_uM", 1.0, 0.01, 100.0, "uM", "dissociation constant of the cytosolic "
                                                       "buffer",
       "stated reason: calmodulin/troponin-like sites, Kd ~1 uM"),
    # ------------------------------------------------------------------ energetics
    _p("cytosol_atp_mM", 3.0, 0.1, 10.0, "mM", "total cytosolic ATP",
       "mean ATP 3.15 +- 1.7 mM in mammalian cells and tissues (Traut 1994 Mol Cell Biochem "
       "140:1)"),
    _p("cytosol_adp_mM", 0.25, 0.001, 5.0, "mM", "cytosolic ADP (energetics only)",
       "human erythrocyte ADP 0.25 mM (Nelson & Cox, Lehninger Principles of Biochemistry, "
       "table 13-5); stated reason: VSMC values not tabulated"),
    _p("cytosol_pi_mM", 1.65, 0.01, 20.0, "mM", "cytosolic inorganic phosphate (energetics only)",
       "human erythrocyte Pi 1.65 mM (Nelson & Cox, Lehninger Principles of Biochemistry, table "
       "13-5)"),
    _p("atp_standard_dg_kJ_per_mol", -30.5, -40.0, -25.0, "kJ/mol",
       "standard transformed free energy of ATP hydrolysis (pH 7, Mg2+ present)",
       "-30.5 kJ/mol (Nelson & Cox, Lehninger Principles of Biochemistry, table 13-4; Alberty & "
       "Goldberg 1992 Biochemistry 31:10610)"),
    # ------------------------------------------------------------------ cytosolic Mg2+ and Mg-ATP
    _p("mgatp_kd_mM", 0.07, 0.005, 1.0, "mM", "apparent dissociation constant of Mg-ATP in the "
                                              "cytosol",
       "log K(MgATP2-) ~4.2-4.3 at I 0.1 M (Martell & Smith, Critical Stability Constants; "
       "O'Sullivan "
       "& Smithers 1979 Methods Enzymol 63:294) gives Kd' ~50-100 uM at pH 7.2, I 0.15 M"),
    _p("trpm7_magnesium_inhibition_half_mM", 0.6, 0.05, 5.0, "mM",
       "cytosolic free Mg2+ at half inhibition of TRPM7 Mg2+ entry",
       "TRPM7 (MIC/MagNuM) current inhibited by cytosolic Mg2+ with IC50 ~0.6 mM (Nadler et al. "
       "2001 Nature 411:590; Kozak & Cahalan 2003 Biophys J 84:922)"),
    _p("trpm7_magnesium_inhibition_hill", 4.0, 1.0, 8.0, "1", "Hill exponent of TRPM7 inhibition "
        "by cytosolic Mg2+",
       "stated reason: free Mg2+ is defended against raised extracellular Mg (Romani 2011 Arch "
       "Biochem Biophys 512:1): a steep feedback"),
    _p("na_mg_exchange_half_mM", 1.0, 0.05, 10.0, "mM", "cytosolic free Mg2+ at half-maximal "
                                                        "Na+/Mg2+ exchange (efflux)",
       "stated reason: the Na+/Mg2+ exchanger (SLC41A1) is far from saturated at 0.5-1 mM free Mg "
       "(Kolisek et al. 2008 J Biol Chem 283:16235; Romani 2011)"),
    _p("magnesium_influx_efflux_ratio_per_mM", 0.88235294, 0.0, 100.0, "1/mM",
       "TRPM7 entry per mM fluid Mg2+ (uninhibited) relative to maximal Na+/Mg2+ exchange",
       "stated reason: sets free Mg2+ at the reference", calibrated_by=_MG_REF),
    _p("tau_cytosol_magnesium_h", 12.0, 0.1, 500.0, "h",
       "time constant of cytosolic free Mg2+ following the fluid Mg",
       "stated reason: free Mg2+ of cultured cells follows a change of medium Mg over hours to a "
       "day (Romani 2011); faster than whole-body soft tissue (5 days, mineral group)"),
]
