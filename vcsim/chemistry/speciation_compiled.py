"""The block solve of :func:`vcsim.chemistry.speciation.speciate` as fused compiled loops.

Optional (``vcsim[fast]``, see :mod:`vcsim.kernels`): :func:`solve_block` is a transcription
of :func:`vcsim.chemistry.speciation._solve_block` in which each run of elementwise numpy
operations becomes one compiled loop over the block. It performs the same IEEE operations in
the same order and precision (float32 or float64 constants, as numpy's scalar promotion gives),
takes the same convergence decisions from the same block maxima, and leaves the one
transcendental function whose implementations differ between libraries, the Davies ``exp``, to
numpy itself. So it returns the same bits as the numpy solve; ``tests/test_kernels.py`` checks
this on random compositions, temperatures and pH, in float32 and float64.

The equations, their sources and the iteration scheme are documented once, in
:mod:`vcsim.chemistry.speciation`; this module only changes how the arithmetic is executed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from vcsim import kernels

LN10 = float(np.log(10.0))

_cache: dict[str, Any] = {}


def _make(dtype: type[np.floating]) -> dict[str, Callable[..., Any]]:
    """Compiled pieces of the block solve for one float type (constants in that type)."""
    F = dtype
    one, two, half, quarter = F(1.0), F(2.0), F(0.5), F(0.25)
    c03, c15, c18, c3, c4, c9 = F(0.3), F(1.5), F(1.8), F(3.0), F(4.0), F(9.0)
    zero = F(0.0)
    tiny = F(np.finfo(F).tiny)
    jit = kernels._jit

    def maximum(a, b):  # np.maximum: NaN propagates, b when equal
        return a if (a > b or a != a) else b

    def minimum(a, b):  # np.minimum: NaN propagates, b when equal
        return a if (a < b or a != a) else b

    maximum = kernels._numba().njit(inline="always", error_model="numpy")(maximum)
    minimum = kernels._numba().njit(inline="always", error_model="numpy")(minimum)

    def start(ca_t, p_t, mg_t, na_t, inv_p, ionic):
        # inv_p = 1 / max(P_T, tiny); initial I from NaCl and typical ion contributions
        for i in range(ca_t.size):
            inv_p[i] = one / maximum(p_t[i], tiny)
            cm = ca_t[i] + mg_t[i]
            ionic[i] = ((na_t[i] + two * cm) + c15 * p_t[i]) + half * abs(two * cm - c18 * p_t[i])

    def davies_argument(ionic, coef, x):
        # x = coef * (s / (1 + s) - 0.3 I), s = sqrt(I); numpy takes exp(x)
        for i in range(ionic.size):
            s = np.sqrt(ionic[i])
            x[i] = coef * (s / (one + s) - c03 * ionic[i])

    def coefficients(g1, ca_t, mg_t, na_t, k_cahpo4, k_mghpo4, k_nahpo4, h2_ratio, h3_ratio, p_ratio,
                     ca_pair, mg_pair, f_h2, f_p, big_f, g2g13, c_ca, c_mg, c_na, cca_t, cmg_t, cna_t):
        for i in range(g1.size):
            g = g1[i]
            g2 = g * g
            g2 = g2 * g2
            g13 = g * g * g
            fh2 = h2_ratio * g13
            fp = p_ratio / (g2 * g)
            f_h2[i] = fh2
            f_p[i] = fp
            big_f[i] = ((one + fh2) + h3_ratio * g2) + fp
            g22 = g2 * g2
            gg = g2 * g13
            g2g13[i] = gg
            cca = g22 * k_cahpo4 + ca_pair * gg
            cmg = g22 * k_mghpo4 + mg_pair * gg
            cna = k_nahpo4 * g2
            c_ca[i] = cca
            c_mg[i] = cmg
            c_na[i] = cna
            cca_t[i] = cca * ca_t[i]
            cmg_t[i] = cmg * mg_t[i]
            cna_t[i] = cna * na_t[i]

    def first_guess(p_t, big_f, cca_t, cmg_t, cna_t, p):
        for i in range(p.size):
            p[i] = p_t[i] / (((big_f[i] + cca_t[i]) + cmg_t[i]) + cna_t[i])

    def newton_step(p, p_t, big_f, c_ca, c_mg, c_na, cca_t, cmg_t, cna_t):
        # one Newton step on g(p) = p (F + sum c_M M_T / (1 + c_M p)) - P_T
        for i in range(p.size):
            q = p[i]
            d_ca = one / (one + c_ca[i] * q)
            d_mg = one / (one + c_mg[i] * q)
            d_na = one / (one + c_na[i] * q)
            b_ca = cca_t[i] * d_ca
            b_mg = cmg_t[i] * d_mg
            b_na = cna_t[i] * d_na
            g = q * (((big_f[i] + b_ca) + b_mg) + b_na) - p_t[i]
            step = g / (((big_f[i] + b_ca * d_ca) + b_mg * d_mg) + b_na * d_na)
            p[i] = maximum(q - step, quarter * q)

    def residual(p, p_t, inv_p, big_f, c_ca, c_mg, c_na, cca_t, cmg_t, cna_t, r):
        # r = |g(p)| / P_T per site (numpy takes the block maximum: a loop that reduces with
        # NaN-propagating max does not vectorise)
        for i in range(p.size):
            q = p[i]
            d_ca = one / (one + c_ca[i] * q)
            d_mg = one / (one + c_mg[i] * q)
            d_na = one / (one + c_na[i] * q)
            g = q * (((big_f[i] + cca_t[i] * d_ca) + cmg_t[i] * d_mg) + cna_t[i] * d_na) - p_t[i]
            r[i] = abs(g) * inv_p[i]

    def species(p, g1, ca_t, mg_t, na_t, f_h2, f_p, g2g13, c_ca, c_mg, c_na, cna_t, a_h, a_oh,
                ca_p, mg_p, ca_h2, mg_h2, ionic, ca, mg, na, new_ionic, change):
        # species at this iterate, electroneutral counter-ion, new I and |dI|/I per site
        for i in range(p.size):
            q = p[i]
            cai = ca_t[i] / (one + c_ca[i] * q)
            mgi = mg_t[i] / (one + c_mg[i] * q)
            na_pair = (cna_t[i] * q) / (one + c_na[i] * q)
            gq = g2g13[i] * q
            h2po4 = f_h2[i] * q
            po4 = f_p[i] * q
            neg_pairs = (ca_p * cai + mg_p * mgi) * gq + na_pair
            pos_pairs = (ca_h2 * cai + mg_h2 * mgi) * gq
            mono_pos = ((na_t[i] - na_pair) + a_h / g1[i]) + pos_pairs
            mono_neg = ((na_t[i] + a_oh / g1[i]) + h2po4) + neg_pairs
            net = (((two * ((cai + mgi) - q)) + mono_pos) - mono_neg) - c3 * po4
            ni = half * ((((c4 * ((cai + mgi) + q)) + c9 * po4) + mono_pos) + mono_neg + abs(net))
            ca[i] = cai
            mg[i] = mgi
            na[i] = na_t[i] - na_pair
            new_ionic[i] = ni
            change[i] = abs(ni - ionic[i]) / ni

    def aitken(ionic_prev, ionic, new_ionic):
        # I* = I2 + d2 q / (1 - q), q = clip(d2 / d1, -0.5, 0.5); shifts the iterates
        for i in range(ionic.size):
            d2 = new_ionic[i] - ionic[i]
            d1 = ionic[i] - ionic_prev[i]
            q = minimum(maximum(d2 / (one if d1 == zero else d1), -half), half)
            ionic_prev[i] = ionic[i]
            ionic[i] = new_ionic[i] + (d2 * q) / (one - q)

    return {name: jit(fn) for name, fn in (
        ("start", start), ("davies_argument", davies_argument), ("coefficients", coefficients),
        ("first_guess", first_guess), ("newton_step", newton_step), ("residual", residual),
        ("species", species), ("aitken", aitken))}


def _pieces(dtype: np.dtype) -> dict[str, Callable[..., Any]]:
    key = np.dtype(dtype).name
    fns = _cache.get(key)
    if fns is None:
        with kernels._lock:
            fns = _cache.get(key)
            if fns is None:
                fns = _cache[key] = _make(np.dtype(dtype).type)
    return fns


def usable(c: Any) -> bool:
    """True when the compiled block solve applies: kernels on and the constants uniform."""
    return kernels.ENABLED and all(np.ndim(v) == 0 for v in vars(c).values() if not isinstance(v, dict))


def solve_block(ca_t: Any, p_t: Any, mg_t: Any, na_t: Any, c: Any, out: dict[str, np.ndarray],
                tol_ionic: float, tol_mass: float, max_iter: int) -> tuple[int, float]:
    """:func:`vcsim.chemistry.speciation._solve_block`, compiled (same arguments and bits)."""
    size = out["I"].shape[0]
    dtype = np.result_type(ca_t, p_t, mg_t, na_t, c.a_h)
    F = dtype.type
    fn = _pieces(dtype)
    ca_t, p_t, mg_t, na_t = (np.ascontiguousarray(np.broadcast_to(x, (size,)), dtype=dtype)
                             for x in (ca_t, p_t, mg_t, na_t))
    k = c.k
    work = np.empty((16, size), dtype=dtype)
    (inv_p, ionic, ionic_prev, x, p, f_h2, f_p, big_f, g2g13, c_ca, c_mg, c_na, cca_t, cmg_t,
     cna_t, new_ionic) = work
    ca, mg, na = np.empty(size, dtype), np.empty(size, dtype), np.empty(size, dtype)
    fn["start"](ca_t, p_t, mg_t, na_t, inv_p, ionic)
    coef = -LN10 * c.a_coef  # the scalar product numpy forms first, in the solve's precision
    ca_pair, mg_pair = F(c.ca_h2 + c.ca_p), F(c.mg_h2 + c.mg_p)
    newton_args = (p, p_t, big_f, c_ca, c_mg, c_na, cca_t, cmg_t, cna_t)
    ionic_prev[:] = ionic
    have_p = False
    d_ionic = np.inf
    for it in range(1, max_iter + 1):
        fn["davies_argument"](ionic, F(coef), x)
        g1 = np.exp(x)  # numpy's exp, as in the reference solve
        fn["coefficients"](g1, ca_t, mg_t, na_t, F(k["CaHPO4"]), F(k["MgHPO4"]), F(k["NaHPO4-"]),
                           F(c.h2_ratio), F(c.h3_ratio), F(c.p_ratio), ca_pair, mg_pair,
                           f_h2, f_p, big_f, g2g13, c_ca, c_mg, c_na, cca_t, cmg_t, cna_t)
        if not have_p:
            fn["first_guess"](p_t, big_f, cca_t, cmg_t, cna_t, p)
            fn["newton_step"](*newton_args)
            fn["newton_step"](*newton_args)
            have_p, p_res = True, None
        elif it == 2 and d_ionic > 1e2 * tol_ionic:
            fn["newton_step"](*newton_args)
            p_res = None
        else:
            for _ in range(200):
                fn["residual"](p, p_t, inv_p, big_f, c_ca, c_mg, c_na, cca_t, cmg_t, cna_t, x)
                p_res = float(np.max(x, initial=0.0))
                if p_res <= tol_mass:
                    break
                fn["newton_step"](*newton_args)
            else:
                raise RuntimeError("speciate: phosphate balance did not converge")
        fn["species"](p, g1, ca_t, mg_t, na_t, f_h2, f_p, g2g13, c_ca, c_mg, c_na, cna_t,
                      F(c.a_h), F(c.a_oh), F(c.ca_p), F(c.mg_p), F(c.ca_h2), F(c.mg_h2),
                      ionic, ca, mg, na, new_ionic, x)
        d_ionic = float(np.max(x, initial=0.0))
        if d_ionic <= tol_ionic and p_res is not None:
            ionic[:] = new_ionic
            break
        if it == 2:
            fn["aitken"](ionic_prev, ionic, new_ionic)
        else:
            ionic_prev[:] = ionic
            ionic[:] = new_ionic
    else:
        raise RuntimeError(f"speciate: not converged after {max_iter} iterations (dI/I {d_ionic:.3g})")
    from vcsim.chemistry.speciation import store_block  # (that module imports this one)

    store_block(out, ionic, g1, ca, mg, na, p)
    return it, max(d_ionic, p_res)
