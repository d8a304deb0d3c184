"""Interventions and genotypes: every drug and knock-down is a parameter acting through its mechanism.

Nothing here switches an outcome on or off. Each value enters one named step of the cell model
(:mod:`vcsim.cells`) or of the systemic inputs:

- ``phosphate_binder_fraction`` (binder / dialysis) lowers serum Pi toward
  ``phosphate_binder_target_mM`` (the pharmacology is the systemic process's,
  :func:`vcsim.processes.systemic.effective_serum_phosphate_mM`).
- ``pit1_blocker_fraction`` (phosphonoformic acid, PFA) and ``pit1_knockdown_fraction`` scale
  Pit-1 activity: Pi uptake and Pit-1-dependent Pi signalling to Runx2.
- ``warfarin_vkorc1_inhibition_fraction`` removes VKORC1 recycling of vitamin K, lowering the
  gamma-carboxylated share of MGP; vitamin K supplementation is ``vitamin_k_index`` > 1 in the
  systemic group (it acts through the warfarin-insensitive reductase bypass).
- Magnesium supplementation is ``serum_magnesium_mM`` in the systemic group (no separate delta:
  a supplement simply raises serum and hence interstitial Mg, which the cells sense at their site).
- ``rapamycin_mtorc1_inhibition_fraction`` scales mTORC1 activity down; ``three_ma_autophagy_block_fraction``
  (3-methyladenine, class III PI3K) scales autophagic flux down.
- ``pba4_chaperone_fraction`` and ``tudca_chaperone_fraction`` add chemical-chaperone clearance of
  unfolded protein (relative to a saturating in-vitro dose: 4-PBA ~5 mM, TUDCA ~0.5 mM).
- ``anti_tnf_fraction`` (neutralising antibody / etanercept) lowers the TNF-a the cells sense;
  ``rage_antagonist_fraction`` lowers AGE/RAGE signalling; ``antioxidant_fraction`` lowers ROS.
- ``*_knockdown_fraction`` (0 = wild type, 1 = knock-out) scale the expression of ATF4, CHOP,
  XBP1 (spliced form), PERK, Pit-1, ENPP1 and MGP.
"""

from __future__ import annotations

from vcsim.params.schema import Param

_FRACTION = "1"


def _drug(name: str, meaning: str, source: str) -> Param:
    return Param(name, 0.0, 0.0, 1.0, _FRACTION, meaning, source)


def _knockdown(gene: str, mechanism: str, source: str) -> Param:
    return Param(f"{gene}_knockdown_fraction", 0.0, 0.0, 1.0, _FRACTION,
                 f"{gene.upper()} knock-down (0 wild type, 1 knock-out): {mechanism}", source)


PARAMS = [
    _drug("phosphate_binder_fraction",
          "phosphate binder / dialysis: fraction of the serum Pi excess over phosphate_binder_target_mM removed",
          "stated reason: binders and dialysis lower hyperphosphataemia toward normal, not below it"),
    Param("phosphate_binder_target_mM", 1.1, 0.2, 6.0, "mM",
          "serum Pi a complete (fraction 1) binder/dialysis regimen would reach",
          "upper-normal serum Pi (KDIGO target range ~0.8-1.45 mM)"),
    _drug("pit1_blocker_fraction",
          "Pit-1 (SLC20A1) block by phosphonoformic acid: scales Pit-1 uptake and Pi signalling",
          "Jono et al. 2000 (PFA blocks Pi-induced Cbfa-1/osteocalcin and mineral dose-dependently)"),
    _drug("warfarin_vkorc1_inhibition_fraction",
          "VKORC1 inhibition by warfarin: fraction of vitamin K epoxide recycling lost",
          "VKORC1 is the warfarin target (Li et al. 2004 Nature 427:541; Rost et al. 2004 Nature 427:537); stated reason: therapeutic warfarin ~0.8-0.95 inhibition of VKORC1"),
    _drug("rapamycin_mtorc1_inhibition_fraction",
          "rapamycin: fraction of mTORC1 activity removed",
          "rapamycin normalises aortic Ca in CKD mice (Panda et al. 2018 Am J Physiol Renal Physiol 314:F1046, reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056)"),
    _drug("three_ma_autophagy_block_fraction",
          "3-methyladenine: fraction of autophagic flux blocked (class III PI3K / Vps34)",
          "Dai et al. 2013 Kidney Int 83:1042 (3-MA raises Pi-induced VSMC calcification and MV release)"),
    _drug("pba4_chaperone_fraction",
          "4-phenylbutyrate: chemical-chaperone dose relative to a saturating in-vitro dose (~5 mM)",
          "Masuda et al. 2013 J Am Heart Assoc 2:e000238 (chemical chaperones lower PERK-eIF2a-ATF4-CHOP and calcification in CKD mice); Duan et al. 2013 Apoptosis 18:1132 (4-PBA)"),
    _drug("tudca_chaperone_fraction",
          "tauroursodeoxycholic acid: chemical-chaperone dose relative to a saturating dose (~0.5 mM)",
          "Masuda et al. 2013 J Am Heart Assoc 2:e000238 (chemical chaperones in CKD mice); stated reason: TUDCA lowers IRE1/XBP1 signalling in VSMCs, reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056"),
    _drug("anti_tnf_fraction",
          "TNF-a neutralisation: fraction of TNF-a the cells no longer sense",
          "Masuda et al. 2013 J Am Heart Assoc 2:e000238 (TNF-a antibody lowers PERK-ATF4-CHOP and calcification)"),
    _drug("rage_antagonist_fraction",
          "RAGE antagonist: fraction of AGE/RAGE signalling blocked",
          "stated reason: a RAGE antagonist lowers AGE-induced ER stress, caspase-9 and VSMC apoptosis (primary paper not traced; reviewed in Rao et al. 2022 Front Cardiovasc Med 9:918056)"),
    _drug("antioxidant_fraction",
          "antioxidant: fraction of intracellular ROS removed (NADPH-oxidase inhibition, scavengers)",
          "Liberman et al. 2011 Biochem Biophys Res Commun 413:436 (inhibiting oxidative stress lowers BMP-2-induced XBP1-Runx2 and mineral)"),
    _knockdown("atf4", "scales ATF4 (osteogenic genes, CHOP, autophagy genes)",
               "Duan et al. 2013 Apoptosis 18:1132 (ATF4 knock-down lowers osteogenic markers and calcification); Masuda et al. 2016 JCI Insight 1:e88646"),
    _knockdown("chop", "scales CHOP (apoptosis, GADD34, ENPP1 suppression)",
               "Miyazaki-Anzai et al. 2014 J Am Heart Assoc 3:e000949 (CHOP knock-down lowers oxysterol-induced VSMC calcification)"),
    _knockdown("xbp1", "scales spliced XBP1 (GRP78, ERAD, autophagy, Runx2 promoter)",
               "Liberman et al. 2011 Biochem Biophys Res Commun 413:436 (XBP1 binds the Runx2 promoter)"),
    _knockdown("perk", "scales active PERK (p-eIF2a, ATF4, CHOP, Sestrin)", "Masuda et al. 2013 J Am Heart Assoc 2:e000238 (PERK knock-down inhibits TNF-a-induced VSMC mineralization)"),
    _knockdown("pit1", "scales Pit-1 uptake and Pi signalling",
               "Li, Yang & Giachelli 2006: knock-down cuts Na-Pi uptake 9.8 -> 2.9 nmol/mg/30 min (fraction ~0.7)"),
    _knockdown("enpp1", "scales ENPP1 PPi production", "Prosdocimo et al. 2009 Am J Physiol Cell Physiol 296:C828 (ENPP1 makes VSMC PPi); Rutsch et al. 2003 Nat Genet 34:379 (ENPP1 loss: arterial calcification)"),
    _knockdown("mgp", "scales MGP secretion (1 = Mgp-/-)", "Luo et al. 1997 Nature 386:78 (MGP is a local calcification inhibitor)"),
]
