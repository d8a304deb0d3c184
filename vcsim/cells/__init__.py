"""Cells: cell types, their populations on the lattice, the rules table and the generic life
of a cell (phenotype transitions, division).

- :mod:`~vcsim.cells.types`: :class:`CellType`, :class:`Variable`, :class:`PhenotypeDef`;
  :mod:`~vcsim.cells.registry`: the types by name;
- :mod:`~vcsim.cells.population`: :class:`CellPopulation` (phenotype code and state row per site);
- :mod:`~vcsim.cells.rules` + ``rules.csv``: the PhysiCell-style behaviour rules (one evaluator);
- :mod:`~vcsim.cells.kinetics`: Hill functions, exact relaxation, event probabilities;
- :mod:`~vcsim.cells.phenotype`: competing transitions, death, clearance, the commit of a new state;
- :mod:`~vcsim.cells.division`: who divides and where the daughters go;
- :mod:`~vcsim.cells.reporting`: counts by phenotype and marker means;
- :mod:`~vcsim.cells.vsmc`: the vascular smooth-muscle cell;
- :mod:`~vcsim.cells.culture`: cells alone in a dish of medium.
"""

from vcsim.cells.population import CellPopulation
from vcsim.cells.registry import cell_type, cell_types, register
from vcsim.cells.rules import Rule, RulesTable, load_rules
from vcsim.cells.types import CellType, PhenotypeDef, Variable
from vcsim.cells.vsmc import VSMC, Phenotype

__all__ = ["VSMC", "CellPopulation", "CellType", "Phenotype", "PhenotypeDef", "Rule", "RulesTable", "Variable", "cell_type",
           "cell_types", "load_rules", "register"]
