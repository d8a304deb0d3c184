"""Growth of hydroxyapatite on the crystals of a site, from supersaturated fluid.

Rate law (per litre of tissue; ``A`` the crystal surface of :mod:`vcsim.chemistry.crystals`)::

    R_g = 3.6e6 * k_g * phi_g * sigma^n * A          [mmol HAP / L tissue / h],  S_gu > 1
    sigma = S_gu - 1,   S_gu = (IAP / Ksp)^(1/nu)    (relative supersaturation per growth unit)
    phi_g = 1 / (1 + PPi/K_ppi + Mg/K_mg + cMGP/K_mgp)

* ``k_g sigma^n`` with apparent order ``n ~ 2`` (parabolic, surface-integration control) is the
  constant-composition rate law of HAP growth, in mol of formula units per m2 of crystal per s
  (Koutsoukos, Amjad, Tomson & Nancollas 1980, J Am Chem Soc 102:1553; Nancollas & Wu 2000,
  Prog Cryst Growth Charact 41:75). ``3.6e6`` converts mol/(L s) to mmol/(L h).
* ``phi_g`` is competitive Langmuir adsorption of the growth inhibitors on the growth sites
  (PPi: Fleisch, Russell & Straumann 1966, Nature 212:901; Mg: Amjad, Koutsoukos & Nancollas
  1984, J Colloid Interface Sci 101:250; cMGP: Schurgers, Uitto & Reutelingsperger 2013, Trends
  Mol Med 19:217).

Growth takes ``HAP_CALCIUM`` = 10 Ca and ``HAP_PHOSPHATE`` = 6 P per formula unit from the pore
fluid. Nothing here limits a step: the rate is a rate, and the reaction-transport process
(:mod:`vcsim.processes.reaction_transport`) integrates it implicitly with the supply of ions by
transport, so what a step grows is set by kinetics and supply, not by the step length.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from vcsim.chemistry.crystals import MM_PER_H_PER_MOL_PER_L_PER_S
from vcsim.params.chemistry import PARAMS as _CHEM_PARAMS

ArrayLike = float | np.ndarray
_DEFAULTS = {p.name: p.default for p in _CHEM_PARAMS}


def _param(params: Mapping[str, float] | None, name: str) -> float:
    if params is not None and name in params:
        return float(params[name])
    return float(_DEFAULTS[name])


def growth_inhibitor_factor(ppi_uM: ArrayLike = 0.0, mg_mM: ArrayLike = 0.0, cmgp_nM: ArrayLike = 0.0,
                            params: Mapping[str, float] | None = None) -> np.ndarray:
    """``phi_g = 1 / (1 + PPi/K_ppi + Mg/K_mg + cMGP/K_mgp)`` in (0, 1] (competitive Langmuir
    adsorption on growth sites). PPi in uM, Mg in mM, cMGP in nM; half-maxima
    ``ppi_growth_half_uM``, ``mg_growth_half_mM``, ``cmgp_growth_half_nM``."""
    return 1.0 / (
        1.0
        + np.maximum(ppi_uM, 0.0) / _param(params, "ppi_growth_half_uM")
        + np.maximum(mg_mM, 0.0) / _param(params, "mg_growth_half_mM")
        + np.maximum(cmgp_nM, 0.0) / _param(params, "cmgp_growth_half_nM")
    )


def growth_rate(s_gu: ArrayLike, surface_m2_per_L: ArrayLike, k_growth_mol_per_m2_s: float,
                order: float = 2.0, inhibitor_factor: ArrayLike = 1.0) -> np.ndarray:
    """``R_g = 3.6e6 k_g phi_g (S_gu - 1)^n A`` (mmol HAP / L tissue / h) where ``S_gu > 1``,
    else 0 (module docstring)."""
    sigma = np.maximum(np.asarray(s_gu, dtype=float) - 1.0, 0.0)
    return (MM_PER_H_PER_MOL_PER_L_PER_S * k_growth_mol_per_m2_s) * np.asarray(inhibitor_factor) * (
        sigma**order * np.asarray(surface_m2_per_L, dtype=float))


def growth_rate_slope(s_gu: ArrayLike, surface_m2_per_L: ArrayLike, k_growth_mol_per_m2_s: float,
                      order: float = 2.0, inhibitor_factor: ArrayLike = 1.0) -> np.ndarray:
    """``dR_g/dS_gu = 3.6e6 k_g phi_g n (S_gu - 1)^(n-1) A`` (0 where ``S_gu <= 1``)."""
    sigma = np.maximum(np.asarray(s_gu, dtype=float) - 1.0, 0.0)
    return (MM_PER_H_PER_MOL_PER_L_PER_S * k_growth_mol_per_m2_s * order) * np.asarray(inhibitor_factor) * (
        np.where(sigma > 0.0, sigma ** (order - 1.0), 0.0) * np.asarray(surface_m2_per_L, dtype=float))


__all__ = ["growth_inhibitor_factor", "growth_rate", "growth_rate_slope"]
