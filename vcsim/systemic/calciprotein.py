"""Fetuin-A, calciprotein particles (CPP), plasma pyrophosphate and a T50-like readout.

**T50 readout.** The T50 test (Pasch et al. 2012 J Am Soc Nephrol 23:1744) spikes serum with
Ca and Pi and times the half-transformation of amorphous primary CPP (CPP-I) into crystalline
secondary CPP (CPP-II); a lower T50 means a higher calcification propensity. The model does
not simulate the assay; it uses a documented monotone function of the sample composition::

    T50 = T50_ref * (fetuin/0.7)**a_F * (Mg/0.85)**a_Mg * (PPi/2.5)**a_PPi
                  * (HCO3/25)**a_B * (albumin/40)**a_Alb / ((Pi/1.1)**a_Pi * (Ca_i/1.2)**a_Ca)

Basis: T50 rises with fetuin-A and Mg and falls with Pi in the spiking experiments of Pasch
et al. 2012; in CKD 3-4 its determinants are higher Pi and ionised Ca and lower fetuin-A, PPi
and albumin (Smith et al. 2014 J Am Soc Nephrol 25:339); Mg raises T50 in the general
population (mean 329 +- 58 min; Eelderink et al. 2020 Arterioscler Thromb Vasc Biol 40:1942)
and when dialysate Mg is raised (Bressendorff et al. 2018 Clin J Am Soc Nephrol 13:1373:
233-247 min at 0.5 mM dialysate Mg, +73 min at 1.0 mM). ``T50_ref`` = 329 min is the healthy
mean; the phosphate exponent is calibrated so the default haemodialysis state falls in the
230-250 min of Bressendorff et al.; the other exponents are assumptions of modest size.

**CPP** (mineral Ca in particles, mmol; Pi at Ca/P 1.5 of amorphous calcium phosphate).
Fetuin-A binds nascent calcium-phosphate clusters into CPP-I at a rate rising steeply with the
ion product; CPP-I ripen into CPP-II at a rate inversely proportional to T50; both are cleared
by the reticulo-endothelial system (CPP-II via scavenger receptor A; Herrmann et al. 2012 Circ
Res 111:575) and their mineral is dissolved and returned to the ECF, their fetuin-A degraded::

    formation = k_form * V_p * (fetuin/0.7) * ((Ca_i * Pi_uf) / IP_ref)**nu           [mmol/h]
    dCPP1/dt = formation - (theta * ln2 / T50 + k_cl1) * CPP1
    dCPP2/dt = theta * ln2 / T50 * CPP1 - k_cl2 * CPP2

``theta`` < 1 scales the assay ripening rate to unspiked blood. The absolute CPP level is not
calibrated (1 umol/L Ca in CPP-I at the normal state by choice of ``k_form``): only relative
changes are meaningful.

**Fetuin-A** is made by the liver (a negative acute-phase protein: inflammation lowers
synthesis; Ketteler et al. 2003 Lancet 361:827) and removed by first-order catabolism and with
cleared CPP::

    dFet/dt = sigma_fet * s_infl - ln2 / t_fet * Fet - phi * (k_cl1*CPP1 + k_cl2*CPP2) / V_p

**Plasma PPi** (uM in the ECF) is released from liver ATP (ABCC6-mediated; Jansen et al. 2014
Arterioscler Thromb Vasc Biol 34:1985) and hydrolysed by alkaline phosphatase, whose
bone-specific isoform rises with osteoblast activity; haemodialysis removes it (plasma PPi is
lower in haemodialysis patients; Lomashvili et al. 2005 J Am Soc Nephrol 16:2495)::

    dPPi/dt = sigma_PPi - k_PPi * (1 + w_b * (F - 1)) * PPi - K_HD * PPi / V_e

PPi made from and hydrolysed to phosphate is outside the inorganic Pi ledger (its turnover is
drawn from the intracellular organic phosphate that the model does not track).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


def t50_min(
    ionised_calcium_mM: float,
    serum_phosphate_mM: float,
    serum_magnesium_mM: float,
    fetuin_a_g_per_L: float,
    ppi_uM: float,
    bicarbonate_mM: float,
    k: Mapping[str, float],
) -> float:
    """T50-like calcification-propensity readout in minutes (module docstring)."""

    def rel(x: float, ref: float) -> float:
        return max(x, 1e-6) / ref

    return (
        k["t50_reference_min"]
        * rel(fetuin_a_g_per_L, 0.7) ** k["t50_fetuin_a_exponent_factor"]
        * rel(serum_magnesium_mM, 0.85) ** k["t50_magnesium_exponent_factor"]
        * rel(ppi_uM, 2.5) ** k["t50_ppi_exponent_factor"]
        * rel(bicarbonate_mM, 25.0) ** k["t50_bicarbonate_exponent_factor"]
        * rel(k["serum_albumin_g_per_L"], 40.0) ** k["t50_albumin_exponent_factor"]
        / (
            rel(serum_phosphate_mM, 1.1) ** k["t50_phosphate_exponent_factor"]
            * rel(ionised_calcium_mM, 1.2) ** k["t50_calcium_exponent_factor"]
        )
    )


@dataclass(frozen=True)
class CalciproteinRates:
    """CPP fluxes (mmol Ca/h), fetuin-A and PPi rates (g/L/h, uM/h)."""

    cpp_formation: float
    cpp_ripening: float
    cpp_primary_clearance: float
    cpp_secondary_clearance: float
    fetuin_rate: float
    ppi_synthesis: float
    ppi_hydrolysis: float


def calciprotein_rates(
    cpp1: float,
    cpp2: float,
    fetuin: float,
    ppi: float,
    ca_ionised: float,
    pi_uf: float,
    t50: float,
    osteoblast: float,
    k: Mapping[str, float],
) -> CalciproteinRates:
    """CPP formation/ripening/clearance, fetuin-A balance and PPi turnover (module docstring)."""
    fet = max(fetuin, 0.0)
    ip = max(ca_ionised, 0.0) * max(pi_uf, 0.0) / k["cpp_reference_ion_product_mM2"]
    formation = (
        k["cpp_formation_umol_per_L_per_h"]
        * 1e-3
        * k["plasma_volume_L"]
        * fet
        / 0.7
        * ip ** k["cpp_ion_product_exponent_factor"]
    )
    ripening = k["cpp_in_vivo_ripening_factor"] * math.log(2.0) / (max(t50, 1e-3) / 60.0) * cpp1
    cl1 = math.log(2.0) / (k["cpp_primary_half_life_min"] / 60.0) * cpp1
    cl2 = math.log(2.0) / (k["cpp_secondary_half_life_min"] / 60.0) * cpp2
    k_fet = math.log(2.0) / (k["fetuin_a_half_life_days"] * 24.0)
    fetuin_rate = (
        k["fetuin_a_synthesis_g_per_L_per_h"] * k["fetuin_a_synthesis_factor"]
        - k_fet * fet
        - k["cpp_fetuin_a_g_per_mmol_calcium"] * (cl1 + cl2) / k["plasma_volume_L"]
    )
    tnap = max(1.0 + k["ppi_tnap_osteoblast_weight_factor"] * (osteoblast - 1.0), 0.0)
    k_ppi = math.log(2.0) / k["ppi_half_life_h"]
    return CalciproteinRates(
        formation,
        ripening,
        cl1,
        cl2,
        fetuin_rate,
        k["ppi_synthesis_uM_per_h"],
        k_ppi * tnap * max(ppi, 0.0),
    )
