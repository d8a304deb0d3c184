"""Extracellular mineral chemistry: pure vectorised functions and the lattice step.

- :mod:`~vcsim.chemistry.speciation`: free ions, ion pairs, activities, saturation of HAP,
  OCP, brushite and ACP (:func:`speciate`, :func:`hap_saturation`).
- :mod:`~vcsim.chemistry.nucleation`: classical nucleation theory with templates and inhibitors.
- :mod:`~vcsim.chemistry.growth`: HAP growth on nuclei, stoichiometric and saturation-limited.
- :mod:`~vcsim.chemistry.tnap`: exact Michaelis-Menten hydrolysis of PPi by TNAP.
- :mod:`~vcsim.chemistry.lattice`: :func:`react`, the chemistry step on the lattice fields,
  and :class:`EventLog`, the nucleation event log.
"""

from vcsim.chemistry.growth import amount_to_saturation, grow, growth_inhibitor_factor, growth_rate
from vcsim.chemistry.lattice import SOURCES, EventLog, react
from vcsim.chemistry.nucleation import (
    cnt_barrier_coefficient,
    growth_unit_barrier_coefficient,
    hill_inhibition,
    nucleation_inhibitor_factor,
    nucleation_rate,
)
from vcsim.chemistry.speciation import PHASES, Speciation, hap_saturation, phases_from, speciate
from vcsim.chemistry.tnap import hydrolyse, ppi_after_hydrolysis

__all__ = [
    "PHASES",
    "SOURCES",
    "EventLog",
    "Speciation",
    "amount_to_saturation",
    "cnt_barrier_coefficient",
    "grow",
    "growth_inhibitor_factor",
    "growth_rate",
    "growth_unit_barrier_coefficient",
    "hap_saturation",
    "hill_inhibition",
    "hydrolyse",
    "nucleation_inhibitor_factor",
    "nucleation_rate",
    "phases_from",
    "ppi_after_hydrolysis",
    "react",
    "speciate",
]
