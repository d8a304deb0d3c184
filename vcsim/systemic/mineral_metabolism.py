"""The systemic CKD-MBD model: coefficients, right-hand side and serum readout.

The right-hand side assembles the organ modules (:mod:`~vcsim.systemic.gut`,
:mod:`~vcsim.systemic.kidney`, :mod:`~vcsim.systemic.bone`, :mod:`~vcsim.systemic.parathyroid`,
:mod:`~vcsim.systemic.calciprotein`, :mod:`~vcsim.systemic.dialysis`) into mass balances, all
in mmol/h for pools and per hour for concentrations::

    dA_Ca/dt = abs - sec - U - D - W - to_exch + (resorption - formation) - CPP_form + CPP_clear
    dA_Pi/dt = abs - U - D - W - to_tissue + (res_P - form_P) - r (CPP_form - CPP_clear)
    dA_Mg/dt = iv + abs - sec - U - D - W - to_exch - to_tissue + (res_Mg - form_Mg)
    dG_X/dt  = intake + sec - abs - faecal (- bound for Pi)
    ... exchange, tissue and deep-bone pools get the opposite of the ECF exchange terms,
    ledger entries integrate intake, faecal, urine, dialysis and wall fluxes.

Every flux leaving a pool enters another pool or a ledger entry, so the column sums of the
right-hand side cancel exactly: the integrator conserves mass to round-off.

Which equations follow which source: the Ca-PTH-calcitriol skeleton (gut absorption induced by
calcitriol, PTH-stimulated renal Ca reabsorption and 1-alpha-hydroxylase, exchangeable and
remodelling bone, a slow parathyroid capacity) follows the structure of Peterson & Riggs 2010
(Bone 46:49) and its antecedent Raposo et al. 2002 (J Clin Endocrinol Metab 87:4330), written
anew in fewer, named compartments; the FGF23 loop (secretion by Pi, calcitriol and CKD; renal
Pi and calcitriol actions) follows the physiology summarised by Shimada et al. 2004 and
Isakova et al. 2011; magnesium, calciprotein particles, PPi, acid-base and dialysis have no
counterpart in those models and are documented in their modules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from vcsim.params import ParameterError, Parameters
from vcsim.systemic import bone, calciprotein, dialysis, gut, kidney, parathyroid, plasma
from vcsim.systemic.inputs import SystemicInputs
from vcsim.systemic.state import FIELDS, INDEX, N_DYNAMIC, MineralState

GROUP = "mineral"


def coefficients(params: Parameters) -> dict[str, float]:
    """The ``mineral`` parameters as plain floats plus derived rate constants (1/h)."""
    try:
        schema = params.schema
    except AttributeError:
        raise ParameterError(
            "params must be a vcsim Parameters object (vcsim.params.default_parameters())"
        ) from None
    k = {p.name: float(params[p.name]) for p in schema if p.group == GROUP}
    k["calcitriol_elimination_per_h"] = math.log(2.0) / k["calcitriol_half_life_h"]
    return k


@dataclass(frozen=True)
class Drive:
    """Inputs of one integration sub-interval: GFR schedule, HD weight, wall rates (mmol/h)."""

    inputs: SystemicInputs
    hd_weight: float
    hd_phosphate_weight: float
    wall_calcium: float = 0.0
    wall_phosphate: float = 0.0
    wall_magnesium: float = 0.0

    def gfr(self, t_h: float, k: Mapping[str, float]) -> float:
        return self.inputs.gfr_at(t_h, k["gfr_mL_per_min"])


def _serum_core(y, k):
    """Derived serum quantities shared by the right-hand side and :func:`serum`."""
    ph = plasma.serum_ph(y[INDEX["bicarbonate_mM"]], k)
    pi_uf = plasma.phosphate_ultrafilterable_mM(y[INDEX["ecf_phosphate_mmol"]], k)
    ca_i, ca_uf, ca_tot = plasma.calcium_species(y[INDEX["ecf_calcium_mmol"]], pi_uf, ph, k)
    mg_i, mg_uf, mg_tot = plasma.magnesium_species(y[INDEX["ecf_magnesium_mmol"]], ph, k)
    pi_serum = pi_uf / k["phosphate_ultrafilterable_fraction"]
    return ph, pi_uf, pi_serum, ca_i, ca_uf, ca_tot, mg_i, mg_uf, mg_tot


def rates(
    t_h: float,
    y: np.ndarray | list[float],
    k: Mapping[str, float],
    drive: Drive,
    diagnostics: dict | None = None,
) -> np.ndarray:
    """Time derivative of the full state vector (dynamic entries and ledger), per hour."""
    v = y.tolist() if isinstance(y, np.ndarray) else list(y)
    g = dict(zip(FIELDS, v, strict=True))
    ph, pi_uf, pi_s, ca_i, ca_uf, _, mg_i, mg_uf, mg_tot = _serum_core(v, k)
    gfr = drive.gfr(t_h, k)
    pth, fgf, vitd = g["pth_pg_per_mL"], g["fgf23_pg_per_mL"], g["calcitriol_pmol_per_L"]

    act = kidney.hormone_actions(pth, fgf, mg_i, gfr, k)
    gf = gut.gut_fluxes(
        g["gut_calcium_mmol"], g["gut_phosphate_mmol"], g["gut_magnesium_mmol"], ca_i, mg_i, vitd, k
    )
    rf = kidney.renal_fluxes(
        gfr, ca_i, ca_uf, pi_uf, mg_i, mg_uf, vitd, g["bicarbonate_mM"], act, k
    )
    bf = bone.bone_fluxes(
        g["bone_calcium_mmol"],
        g["bone_phosphate_mmol"],
        g["bone_magnesium_mmol"],
        g["bone_exchangeable_calcium_mmol"],
        g["bone_exchangeable_magnesium_mmol"],
        g["tissue_magnesium_mmol"],
        g["tissue_phosphate_mmol"],
        g["osteoclast_activity_factor"],
        g["osteoblast_activity_factor"],
        ca_i,
        pi_uf,
        mg_i,
        act.pth_action,
        k,
    )
    casr = kidney.casr_signal_mM(ca_i, mg_i, k)
    pt = parathyroid.parathyroid_rates(
        pth, g["parathyroid_capacity_factor"], casr, mg_i, pi_s, vitd, gfr, k
    )
    f_sec, f_cl = bone.fgf23_rates(fgf, pi_s, vitd, gfr, k)
    t50 = calciprotein.t50_min(
        ca_i, pi_s, mg_tot, g["fetuin_a_g_per_L"], g["ppi_uM"], g["bicarbonate_mM"], k
    )
    cr = calciprotein.calciprotein_rates(
        g["cpp_primary_calcium_mmol"],
        g["cpp_secondary_calcium_mmol"],
        g["fetuin_a_g_per_L"],
        g["ppi_uM"],
        ca_i,
        pi_uf,
        t50,
        g["osteoblast_activity_factor"],
        k,
    )
    df = dialysis.dialysis_fluxes(
        ca_uf,
        pi_uf,
        mg_uf,
        g["bicarbonate_mM"],
        g["ppi_uM"],
        drive.hd_weight,
        drive.hd_phosphate_weight,
        k,
    )
    r_cpp = k["cpp_phosphate_to_calcium_ratio"]
    cpp_clear = cr.cpp_primary_clearance + cr.cpp_secondary_clearance

    d = dict.fromkeys(FIELDS, 0.0)
    d["ecf_calcium_mmol"] = (
        gf.calcium_absorbed
        - gf.calcium_secreted
        - rf.calcium_urine
        - df.calcium
        - drive.wall_calcium
        - bf.calcium_to_exchangeable
        + bf.calcium_resorption
        - bf.calcium_formation
        - cr.cpp_formation
        + cpp_clear
    )
    d["bone_exchangeable_calcium_mmol"] = bf.calcium_to_exchangeable
    d["bone_calcium_mmol"] = bf.calcium_formation - bf.calcium_resorption
    d["gut_calcium_mmol"] = (
        gf.calcium_intake + gf.calcium_secreted - gf.calcium_absorbed - gf.calcium_faecal
    )
    d["ecf_phosphate_mmol"] = (
        gf.phosphate_absorbed
        - rf.phosphate_urine
        - df.phosphate
        - drive.wall_phosphate
        - bf.phosphate_to_tissue
        + bf.phosphate_resorption
        - bf.phosphate_formation
        - r_cpp * (cr.cpp_formation - cpp_clear)
    )
    d["tissue_phosphate_mmol"] = bf.phosphate_to_tissue
    d["bone_phosphate_mmol"] = bf.phosphate_formation - bf.phosphate_resorption
    d["gut_phosphate_mmol"] = (
        gf.phosphate_intake - gf.phosphate_absorbed - gf.phosphate_bound - gf.phosphate_faecal
    )
    iv_mg = k["intravenous_magnesium_mmol_per_day"] / 24.0
    d["ecf_magnesium_mmol"] = (
        iv_mg
        + gf.magnesium_absorbed
        - gf.magnesium_secreted
        - rf.magnesium_urine
        - df.magnesium
        - drive.wall_magnesium
        - bf.magnesium_to_exchangeable
        - bf.magnesium_to_tissue
        + bf.magnesium_resorption
        - bf.magnesium_formation
    )
    d["tissue_magnesium_mmol"] = bf.magnesium_to_tissue
    d["bone_exchangeable_magnesium_mmol"] = bf.magnesium_to_exchangeable
    d["bone_magnesium_mmol"] = bf.magnesium_formation - bf.magnesium_resorption
    d["gut_magnesium_mmol"] = (
        gf.magnesium_intake + gf.magnesium_secreted - gf.magnesium_absorbed - gf.magnesium_faecal
    )
    d["cpp_primary_calcium_mmol"] = cr.cpp_formation - cr.cpp_ripening - cr.cpp_primary_clearance
    d["cpp_secondary_calcium_mmol"] = cr.cpp_ripening - cr.cpp_secondary_clearance
    d["pth_pg_per_mL"] = pt.pth_secretion - pt.pth_clearance
    d["parathyroid_capacity_factor"] = pt.capacity_rate
    d["fgf23_pg_per_mL"] = f_sec - f_cl
    d["calcitriol_pmol_per_L"] = rf.calcitriol_synthesis - rf.calcitriol_catabolism
    d["fetuin_a_g_per_L"] = cr.fetuin_rate
    d["ppi_uM"] = cr.ppi_synthesis - cr.ppi_hydrolysis - df.ppi_removal
    buffer = (
        k["skeletal_acid_buffering_per_day"]
        / 24.0
        * k["bicarbonate_space_L"]
        * (k["bicarbonate_set_point_mM"] - g["bicarbonate_mM"])
    )
    d["bicarbonate_mM"] = (
        rf.net_acid_excretion
        - k["acid_production_mmol_per_day"] / 24.0
        + df.bicarbonate_gain
        + buffer
    ) / k["bicarbonate_space_L"]
    d["osteoclast_activity_factor"] = bf.osteoclast_rate
    d["osteoblast_activity_factor"] = bf.osteoblast_rate

    d["calcium_intake_mmol"] = gf.calcium_intake
    d["calcium_faecal_mmol"] = gf.calcium_faecal
    d["calcium_urine_mmol"] = rf.calcium_urine
    d["calcium_dialysis_mmol"] = df.calcium
    d["calcium_wall_mmol"] = drive.wall_calcium
    d["phosphate_intake_mmol"] = gf.phosphate_intake
    d["phosphate_faecal_mmol"] = gf.phosphate_faecal + gf.phosphate_bound
    d["phosphate_urine_mmol"] = rf.phosphate_urine
    d["phosphate_dialysis_mmol"] = df.phosphate
    d["phosphate_wall_mmol"] = drive.wall_phosphate
    d["magnesium_intake_mmol"] = gf.magnesium_intake + iv_mg
    d["magnesium_faecal_mmol"] = gf.magnesium_faecal
    d["magnesium_urine_mmol"] = rf.magnesium_urine
    d["magnesium_dialysis_mmol"] = df.magnesium
    d["magnesium_wall_mmol"] = drive.wall_magnesium

    if diagnostics is not None:
        diagnostics.update(
            gut=gf,
            renal=rf,
            bone=bf,
            parathyroid=pt,
            dialysis=df,
            actions=act,
            calciprotein=cr,
            fgf23_secretion=f_sec,
            t50_min=t50,
            gfr=gfr,
        )
    return np.fromiter((d[n] for n in FIELDS), dtype=float, count=len(FIELDS))


def serum(state: MineralState, params: Parameters) -> dict[str, float]:
    """Serum and plasma readouts with units in the names (the wall model's lumen values).

    Keys: ``serum_ionised_calcium_mM``, ``serum_ultrafilterable_calcium_mM``,
    ``serum_total_calcium_mM``, ``serum_phosphate_mM`` (total inorganic),
    ``serum_ultrafilterable_phosphate_mM``, ``serum_magnesium_mM`` (total),
    ``serum_ionised_magnesium_mM``, ``pth_pg_per_mL`` (intact PTH 1-84), ``fgf23_pg_per_mL``
    (intact FGF23), ``calcitriol_pmol_per_L``, ``fetuin_a_g_per_L``, ``serum_ppi_uM``,
    ``serum_bicarbonate_mM``, ``serum_ph``, ``t50_min``, ``cpp_primary_calcium_uM``,
    ``cpp_secondary_calcium_uM``, ``calcium_phosphate_product_mM2`` (total Ca x Pi).
    """
    k = coefficients(params)
    y = state.to_array().tolist()
    ph, pi_uf, pi_s, ca_i, ca_uf, ca_tot, mg_i, _mg_uf, mg_tot = _serum_core(y, k)
    t50 = calciprotein.t50_min(
        ca_i, pi_s, mg_tot, state.fetuin_a_g_per_L, state.ppi_uM, state.bicarbonate_mM, k
    )
    vp = k["plasma_volume_L"]
    return {
        "serum_ionised_calcium_mM": ca_i,
        "serum_ultrafilterable_calcium_mM": ca_uf,
        "serum_total_calcium_mM": ca_tot,
        "serum_phosphate_mM": pi_s,
        "serum_ultrafilterable_phosphate_mM": pi_uf,
        "serum_magnesium_mM": mg_tot,
        "serum_ionised_magnesium_mM": mg_i,
        "pth_pg_per_mL": state.pth_pg_per_mL,
        "fgf23_pg_per_mL": state.fgf23_pg_per_mL,
        "calcitriol_pmol_per_L": state.calcitriol_pmol_per_L,
        "fetuin_a_g_per_L": state.fetuin_a_g_per_L,
        "serum_ppi_uM": state.ppi_uM,
        "serum_bicarbonate_mM": state.bicarbonate_mM,
        "serum_ph": ph,
        "t50_min": t50,
        "cpp_primary_calcium_uM": 1e3 * state.cpp_primary_calcium_mmol / vp,
        "cpp_secondary_calcium_uM": 1e3 * state.cpp_secondary_calcium_mmol / vp,
        "calcium_phosphate_product_mM2": ca_tot * pi_s,
    }


def lumen_boundary(state: MineralState, params: Parameters) -> dict[str, float]:
    """Serum values under the names of the ``systemic`` parameter group that the wall reads.

    ``serum_calcium_mM`` is the ionised Ca (as that parameter is documented), ``serum_phosphate_mM``
    the total inorganic Pi, ``serum_magnesium_mM`` the total Mg. Apply with
    ``params.updated(lumen_boundary(state, params))``.
    """
    s = serum(state, params)
    return {
        "serum_calcium_mM": s["serum_ionised_calcium_mM"],
        "serum_phosphate_mM": s["serum_phosphate_mM"],
        "serum_magnesium_mM": s["serum_magnesium_mM"],
        "serum_ppi_uM": s["serum_ppi_uM"],
        "serum_ph": s["serum_ph"],
        "fetuin_a_g_per_L": s["fetuin_a_g_per_L"],
    }


# Typical magnitudes, for scaling Newton residuals and step-size control.
_SCALE_FLOOR = {
    "cpp_primary_calcium_mmol": 1e-4,
    "cpp_secondary_calcium_mmol": 1e-5,
    "pth_pg_per_mL": 1.0,
    "fgf23_pg_per_mL": 1.0,
    "calcitriol_pmol_per_L": 1.0,
    "fetuin_a_g_per_L": 0.01,
    "ppi_uM": 0.01,
    "bicarbonate_mM": 1.0,
    "parathyroid_capacity_factor": 0.01,
    "osteoclast_activity_factor": 0.01,
    "osteoblast_activity_factor": 0.01,
}


def scales(y: np.ndarray) -> np.ndarray:
    """Per-entry magnitudes ``max(|y|, floor)`` of the dynamic entries."""
    floor = np.array([_SCALE_FLOOR.get(n, 1e-2) for n in FIELDS[:N_DYNAMIC]])
    return np.maximum(np.abs(y[:N_DYNAMIC]), floor)
