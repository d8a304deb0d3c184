"""The state of the systemic mineral model: named pools, hormones and the mass ledger.

:class:`MineralState` is a flat record of plain floats (JSON-able) with units in every name.
Three kinds of entries:

- **Pools** of Ca, Pi and Mg in mmol. The extracellular fluid (ECF) pool holds every form in
  plasma and interstitial fluid (ionised, complexed and, in plasma only, albumin-bound); serum
  concentrations are derived from it by :mod:`vcsim.systemic.plasma`. Exchangeable bone
  surface, deep (mineralised) bone, soft-tissue and intestinal-lumen pools make the mass
  balance closed. Calciprotein particles (CPP) carry mineral Ca (and Pi at a fixed ratio).
- **Hormones, proteins, activities**: PTH (pg/mL, intact PTH 1-84), FGF23 (pg/mL, intact
  FGF23), calcitriol (pmol/L), fetuin-A (g/L), plasma PPi (uM), bicarbonate (mM), parathyroid
  secretory capacity and osteoclast / osteoblast activity (dimensionless, 1 = normal adult).
- **Ledger** (cumulative mmol since the state was created): intake, faecal loss, urine,
  dialysis removal (net; negative when the dialysate loads the patient) and vascular-wall uptake
  for each of Ca, Pi, Mg. With them, ``body now - body at start = intake - outputs`` holds to
  round-off (:func:`mass_balance_error`).

The integrator works on a numpy vector in the order of :data:`FIELDS`; the first
:data:`N_DYNAMIC` entries are the dynamic variables, the rest the ledger.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

import numpy as np

from vcsim.params import ParameterError


@dataclass
class MineralState:
    """One time point of the systemic mineral model (see the module docstring for units)."""

    # calcium pools
    ecf_calcium_mmol: float
    bone_exchangeable_calcium_mmol: float
    bone_calcium_mmol: float
    gut_calcium_mmol: float
    # phosphate pools
    ecf_phosphate_mmol: float
    tissue_phosphate_mmol: float
    bone_phosphate_mmol: float
    gut_phosphate_mmol: float
    # magnesium pools
    ecf_magnesium_mmol: float
    tissue_magnesium_mmol: float
    bone_exchangeable_magnesium_mmol: float
    bone_magnesium_mmol: float
    gut_magnesium_mmol: float
    # calciprotein particles (mineral calcium they carry; Pi at cpp_phosphate_to_calcium_ratio)
    cpp_primary_calcium_mmol: float
    cpp_secondary_calcium_mmol: float
    # hormones, proteins, acid-base, cell activities
    pth_pg_per_mL: float
    parathyroid_capacity_factor: float
    fgf23_pg_per_mL: float
    calcitriol_pmol_per_L: float
    fetuin_a_g_per_L: float
    ppi_uM: float
    bicarbonate_mM: float
    osteoclast_activity_factor: float
    osteoblast_activity_factor: float
    # ledger: cumulative mmol since the state was created
    calcium_intake_mmol: float = 0.0
    calcium_faecal_mmol: float = 0.0
    calcium_urine_mmol: float = 0.0
    calcium_dialysis_mmol: float = 0.0
    calcium_wall_mmol: float = 0.0
    phosphate_intake_mmol: float = 0.0
    phosphate_faecal_mmol: float = 0.0
    phosphate_urine_mmol: float = 0.0
    phosphate_dialysis_mmol: float = 0.0
    phosphate_wall_mmol: float = 0.0
    magnesium_intake_mmol: float = 0.0
    magnesium_faecal_mmol: float = 0.0
    magnesium_urine_mmol: float = 0.0
    magnesium_dialysis_mmol: float = 0.0
    magnesium_wall_mmol: float = 0.0

    def to_dict(self) -> dict[str, float]:
        """Plain floats keyed by field name (JSON-able); :meth:`from_dict` restores it exactly."""
        return {k: float(v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, float]) -> MineralState:
        """Rebuild a state from :meth:`to_dict` output; a missing, unknown or non-finite entry
        is a one-line :class:`~vcsim.params.ParameterError`."""
        names = set(FIELDS)
        unknown = sorted(set(data) - names)
        if unknown:
            raise ParameterError(f"mineral state: unknown entry '{unknown[0]}'")
        missing = [n for n in FIELDS[:N_DYNAMIC] if n not in data]
        if missing:
            raise ParameterError(f"mineral state: missing entry '{missing[0]}'")
        values = {}
        for k, v in data.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ParameterError(f"mineral state: entry '{k}' = {v!r} is not a finite number")
            values[k] = float(v)
        return cls(**values)

    def to_array(self) -> np.ndarray:
        return np.array([getattr(self, n) for n in FIELDS], dtype=float)

    @classmethod
    def from_array(cls, y: np.ndarray) -> MineralState:
        return cls(**{n: float(v) for n, v in zip(FIELDS, y, strict=True)})


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(MineralState))
INDEX: dict[str, int] = {n: i for i, n in enumerate(FIELDS)}
N_DYNAMIC: int = FIELDS.index("calcium_intake_mmol")

# Which dynamic entries hold each element (the CPP pools also carry Pi, weighted in totals()).
CALCIUM_POOLS = (
    "ecf_calcium_mmol",
    "bone_exchangeable_calcium_mmol",
    "bone_calcium_mmol",
    "gut_calcium_mmol",
    "cpp_primary_calcium_mmol",
    "cpp_secondary_calcium_mmol",
)
PHOSPHATE_POOLS = (
    "ecf_phosphate_mmol",
    "tissue_phosphate_mmol",
    "bone_phosphate_mmol",
    "gut_phosphate_mmol",
)
MAGNESIUM_POOLS = (
    "ecf_magnesium_mmol",
    "tissue_magnesium_mmol",
    "bone_exchangeable_magnesium_mmol",
    "bone_magnesium_mmol",
    "gut_magnesium_mmol",
)
# Deep bone changes over years; steady_state() holds it fixed (see mineral_metabolism).
DEEP_BONE = ("bone_calcium_mmol", "bone_phosphate_mmol", "bone_magnesium_mmol")

ELEMENTS = ("calcium", "phosphate", "magnesium")
LEDGER_OUTPUTS = ("faecal", "urine", "dialysis", "wall")


def body_totals(state: MineralState, cpp_phosphate_to_calcium_ratio: float) -> dict[str, float]:
    """Total Ca, Pi and Mg (mmol) held in all pools, including the intestinal lumen and CPP."""
    cpp = state.cpp_primary_calcium_mmol + state.cpp_secondary_calcium_mmol
    return {
        "calcium": sum(getattr(state, n) for n in CALCIUM_POOLS),
        "phosphate": sum(getattr(state, n) for n in PHOSPHATE_POOLS)
        + cpp_phosphate_to_calcium_ratio * cpp,
        "magnesium": sum(getattr(state, n) for n in MAGNESIUM_POOLS),
    }


def mass_balance_error(
    start: MineralState, end: MineralState, cpp_phosphate_to_calcium_ratio: float
) -> dict[str, float]:
    """Relative mass-balance residual per element between two states of one run.

    ``residual = (body_end - body_start) - (intake - faecal - urine - dialysis - wall)``,
    with the ledger differences taken between the two states, divided by the body total at the
    start. Zero to round-off for any run of :func:`vcsim.systemic.advance`.
    """
    b0 = body_totals(start, cpp_phosphate_to_calcium_ratio)
    b1 = body_totals(end, cpp_phosphate_to_calcium_ratio)
    out = {}
    for el in ELEMENTS:

        def led(s: MineralState, what: str, el: str = el) -> float:
            return getattr(s, f"{el}_{what}_mmol")

        net_in = led(end, "intake") - led(start, "intake")
        net_out = sum(led(end, w) - led(start, w) for w in LEDGER_OUTPUTS)
        out[el] = ((b1[el] - b0[el]) - (net_in - net_out)) / b0[el]
    return out
