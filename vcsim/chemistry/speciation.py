"""Calcium-magnesium-phosphate speciation of interstitial fluid, vectorised over a lattice.

Given total dissolved calcium, magnesium and inorganic phosphate (mM), pH, temperature and a
NaCl background, :func:`speciate` returns the free-ion concentrations and activities and the
ion pairs, and from them the saturation of the calcium phosphate phases.

Chemistry (all equilibria at infinite dilution, mol/L, activities ``a = gamma * c``):

* phosphoric acid: ``H3PO4 = H+ + H2PO4-`` (Ka1), ``H2PO4- = H+ + HPO4-2`` (Ka2),
  ``HPO4-2 = H+ + PO4-3`` (Ka3); water ``Kw = a_H a_OH``. pH is an input (the activity of H+,
  ``a_H = 10**-pH``): the fluid is buffered (bicarbonate, proteins), so no proton balance.
* ion pairs ``CaHPO4 0``, ``CaH2PO4+``, ``CaPO4-``, ``MgHPO4 0``, ``MgH2PO4+``, ``MgPO4-`` and
  ``NaHPO4-`` (association constants ``K = a_pair / (a_M a_L)``).
* Davies activity coefficients, ``log10 gamma_z = -A(T) z^2 (sqrt(I)/(1+sqrt(I)) - 0.3 I)``,
  neutral species ``gamma = 1``, with ``A(T) = 1.82483e6 sqrt(rho_w) / (eps_r T)^1.5``
  (rho_w in g/cm3, eps_r of water from Malmberg & Maryott 1956, J Res NBS 56:1).
* temperature dependence of each constant by van 't Hoff with a constant reaction enthalpy:
  ``log10 K(T) = log10 K(25 C) - dH/(R ln 10) (1/T - 1/298.15)``; Kw from the analytic
  expression of phreeqc.dat. Valid about 0-60 C.
* Na+ and Cl- are the background electrolyte (``nacl_mM`` each); the solution is made
  electroneutral by an inert monovalent counter-ion (Cl- if the explicit species carry net
  positive charge, Na+ otherwise: the anion of the calcium salt, the cation of the phosphate
  salt), which enters the ionic strength only.

Constants (log10 K at 25 C, I = 0; reaction enthalpy) are those of the PHREEQC database
``phreeqc.dat`` (Parkhurst & Appelo 2013, USGS TM 6-A43), which takes them from WATEQ4F
(Ball & Nordstrom 1991): phosphoric acid from NIST 46 / Martell & Smith critical constants,
the calcium phosphate pairs from Chughtai, Marshall & Nancollas 1968 (J Phys Chem 72:208),
the magnesium pairs from Childs 1970 (Inorg Chem 9:2465) and Martell & Smith, ``NaHPO4-`` from
Martell & Smith (no enthalpy given: taken as 0).

Solution method (per site, compiled: :func:`_solve_site`): for a fixed ionic strength the
free concentrations follow from one unknown, free ``HPO4-2`` (p): ``[M] = M_T / (1 + c_M p)``
for M = Ca, Mg, Na, and the phosphate balance ``P_T = p (F + sum_M c_M M_T / (1 + c_M p))`` is
increasing and concave in p, so Newton's method from the left converges monotonically. The
outer loop is a fixed point on the ionic strength (activity coefficients recomputed from the
species), contracting ~1e-3 per iteration; the second iterate is extrapolated by Aitken's
delta-squared, so physiological compositions converge in 3 iterations (extreme ones in ~10).
Iteration stops when the relative change of I between iterates is below ``tol_ionic`` (default
1e-9, i.e. activity coefficients to ~1e-10) and the relative phosphate mass-balance residual is
below ``tol_mass`` (default 1e-12); the Ca, Mg and Na balances hold by construction.
Species are reported with the activity coefficients of the last iterate, and the reported
ionic strength is recomputed from the reported species.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping
from typing import Any

import numpy as np

from vcsim.chemistry.equilibria import (  # noqa: F401 - re-exported: the public speciation API
    CHARGES,
    EQUILIBRIA,
    KELVIN,
    LN10,
    R_J_PER_MOL_K,
    T25_K,
    ArrayLike,
    Equilibrium,
    davies_a,
    davies_log_gamma,
    log_kw,
    water_density_g_per_cm3,
    water_dielectric_constant,
)
from vcsim.chemistry.phases import PHASES, Phase, phases_from
from vcsim.compiled import jit
from vcsim.parallel import map_blocks


class _Constants:
    """Temperature- and pH-dependent constants of one solve (scalars or 1-D arrays)."""

    def __init__(self, temperature_c: ArrayLike, ph: ArrayLike):
        k = {name: np.exp(LN10 * np.asarray(eq.log_k(temperature_c))) for name, eq in EQUILIBRIA.items()}
        self.k = k
        self.a_coef = davies_a(temperature_c)
        a_h = np.exp(-LN10 * np.asarray(ph, dtype=float))
        self.a_h = a_h
        self.a_oh = np.exp(LN10 * np.asarray(log_kw(temperature_c))) / a_h
        self.h2_ratio = a_h / k["Ka2"]                 # a_H2PO4 / a_HPO4
        self.h3_ratio = a_h * a_h / (k["Ka1"] * k["Ka2"])  # a_H3PO4 / a_HPO4
        self.p_ratio = k["Ka3"] / a_h                  # a_PO4 / a_HPO4
        self.ca_h2 = k["CaH2PO4+"] * self.h2_ratio     # [CaH2PO4+] g1 / (a_Ca a_HPO4)
        self.ca_p = k["CaPO4-"] * self.p_ratio
        self.mg_h2 = k["MgH2PO4+"] * self.h2_ratio
        self.mg_p = k["MgPO4-"] * self.p_ratio

    def packed(self) -> np.ndarray:
        """The constants the compiled solve reads, ``(m, len(PACKED))`` with m = 1 (uniform)
        or the number of sites."""
        cols = [self.a_coef, self.a_h, self.a_oh, self.h2_ratio, self.h3_ratio, self.p_ratio,
                self.ca_h2, self.ca_p, self.mg_h2, self.mg_p, self.k["CaHPO4"], self.k["MgHPO4"],
                self.k["NaHPO4-"]]
        m = max(np.size(c) for c in cols)
        return np.ascontiguousarray(np.stack([np.broadcast_to(np.asarray(c, dtype=float).reshape(-1), (m,))
                                              for c in cols], axis=1))


class Speciation:
    """Result of :func:`speciate`; arrays have the broadcast shape of the inputs.

    The solve stores the free Ca2+, Mg2+, Na+ and HPO4-2 concentrations and the activity
    coefficients; every other species follows from the mass-action laws and is computed
    (and cached) on first access, so a lattice solve does not allocate ~20 full arrays.

    Attributes:
        concentrations: mapping species -> free concentration (mol/L); keys as in
            :data:`CHARGES` (free ions, acid forms, ion pairs, background and counter-ions).
        activities: mapping species -> activity ``gamma_z * c`` (mol/L); ``H+`` is ``10**-pH``.
        gamma: activity coefficients by absolute charge ``{0, 1, 2, 3}`` (Davies, at the ionic
            strength of the last iterate).
        ionic_strength: ``I = 1/2 sum_i c_i z_i^2`` over every species (mol/L), recomputed
            from the reported species.
        iterations, residual: outer iterations used and the final max relative change of
            I (<= tol_ionic) or phosphate mass-balance residual (<= tol_mass).
        totals_mM: the input totals ``{"Ca", "Mg", "P"}`` (mM), broadcast.
    """

    def __init__(self, core: dict[str, np.ndarray], consts: _Constants, shape: tuple[int, ...],
                 temperature_c: ArrayLike, iterations: int, residual: float,
                 totals_mM: dict[str, np.ndarray], nacl_M: ArrayLike,
                 phases: Mapping[str, Phase]):
        self._core = core
        self._c = consts
        self.shape = shape
        self.temperature_c = temperature_c
        self.iterations = iterations
        self.residual = residual
        self.totals_mM = totals_mM
        self._nacl = nacl_M
        self.phases = dict(phases)
        self.ionic_strength = core["I"]
        # computed on first use: a lattice solve usually needs only gamma_2 and gamma_3
        self.gamma = _LazyMap(self._gamma, keys=(0, 1, 2, 3))
        self.concentrations = _LazyMap(self._concentration)
        self.activities = _LazyMap(self._activity)

    def blocks(self, size: int = 0):
        """Views of this result over consecutive blocks of the flattened sites, as
        ``(slice, Speciation)`` pairs: each block's species are computed by the same formulas
        (same values to the bit) from temporaries of the block's size, which stay in cache
        and reuse memory instead of allocating ~10 arrays of the full lattice.

        Only for constants uniform over the sites (scalar pH and temperature); otherwise one
        block, the whole result, is returned.
        """
        size = size or BLOCK
        n = math.prod(self.shape)
        if np.ndim(self._c.a_h) or np.ndim(self._c.a_coef) or np.ndim(self.temperature_c) or n <= size:
            yield slice(0, n), self
            return
        core = {key: arr.reshape(-1) for key, arr in self._core.items()}
        nacl = self._nacl if np.ndim(self._nacl) == 0 else np.asarray(self._nacl).reshape(-1)
        totals = {key: np.asarray(v).reshape(-1) for key, v in self.totals_mM.items()}
        for start in range(0, n, size):
            sl = slice(start, min(start + size, n))
            m = sl.stop - sl.start
            yield sl, Speciation({k: v[sl] for k, v in core.items()}, self._c, (m,),
                                 self.temperature_c, self.iterations, self.residual,
                                 {k: v[sl] for k, v in totals.items()},
                                 nacl if np.ndim(nacl) == 0 else nacl[sl], self.phases)

    # species -------------------------------------------------------------------------
    def _shaped(self, x: ArrayLike) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, dtype=float), self.shape)

    def _gamma(self, charge: int) -> np.ndarray:
        g1 = self._core["g1"]
        if charge == 0:
            return np.ones_like(g1)
        if charge == 1:
            return g1
        if charge == 2:
            return (g1 * g1) ** 2
        return self.gamma[2] * self.gamma[2] * g1

    def _concentration(self, name: str) -> np.ndarray:
        c, core = self._c, self._core
        if name in ("Ca+2", "Mg+2", "Na+", "HPO4-2"):
            return core[name]
        g1, g2 = self.gamma[1], self.gamma[2]
        p = core["HPO4-2"]
        if name.startswith("Ca"):
            a_ca = g2 * core["Ca+2"]
        if name.startswith("Mg"):
            a_mg = g2 * core["Mg+2"]
        if "PO4" in name:
            a_hpo4 = g2 * p
        if name == "Cl-":
            return self._shaped(self._nacl)
        if name == "H+":
            return self._shaped(c.a_h / g1)
        if name == "OH-":
            return self._shaped(c.a_oh / g1)
        if name == "H2PO4-":
            return c.h2_ratio * a_hpo4 / g1
        if name == "H3PO4":
            return c.h3_ratio * a_hpo4
        if name == "PO4-3":
            return c.p_ratio * a_hpo4 / self.gamma[3]
        if name == "CaHPO4":
            return c.k["CaHPO4"] * a_ca * a_hpo4
        if name == "CaH2PO4+":
            return c.ca_h2 * a_ca * a_hpo4 / g1
        if name == "CaPO4-":
            return c.ca_p * a_ca * a_hpo4 / g1
        if name == "MgHPO4":
            return c.k["MgHPO4"] * a_mg * a_hpo4
        if name == "MgH2PO4+":
            return c.mg_h2 * a_mg * a_hpo4 / g1
        if name == "MgPO4-":
            return c.mg_p * a_mg * a_hpo4 / g1
        if name == "NaHPO4-":
            return c.k["NaHPO4-"] * core["Na+"] * a_hpo4
        if name in ("counter+", "counter-"):
            net = self.net_charge_explicit()
            return np.maximum(-net, 0.0) if name == "counter+" else np.maximum(net, 0.0)
        raise KeyError(name)

    def _activity(self, name: str) -> np.ndarray:
        if name == "H+":
            return self._shaped(self._c.a_h)
        if name == "OH-":
            return self._shaped(self._c.a_oh)
        return self.gamma[abs(CHARGES[name])] * self.concentrations[name]

    def net_charge_explicit(self) -> np.ndarray:
        """Net charge (mol/L) of every species except the counter-ion (it neutralises this)."""
        out = 0.0
        for name, z in CHARGES.items():
            if z and not name.startswith("counter"):
                out = out + z * self.concentrations[name]
        return out

    def ionic_strength_from_species(self) -> np.ndarray:
        """``1/2 sum c_i z_i^2`` recomputed from :attr:`concentrations` (a check)."""
        out = 0.0
        for name, z in CHARGES.items():
            if z:
                out = out + 0.5 * z * z * self.concentrations[name]
        return out

    def free_mM(self, species: str) -> np.ndarray:
        """Free concentration of ``species`` in mM."""
        return self.concentrations[species] * 1e3

    # saturation ----------------------------------------------------------------------
    def log_activity(self, species: str) -> np.ndarray:
        """log10 of an activity (mol/L), computed from the stored logs where possible."""
        return np.log10(self.activities[species])

    def log_iap(self, phase: str = "HAP") -> np.ndarray:
        """log10 of the ion activity product of ``phase`` (activities in mol/L)."""
        out = 0.0
        for species, n in self.phases[phase].stoichiometry:
            out = out + n * self.log_activity(species)
        return out

    def saturation_index(self, phase: str = "HAP") -> np.ndarray:
        """``SI = log10(IAP / Ksp)`` per formula unit.

        HAP: formula unit Ca10(PO4)6(OH)2, ``IAP = a_Ca^10 a_PO4^6 a_OH^2``; OCP
        Ca8H2(PO4)6.5H2O, ``a_Ca^8 a_H^2 a_PO4^6`` (Tung et al. 1988); brushite CaHPO4.2H2O,
        ``a_Ca a_HPO4``; ACP Ca3(PO4)2, ``a_Ca^3 a_PO4^2`` (water activity 1; the table of
        :mod:`vcsim.chemistry.phases`).
        ``-inf`` where an ion is absent (no Ca or no P).
        """
        with np.errstate(divide="ignore"):
            return self.log_iap(phase) - self.phases[phase].log_ksp(self.temperature_c)

    def log_saturation_ratio(self, phase: str = "HAP") -> np.ndarray:
        """Natural log of ``S = IAP/Ksp`` per formula unit (``ln S = SI ln 10``)."""
        return self.saturation_index(phase) * LN10

    def saturation_ratio(self, phase: str = "HAP") -> np.ndarray:
        """``S = IAP / Ksp`` per formula unit (can be ~1e20 for HAP: prefer the logs)."""
        return np.exp(self.log_saturation_ratio(phase))

    def growth_unit_saturation(self, phase: str = "HAP") -> np.ndarray:
        """Per-growth-unit supersaturation ``S_gu = S^(1/nu)`` (nu = 18 for HAP, 16 for OCP)."""
        return np.exp(self.log_saturation_ratio(phase) / self.phases[phase].nu)


class _LazyMap(Mapping[str, np.ndarray]):
    """Read-only mapping computing each species on first access (then cached)."""

    def __init__(self, compute, keys=None):
        self._compute = compute
        self._keys = tuple(CHARGES if keys is None else keys)
        self._cache: dict = {}

    def __getitem__(self, key):
        if key not in self._cache:
            if key not in self._keys:
                raise KeyError(key)
            self._cache[key] = np.asarray(self._compute(key))
        return self._cache[key]

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


# ---------------------------------------------------------------------------------- solver

#: the solved arrays a :class:`Speciation` is built from
CORE_SPECIES = ("Ca+2", "Mg+2", "Na+", "HPO4-2", "I", "g1")

#: Sites per block of the read-out (:meth:`Speciation.blocks`): small enough that the
#: temporaries of a numpy pass stay in cache (~4x faster than whole-lattice operations on
#: 10^6 sites).
BLOCK = 16384
#: Sites per block of the solve (the unit handed to a thread)
SOLVE_BLOCK = 65536

_LN10 = math.log(10.0)


@jit
def _newton_p(p, p_t, inv_p, big_f, c_ca, c_mg, c_na, cca_t, cmg_t, cna_t, tol, max_steps):
    """Newton steps on the phosphate balance for the free HPO4-2 concentration ``p``.

    ``g(p) = p (F + sum_M c_M M_T / (1 + c_M p)) - P_T`` is increasing and concave in p, so
    Newton converges monotonically from the left (a step is limited to p/4 from below).
    ``tol < 0``: take ``max_steps`` steps without testing; else step until
    ``|g|/P_T <= tol``. Returns ``(p, residual)`` (residual -1 when not evaluated, NaN when
    not converged).
    """
    for _ in range(max_steps):
        d_ca = 1.0 / (1.0 + c_ca * p)
        d_mg = 1.0 / (1.0 + c_mg * p)
        d_na = 1.0 / (1.0 + c_na * p)
        b_ca = cca_t * d_ca
        b_mg = cmg_t * d_mg
        b_na = cna_t * d_na
        g = p * (big_f + b_ca + b_mg + b_na) - p_t
        if tol >= 0.0:
            res = abs(g) * inv_p
            if res <= tol:
                return p, res
        step = g / (big_f + b_ca * d_ca + b_mg * d_mg + b_na * d_na)
        p = max(p - step, 0.25 * p)
    return p, (-1.0 if tol < 0.0 else math.nan)


@jit
def _solve_site(ca_t, p_t, mg_t, na_t, c, tol_ionic, tol_mass, max_iter, out, j):
    """Speciate one site (totals in mol/L; ``c`` the packed constants of :class:`_Constants`)
    and write the :data:`CORE_SPECIES` into ``out[:, j]``. Returns the iterations used
    (-1 when not converged)."""
    a_coef, a_h, a_oh = c[0], c[1], c[2]
    h2_ratio, h3_ratio, p_ratio = c[3], c[4], c[5]
    ca_h2, ca_p, mg_h2, mg_p = c[6], c[7], c[8], c[9]
    k_cahpo4, k_mghpo4, k_nahpo4 = c[10], c[11], c[12]
    inv_p = 1.0 / max(p_t, 2.2250738585072014e-308)
    # initial ionic strength: NaCl + typical free-ion and counter-ion contributions
    ionic = na_t + 2.0 * (ca_t + mg_t) + 1.5 * p_t + 0.5 * abs(2.0 * (ca_t + mg_t) - 1.8 * p_t)
    ionic_prev = ionic
    p = 0.0
    d_ionic = math.inf
    ca = mg = na_pair = g1 = 0.0
    for it in range(1, max_iter + 1):
        s = math.sqrt(ionic)
        g1 = math.exp(-_LN10 * a_coef * (s / (1.0 + s) - 0.3 * ionic))
        g2 = g1 * g1
        g2 = g2 * g2
        g13 = g1 * g1 * g1  # gamma2 / gamma1
        # phosphate species per unit free HPO4-2 concentration: F = 1 + f_H2 + f_H3 + f_P
        f_h2 = h2_ratio * g13
        f_p = p_ratio / (g2 * g1)  # gamma2 / gamma3
        big_f = 1.0 + f_h2 + h3_ratio * g2 + f_p
        g22 = g2 * g2
        g2g13 = g2 * g13  # gamma2^2 / gamma1: charged pairs
        c_ca = g22 * k_cahpo4 + (ca_h2 + ca_p) * g2g13
        c_mg = g22 * k_mghpo4 + (mg_h2 + mg_p) * g2g13
        c_na = k_nahpo4 * g2
        cca_t = c_ca * ca_t
        cmg_t = c_mg * mg_t
        cna_t = c_na * na_t
        if it == 1:
            # one Newton step from p = 0 gives a lower bound of the root; two more steps
            # (monotone, quadratic) bring it to ~1e-4 or better, enough before I is known
            p = p_t / (big_f + cca_t + cmg_t + cna_t)
            p, p_res = _newton_p(p, p_t, inv_p, big_f, c_ca, c_mg, c_na, cca_t, cmg_t, cna_t,
                                 -1.0, 2)
        elif it == 2 and d_ionic > 1e2 * tol_ionic:
            # warm start: I moved by ~d_ionic and p by about as much; one Newton step squares
            # that error, and the next outer iteration continues (joint convergence)
            p, p_res = _newton_p(p, p_t, inv_p, big_f, c_ca, c_mg, c_na, cca_t, cmg_t, cna_t,
                                 -1.0, 1)
        else:
            # after the Aitken step (or when nearly converged): converge the balance
            p, p_res = _newton_p(p, p_t, inv_p, big_f, c_ca, c_mg, c_na, cca_t, cmg_t, cna_t,
                                 tol_mass, 200)
            if p_res != p_res:
                return -1
        # species at this iterate (activities a = gamma c; charged pairs scale as g2^2/g1)
        ca = ca_t / (1.0 + c_ca * p)
        mg = mg_t / (1.0 + c_mg * p)
        na_pair = cna_t * p / (1.0 + c_na * p)
        g2g13_p = g2g13 * p
        h2po4 = f_h2 * p
        po4 = f_p * p
        neg_pairs = (ca_p * ca + mg_p * mg) * g2g13_p + na_pair
        pos_pairs = (ca_h2 * ca + mg_h2 * mg) * g2g13_p
        # electroneutrality by an inert monovalent counter-ion; I over every species
        mono_pos = (na_t - na_pair) + a_h / g1 + pos_pairs
        mono_neg = na_t + a_oh / g1 + h2po4 + neg_pairs
        net = 2.0 * (ca + mg - p) + mono_pos - mono_neg - 3.0 * po4
        new_ionic = 0.5 * (4.0 * (ca + mg + p) + 9.0 * po4 + mono_pos + mono_neg + abs(net))
        d_ionic = abs(new_ionic - ionic) / new_ionic
        if d_ionic <= tol_ionic and p_res >= 0.0:
            ionic = new_ionic
            out[0, j] = ca
            out[1, j] = mg
            out[2, j] = na_t - na_pair
            out[3, j] = p
            out[4, j] = ionic
            out[5, j] = g1
            return it
        if it == 2:
            # Aitken extrapolation of the fixed point I = Phi(I) (contraction q ~ 1e-3):
            # I* = I2 + q/(1-q) (I2 - I1) with q = (I2 - I1)/(I1 - I0); saves an iteration
            d2 = new_ionic - ionic
            d1 = ionic - ionic_prev
            q = d2 / (d1 if d1 != 0.0 else 1.0)
            q = min(max(q, -0.5), 0.5)
            ionic_prev = ionic
            ionic = new_ionic + d2 * q / (1.0 - q)
        else:
            ionic_prev = ionic
            ionic = new_ionic
    return -1


@jit
def _solve_sites(ca_mM, p_mM, mg_mM, na_mM, consts, start, stop, tol_ionic, tol_mass, max_iter,
                 out):
    """:func:`_solve_site` for sites ``start:stop`` (inputs of length 1 are uniform). Returns
    the largest iteration count, or -1 - (first failed site)."""
    worst = 0
    for j in range(start, stop):
        ca = ca_mM[j if ca_mM.size > 1 else 0] * 1e-3
        p = p_mM[j if p_mM.size > 1 else 0] * 1e-3
        mg = mg_mM[j if mg_mM.size > 1 else 0] * 1e-3
        na = na_mM[j if na_mM.size > 1 else 0] * 1e-3
        c = consts[j if consts.shape[0] > 1 else 0]
        it = _solve_site(ca, p, mg, na, c, tol_ionic, tol_mass, max_iter, out, j)
        if it < 0:
            return -1 - j
        worst = max(worst, it)
    return worst


def speciate(
    ca_mM: ArrayLike,
    pi_mM: ArrayLike,
    ph: ArrayLike,
    temperature_c: ArrayLike = 37.0,
    mg_mM: ArrayLike = 0.0,
    nacl_mM: ArrayLike = 140.0,
    *,
    tol_ionic: float = 1e-9,
    tol_mass: float = 1e-12,
    max_iter: int = 60,
    phases: Mapping[str, Phase] | None = None,
    workspace: MutableMapping[str, np.ndarray] | None = None,
    threads: int = 1,
) -> Speciation:
    """Speciate Ca / Mg / phosphate in a NaCl background at fixed pH (see module docstring).

    Args:
        ca_mM: total dissolved calcium, mM (>= 0). Scalars or arrays, broadcast together.
        pi_mM: total dissolved inorganic orthophosphate, mM (>= 0).
        ph: pH (activity scale, ``a_H = 10**-pH``).
        temperature_c: temperature, C (0-60).
        mg_mM: total dissolved magnesium, mM (>= 0).
        nacl_mM: background NaCl, mM (Na+ and Cl- each).
        tol_ionic: relative change of the ionic strength between iterates at convergence.
        tol_mass: relative residual of the phosphate mass balance at convergence.
        max_iter: maximum outer iterations per site (RuntimeError naming the site if not
            converged).
        phases: phase table for saturation indices (default :data:`PHASES`; see
            :func:`phases_from` to take Ksp values from parameters).
        workspace: a dict the caller keeps between calls; the solved arrays are written into
            the buffers it holds (created on first use) instead of fresh ones. The result is
            then only valid until the next call with the same workspace (on a 10^6-site
            lattice this saves ~50 MB of fresh pages per call, whose page faults cost as much
            as the solve itself on a virtual machine).
        threads: solve blocks of :data:`SOLVE_BLOCK` sites on up to this many threads (the
            compiled solve releases the GIL); each site is solved alone, so the values are the
            same for any thread count.

    Returns:
        :class:`Speciation` with ``.activities`` (``Ca+2``, ``Mg+2``, ``H2PO4-``, ``HPO4-2``,
        ``PO4-3``, ``OH-``, ... in mol/L), ``.concentrations`` (mol/L), ``.ionic_strength``
        (mol/L), ``.saturation_index(phase)``, ``.saturation_ratio(phase)`` and
        ``.growth_unit_saturation(phase)``.
    """
    arrays = [np.asarray(x, dtype=np.float64) for x in (ca_mM, pi_mM, mg_mM, nacl_mM, ph, temperature_c)]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    for a, name in zip(arrays[:4], ("ca_mM", "pi_mM", "mg_mM", "nacl_mM"), strict=True):
        # min/max instead of elementwise tests: no lattice-sized temporaries (NaN fails >= 0)
        if a.size and not (a.min() >= 0.0 and np.isfinite(a.max())):
            raise ValueError(f"speciate: {name} must be finite and >= 0")
    n = math.prod(shape)

    def flat(a: np.ndarray) -> np.ndarray:
        # per-site inputs as flat arrays; uniform ones (scalars) as one element
        if a.size == 1:
            return np.ascontiguousarray(a.reshape(1))
        return np.ascontiguousarray(np.broadcast_to(a, shape).reshape(-1))

    ca_t, p_t, mg_t, na_t, ph_f, t_f = (flat(a) for a in arrays)
    uniform_consts = ph_f.size == 1 and t_f.size == 1
    consts = _Constants(float(t_f[0]) if t_f.size == 1 else np.broadcast_to(t_f, (n,)),
                        float(ph_f[0]) if ph_f.size == 1 else np.broadcast_to(ph_f, (n,)))
    packed = consts.packed()

    ws: MutableMapping[str, np.ndarray] = {} if workspace is None else workspace
    core2d = scratch(ws, "core", (len(CORE_SPECIES), n))

    def solve(start: int) -> int:
        return _solve_sites(ca_t, p_t, mg_t, na_t, packed, start, min(start + SOLVE_BLOCK, n),
                            float(tol_ionic), float(tol_mass), int(max_iter), core2d)

    worst = map_blocks(solve, range(0, max(n, 1), SOLVE_BLOCK), threads if n > SOLVE_BLOCK else 1)
    failed = [w for w in worst if w < 0]
    if failed:
        site = -1 - failed[0]
        raise RuntimeError(f"speciate: not converged after {max_iter} iterations at site {site}")
    core = {key: core2d[k].reshape(shape) for k, key in enumerate(CORE_SPECIES)}
    totals = {"Ca": np.broadcast_to(arrays[0], shape), "Mg": np.broadcast_to(arrays[2], shape),
              "P": np.broadcast_to(arrays[1], shape)}
    t_out = temperature_c if np.ndim(temperature_c) == 0 else np.broadcast_to(arrays[5], shape)
    if not uniform_consts:
        consts = _Constants(np.broadcast_to(arrays[5], shape), np.broadcast_to(arrays[4], shape))
    return Speciation(core, consts, shape, t_out, max(worst, default=0), tol_ionic, totals,
                      np.broadcast_to(arrays[3] * 1e-3, shape),
                      phases if phases is not None else PHASES)


def scratch(ws: MutableMapping[str, np.ndarray], key: str, shape: tuple[int, ...],
            dtype: Any = np.float64) -> np.ndarray:
    """An uninitialised array kept in the caller's workspace ``ws`` under ``key``, allocated
    on first use or when the shape or dtype changed (lattice-sized scratch reused between
    steps: fresh pages cost page faults)."""
    arr = ws.get(key)
    if arr is None or arr.shape != tuple(shape) or arr.dtype != dtype:
        arr = ws[key] = np.empty(shape, dtype=dtype)
    return arr


def hap_saturation(ca_mM: ArrayLike, pi_mM: ArrayLike, ph: ArrayLike = 7.4,
                   temperature_c: ArrayLike = 37.0, mg_mM: ArrayLike = 0.0,
                   nacl_mM: ArrayLike = 140.0) -> np.ndarray:
    """Convenience: the HAP saturation index ``log10(IAP/Ksp)`` per Ca10(PO4)6(OH)2."""
    return speciate(ca_mM, pi_mM, ph, temperature_c, mg_mM, nacl_mM).saturation_index("HAP")


def total_calcium_for_ionised_mM(ionised_calcium_mM: float, pi_mM: float, ph: float = 7.4,
                                 temperature_c: float = 37.0, mg_mM: float = 0.0,
                                 nacl_mM: float = 140.0, *, tol: float = 1e-12,
                                 max_iter: int = 60) -> float:
    """Total dissolved calcium (mM) whose free Ca2+ is ``ionised_calcium_mM``: the inverse of
    :func:`speciate` in calcium, the other totals (``pi_mM``, ``mg_mM``, ``nacl_mM``), pH and
    temperature held.

    Solves ``F(Ca_T) = [Ca2+]_free(Ca_T) = C_i`` for ``Ca_T`` (mM; ``C_i`` the ionised Ca,
    a free *concentration* in mM, as ion-selective electrodes report it, not an activity).
    ``F`` is increasing and ``F(C_i) <= C_i``, so the root lies above ``C_i``. In
    ``u = ln Ca_T`` the residual ``h(u) = ln F(e^u) - ln C_i`` is increasing with slope
    ``1 + d ln f / d ln Ca_T`` close to 1 (``f = F/Ca_T`` the free fraction, 0.89 in serum):
    the first step is the fixed point ``Ca_T <- Ca_T C_i / F(Ca_T)`` (slope 1), the next ones
    secant steps on ``h``, kept inside the bracket of the iterates (bisection otherwise).
    Each speciation is solved with ``tol_ionic = 1e-13`` so that ``F`` is smooth far below
    ``tol``. Converges in 3-5 speciations to ``|F(Ca_T)/C_i - 1| <= tol``.

    The result is what the model's own speciation needs (Ca-phosphate pairs only): it is not
    the ultrafilterable Ca of real plasma, which also holds bicarbonate, citrate and sulphate
    complexes (Walser 1961, J Clin Invest 40:723; Moore 1970, J Clin Invest 49:318).

    Args:
        ionised_calcium_mM: target free Ca2+, mM (finite, >= 0; 0 gives 0).
        pi_mM, ph, temperature_c, mg_mM, nacl_mM: as :func:`speciate` (scalars; ``mg_mM`` is
            the total dissolved Mg).
        tol: relative tolerance on the free Ca2+.
        max_iter: speciations allowed (RuntimeError beyond).

    Raises:
        ValueError: a non-finite or negative input (one line).
    """
    target = float(ionised_calcium_mM)
    if not (math.isfinite(target) and target >= 0.0):
        raise ValueError(f"total_calcium_for_ionised_mM: ionised calcium must be finite and >= 0 mM, "
                         f"got {ionised_calcium_mM!r}")
    for name, v in (("pi_mM", pi_mM), ("ph", ph), ("temperature_c", temperature_c), ("mg_mM", mg_mM),
                    ("nacl_mM", nacl_mM)):
        if not math.isfinite(float(v)):
            raise ValueError(f"total_calcium_for_ionised_mM: {name} must be finite, got {v!r}")
    if target == 0.0:
        return 0.0
    log_target = math.log(target)

    def residual(u: float) -> float:
        r = speciate(math.exp(u), pi_mM, ph, temperature_c, mg_mM, nacl_mM, tol_ionic=1e-13)
        return math.log(float(r.free_mM("Ca+2"))) - log_target

    u = log_target
    h = residual(u)
    lo, hi = u, math.inf  # h(lo) <= 0 (free <= total); hi: first iterate with h > 0
    u_prev = h_prev = math.nan
    for _ in range(max_iter):
        if abs(h) <= tol:
            return math.exp(u)
        if h < 0.0:
            lo = max(lo, u)
        else:
            hi = min(hi, u)
        slope = (h - h_prev) / (u - u_prev) if math.isfinite(u_prev) and u != u_prev else 1.0
        step = h / slope if slope > 0.0 else h
        u_next = u - step
        if not lo < u_next < hi and math.isfinite(hi):
            u_next = 0.5 * (lo + hi)
        u_prev, h_prev = u, h
        u = u_next
        h = residual(u)
    if abs(h) <= tol:
        return math.exp(u)
    raise RuntimeError(f"total_calcium_for_ionised_mM: not converged after {max_iter} speciations "
                       f"(ionised Ca {target:g} mM, Pi {pi_mM:g} mM, pH {ph:g})")


__all__ = ["CHARGES", "EQUILIBRIA", "PHASES", "Phase", "Speciation", "davies_a", "davies_log_gamma",
           "hap_saturation", "log_kw", "phases_from", "scratch", "speciate",
           "total_calcium_for_ionised_mM"]
