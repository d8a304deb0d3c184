"""Classical nucleation theory (CNT) for calcium phosphate, with templates and inhibitors.

Rate of nucleation (Mullin 2001, *Crystallization*, ch. 5; Kashchiev 2000, *Nucleation*)::

    J = J0 * phi_inh * exp(-f * B / (ln S_gu)^2)      for S_gu > 1,   J = 0 for S_gu <= 1
    B = 16 pi gamma^3 v_gu^2 / (3 (k T)^3)              (dimensionless)

``gamma`` is the crystal-solution interfacial energy (J/m2), ``v_gu`` the volume of one growth
unit in the crystal (m3), ``S_gu = S^(1/nu)`` the supersaturation per growth unit and ``nu``
the number of ions in a formula unit (18 for Ca10(PO4)6(OH)2). ``B / (ln S_gu)^2`` is the
barrier ``dG*/kT``. Growth units and formula units give the same barrier: with
``v_gu = v/nu`` and ``ln S_gu = ln S / nu``, ``B_gu / (ln S_gu)^2 = B_fu / (ln S)^2``; this
module uses growth units throughout (``v_gu = v_formula / nu`` and ``S_gu``).

``f`` in (0, 1] is the heterogeneous factor: a template (matrix vesicle membrane, apoptotic
body, elastin, existing apatite) lowers the barrier to ``f B``. For a spherical cap of contact
angle theta, ``f = (2 + cos theta)(1 - cos theta)^2 / 4`` (Volmer); the model takes f per
template as a parameter.

``phi_inh`` in (0, 1] is the product of the inhibitor factors (cMGP, fetuin-A, PPi, Mg), each
``1 / (1 + (c/K)^h)`` (:func:`hill_inhibition`): the inhibitor blocks a fraction of the
kinetic attempts (adsorption on pre-critical clusters / sequestration of ions into
calciprotein complexes); see :mod:`vcsim.params.chemistry` for each half-maximum and source.

Units of J: homogeneous rates are per m3 of fluid per second (``J0`` in 1/(m3 s));
heterogeneous rates are per template per hour (``J0`` in 1/h per vesicle, per apoptotic
body, per lamina site or per mineralised neighbour). :func:`events_per_site_per_h` converts
a homogeneous rate to events per lattice site per hour.

Homogeneous nucleation goes through the amorphous precursor (ACP, Ostwald's rule of stages;
Habraken et al. 2013): serum is undersaturated for ACP, so its homogeneous rate is exactly 0,
which is why serum is metastable although it is ~1e19-fold supersaturated for HAP (the HAP
barrier with gamma = 0.09 J/m2 would give dG*/kT ~ 21 in serum, i.e. copious nucleation with
any physical J0 ~ 1e30 m^-3 s^-1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from vcsim.chemistry.phases import HAP_CALCIUM, HAP_PHOSPHATE, PHASES
from vcsim.params.chemistry import PARAMS as _CHEM_PARAMS

ArrayLike = float | np.ndarray

BOLTZMANN_J_PER_K = 1.380649e-23
KELVIN = 273.15
_DEFAULTS = {p.name: p.default for p in _CHEM_PARAMS}

#: Ions per formula unit (from the phase table): HAP Ca10(PO4)6(OH)2 = 18, OCP Ca8H2(PO4)6 = 16,
#: brushite CaHPO4 = 2, ACP Ca3(PO4)2 = 5.
IONS_PER_FORMULA = {name: phase.nu for name, phase in PHASES.items()}
#: the template sources of nucleation, in the order of :func:`site_nucleation_rates`' rows
SOURCES: tuple[str, ...] = ("vesicle", "apoptotic_body", "elastin", "homogeneous", "secondary")
LN10 = math.log(10.0)


def thermal_energy_J(temperature_c: ArrayLike) -> ArrayLike:
    """``k_B T`` in J (k_B = 1.380649e-23 J/K, exact SI value)."""
    return BOLTZMANN_J_PER_K * (np.asarray(temperature_c, dtype=float) + KELVIN)


def cnt_barrier_coefficient(gamma_J_per_m2: ArrayLike, volume_m3: ArrayLike,
                            temperature_c: ArrayLike = 37.0) -> ArrayLike:
    """CNT barrier coefficient ``B = 16 pi gamma^3 v^2 / (3 (k T)^3)`` (dimensionless).

    ``dG*/kT = B / (ln S)^2`` where ``v`` (m3) and ``S`` refer to the same unit (formula unit
    or growth unit). ``gamma`` in J/m2, ``T`` in C. For HAP (gamma 0.09 J/m2, v = 5.28e-28 m3
    per Ca10(PO4)6(OH)2, 37 C) B = 4.34e4 per formula unit, i.e. 134 per growth unit.
    """
    kt = thermal_energy_J(temperature_c)
    out = 16.0 * math.pi * np.asarray(gamma_J_per_m2, dtype=float) ** 3 \
        * np.asarray(volume_m3, dtype=float) ** 2 / (3.0 * kt**3)
    return out if np.ndim(out) else float(out)


def growth_unit_barrier_coefficient(gamma_J_per_m2: ArrayLike, formula_volume_m3: ArrayLike,
                                    nu: int, temperature_c: ArrayLike = 37.0) -> ArrayLike:
    """``B_gu`` with the growth-unit volume ``v_gu = v_formula / nu`` (pairs with ``S_gu``)."""
    return cnt_barrier_coefficient(gamma_J_per_m2, np.asarray(formula_volume_m3) / nu, temperature_c)


def nucleation_rate(j0: ArrayLike, ln_s_gu: ArrayLike, b_gu: ArrayLike,
                    barrier_factor: ArrayLike = 1.0, inhibitor_factor: ArrayLike = 1.0) -> np.ndarray:
    """CNT rate ``J = J0 phi exp(-f B_gu / (ln S_gu)^2)`` where ``ln S_gu > 0``, else exactly 0.

    Args:
        j0: kinetic prefactor (units of the returned rate: 1/(m3 s) homogeneous, 1/h per
            template heterogeneous).
        ln_s_gu: natural log of the supersaturation per growth unit.
        b_gu: barrier coefficient per growth unit (:func:`growth_unit_barrier_coefficient`).
        barrier_factor: heterogeneous factor f in (0, 1] (1 = homogeneous).
        inhibitor_factor: phi in [0, 1] (product of :func:`hill_inhibition` factors).
    """
    ln_s = np.asarray(ln_s_gu, dtype=float)
    pos = ln_s > 0.0
    safe = np.where(pos, ln_s, 1.0)
    with np.errstate(over="ignore", under="ignore"):
        rate = np.asarray(j0) * np.asarray(inhibitor_factor) * np.exp(
            -np.asarray(barrier_factor) * np.asarray(b_gu) / (safe * safe))
    return np.where(pos, rate, 0.0)


def hill_inhibition(concentration: ArrayLike, half: float, hill: float = 1.0) -> np.ndarray:
    """Inhibitor factor ``1 / (1 + (c/K)^h)`` in (0, 1]: 1 without inhibitor, 1/2 at c = K.

    ``c`` and ``K`` in the same units; ``h`` the Hill coefficient (1 = simple binding).
    """
    c = np.maximum(np.asarray(concentration, dtype=float), 0.0)
    return 1.0 / (1.0 + (c / half) ** hill)


def nucleation_inhibitor_factor(
    cmgp_nM: ArrayLike = 0.0,
    fetuin_a_g_per_L: ArrayLike = 0.0,
    ppi_uM: ArrayLike = 0.0,
    mg_mM: ArrayLike = 0.0,
    params: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Product of the four inhibitor factors on nucleation, in (0, 1]:

    ``phi = H(cMGP; K_mgp, h) H(fetuin; K_fet, h) H(PPi; K_ppi, h) H(Mg; K_mg, h)`` with
    ``H(c; K, h) = 1/(1 + (c/K)^h)``. cMGP in nM (matrix), fetuin-A in g/L (systemic),
    PPi in uM, Mg in mM (pore fluid). Half-maxima and Hill coefficients from ``params``
    (``cmgp_nucleation_half_nM``, ``cmgp_nucleation_hill_factor``, ...), defaults otherwise.
    """
    p = _DEFAULTS if params is None else params

    def g(name: str) -> float:
        return float(p[name]) if name in p else float(_DEFAULTS[name])

    return (
        hill_inhibition(cmgp_nM, g("cmgp_nucleation_half_nM"), g("cmgp_nucleation_hill_factor"))
        * hill_inhibition(fetuin_a_g_per_L, g("fetuin_nucleation_half_g_per_L"), g("fetuin_nucleation_hill_factor"))
        * hill_inhibition(ppi_uM, g("ppi_nucleation_half_uM"), g("ppi_nucleation_hill_factor"))
        * hill_inhibition(mg_mM, g("mg_nucleation_half_mM"), g("mg_nucleation_hill_factor"))
    )


def enriched_log_saturation(ln_s: ArrayLike, calcium_factor: float, phosphate_factor: float,
                            n_calcium: int = HAP_CALCIUM, n_phosphate: int = HAP_PHOSPHATE) -> np.ndarray:
    """ln S inside a vesicle whose free Ca2+ and PO4-3 activities are enriched by constant
    factors (activity coefficients unchanged): ``ln S_v = ln S + n_Ca ln e_Ca + n_P ln e_P``
    (HAP: n_Ca = 10, n_P = 6 per formula unit; divide by nu for growth units)."""
    return np.asarray(ln_s, dtype=float) + n_calcium * math.log(calcium_factor) \
        + n_phosphate * math.log(phosphate_factor)


def events_per_site_per_h(rate_per_m3_per_s: ArrayLike, fluid_volume_m3: float) -> np.ndarray:
    """Convert a homogeneous rate (1/(m3 s)) to expected events per site per hour:
    ``J * V_fluid * 3600``."""
    return np.asarray(rate_per_m3_per_s) * fluid_volume_m3 * 3600.0


def site_nucleation_rates(
    si_hap: np.ndarray,
    si_acp: np.ndarray | None,
    vesicles: np.ndarray,
    vesicle_inhibition: np.ndarray,
    apoptotic_bodies: np.ndarray,
    lamina: np.ndarray,
    mineral_neighbours: np.ndarray | None,
    inhibitor_factor: np.ndarray,
    params: Mapping[str, float],
    temperature_c: float = 37.0,
    fluid_volume_m3: ArrayLike = 0.3e-15,
) -> np.ndarray:
    """Expected nucleation events per site per hour by source, shape ``(len(SOURCES), n)``.

    With ``phi`` the inhibitor factor and B, ln S per growth unit of HAP:

    * ``vesicle``: ``n_MV (1 - vesicle_inhibition) J0_v phi exp(-f_v B / ln^2 S_v)`` with
      ``S_v`` the HAP supersaturation inside a vesicle (Ca and PO4 activities enriched,
      :func:`enriched_log_saturation`);
    * ``apoptotic_body``: ``n_AB J0_ab phi exp(-f_ab B / ln^2 S_v)`` (same enrichment);
    * ``elastin``: lamina sites, ``J0_el phi exp(-f_el B / ln^2 S)``;
    * ``homogeneous``: the ACP precursor in the pore fluid, ``J_ACP(S_ACP) V_fluid 3600``
      (exactly 0 while the fluid is undersaturated for ACP, as serum is);
    * ``secondary``: per von Neumann neighbour holding nuclei, ``J0_sec phi exp(-f_sec B / ln^2 S)``
      (spread of nodules and sheets).

    Args (1-D arrays over the same n sites):
        si_hap: HAP saturation index of the fluid (per Ca10(PO4)6(OH)2).
        si_acp: ACP saturation index (per Ca3(PO4)2), or None (no homogeneous term).
        vesicles, vesicle_inhibition, apoptotic_bodies: counts and MV inhibitor loading.
        lamina: bool, elastic-lamina sites.
        mineral_neighbours: neighbours holding nuclei (0 at sites that have nuclei), or None.
        inhibitor_factor: phi of :func:`nucleation_inhibitor_factor`.
        params: the chemistry parameters (defaults of :mod:`vcsim.params.chemistry` if missing).
        temperature_c: temperature (C) for the CNT barriers.
        fluid_volume_m3: pore-fluid volume of each site (scalar or per site).
    """
    p = _DEFAULTS if params is None else params

    def par(name: str) -> float:
        return float(p[name]) if name in p else float(_DEFAULTS[name])

    nu_hap, nu_acp = IONS_PER_FORMULA["HAP"], IONS_PER_FORMULA["ACP"]
    b_hap = growth_unit_barrier_coefficient(
        par("hap_interfacial_energy_J_per_m2"), par("hap_formula_volume_m3"), nu_hap, temperature_c)
    phi = inhibitor_factor
    ln_s = np.asarray(si_hap, dtype=float) * LN10
    ln_s_gu = ln_s / nu_hap
    ln_s_ves_gu = enriched_log_saturation(ln_s, par("vesicle_calcium_enrichment_factor"),
                                          par("vesicle_phosphate_enrichment_factor")) / nu_hap
    free_ves = np.asarray(vesicles) * (1.0 - np.clip(vesicle_inhibition, 0.0, 1.0))
    rates = np.zeros((len(SOURCES), ln_s.size))
    rates[0] = free_ves * nucleation_rate(
        par("vesicle_j0_per_h"), ln_s_ves_gu, b_hap, par("vesicle_barrier_factor"), phi)
    rates[1] = np.asarray(apoptotic_bodies) * nucleation_rate(
        par("apoptotic_body_j0_per_h"), ln_s_ves_gu, b_hap, par("apoptotic_body_barrier_factor"), phi)
    rates[2] = np.asarray(lamina, dtype=bool) * nucleation_rate(
        par("elastin_j0_per_h"), ln_s_gu, b_hap, par("elastin_barrier_factor"), phi)
    if si_acp is not None:
        b_acp = growth_unit_barrier_coefficient(
            par("acp_interfacial_energy_J_per_m2"), par("acp_formula_volume_m3"), nu_acp, temperature_c)
        ln_s_acp_gu = np.nan_to_num(np.asarray(si_acp, dtype=float), nan=-1.0) * LN10 / nu_acp
        j_hom = nucleation_rate(par("homogeneous_j0_per_m3_per_s"), ln_s_acp_gu, b_acp, 1.0, phi)
        rates[3] = events_per_site_per_h(j_hom, fluid_volume_m3)
    if mineral_neighbours is not None:
        rates[4] = np.asarray(mineral_neighbours) * nucleation_rate(
            par("secondary_j0_per_h"), ln_s_gu, b_hap, par("secondary_barrier_factor"), phi)
    return rates
