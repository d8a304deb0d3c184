"""The cell's own ions: a quasi-steady cytosolic Ca2+ balance, the ER Ca2+ store it fills from
the site's fluid, and cytosolic Mg2+ / Mg-ATP driving SERCA.

The VSMC's ER store: :func:`vcsim.cells.vsmc.upr.update_upr` advances each cell's store with
:func:`store_step` (fluid Ca2+ of its site, its GRP78 sequestration and ROS signal, its cytosolic
Mg2+, the Ca2+ its site's pore fluid holds as the cap) and its cytosolic free Mg2+ (the state
``cytosol_magnesium_mM``) with :func:`cytosol_magnesium_step`; the quiescent start state
(:mod:`vcsim.cells.vsmc.steady_state`) holds :func:`quasi_steady_store`. The cell's store Ca2+
is ``er_calcium_fraction x store_capacity_amol(p)``. Every function is compiled
(:func:`vcsim.compiled.jit`) and reads scalars and the run's parameter record ``p`` (group
``cell_ions``, plus ``temperature_c``, ``er_leak_stress_factor`` and
``serca_ros_inhibition_fraction``).

Units: cytosolic Ca2+ ``c`` in uM; fluid Ca2+/Mg2+, free ER Ca2+ and cytosolic Mg2+ in mM;
amounts in amol per cell (1 mM x 1 pL = 1000 amol, 1 uM x 1 pL = 1 amol); fluxes in amol/h
per cell. The thermodynamic helpers take SI concentrations (mol/L) and return V or J/mol.

The model (one cell; ``f`` = ``er_calcium_fraction``, the store's total Ca2+ relative to a full
store; ``Q`` its capacity in amol):

- ER lumen: total Ca2+ ``T = f T_full`` with a low-affinity buffer (calreticulin & co.),
  free ``c_ER`` from the exact quadratic (:func:`free_calcium_with_buffer`);
  ``T_full = c_full + B c_full/(K + c_full)``, ``Q = V_ER T_full``.
- plasma membrane entry: background leak ``P_pm (Ca_o - eps c)`` and store-operated entry
  ``g_max S(c_ER) (Ca_o - eps c)/(K_o + Ca_o)`` with ``S = 1 - H(c_ER; K_STIM, n)``
  (STIM1/Orai1) and ``eps = exp(2 F V_m / R T)`` (the Goldman-Hodgkin-Katz driving force at
  fixed V_m: zero net flux at the Nernst potential, practically ``Ca_o`` at nM cytosolic Ca2+).
- extrusion: PMCA ``V_p H(c; K_p, n_p)`` and NCX ``V_n H(c; K_n, n_n)``.
- ER uptake: SERCA ``V_s a_MgATP (1 - r_ros ros) H(c; K_s, n_s) (1 - f)``; the factor
  ``1 - f`` is luminal back-inhibition (the pump's net uptake stops at the full store).
- ER leak/release: ``k V_ER (1 + s_ER sq) (c_ER - c)``, raised by GRP78 sequestration ``sq``
  with the cells group's ``er_leak_stress_factor`` as in :mod:`vcsim.cells.vsmc.upr`.

Quasi-steady cytosol: ``J_pm + J_soce + J_leak = J_pmca + J_ncx + J_serca`` is solved for ``c``
(:func:`cytosol_calcium_uM`). The residual is strictly decreasing in ``c``, positive at 0 and
non-positive at ``max(Ca_o/eps, c_ER)``, so a bracketed Newton iteration (bisection whenever a
Newton step leaves the bracket) always converges. The cytosol's time constant is
``tau = (1 + kappa)/gamma`` (:func:`cytosol_time_constant_s`): seconds, so at a 1 h step it is
at its quasi-steady value; the cytosolic free and buffered Ca2+ (~10 amol against ~90 amol in
the store) are *not* in the cell's Ca ledger.

The store: ``Q df/dt = N(f) = J_serca - J_leak``, which at the quasi-steady cytosol equals the
net plasma-membrane entry: the Ca2+ the store gains comes from the site's fluid, and with no
fluid Ca2+ the store empties. ``N`` is strictly decreasing in ``f`` (SOCE falls, the leak rises,
SERCA is back-inhibited), so the filling ``f*`` with ``N = 0`` is unique
(:func:`quasi_steady_store`). :func:`store_step` advances ``f`` over ``dt_h`` by exponential
relaxation toward ``f*`` with the secant rate ``N(f)/(Q (f* - f))``: the initial slope is exact,
the end point is exact, the update is monotone (never overshoots ``f*``, stays in [0, 1]) at any
step, and it converges as the step shrinks. The Ca2+ taken from the site is ``Q (f' - f)``
exactly.

Magnesium: cytosolic free Mg2+ ``u`` follows the fluid Mg through TRPM7 entry, inhibited by
``u``, against Na+/Mg2+ exchange: ``a Mg_o / (1 + (u/K_i)^n) = u/(K_x + u)``
(:func:`cytosol_magnesium_target_mM`), relaxing toward it with ``tau_cytosol_magnesium_h``.
Mg-ATP = ``ATP u/(K_d + u)`` (exact 1:1 binding at a given free Mg2+), and SERCA turnover is
``MgATP/(K_m + MgATP)``. Because ATP is ~3 mM and K_d ~0.07 mM, Mg-ATP is saturated until free
Mg2+ falls toward K_d: the store responds little to fluid Mg from 0.5 to 3 mM and only below
~0.2 mM does the response steepen. The time constant (12 h) is long against the model's 1 h
step, so cytosolic Mg2+ is a cell state, not a quasi-steady value.
"""

from __future__ import annotations

import math

from vcsim.cells.kinetics import hill, relax_tau
from vcsim.compiled import jit

#: gas constant (J/mol/K) and Faraday constant (C/mol), CODATA 2018 exact values
R_J_PER_MOL_K = 8.314462618
FARADAY_C_PER_MOL = 96485.33212
KELVIN = 273.15
#: amol in 1 mM x 1 pL (1e-3 mol/L x 1e-12 L = 1e-15 mol)
AMOL_PER_MM_PL = 1000.0
#: amol in 1 mM x 1 L (1e-3 mol)
AMOL_PER_MM_L = 1.0e15
#: mM per uM
MM_PER_UM = 1.0e-3

_MAX_ITER = 200
_TOL_C_REL = 1.0e-13
#: uM: below any physical meaning (1e-30 uM x 1 pL = 1e-30 amol)
_TOL_C_ABS = 1.0e-30
_TOL_F = 1.0e-14


# ============================================================================ thermodynamics
@jit
def nernst_potential_V(c_out_M, c_in_M, z, temperature_K):
    """Nernst (equilibrium) potential ``E = (R T / z F) ln(c_out / c_in)`` in V.

    Concentrations in any one unit (their ratio enters). For Ca2+ (z = 2) at 1.5 mM outside,
    100 nM inside and 310 K: +128 mV (Hille, Ion Channels of Excitable Membranes, ch. 1).
    """
    return R_J_PER_MOL_K * temperature_K / (z * FARADAY_C_PER_MOL) * math.log(c_out_M / c_in_M)


@jit
def serca_work_J_per_mol(c_er_M, c_cyt_M, temperature_K, n_ca=2, delta_psi_V=0.0):
    """Free energy to move ``n_ca`` Ca2+ from cytosol to ER lumen, J per mol of pump cycles:
    ``W = n_ca (R T ln(c_ER / c_cyt) + 2 F dpsi)``, ``dpsi`` the lumen-minus-cytosol potential
    (~0: the ER membrane is leaky to K+ and Cl-, so it carries no sustained potential).

    2 Ca2+ from 100 nM to 1 mM at 310 K: 47.5 kJ/mol; to 0.5 mM with dpsi = +10 mV: 47.8 kJ/mol.
    """
    return n_ca * (R_J_PER_MOL_K * temperature_K * math.log(c_er_M / c_cyt_M)
                   + 2.0 * FARADAY_C_PER_MOL * delta_psi_V)


@jit
def atp_free_energy_J_per_mol(atp_M, adp_M, pi_M, temperature_K, dg0_J_per_mol=-30500.0):
    """Free energy of ATP hydrolysis in the cell, ``dG = dG0' + R T ln([ADP][Pi]/[ATP])`` (J/mol,
    negative; concentrations in mol/L, standard state 1 M).

    ``dG0' = -30.5 kJ/mol`` at pH 7 with Mg2+ (Nelson & Cox, Lehninger Principles of
    Biochemistry, table 13-4; Alberty & Goldberg 1992 Biochemistry 31:10610), used at 37 C
    without a temperature correction (dH0' ~ -20 kJ/mol shifts it by < 0.5 kJ/mol). Human
    erythrocyte ATP 2.25, ADP 0.25, Pi 1.65 mM (their table 13-5) at 310 K give -52 kJ/mol.
    """
    return dg0_J_per_mol + R_J_PER_MOL_K * temperature_K * math.log(adp_M * pi_M / atp_M)


# ============================================================================ buffering
@jit
def free_calcium_with_buffer(total_M, buffer_total_M, kd_M):
    """Free Ca2+ of a compartment holding ``total`` Ca2+ with one buffer (sites ``B``, ``Kd``):
    the positive root of ``c + B c/(Kd + c) = total``, i.e. ``c^2 + (Kd + B - T) c - Kd T = 0``,
    evaluated without cancellation. Any one concentration unit for all three.

    200 uM of a Kd = 1 uM buffer at 0.1 uM free holds 18.28 uM total; 10 uM more total gives
    0.164 uM free (the other 99.4 % of the added Ca2+ is bound).
    """
    t = total_M if total_M > 0.0 else 0.0
    b = kd_M + buffer_total_M - t
    disc = math.sqrt(b * b + 4.0 * kd_M * t)
    if b >= 0.0:
        den = b + disc
        c = 2.0 * kd_M * t / den if den > 0.0 else 0.0
    else:
        c = 0.5 * (disc - b)
    # the root lies in [0, T]; rounding can put it one ulp above T when the buffer is empty
    return c if c <= t else t


@jit
def buffer_capacity_kappa(c, buffer_total, kd):
    """Buffer capacity ``kappa = d[CaB]/d[Ca] = B Kd / (Kd + c)^2`` (dimensionless; any unit)."""
    return buffer_total * kd / ((kd + c) * (kd + c))


@jit
def effective_time_constant(kappa, gamma):
    """Time constant of free Ca2+ with a fast buffer, ``tau = (1 + kappa)/gamma``, ``gamma`` the
    unbuffered clearance rate constant (the result in the inverse unit of gamma)."""
    return (1.0 + kappa) / gamma


@jit
def _hill_slope(x, half, n):
    """d/dx of :func:`vcsim.cells.kinetics.hill` (n >= 1): ``n h (1 - h) / x``."""
    return _hill_and_slope(x, half, n)[1]


@jit
def _hill_and_slope(x, half, n):
    """:func:`vcsim.cells.kinetics.hill` and its derivative in x (n >= 1)."""
    h = hill(x, half, n)
    if x <= 0.0:
        return h, (1.0 / half if n == 1.0 else 0.0)
    return h, n * h * (1.0 - h) / x


# ============================================================================ magnesium
@jit
def cytosol_magnesium_target_mM(mg_fluid_mM, p):
    """Cytosolic free Mg2+ (mM) at which TRPM7 entry balances Na+/Mg2+ exchange:
    ``a Mg_o / (1 + (u/K_i)^n) = u / (K_x + u)``.

    Entry through TRPM7 is proportional to the fluid Mg (a channel with a large inward driving
    force) and inhibited by cytosolic free Mg2+ (Nadler et al. 2001 Nature 411:590); efflux is
    Na+/Mg2+ exchange, saturable in cytosolic Mg2+ (SLC41A1; Kolisek et al. 2008 J Biol Chem
    283:16235). The feedback defends free Mg2+ against raised fluid Mg (0.6 mM at 0.85 mM, 0.9 mM
    at 3 mM), while at low fluid Mg entry is uninhibited and ``u ~ a K_x Mg_o`` follows it down
    (Romani 2011 Arch Biochem Biophys 512:1). The residual is strictly decreasing in ``u``:
    bracketed Newton, always converging. 0 at zero fluid Mg.
    """
    mo = mg_fluid_mM if mg_fluid_mM > 0.0 else 0.0
    a = p.magnesium_influx_efflux_ratio_per_mM * mo
    if a <= 0.0:
        return 0.0
    ki = p.trpm7_magnesium_inhibition_half_mM
    n = p.trpm7_magnesium_inhibition_hill
    kx = p.na_mg_exchange_half_mM
    lo = 0.0
    hi = ki if ki > kx else kx
    for _ in range(200):  # expand until efflux exceeds entry (it does: entry -> 0, efflux -> 1)
        if a * (1.0 - hill(hi, ki, n)) - hi / (kx + hi) <= 0.0:
            break
        hi *= 2.0
    u = 0.5 * hi
    for _ in range(_MAX_ITER):
        h = hill(u, ki, n)
        g = a * (1.0 - h) - u / (kx + u)
        if g > 0.0:
            lo = u
        elif g < 0.0:
            hi = u
        else:
            return u
        dg = -a * _hill_slope(u, ki, n) - kx / ((kx + u) * (kx + u))
        u_new = u - g / dg
        if not (lo < u_new < hi):
            u_new = 0.5 * (lo + hi)
        if abs(u_new - u) <= _TOL_C_REL * u_new:
            return u_new
        u = u_new
    return u


@jit
def cytosol_magnesium_step(mg_cyt_mM, mg_fluid_mM, p, dt_h):
    """Cytosolic free Mg2+ after ``dt_h``: exact relaxation toward
    :func:`cytosol_magnesium_target_mM` with ``tau_cytosol_magnesium_h`` (monotone at any step)."""
    return relax_tau(mg_cyt_mM, cytosol_magnesium_target_mM(mg_fluid_mM, p),
                     p.tau_cytosol_magnesium_h, dt_h)


@jit
def mg_atp_fraction(mg_free_M, kd_M):
    """Share of ATP bound as Mg-ATP at free Mg2+ ``mg_free``: exact 1:1 binding,
    ``[MgATP]/ATP_total = Mg / (Kd + Mg)`` (independent of ATP at a given free Mg2+).

    Apparent Kd ~50-100 uM at pH 7.2, I ~0.15 M (log K(MgATP2-) ~4.2-4.3; Martell & Smith,
    Critical Stability Constants; O'Sullivan & Smithers 1979 Methods Enzymol 63:294). Use
    :func:`mg_atp_from_totals` when the *total* Mg of a closed pool is known instead.
    """
    m = mg_free_M if mg_free_M > 0.0 else 0.0
    return m / (kd_M + m)


@jit
def mg_atp_from_totals(mg_total_M, atp_total_M, kd_M):
    """Mg-ATP of a closed pool of total Mg and total ATP (exact 1:1 binding, the smaller root of
    ``x^2 - (Mg_T + ATP_T + Kd) x + Mg_T ATP_T = 0``, evaluated without cancellation)."""
    mt = mg_total_M if mg_total_M > 0.0 else 0.0
    at = atp_total_M if atp_total_M > 0.0 else 0.0
    s = mt + at + kd_M
    disc = math.sqrt(max(s * s - 4.0 * mt * at, 0.0))
    den = s + disc
    return 2.0 * mt * at / den if den > 0.0 else 0.0


@jit
def serca_mgatp_activity(mg_cyt_mM, p):
    """SERCA turnover relative to saturating Mg-ATP: ``MgATP/(K_m + MgATP)`` with
    ``MgATP = ATP_total mg_atp_fraction(Mg_cyt)`` (mM)."""
    mgatp = p.cytosol_atp_mM * mg_atp_fraction(mg_cyt_mM, p.mgatp_kd_mM)
    return mgatp / (p.serca_mgatp_km_mM + mgatp)


# ============================================================================ the ER store
@jit
def store_total_full_mM(p):
    """Total luminal Ca2+ of a full store (filling 1), mM of ER volume."""
    c = p.er_free_calcium_full_mM
    return c + p.er_buffer_sites_mM * c / (p.er_buffer_kd_mM + c)


@jit
def store_capacity_amol(p):
    """Ca2+ of a full store, amol per cell: ``V_cell x ER fraction x total_full``."""
    return p.cell_volume_pL * p.er_volume_fraction * store_total_full_mM(p) * AMOL_PER_MM_PL


@jit
def er_free_calcium_mM(f, p):
    """Free luminal Ca2+ (mM) at store filling ``f`` (clipped to [0, 1])."""
    ff = f if f > 0.0 else 0.0
    ff = ff if ff < 1.0 else 1.0
    return free_calcium_with_buffer(ff * store_total_full_mM(p), p.er_buffer_sites_mM,
                                    p.er_buffer_kd_mM)


@jit
def soce_open_fraction(c_er_mM, p):
    """Share of maximal store-operated entry at free ER Ca2+ ``c_ER``: ``1 - H(c_ER; K, n)``
    (STIM1 unbinds luminal Ca2+ and gates Orai1; K1/2 ~0.2 mM, nH ~4, Luik et al. 2008)."""
    return 1.0 - hill(c_er_mM, p.soce_stim1_half_mM, p.soce_stim1_hill)


@jit
def _coefficients(calcium_mM, mg_cyt_mM, sequestration, ros_signal, p):
    """The flux coefficients of one cell under the given inputs (a flat tuple, see use)."""
    ca_o = calcium_mM if calcium_mM > 0.0 else 0.0
    t_k = p.temperature_c + KELVIN
    eps = math.exp(2.0 * FARADAY_C_PER_MOL * p.membrane_potential_mV * 1.0e-3
                   / (R_J_PER_MOL_K * t_k))
    g = p.soce_max_amol_per_h / (p.soce_orai_calcium_half_mM + ca_o)
    v_er = p.cell_volume_pL * p.er_volume_fraction
    sq = sequestration if sequestration > 0.0 else 0.0
    leak = p.er_leak_free_calcium_rate_per_h * v_er * AMOL_PER_MM_PL * (
        1.0 + p.er_leak_stress_factor * sq)
    ros = ros_signal if ros_signal > 0.0 else 0.0
    ros = ros if ros < 1.0 else 1.0
    vs = p.serca_vmax_amol_per_h * serca_mgatp_activity(mg_cyt_mM, p) * (
        1.0 - p.serca_ros_inhibition_fraction * ros)
    total_full = store_total_full_mM(p)
    return (ca_o, eps, p.pm_calcium_leak_amol_per_h_per_mM, g, leak,
            p.pmca_vmax_amol_per_h, p.pmca_half_uM, p.pmca_hill,
            p.ncx_vmax_amol_per_h, p.ncx_half_uM, p.ncx_hill,
            vs, p.serca_calcium_half_uM, p.serca_calcium_hill,
            total_full, p.er_buffer_sites_mM, p.er_buffer_kd_mM,
            p.soce_stim1_half_mM, p.soce_stim1_hill, v_er * total_full * AMOL_PER_MM_PL)


@jit
def _store_state(f, co):
    """Free ER Ca2+, its derivative in f, the SOCE open share and its derivative in f."""
    total_full, b, k, kst, nst = co[14], co[15], co[16], co[17], co[18]
    c_er = free_calcium_with_buffer(f * total_full, b, k)
    dcer_df = total_full / (1.0 + buffer_capacity_kappa(c_er, b, k))
    s_open = 1.0 - hill(c_er, kst, nst)
    ds_df = -_hill_slope(c_er, kst, nst) * dcer_df
    return c_er, dcer_df, s_open, ds_df


@jit
def _residual(c, f, c_er, s_open, co):
    """Cytosolic balance (entry + leak - extrusion - SERCA, amol/h) and its derivative in c."""
    ca_o, eps, a_pm, g, leak = co[0], co[1], co[2], co[3], co[4]
    vp, kp, np_ = co[5], co[6], co[7]
    vn, kn, nn = co[8], co[9], co[10]
    vs, ks, ns = co[11], co[12], co[13]
    entry = a_pm + g * s_open
    up = vs * (1.0 - f)
    hp, dhp = _hill_and_slope(c, kp, np_)
    hn, dhn = _hill_and_slope(c, kn, nn)
    hs, dhs = _hill_and_slope(c, ks, ns)
    r = (entry * (ca_o - eps * c * MM_PER_UM) + leak * (c_er - c * MM_PER_UM)
         - vp * hp - vn * hn - up * hs)
    dr = -entry * eps * MM_PER_UM - leak * MM_PER_UM - vp * dhp - vn * dhn - up * dhs
    return r, dr


@jit
def _solve_cytosol(f, c_er, s_open, co, guess):
    """Free cytosolic Ca2+ (uM) of the balance: bracketed Newton in [0, max(Ca_o/eps, c_ER)]."""
    r0, _ = _residual(0.0, f, c_er, s_open, co)
    if r0 <= 0.0:
        return 0.0
    lo = 0.0
    hi = co[0] / co[1]
    hi = (hi if hi > c_er else c_er) / MM_PER_UM
    c = guess if lo < guess < hi else 0.5 * hi
    for _ in range(_MAX_ITER):
        r, dr = _residual(c, f, c_er, s_open, co)
        if r > 0.0:
            lo = c
        elif r < 0.0:
            hi = c
        else:
            return c
        c_new = c - r / dr if dr < 0.0 else -1.0
        if not (lo < c_new < hi):
            c_new = 0.5 * (lo + hi)
        if abs(c_new - c) <= _TOL_C_REL * c_new + _TOL_C_ABS or hi - lo <= _TOL_C_REL * lo:
            return c_new
        c = c_new
    return c


@jit
def _net_uptake(f, co, guess):
    """Net ER uptake ``N = J_serca - J_leak`` (amol/h) at the quasi-steady cytosol, dN/df and c."""
    c_er, dcer_df, s_open, ds_df = _store_state(f, co)
    c = _solve_cytosol(f, c_er, s_open, co, guess)
    ca_o, eps, g, leak, vs, ks, ns = co[0], co[1], co[3], co[4], co[11], co[12], co[13]
    hs = hill(c, ks, ns)
    n = vs * (1.0 - f) * hs - leak * (c_er - c * MM_PER_UM)
    _, dr_dc = _residual(c, f, c_er, s_open, co)
    dr_df = g * ds_df * (ca_o - eps * c * MM_PER_UM) + leak * dcer_df + vs * hs
    dc_df = -dr_df / dr_dc if dr_dc < 0.0 else 0.0
    dn = (vs * (1.0 - f) * _hill_slope(c, ks, ns) * dc_df - vs * hs
          - leak * (dcer_df - MM_PER_UM * dc_df))
    return n, dn, c


@jit
def _quasi_steady(co, f, n, dn, c):
    """Filling with ``N(f*) = 0`` in [0, 1] and its cytosolic Ca2+, from a first evaluation
    ``(n, dn, c) = N, dN/df, c`` at ``f``. N is strictly decreasing with N(0) >= 0 and N(1) <= 0
    (unless the cytosol exceeds the full lumen), so f* is bracketed by f and the end point on
    the side N points to; that end is tested once, then bracketed Newton (bisection whenever a
    step leaves the bracket)."""
    if n == 0.0:
        return f, c
    if n > 0.0:
        lo = f
        hi = 1.0
        nb, _, cb = _net_uptake(1.0, co, c)
        if nb >= 0.0:
            return 1.0, cb
    else:
        lo = 0.0
        hi = f
        nb, _, cb = _net_uptake(0.0, co, c)
        if nb <= 0.0:
            return 0.0, cb
    for _ in range(_MAX_ITER):
        f_new = f - n / dn if dn < 0.0 else -1.0
        if not (lo < f_new < hi):
            f_new = 0.5 * (lo + hi)
        n, dn, c = _net_uptake(f_new, co, c)
        step = abs(f_new - f)
        f = f_new
        if n > 0.0:
            lo = f
        elif n < 0.0:
            hi = f
        else:
            return f, c
        if step <= _TOL_F or hi - lo <= _TOL_F:
            return f, c
    return f, c


# ============================================================================ public balance API
@jit
def cytosol_calcium_uM(f, calcium_mM, mg_cyt_mM, sequestration, ros_signal, p):
    """Quasi-steady free cytosolic Ca2+ (uM) of a cell with store filling ``f`` at fluid Ca2+
    ``calcium_mM``, cytosolic free Mg2+ ``mg_cyt_mM``, GRP78 sequestration ``sequestration``
    (0-1, :func:`vcsim.cells.vsmc.upr.grp78_sequestration`) and ROS signal ``ros_signal``."""
    co = _coefficients(calcium_mM, mg_cyt_mM, sequestration, ros_signal, p)
    ff = min(max(f, 0.0), 1.0)
    c_er, _, s_open, _ = _store_state(ff, co)
    return _solve_cytosol(ff, c_er, s_open, co, 0.1)


@jit
def calcium_fluxes(f, calcium_mM, mg_cyt_mM, sequestration, ros_signal, p):
    """Every flux at the quasi-steady cytosol, amol/h per cell:
    ``(c_uM, pm_leak, soce, pmca, ncx, serca, er_leak)``; entry + er_leak = pmca + ncx + serca."""
    co = _coefficients(calcium_mM, mg_cyt_mM, sequestration, ros_signal, p)
    ff = min(max(f, 0.0), 1.0)
    c_er, _, s_open, _ = _store_state(ff, co)
    c = _solve_cytosol(ff, c_er, s_open, co, 0.1)
    drive = co[0] - co[1] * c * MM_PER_UM
    return (c, co[2] * drive, co[3] * s_open * drive, co[5] * hill(c, co[6], co[7]),
            co[8] * hill(c, co[9], co[10]), co[11] * (1.0 - ff) * hill(c, co[12], co[13]),
            co[4] * (c_er - c * MM_PER_UM))


@jit
def store_rate_per_h(f, calcium_mM, mg_cyt_mM, sequestration, ros_signal, p):
    """``d(store)/dt = (J_serca - J_leak) / Q`` (filling per hour) at the quasi-steady cytosol;
    equal to the net plasma-membrane entry divided by Q."""
    co = _coefficients(calcium_mM, mg_cyt_mM, sequestration, ros_signal, p)
    n, _, _ = _net_uptake(min(max(f, 0.0), 1.0), co, 0.1)
    return n / co[19]


@jit
def quasi_steady_store(calcium_mM, mg_cyt_mM, sequestration, ros_signal, p):
    """The store filling the cell settles at, and its cytosolic Ca2+: ``(f*, c_uM)``."""
    co = _coefficients(calcium_mM, mg_cyt_mM, sequestration, ros_signal, p)
    n, dn, c = _net_uptake(0.5, co, 0.1)
    return _quasi_steady(co, 0.5, n, dn, c)


@jit
def store_time_constant_h(calcium_mM, mg_cyt_mM, sequestration, ros_signal, p):
    """Time constant (h) of the store's return to ``f*`` after a small change: ``Q / (-dN/df)``."""
    co = _coefficients(calcium_mM, mg_cyt_mM, sequestration, ros_signal, p)
    n, dn, c = _net_uptake(0.5, co, 0.1)
    fs, cs = _quasi_steady(co, 0.5, n, dn, c)
    _, dn, _ = _net_uptake(fs, co, cs)
    return co[19] / -dn


@jit
def cytosol_time_constant_s(f, calcium_mM, mg_cyt_mM, sequestration, ros_signal, p):
    """Buffered time constant of free cytosolic Ca2+ at filling ``f``, seconds:
    ``tau = (1 + kappa)/gamma`` with ``gamma = -(d balance/dc) / V_cyt`` the unbuffered clearance
    rate constant (PMCA + NCX + SERCA + the small driving-force terms) and ``kappa`` of the fast
    cytosolic buffer at the quasi-steady ``c``."""
    co = _coefficients(calcium_mM, mg_cyt_mM, sequestration, ros_signal, p)
    ff = min(max(f, 0.0), 1.0)
    c_er, _, s_open, _ = _store_state(ff, co)
    c = _solve_cytosol(ff, c_er, s_open, co, 0.1)
    _, dr = _residual(c, ff, c_er, s_open, co)
    gamma_per_s = -dr / (p.cell_volume_pL * p.cytosol_volume_fraction) / 3600.0
    kappa = buffer_capacity_kappa(c, p.cytosol_buffer_uM, p.cytosol_buffer_kd_uM)
    return effective_time_constant(kappa, gamma_per_s)


@jit
def cytosol_calcium_content_amol(c_uM, p):
    """Free + buffered cytosolic Ca2+ at free ``c`` (amol per cell); not part of the ledger
    (module docstring), reported to show its size."""
    c = c_uM if c_uM > 0.0 else 0.0
    return p.cell_volume_pL * p.cytosol_volume_fraction * (
        c + p.cytosol_buffer_uM * c / (p.cytosol_buffer_kd_uM + c))


@jit
def serca_free_energy_margin_J_per_mol(f, c_uM, p):
    """``-dG_ATP - W_SERCA`` (J/mol): positive when ATP hydrolysis can drive 2 Ca2+ from the
    cytosol into the store at filling ``f`` (cytosolic ATP/ADP/Pi of the parameters)."""
    t_k = p.temperature_c + KELVIN
    dg = atp_free_energy_J_per_mol(p.cytosol_atp_mM * 1e-3, p.cytosol_adp_mM * 1e-3,
                                   p.cytosol_pi_mM * 1e-3, t_k, p.atp_standard_dg_kJ_per_mol * 1e3)
    w = serca_work_J_per_mol(er_free_calcium_mM(f, p) * 1e-3, c_uM * 1e-6, t_k, 2, 0.0)
    return -dg - w


@jit
def store_step(f, calcium_mM, mg_cyt_mM, sequestration, ros_signal, available_amol, p, dt_h):
    """The store after ``dt_h`` hours and the Ca2+ it took from the site's fluid.

    Args:
        f: store filling now (``er_calcium_fraction``, 0-1).
        calcium_mM: the site's fluid Ca2+; ``mg_cyt_mM``: the cell's cytosolic free Mg2+
            (:func:`cytosol_magnesium_step`, or :func:`cytosol_magnesium_target_mM` of the site's
            Mg if the model keeps no Mg state).
        sequestration: GRP78 sequestration (raises the ER leak by ``er_leak_stress_factor``);
            ros_signal: the ROS signal (oxidises SERCA by ``serca_ros_inhibition_fraction``).
        available_amol: Ca2+ the site's fluid can give this cell this step (amol); uptake is
            capped there so the fluid never goes negative (``math.inf``: no cap).
        dt_h: step (h), any size.

    Returns ``(f_new, uptake_amol, c_uM)``: the new filling, the net Ca2+ moved from the fluid
    into the cell (negative: released to the fluid), exactly ``Q (f_new - f)``, and the
    quasi-steady cytosolic Ca2+ at ``f_new``. ``f_new`` is the exponential relaxation toward the
    quasi-steady filling ``f*`` with the secant rate ``N(f)/(Q (f* - f))`` (module docstring).
    """
    co = _coefficients(calcium_mM, mg_cyt_mM, sequestration, ros_signal, p)
    q = co[19]
    f0 = min(max(f, 0.0), 1.0)
    n0, dn0, c0 = _net_uptake(f0, co, 0.1)
    fs, cs = _quasi_steady(co, f0, n0, dn0, c0)
    gap = fs - f0
    if gap == 0.0:
        f_new = fs
    else:
        rate = n0 / (q * gap)
        if not (rate > 0.0 and rate < math.inf):
            _, dn, _ = _net_uptake(fs, co, cs)
            rate = -dn / q
        f_new = fs - gap * math.exp(-rate * dt_h) if rate > 0.0 else f0
    avail = available_amol if available_amol > 0.0 else 0.0
    if f_new > f0 and q * (f_new - f0) > avail:
        f_new = f0 + avail / q
    f_new = min(max(f_new, 0.0), 1.0)
    c_er, _, s_open, _ = _store_state(f_new, co)
    c_new = _solve_cytosol(f_new, c_er, s_open, co, cs)
    return f_new, q * (f_new - f), c_new


@jit
def fluid_calcium_amol(calcium_mM, pore_volume_L):
    """Ca2+ held by a site's pore fluid, ``Ca x V_pore x 1e15 amol/(mM L)`` (amol; negative
    concentrations count as none): the most the store can take from the site in one step
    (``available_amol`` of :func:`store_step`). 1.2 mM in 0.3 pL: 360 amol."""
    ca_o = calcium_mM if calcium_mM > 0.0 else 0.0
    v = pore_volume_L if pore_volume_L > 0.0 else 0.0
    return ca_o * v * AMOL_PER_MM_L


# ============================================================================ calibration
def calibrate(values=None) -> dict[str, float]:
    """The ``calibrated_by`` values of the ``cell_ions`` group from
    :data:`vcsim.params.cell_ions.REFERENCE` (python, not compiled; analytic):

    - ``magnesium_influx_efflux_ratio_per_mM``: cytosolic free Mg2+ at the reference;
    - ``serca_vmax_amol_per_h``: SERCA = ER leak at the reference filling and cytosolic Ca2+;
    - ``pm_calcium_leak_amol_per_h_per_mM``: entry (leak + SOCE) = PMCA + NCX there.

    ``values``: parameter values (name -> value) overriding the defaults.
    """
    from vcsim.params import default_parameters
    from vcsim.params.cell_ions import REFERENCE
    from vcsim.params.record import InputRecord

    params = default_parameters()
    record = InputRecord(params.schema, {**params.to_dict(), **(values or {})})
    p = record.record
    ref = REFERENCE
    u, mo = ref["cytosol_magnesium_mM"], ref["magnesium_mM"]
    n_i = p.trpm7_magnesium_inhibition_hill
    ratio = u * (1.0 + (u / p.trpm7_magnesium_inhibition_half_mM) ** n_i) / (
        (p.na_mg_exchange_half_mM + u) * mo)
    record.update({"magnesium_influx_efflux_ratio_per_mM": ratio})
    f, c, ca_o = ref["er_calcium_fraction"], ref["cytosol_calcium_uM"], ref["calcium_mM"]
    c_er = er_free_calcium_mM(f, p)
    v_er = p.cell_volume_pL * p.er_volume_fraction
    leak = p.er_leak_free_calcium_rate_per_h * v_er * AMOL_PER_MM_PL * (
        1.0 + p.er_leak_stress_factor * ref["sequestration_fraction"]) * (c_er - c * MM_PER_UM)
    act = serca_mgatp_activity(u, p) * (1.0 - p.serca_ros_inhibition_fraction * ref["ros_signal"])
    vs = leak / (act * (1.0 - f) * hill(c, p.serca_calcium_half_uM, p.serca_calcium_hill))
    eps = math.exp(2.0 * FARADAY_C_PER_MOL * p.membrane_potential_mV * 1e-3
                   / (R_J_PER_MOL_K * (p.temperature_c + KELVIN)))
    drive = ca_o - eps * c * MM_PER_UM
    out = (p.pmca_vmax_amol_per_h * hill(c, p.pmca_half_uM, p.pmca_hill)
           + p.ncx_vmax_amol_per_h * hill(c, p.ncx_half_uM, p.ncx_hill))
    soce = (p.soce_max_amol_per_h * soce_open_fraction(c_er, p) * drive
            / (p.soce_orai_calcium_half_mM + ca_o))
    if out <= soce:
        raise ValueError("cell_ions calibration: SOCE alone exceeds PMCA + NCX at the reference")
    return {
        "magnesium_influx_efflux_ratio_per_mM": float(ratio),
        "serca_vmax_amol_per_h": float(vs),
        "pm_calcium_leak_amol_per_h_per_mM": float((out - soce) / drive),
    }
