"""Dissolution of hydroxyapatite into undersaturated fluid.

Rate law (per litre of tissue; ``A`` the crystal surface of :mod:`vcsim.chemistry.crystals`)::

    R_d = 3.6e6 * k_d(pH) * phi_d * (1 - S_gu)^n_d * A     [mmol HAP / L tissue / h],  S_gu < 1
    k_d = 10^(log k_neutral) + 10^(log k_acid) * a_H^n_H    [mol / m2 / s]
    phi_d = 1 / (1 + PPi/K_ppi)

* The rate constant is the far-from-equilibrium dissolution rate of hydroxyapatite as a neutral
  and an acid (proton-promoted) mechanism, log k = -6.00 and -4.29 mol m-2 s-1 with order
  0.171 in a_H (Palandri & Kharaka 2004, USGS Open-File Report 2004-1068, table of apatite
  rates; 25 degC). Their activation energy for apatite is a placeholder, so no temperature
  correction is applied: the 37 degC rate is taken equal to the 25 degC one (stated reason).
* The affinity term ``(1 - S_gu)^n_d`` with ``S_gu = (IAP/Ksp)^(1/nu)`` the saturation per growth
  unit and ``n_d ~ 2``: constant-composition dissolution of carbonated apatite has an
  effective order of 1.9 +/- 0.1 in the relative undersaturation (Tang, Henneman & Nancollas
  2003, J Cryst Growth, doi:10.1016/S0022-0248(02)02332-1); HAP dissolution near neutral pH is
  controlled by surface processes, not by transport in the solution (Christoffersen 1980,
  J Cryst Growth 49:29).
* ``phi_d``: adsorbed pyrophosphate (and bisphosphonates) slow HAP dissolution as they slow
  growth (Fleisch, Russell & Francis 1969, Science 165:1262), modelled as the same Langmuir
  site blocking with the growth half-maximum ``ppi_growth_half_uM``. Mg and cMGP are not given a
  dissolution effect: no measurement was found (stated reason).

Far from equilibrium this rate is fast (at pH 7.4 a micrometre crystal dissolves within hours),
so dissolution in the wall is limited by how fast transport carries the ions away; the
reaction-transport process integrates it implicitly with that transport. Serum and
interstitial fluid are supersaturated for HAP, so passive dissolution acts only where the fluid
is undersaturated (low Ca or Pi, acid pH); mineral in supersaturated tissue is removed by cells
(:mod:`vcsim.processes.resorption`).
"""

from __future__ import annotations

import numpy as np

from vcsim.chemistry.crystals import MM_PER_H_PER_MOL_PER_L_PER_S

ArrayLike = float | np.ndarray


def dissolution_rate_constant(ph: ArrayLike, log_k_neutral: float, log_k_acid: float,
                              acid_order: float) -> ArrayLike:
    """``k_d = 10^log_k_neutral + 10^log_k_acid * a_H^acid_order`` (mol m-2 s-1), with
    ``a_H = 10^-pH`` (module docstring)."""
    return 10.0**log_k_neutral + 10.0 ** (log_k_acid - acid_order * np.asarray(ph, dtype=float))


def dissolution_rate(s_gu: ArrayLike, surface_m2_per_L: ArrayLike, k_d_mol_per_m2_s: ArrayLike,
                     order: float = 2.0, inhibitor_factor: ArrayLike = 1.0) -> np.ndarray:
    """``R_d = 3.6e6 k_d phi_d (1 - S_gu)^n_d A`` (mmol HAP / L tissue / h) where ``S_gu < 1``,
    else 0 (module docstring). Positive: mineral lost."""
    deficit = np.maximum(1.0 - np.asarray(s_gu, dtype=float), 0.0)
    return MM_PER_H_PER_MOL_PER_L_PER_S * np.asarray(k_d_mol_per_m2_s) * np.asarray(inhibitor_factor) * (
        deficit**order * np.asarray(surface_m2_per_L, dtype=float))


def dissolution_rate_slope(s_gu: ArrayLike, surface_m2_per_L: ArrayLike, k_d_mol_per_m2_s: ArrayLike,
                           order: float = 2.0, inhibitor_factor: ArrayLike = 1.0) -> np.ndarray:
    """``-dR_d/dS_gu = 3.6e6 k_d phi_d n_d (1 - S_gu)^(n_d - 1) A`` (>= 0; 0 where S_gu >= 1)."""
    deficit = np.maximum(1.0 - np.asarray(s_gu, dtype=float), 0.0)
    return (MM_PER_H_PER_MOL_PER_L_PER_S * order) * np.asarray(k_d_mol_per_m2_s) * np.asarray(inhibitor_factor) * (
        np.where(deficit > 0.0, deficit ** (order - 1.0), 0.0) * np.asarray(surface_m2_per_L, dtype=float))


def dissolution_inhibitor_factor(ppi_uM: ArrayLike, ppi_half_uM: float) -> np.ndarray:
    """``phi_d = 1 / (1 + PPi/K_ppi)`` (module docstring)."""
    return 1.0 / (1.0 + np.maximum(ppi_uM, 0.0) / ppi_half_uM)


__all__ = ["dissolution_inhibitor_factor", "dissolution_rate", "dissolution_rate_constant",
           "dissolution_rate_slope"]
