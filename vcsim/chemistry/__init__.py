"""Extracellular mineral chemistry: pure functions on arrays (the lattice processes that use
them are in :mod:`vcsim.processes`).

- :mod:`~vcsim.chemistry.phases`: the calcium phosphate solids, their stoichiometry and Ksp;
- :mod:`~vcsim.chemistry.speciation`: free ions, ion pairs, activities, saturation (:func:`speciate`);
- :mod:`~vcsim.chemistry.nucleation`: classical nucleation theory with templates and inhibitors;
- :mod:`~vcsim.chemistry.growth`: HAP growth on nuclei, stoichiometric and saturation-limited;
- :mod:`~vcsim.chemistry.tnap`: exact Michaelis-Menten hydrolysis of PPi by TNAP.
"""

from vcsim.chemistry.growth import amount_to_saturation, grow, growth_inhibitor_factor, growth_rate
from vcsim.chemistry.nucleation import (
    SOURCES,
    cnt_barrier_coefficient,
    growth_unit_barrier_coefficient,
    hill_inhibition,
    nucleation_inhibitor_factor,
    nucleation_rate,
    site_nucleation_rates,
)
from vcsim.chemistry.phases import (
    HAP_CALCIUM,
    HAP_PHOSPHATE,
    PHASES,
    PPI_PHOSPHORUS,
    Phase,
    phases_from,
)
from vcsim.chemistry.speciation import Speciation, hap_saturation, speciate
from vcsim.chemistry.tnap import hydrolyse, ppi_after_hydrolysis

__all__ = [
    "HAP_CALCIUM",
    "HAP_PHOSPHATE",
    "PHASES",
    "PPI_PHOSPHORUS",
    "SOURCES",
    "Phase",
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
    "site_nucleation_rates",
    "speciate",
]
