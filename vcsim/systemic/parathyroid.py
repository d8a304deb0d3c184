"""The parathyroid glands: PTH secretion by the Ca-sensing receptor, Mg, calcitriol, Pi, growth.

Secretion follows the inverse sigmoid of Brown (1983 J Clin Endocrinol Metab 56:572), the
four-parameter model, in the CaSR signal ``x`` (Ca equivalents, Mg included; see
:func:`vcsim.systemic.kidney.casr_signal_mM`), sensitised by a calcimimetic (an allosteric
CaSR agonist moves the set point down; Valle et al. 2008 J Am Soc Nephrol 19:2430)::

    x'       = x * (1 + s_calcimimetic)
    sec(x')  = d + (1 - d) / (1 + (x' / S)**m)                        (fraction of maximum)
    g(Mg)    = Mg_i**q / (Mg_i**q + K_g**q)                            (secretion needs Mg)
    secretion = k_PTH * PTH_max * g * (f_gland * C * sec(x') + A * sec_adenoma(x'))   [pg/mL/h]
    dPTH/dt   = secretion - k_PTH * ((1 - f_ren) + f_ren * N) * PTH,    k_PTH = ln 2 / t_half

(about a third of intact PTH is cleared by the kidney, the rest by the liver; Martin et al.
1979 N Engl J Med 301:1092; ``N`` = GFR / reference GFR).

``PTH_max`` and ``d`` are the maximal and suppressed steady PTH of a normal gland
(EDTA and Ca infusions in normal men: ~95-100 and ~6 pg/mL; Conlin et al. 1988 J Clin
Endocrinol Metab 67:944), the set point ``S`` = 1.13 mM ionised Ca in healthy adults
(Brown's set point by citrate/Ca clamp; Schwarz et al. 1994 Eur J Clin Invest 24:553).

Magnesium acts twice (Anast et al. 1972 Science 177:606; Rude et al. 1976 Clin Endocrinol 5:209): as a CaSR agonist, so a fall of Mg from normal to moderately
low disinhibits secretion, and as a requirement of the secretory machinery, so severe
hypomagnesaemia (serum Mg below ~0.4-0.5 mM) blocks it: functional hypoparathyroidism with
refractory hypocalcaemia that Mg repletion reverses within minutes (Anast et al. 1972 Science
177:606; Rude et al. 1978 J Clin Endocrinol Metab 47:800; Quitterer et al. 2001 J Biol Chem
276:6763). End-organ resistance at low Mg is in :func:`vcsim.systemic.kidney.hormone_actions`.

Secretory capacity ``C`` (1 = normal gland) follows a target with time constant ``tau``
(weeks: parathyroid hyperplasia and its regression; calcitriol lowers PTH synthesis through the
VDR, high Pi and low Ca raise synthesis and growth -- Naveh-Many et al. 1995 J Clin Invest
96:1786; Slatopolsky et al. 1996 J Clin Invest 97:2534)::

    C* = c0 * sec(x')**a_Ca * Pi**a_Pi * (K_V / (K_V + D))**a_D
    dC/dt = (C* - C) / tau

``f_gland`` is the remaining gland mass (parathyroidectomy sets it near 0). Primary
hyperparathyroidism is an adenoma of relative mass ``A`` whose set point is raised (1.32 mM in
Schwarz et al. 1994), so it secretes autonomously at normal Ca.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


def secretion_fraction(
    signal_mM: float, set_point_mM: float, hill: float, minimum_fraction: float
) -> float:
    """Four-parameter inverse sigmoid: ``d + (1 - d) / (1 + (x/S)**m)`` (fraction of maximum)."""
    r = max(signal_mM, 1e-9) / set_point_mM
    return minimum_fraction + (1.0 - minimum_fraction) / (1.0 + r**hill)


@dataclass(frozen=True)
class ParathyroidRates:
    """PTH secretion and clearance (pg/mL/h) and the gland capacity's rate of change (1/h)."""

    pth_secretion: float
    pth_clearance: float
    capacity_rate: float
    casr_fraction: float


def parathyroid_rates(
    pth_pg_per_mL: float,
    capacity: float,
    casr_signal_mM: float,
    ionised_magnesium_mM: float,
    serum_phosphate_mM: float,
    calcitriol_pmol_per_L: float,
    gfr_mL_per_min: float,
    k: Mapping[str, float],
) -> ParathyroidRates:
    """PTH secretion, clearance and gland growth for the current serum state."""
    x = casr_signal_mM * (1.0 + k["calcimimetic_casr_sensitisation_fraction"])
    m_hill = k["pth_calcium_hill_factor"]
    d = k["pth_minimum_fraction"]
    sec = secretion_fraction(x, k["pth_calcium_set_point_mM"], m_hill, d)
    sec_ad = secretion_fraction(x, k["parathyroid_adenoma_set_point_mM"], m_hill, d)
    mg = max(ionised_magnesium_mM, 1e-9)
    q = k["pth_secretion_magnesium_hill_factor"]
    g = mg**q / (mg**q + k["pth_secretion_magnesium_half_mM"] ** q)
    k_pth = math.log(2.0) / (k["pth_half_life_min"] / 60.0)
    nephron = max(gfr_mL_per_min, 0.0) / k["reference_gfr_mL_per_min"]
    f_ren = k["pth_renal_clearance_fraction"]
    k_clear = k_pth * ((1.0 - f_ren) + f_ren * nephron)
    secretion = (
        k_pth
        * k["pth_max_pg_per_mL"]
        * g
        * (
            k["parathyroid_remaining_mass_fraction"] * max(capacity, 0.0) * sec
            + k["parathyroid_adenoma_mass_factor"] * sec_ad
        )
    )
    dd = max(calcitriol_pmol_per_L, 0.0)
    kv = k["parathyroid_calcitriol_half_pmol_per_L"]
    target = (
        k["parathyroid_capacity_scale_factor"]
        * sec ** k["parathyroid_growth_calcium_factor"]
        * max(serum_phosphate_mM, 1e-9) ** k["parathyroid_growth_phosphate_factor"]
        * (kv / (kv + dd)) ** k["parathyroid_growth_calcitriol_factor"]
    )
    tau_h = k["parathyroid_growth_time_constant_days"] * 24.0
    return ParathyroidRates(
        secretion, k_clear * max(pth_pg_per_mL, 0.0), (target - capacity) / tau_h, sec
    )
