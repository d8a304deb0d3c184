"""TNAP hydrolysis of pyrophosphate, PPi + H2O -> 2 Pi, integrated exactly over a step.

Michaelis-Menten kinetics in the pore fluid::

    dP/dt = -Vmax P / (Km + P)        (P = PPi in uM, Vmax in uM/h, Km in uM)

has the exact solution (integrate ``(Km/P + 1) dP = -Vmax dt``)::

    Km ln(P/P0) + P - P0 = -Vmax t   =>   P(t) = Km W((P0/Km) exp((P0 - Vmax t)/Km))

with W the Lambert W function. To avoid overflow of the exponential it is evaluated as
``P = Km * omega(ln(P0/Km) + (P0 - Vmax t)/Km)`` with the Wright omega function
``omega(z) = W(e^z)`` (scipy.special.wrightomega), which is finite for every real z. The
result lies in [0, P0] (never negative). Each PPi hydrolysed gives 2 Pi; PPi is in uM and
Pi in mM, so ``dPi_mM = 2 (P0 - P) / 1000``.

Vmax is the ``tnap_activity_uM_per_h`` field (TNAP on cells and vesicles at the site, per
litre of pore fluid); Km is ``tnap_km_ppi_uM`` (Millan 2013, Calcif Tissue Int 93:299;
Simao et al. 2013).
"""

from __future__ import annotations

import numpy as np
from scipy.special import wrightomega

ArrayLike = float | np.ndarray


def ppi_after_hydrolysis(ppi_uM: ArrayLike, vmax_uM_per_h: ArrayLike, km_uM: float,
                         dt_h: float) -> np.ndarray:
    """PPi (uM) after ``dt_h`` hours of Michaelis-Menten hydrolysis (exact, see module doc)."""
    p0 = np.maximum(np.asarray(ppi_uM, dtype=float), 0.0)
    v = np.maximum(np.asarray(vmax_uM_per_h, dtype=float), 0.0)
    p0, v = np.broadcast_arrays(p0, v)
    out = p0.copy()
    act = (p0 > 0.0) & (v > 0.0)
    if np.any(act):
        pa = p0[act]
        z = (np.log(pa) - np.log(km_uM)) + (pa - v[act] * dt_h) / km_uM
        p = km_uM * np.real(wrightomega(z))
        out[act] = np.clip(p, 0.0, pa)
    return out


def hydrolyse(ppi_uM: np.ndarray, phosphate_mM: np.ndarray, vmax_uM_per_h: ArrayLike,
              km_uM: float, dt_h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One TNAP step: returns ``(ppi_uM, phosphate_mM, hydrolysed_uM)`` (new arrays).

    Phosphorus is conserved exactly: ``Pi + 2 PPi/1000`` (mM of P) is unchanged.
    """
    ppi = np.asarray(ppi_uM, dtype=float)
    new_ppi = ppi_after_hydrolysis(ppi, vmax_uM_per_h, km_uM, dt_h)
    hydrolysed = ppi - new_ppi
    return new_ppi, np.asarray(phosphate_mM, dtype=float) + 2.0 * hydrolysed / 1000.0, hydrolysed
