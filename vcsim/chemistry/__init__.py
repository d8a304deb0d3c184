"""Extracellular mineral chemistry: pure functions on arrays (the lattice processes that use
them are in :mod:`vcsim.processes`).

- :mod:`~vcsim.chemistry.phases`: the calcium phosphate solids, their stoichiometry and Ksp;
- :mod:`~vcsim.chemistry.speciation`: free ions, ion pairs, activities, saturation (:func:`speciate`);
- :mod:`~vcsim.chemistry.nucleation`: classical nucleation theory with templates and inhibitors;
- :mod:`~vcsim.chemistry.crystals`: the surface the crystals of a site offer to the fluid;
- :mod:`~vcsim.chemistry.growth`: the HAP growth rate law on that surface;
- :mod:`~vcsim.chemistry.dissolution`: the HAP dissolution rate law into undersaturated fluid;
- :mod:`~vcsim.chemistry.tnap`: Michaelis-Menten hydrolysis of PPi by TNAP.
"""

from vcsim.chemistry.crystals import crystal_surface_m2_per_L, seed_amount_mM
from vcsim.chemistry.dissolution import dissolution_rate, dissolution_rate_constant
from vcsim.chemistry.growth import growth_inhibitor_factor, growth_rate
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
from vcsim.chemistry.tnap import tnap_rate

__all__ = [
    "HAP_CALCIUM",
    "HAP_PHOSPHATE",
    "PHASES",
    "PPI_PHOSPHORUS",
    "SOURCES",
    "Phase",
    "Speciation",
    "cnt_barrier_coefficient",
    "crystal_surface_m2_per_L",
    "dissolution_rate",
    "dissolution_rate_constant",
    "growth_inhibitor_factor",
    "growth_rate",
    "growth_unit_barrier_coefficient",
    "hap_saturation",
    "hill_inhibition",
    "nucleation_inhibitor_factor",
    "nucleation_rate",
    "phases_from",
    "seed_amount_mM",
    "site_nucleation_rates",
    "speciate",
    "tnap_rate",
]
