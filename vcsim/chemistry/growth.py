"""Growth of hydroxyapatite on existing nuclei, consuming Ca and Pi in HAP stoichiometry.

Rate law (per site; mineral ``M`` in mmol HAP formula units per litre of tissue, mM)::

    R = k_g * phi_g * sigma^n * N^(1/3) * m_seed^(1/3) * (M + N m_seed)^(2/3)   [mM / h]
    sigma = S_gu - 1 (relative supersaturation per growth unit; R = 0 when S_gu <= 1)
    phi_g = 1 / (1 + PPi/K_ppi + Mg/K_mg + cMGP/K_mgp)

* ``sigma^n`` with apparent order n ~ 2 (parabolic, surface-integration control) is the
  constant-composition law of HAP growth (Koutsoukos, Amjad, Tomson & Nancollas 1980, JACS
  102:1553; Nancollas & Wu 2000).
* ``N^(1/3) (M + N m_seed)^(2/3)`` is the surface of N equal compact crystals holding the
  site's mineral (a fresh nucleus counts as one seed ``m_seed``), so a fresh nucleus gains
  ``k_g sigma^n phi_g`` of its own seed amount per hour.
* ``phi_g`` is competitive Langmuir adsorption of the growth inhibitors on the crystal surface
  (PPi: Fleisch, Russell & Straumann 1966; Mg: Amjad et al. 1984; cMGP: Schurgers et al. 2013).

Stoichiometry (docs/ARCHITECTURE.md): growing ``dM`` (mmol HAP / L tissue) removes ``10 dM``
of Ca and ``6 dM`` of Pi per litre of tissue, i.e. ``10 dM / porosity`` and
``6 dM / porosity`` mM from the pore fluid.

Step limiter (never negative, never below saturation): let ``M_eq`` be the amount that
brings the site exactly to S = 1 (found by a bracketed, speciation-corrected Newton solve,
:func:`amount_to_saturation`). The step grows::

    dM = M_eq * (1 - exp(-R dt / M_eq))

which equals ``R dt`` for small steps and approaches (never exceeds) ``M_eq`` for large
ones: the exact solution of ``dM/dt = R (1 - M/M_eq)`` (relaxation toward saturation that
starts at the rate R).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from vcsim.chemistry.phases import HAP_CALCIUM as NCA
from vcsim.chemistry.phases import HAP_PHOSPHATE as NP
from vcsim.chemistry.phases import PPI_PHOSPHORUS, Phase
from vcsim.chemistry.speciation import LN10, speciate
from vcsim.params.chemistry import PARAMS as _CHEM_PARAMS

ArrayLike = float | np.ndarray
_DEFAULTS = {p.name: p.default for p in _CHEM_PARAMS}


def _param(params: Mapping[str, float] | None, name: str) -> float:
    if params is not None and name in params:
        return float(params[name])
    return float(_DEFAULTS[name])


def growth_inhibitor_factor(ppi_uM: ArrayLike = 0.0, mg_mM: ArrayLike = 0.0, cmgp_nM: ArrayLike = 0.0,
                            params: Mapping[str, float] | None = None) -> np.ndarray:
    """``phi_g = 1 / (1 + PPi/K_ppi + Mg/K_mg + cMGP/K_mgp)`` in (0, 1] (competitive Langmuir
    adsorption on growth sites). PPi in uM, Mg in mM, cMGP in nM; half-maxima
    ``ppi_growth_half_uM``, ``mg_growth_half_mM``, ``cmgp_growth_half_nM``."""
    return 1.0 / (
        1.0
        + np.maximum(ppi_uM, 0.0) / _param(params, "ppi_growth_half_uM")
        + np.maximum(mg_mM, 0.0) / _param(params, "mg_growth_half_mM")
        + np.maximum(cmgp_nM, 0.0) / _param(params, "cmgp_growth_half_nM")
    )


def seed_amount_mM(seed_amol: float, site_volume_L: float) -> float:
    """HAP of one seed per litre of tissue (mM): ``amol * 1e-18 mol / V_site * 1e3``."""
    return seed_amol * 1e-15 / site_volume_L


def growth_rate(s_gu: ArrayLike, mineral_mM: ArrayLike, nuclei: ArrayLike, seed_mM: float,
                k_growth_per_h: float, order: float = 2.0,
                inhibitor_factor: ArrayLike = 1.0) -> np.ndarray:
    """Unlimited growth rate ``R`` (mmol HAP / L tissue / h), see the module docstring.

    ``R = k_g phi_g (S_gu - 1)^n N^(1/3) m_seed^(1/3) (M + N m_seed)^(2/3)`` where S_gu > 1
    and N > 0, else 0.
    """
    s = np.asarray(s_gu, dtype=float)
    n = np.maximum(np.asarray(nuclei, dtype=float), 0.0)
    sigma = np.maximum(s - 1.0, 0.0)
    surface = np.cbrt(n * seed_mM) * np.cbrt(np.maximum(mineral_mM, 0.0) + n * seed_mM) ** 2
    return k_growth_per_h * np.asarray(inhibitor_factor) * sigma**order * surface


def amount_to_saturation(ca_mM: np.ndarray, pi_mM: np.ndarray, porosity: float, ph: ArrayLike,
                         temperature_c: ArrayLike, mg_mM: ArrayLike, nacl_mM: ArrayLike,
                         phase: Phase | None = None, *, si_tol: float = 1e-9, rtol: float = 1e-13,
                         max_iter: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """HAP amount ``x`` (mmol / L tissue) whose removal brings the fluid to S = 1.

    Solves ``SI_HAP(Ca - 10 x/por, Pi - 6 x/por) = 0`` for ``x`` in [0, x_max),
    ``x_max = por min(Ca/10, Pi/6)``, at every site (1-D arrays); SI decreases monotonically
    in x. Each iteration solves the model ``SI(y) ~ SI(x) + (10 ln(Ca(y)/Ca(x)) +
    6 ln(Pi(y)/Pi(x))) / ln 10`` (free fractions frozen at x) by Newton in
    ``u = -ln(1 - y/x_max)`` (in which the model is nearly linear), then evaluates the true
    SI at y by a full speciation. A bracket [lo, hi] with SI(lo) >= 0 > SI(hi) is kept
    (the step bisects when the model leaves it). Returns ``(lo, SI(lo))``, the amount that
    leaves ``0 <= SI <= si_tol`` (or lo within ``rtol x_max`` of hi). Sites at or below
    saturation return 0.
    """
    ca = np.asarray(ca_mM, dtype=float)
    pi = np.asarray(pi_mM, dtype=float)
    phases = {"HAP": phase} if phase is not None else None
    x_max = porosity * np.minimum(ca / NCA, pi / NP)

    def si_at(x, idx):
        sub = [v[idx] if np.ndim(v) else v for v in (ph, temperature_c, mg_mM, nacl_mM)]
        sp = speciate(np.maximum(ca[idx] - NCA * x / porosity, 0.0),
                      np.maximum(pi[idx] - NP * x / porosity, 0.0),
                      sub[0], sub[1], sub[2], sub[3], phases=phases)
        with np.errstate(divide="ignore"):
            return sp.saturation_index("HAP")

    si0 = si_at(np.zeros(ca.size), np.arange(ca.size))
    lo = np.zeros(ca.size)
    si_lo = si0.copy()
    hi = x_max.copy()
    x = lo.copy()
    si_x = si0.copy()
    active = np.flatnonzero((si0 > si_tol) & (x_max > 0.0))
    for _ in range(max_iter):
        if active.size == 0:
            break
        a = active
        xm, xa = x_max[a], x[a]
        ca_x = ca[a] - NCA * xa / porosity
        pi_x = pi[a] - NP * xa / porosity
        target = -si_x[a] * LN10
        # Newton on the model in u = -ln(1 - y/x_max), from the current iterate
        u = -np.log1p(-np.minimum(xa / xm, 1.0 - 1e-16))
        for _ in range(40):
            rem = np.exp(-u)
            y = xm * (1.0 - rem)
            cy = np.maximum(ca[a] - NCA * y / porosity, 1e-300)
            py = np.maximum(pi[a] - NP * y / porosity, 1e-300)
            fval = NCA * np.log(cy / ca_x) + NP * np.log(py / pi_x) - target
            dfdy = -(NCA * NCA / porosity) / cy - (NP * NP / porosity) / py
            du = fval / (dfdy * xm * rem)
            u = np.maximum(u - du, 0.0)
            if np.all(np.abs(du) <= 1e-13 * np.maximum(u, 1.0)):
                break
        y = -xm * np.expm1(-u)
        # keep strictly inside the bracket; bisect otherwise
        inside = (y > lo[a]) & (y < hi[a])
        y = np.where(inside, y, 0.5 * (lo[a] + hi[a]))
        si_y = si_at(y, a)
        pos = si_y >= 0.0
        lo[a] = np.where(pos, y, lo[a])
        si_lo[a] = np.where(pos, si_y, si_lo[a])
        hi[a] = np.where(pos, hi[a], y)
        x[a], si_x[a] = y, si_y
        done = (si_lo[a] <= si_tol) | ((hi[a] - lo[a]) <= rtol * xm)
        active = a[~done]
    return lo, si_lo


def grow(
    calcium_mM: np.ndarray,
    phosphate_mM: np.ndarray,
    mineral_hap_mM: np.ndarray,
    nuclei_count: np.ndarray,
    s_gu: np.ndarray,
    porosity: float,
    dt_h: float,
    seed_mM: float,
    *,
    ph: ArrayLike,
    temperature_c: ArrayLike,
    magnesium_mM: ArrayLike,
    nacl_mM: ArrayLike,
    inhibitor_factor: ArrayLike = 1.0,
    params: Mapping[str, float] | None = None,
    phase: Phase | None = None,
) -> dict[str, np.ndarray]:
    """One growth step at the sites given (1-D arrays; nothing is modified in place).

    Rate :func:`growth_rate` with ``k_g = hap_growth_rate_per_h`` and
    ``n = hap_growth_order_factor`` from ``params``; limited so S stays >= 1 (module
    docstring). Returns ``{"growth_mM": dM, "calcium_mM": ..., "phosphate_mM": ...,
    "mineral_hap_mM": ..., "rate_mM_per_h": R}`` (growth and rate in mmol HAP per L tissue;
    fluid concentrations in mM). ``s_gu`` is the per-growth-unit HAP supersaturation of
    the fluid before the step.
    """
    ca = np.asarray(calcium_mM, dtype=float)
    pi = np.asarray(phosphate_mM, dtype=float)
    rate = growth_rate(s_gu, mineral_hap_mM, nuclei_count, seed_mM,
                       _param(params, "hap_growth_rate_per_h"),
                       _param(params, "hap_growth_order_factor"), inhibitor_factor)
    dm = np.zeros_like(ca)
    grows = np.flatnonzero(rate > 0.0)
    if grows.size:
        def sub(v):
            return v[grows] if np.ndim(v) else v

        m_eq, _ = amount_to_saturation(ca[grows], pi[grows], porosity, sub(ph), sub(temperature_c),
                                           sub(magnesium_mM), sub(nacl_mM), phase)
        want = rate[grows] * dt_h
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(m_eq > 0.0, m_eq * -np.expm1(-want / np.where(m_eq > 0, m_eq, 1.0)), 0.0)
        dm[grows] = np.minimum(step, m_eq)
    # dm <= M_eq < x_max, so both stay positive (exact HAP stoichiometry, no clamping)
    return {
        "growth_mM": dm,
        "calcium_mM": ca - NCA * dm / porosity,
        "phosphate_mM": pi - NP * dm / porosity,
        "mineral_hap_mM": np.asarray(mineral_hap_mM, dtype=float) + dm,
        "rate_mM_per_h": rate,
    }


def closed_box_totals(calcium_mM, phosphate_mM, mineral_hap_mM, porosity: float,
                      pyrophosphate_uM=0.0) -> tuple[float, float]:
    """Total Ca and P per litre of tissue summed over equal sites (mmol/L tissue):
    ``sum(por Ca + 10 M)`` and ``sum(por (Pi + 2 PPi/1000) + 6 M)``."""
    m = np.asarray(mineral_hap_mM)
    ca = float(np.sum(porosity * np.asarray(calcium_mM) + NCA * m))
    p = float(np.sum(porosity * (np.asarray(phosphate_mM) + PPI_PHOSPHORUS * 1e-3 * np.asarray(pyrophosphate_uM))
                     + NP * m))
    return ca, p


__all__ = [
    "amount_to_saturation",
    "closed_box_totals",
    "grow",
    "growth_inhibitor_factor",
    "growth_rate",
    "seed_amount_mM",
]
