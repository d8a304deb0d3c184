"""Extracellular mineral chemistry: solubility, nucleation, growth, TNAP (:mod:`vcsim.chemistry`).

Serum composition, pH, temperature and fetuin-A are systemic (``vcsim.params.systemic``); the
aqueous equilibrium constants (phosphoric acid, ion pairs) are a fixed thermodynamic database
in :mod:`vcsim.chemistry.speciation` with their sources, not tunable parameters.
"""

from vcsim.params.schema import Param

_DOROZHKIN = "Dorozhkin 2009 (Materials 2:399) table 1"

PARAMS = [
    # ---------------------------------------------------------------- solubility products
    Param("hap_pksp_25c", 116.8, 110.0, 125.0, "-log10(Ksp/(mol/L)^18)",
          "HAP solubility product at 25 C, formula unit Ca10(PO4)6(OH)2 (IAP = a_Ca^10 a_PO4^6 a_OH^2)",
          "McDowell, Gregory & Brown 1977 (J Res NBS 81A:273); " + _DOROZHKIN),
    Param("hap_pksp_37c", 117.2, 110.0, 125.0, "-log10(Ksp/(mol/L)^18)",
          "HAP solubility product at 37 C (log Ksp linear in 1/T between 25 and 37 C)",
          "McDowell, Gregory & Brown 1977; " + _DOROZHKIN),
    Param("ocp_pksp_25c", 96.6, 90.0, 100.0, "-log10(Ksp/(mol/L)^16)",
          "OCP solubility product at 25 C, formula unit Ca8H2(PO4)6.5H2O (IAP = a_Ca^8 a_H^2 a_PO4^6)",
          "Tung, Eidelman, Sieck & Brown 1988 (J Res NBS 93:613): 48.3 for Ca4H(PO4)3.2.5H2O, doubled; "
          + _DOROZHKIN),
    Param("ocp_pksp_37c", 95.9, 90.0, 100.0, "-log10(Ksp/(mol/L)^16)",
          "OCP solubility product at 37 C (IAP = a_Ca^8 a_H^2 a_PO4^6)",
          "Tung et al. 1988: 47.95 for Ca4H(PO4)3.2.5H2O, doubled; " + _DOROZHKIN),
    Param("brushite_pksp_25c", 6.59, 6.0, 7.5, "-log10(Ksp/(mol/L)^2)",
          "brushite CaHPO4.2H2O solubility product at 25 C (IAP = a_Ca a_HPO4)",
          "Gregory, Moreno & Brown 1970 (J Res NBS 74A:461); " + _DOROZHKIN),
    Param("brushite_pksp_37c", 6.63, 6.0, 7.5, "-log10(Ksp/(mol/L)^2)",
          "brushite solubility product at 37 C", "Gregory et al. 1970; " + _DOROZHKIN),
    Param("acp_pksp_25c", 25.7, 22.0, 30.0, "-log10(Ksp/(mol/L)^5)",
          "amorphous calcium phosphate solubility product, formula unit Ca3(PO4)2 (IAP = a_Ca^3 a_PO4^2), 25 C",
          "stated reason: only 37 C values are reliable (Dorozhkin 2009); taken equal to the 37 C value"),
    Param("acp_pksp_37c", 25.7, 22.0, 30.0, "-log10(Ksp/(mol/L)^5)",
          "ACP solubility product at 37 C (pH 7.4)",
          "Christoffersen et al. 1990 (J Cryst Growth 106:349); " + _DOROZHKIN),
    # ---------------------------------------------------------------- nucleation (CNT)
    Param("hap_interfacial_energy_J_per_m2", 0.09, 0.02, 0.3, "J/m2",
          "apatite-solution interfacial energy gamma in the CNT barrier",
          "Habraken et al. 2013 (Nat Commun 4:1507): CNT fit ~90 mJ/m2 for apatite"),
    Param("hap_formula_volume_m3", 5.28e-28, 4.0e-28, 7.0e-28, "m3",
          "volume of one Ca10(PO4)6(OH)2 formula unit in the crystal (v per growth unit = v/18)",
          "HAP unit cell a = 9.42 A, c = 6.88 A, Z = 1: V = 528 A^3 (Kay, Young & Posner 1964 Nature 204:1050)"),
    Param("acp_interfacial_energy_J_per_m2", 0.04, 0.005, 0.2, "J/m2",
          "ACP-solution interfacial energy (homogeneous nucleation goes through the ACP precursor)",
          "Habraken et al. 2013: ~40 mJ/m2 for ACP"),
    Param("acp_formula_volume_m3", 3.0e-28, 1.5e-28, 6.0e-28, "m3",
          "volume of one hydrated Ca3(PO4)2 unit of ACP",
          "stated reason: Ca3(PO4)2.3H2O (364 g/mol) at ~2.0 g/cm3 (ACP density 1.7-2.3 g/cm3)"),
    Param("homogeneous_j0_per_m3_per_s", 1.0e30, 1.0e20, 1.0e40, "1/(m3 s)",
          "kinetic prefactor of homogeneous (ACP precursor) nucleation in the pore fluid",
          "typical J0 for crystallisation from solution 1e30-1e35 m^-3 s^-1 (Mullin 2001, Crystallization; Kashchiev & van Rosmalen 2003)"),
    Param("vesicle_j0_per_h", 10.0, 1.0e-6, 1.0e6, "1/h per vesicle",
          "heterogeneous nucleation prefactor per matrix vesicle",
          "stated reason: calibration handle; with the defaults an uninhibited vesicle nucleates at 4e-7/h in "
          "healthy serum and 2e-5/h in calcifying medium at J0 = 0.1/h (Ca 1.8, Pi 2.0 mM, fetuin "
          "0.03 g/L, PPi 0.5 uM); J0 then set so that uninhibited osteogenic MVs calcify a 2 mM Pi culture from day 6-9",
          calibrated_by="[pi_1_4_little] [iv_no_mineral_day5] [iv_mineral_by_day9] Jono et al. 2000 (HASMC: no mineral at 1.4 mM Pi, mineral from day 6-9 at 2.0 mM)"),
    Param("vesicle_barrier_factor", 0.7, 0.01, 1.0, "1",
          "f(theta): fraction of the homogeneous HAP barrier left on a matrix vesicle membrane",
          "stated reason: phosphatidylserine-Ca-Pi complexes and annexins template apatite (Anderson 2003; "
          "Wuthier & Lipscomb 2011); f = 0.7 ~ contact angle 100 deg; kept near 1 so the rate stays "
          "sensitive to Pi (dG*/kT ~ 10 in healthy serum inside a vesicle)"),
    Param("vesicle_calcium_enrichment_factor", 2.0, 1.0, 20.0, "1",
          "Ca2+ activity inside a matrix vesicle (and an apoptotic body) relative to the surrounding fluid",
          "stated reason: annexin channels load MVs with Ca (Kirsch et al. 2000; Wuthier 1977 ~ several-fold)"),
    Param("vesicle_phosphate_enrichment_factor", 2.0, 1.0, 20.0, "1",
          "PO4-3 activity inside a matrix vesicle (and an apoptotic body) relative to the fluid (PiT-1, PHOSPHO1, TNAP)",
          "stated reason: MVs import and generate Pi (Anderson 2003; Millan 2013); several-fold assumed"),
    Param("apoptotic_body_j0_per_h", 100.0, 1.0e-6, 1.0e6, "1/h per apoptotic body",
          "heterogeneous nucleation prefactor per apoptotic body",
          "stated reason: same order as a vesicle; apoptotic bodies of VSMCs nucleate mineral "
          "(Proudfoot et al. 2000, Circ Res 87:1055)",
          calibrated_by="[anti_tnf_lowers_calcification] Jono et al. 2000 with the vesicle prefactor (apoptosis a minor source in culture); "
                        "raised 3 -> 100 by the validation suite: Duan et al. 2013 Apoptosis 18:1132 (ER-stress-induced VSMC apoptosis "
                        "initiates calcification, apoptotic bodies nucleate HAP like MVs) and anti-TNF lowering "
                        "calcification in CKD (vcsim/validation.py)"),
    Param("apoptotic_body_barrier_factor", 0.75, 0.01, 1.0, "1",
          "f(theta) of the HAP barrier on an apoptotic body (exposed phosphatidylserine, Ca-rich)",
          "stated reason: slightly less potent template than a loaded MV (Proudfoot et al. 2000)"),
    Param("elastin_j0_per_h", 1.0, 1.0e-8, 1.0e4, "1/h per lamina site",
          "heterogeneous nucleation prefactor per elastic-lamina site",
          "stated reason: elastin binds Ca and nucleates apatite slowly (Urry 1971, PNAS 68:810); with the "
          "defaults ~1e-9/h per lamina site in healthy serum, ~2e-8/h at Pi 2 mM with low fetuin-A/PPi"),
    Param("elastin_barrier_factor", 0.85, 0.01, 1.0, "1",
          "f(theta) of the HAP barrier on elastin",
          "stated reason: weaker template than vesicles; medial calcification follows the laminae (Price et al. 1998 ATVB 18:1400: warfarin calcifies the elastic lamellae)"),
    Param("secondary_j0_per_h", 100.0, 0.0, 1.0e4, "1/h per mineralised neighbour",
          "nucleation prefactor at a site per von Neumann neighbour that holds nuclei (nodule and sheet spread)",
          "stated reason: secondary nucleation on existing apatite (HAP on HAP, low barrier); 0 disables spread"),
    Param("secondary_barrier_factor", 0.5, 0.01, 1.0, "1",
          "f(theta) of the HAP barrier for nucleation next to existing mineral",
          "stated reason: epitaxial nucleation on apatite needs the smallest barrier of all templates"),
    # ---------------------------------------------------------------- nucleation inhibitors
    Param("cmgp_nucleation_half_nM", 50.0, 0.01, 1.0e5, "nM",
          "carboxylated MGP in matrix at which nucleation is halved (factor 1/(1+(c/K)^h))",
          "stated reason: order of tissue MGP; cMGP binds Ca and nascent crystals (Schurgers et al. 2013)"),
    Param("cmgp_nucleation_hill_factor", 1.0, 0.5, 4.0, "1", "Hill coefficient of the cMGP nucleation factor",
          "stated reason: no cooperativity assumed"),
    Param("fetuin_nucleation_half_g_per_L", 0.25, 0.01, 5.0, "g/L",
          "fetuin-A at which nucleation is halved (factor 1/(1+(c/K)^h))",
          "stated reason: order of the fetuin-A levels that inhibit de novo calcium phosphate precipitation "
          "in vitro (Schinke et al. 1996, JBC 271:20789; Heiss et al. 2003, JBC 278:13333); serum 0.5-1 g/L "
          "then removes ~70-80% of nucleation, fetuin-A being about half of serum's inhibitory capacity"),
    Param("fetuin_nucleation_hill_factor", 1.0, 0.5, 4.0, "1", "Hill coefficient of the fetuin-A factor",
          "stated reason: no cooperativity assumed"),
    Param("ppi_nucleation_half_uM", 2.0, 0.01, 100.0, "uM",
          "pyrophosphate at which nucleation is halved (factor 1/(1+(c/K)^h))",
          "Fleisch & Bisaz 1962 (Am J Physiol 203:671); Fleisch, Russell & Straumann 1966 (Nature 212:901): "
          "PPi inhibits calcium phosphate precipitation at micromolar levels, near plasma PPi"),
    Param("ppi_nucleation_hill_factor", 1.0, 0.5, 4.0, "1", "Hill coefficient of the PPi factor",
          "stated reason: no cooperativity assumed"),
    Param("mg_nucleation_half_mM", 1.0, 0.01, 20.0, "mM",
          "magnesium at which HAP nucleation is halved (factor 1/(1+(c/K)^h))",
          "Boskey & Posner 1974 (Mater Res Bull): Mg stabilises ACP against apatite conversion at ~mM; "
          "ter Braake et al. 2018 (Sci Rep): Mg 2-3 mM blocks VSMC calcification by inhibiting HAP formation"),
    Param("mg_nucleation_hill_factor", 1.0, 0.5, 4.0, "1", "Hill coefficient of the Mg factor",
          "stated reason: no cooperativity assumed"),
    # ---------------------------------------------------------------- growth
    Param("hap_growth_rate_mol_per_m2_per_s", 8.3e-11, 0.0, 1.0e-3, "mol HAP / m2 / s",
          "growth rate constant k_g of R = k_g phi_g (S_gu - 1)^n per m2 of crystal surface",
          "law: Koutsoukos, Amjad, Tomson & Nancollas 1980 (JACS 102:1553), constant-composition HAP growth "
          "with rates of order 1e-10-1e-9 mol/m2/s near S_gu - 1 ~ 1; no measurement in tissue exists. Set so that "
          "cultured VSMCs at 2.0 mM Pi hold the calcium content of the 0.1.0 calibration at day 14 (~0.9 ug Ca/mg "
          "protein on 24 x 60) with the converged coupling",
          calibrated_by="[pi_threshold_rise] Jono et al. 2000 (mineral at 2.0 mM Pi by day 7-9; 0.1.0's day-14 calcium content)"),
    Param("hap_growth_order_factor", 2.0, 1.0, 4.0, "1",
          "apparent order n of HAP growth in the relative supersaturation S_gu - 1",
          "Koutsoukos, Amjad, Tomson & Nancollas 1980; Nancollas & Wu 2000: parabolic (n ~ 2)"),
    Param("nucleus_seed_hap_amol", 1.7, 1.0e-6, 1.0e4, "amol HAP",
          "HAP amount that sets the initial surface of a new nucleus (a mineralised vesicle)",
          "stated reason: a 100 nm sphere of HAP = 5.2e-22 m3 / 5.28e-28 m3 = 1e6 formula units = 1.7 amol"),
    Param("ppi_growth_half_uM", 1.0, 0.01, 100.0, "uM",
          "PPi at which HAP growth is halved (competitive Langmuir adsorption on growth sites)",
          "Fleisch, Russell & Straumann 1966 (Nature 212:901): micromolar PPi adsorbs to and blocks growth of "
          "HAP crystals"),
    Param("mg_growth_half_mM", 2.0, 0.01, 50.0, "mM",
          "Mg at which HAP growth is halved (Langmuir adsorption)",
          "Amjad, Koutsoukos & Nancollas 1984 (J Colloid Interface Sci 101:250): Mg retards HAP growth at mM"),
    Param("cmgp_growth_half_nM", 100.0, 0.01, 1.0e5, "nM",
          "cMGP at which HAP growth is halved (binds crystal faces)",
          "stated reason: cMGP adsorbs to HAP and arrests growth (Schurgers et al. 2013); same order as nucleation K"),
    Param("mineral_max_volume_fraction", 0.45, 0.05, 0.9, "1",
          "largest share of a site's volume mineral can fill: growth slows as crystals fill the site "
          "(impingement factor 1 - X / X_max)",
          "stated reason: calcified arterial deposits reach the mineral density of bone, whose mineralised "
          "matrix is ~40-45% mineral by volume (Currey 2002, Bones: Structure and Mechanics, ch. 1); impingement "
          "of growing crystals in a finite volume: Avrami 1939 (J Chem Phys 7:1103)"),
    # ---------------------------------------------------------------- dissolution
    Param("hap_dissolution_log_k_neutral", -6.00, -12.0, -2.0, "log10(mol/m2/s)",
          "neutral-mechanism HAP dissolution rate constant far from equilibrium",
          "Palandri & Kharaka 2004 (USGS Open-File Report 2004-1068), hydroxyapatite, 25 C"),
    Param("hap_dissolution_log_k_acid", -4.29, -10.0, 0.0, "log10(mol/m2/s)",
          "acid-mechanism HAP dissolution rate constant (times a_H^order)",
          "Palandri & Kharaka 2004, hydroxyapatite, 25 C"),
    Param("hap_dissolution_acid_order", 0.171, 0.0, 1.0, "1", "order of the acid mechanism in a_H",
          "Palandri & Kharaka 2004, hydroxyapatite"),
    Param("hap_dissolution_order_factor", 2.0, 1.0, 4.0, "1",
          "order n_d of HAP dissolution in the relative undersaturation 1 - S_gu",
          "Tang, Henneman & Nancollas 2003 (J Cryst Growth, doi:10.1016/S0022-0248(02)02332-1): effective "
          "order 1.9 +/- 0.1 for carbonated apatite"),
    # ---------------------------------------------------------------- TNAP
    Param("tnap_km_ppi_uM", 50.0, 0.1, 5000.0, "uM",
          "Michaelis constant of TNAP for PPi at pH ~7.4 (v = Vmax PPi/(Km + PPi); Vmax is the "
          "tnap_activity_uM_per_h field made by cells)",
          "stated reason: order of the K0.5 of TNAP for PPi at physiological pH measured on matrix-vesicle "
          "biomimetics (Ciancaglini et al. 2010, JBC 285:7598; Simao et al. 2013, Calcif Tissue Int 93:222); "
          "at plasma PPi (2-3 uM) the rate is first order, v ~ (Vmax/Km) PPi, for any Km >> 3 uM"),
    Param("vesicle_lifetime_h", 96.0, 1.0, 1e5, "h",
          "mean lifetime of a matrix vesicle in the matrix before it is degraded or cleared (first-order turnover)",
          "stated reason: vesicles that do not nucleate are degraded or taken up within days (Kapustin & Shanahan 2016 review); order-of-magnitude value"),
    Param("mgp_matrix_half_life_h", 72.0, 6.0, 2000.0, "h",
          "half-life of MGP deposited in the matrix (first-order turnover of carboxylated and uncarboxylated MGP)",
          "stated reason: no measurement of MGP turnover in the artery wall was found; bounded below by the turnover "
          "of Gla proteins (urinary Gla fell to 17% within 3 d of brodifacoum, t1/2 ~1.2 d: Craciun, "
          "Groenen-van Dooren & Vermeer 1997, Biochim Biophys Acta 1334:44) and above by the ~2 weeks before "
          "warfarin calcifies rat arteries (Price, Faus & Williamson 1998, ATVB 18:1400); 3 d in between"),
    Param("mineral_resorption_mol_per_m2_per_s", 3.0e-9, 0.0, 1.0e-6, "mol HAP / m2 / s",
          "rate at which the wall's resorbing (osteoclast-like) cells erode the surface of its crystals, in vivo",
          "mechanism: Bas et al. 2006 (J Bone Miner Res 21:484; regression after calcitriol withdrawal by an active "
          "cellular process), Simpson et al. 2007 (Cardiovasc Pathol 16:29; osteoclasts demineralise calcified "
          "elastin). Set 1.3x the growth drive of healthy tissue fluid (k_g phi_g (S_gu - 1)^2 = 2.3e-9 at normal "
          "serum, PPi, Mg and cMGP), so that crystals in a healthy wall shrink",
          calibrated_by="[healthy_no_calcification] healthy media do not accumulate mineral (no net growth of existing crystals at normal serum)"),
    Param("mineral_resorption_in_vitro_mol_per_m2_per_s", 0.0, 0.0, 1.0e-6, "mol HAP / m2 / s",
          "surface erosion of crystals by resorbing cells in vitro",
          "stated reason: cultures of VSMCs alone contain no osteoclast-like cells"),
    Param("apoptotic_body_lifetime_h", 168.0, 1.0, 1e5, "h",
          "mean lifetime of an apoptotic body left in the matrix (efferocytosis is slow in the media)",
          "stated reason: apoptotic bodies persist for days where efferocytosis fails (Proudfoot et al. 2000); order-of-magnitude value"),
]
