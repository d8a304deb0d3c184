"""What cells release into their site each step: matrix vesicles (with their inhibitor loading),
apoptotic bodies, PPi (ENPP1), TNAP activity and MGP (carboxylated and not).

Conversions (site geometry from the ``simulation`` parameters; defaults in brackets):

- pore volume ``V_pore = spacing^2 * depth * 1e-15 L/um^3 * porosity`` [10 x 10 x 10 um,
  0.3 -> 3e-13 L]. A cell making PPi at ``q`` amol/h adds ``q * dt * 1e-18 mol / V_pore`` to
  its site's pore fluid: 1 amol in 3e-13 L = 3.33 uM.
- MGP is deposited per litre of *tissue* (site volume ``spacing^2 * depth``), in nM.
- TNAP is given as the Vmax (uM PPi per hour in the site's pore fluid) of the enzyme on the
  cell and on the matrix vesicles it sheds into its own site (lumped).
- Matrix vesicles are counted: a Poisson number with mean ``rate * dt`` (rate from the rules
  table's ``vesicle_release``: phenotype base, raised by ER stress through PERK (Furmanik et
  al. 2021, ATVB 41:898: ER stress -> SMPD3-dependent vesicle release) and by high Ca, lowered
  by autophagy), drawn with one uniform keyed by (seed, step, site, VESICLE).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from vcsim.cells.signals import fvalue
from vcsim.cells.state import Phenotype
from vcsim.rng import Purpose, uniform


@dataclass(init=False, eq=False)
class CellRelease:
    """Per-site releases of one step (float64 arrays of ``n_sites``); the model zeroes them."""

    vesicles_count: np.ndarray
    vesicle_inhibition_fraction: np.ndarray
    apoptotic_bodies_count: np.ndarray
    ppi_release_uM: np.ndarray
    tnap_activity_uM_per_h: np.ndarray
    cmgp_release_nM: np.ndarray
    ucmgp_release_nM: np.ndarray

    def __init__(self, n_sites: int | None = None, **arrays: np.ndarray):
        names = [f.name for f in fields(CellRelease)]
        if arrays:
            for name in names:
                setattr(self, name, np.asarray(arrays[name], dtype=np.float64))
        else:
            if n_sites is None:
                raise TypeError("CellRelease needs n_sites or all arrays")
            for name in names:
                setattr(self, name, np.zeros(int(n_sites), dtype=np.float64))

    def zero(self) -> None:
        for f in fields(self):
            getattr(self, f.name)[:] = 0.0

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def pore_volume_L(params: Mapping[str, Any]) -> float:
    """Pore-fluid volume of one site (L): spacing^2 * depth (um^3) * 1e-15 * porosity."""
    return site_volume_L(params) * float(params["porosity_fraction"])


def site_volume_L(params: Mapping[str, Any]) -> float:
    """Tissue volume of one site (L): spacing^2 * depth (um^3) * 1e-15 L/um^3."""
    return float(params["site_spacing_um"]) ** 2 * float(params["site_depth_um"]) * 1e-15


def poisson_from_uniform(mean: np.ndarray, u: np.ndarray, k_max: int = 200) -> np.ndarray:
    """Poisson(mean) counts by inversion of the CDF with one uniform per cell.

    Exact for means well below ``k_max``; vectorised over cells (the loop is over counts).
    Each cell's count depends only on its own mean and uniform.
    """
    mean = np.maximum(np.asarray(mean, dtype=np.float64), 0.0)
    term = np.exp(-mean)
    cdf = term.copy()
    count = np.zeros(len(mean))
    active = u >= cdf
    k = 0
    while active.any() and k < k_max:
        k += 1
        term = term * mean / k
        cdf = cdf + term
        count = count + active
        active = active & (u >= cdf)
    return count


def vesicle_inhibition_fraction(rows: Mapping[str, np.ndarray], sig: Mapping[str, np.ndarray],
                                systemic: Mapping[str, Any], params: Mapping[str, Any],
                                osteogenic: np.ndarray | bool = False) -> np.ndarray:
    """Inhibitor loading of the vesicles a cell sheds (0 none, 1 fully inhibited).

    ``1 - (1 - L w_MGP cMGP_share) * (1 - L w_fetuin F/(F + K))``, where the cMGP share is the
    cell's carboxylated fraction times its MGP expression (0 in Mgp-/-) and the loading ``L``
    is 1 for contractile/autophagic cells and ``vesicle_osteogenic_loading_factor`` for
    osteogenic ones. Reynolds et al. 2004 (JASN): VSMC vesicles load fetuin-A and MGP, which
    inhibit their mineralisation; Kapustin et al. 2011 (Circ Res): stressed, osteogenic VSMCs
    shed vesicles depleted of both, which calcify.
    """
    mgp = 1.0 - fvalue("mgp_knockdown_fraction", systemic, params)
    loading = np.where(osteogenic, params["vesicle_osteogenic_loading_factor"], 1.0)
    cmgp_share = rows["mgp_carboxylated_fraction"] * mgp
    return 1.0 - (1.0 - loading * params["vesicle_mgp_inhibition_fraction"] * cmgp_share) * (
        1.0 - loading * params["vesicle_fetuin_inhibition_fraction"] * sig["fetuin_loading_fraction"])


def secrete(rows: Mapping[str, np.ndarray], phenotype: np.ndarray, died: np.ndarray,
            vesicle_rate_per_h: np.ndarray, sig: Mapping[str, np.ndarray], systemic: Mapping[str, Any],
            params: Mapping[str, Any], dt_h: float, seed: int, step: int, idx: np.ndarray) -> dict[str, np.ndarray]:
    """This step's releases by the cells at ``idx`` (after their phenotype update).

    ``phenotype`` is the new phenotype, ``died`` marks cells that became apoptotic this step
    (they shed their apoptotic bodies now, once). Apoptotic and empty sites make no PPi, MGP,
    TNAP or vesicles.
    """
    p = params
    viable = (phenotype == Phenotype.CONTRACTILE) | (phenotype == Phenotype.OSTEOGENIC) | (
        phenotype == Phenotype.AUTOPHAGIC)
    osteo = phenotype == Phenotype.OSTEOGENIC
    out: dict[str, np.ndarray] = {}

    u = uniform(seed, step, idx, Purpose.VESICLE)
    out["vesicles_count"] = np.where(viable, poisson_from_uniform(vesicle_rate_per_h * dt_h, u), 0.0)
    out["vesicle_inhibition_fraction"] = np.where(viable, vesicle_inhibition_fraction(rows, sig, systemic, p, osteo), 0.0)
    out["apoptotic_bodies_count"] = np.where(died, float(p["apoptotic_bodies_per_cell"]), 0.0)

    ppi_amol = p["enpp1_ppi_production_amol_per_h"] * rows["enpp1"] * dt_h
    out["ppi_release_uM"] = np.where(viable, ppi_amol * 1e-12 / pore_volume_L(p), 0.0)  # amol/L -> uM: 1e-18*1e6
    out["tnap_activity_uM_per_h"] = np.where(viable, p["tnap_vmax_uM_per_h"] * rows["tnap"], 0.0)

    mgp = p["mgp_secretion_nM_per_h"] * (1.0 + np.where(osteo, p["mgp_osteogenic_factor"], 0.0)) * (
        1.0 - fvalue("mgp_knockdown_fraction", systemic, p)) * dt_h
    mgp = np.where(viable, mgp, 0.0)
    carb = rows["mgp_carboxylated_fraction"]
    out["cmgp_release_nM"] = mgp * carb
    out["ucmgp_release_nM"] = mgp * (1.0 - carb)
    return out
