"""The aqueous equilibria of calcium-magnesium-phosphate speciation, and activity coefficients.

Constants (log10 K at 25 C, I = 0; reaction enthalpy) are those of the PHREEQC database
``phreeqc.dat`` (Parkhurst & Appelo 2013, USGS TM 6-A43), which takes them from WATEQ4F
(Ball & Nordstrom 1991): phosphoric acid from NIST 46 / Martell & Smith critical constants,
the calcium phosphate pairs from Chughtai, Marshall & Nancollas 1968 (J Phys Chem 72:208),
the magnesium pairs from Childs 1970 (Inorg Chem 9:2465) and Martell & Smith, ``NaHPO4-`` from
Martell & Smith (no enthalpy given: taken as 0). Temperature dependence by van 't Hoff with a
constant reaction enthalpy; Kw from phreeqc.dat's analytic expression. Activity coefficients by
the Davies equation with ``A(T)`` from the density and permittivity of water.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ArrayLike = float | np.ndarray

R_J_PER_MOL_K = 8.314462618
LN10 = math.log(10.0)
T25_K = 298.15
KELVIN = 273.15


@dataclass(frozen=True)
class Equilibrium:
    """One aqueous equilibrium: ``log10 K`` at 25 C and I = 0, and its enthalpy (kJ/mol)."""

    log_k_25c: float
    delta_h_kj_per_mol: float
    reaction: str
    source: str

    def log_k(self, temperature_c: ArrayLike) -> ArrayLike:
        """van 't Hoff: ``log10 K(T) = log10 K25 - dH/(R ln10) (1/T - 1/298.15)``."""
        t_k = np.asarray(temperature_c, dtype=float) + KELVIN
        out = self.log_k_25c - self.delta_h_kj_per_mol * 1e3 / (R_J_PER_MOL_K * LN10) * (
            1.0 / t_k - 1.0 / T25_K
        )
        return out if np.ndim(out) else float(out)


_KCAL = 4.184
_PHREEQC = "phreeqc.dat (Parkhurst & Appelo 2013) from WATEQ4F (Ball & Nordstrom 1991)"

#: Aqueous equilibria (dissociation constants for the acids, association for the pairs).
EQUILIBRIA: dict[str, Equilibrium] = {
    # acid dissociation, from phreeqc.dat's formation reactions of PO4-3 with n H+:
    # log K = 12.346 (HPO4-2), 19.553 (H2PO4-), 21.721 (H3PO4) and dH = -3.53 kcal,
    # -4.52 kcal, -10.1 kJ. A dissociation is the formation of the product minus that of the
    # reactant: H2PO4- = H+ + HPO4-2 has log K = -(19.553 - 12.346) and
    # dH = -3.53 - (-4.52) = +0.99 kcal; H3PO4 = H+ + H2PO4- has log K = -(21.721 - 19.553)
    # and dH = -4.52 kcal - (-10.1 kJ) = -8.81 kJ/mol (pKa1 2.168 at 25 C, 2.228 at 37 C).
    "Ka1": Equilibrium(-(21.721 - 19.553), 10.1 - 4.52 * _KCAL, "H3PO4 = H+ + H2PO4-",
                       _PHREEQC + "; NIST 46 (Martell & Smith critical constants)"),
    "Ka2": Equilibrium(-(19.553 - 12.346), (4.52 - 3.53) * _KCAL, "H2PO4- = H+ + HPO4-2",
                       _PHREEQC + "; NIST 46"),
    "Ka3": Equilibrium(-12.346, 3.53 * _KCAL, "HPO4-2 = H+ + PO4-3", _PHREEQC + "; NIST 46"),
    "CaHPO4": Equilibrium(2.739, 3.3 * _KCAL, "Ca+2 + HPO4-2 = CaHPO4",
                          _PHREEQC + "; Chughtai, Marshall & Nancollas 1968"),
    "CaH2PO4+": Equilibrium(1.408, 3.4 * _KCAL, "Ca+2 + H2PO4- = CaH2PO4+",
                            _PHREEQC + "; Chughtai, Marshall & Nancollas 1968"),
    "CaPO4-": Equilibrium(6.459, 3.1 * _KCAL, "Ca+2 + PO4-3 = CaPO4-",
                          _PHREEQC + "; Chughtai, Marshall & Nancollas 1968"),
    "MgHPO4": Equilibrium(2.87, 3.3 * _KCAL, "Mg+2 + HPO4-2 = MgHPO4", _PHREEQC + "; Childs 1970"),
    "MgH2PO4+": Equilibrium(1.513, 3.4 * _KCAL, "Mg+2 + H2PO4- = MgH2PO4+",
                            _PHREEQC + "; Childs 1970"),
    "MgPO4-": Equilibrium(6.589, 3.1 * _KCAL, "Mg+2 + PO4-3 = MgPO4-", _PHREEQC + "; Childs 1970"),
    "NaHPO4-": Equilibrium(0.29, 0.0, "Na+ + HPO4-2 = NaHPO4-",
                           _PHREEQC + "; Martell & Smith (no enthalpy: 0 assumed)"),
}

#: Charge of every species reported by :func:`speciate`.
CHARGES: dict[str, int] = {
    "Ca+2": 2, "Mg+2": 2, "Na+": 1, "Cl-": -1, "H+": 1, "OH-": -1,
    "H3PO4": 0, "H2PO4-": -1, "HPO4-2": -2, "PO4-3": -3,
    "CaHPO4": 0, "CaH2PO4+": 1, "CaPO4-": -1,
    "MgHPO4": 0, "MgH2PO4+": 1, "MgPO4-": -1, "NaHPO4-": -1,
    "counter+": 1, "counter-": -1,
}


def log_kw(temperature_c: ArrayLike) -> ArrayLike:
    """log10 Kw of water (mol^2/L^2), phreeqc.dat analytic expression, valid 0-300 C:

    ``log Kw = 293.29227 + 0.1360833 T - 10576.913/T - 123.73158 log10 T - 6.996455e-5 T^2``
    (T in K). Gives 13.995 at 25 C and 13.62 at 37 C.
    """
    t = np.asarray(temperature_c, dtype=float) + KELVIN
    out = 293.29227 + 0.1360833 * t - 10576.913 / t - 123.73158 * np.log10(t) - 6.996455e-5 * t * t
    return out if np.ndim(out) else float(out)


def water_dielectric_constant(temperature_c: ArrayLike) -> ArrayLike:
    """Relative permittivity of water, Malmberg & Maryott 1956 (J Res NBS 56:1), 0-100 C:

    ``eps = 87.740 - 0.40008 t + 9.398e-4 t^2 - 1.410e-6 t^3`` (t in C); 78.30 at 25 C.
    """
    t = np.asarray(temperature_c, dtype=float)
    return 87.740 - 0.40008 * t + 9.398e-4 * t**2 - 1.410e-6 * t**3


def water_density_g_per_cm3(temperature_c: ArrayLike) -> ArrayLike:
    """Density of pure water (Thiesen formula, 0-40 C to 1e-5 and 0-100 C to ~1e-4):

    ``rho = 1 - (t - 3.9863)^2 (t + 288.9414) / (508929.2 (t + 68.12963))`` g/cm3.
    """
    t = np.asarray(temperature_c, dtype=float)
    return 1.0 - (t - 3.9863) ** 2 * (t + 288.9414) / (508929.2 * (t + 68.12963))


def davies_a(temperature_c: ArrayLike) -> ArrayLike:
    """Debye-Hueckel A (log10 units, (L/mol)^0.5) for water at temperature ``t`` (C):

    ``A = 1.82483e6 sqrt(rho_w) / (eps_r T)^1.5``; 0.5109 at 25 C, 0.5215 at 37 C
    (Robinson & Stokes 1959, Electrolyte Solutions, appendix 7.1).
    """
    t_k = np.asarray(temperature_c, dtype=float) + KELVIN
    out = 1.82483e6 * np.sqrt(water_density_g_per_cm3(temperature_c)) / (
        water_dielectric_constant(temperature_c) * t_k
    ) ** 1.5
    return out if np.ndim(out) else float(out)


def davies_log_gamma(charge: int, ionic_strength: ArrayLike, temperature_c: ArrayLike = 37.0) -> ArrayLike:
    """Davies equation, ``log10 gamma = -A(T) z^2 (sqrt(I)/(1 + sqrt(I)) - 0.3 I)``.

    ``I`` in mol/L; reliable to I ~ 0.5 M (Davies 1962, Ion Association).
    """
    s = np.sqrt(np.asarray(ionic_strength, dtype=float))
    return -davies_a(temperature_c) * charge**2 * (s / (1.0 + s) - 0.3 * s * s)


# ---------------------------------------------------------------------------------- result
