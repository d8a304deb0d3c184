"""The calcium phosphate solids: formula units, ion activity products, solubility products.

Every stoichiometric factor of the package comes from here: hydroxyapatite
Ca10(PO4)6(OH)2 holds :data:`HAP_CALCIUM` = 10 Ca and :data:`HAP_PHOSPHATE` = 6 P per formula
unit (Ca:P = 5:3), and pyrophosphate holds :data:`PPI_PHOSPHORUS` = 2 P.
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

    ``IAP = prod_i a_i^n_i`` over free-ion activities (mol/L) in ``stoichiometry``;
    ``nu = sum n_i`` is the number of ions per formula unit (water not counted).
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
        return sum(n for _, n in self.stoichiometry)

    def count(self, species: str) -> int:
        """Ions of ``species`` per formula unit (0 if none)."""
        return sum(n for s, n in self.stoichiometry if s == species)

    def log_ksp(self, temperature_c: ArrayLike) -> ArrayLike:
        inv_t = 1.0 / (np.asarray(temperature_c, dtype=float) + KELVIN)
        inv25, inv37 = 1.0 / T25_K, 1.0 / (37.0 + KELVIN)
        w = (inv_t - inv25) / (inv37 - inv25)
        out = -(self.pksp_25c + w * (self.pksp_37c - self.pksp_25c))
        return out if np.ndim(out) else float(out)


_P = {p.name: p for p in _CHEM_PARAMS}
_KEYS = {"HAP": "hap", "OCP": "ocp", "brushite": "brushite", "ACP": "acp"}
_TABLE = {
    "HAP": ("Ca10(PO4)6(OH)2", (("Ca+2", 10), ("PO4-3", 6), ("OH-", 2))),
    "OCP": ("Ca8(HPO4)2(PO4)4.5H2O", (("Ca+2", 8), ("HPO4-2", 2), ("PO4-3", 4))),
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
