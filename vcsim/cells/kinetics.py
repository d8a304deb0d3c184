"""The building blocks of every cell rule: Hill functions, exact relaxation, clipping.

All are functions of one value (compiled with :func:`vcsim.compiled.jit`), called from the
per-cell rules of each cell type and from the rules-table engine.
"""

from __future__ import annotations

import math

from vcsim.compiled import jit


@jit
def int_power(r, n):
    """``r**n`` for an integer ``n >= 1`` by repeated squaring (exact order of multiplications;
    the Hill exponents of the model are integers, and this is faster than ``pow``)."""
    acc = r
    first = True
    while True:
        if n & 1:
            if first:
                acc = r
                first = False
            else:
                acc = acc * r
        n >>= 1
        if n == 0:
            return acc
        r = r * r


@jit
def hill(x, half_max, n):
    """Increasing Hill function ``x^n / (K^n + x^n)`` for ``x >= 0`` (0 at x = 0, 1/2 at K).

    Evaluated as ``r / (1 + r)`` with ``r = (max(x, 0)/K)^n``; integer exponents 1-64 by
    :func:`int_power`, others by ``pow``. NaN stays NaN.
    """
    r = x if (x > 0.0 or x != x) else 0.0
    r = r / half_max
    if n == math.floor(n) and 1.0 <= n <= 64.0:
        r = int_power(r, int(n))
    else:
        r = r**n
    return r / (r + 1.0)


@jit
def relax(x, target, rate_per_h, dt_h):
    """Exact solution over ``dt_h`` of ``dx/dt = rate (target - x)`` with target and rate fixed:
    ``x' = target + (x - target) exp(-rate dt)``. Unconditionally stable and never overshoots
    the target, so a value in [0, 1] stays there at any step size."""
    return target + (x - target) * math.exp(-rate_per_h * dt_h)


@jit
def relax_tau(x, target, tau_h, dt_h):
    """:func:`relax` with a time constant ``tau_h`` (rate 1/tau)."""
    return target + (x - target) * math.exp(-dt_h / tau_h)


@jit
def clip(x, upper):
    """``min(max(x, 0), upper)`` with NaN kept (``upper = inf``: only ``x >= 0``)."""
    v = x if (x > 0.0 or x != x) else 0.0
    return v if (v < upper or v != v) else upper
