"""The vascular smooth-muscle cell: state, senses, ER stress/UPR, phenotype, secretion.

Everything is vectorised over an index array of sites; the Mesa agent calls the same
functions with its own one-element index.

Modules (named after what they model):

- :mod:`~vcsim.cells.state`: :class:`Phenotype`, :class:`CellState` (one row per site),
  :func:`summary_markers`.
- :mod:`~vcsim.cells.signals`: :class:`SiteInputs` and what a cell senses (Pit-1 Pi uptake and
  signalling, glucose memory, TNF-a, AGE/RAGE, lipids, ROS, Mg for SERCA, vitamin K/warfarin).
- :mod:`~vcsim.cells.upr`: ER stress and the UPR (PERK/IRE1/ATF6), the ER Ca2+ store, mTORC1,
  autophagy, apoptosis pressure.
- :mod:`~vcsim.cells.osteogenic`: Runx2, osteogenic commitment, contractile markers, TNAP,
  ENPP1, MGP carboxylation, Pit-1 expression.
- :mod:`~vcsim.cells.rules` + ``rules.csv``: the PhysiCell-style behaviour rules.
- :mod:`~vcsim.cells.phenotype`: transitions, death, clearance, division.
- :mod:`~vcsim.cells.secretion`: :class:`CellRelease` (vesicles, apoptotic bodies, PPi, TNAP, MGP).
- :mod:`~vcsim.cells.step`: :func:`advance` (one step) and :func:`new_cell_state`.
"""

from vcsim.cells.phenotype import division_probability, place_daughter
from vcsim.cells.rules import BEHAVIOURS, Rule, RulesTable, load_rules
from vcsim.cells.secretion import CellRelease
from vcsim.cells.signals import RULE_SIGNALS, SiteInputs, sense
from vcsim.cells.state import VARIABLE_UNITS, CellState, Phenotype, summary_markers, viable_mask
from vcsim.cells.step import advance, new_cell_state, quiescent_steady_state
from vcsim.params.interventions import apply_systemic_interventions, effective_serum_phosphate_mM

__all__ = [
    "BEHAVIOURS",
    "RULE_SIGNALS",
    "VARIABLE_UNITS",
    "CellRelease",
    "CellState",
    "Phenotype",
    "Rule",
    "RulesTable",
    "SiteInputs",
    "advance",
    "apply_systemic_interventions",
    "division_probability",
    "effective_serum_phosphate_mM",
    "load_rules",
    "new_cell_state",
    "place_daughter",
    "quiescent_steady_state",
    "sense",
    "summary_markers",
    "viable_mask",
]
