"""The VSMC model: every rate constant, time constant and half-maximum of :mod:`vcsim.cells`.

Naming: units are the suffix (``_per_h``, ``_h``, ``_mM``, ``_uM_per_h``, ...); dimensionless
values end in ``_fraction`` (a share or a level on the model's 0-1 activity scale), ``_factor``
(a weight or gain, or a half-maximum of a weighted sum of 0-1 activities), ``_index`` (relative
to a stated reference) or ``_hill`` (a Hill exponent).

The intracellular activities are relative levels (1 = maximal response), so most half-maxima are
statements about *where in its range* a response turns on, not measured concentrations. Those
values, and the weights, are set to give the published directions and timescales (reviewed in Rao et al.
2022 Front Cardiovasc Med 9:918056) and the calibration targets checked by ``tests/test_cells_*.py``; ``calibrated_by``
names the anchor where a value was tuned. Time constants follow the reported kinetics
(XBP1 splicing and ATF6 cleavage within 1-2 h; UPR readouts within ~8 h; CHOP short-lived;
GRP78 > 24 h; ALP within 1-3 days).

Phenotype-transition, vesicle-release, death, clearance and division rates are not here: they are
the rules table ``vcsim/cells/rules.csv``.
"""

from __future__ import annotations

from vcsim.params.schema import Param

JONO = "Jono et al. 2000 Circ Res (no osteogenic switch at 1.4 mM Pi, clear Cbfa-1/osteocalcin at 2 mM, more at 3 mM)"
SEED003 = ("stated reason: a relative level or weight on the 0-1 activity scale, set to give the published "
           "directions; UPR structure " + "reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056")


def _p(name, default, lower, upper, units, meaning, source, calibrated_by=""):
    return Param(name, default, lower, upper, units, meaning, source, calibrated_by=calibrated_by)


def _tau(name, default, meaning, source, lower=0.01, upper=2000.0, calibrated_by=""):
    return Param(name, default, lower, upper, "h", meaning, source, calibrated_by=calibrated_by)


PARAMS = [
    # ------------------------------------------------------------------ phosphate sensing (Pit-1)
    _p("pit1_uptake_vmax_nmol_per_mg_per_h", 21.6, 0.0, 1000.0, "nmol Pi / mg protein / h",
       "maximal Pit-1 Na-Pi uptake of a healthy contractile cell (Pit-1 expression 1)",
       "Li, Yang & Giachelli 2006: 9.8 nmol/mg per 30 min (19.6 per h) in control human SMCs; "
       "Vmax = 19.6 * (Km + 1 mM) / 1 mM assuming ~1 mM Pi in the assay",
       calibrated_by="Li, Yang & Giachelli 2006 (control uptake)"),
    _p("pit1_uptake_km_mM", 0.1, 0.001, 10.0, "mM", "Michaelis constant of Pit-1 Pi transport",
       "SLC20 (PiT) transporters Km ~25-100 uM (Kavanaugh et al. 1994; Na-Pi uptake in LLC-PK1 96 uM)"),
    _p("pit1_signal_half_max_mM", 2.0, 0.05, 20.0, "mM",
       "Pi x Pit-1 activity at half-maximal Pit-1-dependent osteogenic/mTORC1 signalling",
       "stated reason: response rises between 1.4 and 3 mM while transport is saturated (Pit-1 signals "
       "partly independently of transport, Chavkin et al. 2015)", calibrated_by="[osteo_markers_with_pi] " + JONO),
    _p("pit1_signal_hill", 4.0, 0.5, 10.0, "1", "Hill exponent of Pit-1 Pi signalling",
       "stated reason: threshold-like Pi dose response (Jono et al. 2000)", calibrated_by="[osteo_markers_with_pi] " + JONO),
    _p("pit1_runx2_induction_factor", 0.5, 0.0, 10.0, "1",
       "Pit-1 expression gain per unit Runx2 (BMP2/osteogenic induction of Pit-1)",
       "Li, Yang & Giachelli 2008 Atherosclerosis (BMP-2 raises Pit-1 and Pi uptake); stated reason: +50% at full Runx2"),
    _tau("tau_pit1_h", 24.0, "time constant of Pit-1 expression", "stated reason: transporter mRNA/protein turnover ~1 day"),
    # ------------------------------------------------------------------ other sensed inputs
    _p("tnf_half_max_pg_per_mL", 10.0, 0.01, 10000.0, "pg/mL", "TNF-a at half-maximal TNFR signalling in the cell model",
       "stated reason: CKD plasma TNF-a 5-20 pg/mL gives a half-maximal signal"),
    _p("tnf_signal_hill", 2.0, 0.5, 6.0, "1", "Hill exponent of TNF-a signalling",
       "stated reason: healthy 2 pg/mL gives ~4% of the maximal signal, CKD 10-20 pg/mL 50-80%"),
    _p("age_half_max_index", 0.5, 0.001, 100.0, "1", "AGE index at half-maximal RAGE signalling",
       "stated reason: diabetic AGE level (index 1) gives 2/3 of maximal RAGE signalling"),
    _p("lipid_half_max_index", 1.0, 0.001, 100.0, "1", "lipid index at half-maximal lipotoxic signalling",
       "stated reason: the hyperlipidaemic reference (index 1) is half-maximal"),
    _p("ros_half_max_index", 1.0, 0.001, 100.0, "1", "ROS index at half-maximal ROS signalling",
       "stated reason: the stressed reference (index 1) is half-maximal"),
    _p("ros_signal_hill", 2.0, 0.5, 6.0, "1", "Hill exponent of ROS signalling",
       "stated reason: antioxidant buffering absorbs basal ROS (basal 0.1 signals ~1%)"),
    _p("vitamin_k_warfarin_bypass_fraction", 0.02, 0.0, 1.0, "1",
       "warfarin-insensitive reduction of vitamin K (NQO1-type) relative to VKORC1 recycling",
       "VKORC1 recycles vitamin K and is the warfarin target (Li et al. 2004 Nature 427:541); stated reason: high-dose vitamin K rescues carboxylation under warfarin (the warfarin + vitamin K1 rat model, Price et al. 1998 ATVB 18:1400)"),
    _p("vitamin_k_carboxylation_half_max_index", 0.2, 0.001, 10.0, "1",
       "reduced vitamin K supply at half-maximal MGP gamma-carboxylation",
       "stated reason: replete vitamin K carboxylates ~84% of MGP; warfarin 0.9 -> ~38%"),
    _tau("tau_mgp_carboxylation_h", 48.0, "time constant of the carboxylated MGP share",
         "stated reason: vitamin K-dependent carboxylation follows MGP turnover (days); warfarin acts over days"),
    _p("fetuin_vesicle_half_max_g_per_L", 0.5, 0.001, 10.0, "g/L", "serum fetuin-A at half-maximal loading of matrix vesicles",
       "Reynolds et al. 2004 JASN (VSMC vesicles take up fetuin-A); stated reason: normal 0.5-1.0 g/L near half-saturation"),
    # ------------------------------------------------------------------ ROS and glucose memory
    _p("ros_basal_index", 0.1, 0.0, 10.0, "1", "intrinsic ROS of a healthy cell", "stated reason: 10% of the stressed reference"),
    _p("glucose_reference_mM", 5.5, 0.0, 50.0, "mM", "glucose below which glucose adds no ROS", "normoglycaemia"),
    _p("ros_per_mM_glucose_excess_index", 0.01, 0.0, 1.0, "1/mM",
       "ROS per mM of glucose above the reference (sustained hyperglycaemia, partly adapted)",
       "Monnier et al. 2006 JAMA / Ceriello et al. 2008 Diabetes: sustained hyperglycaemia raises oxidative stress less than swings",
       calibrated_by="[glucose_high_vs_normal] [glucose_fluct_vs_constant] fluctuating 5<->25 mM > constant 25 mM > 5.5 mM (Zhang et al. 2019 Diabetol Metab Syndr 11:67)"),
    _p("ros_per_mM_glucose_rise_index", 0.06, 0.0, 1.0, "1/mM",
       "ROS per mM of the un-adapted glucose rise (glucose above its slow memory): the overshoot after each rise",
       "Ceriello et al. 2008 Diabetes (oscillating glucose: more oxidative stress than constant high)",
       calibrated_by="[glucose_fluct_vs_constant] fluctuating 5<->25 mM > constant 25 mM > 5.5 mM (Zhang et al. 2019 Diabetol Metab Syndr 11:67)"),
    _tau("tau_glucose_memory_h", 24.0, "time constant of the adaptive glucose memory (antioxidant defences adapting)",
         "stated reason: antioxidant enzyme induction over ~1 day; the 24 h swing protocol never lets it adapt"),
    _p("ros_from_tnf_index", 0.5, 0.0, 10.0, "1", "ROS added by maximal TNF-a signalling (NADPH oxidase)",
       "stated reason: TNF-a activates NADPH oxidase; inflammation and oxidative stress both feed ER stress in VSMC calcification, reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056"),
    _p("ros_from_age_index", 0.5, 0.0, 10.0, "1", "ROS added by maximal AGE/RAGE signalling",
       "stated reason: AGE/RAGE signalling raises VSMC oxidative stress, " + "reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056"),
    _p("ros_from_lipid_index", 0.3, 0.0, 10.0, "1", "ROS added by maximal lipotoxic signalling (oxysterols)",
       "stated reason: oxysterols (7-ketocholesterol) raise oxidative and ER stress (Miyazaki-Anzai et al. 2014 J Am Heart Assoc 3:e000949)"),
    _tau("tau_ros_h", 1.0, "time constant of a rise of the ROS index (a ROS burst)",
         "stated reason: ROS bursts within ~1 h of a stimulus (mitochondrial superoxide after a glucose rise)"),
    _tau("tau_oxidative_damage_h", 48.0, "time constant of a fall of the ROS index (repair of oxidative damage)",
         "Ceriello et al. 2008 Diabetes 57:1349 (nitrotyrosine, 8-iso-PGF2a over the 48 h after oscillating glucose "
         "exceed those after constant high glucose); Ihnat et al. 2007 Diabetologia 50:1523 (ROS-mediated cellular memory of high glucose); stated "
         "reason: oxidised proteins/lipids turn over in 1-2 days", lower=0.5, upper=500.0,
         calibrated_by="[glucose_fluct_vs_constant] fluctuating 5<->25 mM > constant 25 mM (Zhang et al. 2019 Diabetol Metab Syndr 11:67)"),
    # ------------- ER Ca2+ store: how ER stress and ROS move it (the store itself: group cell_ions)
    _p("er_leak_stress_factor", 2.0, 0.0, 100.0, "1",
       "relative increase of the ER Ca2+ leak at full GRP78 sequestration (vcsim.cells.vsmc.calcium)",
       "ER Ca2+ release triggers autophagy (Hoyer-Hansen et al. 2007 Mol Cell 25:193); stated reason: ER stress doubles the leak at full GRP78 sequestration"),
    _p("serca_ros_inhibition_fraction", 0.5, 0.0, 1.0, "1", "SERCA activity lost at maximal ROS signalling (vcsim.cells.vsmc.calcium)",
       "stated reason: oxidation of SERCA cysteines inhibits the pump"),
    # ------------------------------------------------------------------ unfolded load
    _p("protein_synthesis_load_per_h", 0.07, 0.0, 10.0, "1/h",
       "unfolded load made per hour by basal secretory protein synthesis of a contractile cell",
       "stated reason: sets the basal load ~0.13 of folding capacity with basal clearance ~0.8/h"),
    _p("osteogenic_synthesis_factor", 1.5, 0.0, 20.0, "1", "extra synthesis per unit Runx2 (matrix proteins, collagen I)",
       "stated reason: osteogenic, matrix-secreting cells have a higher secretory load, as maturing osteoblasts do (reviewed in Shanahan & Furmanik 2017 Curr Cardiol Rev 13:94)"),
    _p("osteogenic_phenotype_synthesis_factor", 0.5, 0.0, 20.0, "1", "further synthesis of a cell in the osteogenic phenotype",
       "stated reason: matrix secretion by transdifferentiated cells; feeds back on the UPR (hysteresis)"),
    _p("mtorc1_translation_share_fraction", 0.5, 0.0, 1.0, "1", "share of protein synthesis that is mTORC1 (cap) dependent",
       "stated reason: sustained mTORC1 promotes protein synthesis and ER stress in uraemic VSMCs (Panda et al. 2018 Am J Physiol Renal Physiol 314:F1046, reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056)"),
    _p("mtorc1_reference_fraction", 0.5, 0.01, 1.0, "1", "mTORC1 level at which synthesis is basal (healthy level)",
       "stated reason: the healthy steady state of mTORC1 is ~0.5"),
    _p("eif2a_translation_block_fraction", 0.7, 0.0, 1.0, "1", "global translation lost at full eIF2a phosphorylation",
       "Harding et al. 2000 Mol Cell (PERK-dependent translational attenuation); Trusina et al. 2008 PNAS"),
    _p("stress_pi_load_per_h", 0.4, 0.0, 10.0, "1/h", "unfolded load per hour at maximal Pit-1 Pi signalling",
       "calcifying medium induces ER stress, GRP78/CHOP up in calcifying VSMCs (Duan et al. 2013 Apoptosis 18:1132; Masuda et al. 2016 JCI Insight 1:e88646)", calibrated_by="[osteo_markers_with_pi] " + JONO),
    _p("stress_ros_load_per_h", 0.3, 0.0, 10.0, "1/h", "unfolded load per hour at maximal ROS signalling",
       "Liberman et al. 2011 Biochem Biophys Res Commun 413:436 (oxidative stress -> ER stress -> XBP1 -> Runx2)"),
    _p("stress_tnf_load_per_h", 0.2, 0.0, 10.0, "1/h", "unfolded load per hour at maximal TNF-a signalling",
       "Masuda et al. 2013 J Am Heart Assoc 2:e000238 (TNF-a induces ER stress, PERK-eIF2a-ATF4-CHOP)"),
    _p("stress_age_load_per_h", 0.2, 0.0, 10.0, "1/h", "unfolded load per hour at maximal AGE/RAGE signalling",
       "stated reason: AGEs induce VSMC ER stress, blocked by a RAGE antagonist (primary paper not traced; reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056)"),
    _p("stress_lipid_load_per_h", 0.24, 0.0, 10.0, "1/h", "unfolded load per hour at maximal lipotoxic signalling",
       "stearate -> PERK-eIF2a-ATF4 (Masuda et al. 2012 J Lipid Res 53:1543); oxysterols -> ATF4/CHOP (Miyazaki-Anzai et al. 2014 J Am Heart Assoc 3:e000949)"),
    _p("folding_rate_per_h", 2.0, 0.0, 100.0, "1/h", "clearance of unfolded load by folding at GRP78 = 1 and a full ER store",
       "stated reason: with basal GRP78 ~0.36 folding clears the load in ~1.5 h, so a new stress reaches XBP1s/ATF6 within 1-3 h (UPR sensors respond within hours of mild stress, Rutkowski et al. 2006 PLoS Biol 4:e374)"),
    _p("er_folding_half_max_fraction", 0.5, 0.01, 1.0, "1", "ER store filling at half-maximal Ca2+-dependent folding",
       "stated reason: calreticulin/calnexin/BiP need ER Ca2+, so a depleted store impairs folding (SERCA block by thapsigargin is a classical ER-stress inducer)"),
    _p("er_folding_hill", 2.0, 0.5, 6.0, "1", "Hill exponent of the ER Ca2+ dependence of folding",
       "stated reason: chaperone Ca2+ binding is cooperative; folding falls steeply once the store is below half"),
    _p("basal_degradation_rate_per_h", 0.06, 0.0, 10.0, "1/h", "clearance of unfolded load independent of the UPR",
       "stated reason: constitutive ERAD / proteasome"),
    _p("erad_rate_per_h", 1.2, 0.0, 100.0, "1/h", "clearance of unfolded load by ERAD at full XBP1s",
       "Lee, Iwakoshi & Glimcher 2003 Mol Cell Biol 23:7448 (XBP1s induces ERAD genes)"),
    _p("autophagy_clearance_rate_per_h", 0.8, 0.0, 100.0, "1/h", "clearance of unfolded load by autophagy at full flux",
       "Ogata et al. 2006 Mol Cell Biol 26:9220 (ER-stress-induced autophagy protects cells); Dai et al. 2013 Kidney Int 83:1042 (3-MA raises VSMC calcification)"),
    _p("chaperone_clearance_rate_per_h", 1.6, 0.0, 100.0, "1/h", "clearance of unfolded load per unit chemical-chaperone dose",
       "Ozcan et al. 2006 Science 313:1137 (4-PBA, TUDCA lower ER stress); stated reason: a full dose roughly doubles basal clearance"),
    _p("grp78_binding_half_max_index", 1.0, 0.001, 100.0, "1",
       "unfolded load per unit GRP78 at which half of GRP78 is engaged (sequestration s = L/(L + K*GRP78))",
       "Bertolotti et al. 2000 Nat Cell Biol 2:326 (BiP released from PERK/IRE1 by unfolded protein); stated reason: sequestration proportional to load"),
    # ------------------------------------------------------------------ UPR sensors and arms
    _p("perk_half_max_fraction", 0.45, 0.01, 1.0, "1", "GRP78 sequestration at half-maximal PERK activation", SEED003),
    _p("perk_hill", 4.0, 0.5, 10.0, "1", "Hill exponent of PERK activation", "stated reason: switch-like dimerisation/autophosphorylation"),
    _tau("tau_perk_h", 0.5, "time constant of PERK activation", "stated reason: autophosphorylation within minutes-to-an-hour"),
    _p("ire1_half_max_fraction", 0.45, 0.01, 1.0, "1", "GRP78 sequestration at half-maximal IRE1 activation", SEED003),
    _p("ire1_hill", 4.0, 0.5, 10.0, "1", "Hill exponent of IRE1 activation", "stated reason: oligomerisation"),
    _tau("tau_ire1_h", 0.5, "time constant of IRE1 activation", "stated reason: minutes-to-an-hour"),
    _p("atf6_half_max_fraction", 0.5, 0.01, 1.0, "1", "GRP78 sequestration at half-maximal ATF6 cleavage", SEED003),
    _p("atf6_hill", 4.0, 0.5, 10.0, "1", "Hill exponent of ATF6 activation", "stated reason"),
    _tau("tau_atf6_h", 1.5, "time constant of ATF6 cleavage and nuclear ATF6(N)", "Haze et al. 1999 Mol Biol Cell 10:3787: ATF6 cleavage within 1-2 h"),
    _p("eif2a_phosphorylation_rate_per_h", 3.0, 0.0, 1000.0, "1/h", "eIF2a phosphorylation rate constant at full PERK",
       "stated reason: p-eIF2a within ~30 min of PERK activation"),
    _p("eif2a_dephosphorylation_rate_per_h", 1.0, 0.0, 1000.0, "1/h", "basal eIF2a dephosphorylation (CReP/PP1)",
       "stated reason: basal p-eIF2a ~0.1-0.15"),
    _p("gadd34_dephosphorylation_rate_per_h", 4.0, 0.0, 1000.0, "1/h", "extra eIF2a dephosphorylation at full CHOP (via GADD34)",
       "Marciniak et al. 2004 Genes Dev 18:3066; Novoa et al. 2001 J Cell Biol 153:1011 (CHOP -> GADD34 dephosphorylates eIF2a)"),
    _p("atf4_basal_fraction", 0.05, 0.0, 1.0, "1", "ATF4 without eIF2a phosphorylation", "stated reason: low basal translation of ATF4 (uORFs)"),
    _p("atf4_half_max_fraction", 0.4, 0.01, 1.0, "1", "p-eIF2a at half-maximal ATF4 translation", SEED003),
    _p("atf4_hill", 3.0, 0.5, 10.0, "1", "Hill exponent of ATF4 translation", "stated reason: uORF-bypass switch"),
    _tau("tau_atf4_h", 2.0, "time constant of ATF4", "stated reason: ATF4 protein half-life < 1 h, induction within 2-4 h"),
    _p("chop_atf6_factor", 0.5, 0.0, 10.0, "1", "weight of ATF6 relative to ATF4 in CHOP induction", "stated reason: ATF6 also induces CHOP, less than the PERK-ATF4 arm, " + "reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056"),
    _p("chop_half_max_fraction", 0.5, 0.01, 2.0, "1", "ATF4 + w*ATF6 at half-maximal CHOP", SEED003),
    _p("chop_hill", 3.0, 0.5, 10.0, "1", "Hill exponent of CHOP induction", "stated reason: CHOP needs strong, not basal, ATF4"),
    _tau("tau_chop_h", 3.0, "time constant of CHOP", "Rutkowski et al. 2006 PLoS Biol 4:e374: CHOP mRNA and protein short-lived (half-life ~2 h)"),
    _p("xbp1_basal_mrna_fraction", 0.4, 0.0, 1.0, "1", "XBP1 mRNA before ATF6 induction, relative to maximal",
       "Yoshida et al. 2001 Cell 107:881 (ATF6 induces XBP1 mRNA, IRE1 splices it)"),
    _tau("tau_xbp1s_h", 1.0, "time constant of spliced XBP1", "Yoshida et al. 2001 Cell 107:881: XBP1 splicing within 1-2 h"),
    _p("jnk_tnf_factor", 0.3, 0.0, 10.0, "1", "weight of TNF-a (TNFR-TRAF2) in JNK activation, relative to IRE1", "stated reason: TNF-a activates JNK via TNFR-TRAF2, as IRE1 does via TRAF2 (Urano et al. 2000 Science 287:664)"),
    _p("jnk_ros_factor", 0.4, 0.0, 10.0, "1", "weight of ROS (ASK1 oxidation) in JNK activation", "stated reason: ASK1 is ROS-activated"),
    _p("jnk_half_max_factor", 0.8, 0.01, 10.0, "1", "weighted drive at half-maximal JNK", SEED003),
    _p("jnk_hill", 3.0, 0.5, 10.0, "1", "Hill exponent of JNK activation", "stated reason: MAPK cascade"),
    _tau("tau_jnk_h", 1.0, "time constant of JNK phosphorylation", "stated reason: ~1 h"),
    _p("grp78_basal_fraction", 0.3, 0.0, 1.0, "1", "GRP78 without UPR induction", "stated reason: abundant basal ER chaperone"),
    _p("grp78_xbp1s_factor", 0.7, 0.0, 10.0, "1", "weight of XBP1s (relative to ATF6) in GRP78 induction", SEED003),
    _p("grp78_atf4_factor", 0.3, 0.0, 10.0, "1", "weight of ATF4 in GRP78 induction", "stated reason: ATF4 contributes to chaperone genes"),
    _p("grp78_half_max_factor", 0.5, 0.01, 10.0, "1", "weighted drive at half-maximal GRP78 induction", SEED003),
    _p("grp78_hill", 2.0, 0.5, 10.0, "1", "Hill exponent of GRP78 induction", "stated reason"),
    _tau("tau_grp78_h", 36.0, "time constant of GRP78 protein", "Rutkowski et al. 2006 PLoS Biol 4:e374: GRP78/BiP long-lived (> 24 h)"),
    _p("mtorc1_pi_factor", 1.0, 0.0, 10.0, "1", "mTORC1 activation by maximal Pi signalling, relative to basal", "hyperphosphataemia activates mTORC1 in uraemic VSMCs (Panda et al. 2018 Am J Physiol Renal Physiol 314:F1046, reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056)"),
    _p("mtorc1_age_factor", 1.0, 0.0, 10.0, "1", "mTORC1 activation by maximal RAGE signalling, relative to basal", "RAGE activation keeps mTORC1 active in uraemic VSMCs (Panda et al. 2018 Am J Physiol Renal Physiol 314:F1046, reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056)"),
    _p("mtorc1_half_max_factor", 1.0, 0.01, 100.0, "1", "activation at half-maximal mTORC1", "stated reason: healthy mTORC1 ~0.5"),
    _p("sestrin_mtorc1_inhibition_fraction", 0.6, 0.0, 1.0, "1", "mTORC1 lost at full PERK (via Sestrin 1/3)", "PERK -> Sestrin 1/3 -| mTORC1 in uraemic VSMCs (Panda et al. 2018 Am J Physiol Renal Physiol 314:F1046, reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056)"),
    _tau("tau_mtorc1_h", 1.0, "time constant of mTORC1 activity", "stated reason: kinase signalling within ~1 h"),
    _p("autophagy_basal_factor", 0.2, 0.0, 10.0, "1", "basal autophagy induction", "stated reason: basal flux ~0.15"),
    _p("autophagy_atf4_factor", 1.0, 0.0, 10.0, "1", "autophagy induction by ATF4 (ATG genes)", SEED003),
    _p("autophagy_xbp1s_factor", 0.6, 0.0, 10.0, "1", "autophagy induction by XBP1s (Beclin-1)", SEED003),
    _p("autophagy_er_release_factor", 0.4, 0.0, 10.0, "1", "autophagy induction by ER Ca2+ release (store depletion)", "Hoyer-Hansen et al. 2007 Mol Cell 25:193 (ER Ca2+ release mediates autophagy)"),
    _p("autophagy_mtorc1_suppression_factor", 2.0, 0.0, 100.0, "1", "division of induction by (1 + w*mTORC1)", "Kim et al. 2011 Nat Cell Biol 13:132 (mTORC1 suppresses autophagy via ULK1)"),
    _p("autophagy_half_max_factor", 0.5, 0.01, 10.0, "1", "induction at half-maximal autophagic flux", "stated reason"),
    _p("autophagy_hill", 2.0, 0.5, 10.0, "1", "Hill exponent of autophagy induction", "stated reason"),
    _tau("tau_autophagy_h", 4.0, "time constant of autophagic flux", "stated reason: LC3-II/flux changes over hours"),
    _p("caspase12_half_max_fraction", 0.7, 0.01, 1.0, "1", "GRP78 sequestration at half-maximal caspase-12 cleavage",
       "Nakagawa et al. 2000 Nature 403:98 (caspase-12 under ER stress); Duan et al. 2013 Apoptosis 18:1132 (caspase-12 up in calcifying rat aorta)"),
    _p("caspase12_hill", 6.0, 0.5, 12.0, "1", "Hill exponent of caspase-12 activation", "stated reason: only severe stress"),
    _tau("tau_caspase12_h", 12.0, "time constant of caspase-12 activation", "stated reason: prolonged stress (hours to a day)"),
    _p("chop_persistence_half_max_fraction", 0.5, 0.01, 1.0, "1", "CHOP at half-maximal accumulation of death commitment",
       "Diedrichs et al. 2018 MBoC (persistent CHOP predicts death)"),
    _p("chop_persistence_hill", 4.0, 0.5, 10.0, "1", "Hill exponent of CHOP persistence", "stated reason"),
    _tau("tau_chop_persistence_h", 24.0, "time constant of CHOP persistence",
         "Diedrichs et al. 2018: death follows CHOP sustained for ~a day, not transient pulses"),
    # ------------------------------------------------------------------ osteogenic programme
    _p("osteogenic_plasticity_lognormal_sigma", 0.2, 0.0, 2.0, "1", "log-s.d. of the per-cell osteogenic plasticity",
       "stated reason: VSMC heterogeneity; grades the population Pi dose-response", calibrated_by="[osteo_markers_with_pi] " + JONO),
    _p("runx2_pi_factor", 0.7, 0.0, 10.0, "1", "Runx2 drive by Pit-1 Pi signalling (BMP2/Wnt)", "Jono et al. 2000 Circ Res 87:e10; Li, Yang & Giachelli 2006 Circ Res 98:905"),
    _p("runx2_xbp1s_factor", 1.2, 0.0, 10.0, "1", "Runx2 drive by XBP1s (binds the Runx2 promoter)", SEED003),
    _p("runx2_atf4_factor", 1.0, 0.0, 10.0, "1", "Runx2/osteogenic drive by ATF4", SEED003),
    _p("runx2_tnf_factor", 0.15, 0.0, 10.0, "1", "Runx2 drive by TNF-a (NF-kB, Msx2)", "Tintut et al. 2000 Circulation 102:2636 (TNF-a promotes vascular-cell calcification); Masuda et al. 2013 J Am Heart Assoc 2:e000238"),
    _p("runx2_ros_factor", 0.8, 0.0, 10.0, "1", "Runx2 drive by ROS (H2O2 -> Runx2)",
       "Liberman et al. 2011 Biochem Biophys Res Commun 413:436 (oxidative stress -> XBP1 -> Runx2); Byon et al. 2008 J Biol Chem 283:15319 "
       "(H2O2 induces Runx2 via AKT and calcifies VSMCs); stated reason: the stressed ROS reference (signal 1/2) adds "
       "~half of the Runx2 half-maximal drive",
       calibrated_by="[glucose_fluct_vs_constant] fluctuating 5<->25 mM > constant 25 mM (Zhang et al. 2019 Diabetol Metab Syndr 11:67)"),
    _p("runx2_autophagy_brake_fraction", 0.5, 0.0, 1.0, "1", "Runx2 drive lost at full autophagic flux", "Dai et al. 2013 Kidney Int 83:1042 (autophagy slows Pi-induced osteogenic calcification)"),
    _p("runx2_half_max_factor", 0.85, 0.01, 10.0, "1", "drive at half-maximal Runx2", "stated reason", calibrated_by="[osteo_markers_with_pi] " + JONO),
    _p("runx2_hill", 4.0, 0.5, 10.0, "1", "Hill exponent of Runx2 induction", "stated reason", calibrated_by="[osteo_markers_with_pi] " + JONO),
    _tau("tau_runx2_h", 12.0, "time constant of Runx2", "Jono et al. 2000 (Cbfa-1 up within 1-2 days of 2 mM Pi)"),
    _p("commitment_feedback_factor", 0.5, 0.0, 5.0, "1", "self-reinforcement of osteogenic commitment",
       "stated reason: hysteresis of transdifferentiation (chromatin, autocrine BMP2)"),
    _p("commitment_half_max_factor", 0.6, 0.01, 5.0, "1", "Runx2 + w*commitment at half-maximal commitment", "stated reason", calibrated_by="[osteo_markers_with_pi] " + JONO),
    _p("commitment_hill", 4.0, 0.5, 12.0, "1", "Hill exponent of commitment", "stated reason: only high Runx2 commits"),
    _tau("tau_commitment_h", 48.0, "time constant of osteogenic commitment",
         "stated reason: the switch needs Runx2 high for ~2 days (osteogenic markers by day 3-6 at 2 mM Pi, Jono et al. 2000)",
         calibrated_by="[osteo_markers_with_pi] " + JONO),
    _p("contractile_runx2_half_max_fraction", 0.5, 0.01, 1.0, "1", "Runx2 at which contractile markers are halved", "Steitz et al. 2001 Circ Res 89:1147 (SM22a, SM alpha-actin fall as Cbfa1/Runx2 rises)"),
    _p("contractile_hill", 3.0, 0.5, 10.0, "1", "Hill exponent of contractile-marker repression", "stated reason"),
    _tau("tau_contractile_h", 48.0, "time constant of aSMA/SM22a", "stated reason: contractile proteins turn over over days"),
    _p("tnap_basal_fraction", 0.05, 0.0, 1.0, "1", "TNAP of a healthy contractile cell relative to maximal", "stated reason: low ALP in contractile VSMCs"),
    _p("tnap_atf4_factor", 0.5, 0.0, 10.0, "1", "weight of ATF4 (relative to Runx2) in TNAP/ALP induction", "Masuda et al. 2012 J Lipid Res 53:1543 (PERK-eIF2a-ATF4 raises ALP and osteocalcin in VSMCs); ATF4-dependent ALP also in endothelial cells (Furmanik et al.)"),
    _p("tnap_half_max_factor", 0.6, 0.01, 10.0, "1", "Runx2 + w*ATF4 at half-maximal TNAP", "stated reason"),
    _p("tnap_hill", 3.0, 0.5, 10.0, "1", "Hill exponent of TNAP induction", "stated reason"),
    _tau("tau_tnap_h", 24.0, "time constant of TNAP/ALP", "stated reason: ALP rises within 1-3 days, ahead of mineral at day 6-9 in 2 mM Pi (Jono et al. 2000 Circ Res 87:e10)"),
    _p("enpp1_contractile_share_fraction", 0.7, 0.0, 1.0, "1", "share of ENPP1 expression tied to the contractile programme",
       "Prosdocimo et al. 2009 Am J Physiol Cell Physiol 296:C828 (cultured VSMCs make PPi via eNPP); stated reason: contractile cells make PPi mostly"),
    _p("enpp1_chop_suppression_fraction", 0.7, 0.0, 1.0, "1", "ENPP1 lost at full CHOP", "ATF4/CHOP impair PPi generation in uraemic VSMCs (Panda et al. 2018 Am J Physiol Renal Physiol 314:F1046, reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056)"),
    _tau("tau_enpp1_h", 24.0, "time constant of ENPP1 activity", "stated reason: ectoenzyme turnover ~1 day"),
    # ------------------------------------------------------------------ secretion
                    _p("vesicle_mgp_inhibition_fraction", 0.95, 0.0, 1.0, "1", "inhibitor loading of vesicles fully loaded with cMGP",
       "Reynolds et al. 2004 JASN; Kapustin et al. 2011 (vesicles of quiescent VSMCs are loaded with MGP and do not calcify)",
       calibrated_by="[pi_1_4_little] Jono et al. 2000 (no mineral at 1.4 mM Pi)"),
    _p("vesicle_fetuin_inhibition_fraction", 0.9, 0.0, 1.0, "1", "inhibitor loading of vesicles saturated with fetuin-A",
       "Reynolds et al. 2004 JASN (fetuin-A uptake inhibits vesicle mineralisation)",
       calibrated_by="[pi_1_4_little] Jono et al. 2000 (no mineral at 1.4 mM Pi)"),
    _p("vesicle_osteogenic_loading_factor", 0.3, 0.0, 1.0, "1",
       "inhibitor (MGP, fetuin-A) loading of vesicles from osteogenic cells relative to contractile ones",
       "Kapustin et al. 2011 Circ Res (Ca/Pi-stressed VSMCs shed vesicles depleted of MGP and fetuin-A, rich in annexin 6/PS: mineralisation-competent)",
       calibrated_by="[pi_threshold_rise] Jono et al. 2000 (mineral at 2.0 mM Pi by day 7-9)"),
    # ------------------------------------------------------------------ the cell's own ions
    _p("phosphate_efflux_rate_per_h", 11.0, 0.01, 1000.0, "1/h",
       "first-order efflux of inorganic phosphate from the cell's pool (XPR1-mediated export)",
       "stated reason: set so that the healthy pool is ~0.7 fmol P, i.e. ~1 mM free Pi in ~0.7 pL of cell water "
       "(intracellular Pi ~0.5-1 mM by 31P-NMR; Bevington et al. 1986 Clin Sci 71:729) at the Pit-1 influx of "
       "Li, Yang & Giachelli 2006 (~8 fmol/h per 0.4 ng-protein cell): the pool turns over in minutes "
       "(XPR1 exports Pi: Giovannini et al. 2013 Cell Rep 3:1866)"),
    _p("apoptotic_bodies_per_cell", 5.0, 0.0, 1000.0, "bodies / cell", "apoptotic bodies released once when a cell dies",
       "stated reason: a VSMC fragments into several 1-5 um bodies (Proudfoot et al. 2000)"),
]
