"""The hydroxyapatite crystals of a site: how much surface they offer to the fluid.

Growth and dissolution are surface reactions, so both rate laws (:mod:`vcsim.chemistry.growth`,
:mod:`vcsim.chemistry.dissolution`) are written per square metre of crystal surface and use the
one surface computed here.

A site holds ``N`` nuclei (stable crystals) and ``M`` mmol of HAP formula units per litre of
tissue. The crystals are taken as ``N`` equal spheres that share the mineral, each a fresh
nucleus counting as one seed ``m_seed`` (so a nucleus that has not grown yet has the surface of
its seed; the seed's own amount is not in ``M``, whose calcium and phosphate came from the
fluid). Per litre of tissue::

    V_min = (M + N m_seed) * 1e-3 * N_A * v_f                    [m3 of mineral / L tissue]
    A     = (36 pi)^(1/3) * (N / V_site)^(1/3) * V_min^(2/3)      [m2 / L tissue]

with ``v_f`` the volume of one formula unit (``hap_formula_volume_m3``), ``N_A`` Avogadro's
constant and ``V_site`` the site's tissue volume (L). The second line is the area of ``n`` equal
spheres of total volume ``V``: ``n^(1/3) (36 pi)^(1/3) V^(2/3)``. Real deposits are aggregates
of plates and needles with more surface than spheres; the rate constants absorb that shape
factor, and the surface keeps its scaling with amount (2/3) and with crystal number (1/3).
"""

from __future__ import annotations

import math

import numpy as np

ArrayLike = float | np.ndarray

#: Avogadro constant (1/mol), exact (SI 2019)
AVOGADRO_PER_MOL = 6.02214076e23
#: (36 pi)^(1/3): surface of a unit-volume sphere (m2 per m3^(2/3))
SPHERE_SURFACE_FACTOR = (36.0 * math.pi) ** (1.0 / 3.0)
#: mol/(L s) -> mmol/(L h)
MM_PER_H_PER_MOL_PER_L_PER_S = 1.0e3 * 3600.0


def seed_amount_mM(seed_amol: float, site_volume_L: ArrayLike) -> ArrayLike:
    """HAP of one seed per litre of tissue (mM): ``amol * 1e-18 mol / V_site * 1e3``."""
    return seed_amol * 1e-15 / site_volume_L


def surface_coefficient(nuclei: ArrayLike, site_volume_L: ArrayLike, formula_volume_m3: float) -> np.ndarray:
    """``C = (36 pi)^(1/3) (N/V_site)^(1/3) (1e-3 N_A v_f)^(2/3)`` (m2/L per mM^(2/3)): the
    crystal surface is ``A = C X^(2/3)`` with ``X = M + N m_seed`` (module docstring)."""
    n = np.maximum(np.asarray(nuclei, dtype=float), 0.0)
    return SPHERE_SURFACE_FACTOR * np.cbrt(n / site_volume_L) * np.cbrt(
        1e-3 * AVOGADRO_PER_MOL * formula_volume_m3) ** 2


def crystal_surface_m2_per_L(mineral_mM: ArrayLike, nuclei: ArrayLike, seed_mM: ArrayLike,
                             site_volume_L: ArrayLike, formula_volume_m3: float) -> np.ndarray:
    """Crystal surface per litre of tissue (m2/L), module docstring: ``(36 pi)^(1/3)
    (N/V_site)^(1/3) V_min^(2/3)``, ``V_min = (M + N m_seed) 1e-3 N_A v_f``. Zero where N = 0."""
    n = np.maximum(np.asarray(nuclei, dtype=float), 0.0)
    x = np.maximum(np.asarray(mineral_mM, dtype=float), 0.0) + n * seed_mM
    return surface_coefficient(n, site_volume_L, formula_volume_m3) * np.cbrt(x) ** 2


def mineral_capacity_mM(max_volume_fraction: float, formula_volume_m3: float) -> float:
    """The most HAP a litre of tissue can hold, ``X_max = f_max / (1e-3 N_A v_f) / 1e3``
    (mmol HAP per L tissue): mineral filling the volume fraction ``f_max`` of the tissue
    (``mineral_max_volume_fraction``; 0.45 gives ~1400 mM, ~56 g Ca per L, bone-like)."""
    return max_volume_fraction / (1e-3 * AVOGADRO_PER_MOL * formula_volume_m3 * 1e3)


__all__ = ["AVOGADRO_PER_MOL", "MM_PER_H_PER_MOL_PER_L_PER_S", "crystal_surface_m2_per_L",
           "mineral_capacity_mM", "seed_amount_mM", "surface_coefficient"]
