"""TNAP hydrolysis of pyrophosphate in the pore fluid, PPi + H2O -> 2 Pi.

Michaelis-Menten kinetics::

    h = Vmax * P / (Km + P)           [uM PPi / h]      (P = PPi in uM)
    dh/dP = Vmax * Km / (Km + P)^2

Vmax is the ``tnap_activity_uM_per_h`` field (TNAP on cells and vesicles at the site, per litre
of pore fluid); Km is ``tnap_km_ppi_uM`` (Ciancaglini et al. 2010, J Biol Chem 285:7598; Simao
et al. 2013). Each PPi hydrolysed gives 2 Pi; PPi is held in uM and Pi in mM, so the phosphate
gained is ``2 h / 1000`` mM per hour. The reaction-transport process
(:mod:`vcsim.processes.reaction_transport`) integrates ``h`` implicitly together with the
cells' PPi production and transport.
"""

from __future__ import annotations

import numpy as np

ArrayLike = float | np.ndarray


def tnap_rate(ppi_uM: ArrayLike, vmax_uM_per_h: ArrayLike, km_uM: float) -> np.ndarray:
    """``h = Vmax P / (Km + P)`` (uM/h), 0 for P <= 0 or Vmax <= 0."""
    p = np.maximum(np.asarray(ppi_uM, dtype=float), 0.0)
    return np.maximum(np.asarray(vmax_uM_per_h, dtype=float), 0.0) * p / (km_uM + p)


def tnap_rate_slope(ppi_uM: ArrayLike, vmax_uM_per_h: ArrayLike, km_uM: float) -> np.ndarray:
    """``dh/dP = Vmax Km / (Km + P)^2`` (1/h)."""
    p = np.maximum(np.asarray(ppi_uM, dtype=float), 0.0)
    return np.maximum(np.asarray(vmax_uM_per_h, dtype=float), 0.0) * km_uM / (km_uM + p) ** 2


__all__ = ["tnap_rate", "tnap_rate_slope"]
