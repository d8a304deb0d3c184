"""The vascular smooth-muscle cell (VSMC): its state, senses, ER stress/UPR, osteogenic
programme, secretion and its cell processes.

- :mod:`~vcsim.cells.vsmc.variables`: the cell type (variables with units, signals,
  phenotypes, behaviours);
- :mod:`~vcsim.cells.vsmc.sensing`: the site's fluid and pore volume, Pit-1 Pi uptake and
  signalling, glucose memory, TNF-a, AGE/RAGE, lipids, ROS, vitamin K/warfarin, fetuin-A;
- :mod:`~vcsim.cells.vsmc.upr`: ER stress and the UPR (PERK/IRE1/ATF6), the ER Ca2+ store,
  mTORC1, autophagy, apoptosis pressure;
- :mod:`~vcsim.cells.vsmc.calcium`: the cell's own ions (quasi-steady cytosolic Ca2+, the ER
  store filled from the site's fluid, cytosolic Mg2+ and Mg-ATP-driven SERCA), used by ``upr``;
- :mod:`~vcsim.cells.vsmc.osteogenic`: Runx2, commitment, contractile markers, TNAP, ENPP1, MGP
  carboxylation, Pit-1 expression;
- :mod:`~vcsim.cells.vsmc.secretion`: vesicles, apoptotic bodies, PPi, TNAP, MGP;
- :mod:`~vcsim.cells.vsmc.steady_state`: the quiescent state cells start in;
- :mod:`~vcsim.cells.vsmc.processes`: the cell processes in step order.
"""

from vcsim.cells.registry import register
from vcsim.cells.vsmc.variables import VSMC, Phenotype

register(VSMC)

__all__ = ["VSMC", "Phenotype"]
