"""The calcium phosphate solids: formula units, ion activity products, solubility products.

Every stoichiometric factor of the package comes from here: hydroxyapatite
Ca10(PO4)6(OH)2 holds :data:`HAP_CALCIUM` = 10 Ca and :data:`HAP_PHOSPHATE` = 6 P per formula
unit (Ca:P = 5:3), and pyrophosphate holds :data:`PPI_PHOSPHORUS` = 2 P.

Each ion activity product is the one its solubility product was defined with (activities in
mol/L, water activity 1); ``nu`` is the number of ions in it:

======== ==================== ================================ ==== =========================
phase    formula unit         IAP                              nu   pKsp 25 / 37 C, source
======== ==================== ================================ ==== =========================
HAP      Ca10(PO4)6(OH)2      a_Ca^10 a_PO4^6 a_OH^2           18   116.8 / 117.2, McDowell,
                                                                    Gregory & Brown 1977
OCP      Ca8H2(PO4)6.5H2O     a_Ca^8 a_H^2 a_PO4^6             16   96.6 / 95.9, Tung,
                                                                    Eidelman, Sieck & Brown
                                                                    1988 (their Ca4H(PO4)3,
                                                                    a_Ca^4 a_H a_PO4^3: 48.3 /
                                                                    47.95, doubled)
brushite CaHPO4.2H2O          a_Ca a_HPO4                      2    6.59 / 6.63, Gregory,
                                                                    Moreno & Brown 1970
ACP      Ca3(PO4)2            a_Ca^3 a_PO4^2                   5    25.7 / 25.7, Christoffersen
                                                                    et al. 1990
======== ==================== ================================ ==== =========================

The doubled constants are tabulated by Dorozhkin 2009 (Materials 2:399, table 1) "for the
given formulae", i.e. OCP as Ca8H2(PO4)6. ``a_H = 10**-pH`` is an input of the speciation,
as ``a_OH = Kw / a_H`` is for HAP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from vcsim.params.chemistry import PARAMS as _CHEM_PARAMS

ArrayLike = float | np.ndarray

KELVIN = 273.15
T25_K = 298.15


@dataclass(frozen=True)
class Phase:
    """A calcium phosphate solid: its ion activity product and solubility product.

    ``IAP = prod_i a_i^n_i`` over free-ion activities (mol/L) in ``stoichiometry``, the
    ions of the dissolution reaction the Ksp source defines (H+ for OCP, OH- for HAP);
    ``nu = sum n_i`` is the number of ions per formula unit (water not counted): 18 for HAP,
    16 for OCP, 2 for brushite, 5 for ACP. ``Ksp`` is in (mol/L)^nu.
    ``log10 Ksp(T)`` is interpolated linearly in 1/T between the values at 25 and 37 C
    (van 't Hoff with the enthalpy those two values imply).
    """

    name: str
    formula: str
    stoichiometry: tuple[tuple[str, int], ...]
    pksp_25c: float
    pksp_37c: float
    source: str

    @property
    def nu(self) -> int:
        """Ions per formula unit in the IAP, ``sum n_i`` (the exponent of S per growth unit)."""
        return sum(n for _, n in self.stoichiometry)

    def count(self, species: str) -> int:
        """Ions of ``species`` per formula unit (0 if none)."""
        return sum(n for s, n in self.stoichiometry if s == species)

    def log_ksp(self, temperature_c: ArrayLike) -> ArrayLike:
        """``log10 Ksp(T)`` (Ksp in (mol/L)^nu), linear in 1/T through the 25 and 37 C values:
        ``log Ksp = -(pK25 + w (pK37 - pK25))``, ``w = (1/T - 1/298.15) / (1/310.15 - 1/298.15)``
        (T in K; van 't Hoff with a constant enthalpy)."""
        inv_t = 1.0 / (np.asarray(temperature_c, dtype=float) + KELVIN)
        inv25, inv37 = 1.0 / T25_K, 1.0 / (37.0 + KELVIN)
        w = (inv_t - inv25) / (inv37 - inv25)
        out = -(self.pksp_25c + w * (self.pksp_37c - self.pksp_25c))
        return out if np.ndim(out) else float(out)


_P = {p.name: p for p in _CHEM_PARAMS}
_KEYS = {"HAP": "hap", "OCP": "ocp", "brushite": "brushite", "ACP": "acp"}
_TABLE = {
    "HAP": ("Ca10(PO4)6(OH)2", (("Ca+2", 10), ("PO4-3", 6), ("OH-", 2))),
    # Tung et al. 1988 define Ksp for Ca4H(PO4)3.2.5H2O as a_Ca^4 a_H a_PO4^3; the tabulated
    # 96.6 / 95.9 (Dorozhkin 2009, table 1) are for the doubled formula, so the IAP must hold
    # H+ and PO4-3 (not HPO4-2: that would shift SI by 2 pKa3 = 24.5 at 37 C).
    "OCP": ("Ca8H2(PO4)6.5H2O", (("Ca+2", 8), ("H+", 2), ("PO4-3", 6))),
    "brushite": ("CaHPO4.2H2O", (("Ca+2", 1), ("HPO4-2", 1))),
    "ACP": ("Ca3(PO4)2 (amorphous, hydrated)", (("Ca+2", 3), ("PO4-3", 2))),
}


def phases_from(values: Mapping[str, float] | None = None) -> dict[str, Phase]:
    """The phase table, with ``<phase>_pksp_25c`` / ``_37c`` taken from ``values`` (e.g. a
    :class:`vcsim.params.Parameters`) when present, else the defaults of
    :mod:`vcsim.params.chemistry`."""
    out = {}
    for name, (formula, stoich) in _TABLE.items():
        key = _KEYS[name]
        p25, p37 = _P[f"{key}_pksp_25c"], _P[f"{key}_pksp_37c"]
        v25 = float(p25.default) if values is None else float(values.get(f"{key}_pksp_25c", p25.default))
        v37 = float(p37.default) if values is None else float(values.get(f"{key}_pksp_37c", p37.default))
        out[name] = Phase(name, formula, stoich, v25, v37, p37.source)
    return out


PHASES: dict[str, Phase] = phases_from()

HAP = PHASES["HAP"]
#: Ca and P per HAP formula unit Ca10(PO4)6(OH)2
HAP_CALCIUM = HAP.count("Ca+2")
HAP_PHOSPHATE = HAP.count("PO4-3")
#: P per pyrophosphate (P2O7 4-); PPi is held in uM, Pi in mM: 1 uM PPi = 2e-3 mM P
PPI_PHOSPHORUS = 2
#: g/mol of calcium (IUPAC 2021 standard atomic weight)
CALCIUM_MOLAR_MASS_G_PER_MOL = 40.078


def phosphorus_mM(phosphate_mM: ArrayLike, pyrophosphate_uM: ArrayLike) -> ArrayLike:
    """Dissolved phosphorus (mM of P): ``Pi + 2 PPi / 1000``."""
    return phosphate_mM + PPI_PHOSPHORUS * 1e-3 * pyrophosphate_uM
