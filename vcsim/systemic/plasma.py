"""Extracellular fluid: from pool amounts to serum concentrations (ionised, complexed, bound).

The ECF (volume ``V_e``, default 14 L) is one well-mixed compartment holding plasma (``V_p``,
3 L) and interstitial fluid. Ionised and complexed (ultrafilterable) ions are at the same
concentration throughout the ECF; albumin binding is counted in plasma only (interstitial
protein is neglected). For an element with ionised concentration ``c`` (mM)::

    complexed   = kappa * c
    bound       = beta * albumin * 10**(s * (pH - 7.4)) * c      (plasma only)
    amount_mmol = c * (V_e * (1 + kappa) + V_p * beta * albumin * 10**(s * (pH - 7.4)))
    serum total = c * (1 + kappa + beta * albumin * 10**(s * (pH - 7.4)))

so, given the amount, ``c`` follows by one division (binding is linear in ``c`` at physiological
concentrations, well below the albumin site capacity). Calcium's complexed share grows with
phosphate (CaHPO4 ion pairs): ``kappa_Ca = kappa_Ca0 + k_CaP * Pi_uf``.

Shares at normal serum (Walser 1961 J Clin Invest 40:723; Moore 1970 J Clin Invest 49:318):
calcium about 47-50 % ionised, 40-46 % albumin-bound, 6-10 % complexed; magnesium about 55 %
ionised, 32 % bound (about one third, Walser 1961 J Clin Invest 40:723), 13 % complexed; phosphate about 12 %
protein-bound (ultrafilterable fraction 0.88, as in Peterson & Riggs 2010 Bone 46:49). The pH
coefficients make ``d log10(ionised)/d pH`` at constant total equal to -0.24 for Ca and -0.12
for Mg (Wang et al. 2002 Arch Pathol Lab Med 126:947): alkalosis binds more to albumin.

Phosphate is reported as measured serum inorganic phosphate (total); its ultrafilterable part
``Pi_uf = 0.88 * Pi`` is what the kidney filters, the dialyser clears and cells exchange.

Acid-base: ``pH = 6.1 + log10(HCO3 / (0.0307 * pCO2))`` (Henderson-Hasselbalch) with the
respiratory compensation of metabolic acid-base disorders ``pCO2 = 40 + 1.2 * (HCO3 - 24)``
mmHg (the ~1.2 mmHg per mM rule; Adrogue & Madias 1998 N Engl J Med 338:26).
"""

from __future__ import annotations

import math
from collections.abc import Mapping


def serum_ph(bicarbonate_mM: float, k: Mapping[str, float]) -> float:
    """Arterial pH from bicarbonate (mM) with compensated pCO2 (mmHg); see module docstring."""
    hco3 = max(bicarbonate_mM, 1e-3)
    pco2 = max(k["pco2_mmHg"] + k["pco2_compensation_mmHg_per_mM"] * (hco3 - 24.0), 5.0)
    return 6.1 + math.log10(hco3 / (0.0307 * pco2))


def phosphate_ultrafilterable_mM(ecf_phosphate_mmol: float, k: Mapping[str, float]) -> float:
    """Ultrafilterable Pi (mM) from the ECF amount: ``A / (V_e + V_p * (1 - f_uf) / f_uf)``."""
    f = k["phosphate_ultrafilterable_fraction"]
    return ecf_phosphate_mmol / (k["ecf_volume_L"] + k["plasma_volume_L"] * (1.0 - f) / f)


def calcium_species(
    ecf_calcium_mmol: float, pi_uf_mM: float, ph: float, k: Mapping[str, float]
) -> tuple[float, float, float]:
    """(ionised, ultrafilterable, total) serum calcium in mM from the ECF amount (mmol)."""
    kappa = k["calcium_complexed_ratio_factor"] + k["calcium_phosphate_complex_per_mM"] * pi_uf_mM
    bound = (
        k["calcium_albumin_binding_per_g_per_L"]
        * k["serum_albumin_g_per_L"]
        * 10.0 ** (k["calcium_albumin_ph_factor"] * (ph - 7.4))
    )
    c = ecf_calcium_mmol / (k["ecf_volume_L"] * (1.0 + kappa) + k["plasma_volume_L"] * bound)
    return c, c * (1.0 + kappa), c * (1.0 + kappa + bound)


def magnesium_species(
    ecf_magnesium_mmol: float, ph: float, k: Mapping[str, float]
) -> tuple[float, float, float]:
    """(ionised, ultrafilterable, total) serum magnesium in mM from the ECF amount (mmol)."""
    kappa = k["magnesium_complexed_ratio_factor"]
    bound = (
        k["magnesium_albumin_binding_per_g_per_L"]
        * k["serum_albumin_g_per_L"]
        * 10.0 ** (k["magnesium_albumin_ph_factor"] * (ph - 7.4))
    )
    m = ecf_magnesium_mmol / (k["ecf_volume_L"] * (1.0 + kappa) + k["plasma_volume_L"] * bound)
    return m, m * (1.0 + kappa), m * (1.0 + kappa + bound)


def ecf_amounts(
    ionised_calcium_mM: float,
    serum_phosphate_mM: float,
    ionised_magnesium_mM: float,
    ph: float,
    k: Mapping[str, float],
) -> tuple[float, float, float]:
    """Inverse map: ECF amounts (mmol) of Ca, Pi, Mg for given serum values (to build states)."""
    pi_uf = k["phosphate_ultrafilterable_fraction"] * serum_phosphate_mM
    f = k["phosphate_ultrafilterable_fraction"]
    a_p = pi_uf * (k["ecf_volume_L"] + k["plasma_volume_L"] * (1.0 - f) / f)
    kappa = k["calcium_complexed_ratio_factor"] + k["calcium_phosphate_complex_per_mM"] * pi_uf
    bound = (
        k["calcium_albumin_binding_per_g_per_L"]
        * k["serum_albumin_g_per_L"]
        * 10.0 ** (k["calcium_albumin_ph_factor"] * (ph - 7.4))
    )
    a_ca = ionised_calcium_mM * (k["ecf_volume_L"] * (1.0 + kappa) + k["plasma_volume_L"] * bound)
    kappa_m = k["magnesium_complexed_ratio_factor"]
    bound_m = (
        k["magnesium_albumin_binding_per_g_per_L"]
        * k["serum_albumin_g_per_L"]
        * 10.0 ** (k["magnesium_albumin_ph_factor"] * (ph - 7.4))
    )
    a_mg = ionised_magnesium_mM * (
        k["ecf_volume_L"] * (1.0 + kappa_m) + k["plasma_volume_L"] * bound_m
    )
    return a_ca, a_p, a_mg
