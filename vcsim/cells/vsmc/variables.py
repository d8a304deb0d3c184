"""The VSMC as a cell type: its state variables, sensed signals, phenotypes and behaviours.

Units: UPR/osteogenic activities are relative levels in [0, 1] (1 = the maximal response the
model allows), ``unfolded_load`` and ``ros`` are non-negative indices relative to a reference,
``glucose_memory_mM`` and ``cytosol_magnesium_mM`` are mM and ``time_since_death_h`` hours.
"""

from __future__ import annotations

import math
from enum import IntEnum

from vcsim.cells.types import CellType, PhenotypeDef, Variable

INF = math.inf

VARIABLES = (
    Variable("unfolded_load", "index >= 0", "unfolded/misfolded ER protein relative to basal folding capacity",
             INF, label="unfolded load (index)"),
    Variable("grp78", "0-1", "GRP78/BiP level relative to maximal induction", label="GRP78", panel="upr"),
    Variable("perk", "0-1", "fraction of PERK active (released from GRP78, autophosphorylated)", label="PERK"),
    Variable("p_eif2a", "0-1", "fraction of eIF2a phosphorylated", label="p-eIF2\u03b1", panel="upr"),
    Variable("atf4", "0-1", "ATF4 protein relative to maximal", label="ATF4", panel="upr"),
    Variable("chop", "0-1", "CHOP (DDIT3) relative to maximal", label="CHOP", panel="upr"),
    Variable("ire1", "0-1", "fraction of IRE1a active", label="IRE1\u03b1"),
    Variable("xbp1s", "0-1", "spliced XBP1 protein relative to maximal", label="XBP1s", panel="upr"),
    Variable("jnk", "0-1", "fraction of JNK phosphorylated", label="p-JNK"),
    Variable("atf6", "0-1", "cleaved nuclear ATF6(N) relative to maximal", label="ATF6(N)", panel="upr"),
    Variable("er_calcium_fraction", "0-1", "ER Ca2+ store filling (1 = full; the cell's calcium is this x "
             "the store capacity, vcsim.cells.vsmc.calcium.store_capacity_amol)", label="ER Ca\u00b2\u207a store",
             extensive=True),
    Variable("cytosol_magnesium_mM", "mM", "cytosolic free Mg2+ (follows the site's fluid Mg through TRPM7, "
             "tau_cytosol_magnesium_h; sets the Mg-ATP that drives SERCA)", INF, label="cytosolic Mg\u00b2\u207a (mM)"),
    Variable("mtorc1", "0-1", "mTORC1 activity relative to maximal", label="mTORC1"),
    Variable("autophagy_flux", "0-1", "autophagic flux relative to maximal", label="autophagic flux", panel="upr"),
    Variable("caspase12", "0-1", "fraction of caspase-12 cleaved (severe, prolonged ER stress)",
             label="caspase-12", panel="upr"),
    Variable("chop_persistence", "0-1", "slow integral of high CHOP (persistent, not transient, CHOP kills)",
             label="persistent CHOP"),
    Variable("ros", "index >= 0", "intracellular ROS relative to a stressed reference (1)", INF, label="ROS (index)"),
    Variable("glucose_memory_mM", "mM", "slowly adapting memory of glucose (antioxidant adaptation)", INF,
             summary=False, label="glucose memory (mM)"),
    Variable("runx2", "0-1", "Runx2/Cbfa-1 activity (osteogenic transcription) relative to maximal",
             label="Runx2", panel="osteogenic"),
    Variable("osteogenic_commitment", "0-1", "slow, self-reinforcing integral of high Runx2",
             label="osteogenic commitment", panel="osteogenic"),
    Variable("contractile_markers", "0-1", "aSMA/SM22a relative to a healthy contractile cell",
             label="\u03b1SMA/SM22\u03b1", panel="osteogenic"),
    Variable("tnap", "0-1", "TNAP/ALP expression relative to maximal (osteoblast-like)", label="TNAP/ALP", panel="osteogenic"),
    Variable("enpp1", "0-1", "ENPP1 PPi-producing activity relative to a healthy contractile cell", label="ENPP1"),
    Variable("mgp_carboxylated_fraction", "0-1", "gamma-carboxylated share of the MGP the cell makes",
             label="carboxylated MGP share"),
    Variable("pit1_expression", "relative >= 0", "Pit-1 (SLC20A1) abundance, 1 = healthy contractile", INF,
             summary=False, label="Pit-1 expression"),
    Variable("osteogenic_plasticity", "relative > 0",
             "fixed per-cell susceptibility to osteogenic drive (lognormal, median 1)", INF, summary=False,
             label="osteogenic plasticity"),
    Variable("time_since_death_h", "h", "time since the cell became apoptotic (0 while viable)", INF,
             summary=False, label="time since death (h)"),
    Variable("phosphate_pool_amol", "amol P", "the cell's inorganic phosphate (influx by Pit-1, efflux, "
             "the P of the PPi it makes)", INF, label="cell phosphate (amol)", extensive=True),
)

#: what the sensing process writes each step: the site's fluid and mineral as the cell meets
#: them, then the signals it computes, and the volume of the site's pore fluid (L) the cell
#: exchanges Ca2+ with (vcsim.cells.vsmc.sensing)
SIGNALS = (
    "phosphate_mM", "calcium_mM", "magnesium_mM", "pyrophosphate_uM", "mineral_hap_mM",
    "hap_saturation_index", "pore_volume_L",
    "phosphate_uptake_nmol_per_mg_per_h", "phosphate_signal", "tnf_signal", "age_signal",
    "lipid_signal", "ros_signal", "glucose_mM", "glucose_rise_mM",
    "reduced_vitamin_k_index", "fetuin_loading_fraction",
)

PHENOTYPES = (
    PhenotypeDef("contractile", 1, colour="#c44e52", label="contractile"),
    PhenotypeDef("osteogenic", 2, colour="#4c72b0", label="osteogenic"),
    PhenotypeDef("autophagic", 3, colour="#55a868", label="autophagic"),
    PhenotypeDef("apoptotic", 4, alive=False, dying=True, colour="#222222", label="apoptotic"),
)

BEHAVIOURS: dict[str, tuple[str, str]] = {
    "to_contractile": ("1/h", "rate of returning to the contractile phenotype"),
    "to_osteogenic": ("1/h", "rate of switching to the osteogenic phenotype"),
    "to_autophagic": ("1/h", "rate of switching to the autophagic phenotype"),
    "to_apoptotic": ("1/h", "rate of apoptosis (ER stress, JNK, Pi)"),
    "mineral_death": ("1/h", "rate of death of a cell engulfed by local mineral"),
    "clearance": ("1/h", "rate at which an apoptotic cell is cleared, leaving an empty site"),
    "vesicle_release": ("vesicles/h", "matrix vesicles released per cell per hour"),
    "division": ("1/h", "division rate when an empty neighbour is available"),
    "ppi_secretion": ("amol PPi/h", "PPi made into the pore fluid at full ENPP1 activity (x the cell's ENPP1)"),
    "tnap_activity": ("uM PPi/h", "TNAP Vmax (cell + its vesicles) per site of pore fluid at full TNAP expression"),
    "mgp_secretion": ("nM (tissue)/h", "MGP deposited into the matrix per cell"),
}

VSMC = CellType(
    name="vsmc",
    label="vascular smooth-muscle cell",
    variables=VARIABLES,
    signals=SIGNALS,
    phenotypes=PHENOTYPES,
    behaviours=BEHAVIOURS,
    death_clock="time_since_death_h",
    empty_colour="#eeeeee",
)

#: the VSMC's phenotype codes by name (0 = no cell): ``Phenotype.OSTEOGENIC == 2``
Phenotype = IntEnum("Phenotype", {"EMPTY": 0, **{p.name.upper(): p.code for p in PHENOTYPES}})
